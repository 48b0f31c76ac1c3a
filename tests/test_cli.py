"""The `eventfuse` command end to end on files: ingest, articles, idempotency, bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import needs_shared
from eventfuse.cli import main

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
needs_seeds = needs_shared(SEEDS)


def invoke(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def dump(db: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    rows = [(t, *row) for t in sorted(tables) for row in con.execute(f"SELECT * FROM {t}")]
    con.close()
    return sorted(rows, key=repr)


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and "eventfuse" in out


@needs_seeds
def test_seeds_ingest_and_articles_json(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    code, out, err = invoke("--db", db, "ingest", str(SEEDS))
    assert code == 0, err
    assert "2 new" in out
    code, out, _ = invoke("--db", db, "articles", "--format", "json")
    by_start = {r["text"][:8]: r for r in json.loads(out)}
    seed0 = by_start["Hundreds"]
    seed1 = by_start["Dozens r"]
    assert seed0["published"] == "2021-09-07"
    assert seed0["published_source"] == "header"
    assert seed1["published"] is None
    assert seed1["title"].startswith("Dozens rally in Afghan capital")
    for row in (seed0, seed1):
        assert "Please enter" not in row["text"]
        assert "pic.twitter.com" not in row["text"]
    handles = {p["handle"] for p in seed0["posts"]}
    assert handles == {"NasimiShabnam", "FrudBezhan"}
    assert all(p["date"] == "2021-09-06" and p["author"] for p in seed0["posts"])


@needs_seeds
def test_ingest_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert invoke("--db", str(db), "ingest", str(SEEDS))[0] == 0
    first = dump(db)
    code, out, _ = invoke("--db", str(db), "ingest", str(SEEDS))
    assert code == 0 and "0 new" in out and "2 already stored" in out
    assert dump(db) == first


def test_bad_inputs_are_named_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Troops clashed with rebels\n\nFighting broke out near the border town.\n")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.txt"
    db = str(tmp_path / "b.db")
    code, out, err = invoke("--db", db, "ingest", str(good), str(empty), str(binary), str(missing))
    assert code == 1
    for path in (empty, binary, missing):
        assert str(path) in err
    assert "1 new" in out
    code, out, _ = invoke("--db", db, "articles", "--format", "jsonl")
    assert len(out.strip().splitlines()) == 1


def test_stdin_is_read(tmp_path: Path) -> None:
    db = str(tmp_path / "i.db")
    text = b"Strike halts port\n\nDock workers walked out on Friday over unpaid wages.\n"
    code, out, err = invoke("--db", db, "ingest", "-", input=text)
    assert code == 0, err
    code, out, _ = invoke("--db", db, "articles", "--format", "json")
    assert json.loads(out)[0]["title"] == "Strike halts port"


def test_db_option_is_accepted_after_the_command_too(tmp_path: Path) -> None:
    text = b"Strike halts port\n\nDock workers walked out on Friday over unpaid wages.\n"
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert invoke("ingest", "-", "--db", str(first), input=text)[0] == 0
    code, out, _ = invoke("--db", str(second), "articles", "--db", str(first), "--format", "json")
    assert code == 0 and len(json.loads(out)) == 1  # the command's own --db wins
    assert not second.exists()


def test_any_setting_can_be_set_from_the_command_line(tmp_path: Path) -> None:
    long_text = ("Protesters marched through the city centre on Friday.\n\n" * 400).encode()
    db = str(tmp_path / "s.db")
    code, _, err = invoke("--db", db, "--set", "max_text_chars=500", "ingest", "-", input=long_text)
    assert code == 0, err
    code, out, _ = invoke("--db", db, "articles", "--format", "json")
    assert len(json.loads(out)[0]["text"]) <= 500
    code, _, err = invoke("--set", "no_such_setting=1", "articles")
    assert code != 0 and "no_such_setting" in err
    code, _, err = invoke("--set", "max_text_chars", "articles")
    assert code != 0 and "NAME=VALUE" in err


# --- read commands (issue 16) -------------------------------------------------------------------


@pytest.fixture
def handmade_db(tmp_path: Path) -> str:
    from eventfuse.store import open_store
    from web_e2e.handmade import fill

    location = str(tmp_path / "hand.db")
    with open_store(location) as store:
        fill(store)
    return location


@pytest.mark.issue(16)
@pytest.mark.parametrize("command", [["events"], ["articles"], ["show", "ev-x"], ["serve"],
                                     ["changes"]])
def test_a_read_command_on_a_missing_database_fails_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "typo.db"
    code, _, err = invoke("--db", str(typo), *command)
    assert code != 0 and f"no database at {typo}" in err
    assert not typo.exists()


@pytest.mark.issue(16)
def test_unknown_type_and_country_list_the_valid_values(handmade_db: str) -> None:
    code, out, err = invoke("--db", handmade_db, "events", "--type", "BOGUS")
    assert code == 2 and out == ""
    assert "unknown event type 'BOGUS'" in err and "PROTEST" in err and "ASSAULT" in err
    code, _, err = invoke("--db", handmade_db, "events", "--country", "Narnia")
    assert code == 2 and "unknown country 'Narnia'" in err
    assert "AF (Afghanistan)" in " ".join(err.split())  # the countries the store holds


@pytest.mark.issue(16)
@pytest.mark.parametrize("country", ["Afghanistan", "AF", "afg", "af"])
def test_country_names_and_codes_are_accepted(handmade_db: str, country: str) -> None:
    code, out, err = invoke("--db", handmade_db, "events", "--country", country,
                            "--type", "protest", "--format", "jsonl")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == [
        "ev-kabul-protest", "ev-xss"]


@pytest.mark.issue(16)
def test_show_has_a_consensus_column(handmade_db: str) -> None:
    code, out, err = invoke("--db", handmade_db, "show", "ev-kabul-protest")
    assert code == 0, err
    header = out.split("┡")[0]
    assert "consensus" in header and header.index("consensus") < header.index("Harbor Ledger")


@pytest.mark.issue(16)
def test_geojson_export_says_how_many_events_have_no_coordinates(
    handmade_db: str, tmp_path: Path
) -> None:
    from eventfuse.records import Event, EventSource
    from eventfuse.store import open_store

    with open_store(handmade_db) as store:
        store.put_events([Event(id="ev-nowhere", type="PROTEST", mention_ids=(),
                                sources=(EventSource("a-wire"),))])
    target = tmp_path / "e.geojson"
    code, _, err = invoke("--db", handmade_db, "events", "--format", "geojson", "-o", str(target))
    assert code == 0, err
    features = json.loads(target.read_text())["features"]
    assert len(features) == 4 and "wrote 4 events" in err
    assert "1 of them have no coordinates" in err


@pytest.mark.issue(16)
def test_serve_help_documents_the_write_token() -> None:
    code, out, _ = invoke("serve", "--help")
    assert code == 0 and "EVENTFUSE_TOKEN" in out and "Bearer" in out

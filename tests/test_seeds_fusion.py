"""Issue 4 acceptance: `eventfuse run` on the two seed articles yields DESIGN §6's events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import needs_shared
from eventfuse.cli import main

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
pytestmark = needs_shared(SEEDS)

KABUL, MAZAR, PANJSHIR = 1138958, 1133616, 6957555


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict[str, Any]]]:
    db = str(tmp_path_factory.mktemp("seeds") / "seeds.db")
    cli("--quiet", "--db", db, "run", str(SEEDS))
    return db, json.loads(cli("--db", db, "events", "--format", "json"))


def only(events: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    def matches(e: dict[str, Any]) -> bool:
        loc = e["location"] or {}
        return all(
            (loc.get("geonames_id") if k == "place" else e.get(k)) == v for k, v in where.items()
        )

    found = [e for e in events if matches(e)]
    assert len(found) == 1, [(e["type"], e["location"]) for e in events]
    return found[0]


def fields_in_dispute(event: dict[str, Any]) -> set[str]:
    return {d["field"] for d in event["discrepancies"]}


def test_protests_in_two_cities_with_size_disagreement(seed_run: Any) -> None:
    _, events = seed_run
    for place in (KABUL, MAZAR):
        protest = only(events, type="PROTEST", place=place)
        assert len({s["article_id"] for s in protest["sources"]}) == 2
        assert protest["date"]["start"] == "2021-09-06"
        assert "size" in fields_in_dispute(protest)
        sizes = [d for d in protest["discrepancies"] if d["field"] == "size"]
        words = {v["value"]["text"].lower() for d in sizes for v in d["values"]}
        assert {"hundreds", "dozens"} <= words


def test_airstrikes_named_versus_unidentified(seed_run: Any) -> None:
    _, events = seed_run
    strike = only(events, type="ASSAULT", mode="aerial", place=PANJSHIR)
    assert strike["location"]["precision"] == "admin1"
    assert len(strike["sources"]) == 2
    assert "actor" in fields_in_dispute(strike)
    assert strike["acled"]["sub_event_type"] == "Air/drone strike"


def test_taliban_claim_is_contested(seed_run: Any) -> None:
    _, events = seed_run
    claims = [e for e in events if e["acled"]["sub_event_type"] == "Non-state actor overtakes "
              "territory" and len(e["sources"]) == 2]
    assert len(claims) == 1
    assert claims[0]["status"] == "contested"
    assert claims[0]["date"]["start"] == "2021-09-06"


def test_massoud_call_with_both_renderings_aligned(seed_run: Any) -> None:
    _, events = seed_run
    call = only(events, type="REQUEST")
    assert len(call["sources"]) == 2
    assert any(a["canonical"] == "Ahmad Massoud" for a in call["actors"])
    groups = [q for q in call["quotes"] if q["speaker"] == "Ahmad Massoud"]
    assert groups
    assert len({r["article_id"] for r in groups[0]["renderings"]}) == 2


def test_hameed_visit_dated_by_seed_000(seed_run: Any) -> None:
    _, events = seed_run
    visit = only(events, type="CONSULT")
    assert visit["mode"] == "visit"
    assert visit["date"]["start"] == "2021-09-04"
    assert visit["location"]["geonames_id"] == KABUL
    assert any(a["canonical"] == "Faiz Hameed" for a in visit["actors"])


def test_undated_seed_is_anchored_through_fusion_only(seed_run: Any) -> None:
    db, events = seed_run
    articles = json.loads(cli("--db", db, "articles", "--format", "json"))
    undated = next(a["id"] for a in articles if a["published"] is None)
    mentions = json.loads(
        CliRunner().invoke(main, ["extract", str(SEEDS / next(
            p.name for p in SEEDS.iterdir() if p.name.startswith("001")))]).stdout
    )
    # Alone, seed 001 gives no absolute date to anything.
    assert all(m["when"] is None or m["when"]["start"] is None for m in mentions)
    # Fused, its Monday-night protests take seed 000's date, and say how.
    protest = only(events, type="PROTEST", place=KABUL)
    dates = [v for v in protest["fields"]["date"] if v["article_id"] == undated]
    assert dates and all(v["value"]["anchor"] == "fusion" for v in dates)


def test_rerun_keeps_event_ids(seed_run: Any) -> None:
    db, events = seed_run
    cli("--quiet", "--db", db, "run", str(SEEDS))
    again = json.loads(cli("--db", db, "events", "--format", "json"))
    assert [e["id"] for e in again] == [e["id"] for e in events]


def test_undated_range_resolved_against_the_estimated_publication_date(seed_run: Any) -> None:
    db, events = seed_run
    articles = json.loads(cli("--db", db, "articles", "--format", "json"))
    dated = next(a["id"] for a in articles if a["published"] is not None)
    strike = only(events, type="ASSAULT", mode="aerial", place=PANJSHIR)
    # "until the early hours of Tuesday" in the undated seed: Monday 6 into Tuesday 7 September.
    assert (strike["date"]["start"], strike["date"]["end"]) == ("2021-09-06", "2021-09-07")
    assert strike["date"]["anchor"] == "fusion-article"
    assert dated in strike["date"]["anchored_by"]

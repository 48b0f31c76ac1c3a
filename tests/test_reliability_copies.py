"""Wire copies across outlets and crashes (issue 18).

One text from several outlets is one article per outlet, linked as copies; which article is the
original is decided by a stable key (originals, publication time, then the ingestion order the
store records), so an ingest SIGKILLed half-way and run again stores exactly what an uninterrupted
ingest stores, every field of every article compared, ``copy_of`` included.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eventfuse.engines.local import ingest_articles
from eventfuse.ingest.article import build_article
from eventfuse.records import Article
from eventfuse.settings import Options
from eventfuse.store import SQLiteStore, open_store
from web_e2e.processes import sigkill_when

pytestmark = pytest.mark.issue(18)

GROUPS = 16
BATCH_SIZE = 4
WAIT_LIMIT_SECONDS = 300.0


def _text(rng: random.Random) -> str:
    # Made-up words: groups share no three-word shingle, copies within a group are identical.
    words = [f"w{rng.randrange(100_000)}" for _ in range(60)]
    return "Reported " + " ".join(words) + "."


def _record(text: str, outlet: str, url: str | None, published: str | None) -> str:
    row = {"text": text, "outlet": outlet, "url": url, "published": published}
    return json.dumps({k: v for k, v in row.items() if v is not None})


def _corpus(tmp_path: Path) -> tuple[Path, bytes, Path, int]:
    """``head`` holds two copies of every wired story (read, then the run waits on stdin);
    stdin and ``tail`` hold the third copy of each and stories without URLs from three outlets."""
    rng = random.Random(18)
    head: list[str] = []
    later: list[str] = []
    for group in range(GROUPS):
        text = _text(rng)
        dates = [None, "2024-03-02", "2024-03-01"] if group % 2 else [None, None, None]
        for member, outlet in enumerate(("Wire A", "Paper B", "Paper C")):
            url = f"https://{outlet.split()[1].lower()}.example/{group}/{member}"
            (head if member < 2 else later).append(_record(text, outlet, url, dates[member]))
    for _ in range(4):
        text = _text(rng)
        later.extend(_record(text, outlet, None, None) for outlet in ("Wire A", "Paper B", "C"))
    rng.shuffle(head)
    (tmp_path / "head.jsonl").write_text("\n".join(head) + "\n", encoding="utf-8")
    half = len(later) // 2
    piped = ("\n".join(later[:half]) + "\n").encode()
    (tmp_path / "tail.jsonl").write_text("\n".join(later[half:]) + "\n", encoding="utf-8")
    return tmp_path / "head.jsonl", piped, tmp_path / "tail.jsonl", len(head)


def _cli(db: Path, head: Path, tail: Path) -> list[str]:
    return [sys.executable, "-m", "eventfuse", "--db", str(db), "-q", "ingest", str(head), "-",
            str(tail)]


def _env() -> dict[str, str]:
    return {**os.environ, "EVENTFUSE_BATCH_SIZE": str(BATCH_SIZE)}


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _articles(db: Path) -> list[tuple[object, ...]]:
    with SQLiteStore(str(db)) as store:
        dumped = store.dump()
    return dumped["articles"] + dumped["article_signatures"]


def test_identical_texts_from_two_outlets_keep_both_outlets() -> None:
    text = "Dockers in Port Varen walked out on Monday over a pay offer, the union said."
    pair = [build_article(raw_text=text, path=f"{o}.txt", options=Options(), outlet=o)
            for o in ("Harbour Times", "Valley Wire")]
    with open_store(":memory:") as store:
        report = ingest_articles(pair, store, Options())
        stored = store.get_articles()
    assert report.added == 2 and report.copies == 1
    assert {a.outlet for a in stored} == {"Harbour Times", "Valley Wire"}
    assert sorted(a.copy_of is None for a in stored) == [False, True]


def test_sigkill_mid_ingest_then_rerun_stores_exactly_the_same(tmp_path: Path) -> None:
    head, piped, tail, in_head = _corpus(tmp_path)
    reference = tmp_path / "reference.db"
    done = subprocess.run(_cli(reference, head, tail), input=piped, env=_env(),
                          capture_output=True, timeout=WAIT_LIMIT_SECONDS)
    assert done.returncode == 0, done.stderr.decode()

    db = tmp_path / "resumed.db"
    proc = subprocess.Popen(_cli(db, head, tail), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())

    def head_stored() -> None:  # the head is stored; the run now waits on its stdin
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while _stored(db) < in_head:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)

    sigkill_when(proc, head_stored)
    done = subprocess.run(_cli(db, head, tail), input=piped, env=_env(), capture_output=True,
                          timeout=WAIT_LIMIT_SECONDS)
    assert done.returncode == 0, done.stderr.decode()

    resumed, expected = _articles(db), _articles(reference)
    assert resumed == expected
    assert len(expected) == 2 * (3 * GROUPS + 3 * 4)  # every outlet's copy kept, with signature
    with SQLiteStore(str(reference)) as store:
        articles = store.get_articles()
    originals = {a.id for a in articles if a.copy_of is None}
    assert len(originals) == GROUPS + 4
    assert all(a.copy_of in originals for a in articles if a.copy_of)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_store_lists_signatures_in_ingestion_order(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    location = str(tmp_path / "s.db") if backend == "sqlite" else request.getfixturevalue("pg_url")
    texts = {"zz": "First stored story.", "aa": "Second stored story.", "mm": "Third one."}
    with open_store(location) as store:
        for key, text in texts.items():  # ids deliberately out of alphabetical order
            article = Article(id=key, text=text, copy_of="zz" if key == "mm" else None,
                              published=dt.date(2024, 3, 1) if key == "aa" else None)
            store.add_articles([article], {key: key.encode() * 4})
        entries = store.signature_entries()
    assert [e.article_id for e in entries] == ["zz", "aa", "mm"]
    assert [e.copy_of for e in entries] == [None, None, "zz"]
    assert [e.published for e in entries] == [None, dt.date(2024, 3, 1), None]


def test_a_store_from_before_outlet_ids_is_not_filled_twice() -> None:
    """Articles stored when a URL-less id hashed the text alone are found again by that id (same
    outlet), so re-reading the same files after the upgrade adds nothing."""
    from eventfuse.ingest.identity import article_id

    text = "Dockers in Port Varen walked out on Monday over a pay offer, the union said."
    current = build_article(raw_text=text, path="a.txt", options=Options(), outlet="Harbour Times")
    other = build_article(raw_text=text, path="b.txt", options=Options(), outlet="Valley Wire")
    assert isinstance(current, Article) and isinstance(other, Article)
    with open_store(":memory:") as store:
        old = Article(id=article_id(None, current.text), text=current.text, outlet="Harbour Times")
        store.add_articles([old])
        report = ingest_articles([current, other], store, Options())
        outlets = sorted(a.outlet or "" for a in store.get_articles())
    assert (report.added, report.already_stored) == (1, 1)
    assert outlets == ["Harbour Times", "Valley Wire"]

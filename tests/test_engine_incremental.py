"""Adding articles to a store in increments: each run reads from the store only the scope of its
new mentions (their place blocks within the date window, their stories, the events there:
``fuse/scope.py``) through the store's indexes, and writes back only what changed. After every
increment the store must hold exactly what a full re-fusion gives, one that reads every stored
record into memory and fuses the same new mentions: event ids, members, fields,
disagreements, the removed ids, and the mentions' fusion-anchored dates. Same on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import SHARED, require_shared
from eventfuse.engines.local import extract_pending, fuse_all, ingest_articles
from eventfuse.errors import InputError
from eventfuse.fuse import anchored_mentions
from eventfuse.fuse.scope import MemorySource, fuse_scope
from eventfuse.ingest import read_sources
from eventfuse.records import Article, to_dict
from eventfuse.settings import Options
from eventfuse.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
SEEDS = REPO.parent / "shared" / "seeds"
GVA = SHARED / "data" / "gva-dev"


def _articles(path: Path, options: Options) -> list[Article]:
    items = read_sources([str(path)], options)
    return [a for a in items if not isinstance(a, InputError)]


def _add_and_compare(store: Store, batch: Sequence[Article], options: Options) -> int:
    """Add ``batch``, then check the engine's scoped fusion against a full re-fusion read from
    every stored record; returns the number of events the run touched."""
    ingest_articles(batch, store, options)
    extract_pending(store, options)
    everything = MemorySource(store.get_mentions(), store.get_articles(), store.get_events())
    expected = fuse_scope(everything, options)
    mentions = store.get_mentions()
    expected_mentions = {m.id: m for m in anchored_mentions(expected.result, mentions)}
    untouched = {e.id: to_dict(e) for e in store.get_events()}
    for e in expected.scope.previous:
        del untouched[e.id]
    returned, removed = fuse_all(store, options)
    assert removed == expected.result.removed_event_ids
    want = [to_dict(e) for e in expected.result.events]
    got = [to_dict(e) for e in returned]
    assert [e["id"] for e in got] == [e["id"] for e in want]
    for ours, theirs in zip(got, want, strict=True):
        assert ours == theirs, f"event {theirs['id']} differs"
    # The store: the scope's events as fused, every other event as it was.
    stored = {e.id: to_dict(e) for e in store.get_events()}
    assert stored == {**untouched, **{e["id"]: e for e in want}}
    assert {m.id: m for m in store.get_mentions()} == expected_mentions
    assert store.unfused_mentions() == []
    return len(want)


def _add_in_batches(
    store: Store, articles: Sequence[Article], sizes: Sequence[int], *, local: bool = True
) -> int:
    """Add ``articles`` in parts of ``sizes``, comparing each; ``local``: some later part's
    scope is less than the whole store."""
    options = Options()
    start = 0
    scopes = []
    for size in sizes:
        scopes.append(_add_and_compare(store, articles[start : start + size], options))
        start += size
    assert start == len(articles)
    events = len(store.get_events())
    assert events > 0
    if local:
        assert min(scopes[1:]) < events
    return events


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "inc.db")
    return str(request.getfixturevalue("pg_url"))


def test_seeds_added_one_article_at_a_time(location: str) -> None:
    require_shared(SEEDS)
    articles = _articles(SEEDS, Options())
    assert len(articles) >= 2
    with open_store(location) as store:
        # Two reports of one happening: the second's scope is the whole store.
        _add_in_batches(store, articles, [1] * len(articles), local=False)


def test_demo_added_in_three_parts(location: str) -> None:
    articles = _articles(DEMO, Options())
    third = len(articles) // 3
    with open_store(location) as store:
        _add_in_batches(store, articles, [third, third, len(articles) - 2 * third])


def _gva_sample(incidents: int, tmp_path: Path) -> list[Article]:
    """The articles of the first ``incidents`` gold incidents (by id) of gva-dev, in the
    file's order: several reports of each happening, added across increments."""
    require_shared(GVA)
    gold = json.loads((GVA / "gold.json").read_text(encoding="utf-8"))
    chosen = set(sorted(set(gold.values()))[:incidents])
    lines = [line for line in (GVA / "articles.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip() and gold.get(json.loads(line)["id"]) in chosen]
    sample = tmp_path / "gva-sample.jsonl"  # read in place: the sample lives in the test's tmp
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _articles(sample, Options())


def test_gva_sample_added_in_four_parts(tmp_path: Path) -> None:
    articles = _gva_sample(15, tmp_path)
    assert len(articles) >= 30
    n = len(articles)
    with open_store(str(tmp_path / "gva.db")) as store:
        _add_in_batches(store, articles, [n // 4, n // 4, n // 4, n - 3 * (n // 4)])


@pytest.mark.slow  # 120 articles through spaCy: ~45 s, too long for `make check`
def test_bench_corpus_added_100_then_20(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "corpus.py"), "--articles", "120", "--seed", "3",
         "--out", str(out)],
        check=True, capture_output=True,
    )
    articles = _articles(out / "articles.jsonl", Options())
    assert len(articles) == 120
    with open_store(str(tmp_path / "inc.db")) as store:
        _add_in_batches(store, articles, [100, 20])

"""Adding articles to a store in increments (the engine writes back only the events fusion
changed) leaves exactly the events that fusing everything with the same previous events gives:
ids, members, fields, disagreements, and the mentions' fusion-anchored dates."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import require_shared
from eventfuse.engines.local import extract_pending, fuse_all, ingest_articles
from eventfuse.errors import InputError
from eventfuse.fuse import anchored_mentions, fuse
from eventfuse.ingest import read_sources
from eventfuse.records import Article, to_dict
from eventfuse.settings import Options
from eventfuse.store import Store, open_store

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"
SEEDS = REPO.parent / "shared" / "seeds"


def _articles(path: Path, options: Options) -> list[Article]:
    items = read_sources([str(path)], options)
    return [a for a in items if not isinstance(a, InputError)]


def _add_and_compare(store: Store, batch: Sequence[Article], options: Options) -> None:
    """Add ``batch``, then check the engine's incremental fusion against fusing everything."""
    ingest_articles(batch, store, options)
    extract_pending(store, options)
    previous = store.get_events()
    mentions = store.get_mentions()
    expected = fuse(mentions, store.get_articles(), previous, options)
    expected_mentions = {
        m.id: m for m in anchored_mentions(expected, mentions)
    }
    returned, removed = fuse_all(store, options)
    assert removed == expected.removed_event_ids
    want = [to_dict(e) for e in expected.events]
    for got_events in (returned, store.get_events()):
        got = [to_dict(e) for e in got_events]
        assert [e["id"] for e in got] == [e["id"] for e in want]
        for ours, theirs in zip(got, want, strict=True):
            assert ours == theirs, f"event {theirs['id']} differs"
    assert {m.id: m for m in store.get_mentions()} == expected_mentions
    assert store.unfused_mentions() == []


def _add_in_batches(articles: Sequence[Article], sizes: Sequence[int], tmp_path: Path) -> int:
    options = Options()
    start = 0
    with open_store(str(tmp_path / "inc.db")) as store:
        for size in sizes:
            _add_and_compare(store, articles[start : start + size], options)
            start += size
        assert start == len(articles)
        return len(store.get_events())


def test_seeds_added_one_article_at_a_time(tmp_path: Path) -> None:
    require_shared(SEEDS)
    articles = _articles(SEEDS, Options())
    assert len(articles) >= 2
    assert _add_in_batches(articles, [1] * len(articles), tmp_path) > 0


def test_demo_added_in_two_halves(tmp_path: Path) -> None:
    articles = _articles(DEMO, Options())
    half = len(articles) // 2
    assert _add_in_batches(articles, [half, len(articles) - half], tmp_path) > 0


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
    assert _add_in_batches(articles, [100, 20], tmp_path) > 0

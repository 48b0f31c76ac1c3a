"""Stores for the browser tests: the real pipeline's output on the seed articles when they are
present, plus the hand-made XSS article; the hand-made store alone otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from eventfuse.records import When
from eventfuse.settings import Options
from eventfuse.store import Store, open_store
from web_e2e.handmade import articles, events, fill, mentions

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
XSS_IDS = ("a-xss", "m-a-xss", "ev-xss")


def kabul_store(db: Path) -> Store:
    """A store holding a Kabul protest reported by two outlets, and a hostile article."""
    store = open_store(str(db))
    if not SEEDS.is_dir():
        return fill(store)
    from eventfuse.engines.local import run
    from eventfuse.ingest import read_sources

    options = Options(db=str(db))
    run(read_sources([str(SEEDS)], options), store, options)
    _add_hostile_article(store)
    return store


def _add_hostile_article(store: Store) -> None:
    """The XSS records alone, written after fusion so the pipeline never re-fuses them."""
    article = next(a for a in articles() if a.id == XSS_IDS[0])
    mention = next(m for m in mentions() if m.id == XSS_IDS[1])
    store.add_articles([article])
    store.put_mentions([article.id], [mention])
    every_mention = {m.id: m for m in mentions()}
    hostile = next(e for e in events(every_mention) if e.id == XSS_IDS[2])
    # Dated beside the seeds so the timeline keeps a day scale.
    day = dt.date(2021, 9, 7)
    store.put_events([replace(hostile, when=When("Tuesday", day, day, "day"))])

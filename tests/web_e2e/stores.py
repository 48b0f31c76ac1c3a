"""Stores for the browser tests: the real pipeline's output on the seed articles when they are
present, plus the hand-made XSS article; the hand-made store alone otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from eventfuse.records import (
    Article,
    Disagreement,
    Event,
    EventSource,
    Evidence,
    SourceValue,
    When,
)
from eventfuse.settings import Options
from eventfuse.store import Store, open_store
from web_e2e.handmade import articles, events, fill, mentions

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
XSS_IDS = ("a-xss", "m-a-xss", "ev-xss")


def kabul_store(db: Path) -> Store:
    """A store holding a Kabul protest reported by two outlets, and a hostile article, plus the
    page's awkward cases (:func:`add_page_cases`)."""
    store = open_store(str(db))
    if not SEEDS.is_dir():
        return add_page_cases(fill(store))
    from eventfuse.engines.local import run
    from eventfuse.ingest import read_sources

    options = Options(db=str(db))
    run(read_sources([str(SEEDS)], options), store, options)
    _add_hostile_article(store)
    return add_page_cases(store)


NAMELESS_TEXT = ("Officials warned traders on Monday. A second meeting is planned, the council "
                 "said.\n")
NAMELESS_URL = "https://www.dailymirror.example/news/traders-warned"


def add_page_cases(store: Store) -> Store:
    """Events the list must group apart (no date; no place; one stray date years away) and a
    source without an outlet name, listed twice under one event. Written after fusion."""
    nameless = Article(id="a-nameless-09a33f159262", text=NAMELESS_TEXT, url=NAMELESS_URL,
                       published=dt.date(2021, 9, 6), title="Traders warned")
    store.add_articles([nameless])
    said = Evidence(nameless.id, 0, 32, NAMELESS_TEXT[:32])
    twice = (EventSource(nameless.id, evidence=said), EventSource(nameless.id, evidence=said))
    value = SourceValue(nameless.id, {"text": "Monday"}, Evidence(nameless.id, 26, 32, "Monday"))
    store.put_events([
        Event(id="ev-undated", type="REQUEST", mention_ids=(), sources=twice,
              independent_sources=1,
              disagreements=(Disagreement("date", "date: Monday vs Monday", (value, value)),)),
        Event(id="ev-unplaced", type="THREATEN", mention_ids=(), sources=twice[:1],
              independent_sources=1,
              when=When("Monday", dt.date(2021, 9, 6), dt.date(2021, 9, 6), "day")),
        Event(id="ev-stray", type="ACCUSE", mention_ids=(), sources=twice[:1],
              independent_sources=1,
              when=When("in 2007", dt.date(2007, 3, 1), dt.date(2007, 3, 1), "day")),
        Event(id="ev-last-year", type="ACCUSE", mention_ids=(), sources=twice[:1],
              independent_sources=1,
              when=When("last year", dt.date(2020, 1, 1), dt.date(2020, 12, 31), "year")),
    ])
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

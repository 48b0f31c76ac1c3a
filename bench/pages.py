"""Latency of one page of the event list, ``GET /api/events?limit=20``, against store size.

    python bench/pages.py --events 1000 10000 [--reps 20] [--baseline-src OTHER/src] [--json OUT]
                          [--while-writing]

For each N, builds a SQLite store of N synthetic events (below: seeded random PLOVER types,
countries, dates over two years with one in ten undated, one in ten disputed, 1–4 sources each
with an outlet, a title and an evidence sentence, actors, a quote and per-source field values,
so each event's JSON is about as large as a fused real one's) through ``Store.put_events``, then
times ``--reps`` requests of the first page, a filtered page (type + country) and a text search
through the API app in-process (FastAPI's TestClient: the route, the store and the JSON, without
a socket). Prints the median milliseconds per request kind. ``--while-writing`` times each N a
second time while another process upserts new events into the same store, 1,000 per transaction
(as a run's fusion writes; SQLite WAL lets readers go on beside the one writer).

``--baseline-src`` runs the same measurement a second time in a child process importing
eventfuse from that source tree (e.g. the main branch's ``src`` before SQL paging) and prints the
ratio baseline / this tree per kind and N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eventfuse.records import (
    Actor,
    Disagreement,
    Event,
    EventSource,
    Evidence,
    Place,
    Quote,
    QuoteGroup,
    SourceValue,
    When,
)

TYPES = ("PROTEST", "ASSAULT", "COERCE", "ACCUSE", "AID", "MOBILIZE", "SANCTION", "THREATEN")
COUNTRIES = (("KE", "Nairobi"), ("FR", "Marseille"), ("US", "Chicago"), ("IN", "Pune"),
             ("BR", "Recife"), ("DE", "Köln"), (None, "the border"))
ACTORS = ("police", "dock workers", "teachers' union", "Ministry of Health", "farmers",
          "students", "Jean-Luc Mélenchon", "National Guard", "residents", "nurses")
OUTLETS = ("Harbour Courier", "Coast Wire", "Daily Ledger", "Morning Post", "Valley Times")
WORDS = ("march", "crowd", "city", "hall", "strike", "clashes", "injured", "arrested", "rally",
         "demand", "wages", "council", "protesters", "officers", "square", "100%", "night_shift")
PAGE_KINDS = {
    "page": "/api/events?limit=20",
    "filtered": "/api/events?limit=20&type=PROTEST&country=KE",
    "search": "/api/events?limit=20&q=strike",
}


def _sentence(rng: random.Random, words: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def synthetic_events(count: int, seed: int = 19) -> list[Event]:
    """``count`` varied events (deterministic for a seed), without mention links."""
    rng = random.Random(seed)
    first = dt.date(2023, 1, 1)
    events: list[Event] = []
    for number in range(count):
        country, city = rng.choice(COUNTRIES)
        start = None if rng.random() < 0.1 else first + dt.timedelta(days=rng.randrange(730))
        end = start + dt.timedelta(days=rng.choice((0, 0, 0, 2))) if start else None
        names = rng.sample(ACTORS, rng.randint(0, 3))
        sources = []
        for index in range(rng.randint(1, 4)):
            article_id = f"art-{number}-{index}"
            text = _sentence(rng)
            sources.append(EventSource(article_id, rng.choice(OUTLETS), _sentence(rng, 6),
                                       start, None, Evidence(article_id, 0, len(text), text)))
        values = tuple(SourceValue(s.article_id, rng.randint(5, 500), s.evidence)
                       for s in sources)
        kind = rng.choice(TYPES)
        mode = rng.choice((None, "demo", "strike"))  # modes of PROTEST: records check them
        events.append(Event(
            id=f"evt-{number:06d}",
            type=kind,
            mention_ids=(),
            mode=mode if kind == "PROTEST" else None,
            when=When(text="on Tuesday", start=start, end=end, precision="day") if start else None,
            location=Place(name=city, canonical=city, country=country) if country else None,
            actors=tuple(Actor("actor", name, name.title()) for name in names),
            sources=tuple(sources),
            independent_sources=rng.randint(1, len(sources)),
            quotes=(QuoteGroup("spokesperson", (Quote(_sentence(rng, 12)),)),),
            fields={"size": values},
            disagreements=(Disagreement("size", "counts differ", values),)
            if rng.random() < 0.1 else (),
        ))
    return events


def _write_continuously(db: str, stop: Any, written: Any, batch: int = 1000) -> None:
    """A run's writer: new events upserted in ``batch``-event transactions into ``db`` until
    ``stop`` is set, as fusion writes (each transaction holds SQLite's write lock)."""
    import dataclasses

    from eventfuse.store import open_store

    store = open_store(db)
    try:
        round_ = 0
        while not stop.is_set():
            events = synthetic_events(batch, seed=1000 + round_)
            store.put_events([dataclasses.replace(e, id=f"new-{round_}-{e.id}") for e in events])
            round_ += 1
            written.value = round_ * batch
    finally:
        store.close()


def measure(count: int, reps: int, writing: bool = False) -> dict[str, float]:
    """Median milliseconds per request kind at ``count`` stored events; with ``writing``, while
    another process writes events into the same store (:func:`_write_continuously`)."""
    import multiprocessing

    from fastapi.testclient import TestClient

    from eventfuse.api import create_app
    from eventfuse.settings import Options
    from eventfuse.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(str(Path(folder) / "pages.db"))
        try:
            events = synthetic_events(count)
            for start in range(0, count, 1000):
                store.put_events(events[start : start + 1000])
            client = TestClient(create_app(Options(), store=store))
            medians: dict[str, float] = {}
            context = multiprocessing.get_context("spawn")
            stop, written = context.Event(), context.Value("l", 0)
            writer = context.Process(target=_write_continuously,
                                     args=(str(Path(folder) / "pages.db"), stop, written))
            if writing:
                writer.start()
                while written.value == 0:  # the writer is at work before the clock starts
                    time.sleep(0.05)
            try:
                for kind, url in PAGE_KINDS.items():
                    client.get(url).raise_for_status()  # warm caches once
                    times = []
                    for _ in range(reps):
                        began = time.perf_counter()
                        client.get(url).raise_for_status()
                        times.append((time.perf_counter() - began) * 1000)
                    medians[kind] = round(statistics.median(times), 2)
            finally:
                if writing:
                    stop.set()
                    writer.join()
                    medians["events_written_meanwhile"] = float(written.value)
            return medians
        finally:
            store.close()


def _baseline(source: str, counts: list[int], reps: int) -> dict[str, dict[str, float]]:
    """The same measurement with eventfuse imported from ``source`` (a child process)."""
    env = {**os.environ, "PYTHONPATH": source}
    args = [sys.executable, __file__, "--reps", str(reps), "--events", *map(str, counts),
            "--quiet"]
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    result: dict[str, dict[str, float]] = json.loads(done.stdout)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--baseline-src", help="another source tree to measure as the baseline")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--quiet", action="store_true", help="print only the JSON figures")
    parser.add_argument("--while-writing", action="store_true",
                        help="also time each N while another process writes events")
    args = parser.parse_args(argv)
    figures = {str(n): measure(n, args.reps) for n in args.events}
    if args.while_writing:
        # Side by side with the quiet figures above, in the same command.
        figures.update({f"{n} while writing": measure(n, args.reps, writing=True)
                        for n in args.events})
    if args.quiet:
        print(json.dumps(figures))
        return 0
    report: dict[str, Any] = {"this_tree_ms": figures}
    if args.baseline_src:
        base = _baseline(args.baseline_src, args.events, args.reps)
        report["baseline_ms"] = base
        report["speedup"] = {n: {k: round(base[n][k] / figures[n][k], 1) for k in base[n]}
                             for n in base}
    from report import emit_json  # bench/report.py, beside this script

    emit_json(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

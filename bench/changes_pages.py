"""Latency of ``GET /api/changes`` on a store with a long change log.

    python bench/changes_pages.py [--changes 200000] [--reps 5] [--json OUT]

Builds a throwaway SQLite store whose log holds ``--changes`` records (one ``created`` change per
synthetic event, a thousand per logged run, times a minute apart), then times through the API app
in-process (FastAPI's TestClient), median milliseconds and body bytes per kind: the first page
(default size), a page half way down the log (its ``after`` cursor), the last page, and a
``since`` a day before the log's end. ``whole`` reads the log as the route did before it paged
(``store.get_changes()`` encoded as one JSON list): the baseline, in the same process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit_json

RUN = 1000  # changes one logged run writes


def _build(db: str, changes: int) -> None:
    from eventfuse.changes import Change
    from eventfuse.store import open_store

    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with open_store(db) as store:
        for first in range(0, changes, RUN):
            at = (start + dt.timedelta(minutes=first // RUN)).isoformat()
            store.record_changes([
                Change(f"ev-{n:07d}", "created", f"PROTEST/demo in Porto, event {n}",
                       article_id=f"a{n}", at=at)
                for n in range(first, min(first + RUN, changes))])


def _median_ms(client: Any, url: str, reps: int) -> tuple[float, int]:
    client.get(url)  # warms caches once
    times, size = [], 0
    for _ in range(reps):
        began = time.perf_counter()
        body = client.get(url).content
        times.append((time.perf_counter() - began) * 1000)
        size = len(body)
    return round(statistics.median(times), 1), size


def measure(changes: int, reps: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from eventfuse.api import create_app
    from eventfuse.changes import change_json
    from eventfuse.settings import Options
    from eventfuse.store import open_store

    figures: dict[str, Any] = {"changes": changes}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "changes.db")
        began = time.perf_counter()
        _build(db, changes)
        figures["build_s"] = round(time.perf_counter() - began, 1)
        with open_store(db) as store:
            client = TestClient(create_app(Options(), store=store))
            last_day = (dt.datetime(2024, 1, 1) + dt.timedelta(minutes=changes // RUN)).date()
            kinds = {
                "page": "/api/changes",
                "middle": f"/api/changes?after={changes // 2}",
                "last": f"/api/changes?after={max(changes - 10, 0)}",
                "since_last_day": f"/api/changes?since={last_day - dt.timedelta(days=1)}",
            }
            for kind, url in kinds.items():
                figures[f"{kind}_ms"], figures[f"{kind}_bytes"] = _median_ms(client, url, reps)
            times, size = [], 0
            for _ in range(max(1, reps // 2)):
                began = time.perf_counter()
                size = len(json.dumps([change_json(c) for c in store.get_changes()]))
                times.append((time.perf_counter() - began) * 1000)
            figures["whole_ms"], figures["whole_bytes"] = round(statistics.median(times), 1), size
    figures["page_vs_whole"] = round(figures["page_ms"] / figures["whole_ms"], 4)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    emit_json(measure(args.changes, args.reps), args.json)


if __name__ == "__main__":
    main()

"""Latency of one page of the article list, ``GET /api/articles?limit=20``, on stores you have.

    python bench/article_pages.py STORE.db [STORE.db ...] [--reps 5] [--json OUT]

Opens each store (which applies any migration this tree adds, so give it a COPY of a kept store,
e.g. one ``bench/incremental.py --keep DIR`` built) and reports the seconds the opening took
(the migration's cost), then times ``--reps`` requests per kind through the API app in-process
(FastAPI's TestClient: the route, the store and the JSON, without a socket) and prints the
median milliseconds per kind: the first page, a page far down the list, the outlet filter, a
text search and a date range. Run it under another tree's ``src`` (PYTHONPATH) for a baseline.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

PAGE_KINDS = {
    "page": "/api/articles?limit=20",
    "deep": "/api/articles?limit=20&offset=500",
    "outlet": "/api/articles?limit=20&outlet=web.archive.org",
    "search": "/api/articles?limit=20&q=police",
    "dated": "/api/articles?limit=20&start=2016-01-01&end=2016-01-31",
}


def measure(db: str, reps: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from eventfuse.api import create_app
    from eventfuse.settings import Options
    from eventfuse.store import open_store

    began = time.perf_counter()
    store = open_store(db)
    figures: dict[str, Any] = {"open_s": round(time.perf_counter() - began, 2)}
    try:
        client = TestClient(create_app(Options(), store=store))
        for kind, url in PAGE_KINDS.items():
            first = client.get(url)  # warms caches once
            first.raise_for_status()
            times = []
            for _ in range(reps):
                began = time.perf_counter()
                client.get(url).raise_for_status()
                times.append((time.perf_counter() - began) * 1000)
            figures[kind] = round(statistics.median(times), 1)
            figures[f"{kind}_total"] = first.json()["total"]
    finally:
        store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+", help="store files (copies: they are migrated)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    from report import emit_json  # bench/report.py, beside this script

    emit_json({db: measure(db, args.reps) for db in args.stores}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

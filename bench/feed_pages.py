"""Latency of one page of the Atom feed, ``GET /feeds/events.atom``, on SQLite stores you have.

    python bench/feed_pages.py STORE.db [STORE.db ...] [--reps 5] [--json OUT]

Opens each store (which applies any migration this tree adds, so give it a COPY of a kept store,
e.g. one ``bench/incremental.py --keep DIR`` built) and reports the seconds the opening took
(the migration's cost), then times ``--reps`` requests per kind through the API app in-process
(FastAPI's TestClient) and prints the median milliseconds and the body's bytes per kind: the
first page (default size), a page of the largest size, the first page's ``next`` page and a
page half way down the feed (its cursor found with one SQL query). ``--whole`` times the feed
once without asking for a page size: the baseline under a tree whose feed has no pages.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
import xml.etree.ElementTree as ET
from typing import Any

ATOM = "{http://www.w3.org/2005/Atom}"


def _next(body: bytes) -> str:
    links = ET.fromstring(body).findall(f"{ATOM}link")
    return next(link.get("href", "") for link in links if link.get("rel") == "next")


def measure(db: str, reps: int, whole: bool) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from eventfuse.api import create_app
    from eventfuse.settings import Options
    from eventfuse.store import open_store

    began = time.perf_counter()
    store = open_store(db)
    figures: dict[str, Any] = {"open_s": round(time.perf_counter() - began, 2)}
    try:
        client = TestClient(create_app(Options(), store=store))
        if whole:
            began = time.perf_counter()
            body = client.get("/feeds/events.atom").content
            figures["whole_ms"] = round((time.perf_counter() - began) * 1000, 1)
            figures["whole_bytes"] = len(body)
            return figures
        from eventfuse.web.feed import encode_cursor

        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            (count,) = conn.execute("SELECT COUNT(*) FROM event_updates").fetchone()
            at, event_id = conn.execute(
                "SELECT at, event_id FROM event_updates ORDER BY at DESC, event_id DESC "
                "LIMIT 1 OFFSET ?", (count // 2,)).fetchone()
        kinds = {"page": "/feeds/events.atom", "page_200": "/feeds/events.atom?limit=200"}
        kinds["next"] = _next(client.get(kinds["page"]).content)
        kinds["middle"] = f"/feeds/events.atom?before={encode_cursor(at, event_id)}"
        for kind, url in kinds.items():
            first = client.get(url)  # warms caches once
            first.raise_for_status()
            times = []
            for _ in range(reps):
                began = time.perf_counter()
                client.get(url).raise_for_status()
                times.append((time.perf_counter() - began) * 1000)
            figures[kind] = round(statistics.median(times), 1)
            figures[f"{kind}_bytes"] = len(first.content)
            figures[f"{kind}_entries"] = len(ET.fromstring(first.content).findall(f"{ATOM}entry"))
    finally:
        store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stores", nargs="+", help="store files (copies: they are migrated)")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--whole", action="store_true", help="one unpaged request (baseline)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    from report import emit_json  # bench/report.py, beside this script

    emit_json({db: measure(db, args.reps, args.whole) for db in args.stores}, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

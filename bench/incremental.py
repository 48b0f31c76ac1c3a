"""What adding 100 articles costs as the store grows (issue 19 part 2: flat cost).

    python bench/incremental.py --source ../shared/data/gva-dev/articles.jsonl \
        --sizes 1000,8000 [--pool 500] [--parse-cache DIR] [--copy-events] [--keep DIR] \
        [--json OUT]

Real news, replicated as bench/stages.py's fusion curve does: ``--pool`` articles of
``--source`` (read in place) are extracted once; a store of N articles holds copies of them,
copy k with new ids and every date k corpus spans later, so news per day and place stays that
of the real corpus and a bigger store covers a longer time. Each copy is added and fused by
the engine as a run would (``fuse_all``). Then 100 other articles of the source (never in the
pool) are added as ``eventfuse run`` adds them: ingest, extract with spaCy, fuse. Printed per
store size: ingest + extract seconds, fuse seconds (the scoped step, writes included), the
events the step read, and the same fusion as before this change, reading every stored record
(``fuse`` over all mentions, articles and events, not written), for the ratio.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from stages import _shifted, warm_model  # noqa: E402  (bench/ is not a package)

INCREMENT = 100
WRITES = 10  # single-article API writes timed after the increment


def _copies(articles: Sequence[Any], mentions: Sequence[Any], size: int
            ) -> list[tuple[list[Any], list[Any], Any]]:
    """(articles, mentions, date shift) of each copy of the pool until ``size`` articles in
    all."""
    days = [a.published for a in articles if a.published is not None]
    shift_days = (max(days) - min(days)).days + 1 if days else 1
    by_article: dict[str, list[Any]] = {}
    for m in mentions:
        by_article.setdefault(m.article_id, []).append(m)
    import datetime as dt

    out: list[tuple[list[Any], list[Any], Any]] = []
    total, copy = 0, 0
    while total < size:
        shift = dt.timedelta(days=shift_days * copy)
        part = list(articles[: size - total])
        copied = [dataclasses.replace(a, id=f"{a.id}~{copy}" if copy else a.id, copy_of=None,
                                      published=a.published + shift if a.published else None)
                  for a in part]
        copied_mentions = [m if not copy else _shifted(m, f"{a.id}~{copy}", copy, shift)
                           for a in part for m in by_article.get(a.id, ())]
        out.append((copied, copied_mentions, shift))
        total += len(part)
        copy += 1
    return out


def build_store(db: Path, articles: Sequence[Any], mentions: Sequence[Any], size: int,
                signatures: dict[str, bytes], options: Any, copy_events: bool = False) -> None:
    """A store of ``size`` articles, copy by copy, each copy fused by the engine. With
    ``copy_events`` only the first copy is fused: the others get its events, copied as their
    mentions are (ids suffixed, dates shifted). Copies lie a whole corpus span apart, beyond
    the date window, so fusing a copy alone gives the first copy's events again; this builds a
    100k store in minutes instead of most of an hour."""
    from eventfuse.engines.local import fuse_all
    from eventfuse.ingest.bands import StoredCopyIndex
    from eventfuse.store import open_store

    first_events: list[Any] = []
    with open_store(str(db)) as store:
        for number, (copied, copied_mentions, shift) in enumerate(
                _copies(articles, mentions, size)):
            store.add_articles(copied, {a.id: signatures[a.id.split("~")[0]] for a in copied})
            # As ingest leaves them: the copy's LSH bands stored (ingest/bands.py).
            StoredCopyIndex(store, options.near_duplicate_jaccard, options.minhash_permutations)
            store.put_mentions([a.id for a in copied], copied_mentions)
            if not copy_events or number == 0:
                fuse_all(store, options)
                first_events = store.get_events() if copy_events else []
                continue
            held = {m.id for m in copied_mentions}
            events = [_copied_record(e, number, shift) for e in first_events]
            store.put_events([e for e in events if set(e.mention_ids) <= held])


def _copied_record(value: Any, copy: int, shift: Any) -> Any:
    """``value`` (an Event or a part of one) as copy ``copy`` holds it: ids and article ids
    suffixed ``~copy`` as _copies() suffixes them, every date moved by ``shift``."""
    import datetime as dt

    if isinstance(value, dt.date):
        return value + shift
    if isinstance(value, tuple):
        return tuple(_copied_record(v, copy, shift) for v in value)
    if isinstance(value, dict):
        return {k: _copied_record(v, copy, shift) for k, v in value.items()}
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes = {f.name: _copied_record(getattr(value, f.name), copy, shift)
               for f in dataclasses.fields(value)}
    for name in ("id", "article_id"):
        if isinstance(changes.get(name), str):
            changes[name] = f"{changes[name]}~{copy}"
    for name in ("mention_ids", "anchored_by"):
        if name in changes:
            changes[name] = tuple(f"{m}~{copy}" for m in changes[name])
    return dataclasses.replace(value, **changes)


def add_increment(db: Path, increment: Sequence[Any], options: Any, full_read: bool
                  ) -> dict[str, Any]:
    from eventfuse.engines.local import extract_pending, fuse_recording_changes, ingest_articles
    from eventfuse.fuse import fuse
    from eventfuse.fuse.scope import fusion_scope
    from eventfuse.store import open_store

    with open_store(str(db)) as store:
        counts = store.counts()
        started = time.perf_counter()
        ingest_articles(increment, store, options)
        extract_pending(store, options)
        extracted = time.perf_counter()
        # Before this change: read every stored record and fuse them all (not written here).
        full = None
        if full_read:
            full = fuse(store.get_mentions(), store.get_articles(), store.get_events(), options)
        before = time.perf_counter() - extracted
        scope = fusion_scope(store, options)
        fuse_start = time.perf_counter()
        fuse_recording_changes(store, options, [a.id for a in increment])
        fused = time.perf_counter()
        # How far the scoped result is from the full read's (stories and TF-IDF weights over
        # the scope rather than the whole store): the full read's events the store differs on.
        differ: list[str] | None = None
        members: set[tuple[str, ...]] | None = None
        if full is not None:
            stored = {e.id: e for e in store.get_events()}
            differ = [e.id for e in full.events if stored.get(e.id) != e]
            members = ({e.mention_ids for e in full.events}
                       ^ {e.mention_ids for e in stored.values()})
    return {"articles": counts["articles"], "mentions": counts["mentions"],
            "events": counts["events"], "ingest_extract_seconds": extracted - started,
            "fuse_seconds": fused - fuse_start,
            "full_read_fuse_seconds": before if full is not None else None,
            "scope_mentions": len(scope.mentions), "scope_articles": len(scope.articles),
            "scope_events": len(scope.previous),
            "events_differing_from_full_read": None if differ is None else len(differ),
            "clusters_differing_from_full_read": None if members is None else len(members)}


def api_writes(db: Path, articles: Sequence[Any], options: Any) -> dict[str, Any]:
    """POST ``articles`` one per request to the API (in-process TestClient, bearer token), one
    after another: each request ingests, extracts and fuses its article, as `eventfuse serve`
    does. Writes per second, and the median request."""
    import statistics

    from fastapi.testclient import TestClient

    from eventfuse.api import create_app
    from eventfuse.store import open_store

    token = "bench-incremental"
    seconds = []
    with open_store(str(db)) as store:
        client = TestClient(create_app(options, token=token, store=store))
        for article in articles:
            body = json.dumps({"id": article.id, "title": article.title, "text": article.text,
                               "url": article.url, "published": str(article.published)
                               if article.published else None})
            started = time.perf_counter()
            response = client.post("/api/articles", content=body.encode("utf-8"),
                                   headers={"Authorization": f"Bearer {token}",
                                            "Content-Type": "application/x-ndjson"})
            seconds.append(time.perf_counter() - started)
            if response.status_code not in (200, 201):
                raise SystemExit(f"POST failed: {response.status_code} {response.text[:200]}")
    return {"writes": len(seconds), "writes_per_second": len(seconds) / sum(seconds),
            "median_write_seconds": statistics.median(seconds)}


def main(argv: Sequence[str] | None = None) -> int:
    from eventfuse.engines.local import ingest_articles
    from eventfuse.extract import extract_articles
    from eventfuse.ingest.dedup import signature
    from eventfuse.ingest.sources import read_file
    from eventfuse.settings import load_options
    from eventfuse.store import open_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--sizes", default="1000,8000")
    parser.add_argument("--pool", type=int, default=500)
    parser.add_argument("--parse-cache", type=Path)
    parser.add_argument("--full-read-max", type=int, default=8000,
                        help="time the full-read fusion only up to this store size")
    parser.add_argument("--copy-events", action="store_true",
                        help="fuse only the first copy of the pool; copy its events to the others")
    parser.add_argument("--keep", type=Path,
                        help="keep the built stores in this folder (store-N.db) and reuse them "
                             "when there: each measurement runs on a copy")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    options = load_options()
    with open_store(":memory:") as store:  # the reader's articles, deduplicated as a run does
        ingest_articles(read_file(str(args.source), options), store, options)
        source = sorted((a for a in store.get_articles() if a.text and not a.copy_of),
                        key=lambda a: a.id)
    increment, pool = source[:INCREMENT], source[INCREMENT : INCREMENT + args.pool]
    writes = source[INCREMENT + args.pool : INCREMENT + args.pool + WRITES]
    warm_model()
    sizes = [int(s) for s in args.sizes.split(",")]
    mentions: list[Any] = []
    if not args.keep or any(not (args.keep / f"store-{n}.db").exists() for n in sizes):
        started = time.perf_counter()
        mentions = extract_articles(pool, options, parse_cache=args.parse_cache)
        print(f"pool: {len(pool)} articles, {len(mentions)} mentions "
              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    else:  # lexicons, gazetteer and rules loaded before timing, as the pool's extraction does
        extract_articles(pool[:1], options)
    signatures = {a.id: signature(a.text, options.minhash_permutations) for a in pool}
    results = []
    with tempfile.TemporaryDirectory(prefix="eventfuse-inc-") as scratch:
        for size in sizes:
            db = Path(scratch) / f"store-{size}.db"
            kept = args.keep / f"store-{size}.db" if args.keep else None
            if kept is None or not kept.exists():
                built = time.perf_counter()
                build_store(kept or db, pool, mentions, size, signatures, options,
                            args.copy_events)
                print(f"store of {size}: built in {time.perf_counter() - built:.0f} s",
                      file=sys.stderr)
            if kept is not None:
                shutil.copyfile(kept, db)  # closed stores: the WAL is checkpointed
            # The file on disk, as a store in use is: else the first checkpoint's fsync writes
            # out the whole freshly built or copied file (seconds at 100k, not the run's cost).
            os.sync()
            figures = add_increment(db, increment, options, size <= args.full_read_max)
            figures["size"] = size
            figures["api"] = api_writes(db, writes, options)
            results.append(figures)
            print(json.dumps(figures), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A bounded load test of ``eventfuse serve``: mixed reads and token-authorized writes.

    python bench/load.py --duration 60 --articles 60 [--json OUT]

Builds a small store (bench/corpus.py articles through ``eventfuse run``), starts ``eventfuse
serve`` on 127.0.0.1 at a free port with a fresh bearer token, then runs asyncio httpx workers
for ``--duration`` seconds or ``--max-requests`` requests, whichever comes first: GETs of the event
list, single events, articles and health, and (``--write-share``) POSTs of new articles. Prints
requests/s, p50/p99 latency and errors per kind, and stops the server. Nothing is left running.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
READ_KINDS = ("events", "event", "article", "health")


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    sent: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    base: str
    token: str
    event_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    fresh_texts: tuple[str, ...]  # never-ingested article texts for writes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(db: Path) -> list[str]:
    return [sys.executable, "-m", "eventfuse", "--db", str(db), "-q"]


def build_store(workdir: Path, articles: int, seed: int) -> tuple[Path, list[str]]:
    """A store of ``articles`` corpus articles; returns it and as many unseen texts for writes."""
    corpus = workdir / "corpus"
    subprocess.run([sys.executable, str(HERE / "corpus.py"), "--articles", str(articles * 2),
                    "--seed", str(seed), "--out", str(corpus)], check=True, capture_output=True)
    rows = (corpus / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    stored = workdir / "stored.jsonl"
    stored.write_text("\n".join(rows[:articles]) + "\n", encoding="utf-8")
    db = workdir / "load.db"
    subprocess.run([*_cli(db), "run", str(stored)], check=True, capture_output=True)
    return db, [json.loads(row)["text"] for row in rows[articles:]]


@contextmanager
def serving(db: Path, token: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "EVENTFUSE_TOKEN": token}
    log = (db.parent / "server.log").open("wb")
    proc = subprocess.Popen([*_cli(db), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited; its log: {db.parent / 'server.log'}")
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not come up within 120 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def discover(base: str, token: str, fresh_texts: list[str]) -> Target:
    events = httpx.get(f"{base}/api/events", params={"limit": 500}, timeout=60).json()["events"]
    event_ids = tuple(e["id"] for e in events)
    article_ids = tuple(sorted({s["article_id"] for e in events for s in e["sources"]}))
    return Target(base, token, event_ids, article_ids, tuple(fresh_texts))


def _pick(target: Target, rng: random.Random, write_share: float,
          written: list[int]) -> tuple[str, str, str, dict[str, Any]]:
    """The next request: (kind, method, path, httpx keyword arguments)."""
    if rng.random() < write_share and written[0] < len(target.fresh_texts):
        text = target.fresh_texts[written[0]]
        written[0] += 1
        headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "text/plain"}
        return "post", "POST", "/api/articles", {"content": text.encode(), "headers": headers}
    kind = rng.choice(READ_KINDS)
    if kind == "event" and target.event_ids:
        return kind, "GET", f"/api/events/{rng.choice(target.event_ids)}", {}
    if kind == "article" and target.article_ids:
        return kind, "GET", f"/api/articles/{rng.choice(target.article_ids)}", {}
    if kind == "health":
        return kind, "GET", "/api/health", {}
    params = {"limit": 20, "offset": rng.randrange(0, 40)}
    return "events", "GET", "/api/events", {"params": params}


async def _worker(client: httpx.AsyncClient, target: Target, tally: Tally, stop_at: float,
                  max_requests: int, write_share: float, seed: int, written: list[int]) -> None:
    rng = random.Random(seed)
    while time.monotonic() < stop_at and tally.sent < max_requests:
        tally.sent += 1
        started = time.perf_counter()
        kind, method, path, kwargs = _pick(target, rng, write_share, written)
        try:
            response = await client.request(method, path, **kwargs)
            ok = response.status_code in (200, 201)
            detail = f"{kind}: HTTP {response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            ok, detail = False, f"{kind}: {type(exc).__name__}: {exc}"
        tally.latencies[kind].append(time.perf_counter() - started)
        if not ok:
            tally.errors[kind] += 1
            if len(tally.error_samples) < 5:
                tally.error_samples.append(detail)


async def load(target: Target, duration: float, max_requests: int, concurrency: int,
               write_share: float) -> tuple[Tally, float]:
    tally = Tally()
    written = [0]
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=target.base, timeout=60, limits=limits) as client:
        started = time.monotonic()
        stop_at = started + duration
        await asyncio.gather(*(
            _worker(client, target, tally, stop_at, max_requests, write_share, n, written)
            for n in range(concurrency)
        ))
        elapsed = time.monotonic() - started
    return tally, elapsed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarize(tally: Tally, elapsed: float) -> dict[str, object]:
    every = [v for values in tally.latencies.values() for v in values]
    kinds = {
        kind: {"requests": len(values), "errors": tally.errors.get(kind, 0),
               "p50_ms": round(1000 * statistics.median(values), 1),
               "p99_ms": round(1000 * _percentile(values, 0.99), 1)}
        for kind, values in sorted(tally.latencies.items())
    }
    return {
        "seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(1000 * statistics.median(every), 1) if every else 0.0,
        "p99_ms": round(1000 * _percentile(every, 0.99), 1),
        "errors": sum(tally.errors.values()),
        "by_kind": kinds,
        "error_samples": tally.error_samples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--write-share", type=float, default=0.02, help="share of POST writes")
    parser.add_argument("--articles", type=int, default=60, help="articles in the store first")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--keep-log", type=Path, help="work (store, server.log) in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eventfuse-load-") as tmp:
        if args.keep_log:
            tmp = str(args.keep_log)
            Path(tmp).mkdir(parents=True, exist_ok=True)
        db, fresh = build_store(Path(tmp), args.articles, args.seed)
        token = secrets.token_urlsafe(24)
        with serving(db, token) as base:
            target = discover(base, token, fresh)
            tally, elapsed = asyncio.run(load(target, args.duration, args.max_requests,
                                              args.concurrency, args.write_share))
    summary = summarize(tally, elapsed)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Does a second worker process make extraction faster? Wall time of 1 vs N workers.

    python bench/workers.py ARTICLES.jsonl [--articles 200] [--workers 1 2] [--before]
                            [--rounds 2] [--json OUT]

Reads the first ``--articles`` articles of a JSON Lines file (e.g. the gva-dev texts) and, for
each worker count, times (a) bare parsing, ``nlp.pipe`` in the chunks and process counts
``eventfuse run`` uses (eventfuse.nlp.pipe_chunk / pipe_processes) and (b) the whole extraction,
``extract_articles`` in those chunks (parse in the workers, the rules in this process). The model
is loaded before timing; each worker process starts from a fork of this one. ``--before`` adds
the chunking before issue 19 at the last worker count: one batch per ``nlp.pipe`` call, every
worker started for it. The configurations run in turn, ``--rounds`` times (other load on a shared
machine varies); prints the best seconds of each, the speed-up over the first, and the CPU
seconds each worker process spent in one more parse (sampled from /proc): whether every worker
got work, which holds whatever the machine's other load.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventfuse.extract import extract_articles, extract_mentions
from eventfuse.ingest import read_bytes
from eventfuse.nlp import get_nlp, parse, pipe_chunk, pipe_processes
from eventfuse.records import Article
from eventfuse.settings import load_options

TIMES = ("parse_s", "extract_s")


def _articles(path: Path, count: int) -> list[Article]:
    lines = path.read_bytes().splitlines(keepends=True)[:count]
    items = read_bytes(b"".join(lines), path.name, load_options())
    return [item for item in items if isinstance(item, Article)]


def _chunks(articles: list[Article], size: int) -> list[list[Article]]:
    return [articles[start : start + size] for start in range(0, len(articles), size)]


def _timed(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return round(time.perf_counter() - began, 2)


def _children_cpu() -> dict[int, float]:
    """CPU seconds so far of each child process of this one (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:  # a thread or a process may end while it is read
            pids = (task / "children").read_text().split()
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                found[int(pid)] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _worker_cpu(work: Callable[[], Any]) -> list[float]:
    """Run ``work``, sampling its worker processes' CPU time: the seconds each worker process
    computed (more than one figure near equal: every worker got work), largest first."""
    seen: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            seen.update(_children_cpu())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return sorted((round(cpu, 1) for cpu in seen.values()), reverse=True)


def measure(articles: list[Article], workers: int, before: bool = False) -> dict[str, float]:
    options = dataclasses.replace(load_options(), n_process=workers)
    size = options.batch_size if before else pipe_chunk(options.batch_size, workers)

    def processes(count: int) -> int:
        return workers if before else pipe_processes(count, options.batch_size, workers)

    def parse_all() -> None:
        for chunk in _chunks(articles, size):
            for _ in parse((a.text for a in chunk), options.batch_size, processes(len(chunk))):
                pass

    def extract_all() -> None:
        for chunk in _chunks(articles, size):
            if before:  # extract_articles now starts no process without a batch for it
                texts = (a.text for a in chunk)
                docs = parse(texts, options.batch_size, processes(len(chunk)))
                for article, doc in zip(chunk, docs, strict=True):
                    extract_mentions(article, doc, options)
            else:
                extract_articles(chunk, options)

    return {"parse_s": _timed(parse_all), "extract_s": _timed(extract_all),
            "worker_cpu_s": _worker_cpu(parse_all)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("articles_jsonl", type=Path)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--before", action="store_true",
                        help="also the chunking before issue 19, at the last worker count")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    articles = _articles(args.articles_jsonl, args.articles)
    get_nlp()  # loaded once, before timing; worker processes inherit it
    words = sum(len(a.text.split()) for a in articles)
    configs = [(str(n), n, False) for n in args.workers]
    if args.before:
        configs.append((f"{args.workers[-1]} (before)", args.workers[-1], True))
    figures: dict[str, dict[str, Any]] = {}
    for _ in range(args.rounds):
        for name, workers, before in configs:
            got = measure(articles, workers, before)
            best = figures.setdefault(name, got)
            figures[name] = {k: min(best[k], got[k]) for k in TIMES} | {
                "worker_cpu_s": got["worker_cpu_s"]}
    first = figures[configs[0][0]]
    report = {
        "articles": len(articles), "words": words, "seconds": figures,
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
        "speedup": {n: {k: round(first[k] / f[k], 2) for k in TIMES} for n, f in figures.items()},
    }
    from report import emit_json  # bench/report.py, beside this script

    emit_json(report, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

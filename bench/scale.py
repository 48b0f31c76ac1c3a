"""A whole ``eventfuse run`` of N replicated real articles: wall, CPU and peak memory (issue 19).

    python bench/scale.py --articles 1000 10000 [--source ../shared/data/gva-dev/articles.jsonl]
                          [--workers 2] [--set NAME=VALUE ...] [--src OTHER/src] [--json FILE]

The corpus: the records of ``--source`` that have a text, in the file's order, then copies of
them until N articles. Copy k (k >= 1) of an article gets a new id and URL (``-copyk``), its
publication date k * 261 whole weeks later (weekdays kept: "on Monday" still fits) and every
year 2000-2029 written in its title and text k * 5 higher (261 weeks are 5 years and a day or
two), so a copy is the same news five years on: same length, words, places and density per day,
with its absolute dates where its relative ones point. Copies repeat their original's text, so
ingest would link each to its original as a wire copy (MinHash Jaccard 1): the run is given
``near_duplicate_jaccard=1.01`` (no article is a copy), as distinct real news would be.

Each size is one ``eventfuse --quiet --db FRESH run --workers W FILES`` subprocess (process
start, model load, ingest, parse, extraction, fusion, store). CPU seconds are the process and
its workers (wait4), which the machine's other load changes little; wall seconds are the load's.
The corpus is written as JSON Lines files of 2,000 articles (one input file is read whole).
Memory is sampled every ``--sample-seconds`` (2 s) from /proc: the largest sum over the process
tree of each process's RSS (counts the workers' copy-on-write pages of the model once per
process: an upper bound) and of PSS (shared pages split between the processes sharing them: what
the tree really holds), the run's own process and its largest worker apart, and the largest
single process (wait4's ru_maxrss). The run's own process's CPU (ingest, writes, the last
slice's fusion: what runs neither in the workers nor in a slice's fusion process) is its last
sample. Sampling costs the machine: reading ``smaps_rollup`` walks each process's page tables,
and at 0.5 s it took a tenth of a core beside a 100k run (132 CPU s in 21 min), time the run
itself lost; at 2 s, a quarter of that. A fusion's peak lasts tens of seconds: 2 s still sees
it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHIFT_WEEKS = 261  # 5 years and a day or two, whole weeks
PER_FILE = 2000  # articles per input file
_YEAR = re.compile(r"\b(20[0-2]\d)\b")


def replicated(source: Path, size: int) -> Iterator[dict[str, Any]]:
    """The first ``size`` records of ``source`` (with a text) and its copies (module doc)."""
    records = [r for r in (json.loads(line) for line in source.read_text("utf-8").splitlines()
                           if line.strip()) if str(r.get("text") or "").strip()]
    for n in range(size):
        copy, record = divmod(n, len(records))
        yield copy_of(records[record], copy)


def copy_of(record: dict[str, Any], copy: int) -> dict[str, Any]:
    if copy == 0:
        return record
    out = dict(record)
    out["id"] = f"{record['id']}-copy{copy}"
    out["url"] = f"{record.get('url') or 'https://bench.invalid/' + record['id']}-copy{copy}"
    if record.get("published"):
        day = dt.date.fromisoformat(str(record["published"])[:10])
        out["published"] = (day + dt.timedelta(weeks=SHIFT_WEEKS * copy)).isoformat()
    for key in ("title", "text"):
        if isinstance(record.get(key), str):
            out[key] = _YEAR.sub(lambda m: str(int(m.group(1)) + 5 * copy), record[key])
    return out


class _Sampler(threading.Thread):
    """Peak RSS and PSS sums over a process tree, sampled from /proc."""

    def __init__(self, pid: int, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.stop = pid, 0, 0, False
        self.every = every
        self.peak_main_rss = self.peak_worker_rss = 0
        self.main_cpu = 0.0  # the run's own process, without its workers (last sample)

    def run(self) -> None:
        while not self.stop:
            rss = pss = 0
            for pid in _tree(self.pid):
                own = _kb(f"/proc/{pid}/status", "VmRSS:")
                rss += own
                pss += _kb(f"/proc/{pid}/smaps_rollup", "Pss:")
                if pid == self.pid:
                    self.peak_main_rss = max(self.peak_main_rss, own)
                    self.main_cpu = _cpu_seconds(pid) or self.main_cpu
                else:
                    self.peak_worker_rss = max(self.peak_worker_rss, own)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(self.every)


def _tree(root: int) -> list[int]:
    """``root`` and its descendants, from each thread's ``children`` list (scanning every
    process's ``stat`` twice a second took a tenth of a core on a machine running ~100)."""
    out, pending = [], [root]
    while pending:
        pid = pending.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            with contextlib.suppress(OSError):
                pending.extend(int(c) for c in
                               Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` itself (not its children), from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed_run(
    inputs: Sequence[Path], db: Path, workers: int, env: dict[str, str], every: float = 2.0
) -> dict[str, float]:
    exe = Path(sys.executable).with_name("eventfuse")
    command = [str(exe), "--quiet", "--db", str(db), "run", "--workers", str(workers),
               *map(str, inputs)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=REPO)
    sampler = _Sampler(proc.pid, every)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop = True
    sampler.join()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"run failed: {' '.join(command)}")
    return {"wall_s": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_tree_rss_mb": sampler.peak_rss / 1024,
            "peak_tree_pss_mb": sampler.peak_pss / 1024,
            "main_process_cpu_s": sampler.main_cpu,
            "main_process_rss_mb": sampler.peak_main_rss / 1024,
            "worker_rss_mb": sampler.peak_worker_rss / 1024,
            "max_process_rss_mb": usage.ru_maxrss / 1024}


def _write_files(stem: Path, records: Iterator[dict[str, Any]]) -> list[Path]:
    """``records`` as JSON Lines files of :data:`PER_FILE` each: one input file is read whole
    and within ``doc_timeout_seconds`` (30 s), which a 10k-article file overran on the loaded
    machine, and at most ``max_container_bytes`` (200 MB, ~50k articles) of it."""
    paths: list[Path] = []
    out = None
    for n, record in enumerate(records):
        if n % PER_FILE == 0:
            if out is not None:
                out.close()
            paths.append(stem.with_name(f"{stem.name}-{len(paths):03d}.jsonl"))
            out = paths[-1].open("w", encoding="utf-8")
        assert out is not None
        out.write(json.dumps(record) + "\n")
    if out is not None:
        out.close()
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path,
                        default=REPO.parent / "shared" / "data" / "gva-dev" / "articles.jsonl")
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the run (EVENTFUSE_NAME in its environment)")
    parser.add_argument("--src", type=Path, help="another tree's src/ to run")
    parser.add_argument("--sample-seconds", type=float, default=2.0,
                        help="memory sampling interval (module docstring: what it costs)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep-db", type=Path, metavar="DIR",
                        help="keep each run's store in DIR (run-N.db) for later measurements, "
                             "such as adding articles to it")
    args = parser.parse_args(argv)

    env = dict(os.environ, EVENTFUSE_NEAR_DUPLICATE_JACCARD="1.01")
    for item in args.set:
        name, _, value = item.partition("=")
        env[f"EVENTFUSE_{name.upper()}"] = value
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for size in args.articles:
            inputs = _write_files(Path(tmp) / f"articles-{size}", replicated(args.source, size))
            db = (args.keep_db or Path(tmp)) / f"run-{size}.db"
            row: dict[str, Any] = {"articles": size, **timed_run(inputs, db, args.workers, env,
                                                                 args.sample_seconds)}
            from eventfuse.store import open_store

            with open_store(str(db)) as store:
                row.update(store.counts())
            row["cpu_ms_per_article"] = 1000 * row["cpu_s"] / size
            print(json.dumps(row), flush=True)
            rows.append(row)
            if not args.keep_db:
                db.unlink()
    if args.json:
        args.json.write_text(json.dumps({"sets": args.set, "src": str(args.src or ""),
                                         "rows": rows}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

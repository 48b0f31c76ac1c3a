"""``eventfuse run`` against bare spaCy ``nlp.pipe`` on real news, in the same command (issue 19).

    python bench/speed.py [--source ../shared/data/gva-dev/articles.jsonl] [--articles 300]
                          [--workers 2] [--rounds 2] [--baseline-src OTHER/src] [--first-pass]
                          [--json FILE]

The first ``--articles`` articles of ``--source`` (JSON Lines, read in place) go through
``eventfuse run --workers N`` into a fresh SQLite file (ingest, parse, extraction, fusion, store:
what a user runs, process start and model load included), and the texts that run parses (the
ingested articles' texts, within the per-article bounds) through bare ``nlp.pipe`` with the same
model, batch size and N processes in a fresh process (model loaded before the clock starts).
Bare and run alternate, ``--rounds`` times, so load from other work hits both alike; the
figure is the ratio of their throughputs (run words/s / bare words/s), per round and as the
median. CPU seconds (the process and its waited-for workers, from wait4) are given too: on a
shared machine they depend far less on the load than wall time. ``--baseline-src`` also times
another source tree's ``eventfuse run`` (e.g. main's ``src``) in the same rounds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TARGET = 0.6  # issue 19: eventfuse run >= 0.6x bare nlp.pipe with 2 processes

Figures = dict[str, Any]

# Bare spaCy in a fresh process: the texts on stdin (JSON), seconds on stdout.
_BARE = """
import json, sys, time
from eventfuse.nlp import get_nlp
texts, batch_size, n_process = json.load(sys.stdin)
nlp = get_nlp()
list(nlp.pipe(texts[:2]))
started = time.perf_counter()
docs = sum(1 for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process))
print(json.dumps({"seconds": time.perf_counter() - started, "docs": docs}))
"""


@dataclass(frozen=True, slots=True)
class Timed:
    seconds: float
    cpu_seconds: float  # user + system of the process and every worker it waited for
    stdout: str


def run_timed(command: Sequence[str], env: dict[str, str], stdin: str | None = None) -> Timed:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                            cwd=REPO, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(stdin or "")
    proc.stdin.close()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # reaped here: its rusage includes its workers
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(command)}")
    return Timed(seconds, usage.ru_utime + usage.ru_stime, out)


def corpus(source: Path, articles: int, into: Path) -> tuple[Path, list[str]]:
    """The first ``articles`` records of ``source`` with a text, as a file, and the texts a run
    parses (the ingested articles' texts, within the per-article bounds)."""
    from eventfuse.extract.bounds import bounded_articles
    from eventfuse.ingest.sources import read_file
    from eventfuse.records import Article
    from eventfuse.settings import load_options

    # records without a text (an archived page that held none) are left out: the run would
    # report each as an input error and exit 1
    lines = [line for line in source.read_text(encoding="utf-8").splitlines()
             if line.strip() and str(json.loads(line).get("text") or "").strip()]
    subset = into / "articles.jsonl"
    subset.write_text("\n".join(lines[:articles]) + "\n", encoding="utf-8")
    options = load_options()
    read = [a for a in read_file(str(subset), options) if isinstance(a, Article)]
    return subset, [a.text for a in bounded_articles(read, options)]


def bare(texts: list[str], batch_size: int, workers: int, env: dict[str, str]) -> Timed:
    timed = run_timed([sys.executable, "-c", _BARE], env, json.dumps([texts, batch_size, workers]))
    inner = json.loads(timed.stdout.strip().splitlines()[-1])
    return Timed(inner["seconds"], timed.cpu_seconds, timed.stdout)


def eventfuse_run(inputs: Path, db: Path, workers: int, env: dict[str, str]) -> Timed:
    db.unlink(missing_ok=True)
    exe = Path(sys.executable).with_name("eventfuse")
    return run_timed([str(exe), "--quiet", "--db", str(db), "run", "--workers", str(workers),
                      str(inputs)], env)


def measure(args: argparse.Namespace, root: Path) -> Figures:
    inputs, texts = corpus(args.source, args.articles, root)
    words = sum(len(t.split()) for t in texts)
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    trees = {"run": env}
    if args.baseline_src:
        trees["baseline run"] = dict(os.environ, PYTHONPATH=str(args.baseline_src))
    if args.first_pass:  # the same tree with the cheap first pass (extract/firstpass.py)
        trees["run --first-pass"] = dict(env, EVENTFUSE_FIRST_PASS="1")
    rounds: list[Figures] = []
    for n in range(args.rounds):
        row: Figures = {"bare": dataclasses.asdict(bare(texts, args.batch_size, args.workers, env))}
        for name, tree_env in trees.items():
            timed = eventfuse_run(inputs, root / f"{n}.db", args.workers, tree_env)
            row[name] = dataclasses.asdict(timed)
        for name in trees:
            row[name]["ratio"] = row["bare"]["seconds"] / row[name]["seconds"]
            row[name]["cpu_ratio"] = row["bare"]["cpu_seconds"] / row[name]["cpu_seconds"]
        for part in row.values():
            part.pop("stdout", None)
        rounds.append(row)
        log(f"round {n + 1}: bare {row['bare']['seconds']:.1f} s; "
            + "; ".join(f"{name} {row[name]['seconds']:.1f} s ({row[name]['ratio']:.2f}x)"
                        for name in trees))
    return {"source": str(args.source), "articles": len(texts), "words": words,
            "workers": args.workers, "batch_size": args.batch_size, "rounds": rounds,
            "median": {name: statistics.median(r[name]["ratio"] for r in rounds)
                       for name in trees},
            "median_cpu": {name: statistics.median(r[name]["cpu_ratio"] for r in rounds)
                           for name in trees},
            "load_average": os.getloadavg(), "nproc": os.cpu_count()}


def render(f: Figures) -> list[str]:
    """The docs/benchmarks.md section (bench/report.py includes it in `make bench`'s report)."""
    names = [k for k in f["rounds"][0] if k != "bare"]
    rows = []
    for n, r in enumerate(f["rounds"], 1):
        b = r["bare"]
        rows.append((n, "bare `nlp.pipe`", f"{b['seconds']:.1f}", f"{b['cpu_seconds']:.1f}",
                     f"{f['articles'] / b['seconds']:.1f}", f"{f['words'] / b['seconds']:,.0f}",
                     ""))
        for name in names:
            e = r[name]
            rows.append((n, f"`eventfuse {name}`" if name == "run" else name,
                         f"{e['seconds']:.1f}", f"{e['cpu_seconds']:.1f}",
                         f"{f['articles'] / e['seconds']:.1f}",
                         f"{f['words'] / e['seconds']:,.0f}",
                         f"{e['ratio']:.2f}x (CPU {e['cpu_ratio']:.2f}x)"))
    header = ("round", "what", "seconds", "CPU s", "articles/s", "words/s", "vs bare")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    median = f["median"]["run"]
    verdict = "meets" if median >= TARGET else "**misses**"
    load = " / ".join(f"{x:.1f}" for x in f["load_average"])
    return [
        "", f"## `eventfuse run` vs bare spaCy on real news ({f['workers']} processes)", "",
        f"`bench/speed.py` (in `make bench`): the first {f['articles']} articles of "
        f"`{Path(f['source']).parent.name}/{Path(f['source']).name}` ({f['words']:,} words), "
        f"`eventfuse run --workers {f['workers']}` into a fresh SQLite file (process start, "
        "model load, ingest, parse, extraction, fusion and store) against bare `nlp.pipe` "
        f"(same model, texts, batch size {f['batch_size']}, {f['workers']} processes, model "
        "loaded before the clock), alternating in one command. CPU s: the process and its "
        "workers (wait4).", "", *lines, "",
        f"Median ratio of throughputs: **{median:.2f}x** (target {TARGET}x: {verdict} it); "
        f"CPU ratio {f['median_cpu']['run']:.2f}x. Load average at the end "
        f"{load} on {f['nproc']} cores: other work shared the machine, so wall times are noisy "
        "and the ratios of each round (side by side) are the figure to read."]


def log(message: str) -> None:
    print(f"[speed] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path,
                        default=REPO.parent / "shared" / "data" / "gva-dev" / "articles.jsonl")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline-src", type=Path, help="another tree's src/ to time too")
    parser.add_argument("--first-pass", action="store_true",
                        help="also time the run with the first pass on, in the same rounds")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        log(f"no real news at {args.source}: skipped")
        return 0
    with tempfile.TemporaryDirectory(prefix="eventfuse-speed-") as tmp:
        figures = measure(args, Path(tmp))
    print("\n".join(render(figures)))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

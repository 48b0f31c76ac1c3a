"""eventfuse speed benchmarks: what `make bench` runs.

    python bench/run.py [--articles 300] [--fusion-sizes 1000,10000,100000] [--baseline REF]

Generates the synthetic corpus (bench/corpus.py), then runs each stage in its own process
(bench/stages.py) so peak RSS is per stage: ingest, extract (beside bare spaCy ``nlp.pipe`` with
the same model, texts, batch size and processes), fuse (with B³ F1 against the corpus ground
truth) and store; the whole ``eventfuse run``; ``eventfuse run`` against bare ``nlp.pipe`` on real
news (bench/speed.py); fusion at 1k/10k/100k mentions; adding 100
articles to a database of N; and the 100k-article estimate. ``--baseline REF`` times extraction
and fusion of git revision REF's source in the same command (before/after). Prints the figures
and writes its part of docs/benchmarks.md (between the generated-part markers; sections written
by hand outside them are kept).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
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
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402  (bench/ is not a package)
import speed  # noqa: E402

Figures = dict[str, Any]
INCREMENT = 100  # articles added to an existing database in the incremental benchmark


@dataclass(frozen=True, slots=True)
class Child:
    """A finished subprocess: its stdout, wall time and peak RSS (itself and its children)."""

    stdout: str
    seconds: float
    peak_rss_mb: float


def run_child(command: Sequence[str], env: dict[str, str] | None = None) -> Child:
    """Run ``command`` to completion; peak RSS from wait4 (a process tree's max, Linux KiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, cwd=REPO, text=True)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"benchmark step failed ({proc.returncode}): {' '.join(command)}")
    return Child(stdout, seconds, usage.ru_maxrss / 1024)


def stage(name: str, work: Path, src: Path | None = None, **args: object) -> Figures:
    """One bench/stages.py stage in a fresh process; ``src`` swaps in another source tree."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    command = [sys.executable, str(BENCH / "stages.py"), name, str(work)]
    command += [f"{k}={v}" for k, v in args.items()]
    child = run_child(command, env)
    figures: Figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["process_peak_rss_mb"] = child.peak_rss_mb
    return figures


def eventfuse_run(db: Path, inputs: Path, n_process: int) -> Child:
    """The whole CLI pipeline, as a user runs it."""
    env = dict(os.environ, EVENTFUSE_N_PROCESS=str(n_process))
    exe = Path(sys.executable).with_name("eventfuse")
    return run_child([str(exe), "--quiet", "--db", str(db), "run", str(inputs)], env)


def machine() -> Figures:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import spacy

    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(ram_gb, 1),
            "python": platform.python_version(), "spacy": spacy.__version__,
            "platform": platform.platform()}


def export_revision(ref: str, into: Path) -> Path | None:
    """``src/`` of git revision ``ref`` under ``into`` (None without git or the revision)."""
    if shutil.which("git") is None:
        return None
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "src"],
                             capture_output=True, check=False)
    if archive.returncode:
        return None
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / "src"


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds else math.inf


def scaling_exponent(points: Sequence[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) on log(size): 1 is linear, 2 all-pairs."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(t, 1e-9)) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    denominator = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / denominator


# --- the benchmark ----------------------------------------------------------------------------


def benchmark(args: argparse.Namespace, root: Path) -> Figures:
    work = root / "corpus"
    stats = corpus.write_corpus(work, args.articles, args.seed)
    log(f"corpus: {stats.articles} articles, {stats.events} events ({stats.seconds:.1f} s)")
    results: Figures = {"machine": machine(), "articles": args.articles, "seed": args.seed,
                        "batch_size": args.batch_size, "n_process": args.n_process}

    results["ingest"] = stage("ingest", work)
    log(f"ingest: {results['ingest']['seconds']:.1f} s")

    extract_runs = []
    for n_process in sorted({1, args.n_process}):
        out = {"out": "mentions.jsonl"} if n_process == args.n_process else {}
        figures = stage("extract", work, batch_size=args.batch_size, n_process=n_process, **out)
        extract_runs.append(figures)
        log(f"extract n_process={n_process}: {figures['seconds']:.1f} s, "
            f"bare nlp.pipe {figures['pipe_seconds']:.1f} s")
    results["extract"] = extract_runs

    results["fuse"] = stage("fuse", work, store=1)
    log(f"fuse: {results['fuse']['seconds']:.1f} s, "
        f"B3 F1 {results['fuse']['quality']['b3_f1']:.3f}")

    results["fusion_scaling"] = []
    for size in args.fusion_sizes:
        figures = stage("fuse_scaling", work, size=size)
        results["fusion_scaling"].append(figures)
        log(f"fuse {figures['mentions']} mentions: {figures['seconds']:.1f} s")

    if args.real:
        results["real"] = real_scaling(args, root)

    if args.real:
        # issue 19: eventfuse run against bare nlp.pipe (n_process processes) on real news
        speed_args = argparse.Namespace(source=Path(args.real), articles=args.real_run_articles,
                                        workers=args.n_process, batch_size=args.batch_size,
                                        rounds=args.real_run_rounds, baseline_src=None,
                                        first_pass=False)
        (root / "speed").mkdir()
        results["real_run"] = speed.measure(speed_args, root / "speed")
        log(f"eventfuse run vs bare nlp.pipe on real news: "
            f"{results['real_run']['median']['run']:.2f}x")

    results["run"] = whole_run(work, root, args)
    if args.baseline:
        results["baseline"] = baseline(args, work, root)
    results["estimate_100k"] = estimate(results, 100_000)
    return results


def real_scaling(args: argparse.Namespace, root: Path) -> Figures:
    """Fusion on replicated real mentions (issue 15, bench/fusion_real.py): the mentions
    extracted from ``--real`` (read in place), fused as ``--real-copies`` copies and at each of
    ``--real-sizes`` mentions; the slope of log time on log size."""
    import fusion_real

    return fusion_real.curve(Path(args.real), root, args.real_copies, args.real_sizes,
                             args.real_parse_cache, log=log)


def whole_run(work: Path, root: Path, args: argparse.Namespace) -> Figures:
    """``eventfuse run`` on the corpus, then on INCREMENT more articles (another seed)."""
    db = root / "run.db"
    child = eventfuse_run(db, work / "articles.jsonl", args.n_process)
    words = sum(len(json.loads(line)["text"].split())
                for line in (work / "articles.jsonl").open(encoding="utf-8"))
    figures: Figures = {"articles": args.articles, "words": words, "seconds": child.seconds,
                        "peak_rss_mb": child.peak_rss_mb, "n_process": args.n_process}
    log(f"eventfuse run: {child.seconds:.1f} s")
    more = root / "more"
    corpus.write_corpus(more, INCREMENT, args.seed + 1)
    added = eventfuse_run(db, more / "articles.jsonl", args.n_process)
    figures["incremental"] = {"base_articles": args.articles, "added": INCREMENT,
                              "seconds": added.seconds, "peak_rss_mb": added.peak_rss_mb}
    log(f"add {INCREMENT} to {args.articles}: {added.seconds:.1f} s")
    return figures


def baseline(args: argparse.Namespace, work: Path, root: Path) -> Figures:
    """Extraction and fusion of revision ``args.baseline`` on the same corpus and settings."""
    src = export_revision(args.baseline, root / "baseline")
    if src is None:
        log(f"baseline {args.baseline}: not available (no git or unknown revision)")
        return {"ref": args.baseline, "available": False}
    extract = stage("extract", work, src=src, batch_size=args.batch_size,
                    n_process=args.n_process)
    fuse = stage("fuse", work, src=src)
    log(f"baseline {args.baseline}: extract {extract['seconds']:.1f} s, "
        f"fuse {fuse['seconds']:.1f} s")
    return {"ref": args.baseline, "available": True, "extract": extract, "fuse": fuse}


def estimate(results: Figures, articles: int) -> Figures:
    """100k articles from measured costs: per-article ingest+extract+store, fusion from the
    scaling curve at the corpus's mentions per article (extrapolated past the largest size)."""
    extract = next(e for e in results["extract"] if e["n_process"] == results["n_process"])
    per_article = (results["ingest"]["seconds"] + extract["seconds"]
                   + results["fuse"]["store"]["seconds"]) / results["articles"]
    mentions_per_article = extract["mentions"] / max(1, extract["articles"])
    mentions = round(articles * mentions_per_article)
    points = [(f["mentions"], f["seconds"]) for f in results["fusion_scaling"]]
    # The slope between the two largest sizes: steeper than the overall fit when the curve bends.
    exponent = max(scaling_exponent(points) or 1.0, scaling_exponent(sorted(points)[-2:]) or 1.0)
    largest_n, largest_t = max(points) if points else (1, 0.0)
    fuse_seconds = largest_t * (mentions / largest_n) ** exponent
    rss_points = sorted((f["mentions"], f["process_peak_rss_mb"])
                        for f in results["fusion_scaling"])
    fuse_rss = rss_points[-1][1]
    if len(rss_points) >= 2:
        (n0, r0), (n1, r1) = rss_points[-2], rss_points[-1]
        fuse_rss = r1 + (r1 - r0) / max(1, n1 - n0) * (mentions - n1)
    return {"articles": articles, "mentions": mentions, "pipeline_seconds": per_article * articles,
            "fuse_seconds": fuse_seconds, "seconds": per_article * articles + fuse_seconds,
            "exponent": exponent, "fuse_peak_rss_mb": fuse_rss,
            "extract_peak_rss_mb": extract["process_peak_rss_mb"]}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="corpus size (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32, help="nlp.pipe batch size")
    parser.add_argument("--n-process", type=int, default=os.cpu_count() or 1,
                        help="spaCy processes (default: every core)")
    parser.add_argument("--fusion-sizes", default="1000,10000,30000,100000",
                        help="mention counts for the fusion scaling curve")
    parser.add_argument("--real", default=str(REPO.parent / "shared" / "data" / "gva-dev" /
                                              "articles.jsonl"),
                        help="real news (JSON Lines articles) for the fusion scaling on real "
                             "mentions; '' to skip")
    parser.add_argument("--real-run-articles", type=int, default=300,
                        help="real articles for eventfuse run vs bare nlp.pipe (bench/speed.py)")
    parser.add_argument("--real-run-rounds", type=int, default=2)
    parser.add_argument("--real-copies", default="1,2,4,10",
                        help="copies of the real mentions fused (bench/fusion_real.py)")
    parser.add_argument("--real-sizes", default="100000",
                        help="real mention counts also fused (the extracted news repeated)")
    parser.add_argument("--real-parse-cache", type=Path,
                        help="keep the real news's spaCy parses here between runs")
    parser.add_argument("--baseline", default="", help="git revision to compare against")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md",
                        help="report file ('-' for none)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    args.fusion_sizes = [int(s) for s in args.fusion_sizes.split(",") if s.strip()]
    args.real_sizes = [int(s) for s in args.real_sizes.split(",") if s.strip()]
    args.real_copies = [int(s) for s in args.real_copies.split(",") if s.strip()]
    if args.real and not Path(args.real).is_file():
        log(f"no real news at {args.real}: fusion on real mentions skipped")
        args.real = ""
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="eventfuse-bench-") as tmp:
        results = benchmark(args, Path(tmp))
    results["command"] = command.strip()
    results["load_average"] = os.getloadavg()  # other work on the machine skews timings
    results["total_seconds"] = time.perf_counter() - started
    from report import merge_report, render

    text = render(results)
    print(text)
    if str(args.out) != "-":
        existing = args.out.read_text(encoding="utf-8") if args.out.exists() else None
        args.out.write_text(merge_report(text, existing), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

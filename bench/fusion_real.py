"""Fusion on replicated real mentions (issue 15, issue 19 part 6): does it stay near-linear at
real-news density?

    python bench/fusion_real.py [--source ../shared/data/gva-dev/articles.jsonl]
        [--parse-cache DIR] [--copies 1,2,4,10] [--mentions 100000] [--src OTHER/src]

The real articles are read in place (never copied) and extracted once, as the incidents
evaluation does (``--parse-cache`` keeps spaCy's parses between runs: speed only, the same Docs
come out). Their mentions are then repeated: copy k has new article and mention ids, its
sentences end with " (k)" and every date is k*W whole weeks later, W the source's span plus the
story gap (bench/stages.py ``stage_fuse_real``). Each copy is distinct news with the source's
own density per day and place (gva-dev: most in one country, up to a handful of articles a day
in one city); a bigger dataset covers a longer time, as a year of a feed does against a month.
Each size is fused in a fresh process (``eventfuse.fuse.fuse``, what a first run does) and
timed; the table gives time ratios against one copy and the least-squares log-log slope
(1 is linear, 2 all-pairs). Target: 10x the mentions <= 12x the time. ``digest`` hashes every
event fusion returned: the same digest from two source trees (``--src``) means the same events.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

Figures = dict[str, Any]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "gva-dev" / "articles.jsonl"
SCALING_TARGET = 12.0  # time factor allowed for 10x the mentions


def curve(
    source: Path,
    work: Path,
    copies: Sequence[int],
    mentions: Sequence[int] = (),
    parse_cache: Path | None = None,
    src: Path | None = None,
    log: Callable[[str], None] = print,
    shift_weeks: int | None = None,
) -> Figures:
    """Extract ``source`` once into ``work``, then fuse each number of ``copies`` (and each
    count of ``mentions``) in its own process; ``src`` swaps in another source tree."""
    from run import scaling_exponent, stage

    cache = {"parse_cache": str(parse_cache)} if parse_cache is not None else {}
    figures: Figures = {"source": str(source), "src": str(src) if src else None}
    shift = {"shift_weeks": shift_weeks} if shift_weeks else {}
    done = work / "real" / "extract.json"  # a kept --work: extracted already, not again
    if done.is_file():
        figures["extract"] = json.loads(done.read_text(encoding="utf-8"))
    else:
        figures["extract"] = stage("real_mentions", work, src=src, source=source, **cache)
        done.write_text(json.dumps(figures["extract"]), encoding="utf-8")
    extract = figures["extract"]
    log(f"real news: {extract['mentions']} mentions from {extract['articles']} articles "
        f"({extract['seconds']:.0f} s)")
    points: list[Figures] = []
    for k in copies:
        point = stage("fuse_real", work, src=src, copies=k, **shift)
        point["copies"] = k
        points.append(point)
        log(f"fuse {k}x = {point['mentions']} real mentions: {point['seconds']:.1f} s "
            f"({point['cpu_seconds']:.1f} s CPU)")
    for n in mentions:
        point = stage("fuse_real", work, src=src, size=n, **shift)
        point["copies"] = n / extract["mentions"]
        points.append(point)
        log(f"fuse {point['mentions']} real mentions: {point['seconds']:.1f} s "
            f"({point['cpu_seconds']:.1f} s CPU)")
    figures["points"] = points
    for clock in ("seconds", "cpu_seconds"):
        by_copies = [(p["mentions"], p[clock]) for p in points[: len(copies)]]
        figures[f"slope_{clock}"] = scaling_exponent(by_copies)
        figures[f"slope_all_{clock}"] = scaling_exponent([(p["mentions"], p[clock])
                                                          for p in points])
    return figures


def render(real: Figures) -> list[str]:
    """The markdown section (also bench/report.py's, when bench/run.py ran it)."""
    extract = real["extract"]
    points = real["points"]
    weeks = points[0].get("shift_weeks") if points else None
    out = ["", "## Fusion on real mentions", "",
           f"{extract['mentions']} mentions extracted from {extract['articles']} real articles "
           f"(`{real['source']}`, read in place) in {extract['seconds']:.0f} s, then copied "
           "(bench/stages.py `replicate_news`): copy k has new article and mention ids, every "
           f"date k*{weeks} whole weeks later, and its words enciphered (each copy its own "
           "letter substitution for every word that is not a stop word, offsets kept), so "
           "copies are distinct news with the original's places, outlets, trigger lemmas and "
           "density per day. Each size fused in a fresh process (`fuse()`, a first run); "
           "CPU is the fusing process's own, steadier than wall time on a shared machine. "
           "Target: 10x mentions costs <= 12x time.", ""]
    base = points[0]
    rows = []
    for n, f in enumerate(points):
        prev = points[n - 1] if n else f
        rows.append((f"{f['copies']:.2f}".rstrip("0").rstrip(".") + "x", f"{f['mentions']:,}",
                     f"{f['articles']:,}", f"{f['events']:,}", f"{f['seconds']:.1f}",
                     f"{f['cpu_seconds']:.1f}",
                     f"{f['mentions'] / base['mentions']:.1f}x / "
                     f"{f['cpu_seconds'] / base['cpu_seconds']:.1f}x",
                     f"{f['mentions'] / prev['mentions']:.1f}x / "
                     f"{f['cpu_seconds'] / prev['cpu_seconds']:.1f}x",
                     f"{f['peak_rss_mb']:.0f}", f["capped_blocks"], f"`{f['digest']}`"))
    out += table(("copies", "mentions", "articles", "events", "seconds", "CPU s",
                  "vs 1x: mentions / CPU", "vs previous row", "peak RSS MB", "capped blocks",
                  "events digest"), rows)
    slopes = [(clock, real.get(f"slope_{clock}"), real.get(f"slope_all_{clock}"))
              for clock in ("cpu_seconds", "seconds")]
    for clock, slope, slope_all in slopes:
        if slope is None:
            continue
        ok = 10 ** slope <= SCALING_TARGET
        name = "CPU" if clock == "cpu_seconds" else "wall"
        line = (f"Log-log slope of {name} time over the copies {slope:.2f} ({10 ** slope:.1f}x "
                f"per 10x mentions): {'meets target' if ok else '**misses target**'}.")
        if slope_all is not None and len(points) > 1:
            line += f" With every row: {slope_all:.2f}."
        out += ["", line]
    return out


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def ints(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="real news, JSON Lines articles (default: gva-dev's)")
    parser.add_argument("--parse-cache", type=Path, help="keep spaCy parses here between runs")
    parser.add_argument("--copies", default="1,2,4,10", help="how many copies to fuse")
    parser.add_argument("--mentions", default="100000", help="mention counts also fused ('' none)")
    parser.add_argument("--shift-weeks", type=int,
                        help="copy k dated k*N weeks later (default: the source's span plus the "
                             "story gap, copies one after another; 1: copies overlap, k times "
                             "the news per day)")
    parser.add_argument("--src", type=Path, help="another source tree's src/ (before/after)")
    parser.add_argument("--work", type=Path,
                        help="keep the extracted mentions here and reuse them (default: a "
                             "temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        raise SystemExit(f"no real news at {args.source}")
    with tempfile.TemporaryDirectory(prefix="eventfuse-bench-real-") as tmp:
        real = curve(args.source, args.work or Path(tmp), ints(args.copies),
                     ints(args.mentions), args.parse_cache, args.src,
                     lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True),
                     args.shift_weeks)
    print("\n".join(render(real)))
    if args.json:
        args.json.write_text(json.dumps(real, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The worst single input we can build, end to end, in bounded time and memory.

    python bench/bounded.py [--mb 9] [--timeout 600] [--json OUT]

Writes one repetitive news text of ``--mb`` megabytes (one protest sentence repeated: under the
10 MB file limit, every sentence an event mention of the same day and place), then runs
``eventfuse run`` on it in a fresh SQLite store as a child process and reports its wall time,
peak RSS, and the mentions and events stored. Run it with ``PYTHONPATH=/tmp/old/src`` for the
figures of another source tree; a run over ``--timeout`` seconds is stopped and reported as such.
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SENTENCE = ("Thousands of protesters marched through Kabul on Tuesday to demand the release of "
            "detained activists, and police fired tear gas to disperse them, witnesses said. ")


def build_input(path: Path, megabytes: float) -> int:
    repeats = int(megabytes * 1_000_000) // len(SENTENCE.encode())
    path.write_text("Kabul, 14 March 2023\n\n" + SENTENCE * repeats, encoding="utf-8")
    return path.stat().st_size


def counts(db: Path) -> dict[str, int]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT (SELECT COUNT(*) FROM articles), "
                               "(SELECT COUNT(*) FROM mentions), "
                               "(SELECT COUNT(*) FROM events)").fetchone()
    except sqlite3.Error:
        return {}
    return dict(zip(("articles", "mentions", "events"), row, strict=True))


def run(megabytes: float, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="eventfuse-bounded-") as tmp:
        work = Path(tmp)
        text, db = work / "repetitive.txt", work / "bounded.db"
        size = build_input(text, megabytes)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "eventfuse", "--db", str(db), "-q", "run",
                                 str(text)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env={**os.environ})
        try:
            _out, err = proc.communicate(timeout=timeout)
            finished = True
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
            finished = False
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        notes = [line for line in err.decode(errors="replace").splitlines() if "parsed" in line]
        return {"input_bytes": size, "finished": finished, "exit_code": proc.returncode,
                "seconds": round(seconds, 1), "peak_rss_mb": round(peak),
                **counts(db), "notes": notes[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=9.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = run(args.mb, args.timeout)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

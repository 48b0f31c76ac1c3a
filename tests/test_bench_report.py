"""make bench rewrites only its own part of docs/benchmarks.md (bench/report.py merge_report)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from report import GENERATED_BEGIN, GENERATED_END, load_note, merge_report  # noqa: E402

NEW = "# Benchmarks\n\n## Per stage\n\nnew figures\n"


def test_a_new_file_is_the_generated_part_between_markers() -> None:
    merged = merge_report(NEW, None)
    assert merged.startswith(GENERATED_BEGIN) and merged.rstrip().endswith(GENERATED_END)
    assert "new figures" in merged


def test_hand_written_sections_outside_the_markers_are_kept() -> None:
    old = (f"{GENERATED_BEGIN}\n# Benchmarks\n\n## Per stage\n\nold figures\n{GENERATED_END}\n\n"
           "## Pages in SQL\n\nmeasured by hand\n")
    merged = merge_report(NEW, old)
    assert "old figures" not in merged and "new figures" in merged
    assert merged.endswith("## Pages in SQL\n\nmeasured by hand\n")
    assert merged.count(GENERATED_BEGIN) == 1 and merged.count(GENERATED_END) == 1
    assert merge_report(NEW, merged) == merged  # a second run changes nothing


def test_a_file_from_before_the_markers_keeps_the_sections_the_report_does_not_write() -> None:
    old = "# Benchmarks\n\n## Per stage\n\nold figures\n\n## Pages in SQL\n\nmeasured by hand\n"
    merged = merge_report(NEW, old)
    assert "old figures" not in merged
    assert merged.index(GENERATED_END) < merged.index("## Pages in SQL")
    assert "measured by hand" in merged


def test_the_load_note_says_above_the_core_count_only_when_it_is() -> None:
    assert load_note((2.4, 4.8, 6.4), 2).startswith("above the core count")
    assert load_note((1.5, 1.2, 1.1), 2).startswith("at most the core count")

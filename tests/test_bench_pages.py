"""bench/pages.py times event pages while another process writes into the same store (untimed
here: only that the pages are served and the writer really wrote meanwhile)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import pages  # noqa: E402

pytestmark = pytest.mark.slow  # a writer process starts and imports eventfuse


def test_pages_are_served_while_a_writer_process_writes() -> None:
    figures = pages.measure(200, reps=2, writing=True)
    assert set(pages.PAGE_KINDS) <= set(figures)
    assert figures["events_written_meanwhile"] >= 1000  # at least one writer transaction

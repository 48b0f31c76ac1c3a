"""Both cores (issue 19, part 1): ``--workers`` parses in several processes, each getting work,
and finds exactly what one process finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventfuse.cli import main
from eventfuse.nlp import pipe_chunk, pipe_processes

ARTICLES = Path(__file__).resolve().parents[1] / "examples" / "demo"


def test_a_chunk_gives_every_worker_several_batches() -> None:
    assert pipe_chunk(32, 1) == 32  # one process: one batch per nlp.pipe call, as before
    assert pipe_chunk(32, 2) == 256
    for workers in (2, 3, 8):
        chunk = pipe_chunk(32, workers)
        assert chunk // 32 >= 2 * workers
        assert pipe_processes(chunk, 32, workers) == workers


def test_no_process_is_started_without_a_batch_for_it() -> None:
    assert pipe_processes(1, 32, 8) == 1
    assert pipe_processes(32, 32, 2) == 1  # one batch: a second process would get nothing
    assert pipe_processes(33, 32, 2) == 2
    assert pipe_processes(0, 32, 2) == 1


def _extract(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, [*args, "extract", "--format", "jsonl", str(ARTICLES)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_two_workers_find_what_one_finds() -> None:
    # batch_size 1: the demo's articles make several batches, so both processes parse.
    one = _extract("--set", "batch_size=1", "--set", "n_process=1")
    two = _extract("--set", "batch_size=1", "--set", "n_process=2")
    assert one and one == two


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_must_be_a_positive_count(value: str) -> None:
    result = CliRunner().invoke(main, ["extract", "--workers", value, str(ARTICLES)])
    assert result.exit_code == 2
    assert "--workers" in result.stderr

"""The installed command leaves without the interpreter's teardown: same exit codes, same
output, every byte of it flushed, the store whole (``_Group.__call__``)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import needs_shared

SRC = Path(__file__).resolve().parents[1] / "src"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _environment() -> dict[str, str]:
    """This tree first on the path; stdout block-buffered into a pipe, as by default (an
    unbuffered stream would hide a missing flush)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    return env


def command(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = _environment()
    return subprocess.run([sys.executable, "-m", "eventfuse", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600, check=False)


def test_success_exits_zero_with_its_output() -> None:
    done = command("--version")
    assert done.returncode == 0
    assert "eventfuse" in done.stdout


def test_usage_errors_keep_their_exit_code_and_message() -> None:
    done = command("no-such-command")
    assert done.returncode == 2
    assert "No such command" in done.stderr


def test_eventfuse_errors_exit_one_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    done = command("--db", str(tmp_path / "x.db"), "ingest", str(missing))
    assert done.returncode != 0
    assert "missing.jsonl" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@needs_shared(SEEDS)
def test_a_run_stores_everything_and_a_large_output_reaches_the_pipe(tmp_path: Path) -> None:
    db = tmp_path / "seeds.db"
    ran = command("--quiet", "--db", str(db), "run", str(SEEDS))
    assert ran.returncode == 0, ran.stderr
    with sqlite3.connect(db) as conn:
        (events,) = conn.execute("SELECT count(*) FROM events").fetchone()
        (articles,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert events >= 1 and articles == 2
    exported = command("--db", str(db), "events", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(exported.stdout)) == events  # the whole document, flushed


def test_in_process_callers_keep_a_normal_exit() -> None:
    from click.testing import CliRunner

    from eventfuse.cli import main

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    with pytest.raises(SystemExit):  # main.main(...) still raises; only __call__ leaves early
        main.main(["--version"], prog_name="eventfuse")


def python(code: str) -> subprocess.CompletedProcess[str]:
    env = _environment()
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def test_buffered_output_is_flushed_before_leaving() -> None:
    done = python("import sys; from eventfuse.cli import _exit_at_once\n"
                  "sys.stdout.write('x' * 100); sys.stderr.write('note'); _exit_at_once(3)")
    assert done.returncode == 3
    assert done.stdout == "x" * 100  # held in the pipe's buffer: lost without the flush
    assert done.stderr == "note"


def test_a_message_exit_code_prints_it_and_exits_one() -> None:
    done = python("from eventfuse.cli import _exit_at_once; _exit_at_once('stopped: why')")
    assert done.returncode == 1
    assert done.stderr.strip() == "stopped: why"

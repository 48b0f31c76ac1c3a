"""Killing a child process in tests: a waited-for SIGKILL, and never an orphan left behind."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable


def sigkill_when(proc: subprocess.Popen[bytes], ready: Callable[[], None]) -> None:
    """Run ``ready`` (which waits until ``proc`` reached the point to kill it at), then SIGKILL
    ``proc`` and reap it; if ``ready`` fails, ``proc`` is killed all the same."""
    try:
        ready()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

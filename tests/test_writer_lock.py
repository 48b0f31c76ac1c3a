"""One writer across processes (issue 18): the read-fuse-write step holds a store-level lock
(SQLite BEGIN IMMEDIATE around the whole step, a PostgreSQL advisory lock), so a CLI run and an
API write can no longer both read, fuse and write the same events."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import eventfuse.fuse  # noqa: F401  (imported up front: fuse_all's lazy import takes seconds)
from eventfuse.engines.local import fuse_all
from eventfuse.settings import Options
from eventfuse.store import open_store

pytestmark = pytest.mark.issue(18)

# A writer process: wait for the go file, hold the writer lock for HOLD seconds, print when it got
# and released it (wall clock: the processes share it).
WRITER = """
import json, os, sys, time
from eventfuse.store import open_store
location, go, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
with open_store(location) as store:
    while not os.path.exists(go):
        time.sleep(0.005)
    with store.writer_lock():
        got = time.time()
        print("locked", flush=True)
        time.sleep(hold)
        released = time.time()
print(json.dumps([got, released]), flush=True)
"""


# The same with SQLite's own write lock, taken by a plain sqlite3 connection: what any other
# writer of the file holds while it writes.
RAW_SQLITE_WRITER = """
import json, os, sqlite3, sys, time
location, go, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
conn = sqlite3.connect(location, isolation_level=None)
while not os.path.exists(go):
    time.sleep(0.005)
conn.execute("BEGIN IMMEDIATE")
got = time.time()
print("locked", flush=True)
time.sleep(hold)
released = time.time()
conn.execute("COMMIT")
print(json.dumps([got, released]), flush=True)
"""


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return str(tmp_path / "shared.db")


def _writer(
    location: str, go: Path, hold: float, script: str = WRITER
) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, location, str(go), str(hold)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str]) -> list[float]:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    times: list[float] = json.loads(out.strip().splitlines()[-1])
    return times


def test_two_writer_processes_never_hold_the_lock_together(location: str, tmp_path: Path) -> None:
    open_store(location).close()  # schema created before the race
    go = tmp_path / "go"
    writers = [_writer(location, go, 0.5) for _ in range(2)]
    go.touch()
    first, second = sorted(_finish(w) for w in writers)
    assert first[1] <= second[0], f"both held the writer lock: {first} and {second}"


def test_fusion_reads_only_once_the_other_writer_is_done(location: str, tmp_path: Path) -> None:
    """Another process holds the lock (SQLite: any writer's BEGIN IMMEDIATE); this process's
    fuse_all must not even read until it is released (reading earlier is how both used to fuse
    the same events)."""
    go = tmp_path / "go"
    go.touch()
    reads: list[float] = []
    with open_store(location) as store:  # opened first: opening may write (migrations)
        # The step's first read: which mentions are new (fusion reads only their scope).
        unfused = store.unfused_mentions

        def timed_read(*args: Any, **kwargs: Any) -> Any:
            reads.append(time.time())
            return unfused(*args, **kwargs)

        store.unfused_mentions = timed_read  # type: ignore[method-assign]
        raw = RAW_SQLITE_WRITER if location.endswith(".db") else WRITER
        holder = _writer(location, go, 1.5, raw)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        fuse_all(store, Options())
    _got, released = _finish(holder)
    assert reads and reads[0] >= released, f"read at {reads[0]}, lock held until {released}"


def test_the_lock_is_reentrant_and_releases_on_error(location: str) -> None:
    with open_store(location) as store:
        with pytest.raises(RuntimeError), store.writer_lock(), store.writer_lock():
            raise RuntimeError("step failed")
        with store.writer_lock():  # released: taking it again does not wait
            assert store.count_articles() == 0


def test_sqlite_readers_of_the_same_store_do_not_wait_for_a_step(tmp_path: Path) -> None:
    """The API serves reads from other threads while a POST's fusion holds the lock: they read
    the last committed state through a second connection instead of queueing behind it."""
    import threading

    from eventfuse.records import Article

    with open_store(str(tmp_path / "api.db")) as store:
        store.add_articles([Article(id="a1", text="Committed before the step.")])
        inside, leave = threading.Event(), threading.Event()

        def step() -> None:
            with store.writer_lock():
                store.add_articles([Article(id="a2", text="Written inside the step.")])
                inside.set()
                leave.wait(10)

        worker = threading.Thread(target=step)
        worker.start()
        assert inside.wait(10)
        started = time.monotonic()
        seen = [a.id for a in store.get_articles()]
        waited = time.monotonic() - started
        leave.set()
        worker.join(10)
        assert seen == ["a1"] and waited < 5, (seen, waited)
        assert [a.id for a in store.get_articles()] == ["a1", "a2"]

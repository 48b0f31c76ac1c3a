"""The embedded SQLite backend: one file, WAL, one ``BEGIN IMMEDIATE`` transaction per write.

Discipline (as in Datasette and sqlite-utils): WAL so readers never block the writer, a busy
timeout so concurrent writers queue instead of failing, foreign keys ON so a mention can never
point at a missing article. ``BEGIN IMMEDIATE`` takes the file's one write lock up front, so
every kind of writer serializes (and no lock upgrade can deadlock).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

from eventfuse.errors import StoreError
from eventfuse.store.dialect import WRITER_STEP
from eventfuse.store.sql import SQLStore

DEFAULT_BUSY_TIMEOUT_SECONDS = 30.0
SQLITE_TYPES = {"key": "TEXT", "date": "TEXT", "flag": "INTEGER", "false": "0", "blob": "BLOB",
                "serial_key": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgres_only": "-- ",
                "sqlite_only": ""}
WRITER_WAIT_SECONDS = 3600.0  # how long a writer step waits for another process's step


@dataclass(frozen=True, slots=True)
class SQLiteDialect:
    """SQLite's part of the store (see :class:`~eventfuse.store.dialect.Dialect`); ``location``
    is the file's path."""

    location: str
    busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS
    name: ClassVar[str] = "sqlite"
    param: ClassVar[str] = "?"
    types: ClassVar[Mapping[str, str]] = SQLITE_TYPES
    trigram_index = True
    driver_error: ClassVar[type[Exception]] = sqlite3.Error
    # Articles' rowids grow as they are inserted and are never renumbered (no VACUUM).
    ingest_order: ClassVar[str] = "rowid"
    # The file has one write lock: a writer step holds it on the store's connection.
    shared_step: ClassVar[bool] = True

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.location,
            timeout=self.busy_timeout_seconds,
            isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
            check_same_thread=False,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_seconds * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            self._enable_wal(conn)
            # With WAL, NORMAL is durable against application crashes and much faster than FULL.
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        return conn

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL (persistent in the file). The switch ignores the busy timeout, so when
        two processes create one new database at once the loser retries until the deadline."""
        deadline = time.monotonic() + self.busy_timeout_seconds
        pause = 0.005
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                if mode.lower() in ("wal", "memory"):  # ":memory:" databases cannot use WAL
                    return
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def connect_reader(self) -> sqlite3.Connection | None:
        # An in-memory database is seen by its one connection only.
        return None if self.location in ("", ":memory:") else self.connect()

    def usable(self, conn: sqlite3.Connection) -> sqlite3.Connection:
        return conn  # a file has no server to drop the connection

    def describe(self, exc: Exception) -> str:
        return str(exc)

    @contextmanager
    def write(self, conn: sqlite3.Connection, lock: str) -> Iterator[None]:
        """The file's one write lock, taken up front; ``lock`` (the kind of write) needs no
        other. A writer step waits up to :data:`WRITER_WAIT_SECONDS` for another process's
        step, past the busy timeout."""
        _begin_immediate(conn, WRITER_WAIT_SECONDS if lock == WRITER_STEP else 0.0)
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def read(self, conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("BEGIN")
        try:
            yield
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def executemany(
        self, conn: sqlite3.Connection, statement: str, rows: Sequence[Sequence[Any]]
    ) -> None:
        conn.executemany(statement, rows)

    def date(self, value: dt.date | None) -> str | None:
        return value.isoformat() if value is not None else None

    def read_date(self, value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    def has_table(self, conn: sqlite3.Connection, table: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            (table,)).fetchone() is not None

    def run_script(self, conn: sqlite3.Connection, script: str) -> None:
        for statement in split_statements(script):
            conn.execute(statement)

    def tables(self, conn: sqlite3.Connection) -> list[str]:
        # Not the full-text index (a virtual table and its shadow tables): it is derived from
        # the events table, and its pages depend on the order of past writes.
        return sorted(row[1] for row in conn.execute("PRAGMA main.table_list").fetchall()
                      if row[2] == "table" and not row[1].startswith("sqlite_"))

    def integrity_problems(self, conn: sqlite3.Connection) -> Iterator[str]:
        """SQLite's integrity check, then its foreign-key check."""
        for (problem,) in conn.execute("PRAGMA integrity_check").fetchall():
            if problem != "ok":
                yield problem
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
            yield f"{table} row {rowid}: no {parent} row it refers to"


class SQLiteStore(SQLStore):
    """The store in one SQLite file (or ``":memory:"``); option: ``busy_timeout_seconds``."""

    dialect_class = SQLiteDialect


def split_statements(script: str) -> list[str]:
    """The statements of an SQL script, so each runs inside our transaction.

    (``executescript`` would COMMIT first, breaking the all-or-nothing migration.)
    """
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and not _only_comments(pending):
        raise StoreError(f"incomplete SQL statement in migration: {pending.strip()[:80]!r}")
    return statements


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def _begin_immediate(conn: sqlite3.Connection, wait_seconds: float) -> None:
    """BEGIN IMMEDIATE, retried past the busy timeout until ``wait_seconds`` have passed: a
    fusion step of another process may hold the lock for longer than one timeout."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise

"""What one SQL backend does its own way, as a small object the one SQL store is written over.

Everything else (the tables, every query, upserts as ``INSERT ... ON CONFLICT ... DO UPDATE``,
which SQLite and PostgreSQL spell alike) lives once in :mod:`eventfuse.store.sql`. A dialect
says: how to connect and name driver errors, its parameter style, its column types (filled into
the shipped migrations), how a write transaction locks, where a writer step holds its lock, how
a migration script runs, and the catalog queries of ``dump`` and ``integrity_check``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

# The column types each migration names by placeholder ({key}, {date}, ...): see migrations/.
# {postgres_only} starts a line only PostgreSQL runs (SQLite's text is a comment mark).
# {sqlite_only} likewise starts a line only SQLite runs.
TYPE_NAMES = ("key", "date", "flag", "false", "blob", "serial_key", "postgres_only",
              "sqlite_only")
# The lock name of a writer step (Store.writer_lock): one per database, across processes.
WRITER_STEP = "writer"


class Connection(Protocol):
    """The part of a DB-API connection the store uses (sqlite3 and psycopg both have it)."""

    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...

    def close(self) -> None: ...


C = TypeVar("C", bound=Connection)


class Dialect(Protocol[C]):
    """One backend. ``location`` names the database in messages (never with a password)."""

    @property
    def name(self) -> str: ...

    @property
    def location(self) -> str: ...

    @property
    def param(self) -> str:
        """Placeholder of one bound parameter in the store's SQL ("?"; "%s" for psycopg)."""
        ...

    @property
    def driver_error(self) -> type[Exception]:
        """The base class of the driver's errors, each of which leaves the store as a
        :class:`~eventfuse.errors.StoreError` worded by :meth:`describe`."""
        ...

    def describe(self, exc: Exception) -> str: ...

    @property
    def types(self) -> Mapping[str, str]:
        """The SQL type per name of :data:`TYPE_NAMES`, filled into the migrations."""
        ...

    @property
    def trigram_index(self) -> bool:
        """Whether the ``events_search`` trigram index (SQLite's FTS5, migration 0005) exists
        to narrow the actor and text filters."""
        ...

    @property
    def ingest_order(self) -> str:
        """The column of ``articles`` numbering rows in the order they were stored (SQLite: its
        rowid; PostgreSQL: ``ingest_seq``, migration 0004)."""
        ...

    @property
    def shared_step(self) -> bool:
        """Whether a writer step is one transaction of the store's connection, which the step's
        calls join (SQLite: the file has one write lock, so the step must hold it); otherwise the
        step holds its lock in a transaction of a connection of its own and its calls commit as
        usual (PostgreSQL: an advisory lock)."""
        ...

    def connect(self) -> C: ...

    def connect_reader(self) -> C | None:
        """A second connection for other threads' reads while a shared step holds the store's
        connection; None when no other connection sees the same database (":memory:")."""
        ...

    def usable(self, conn: C) -> C:
        """``conn``, or a new connection when the server dropped it."""
        ...

    def write(self, conn: C, lock: str) -> AbstractContextManager[None]:
        """One all-or-nothing write transaction; writers of ``lock`` ("articles", "mentions",
        "events", "migrations", ...) serialize across processes. Writers of
        :data:`WRITER_STEP` (a fusion step) may wait much longer than others."""
        ...

    def read(self, conn: C) -> AbstractContextManager[None]:
        """A read transaction: its queries see one consistent snapshot."""
        ...

    def executemany(self, conn: C, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def date(self, value: Any) -> Any:
        """A ``datetime.date`` (or None) as this backend's date column takes it."""
        ...

    def read_date(self, value: Any) -> Any:
        """A date column's value as a ``datetime.date`` (or None)."""
        ...

    def has_table(self, conn: C, table: str) -> bool: ...

    def run_script(self, conn: C, script: str) -> None:
        """Every statement of a migration script, inside the current transaction."""
        ...

    def tables(self, conn: C) -> list[str]:
        """This database's own tables, sorted by code point."""
        ...

    def integrity_problems(self, conn: C) -> Iterator[str]:
        """Dangling foreign keys and damaged structures, one line each."""
        ...

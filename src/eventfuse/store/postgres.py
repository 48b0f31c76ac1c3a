"""The PostgreSQL backend, for many concurrent writers.

Discipline: one transaction per call (psycopg rolls back on any error), reads in one REPEATABLE
READ snapshot, and a transaction-scoped advisory lock per kind of write (articles, mentions,
events, migrations...) so that two processes' check-then-write steps never interleave while
writers of different kinds still run side by side. Every ``psycopg`` error leaves as a
:class:`StoreError` naming the database (password removed) and the problem.

The schema lives in the connection's ``search_path``: ``?options=-csearch_path%3Dname`` in the
URL selects a schema, which is how tests get a clean database each.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql

from eventfuse.store.sql import SQLStore

DEFAULT_CONNECT_TIMEOUT_SECONDS = 10
# First key of the two-key advisory locks ("ef" in ASCII); the second is per schema and purpose,
# so two eventfuse databases in one PostgreSQL database never wait for each other.
_LOCK_CLASS = 0x6566
_DRIVER_SCHEME = re.compile(r"^(postgres(?:ql)?)\+[a-z0-9_]+://", re.IGNORECASE)
POSTGRES_TYPES = {"key": 'TEXT COLLATE "C"', "date": "DATE", "flag": "BOOLEAN", "false": "FALSE",
                  "blob": "BYTEA", "serial_key": "BIGSERIAL PRIMARY KEY", "postgres_only": "",
                  "sqlite_only": "-- "}


def libpq_url(url: str) -> str:
    """``url`` as libpq reads it: SQLAlchemy-style ``postgresql+psycopg://`` loses its driver."""
    return _DRIVER_SCHEME.sub(r"\1://", url)


def redact_url(url: str) -> str:
    """``url`` without its password (in the user part or the query), for messages and logs."""
    parts = urlsplit(libpq_url(url))
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query)
                       if key.lower() != "password"], safe="=-")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class PostgresDialect:
    """PostgreSQL's part of the store: see :class:`~eventfuse.store.dialect.Dialect`."""

    name = "postgres"
    param = "%s"
    types = POSTGRES_TYPES
    driver_error = psycopg.Error
    ingest_order = "ingest_seq"  # an identity column (migration 0004)
    trigram_index = False  # the LIKE filters scan the events table's text columns
    # A writer step's advisory lock lives in a transaction of its own connection; the step's
    # calls run in their own transactions as usual.
    shared_step = False

    def __init__(
        self, url: str, connect_timeout_seconds: int = DEFAULT_CONNECT_TIMEOUT_SECONDS
    ) -> None:
        self.location = redact_url(url)
        self._url = libpq_url(url)
        self._connect_timeout_seconds = connect_timeout_seconds

    def connect(self) -> psycopg.Connection[Any]:
        # Autocommit: every transaction is an explicit ``conn.transaction()`` block below.
        return psycopg.connect(
            self._url, autocommit=True, connect_timeout=self._connect_timeout_seconds
        )

    def connect_reader(self) -> psycopg.Connection[Any]:
        return self.connect()

    def usable(self, conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
        """A new connection once the server dropped this one (restart, failover, idle timeout):
        a long-running web server then fails one call, not every call after it."""
        return self.connect() if conn.broken else conn

    def describe(self, exc: Exception) -> str:
        return describe_error(exc) if isinstance(exc, psycopg.Error) else str(exc)

    @contextmanager
    def write(self, conn: psycopg.Connection[Any], lock: str) -> Iterator[None]:
        with conn.transaction():
            # Held until commit; this schema's writers of the same kind wait for it.
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema() || '/' || %s))",
                (_LOCK_CLASS, lock),
            )
            yield

    @contextmanager
    def read(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    def executemany(
        self, conn: psycopg.Connection[Any], statement: str, rows: Sequence[Sequence[Any]]
    ) -> None:
        with conn.cursor() as cursor:
            cursor.executemany(statement, rows)  # pipelined: no round trip per row

    def date(self, value: dt.date | None) -> dt.date | None:
        return value

    def read_date(self, value: dt.date | None) -> dt.date | None:
        return value

    def has_table(self, conn: psycopg.Connection[Any], table: str) -> bool:
        found = conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()
        return found is not None and found[0] is not None

    def run_script(self, conn: psycopg.Connection[Any], script: str) -> None:
        # DDL is transactional in PostgreSQL: a failing migration leaves no trace.
        conn.execute(script.encode("utf-8"))  # bytes: sent as is, no placeholders

    def tables(self, conn: psycopg.Connection[Any]) -> list[str]:
        return [row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            'ORDER BY table_name COLLATE "C"'
        ).fetchall()]

    def integrity_problems(self, conn: psycopg.Connection[Any]) -> Iterator[str]:
        """Rows whose foreign key points nowhere (possible after a constraint was dropped or
        added NOT VALID), unvalidated constraints, invalid indexes (a failed concurrent build)."""
        for name, table in conn.execute(_UNVALIDATED_SQL).fetchall():
            yield f"constraint {name} on {table} is not validated"
        for name, table in conn.execute(_INVALID_INDEX_SQL).fetchall():
            yield f"index {name} on {table} is invalid"
        for table, columns, parent, parent_columns in conn.execute(_FOREIGN_KEYS_SQL).fetchall():
            for key in conn.execute(_dangling_sql(table, columns, parent, parent_columns)):
                yield f"{table} row ({_key_text(columns, key)}): no {parent} row it refers to"


class PostgresStore(SQLStore):
    """The store in a PostgreSQL database (``postgresql://`` URL); option:
    ``connect_timeout_seconds``."""

    dialect_class = PostgresDialect


def describe_error(exc: psycopg.Error) -> str:
    """One line for a psycopg error; a foreign-key violation is named as SQLite names it, so
    callers (and tests) recognise it whatever the backend."""
    primary = exc.diag.message_primary if exc.diag else None
    text = " ".join((primary or str(exc) or type(exc).__name__).split())
    detail = exc.diag.message_detail if exc.diag else None
    if detail:
        text += f" ({' '.join(detail.split())})"
    if isinstance(exc, pg_errors.ForeignKeyViolation):
        return f"FOREIGN KEY constraint failed: {text}"
    return text


_UNVALIDATED_SQL = (
    "SELECT c.conname, t.relname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
    "WHERE t.relnamespace = current_schema()::regnamespace AND NOT c.convalidated "
    'ORDER BY t.relname COLLATE "C", c.conname COLLATE "C"'
)
_INVALID_INDEX_SQL = (
    "SELECT i.relname, t.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
    "JOIN pg_class t ON t.oid = x.indrelid "
    "WHERE t.relnamespace = current_schema()::regnamespace AND NOT x.indisvalid "
    'ORDER BY t.relname COLLATE "C", i.relname COLLATE "C"'
)
# Each foreign key of this schema with its columns in key order, to look for dangling rows.
_FOREIGN_KEYS_SQL = (
    "SELECT t.relname, "
    " array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, pos) "
    "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.pos), "
    " p.relname, "
    " array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, pos) "
    "  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.pos) "
    "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
    "JOIN pg_class p ON p.oid = c.confrelid "
    "WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace "
    'ORDER BY t.relname COLLATE "C", c.conname COLLATE "C"'
)


def _dangling_sql(
    table: str, columns: Sequence[str], parent: str, parent_columns: Sequence[str]
) -> sql.Composed:
    """The key values of ``table`` rows whose (non-null) foreign key matches no ``parent`` row."""
    child_cols = [sql.SQL("c.{}").format(sql.Identifier(column)) for column in columns]
    matches = sql.SQL(" AND ").join(
        sql.SQL("p.{} = c.{}").format(sql.Identifier(p_col), sql.Identifier(c_col))
        for p_col, c_col in zip(parent_columns, columns, strict=True)
    )
    not_null = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(col) for col in child_cols)
    return sql.SQL(
        "SELECT {cols} FROM {table} c WHERE {not_null} "
        "AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches}) ORDER BY {cols}"
    ).format(cols=sql.SQL(", ").join(child_cols), table=sql.Identifier(table),
             not_null=not_null, parent=sql.Identifier(parent), matches=matches)


def _key_text(columns: Sequence[str], key: Sequence[Any]) -> str:
    return ", ".join(f"{column}={value}" for column, value in zip(columns, key, strict=True))

"""The store: where articles, mentions and events persist between runs.

``open_store()`` picks the backend from the database location: a file path (or ``:memory:``) is
SQLite; a ``postgresql://`` (or ``postgres://``, ``postgresql+driver://``) URL is PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from eventfuse.errors import StoreError
from eventfuse.store.base import (
    AddResult,
    ArticleFilter,
    ArticleStore,
    ChangeStore,
    EventFilter,
    EventStore,
    FetchStateStore,
    MentionStore,
    SignatureEntry,
    Store,
)
from eventfuse.store.sqlite import SQLiteStore

__all__ = ["AddResult", "ArticleFilter", "ArticleStore", "ChangeStore", "EventFilter", "EventStore",
           "FetchStateStore", "MentionStore", "SQLiteStore", "SignatureEntry", "Store",
           "StoreError", "open_store", "resolve_db"]

DEFAULT_DB = "eventfuse.db"
ENV_VAR = "EVENTFUSE_DB"
_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+")


def resolve_db(db: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The database location: the explicit argument, else ``$EVENTFUSE_DB``, else ./eventfuse.db."""
    if db:
        return db
    env = os.environ if environ is None else environ
    return env.get(ENV_VAR) or DEFAULT_DB


def open_store(db: str | None = None) -> Store:
    """Open (creating and migrating as needed) the store at ``db``; see :func:`resolve_db`."""
    location = resolve_db(db)
    if location.lower().startswith(_POSTGRES_SCHEMES):
        # Imported here: psycopg loads only when a PostgreSQL database is actually used.
        from eventfuse.store.postgres import PostgresStore

        return PostgresStore(location)
    return SQLiteStore(location)

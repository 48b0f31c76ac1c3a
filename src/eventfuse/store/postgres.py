"""The PostgreSQL store: the same contract as the SQLite store, for many concurrent writers.

Discipline: one transaction per call (``BEGIN`` … ``COMMIT``, ``ROLLBACK`` on any error), reads
in one REPEATABLE READ snapshot, bulk writes as one ``unnest`` statement per table (no per-row
round trips, no parameter limits), ``ON CONFLICT`` so two processes adding one article never
collide, and a transaction-scoped advisory lock around event writes and migrations so fusion
runs and schema upgrades from several processes serialize. Every ``psycopg`` error leaves this
module as a :class:`StoreError` naming the database (password removed) and the problem.

The schema lives in the connection's ``search_path``: ``?options=-csearch_path%3Dname`` in the
URL selects a schema, which is how tests get a clean database each.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql

from eventfuse.changes import Change, utc_now
from eventfuse.errors import StoreError
from eventfuse.fetch.state import FetchState
from eventfuse.records import Article, Event, Mention, from_dict, to_dict
from eventfuse.store.base import AddResult, EventFilter, SignatureEntry
from eventfuse.store.schema import MIGRATIONS_TABLE, Migration, load_migrations
from eventfuse.store.sqlite import fetch_state_row, replace_change

R = TypeVar("R")

DEFAULT_CONNECT_TIMEOUT_SECONDS = 10
# First key of the two-key advisory locks ("ef" in ASCII); the second is per schema and purpose,
# so two eventfuse databases in one PostgreSQL database never wait for each other.
_LOCK_CLASS = 0x6566
_MIGRATION_LOCK = "migrations"
_EVENTS_LOCK = "events"
_DRIVER_SCHEME = re.compile(r"^(postgres(?:ql)?)\+[a-z0-9_]+://", re.IGNORECASE)


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


class PostgresStore:
    """A :class:`~eventfuse.store.base.Store` in a PostgreSQL database (``postgresql://`` URL)."""

    def __init__(
        self,
        url: str,
        *,
        migrations: Sequence[Migration] | None = None,
        connect_timeout_seconds: int = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        self.location = redact_url(url)
        self._url = libpq_url(url)
        self._connect_timeout_seconds = connect_timeout_seconds
        self._closed = False
        # Shared by the web server's worker threads; the lock serializes use of the connection.
        self._lock = threading.RLock()
        self._writer = threading.RLock()  # writer_lock: re-entrant within a thread
        self._writer_depth = 0
        self._conn = self._connect()
        try:
            chosen = load_migrations(folder="migrations_pg") if migrations is None else migrations
            self._migrate(list(chosen))
        except BaseException:
            self._conn.close()
            raise

    # --- connection and transactions ---------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        with self._errors():
            # Autocommit: every transaction is an explicit ``conn.transaction()`` block below.
            return psycopg.connect(
                self._url, autocommit=True, connect_timeout=self._connect_timeout_seconds
            )

    def _connection(self) -> psycopg.Connection[Any]:
        """The connection, re-opened once the server dropped it (restart, failover, idle
        timeout): a long-running web server then fails one call, not every call after it."""
        if self._conn.broken and not self._closed:
            self._conn = self._connect()
        return self._conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            raise StoreError(f"{self.location}: {describe_error(exc)}") from exc

    @contextmanager
    def _write(self) -> Iterator[psycopg.Connection[Any]]:
        """One write transaction: all or nothing (psycopg rolls back when the block raises)."""
        with self._lock, self._errors():
            conn = self._connection()
            with conn.transaction():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[psycopg.Connection[Any]]:
        """A read snapshot: several queries see one consistent state of the database."""
        with self._lock, self._errors():
            conn = self._connection()
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield conn

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold this schema's writer lock (``pg_advisory_xact_lock``) around a read-modify-write
        step: another process's step waits until this one ends. The lock lives in a transaction
        of its own connection; the step's store calls run as usual. Re-entrant."""
        with self._writer:
            if self._writer_depth:
                self._writer_depth += 1
                try:
                    yield
                finally:
                    self._writer_depth -= 1
                return
            with self._errors(), self._connect() as holder, holder.transaction():
                self._advisory_lock(holder, "writer")
                self._writer_depth = 1
                try:
                    yield
                finally:
                    self._writer_depth = 0

    def _advisory_lock(self, conn: psycopg.Connection[Any], purpose: str) -> None:
        """Wait for, then hold until commit, this schema's lock for ``purpose``."""
        conn.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema() || '/' || %s))",
            (_LOCK_CLASS, purpose),
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- migrations ----------------------------------------------------------------------------

    def _migrate(self, migrations: list[Migration]) -> None:
        # Cheap check first, so opening an up-to-date database takes no lock.
        with self._read() as conn:
            applied = self._applied_versions(conn)
        if not self._pending(migrations, applied):
            return
        with self._write() as conn:
            self._advisory_lock(conn, _MIGRATION_LOCK)
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
                '(version TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL)'
            )
            # Re-read inside the lock: another process may have migrated meanwhile.
            for migration in self._pending(migrations, self._applied_versions(conn)):
                # DDL is transactional in PostgreSQL: a failing migration leaves no trace.
                conn.execute(migration.sql.encode("utf-8"))  # bytes: sent as is, no placeholders
                conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )

    def _applied_versions(self, conn: psycopg.Connection[Any]) -> set[str]:
        found = conn.execute("SELECT to_regclass(%s)", (MIGRATIONS_TABLE,)).fetchone()
        if found is None or found[0] is None:
            return set()
        rows = conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE}").fetchall()
        return {row[0] for row in rows}

    def _pending(self, migrations: list[Migration], applied: set[str]) -> list[Migration]:
        known = {m.version for m in migrations}
        unknown = sorted(applied - known)
        if unknown:
            raise StoreError(
                f"{self.location}: schema version {unknown[-1]} is newer than this eventfuse "
                f"(knows up to {max(known, default='none')}); upgrade eventfuse"
            )
        return [m for m in migrations if m.version not in applied]

    def applied_migrations(self) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT version, name FROM {MIGRATIONS_TABLE} ORDER BY version"
            ).fetchall()
        return [f"{version}_{name}" for version, name in rows]

    # --- articles ------------------------------------------------------------------------------

    def add_articles(
        self, articles: Sequence[Article], signatures: Mapping[str, bytes] | None = None
    ) -> AddResult:
        """Insert the articles not stored yet (by id); an existing article is left untouched."""
        unique: dict[str, Article] = {}
        for article in articles:
            unique.setdefault(article.id, article)
        rows = [_article_row(article, self._encode("article", article.id, article))
                for article in unique.values()]
        signature_rows = [(article_id, bytes(blob))
                          for article_id, blob in sorted((signatures or {}).items())]
        with self._write() as conn:
            # RETURNING names exactly the rows this call inserted, even when another process
            # inserts some of the same ids at the same moment (its rows count as existing).
            inserted = conn.execute(
                "INSERT INTO articles (id, url, outlet, title, published, copy_of, json) "
                "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], "
                "%s::date[], %s::text[], %s::text[]) ON CONFLICT (id) DO NOTHING RETURNING id",
                _columns(rows, 7),
            ).fetchall()
            conn.execute(
                "INSERT INTO article_signatures (article_id, signature) "
                "SELECT * FROM unnest(%s::text[], %s::bytea[]) "
                "ON CONFLICT (article_id) DO NOTHING",
                _columns(signature_rows, 2),
            )
        stored = set(unique) - {row[0] for row in inserted}
        return _add_result([article.id for article in articles], stored)

    def existing_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored already (cheap: no record is decoded)."""
        with self._read() as conn:
            rows = conn.execute("SELECT id FROM articles WHERE id = ANY(%s::text[])",
                                (list(dict.fromkeys(ids)),)).fetchall()
        return {row[0] for row in rows}

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """The stored articles (all, or those of ``ids`` that exist), ordered by id."""
        return self._records(Article, "articles", "id", ids, order="id")

    def get_article(self, article_id: str) -> Article | None:
        found = self.get_articles([article_id])
        return found[0] if found else None

    def article_signatures(self) -> dict[str, bytes]:
        return {e.article_id: e.signature for e in self.signature_entries()}

    def signature_entries(self) -> list[SignatureEntry]:
        """Every signed article in ingestion order (the near-duplicate index's tie-break)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT s.article_id, s.signature, a.published, a.copy_of FROM article_signatures s"
                " JOIN articles a ON a.id = s.article_id ORDER BY a.ingest_seq"
            ).fetchall()
        return [SignatureEntry(article_id, bytes(blob), published, copy_of)
                for article_id, blob, published, copy_of in rows]

    def count_articles(self) -> int:
        with self._read() as conn:
            row = conn.execute("SELECT COUNT(*) FROM articles").fetchone()
        return int(row[0]) if row else 0

    def articles_without_mentions(self) -> list[str]:
        """Ids of articles never extracted (an extraction with zero mentions still counts)."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT a.id FROM articles a LEFT JOIN extracted x ON x.article_id = a.id "
                "WHERE x.article_id IS NULL ORDER BY a.id"
            ).fetchall()
        return [row[0] for row in rows]

    # --- mentions ------------------------------------------------------------------------------

    def put_mentions(self, article_ids: Iterable[str], mentions: Sequence[Mention]) -> None:
        """Replace the mentions of ``article_ids`` with ``mentions`` and mark them extracted.

        Mentions kept under the same id are updated in place, so their event links survive a
        re-extraction; mentions no longer produced are deleted (with their event links).
        """
        targets = list(dict.fromkeys(article_ids))
        rows = mention_rows(self.location, set(targets), mentions, self._encode)
        new_ids = [row[0] for row in rows]
        with self._write() as conn:
            self._refuse_foreign_mentions(conn, rows)
            conn.execute(
                "DELETE FROM mentions WHERE article_id = ANY(%s::text[]) "
                "AND NOT (id = ANY(%s::text[]))",
                (targets, new_ids),
            )
            # The WHERE keeps a mention from moving to another article even if a concurrent
            # writer stored it between the check above and this statement.
            updated = conn.execute(
                "INSERT INTO mentions (id, article_id, seq, type, json) "
                "SELECT * FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[], %s::text[]) "
                "ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, "
                "seq = excluded.seq, type = excluded.type, json = excluded.json "
                "WHERE mentions.article_id = excluded.article_id RETURNING id",
                _columns(rows, 5),
            ).fetchall()
            if len(updated) != len(rows):
                self._refuse_foreign_mentions(conn, rows)
            conn.execute(
                "INSERT INTO extracted (article_id) SELECT unnest(%s::text[]) "
                "ON CONFLICT (article_id) DO NOTHING",
                (targets,),
            )

    def _refuse_foreign_mentions(
        self, conn: psycopg.Connection[Any], rows: Sequence[tuple[str, str, int, str, str]]
    ) -> None:
        owners = dict(conn.execute(
            "SELECT id, article_id FROM mentions WHERE id = ANY(%s::text[])",
            ([row[0] for row in rows],),
        ).fetchall())
        for row in rows:
            owner = owners.get(row[0])
            if owner is not None and owner != row[1]:
                raise StoreError(f"{self.location}: mention {row[0]} already belongs to "
                                 f"article {owner}, not {row[1]}")

    def get_mentions(self, article_ids: Iterable[str] | None = None) -> list[Mention]:
        """Mentions (all, or of ``article_ids``), by article id then reading order."""
        return self._records(Mention, "mentions", "article_id", article_ids,
                             order="article_id, seq, id")

    def get_mention(self, mention_id: str) -> Mention | None:
        found = self._records(Mention, "mentions", "id", [mention_id], order="id")
        return found[0] if found else None

    def unfused_mentions(self) -> list[Mention]:
        """Mentions no event links (new since the last fusion), by article id then reading order."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT json FROM mentions m WHERE NOT EXISTS "
                "(SELECT 1 FROM event_mentions l WHERE l.mention_id = m.id) "
                "ORDER BY article_id, seq, id"
            ).fetchall()
        return [self._decode(Mention, "mentions", row[0]) for row in rows]

    # --- events --------------------------------------------------------------------------------

    def put_events(self, events: Sequence[Event], removed_event_ids: Iterable[str] = ()) -> None:
        """Upsert ``events`` with their mention links and delete ``removed_event_ids``, atomically.

        An event that links a mention the store does not hold is refused (foreign key) and the
        whole call is rolled back. Event writes of concurrent processes are serialized.
        """
        ids = [event.id for event in events]
        if len(set(ids)) != len(ids):
            raise StoreError(f"{self.location}: an event id is given twice in one put_events call")
        rows = [_event_row(event, self._encode("event", event.id, event)) for event in events]
        links = [(event.id, mention_id)
                 for event in events for mention_id in dict.fromkeys(event.mention_ids)]
        removed = sorted(set(removed_event_ids) - set(ids))
        with self._write() as conn:
            # A merge reads then rewrites several events: one writer at a time.
            self._advisory_lock(conn, _EVENTS_LOCK)
            conn.execute("DELETE FROM events WHERE id = ANY(%s::text[])", (removed,))
            conn.execute(
                "INSERT INTO events (id, type, date_start, date_end, country, disputed, json) "
                "SELECT * FROM unnest(%s::text[], %s::text[], %s::date[], %s::date[], "
                "%s::text[], %s::boolean[], %s::text[]) ON CONFLICT (id) DO UPDATE SET "
                "type = excluded.type, date_start = excluded.date_start, "
                "date_end = excluded.date_end, country = excluded.country, "
                "disputed = excluded.disputed, json = excluded.json",
                _columns(rows, 7),
            )
            conn.execute("DELETE FROM event_mentions WHERE event_id = ANY(%s::text[])", (ids,))
            conn.execute(
                "INSERT INTO event_mentions (event_id, mention_id) "
                "SELECT * FROM unnest(%s::text[], %s::text[])",
                _columns(links, 2),
            )

    def get_events(self, where: EventFilter | None = None) -> list[Event]:
        """Events matching ``where`` (all when None), ordered by id."""
        clauses, params = _event_filter_sql(where or EventFilter())
        query = "SELECT json FROM events"
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        with self._read() as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [self._decode(Event, "events", row[0]) for row in rows]

    def get_event(self, event_id: str) -> Event | None:
        found = self._records(Event, "events", "id", [event_id], order="id")
        return found[0] if found else None

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]:
        """The events linking any of ``mention_ids``, each once, ordered by id."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT e.json FROM events e WHERE EXISTS (SELECT 1 FROM event_mentions l "
                "WHERE l.event_id = e.id AND l.mention_id = ANY(%s::text[])) ORDER BY e.id",
                (list(dict.fromkeys(mention_ids)),),
            ).fetchall()
        return [self._decode(Event, "events", row[0]) for row in rows]

    # --- live monitoring (migration 0002) -------------------------------------------------------

    def record_changes(self, changes: Sequence[Change]) -> None:
        """Append ``changes`` to the change log, in order, in one transaction."""
        rows = [(c.at or utc_now(), c.event_id, c.kind, c.article_id,
                 self._encode("change", c.event_id, c)) for c in changes]
        if not rows:
            return
        with self._write() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO changes (at, event_id, kind, article_id, json) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )

    def get_changes(self, since: str | None = None) -> list[Change]:
        """Changes recorded after ``since`` (UTC ISO text; all when None), oldest first."""
        query = "SELECT seq, at, json FROM changes"
        params: list[Any] = []
        if since is not None:
            query += " WHERE at > %s"
            params.append(since)
        with self._read() as conn:
            rows = conn.execute(query + " ORDER BY seq", params).fetchall()
        return [replace_change(self._decode(Change, "changes", text), seq, at)
                for seq, at, text in rows]

    def get_fetch_state(self, url: str) -> FetchState | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT url, etag, last_modified, fetched_at, entry_updated, article_id, "
                "content_sha256 FROM fetch_state WHERE url = %s", (url,)
            ).fetchone()
        return FetchState(*row) if row else None

    def put_fetch_state(self, state: FetchState) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO fetch_state (url, etag, last_modified, fetched_at, entry_updated, "
                "article_id, content_sha256) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, fetched_at = excluded.fetched_at, "
                "entry_updated = excluded.entry_updated, article_id = excluded.article_id, "
                "content_sha256 = excluded.content_sha256",
                fetch_state_row(state),
            )

    def revise_article(self, article: Article, signature: bytes | None = None) -> int:
        """Replace a stored article by its new version (same id), keeping the old one as a
        revision, and mark it for re-extraction. Returns the revision number kept."""
        json_text = self._encode("article", article.id, article)
        with self._write() as conn:
            row = conn.execute("SELECT json FROM articles WHERE id = %s FOR UPDATE",
                               (article.id,)).fetchone()
            if row is None:
                raise StoreError(f"{self.location}: no article {article.id} to revise")
            found = conn.execute(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM article_revisions "
                "WHERE article_id = %s", (article.id,)).fetchone()
            number = int(found[0]) if found else 1
            conn.execute("INSERT INTO article_revisions (article_id, revision, replaced_at, json) "
                         "VALUES (%s, %s, %s, %s)", (article.id, number, utc_now(), row[0]))
            values = _article_row(article, json_text)
            conn.execute("UPDATE articles SET url = %s, outlet = %s, title = %s, "
                         "published = %s, copy_of = %s, json = %s WHERE id = %s",
                         (*values[1:], article.id))
            if signature is not None:
                conn.execute("INSERT INTO article_signatures (article_id, signature) "
                             "VALUES (%s, %s) ON CONFLICT (article_id) DO UPDATE "
                             "SET signature = excluded.signature", (article.id, bytes(signature)))
            conn.execute("DELETE FROM extracted WHERE article_id = %s", (article.id,))
        return number

    def article_revisions(self, article_id: str) -> list[Article]:
        """The replaced versions of an article, oldest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT json FROM article_revisions WHERE article_id = %s "
                                "ORDER BY revision", (article_id,)).fetchall()
        return [self._decode(Article, "article_revisions", row[0]) for row in rows]

    # --- housekeeping --------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Row counts for summaries: articles, wire copies, mentions, events, disputed events."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT (SELECT COUNT(*) FROM articles),"
                " (SELECT COUNT(*) FROM articles WHERE copy_of IS NOT NULL),"
                " (SELECT COUNT(*) FROM mentions),"
                " (SELECT COUNT(*) FROM events),"
                " (SELECT COUNT(*) FROM events WHERE disputed)"
            ).fetchone()
        names = ("articles", "copies", "mentions", "events", "disputed_events")
        return dict(zip(names, (int(value) for value in row or ()), strict=True))

    def integrity_check(self) -> list[str]:
        """Problems in this schema: rows whose foreign key points nowhere (possible after a
        constraint was dropped or added NOT VALID), unvalidated constraints, invalid indexes
        (a failed concurrent build). Empty when healthy."""
        with self._read() as conn:
            problems = [f"constraint {name} on {table} is not validated"
                        for name, table in conn.execute(_UNVALIDATED_SQL).fetchall()]
            problems += [f"index {name} on {table} is invalid"
                         for name, table in conn.execute(_INVALID_INDEX_SQL).fetchall()]
            for table, columns, parent, parent_columns in conn.execute(_FOREIGN_KEYS_SQL):
                problems += [
                    f"{table} row ({_key_text(columns, key)}): no {parent} row it refers to"
                    for key in conn.execute(_dangling_sql(table, columns, parent, parent_columns))
                ]
        return problems

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for audits, backups and idempotency tests."""
        with self._read() as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                'ORDER BY table_name COLLATE "C"'
            ).fetchall()]
            dumped: dict[str, list[tuple[Any, ...]]] = {}
            for table in tables:
                cursor = conn.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(
                    sql.Identifier(table)))
                order = ", ".join(str(column) for column in
                                  range(1, len(cursor.description or ()) + 1))
                dumped[table] = [tuple(row) for row in conn.execute(
                    sql.SQL("SELECT * FROM {} ORDER BY {}").format(
                        sql.Identifier(table), sql.SQL(order)))]
        return dumped

    # --- helpers -------------------------------------------------------------------------------

    def _records(
        self, cls: type[R], table: str, key: str, keys: Iterable[str] | None, order: str
    ) -> list[R]:
        # table/key/order are this module's constants, never user input.
        query = f"SELECT json FROM {table}"
        params: tuple[Any, ...] = ()
        if keys is not None:
            query += f" WHERE {key} = ANY(%s::text[])"
            params = (list(dict.fromkeys(keys)),)
        with self._read() as conn:
            rows = conn.execute(query + f" ORDER BY {order}", params).fetchall()
        return [self._decode(cls, table, row[0]) for row in rows]

    def _encode(self, kind: str, record_id: str, record: object) -> str:
        try:
            return json.dumps(to_dict(record), sort_keys=True, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"{self.location}: cannot store {kind} {record_id}: {exc}") from exc

    def _decode(self, cls: type[R], table: str, text: str) -> R:
        try:
            return from_dict(cls, json.loads(text))
        except (TypeError, ValueError, KeyError) as exc:
            raise StoreError(f"{self.location}: unreadable row in {table}: {exc}") from exc


# --- error text, row builders and SQL helpers (module level: pure, no connection state) -----


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


def mention_rows(
    location: str,
    targets: set[str],
    mentions: Sequence[Mention],
    encode: Any,
) -> list[tuple[str, str, int, str, str]]:
    """(id, article_id, seq, type, json) per mention; refuses mentions of other articles and
    ids given twice, before anything is written."""
    rows: list[tuple[str, str, int, str, str]] = []
    seen: set[str] = set()
    seq: dict[str, int] = {}
    for mention in mentions:
        if mention.article_id not in targets:
            raise StoreError(f"{location}: mention {mention.id} is of article "
                             f"{mention.article_id}, which this call does not replace")
        if mention.id in seen:
            raise StoreError(f"{location}: mention id {mention.id} given twice")
        seen.add(mention.id)
        position = seq.get(mention.article_id, 0)
        seq[mention.article_id] = position + 1
        json_text = encode("mention", mention.id, mention)
        rows.append((mention.id, mention.article_id, position, mention.type, json_text))
    return rows


def _columns(rows: Sequence[Sequence[Any]], width: int) -> tuple[list[Any], ...]:
    """Rows turned into one list per column: the parameters of an ``unnest`` bulk insert."""
    return tuple([row[column] for row in rows] for column in range(width))


def _article_row(article: Article, json_text: str) -> tuple[Any, ...]:
    return (article.id, article.url, article.outlet, article.title, article.published,
            article.copy_of, json_text)


def _event_row(event: Event, json_text: str) -> tuple[Any, ...]:
    when, location = event.when, event.location
    return (
        event.id,
        event.type,
        when.start if when else None,
        when.end if when else None,
        location.country if location else None,
        bool(event.disagreements),
        json_text,
    )


def _event_filter_sql(where: EventFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.type is not None:
        clauses.append("type = %s")
        params.append(where.type)
    if where.country is not None:
        clauses.append("country = %s")
        params.append(where.country)
    if where.since is not None:
        clauses.append("COALESCE(date_end, date_start) >= %s::date")
        params.append(where.since)
    if where.until is not None:
        clauses.append("COALESCE(date_start, date_end) <= %s::date")
        params.append(where.until)
    if where.disputed is not None:
        clauses.append("disputed = %s")
        params.append(where.disputed)
    return clauses, params


def _add_result(batch_ids: Sequence[str], stored: set[str]) -> AddResult:
    """New ids in input order; stored ids and repeats within the batch count as existing."""
    new: list[str] = []
    existing: list[str] = []
    for article_id in batch_ids:
        if article_id in stored or article_id in new:
            existing.append(article_id)
        else:
            new.append(article_id)
    return AddResult(new=tuple(new), existing=tuple(existing))


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

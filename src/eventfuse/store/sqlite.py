"""The embedded SQLite store: one file, WAL, one ``BEGIN IMMEDIATE`` transaction per write call.

Discipline (as in Datasette and sqlite-utils): WAL so readers never block the writer, a busy
timeout so concurrent writers queue instead of failing, foreign keys ON so a mention can never
point at a missing article, and every batch call is all-or-nothing. Every ``sqlite3`` error leaves
this module as a :class:`StoreError` naming the database and the problem.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self, TypeVar

from eventfuse.changes import Change, utc_now
from eventfuse.errors import StoreError
from eventfuse.fetch.state import FetchState
from eventfuse.records import Article, Event, Mention, from_dict, to_dict
from eventfuse.store.base import AddResult, EventFilter, SignatureEntry
from eventfuse.store.schema import MIGRATIONS_TABLE, Migration, load_migrations

R = TypeVar("R")

# Ids per "IN (...)" query: far below SQLite's bound-parameter limit on every build.
CHUNK = 500
DEFAULT_BUSY_TIMEOUT_SECONDS = 30.0
WRITER_WAIT_SECONDS = 3600.0  # how long writer_lock waits for another process's step


class SQLiteStore:
    """A :class:`~eventfuse.store.base.Store` in one SQLite file (or ``":memory:"``)."""

    def __init__(
        self,
        path: str,
        *,
        migrations: Sequence[Migration] | None = None,
        busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS,
    ) -> None:
        self.location = path
        # Shared by the web server's worker threads; the lock serializes use of the connection.
        self._lock = threading.RLock()
        # writer_lock: the thread whose step owns the connection's transaction, a re-entrant
        # mutex other threads' writes wait on, and a second connection for their reads.
        self._step = threading.RLock()
        self._step_owner: int | None = None
        self._reader_lock = threading.Lock()
        self._reader_conn: sqlite3.Connection | None = None
        with self._errors():
            self._conn = sqlite3.connect(
                path,
                timeout=busy_timeout_seconds,
                isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
                check_same_thread=False,
            )
        try:
            with self._errors():
                self._configure(busy_timeout_seconds)
            self._migrate(load_migrations() if migrations is None else list(migrations))
        except BaseException:
            self._conn.close()
            raise

    # --- connection and transactions ---------------------------------------------------------

    def _configure(self, busy_timeout_seconds: float) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._enable_wal(busy_timeout_seconds)
        # With WAL, NORMAL is durable against application crashes and much faster than FULL.
        self._conn.execute("PRAGMA synchronous = NORMAL")

    def _enable_wal(self, busy_timeout_seconds: float) -> None:
        """Switch to WAL (persistent in the file). The switch ignores the busy timeout, so when
        two processes create one new database at once the loser retries until the deadline."""
        deadline = time.monotonic() + busy_timeout_seconds
        pause = 0.005
        while True:
            try:
                mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
                if mode.lower() in ("wal", "memory"):  # ":memory:" databases cannot use WAL
                    return
                self._conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(f"{self.location}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: taken up front (no lock upgrade deadlock), all or nothing.
        Inside this thread's writer_lock step it joins the step's transaction; another thread's
        step is waited for."""
        with self._step, self._lock, self._errors():
            if self._step_owner == threading.get_ident():
                yield self._conn
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read snapshot: several queries see one consistent state of the database. While
        another thread's writer_lock step holds the connection, the last committed state is
        read through a second connection (WAL), so readers do not wait for a fusion."""
        with self._lock, self._errors():
            if self._step_owner is None or self._step_owner == threading.get_ident():
                if self._step_owner is not None:  # inside this thread's step: its snapshot
                    yield self._conn
                    return
                self._conn.execute("BEGIN")
                try:
                    yield self._conn
                finally:
                    if self._conn.in_transaction:
                        self._conn.execute("COMMIT")
                return
        if self.location == ":memory:":  # no second connection sees it: wait for the step
            with self._step, self._lock, self._errors(), self._snapshot(self._conn) as conn:
                yield conn
            return
        with self._reader_lock, self._errors(), self._snapshot(self._reader()) as conn:
            yield conn

    @staticmethod
    @contextmanager
    def _snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    def _reader(self) -> sqlite3.Connection:
        if self._reader_conn is None:
            self._reader_conn = sqlite3.connect(
                self.location, timeout=DEFAULT_BUSY_TIMEOUT_SECONDS, isolation_level=None,
                check_same_thread=False)
        return self._reader_conn

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the database's write lock (BEGIN IMMEDIATE) around a read-modify-write step, so
        no other process or thread writes between its reads and its writes; the step's store
        calls join this one transaction, committed at the end (rolled back if it raises).
        Re-entrant; waits up to ``WRITER_WAIT_SECONDS`` for another process's step."""
        with self._step:
            if self._step_owner == threading.get_ident():
                yield
                return
            with self._lock, self._errors():
                _begin_immediate(self._conn, WRITER_WAIT_SECONDS)
                self._step_owner = threading.get_ident()
            try:
                yield
                with self._lock, self._errors():
                    self._conn.execute("COMMIT")
            except BaseException:
                with self._lock:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                raise
            finally:
                self._step_owner = None

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            if self._reader_conn is not None:
                self._reader_conn.close()

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
        # Cheap check first, so opening an up-to-date database takes no write lock.
        if not self._pending(migrations, self._applied_versions()):
            return
        with self._write() as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
                "(version TEXT PRIMARY KEY, name TEXT NOT NULL)"
            )
            # Re-read inside the lock: another process may have migrated meanwhile.
            for migration in self._pending(migrations, self._applied_versions()):
                for statement in split_statements(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES (?, ?)",
                    (migration.version, migration.name),
                )

    def _applied_versions(self) -> set[str]:
        with self._lock, self._errors():
            exists = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (MIGRATIONS_TABLE,),
            ).fetchone()
            if exists is None:
                return set()
            rows = self._conn.execute(f"SELECT version FROM {MIGRATIONS_TABLE}").fetchall()
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
            stored = _existing_ids(conn, "articles", "id", list(unique))
            conn.executemany(
                "INSERT INTO articles (id, url, outlet, title, published, copy_of, json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                [row for row in rows if row[0] not in stored],
            )
            conn.executemany(
                "INSERT INTO article_signatures (article_id, signature) VALUES (?, ?) "
                "ON CONFLICT (article_id) DO NOTHING",
                signature_rows,
            )
        return _add_result([article.id for article in articles], stored)

    def existing_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored already (cheap: no record is decoded)."""
        with self._read() as conn:
            return _existing_ids(conn, "articles", "id", list(dict.fromkeys(ids)))

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
                " JOIN articles a ON a.id = s.article_id ORDER BY a.rowid"
            ).fetchall()
        return [SignatureEntry(article_id, bytes(blob), _date(published), copy_of)
                for article_id, blob, published, copy_of in rows]

    def count_articles(self) -> int:
        return self._count("SELECT COUNT(*) FROM articles")

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
        rows = self._mention_rows(set(targets), mentions)
        new_ids = [row[0] for row in rows]
        with self._write() as conn:
            owners = _owners(conn, new_ids)
            for row in rows:
                owner = owners.get(row[0])
                if owner is not None and owner != row[1]:
                    raise StoreError(f"{self.location}: mention {row[0]} already belongs to "
                                     f"article {owner}, not {row[1]}")
            current = _select_in(conn, "SELECT id FROM mentions WHERE article_id IN ({})", targets)
            stale = sorted({row[0] for row in current} - set(new_ids))
            _execute_in(conn, "DELETE FROM mentions WHERE id IN ({})", stale)
            conn.executemany(
                "INSERT INTO mentions (id, article_id, seq, type, json) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET article_id = excluded.article_id, "
                "seq = excluded.seq, type = excluded.type, json = excluded.json",
                rows,
            )
            conn.executemany(
                "INSERT INTO extracted (article_id) VALUES (?) ON CONFLICT (article_id) DO NOTHING",
                [(article_id,) for article_id in targets],
            )

    def _mention_rows(
        self, targets: set[str], mentions: Sequence[Mention]
    ) -> list[tuple[str, str, int, str, str]]:
        rows: list[tuple[str, str, int, str, str]] = []
        seen: set[str] = set()
        seq: dict[str, int] = {}
        for mention in mentions:
            if mention.article_id not in targets:
                raise StoreError(f"{self.location}: mention {mention.id} is of article "
                                 f"{mention.article_id}, which this call does not replace")
            if mention.id in seen:
                raise StoreError(f"{self.location}: mention id {mention.id} given twice")
            seen.add(mention.id)
            position = seq.get(mention.article_id, 0)
            seq[mention.article_id] = position + 1
            json_text = self._encode("mention", mention.id, mention)
            rows.append((mention.id, mention.article_id, position, mention.type, json_text))
        return rows

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
        whole call is rolled back.
        """
        ids = [event.id for event in events]
        if len(set(ids)) != len(ids):
            raise StoreError(f"{self.location}: an event id is given twice in one put_events call")
        rows = [_event_row(event, self._encode("event", event.id, event)) for event in events]
        links = [(event.id, mention_id)
                 for event in events for mention_id in dict.fromkeys(event.mention_ids)]
        removed = sorted(set(removed_event_ids) - set(ids))
        with self._write() as conn:
            _execute_in(conn, "DELETE FROM events WHERE id IN ({})", removed)
            conn.executemany(
                "INSERT INTO events (id, type, date_start, date_end, country, disputed, json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "type = excluded.type, date_start = excluded.date_start, "
                "date_end = excluded.date_end, country = excluded.country, "
                "disputed = excluded.disputed, json = excluded.json",
                rows,
            )
            _execute_in(conn, "DELETE FROM event_mentions WHERE event_id IN ({})", ids)
            conn.executemany(
                "INSERT INTO event_mentions (event_id, mention_id) VALUES (?, ?)", links
            )

    def get_events(self, where: EventFilter | None = None) -> list[Event]:
        """Events matching ``where`` (all when None), ordered by id."""
        clauses, params = _event_filter_sql(where or EventFilter())
        sql = "SELECT json FROM events"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY id", params).fetchall()
        return [self._decode(Event, "events", row[0]) for row in rows]

    def get_event(self, event_id: str) -> Event | None:
        found = self._records(Event, "events", "id", [event_id], order="id")
        return found[0] if found else None

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]:
        """The events linking any of ``mention_ids``, each once, ordered by id."""
        with self._read() as conn:
            rows = _select_in(
                conn,
                "SELECT DISTINCT e.id, e.json FROM events e "
                "JOIN event_mentions l ON l.event_id = e.id WHERE l.mention_id IN ({})",
                list(dict.fromkeys(mention_ids)),
            )
        by_id = dict(rows)
        return [self._decode(Event, "events", by_id[event_id]) for event_id in sorted(by_id)]

    # --- live monitoring (migration 0002) -------------------------------------------------------

    def record_changes(self, changes: Sequence[Change]) -> None:
        """Append ``changes`` to the change log, in order, in one transaction."""
        rows = [(c.at or utc_now(), c.event_id, c.kind, c.article_id,
                 self._encode("change", c.event_id, c)) for c in changes]
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO changes (at, event_id, kind, article_id, json) VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def get_changes(self, since: str | None = None) -> list[Change]:
        """Changes recorded after ``since`` (UTC ISO text; all when None), oldest first."""
        sql = "SELECT seq, at, json FROM changes"
        params: list[Any] = []
        if since is not None:
            sql += " WHERE at > ?"
            params.append(since)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY seq", params).fetchall()
        return [replace_change(self._decode(Change, "changes", text), seq, at)
                for seq, at, text in rows]

    def get_fetch_state(self, url: str) -> FetchState | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT url, etag, last_modified, fetched_at, entry_updated, article_id, "
                "content_sha256 FROM fetch_state WHERE url = ?", (url,)
            ).fetchone()
        return FetchState(*row) if row else None

    def put_fetch_state(self, state: FetchState) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO fetch_state (url, etag, last_modified, fetched_at, entry_updated, "
                "article_id, content_sha256) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO "
                "UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
                "fetched_at = excluded.fetched_at, entry_updated = excluded.entry_updated, "
                "article_id = excluded.article_id, content_sha256 = excluded.content_sha256",
                fetch_state_row(state),
            )

    def revise_article(self, article: Article, signature: bytes | None = None) -> int:
        """Replace a stored article by its new version (same id), keeping the old one as a
        revision, and mark it for re-extraction. Returns the revision number kept."""
        json_text = self._encode("article", article.id, article)
        with self._write() as conn:
            row = conn.execute("SELECT json FROM articles WHERE id = ?", (article.id,)).fetchone()
            if row is None:
                raise StoreError(f"{self.location}: no article {article.id} to revise")
            number = int(conn.execute(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM article_revisions WHERE article_id = ?",
                (article.id,)).fetchone()[0])
            conn.execute("INSERT INTO article_revisions (article_id, revision, replaced_at, json) "
                         "VALUES (?, ?, ?, ?)", (article.id, number, utc_now(), row[0]))
            values = _article_row(article, json_text)
            conn.execute("UPDATE articles SET url = ?, outlet = ?, title = ?, published = ?, "
                         "copy_of = ?, json = ? WHERE id = ?", (*values[1:], article.id))
            if signature is not None:
                conn.execute("INSERT INTO article_signatures (article_id, signature) "
                             "VALUES (?, ?) ON CONFLICT (article_id) DO UPDATE "
                             "SET signature = excluded.signature",
                             (article.id, bytes(signature)))
            conn.execute("DELETE FROM extracted WHERE article_id = ?", (article.id,))
        return number

    def article_revisions(self, article_id: str) -> list[Article]:
        """The replaced versions of an article, oldest first."""
        with self._read() as conn:
            rows = conn.execute("SELECT json FROM article_revisions WHERE article_id = ? "
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
                " (SELECT COUNT(*) FROM events WHERE disputed = 1)"
            ).fetchone()
        names = ("articles", "copies", "mentions", "events", "disputed_events")
        return dict(zip(names, (int(value) for value in row), strict=True))

    def integrity_check(self) -> list[str]:
        """Problems found by SQLite's integrity and foreign-key checks; empty when healthy."""
        with self._read() as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
            dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
        found = [problem for problem in problems if problem != "ok"]
        found += [f"{table} row {rowid}: no {parent} row it refers to"
                  for table, rowid, parent, _ in dangling]
        return found

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for audits, backups and idempotency tests."""
        with self._read() as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()]
            dumped: dict[str, list[tuple[Any, ...]]] = {}
            for table in tables:
                width = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
                order = ", ".join(str(column) for column in range(1, width + 1))
                dumped[table] = [tuple(row) for row in
                                 conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')]
        return dumped

    # --- helpers -------------------------------------------------------------------------------

    def _count(self, sql: str) -> int:
        with self._read() as conn:
            return int(conn.execute(sql).fetchone()[0])

    def _records(
        self, cls: type[R], table: str, key: str, keys: Iterable[str] | None, order: str
    ) -> list[R]:
        with self._read() as conn:
            if keys is None:
                rows = conn.execute(f"SELECT json FROM {table} ORDER BY {order}").fetchall()
            else:
                unique = list(dict.fromkeys(keys))
                rows = []
                for chunk in _chunks(unique):
                    marks = ", ".join("?" * len(chunk))
                    rows += conn.execute(
                        f"SELECT json, {order} FROM {table} WHERE {key} IN ({marks})", chunk
                    ).fetchall()
                rows.sort(key=lambda row: tuple(row[1:]))
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


# --- row builders and SQL helpers (module level: pure, no connection state) ----------------


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


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


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


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _article_row(article: Article, json_text: str) -> tuple[Any, ...]:
    return (article.id, article.url, article.outlet, article.title, _iso(article.published),
            article.copy_of, json_text)


def _event_row(event: Event, json_text: str) -> tuple[Any, ...]:
    when, location = event.when, event.location
    return (
        event.id,
        event.type,
        _iso(when.start) if when else None,
        _iso(when.end) if when else None,
        location.country if location else None,
        1 if event.disagreements else 0,
        json_text,
    )


def _event_filter_sql(where: EventFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.type is not None:
        clauses.append("type = ?")
        params.append(where.type)
    if where.country is not None:
        clauses.append("country = ?")
        params.append(where.country)
    if where.since is not None:
        clauses.append("COALESCE(date_end, date_start) >= ?")
        params.append(where.since.isoformat())
    if where.until is not None:
        clauses.append("COALESCE(date_start, date_end) <= ?")
        params.append(where.until.isoformat())
    if where.disputed is not None:
        clauses.append("disputed = ?")
        params.append(1 if where.disputed else 0)
    return clauses, params


def replace_change(change: Change, seq: int, at: str) -> Change:
    """A stored change with the store's sequence number and time."""
    import dataclasses

    return dataclasses.replace(change, seq=int(seq), at=at)


def fetch_state_row(state: FetchState) -> tuple[Any, ...]:
    return (state.url, state.etag, state.last_modified, state.fetched_at, state.entry_updated,
            state.article_id, state.content_sha256)


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


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _select_in(conn: sqlite3.Connection, sql: str, keys: Sequence[str]) -> list[Any]:
    """Run ``sql`` (with one ``IN ({})``) over ``keys`` in chunks; the rows of every chunk."""
    rows: list[Any] = []
    for chunk in _chunks(keys):
        rows += conn.execute(sql.format(", ".join("?" * len(chunk))), chunk).fetchall()
    return rows


def _execute_in(conn: sqlite3.Connection, sql: str, keys: Sequence[str]) -> None:
    for chunk in _chunks(keys):
        conn.execute(sql.format(", ".join("?" * len(chunk))), chunk)


def _existing_ids(conn: sqlite3.Connection, table: str, key: str, ids: Sequence[str]) -> set[str]:
    rows = _select_in(conn, f"SELECT {key} FROM {table} WHERE {key} IN ({{}})", ids)
    return {row[0] for row in rows}


def _owners(conn: sqlite3.Connection, mention_ids: Sequence[str]) -> dict[str, str]:
    rows = _select_in(conn, "SELECT id, article_id FROM mentions WHERE id IN ({})", mention_ids)
    return {mention_id: article_id for mention_id, article_id in rows}

"""The store, written once in SQL both SQLite and PostgreSQL run; a :class:`Dialect` does the rest.

Discipline (as in Datasette and sqlite-utils): one transaction per call, all or nothing; reads
in one snapshot; upserts by ``ON CONFLICT`` so two processes adding one article never collide;
writers of one kind (articles, mentions, events, migrations) serialize across processes, and so
do read-modify-write steps (:meth:`SQLStore.writer_lock`, fusion); ids in
``IN (...)`` lists of at most :data:`CHUNK`; every driver error leaves as a :class:`StoreError`
naming the database. Each record's full form is its ``json`` column; the other columns are for
filters and joins.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, nullcontext
from typing import Any, ClassVar, Self, TypeVar, cast

from eventfuse.blocks import place_block_key, span
from eventfuse.changes import Change, utc_now
from eventfuse.errors import StoreError
from eventfuse.fetch.state import FetchState
from eventfuse.outlet_votes import (
    OutletTable,
    OutletVotes,
    Region,
    outlet_key,
    outlet_name_key,
    region_rows,
)
from eventfuse.records import Article, Event, Mention, from_dict, to_dict
from eventfuse.store.base import (
    AddResult,
    ArticleFilter,
    EventFilter,
    EventSort,
    SignatureEntry,
)
from eventfuse.store.dialect import WRITER_STEP, Connection, Dialect
from eventfuse.store.schema import MIGRATIONS_TABLE, Migration, load_migrations, typed
from eventfuse.store.search import (
    actor_text,
    article_outlet_keys,
    article_search_text,
    can_match,
    like_pattern,
    search_text,
    trigram_query,
)

R = TypeVar("R")

# Ids per "IN (...)" query: far below SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 500
# An events row, in the order of _event_row; every column but id is rewritten on upsert.
_EVENT_COLUMNS = ("id", "type", "date_start", "date_end", "country", "disputed", "json",
                  "independent_sources", "actor_text", "search_text")
_EVENT_UPDATES = ", ".join(f"{c} = excluded.{c}" for c in _EVENT_COLUMNS[1:])
# ORDER BY of each listing order (see EventSort), served by the indexes of migration 0005.
_EVENT_ORDERS: dict[str, str] = {
    "date": "(date_start IS NULL), date_start, id",
    "-date": "(date_start IS NULL) DESC, date_start DESC, id DESC",
    "sources": "independent_sources DESC, id",
    "-sources": "independent_sources, id",
    "id": "id",
}
# The migration adding the listing columns, which the store fills for events stored before it.
_EVENT_PAGES_VERSION = "0005"
_FUSION_BLOCKS_VERSION = "0006"
# Likewise for the article listing's columns.
_ARTICLE_PAGES_VERSION = "0009"
# And for the outlets' region votes of the articles extracted before it.
_OUTLET_REGIONS_VERSION = "0011"
# An articles row, in the order of _article_row.
_ARTICLE_COLUMNS = ("id", "url", "outlet", "title", "published", "copy_of", "json",
                    "outlet_key", "domain_key", "search_text")
# The article listing's order (newest first, undated last, ties by id, highest first), served
# by the index articles_newest of migration 0009.
_ARTICLE_ORDER = "(published IS NULL), published DESC, id DESC"
# LIMIT when only OFFSET is given (SQLite has no OFFSET without LIMIT).
_NO_LIMIT = 2**62
# The feed's time of an event no change was recorded for (migration 0010); sorts before any.
NEVER_CHANGED = "1970-01-01T00:00:00+00:00"
_FETCH_STATE_COLUMNS = ("url", "etag", "last_modified", "fetched_at", "entry_updated",
                        "article_id", "content_sha256")


class SQLStore:
    """A :class:`~eventfuse.store.base.Store` over one connection of a dialect; a backend is a
    subclass naming its ``dialect_class``, built from the location and the backend's options.

    ``migrations``: the schema to reach (default: the shipped ones, typed for the dialect).
    """

    dialect_class: ClassVar[Callable[..., Dialect[Any]]]

    def __init__(
        self, location: str, *, migrations: Sequence[Migration] | None = None, **options: Any
    ) -> None:
        dialect = self.dialect_class(location, **options)
        self.location = dialect.location
        self._opened_with = (location, migrations, options)
        self._dialect = dialect
        self._closed = False
        # Shared by the web server's worker threads; the lock serializes use of the connection.
        self._lock = threading.RLock()
        # writer_lock: held by one thread's step at a time (re-entrant). With a shared step,
        # _joined names the thread whose step owns the connection's transaction; other threads'
        # writes wait for the step and their reads use a second connection.
        self._step = threading.RLock()
        self._step_held = False
        self._joined: int | None = None
        self._reader_lock = threading.Lock()
        self._reader_conn: Any = None
        # A writer step's decoded records by (type, digest of the JSON text): a fusion reads its
        # new mentions twice (as unfused, then in its scope) and articles several times. Keyed
        # by the row's whole text, an entry is right whatever the step writes; by its digest,
        # not the text itself, so the memo does not hold a second copy of every article's text
        # beside the record's (a 100k run's slice fusion holds thousands). Dropped when the
        # step ends.
        self._decoded: dict[tuple[type, bytes], Any] | None = None
        with self._errors():
            self._conn: Any = dialect.connect()
        try:
            chosen = load_migrations() if migrations is None else migrations
            self._migrate(list(chosen))
        except BaseException:
            self._conn.close()
            raise

    # --- connection and transactions ---------------------------------------------------------

    def _q(self, sql: str) -> str:
        """``sql`` (written with ``?`` placeholders) in the dialect's parameter style."""
        return sql if self._dialect.param == "?" else sql.replace("?", self._dialect.param)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self._dialect.driver_error as exc:
            raise StoreError(f"{self.location}: {self._dialect.describe(exc)}") from exc

    @contextmanager
    def _write(self, lock: str) -> Iterator[Connection]:
        """One write transaction; inside this thread's shared step it joins the step's."""
        waits = self._step if self._dialect.shared_step else nullcontext()
        with waits, self._lock, self._errors():
            if self._joined == threading.get_ident():
                yield self._conn
                return
            if not self._closed:
                self._conn = self._dialect.usable(self._conn)
            with self._dialect.write(self._conn, lock):
                yield self._conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read snapshot. While another thread's shared step owns the connection, the last
        committed state is read through a second connection, so readers do not wait for a
        fusion (an in-memory SQLite database has none: there they wait)."""
        with self._lock, self._errors():
            if self._joined == threading.get_ident():  # inside this thread's step: its state
                yield self._conn
                return
            if self._joined is None:
                if not self._closed:
                    self._conn = self._dialect.usable(self._conn)
                with self._dialect.read(self._conn):
                    yield self._conn
                return
        with self._reader_lock, self._errors():
            if self._reader_conn is None:
                self._reader_conn = self._dialect.connect_reader()
            if self._reader_conn is None:
                with self._step, self._lock, self._dialect.read(self._conn):
                    yield self._conn
                return
            with self._dialect.read(self._reader_conn):
                yield self._reader_conn

    def reopened(self) -> Self:
        """The same database through a store of its own, on a new connection: what a forked
        process uses instead of the connection it inherited. (``:memory:`` opens an empty
        database: it cannot be shared.)"""
        location, migrations, options = self._opened_with
        return type(self)(location, migrations=migrations, **options)

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the database's writer lock around a read-modify-write step (fusion): another
        process's or thread's step waits until this one ends, so nothing it does lands between
        this step's reads and writes. Re-entrant.

        SQLite (a shared step): the step is one ``BEGIN IMMEDIATE`` transaction of the store's
        connection, which the step's calls join, committed at the end (rolled back if it raises);
        other threads' writes wait for it. PostgreSQL: ``pg_advisory_xact_lock`` held by a
        connection of its own; the step's calls commit as usual."""
        with self._step:
            if self._step_held:
                yield
                return
            self._step_held = True
            self._decoded = {}
            try:
                if self._dialect.shared_step:
                    with self._lock:  # from here other threads keep off the connection
                        self._joined = threading.get_ident()
                    try:
                        with self._errors(), self._dialect.write(self._conn, WRITER_STEP):
                            yield
                    finally:
                        with self._lock:
                            self._joined = None
                else:
                    with self._errors():
                        holder = self._dialect.connect()
                    with closing(holder), self._errors(), \
                            self._dialect.write(holder, WRITER_STEP):
                        yield
            finally:
                self._step_held = False
                self._decoded = None

    def _run(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> Any:
        return conn.execute(self._q(sql), tuple(params))

    def _all(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self._run(conn, sql, params).fetchall())

    def _many(self, conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._dialect.executemany(conn, self._q(sql), rows)

    def _select_in(
        self, conn: Connection, sql: str, keys: Sequence[str], extra: Sequence[Any] = ()
    ) -> list[Any]:
        """Run ``sql`` (with one ``IN ({})``) over ``keys`` in chunks; the rows of every chunk."""
        rows: list[Any] = []
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            rows += self._all(conn, sql.format(", ".join("?" * len(chunk))), [*chunk, *extra])
        return rows

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._conn.close()
        with self._reader_lock:
            if self._reader_conn is not None:
                self._reader_conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- migrations ----------------------------------------------------------------------------

    def _migrate(self, migrations: list[Migration]) -> None:
        # Cheap check first, so opening an up-to-date database takes no write lock.
        with self._read() as conn:
            applied = self._applied_versions(conn)
        if not self._pending(migrations, applied):
            return
        with self._write("migrations") as conn:
            self._run(conn, f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} "
                      f"(version {self._dialect.types['key']} PRIMARY KEY, name TEXT NOT NULL)")
            # Re-read inside the lock: another process may have migrated meanwhile.
            for migration in self._pending(migrations, self._applied_versions(conn)):
                self._dialect.run_script(conn, typed(migration.sql, self._dialect.types))
                if migration.version == _EVENT_PAGES_VERSION:
                    self._fill_event_columns(conn)
                if migration.version == _FUSION_BLOCKS_VERSION:
                    self._fill_block_columns(conn)
                if migration.version == _ARTICLE_PAGES_VERSION:
                    self._fill_article_columns(conn)
                if migration.version == _OUTLET_REGIONS_VERSION:
                    self._fill_outlet_regions(conn)
                self._run(conn, f"INSERT INTO {MIGRATIONS_TABLE} (version, name) VALUES (?, ?)",
                          (migration.version, migration.name))

    def _fill_event_columns(self, conn: Connection) -> None:
        """Fill the listing columns migration 0005 added for the events stored before it
        (computed from each event, as put_events does)."""
        self._refill(conn, "events", Event, "UPDATE events SET independent_sources = ?, "
                     "actor_text = ?, search_text = ? WHERE id = ?",
                     lambda e: (e.independent_sources, actor_text(e), search_text(e), e.id))

    def _fill_block_columns(self, conn: Connection) -> None:
        """Fill the block columns migration 0006 added for the mentions stored before it."""
        self._refill(conn, "mentions", Mention, "UPDATE mentions SET place_block = ?, "
                     "span_start = ?, span_end = ? WHERE id = ?",
                     lambda m: (*_block_columns(m), m.id))

    def _fill_article_columns(self, conn: Connection) -> None:
        """Fill the listing columns migration 0009 added for the articles stored before it."""
        self._refill(conn, "articles", Article, "UPDATE articles SET outlet_key = ?, "
                     "domain_key = ?, search_text = ? WHERE id = ?",
                     lambda a: (*_article_columns(a), a.id))

    def _fill_outlet_regions(self, conn: Connection) -> None:
        """Fill the table migration 0011 created for the articles extracted before it, in
        batches by id (as put_mentions does for each article it stores mentions of)."""
        last = ""
        while True:
            rows = self._all(conn, "SELECT a.id, a.outlet, a.url FROM articles a JOIN extracted "
                             "x ON x.article_id = a.id WHERE a.id > ? ORDER BY a.id LIMIT ?",
                             (last, CHUNK))
            if not rows:
                return
            self._put_regions(conn, {i: outlet_name_key(o, u) for i, o, u in rows})
            last = rows[-1][0]

    def _put_regions(self, conn: Connection, outlets: Mapping[str, str | None],
                     mentions: Sequence[Mention] | None = None) -> None:
        """Replace the region votes of the articles of ``outlets`` (id -> outlet key) by those
        of ``mentions`` (their stored mentions when None)."""
        ids = sorted(outlets)
        if mentions is None:
            mentions = [self._decode(Mention, "mentions", row[0]) for row in self._select_in(
                conn, "SELECT json FROM mentions WHERE article_id IN ({})", ids)]
        self._many(conn, "DELETE FROM article_regions WHERE article_id = ?", [(i,) for i in ids])
        self._many(conn, "INSERT INTO article_regions (article_id, outlet, country, admin1) "
                   "VALUES (?, ?, ?, ?)", region_rows(outlets, mentions))

    def _refill(self, conn: Connection, table: str, cls: type[R], update: str,
                values: Callable[[R], tuple[Any, ...]]) -> None:
        """Run ``update`` with ``values`` of every record of ``table``, in batches by id."""
        last = ""
        while True:
            rows = self._all(conn, f"SELECT id, json FROM {table} WHERE id > ? ORDER BY id "
                             "LIMIT ?", (last, CHUNK))
            if not rows:
                return
            self._many(conn, update, [values(self._decode(cls, table, text)) for _, text in rows])
            last = rows[-1][0]

    def _applied_versions(self, conn: Connection) -> set[str]:
        if not self._dialect.has_table(conn, MIGRATIONS_TABLE):
            return set()
        return {row[0] for row in self._all(conn, f"SELECT version FROM {MIGRATIONS_TABLE}")}

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
            rows = self._all(conn, f"SELECT version, name FROM {MIGRATIONS_TABLE} ORDER BY version")
        return [f"{version}_{name}" for version, name in rows]

    # --- articles ------------------------------------------------------------------------------

    def add_articles(
        self, articles: Sequence[Article], signatures: Mapping[str, bytes] | None = None
    ) -> AddResult:
        """Insert the articles not stored yet (by id); an existing article is left untouched."""
        unique: dict[str, Article] = {}
        for article in articles:
            unique.setdefault(article.id, article)
        rows = [self._article_row(article) for article in unique.values()]
        signature_rows = [(article_id, bytes(blob))
                          for article_id, blob in sorted((signatures or {}).items())]
        with self._write("articles") as conn:
            # Article writers hold the "articles" lock: no other process inserts meanwhile.
            stored = self._existing_ids(conn, list(unique))
            inserted = [row for row in rows if row[0] not in stored]
            self._many(conn, f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(_ARTICLE_COLUMNS))}) ON CONFLICT (id) DO NOTHING",
                       inserted)
            self._many(conn, "INSERT INTO unextracted_articles (article_id) VALUES (?) "
                       "ON CONFLICT (article_id) DO NOTHING", [row[:1] for row in inserted])
            self._many(conn, "INSERT INTO article_signatures (article_id, signature) "
                       "VALUES (?, ?) ON CONFLICT (article_id) DO NOTHING", signature_rows)
            self._mark_unbanded(conn, [row[0] for row in signature_rows])
        return _add_result([article.id for article in articles], stored)

    def existing_article_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored already (cheap: no record is decoded)."""
        with self._read() as conn:
            return self._existing_ids(conn, list(dict.fromkeys(ids)))

    def _existing_ids(self, conn: Connection, ids: Sequence[str]) -> set[str]:
        return {row[0] for row in self._select_in(conn, "SELECT id FROM articles "
                                                  "WHERE id IN ({})", ids)}

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
            rows = self._all(conn, "SELECT s.article_id, s.signature, a.published, a.copy_of "
                             "FROM article_signatures s JOIN articles a ON a.id = s.article_id "
                             f"ORDER BY a.{self._dialect.ingest_order}")
        return [SignatureEntry(article_id, bytes(blob), self._dialect.read_date(published),
                               copy_of) for article_id, blob, published, copy_of in rows]

    def fill_signature_bands(self, layout: str, bands: Callable[[bytes], list[bytes]],
                             article_ids: Iterable[str] | None = None) -> int:
        """Store the bands of ``layout`` of every signed article (of ``article_ids`` when given:
        the ones a run just added) that has none; how many. Once every signature has been
        checked for a layout (``band_layouts``), only those stored or replaced since
        (``unbanded_signatures``) can lack its bands: checking every stored signature cost
        each run (one POSTed article) time in proportion to the store."""
        with self._write("articles") as conn:
            if article_ids is None:
                listed = bool(self._all(conn, "SELECT 1 FROM band_layouts WHERE layout = ?",
                                        (layout,)))
                if listed:
                    ids = [row[0] for row in self._all(
                        conn, "SELECT article_id FROM unbanded_signatures ORDER BY article_id")]
                    missing = self._unbanded(conn, layout, ids)
                else:
                    missing = [row[0] for row in self._all(
                        conn, "SELECT s.article_id FROM article_signatures s WHERE NOT EXISTS "
                        "(SELECT 1 FROM signature_bands b WHERE b.article_id = s.article_id AND "
                        "b.layout = ?)", (layout,))]
                    ids = [row[0] for row in self._all(
                        conn, "SELECT article_id FROM unbanded_signatures ORDER BY article_id")]
            else:
                ids = list(dict.fromkeys(article_ids))
                missing = self._unbanded(conn, layout, ids)
            rows = self._select_in(conn, "SELECT article_id, signature FROM article_signatures "
                                   "WHERE article_id IN ({})", missing) if missing else []
            self._many(conn, "INSERT INTO signature_bands (layout, band, band_key, article_id) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       [(layout, band, key, article_id) for article_id, blob in rows
                        for band, key in enumerate(bands(bytes(blob)))])
            if article_ids is None and not listed:
                self._run(conn, "INSERT INTO band_layouts (layout) VALUES (?) "
                          "ON CONFLICT (layout) DO NOTHING", (layout,))
            self._clear_banded(conn, ids)
        return len(rows)

    def _unbanded(self, conn: Connection, layout: str, ids: Sequence[str]) -> list[str]:
        """Those of ``ids`` without bands of ``layout``, in the order given."""
        banded = {row[0] for row in self._select_in(
            conn, "SELECT DISTINCT article_id FROM signature_bands WHERE article_id IN "
            "({}) AND layout = ?", ids, (layout,))}
        return [i for i in ids if i not in banded]

    def _mark_unbanded(self, conn: Connection, article_ids: Sequence[str]) -> None:
        """Their signatures were stored or replaced: bands of a listed layout may be missing."""
        self._many(conn, "INSERT INTO unbanded_signatures (article_id) VALUES (?) "
                   "ON CONFLICT (article_id) DO NOTHING", [(i,) for i in article_ids])

    def _clear_banded(self, conn: Connection, article_ids: Sequence[str]) -> None:
        """Take off the unbanded list those of ``article_ids`` with bands of every listed
        layout (a signature the list leaves may lack none)."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return
        listed = [row[0] for row in self._all(conn, "SELECT layout FROM band_layouts")]
        complete = set(ids)
        for layout in listed:
            complete -= set(self._unbanded(conn, layout, sorted(complete)))
        self._many(conn, "DELETE FROM unbanded_signatures WHERE article_id = ?",
                   [(i,) for i in ids if i in complete])

    def band_candidates(self, layout: str, bands: Sequence[bytes]) -> list[SignatureEntry]:
        """Signed articles sharing a band of ``layout`` with ``bands`` (band i at index i), each
        once, with ``seq`` their position in ingestion order."""
        order = self._dialect.ingest_order
        # Every band in one statement (one per band, each through the primary key, glued by
        # UNION ALL): an ingest looks up each new article, and a query per band cost it more
        # than the hashing of its text.
        one = ("SELECT s.article_id, s.signature, a.published, a.copy_of, "
               f"a.{order} FROM signature_bands b JOIN article_signatures s ON "
               "s.article_id = b.article_id JOIN articles a ON a.id = "
               "b.article_id WHERE b.layout = ? AND b.band = ? AND b.band_key = ?")
        found: dict[str, SignatureEntry] = {}
        if not bands:
            return []
        with self._read() as conn:
            rows = self._all(conn, " UNION ALL ".join([one] * len(bands)),
                             [value for band, key in enumerate(bands)
                              for value in (layout, band, key)])
        for article_id, blob, published, copy_of, seq in rows:
            found[article_id] = SignatureEntry(article_id, bytes(blob),
                                               self._dialect.read_date(published),
                                               copy_of, int(seq))
        return [found[i] for i in sorted(found)]

    def ingest_position(self) -> int:
        """One more than the last stored article's position in ingestion order (0 when none)."""
        with self._read() as conn:
            rows = self._all(conn, f"SELECT MAX({self._dialect.ingest_order}) FROM articles")
        return 0 if rows[0][0] is None else int(rows[0][0]) + 1

    def copies_of(self, article_ids: Iterable[str]) -> list[str]:
        """Ids of the stored articles that are wire copies of any of ``article_ids``, sorted."""
        with self._read() as conn:
            rows = self._select_in(conn, "SELECT id FROM articles WHERE copy_of IN ({})",
                                   list(dict.fromkeys(article_ids)))
        return sorted(row[0] for row in rows)

    def articles_published_in(self, windows: Sequence[tuple[int, int]]) -> list[str]:
        """Ids of the articles published within one of ``windows`` (ordinal days, inclusive)."""
        found: set[str] = set()
        with self._read() as conn:
            for lo, hi in windows:
                found.update(row[0] for row in self._all(
                    conn, "SELECT id FROM articles WHERE published BETWEEN ? AND ?",
                    (self._dialect.date(dt.date.fromordinal(lo)),
                     self._dialect.date(dt.date.fromordinal(hi)))))
        return sorted(found)

    def count_articles(self, where: ArticleFilter | None = None) -> int:
        """How many articles match ``where`` (all when None): a listing's total, counted in SQL."""
        with self._read() as conn:
            return self._count_articles(conn, where)

    def _count_articles(self, conn: Connection, where: ArticleFilter | None) -> int:
        clauses, params = self._article_filter(where or ArticleFilter())
        return int(self._all(conn, f"SELECT COUNT(*) FROM articles{clauses}", params)[0][0])

    def list_articles(
        self, where: ArticleFilter | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[Article]:
        """Articles matching ``where`` (all when None), newest first (undated last, ties by id,
        highest first), ``offset`` skipped, at most ``limit``: filtered, sorted and paged in
        SQL, so only the returned articles are decoded."""
        with self._read() as conn:
            return self._article_rows(conn, where, limit, offset)

    def articles_page(
        self, where: ArticleFilter | None = None, *, limit: int | None = None, offset: int = 0
    ) -> tuple[list[Article], int]:
        """:meth:`list_articles` and :meth:`count_articles` read in one snapshot, so a listing's
        total counts the state its page was read from even while a run writes."""
        with self._read() as conn:
            return (self._article_rows(conn, where, limit, offset),
                    self._count_articles(conn, where))

    def _article_rows(self, conn: Connection, where: ArticleFilter | None,
                      limit: int | None, offset: int) -> list[Article]:
        clauses, params = self._article_filter(where or ArticleFilter())
        sql = _paged(f"SELECT id FROM articles{clauses} ORDER BY {_ARTICLE_ORDER}", params,
                     limit, offset)
        # The page's ids first, then their records: a filter the order's index does not serve
        # sorts every match, and sorting ids costs far less than sorting whole records.
        ids = [row[0] for row in self._all(conn, sql, params)]
        found = dict(self._select_in(conn, "SELECT id, json FROM articles WHERE id IN ({})", ids))
        return [self._decode(Article, "articles", found[i]) for i in ids]

    def _article_filter(self, where: ArticleFilter) -> tuple[str, list[Any]]:
        """`` WHERE ...`` (or nothing) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if where.outlet is not None:
            clauses.append("(outlet_key = ? OR domain_key = ?)")
            params += [where.outlet.casefold()] * 2
        if where.text is not None:
            if can_match(where.text, actor=False):
                # Casefolded column and pattern, as for events (see _event_filter).
                clauses.append("search_text LIKE ? ESCAPE '\\'")
                params.append(like_pattern(where.text))
            else:
                clauses.append("1 = 0")
        for clause, day in (("published >= ?", where.since), ("published <= ?", where.until)):
            if day is not None:
                clauses.append(clause)
                params.append(self._dialect.date(day))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def articles_without_mentions(self) -> list[str]:
        """Ids of articles never extracted (an extraction with zero mentions still counts).
        Read from the short list of articles stored or revised since their extraction: every
        run asks, and the anti-join over every stored article cost it time in proportion to
        the store. (The list may hold more than it should; the mark decides.)"""
        with self._read() as conn:
            rows = self._all(conn, "SELECT u.article_id FROM unextracted_articles u WHERE NOT "
                             "EXISTS (SELECT 1 FROM extracted x WHERE x.article_id = "
                             "u.article_id) ORDER BY u.article_id")
        return [row[0] for row in rows]

    def in_publication_order(self, ids: Iterable[str]) -> list[str]:
        """Those of ``ids`` that are stored, oldest publication first, undated last, ties by id:
        the order a run fuses its new articles slice by slice in (dates only, no text read)."""
        keys = sorted(set(ids))
        with self._read() as conn:
            rows = self._select_in(conn, "SELECT id, published FROM articles WHERE id IN ({})",
                                   keys)
        return [row[0] for row in sorted(rows, key=lambda r: (r[1] is None, str(r[1] or ""),
                                                               r[0]))]

    def revise_article(self, article: Article, signature: bytes | None = None) -> int:
        """Replace a stored article by its new version (same id), keeping the old one as a
        revision, and mark it for re-extraction. Returns the revision number kept."""
        values = self._article_row(article)
        with self._write("articles") as conn:
            old = self._all(conn, "SELECT json FROM articles WHERE id = ?", (article.id,))
            if not old:
                raise StoreError(f"{self.location}: no article {article.id} to revise")
            number = int(self._all(conn, "SELECT COALESCE(MAX(revision), 0) + 1 FROM "
                                   "article_revisions WHERE article_id = ?", (article.id,))[0][0])
            self._run(conn, "INSERT INTO article_revisions (article_id, revision, replaced_at, "
                      "json) VALUES (?, ?, ?, ?)", (article.id, number, utc_now(), old[0][0]))
            updates = ", ".join(f"{column} = ?" for column in _ARTICLE_COLUMNS[1:])
            self._run(conn, f"UPDATE articles SET {updates} WHERE id = ?",
                      (*values[1:], article.id))
            if signature is not None:
                # Its bands follow the new signature: refilled before the next lookup.
                self._run(conn, "DELETE FROM signature_bands WHERE article_id = ?", (article.id,))
                self._run(conn, "INSERT INTO article_signatures (article_id, signature) "
                          "VALUES (?, ?) ON CONFLICT (article_id) DO UPDATE "
                          "SET signature = excluded.signature", (article.id, bytes(signature)))
                self._mark_unbanded(conn, [article.id])
            self._run(conn, "DELETE FROM extracted WHERE article_id = ?", (article.id,))
            # Its old mentions no longer say where it reports from: no vote until extracted.
            self._run(conn, "DELETE FROM article_regions WHERE article_id = ?", (article.id,))
            self._run(conn, "INSERT INTO unextracted_articles (article_id) VALUES (?) "
                      "ON CONFLICT (article_id) DO NOTHING", (article.id,))
        return number

    def article_revisions(self, article_id: str) -> list[Article]:
        """The replaced versions of an article, oldest first."""
        with self._read() as conn:
            rows = self._all(conn, "SELECT json FROM article_revisions WHERE article_id = ? "
                             "ORDER BY revision", (article_id,))
        return [self._decode(Article, "article_revisions", row[0]) for row in rows]

    # --- mentions ------------------------------------------------------------------------------

    def put_mentions(self, article_ids: Iterable[str], mentions: Sequence[Mention]) -> None:
        """Replace the mentions of ``article_ids`` with ``mentions`` and mark them extracted.

        Mentions kept under the same id are updated in place, so their event links survive a
        re-extraction; mentions no longer produced are deleted (with their event links).
        """
        targets = list(dict.fromkeys(article_ids))
        rows = self._mention_rows(set(targets), mentions)
        new_ids = {row[0] for row in rows}
        with self._write("mentions") as conn:
            owners = dict(self._select_in(conn, "SELECT id, article_id FROM mentions "
                                          "WHERE id IN ({})", [row[0] for row in rows]))
            for row in rows:
                owner = owners.get(row[0])
                if owner is not None and owner != row[1]:
                    raise StoreError(f"{self.location}: mention {row[0]} already belongs to "
                                     f"article {owner}, not {row[1]}")
            current = self._select_in(conn, "SELECT id FROM mentions WHERE article_id IN ({})",
                                      targets)
            stale = sorted({row[0] for row in current} - new_ids)
            self._many(conn, "DELETE FROM mentions WHERE id = ?", [(i,) for i in stale])
            self._many(conn, "INSERT INTO mentions (id, article_id, seq, type, json, "
                       "place_block, span_start, span_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (id) DO UPDATE SET "
                       "article_id = excluded.article_id, seq = excluded.seq, "
                       "type = excluded.type, json = excluded.json, "
                       "place_block = excluded.place_block, span_start = excluded.span_start, "
                       "span_end = excluded.span_end", rows)
            self._many(conn, "INSERT INTO extracted (article_id) VALUES (?) "
                       "ON CONFLICT (article_id) DO NOTHING", [(i,) for i in targets])
            self._many(conn, "DELETE FROM unextracted_articles WHERE article_id = ?",
                       [(i,) for i in targets])
            self._mark_unfused(conn, sorted(new_ids))
            stored = self._select_in(conn, "SELECT id, outlet, url FROM articles "
                                     "WHERE id IN ({})", targets)
            self._put_regions(conn, {i: outlet_name_key(o, u) for i, o, u in stored}, mentions)

    def _mention_rows(
        self, targets: set[str], mentions: Sequence[Mention]
    ) -> list[tuple[Any, ...]]:
        """(id, article_id, seq, type, json, place_block, span_start, span_end) per mention;
        refuses mentions of other articles and ids given twice, before anything is written."""
        rows: list[tuple[Any, ...]] = []
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
            rows.append((mention.id, mention.article_id, position, mention.type,
                         self._encode("mention", mention.id, mention), *_block_columns(mention)))
        return rows

    def get_mentions(self, article_ids: Iterable[str] | None = None) -> list[Mention]:
        """Mentions (all, or of ``article_ids``), by article id then reading order."""
        return self._records(Mention, "mentions", "article_id", article_ids,
                             order="article_id, seq, id")

    def get_mention(self, mention_id: str) -> Mention | None:
        found = self._records(Mention, "mentions", "id", [mention_id], order="id")
        return found[0] if found else None

    def mentions_by_id(self, mention_ids: Iterable[str]) -> list[Mention]:
        """The stored mentions of ``mention_ids`` (unknown ids skipped), by id."""
        return self._records(Mention, "mentions", "id", mention_ids, order="id")

    def outlet_table(self, articles: Sequence[Article]) -> OutletTable:
        """The votes rule outlet_home reads for ``articles``: per outlet of theirs, over every
        stored article of it that is extracted; and their own (table article_regions)."""
        outlets = sorted({key for a in articles if (key := outlet_key(a)) is not None})
        ids = sorted({a.id for a in articles})
        with self._read() as conn:
            counted = self._select_in(conn, "SELECT outlet, country, admin1, COUNT(*) FROM "
                                      "article_regions WHERE outlet IN ({}) "
                                      "GROUP BY outlet, country, admin1", outlets)
            voters = self._select_in(conn, "SELECT outlet, COUNT(DISTINCT article_id) FROM "
                                     "article_regions WHERE outlet IN ({}) GROUP BY outlet",
                                     outlets)
            own = self._select_in(conn, "SELECT article_id, country, admin1 FROM "
                                  "article_regions WHERE article_id IN ({})", ids)
        regions: dict[str, dict[Region, int]] = {}
        for outlet, country, admin1, count in counted:
            regions.setdefault(outlet, {})[(country, admin1)] = int(count)
        named: dict[str, set[Region]] = {}
        for article_id, country, admin1 in own:
            named.setdefault(article_id, set()).add((country, admin1))
        return OutletTable(
            {outlet: OutletVotes(int(n), regions.get(outlet, {})) for outlet, n in voters},
            {article_id: frozenset(found) for article_id, found in named.items()},
        )

    def mentions_in_blocks(self, windows: Mapping[str, Sequence[tuple[int, int]] | None]
                           ) -> list[Mention]:
        """Mentions of each place block (``blocks.place_block_key``) whose days overlap one of
        its windows (ordinals, inclusive), or have no days; a block given None: all its
        mentions. Ordered by id, each once."""
        short = ("place_block = ? AND span_start BETWEEN ? AND ? AND span_end >= ?")
        long = ("place_block = ? AND span_end - span_start > " + str(LONG_SPAN_DAYS) +
                " AND span_start <= ? AND span_end >= ?")
        found: dict[str, str] = {}
        with self._read() as conn:
            for block, spans in sorted(windows.items()):
                queries: list[tuple[str, list[Any]]]
                if spans is None:
                    queries = [("place_block = ?", [block])]
                else:
                    queries = [("place_block = ? AND span_start IS NULL", [block])]
                    for lo, hi in spans:
                        queries.append((short, [block, lo - LONG_SPAN_DAYS, hi, lo]))
                        queries.append((long, [block, hi, lo]))
                for where, params in queries:
                    found.update(self._all(conn, f"SELECT id, json FROM mentions WHERE {where}",
                                           params))
        return [self._decode(Mention, "mentions", found[i]) for i in sorted(found)]

    def unfused_mentions(self) -> list[Mention]:
        """Mentions no event links (new since the last fusion), by article id then reading order.
        Their ids come from the short list the writes keep (``_mark_unfused``), then only those
        records are read: every run asks, and an anti-join over every stored mention cost a
        run (one POSTed article) time in proportion to the store."""
        with self._read() as conn:
            ids = [row[0] for row in self._all(
                conn, "SELECT u.mention_id FROM unfused_mentions u WHERE NOT EXISTS (SELECT 1 "
                "FROM event_mentions l WHERE l.mention_id = u.mention_id)")]
        if not ids:
            return []
        return self._records(Mention, "mentions", "id", ids, order="article_id, seq, id")

    def _mark_unfused(self, conn: Connection, mention_ids: Sequence[str]) -> None:
        """List those of ``mention_ids`` that no event links (new, or unlinked by a fusion)."""
        linked = {row[0] for row in self._select_in(
            conn, "SELECT DISTINCT mention_id FROM event_mentions WHERE mention_id IN ({})",
            mention_ids)}
        self._many(conn, "INSERT INTO unfused_mentions (mention_id) VALUES (?) "
                   "ON CONFLICT (mention_id) DO NOTHING",
                   [(i,) for i in mention_ids if i not in linked])

    # --- events --------------------------------------------------------------------------------

    def put_events(self, events: Sequence[Event], removed_event_ids: Iterable[str] = ()) -> None:
        """Upsert ``events`` with their mention links and delete ``removed_event_ids``, atomically.

        An event that links a mention the store does not hold is refused (foreign key) and the
        whole call is rolled back. A fusion reads then rewrites several events: event writers
        serialize.
        """
        ids = [event.id for event in events]
        if len(set(ids)) != len(ids):
            raise StoreError(f"{self.location}: an event id is given twice in one put_events call")
        rows = [self._event_row(event) for event in events]
        links = [(event.id, mention_id)
                 for event in events for mention_id in dict.fromkeys(event.mention_ids)]
        removed = sorted(set(removed_event_ids) - set(ids))
        with self._write("events") as conn:
            unlinked = {row[0] for row in self._select_in(
                conn, "SELECT mention_id FROM event_mentions WHERE event_id IN ({})",
                sorted({*ids, *removed}))}
            self._many(conn, "DELETE FROM events WHERE id = ?", [(i,) for i in removed])
            self._many(conn, f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
                       f"VALUES ({', '.join('?' * len(_EVENT_COLUMNS))}) ON CONFLICT (id) "
                       f"DO UPDATE SET {_EVENT_UPDATES}", rows)
            self._many(conn, "DELETE FROM event_mentions WHERE event_id = ?", [(i,) for i in ids])
            self._many(conn, "INSERT INTO event_updates (event_id, at) VALUES (?, ?) "
                       "ON CONFLICT (event_id) DO NOTHING", [(i, NEVER_CHANGED) for i in ids])
            self._many(conn, "INSERT INTO event_mentions (event_id, mention_id) VALUES (?, ?)",
                       links)
            linked = sorted({mention_id for _, mention_id in links})
            self._many(conn, "DELETE FROM unfused_mentions WHERE mention_id = ?",
                       [(i,) for i in linked])
            self._mark_unfused(conn, sorted(unlinked - set(linked)))

    def get_events(
        self, where: EventFilter | None = None, *, sort: EventSort = "id",
        limit: int | None = None, offset: int = 0,
    ) -> list[Event]:
        """Events matching ``where`` (all when None) in the order ``sort`` names, ``offset``
        skipped, at most ``limit``: filtered, sorted and paged in SQL, so only the returned
        events are decoded."""
        with self._read() as conn:
            return self._event_rows(conn, where, sort, limit, offset)

    def count_events(self, where: EventFilter | None = None) -> int:
        """How many events match ``where`` (a listing's total), counted in SQL."""
        with self._read() as conn:
            return self._count_events(conn, where)

    def events_page(
        self, where: EventFilter | None = None, *, sort: EventSort = "id",
        limit: int | None = None, offset: int = 0,
    ) -> tuple[list[Event], int]:
        """:meth:`get_events` and :meth:`count_events` read in one snapshot, so a listing's
        total counts the state its page was read from even while a run writes."""
        with self._read() as conn:
            return (self._event_rows(conn, where, sort, limit, offset),
                    self._count_events(conn, where))

    def _event_rows(self, conn: Connection, where: EventFilter | None, sort: EventSort,
                    limit: int | None, offset: int) -> list[Event]:
        clauses, params = self._event_filter(where or EventFilter())
        sql = _paged(f"SELECT json FROM events{clauses} ORDER BY {_EVENT_ORDERS[sort]}", params,
                     limit, offset)
        return [self._decode(Event, "events", row[0]) for row in self._all(conn, sql, params)]

    def _count_events(self, conn: Connection, where: EventFilter | None) -> int:
        clauses, params = self._event_filter(where or EventFilter())
        return int(self._all(conn, f"SELECT COUNT(*) FROM events{clauses}", params)[0][0])

    def has_events(self) -> bool:
        """Whether any event is stored (a first fusion reads everything): one row looked at,
        where counting them all cost each run time in proportion to the store."""
        with self._read() as conn:
            return bool(self._all(conn, "SELECT 1 FROM events LIMIT 1"))

    def event_countries(self) -> set[str]:
        """The countries events are placed in (ISO alpha-2)."""
        with self._read() as conn:
            rows = self._all(conn, "SELECT DISTINCT country FROM events "
                             "WHERE country IS NOT NULL")
        return {row[0] for row in rows}

    def _event_filter(self, where: EventFilter) -> tuple[str, list[Any]]:
        """`` WHERE ...`` (or nothing) and its parameters."""
        date = self._dialect.date
        tests: list[tuple[str, Any]] = [
            ("type = ?", where.type),
            ("country = ?", where.country),
            ("COALESCE(date_end, date_start) >= ?", date(where.since)),
            ("COALESCE(date_start, date_end) <= ?", date(where.until)),
            ("disputed = ?", where.disputed),
            # Casefolded column and pattern: the same answer from SQLite's ASCII-insensitive
            # LIKE and PostgreSQL's case-sensitive one.
            ("actor_text LIKE ? ESCAPE '\\'", _pattern(where.actor)),
            ("search_text LIKE ? ESCAPE '\\'", _pattern(where.text)),
        ]
        needles = ((where.actor, True), (where.text, False))
        if any(n is not None and not can_match(n, actor=a) for n, a in needles):
            tests.append(("1 = ?", 0))  # never true
            tests = [(clause, value) for clause, value in tests if "LIKE" not in clause]
        elif self._dialect.trigram_index:
            # The exact LIKE tests above stay; the index only narrows the rows they read.
            for column, needle in (("actor_text", where.actor), ("search_text", where.text)):
                query = None if needle is None else trigram_query(column, needle)
                tests.append(("rowid IN (SELECT rowid FROM events_search "
                              "WHERE events_search MATCH ?)", query))
        kept = [(clause, value) for clause, value in tests if value is not None]
        if not kept:
            return "", []
        return (" WHERE " + " AND ".join(clause for clause, _ in kept),
                [value for _, value in kept])

    def get_event(self, event_id: str) -> Event | None:
        found = self._records(Event, "events", "id", [event_id], order="id")
        return found[0] if found else None

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]:
        """The events linking any of ``mention_ids``, each once, ordered by id."""
        with self._read() as conn:
            rows = self._select_in(conn, "SELECT DISTINCT e.id, e.json FROM events e JOIN "
                                   "event_mentions l ON l.event_id = e.id "
                                   "WHERE l.mention_id IN ({})", list(dict.fromkeys(mention_ids)))
        by_id = dict(rows)
        return [self._decode(Event, "events", by_id[event_id]) for event_id in sorted(by_id)]

    # --- changes -------------------------------------------------------------------------------

    def record_changes(self, changes: Sequence[Change]) -> None:
        """Append ``changes`` to the change log, in order, in one transaction."""
        rows = [(c.at or utc_now(), c.event_id, c.kind, c.article_id,
                 self._encode("change", c.event_id, c)) for c in changes]
        newest: dict[str, str] = {}
        for at, event_id, *_ in rows:
            newest[event_id] = max(newest.get(event_id, at), at)
        with self._write("changes") as conn:
            self._many(conn, "INSERT INTO changes (at, event_id, kind, article_id, json) "
                       "VALUES (?, ?, ?, ?, ?)", rows)
            self._many(conn, "INSERT INTO event_updates (event_id, at) VALUES (?, ?) "
                       "ON CONFLICT (event_id) DO UPDATE SET at = excluded.at "
                       "WHERE excluded.at > event_updates.at", sorted(newest.items()))

    def recently_changed_events(
        self, limit: int, before: tuple[str, str] | None = None
    ) -> tuple[list[tuple[str, Event]], list[Change]]:
        """(last change time, event) of the ``limit`` stored events changed most recently,
        newest first, ties by id (highest first), and their changes oldest first (by sequence),
        read in one snapshot. ``before``: only the events after this (time, id) in that order (a
        keyset page). An event no change names has time NEVER_CHANGED."""
        sql = ("SELECT u.at, u.event_id, e.json FROM event_updates u "
               "JOIN events e ON e.id = u.event_id")
        params: list[Any] = []
        if before is not None:
            sql += " WHERE (u.at, u.event_id) < (?, ?)"
            params += list(before)
        sql += " ORDER BY u.at DESC, u.event_id DESC LIMIT ?"
        with self._read() as conn:
            rows = self._all(conn, sql, [*params, limit])
            logged = self._select_in(conn, "SELECT seq, at, json FROM changes "
                                     "WHERE event_id IN ({})", [row[1] for row in rows])
        logged.sort(key=lambda row: int(row[0]))
        events = [(at, self._decode(Event, "events", text)) for at, _, text in rows]
        return events, [dataclasses.replace(self._decode(Change, "changes", text), seq=int(seq),
                                            at=at) for seq, at, text in logged]

    def get_changes(self, since: str | None = None, after_seq: int | None = None,
                    limit: int | None = None) -> list[Change]:
        """Changes recorded after ``since`` (UTC ISO text; all when None), oldest first; a page of
        at most ``limit`` of them after the change numbered ``after_seq`` (a keyset cursor: the
        log only grows, so a reader paging through it sees each change once)."""
        conditions: list[str] = []
        params: list[Any] = []
        if since is not None:
            conditions.append("at > ?")
            params.append(since)
        if after_seq is not None:
            conditions.append("seq > ?")
            params.append(after_seq)
        sql = "SELECT seq, at, json FROM changes"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._read() as conn:
            rows = self._all(conn, sql, params)
        return [dataclasses.replace(self._decode(Change, "changes", text), seq=int(seq), at=at)
                for seq, at, text in rows]

    # --- fetch state ---------------------------------------------------------------------------

    def get_fetch_state(self, url: str) -> FetchState | None:
        with self._read() as conn:
            rows = self._all(conn, f"SELECT {', '.join(_FETCH_STATE_COLUMNS)} FROM fetch_state "
                             "WHERE url = ?", (url,))
        return FetchState(*rows[0]) if rows else None

    def put_fetch_state(self, state: FetchState) -> None:
        updates = ", ".join(f"{c} = excluded.{c}" for c in _FETCH_STATE_COLUMNS[1:])
        row = tuple(getattr(state, column) for column in _FETCH_STATE_COLUMNS)
        with self._write("fetch_state") as conn:
            self._many(conn, f"INSERT INTO fetch_state ({', '.join(_FETCH_STATE_COLUMNS)}) "
                       f"VALUES ({', '.join('?' * len(row))}) "
                       f"ON CONFLICT (url) DO UPDATE SET {updates}", [row])

    # --- housekeeping --------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Row counts for summaries: articles, wire copies, mentions, events, disputed events."""
        with self._read() as conn:
            row = self._all(conn, "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM "
                            "articles WHERE copy_of IS NOT NULL), (SELECT COUNT(*) FROM mentions), "
                            "(SELECT COUNT(*) FROM events), "
                            "(SELECT COUNT(*) FROM events WHERE disputed = ?)", (True,))[0]
        names = ("articles", "copies", "mentions", "events", "disputed_events")
        return dict(zip(names, (int(value) for value in row), strict=True))

    def integrity_check(self) -> list[str]:
        """Problems the backend's checks find (dangling foreign keys, damage); empty when
        healthy."""
        with self._read() as conn:
            return list(self._dialect.integrity_problems(conn))

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, sorted: for audits, backups and idempotency tests."""
        dumped: dict[str, list[tuple[Any, ...]]] = {}
        with self._read() as conn:
            for table in self._dialect.tables(conn):
                # Table names come from the database's own catalog, quoted as identifiers.
                width = len(self._run(conn, f'SELECT * FROM "{table}" LIMIT 0').description)
                order = ", ".join(str(column) for column in range(1, width + 1))
                dumped[table] = [tuple(row) for row in
                                 self._all(conn, f'SELECT * FROM "{table}" ORDER BY {order}')]
        return dumped

    # --- records <-> rows ----------------------------------------------------------------------

    def _records(
        self, cls: type[R], table: str, key: str, keys: Iterable[str] | None, order: str
    ) -> list[R]:
        # table/key/order are this module's constants, never user input.
        with self._read() as conn:
            if keys is None:
                rows = self._all(conn, f"SELECT json FROM {table} ORDER BY {order}")
            else:
                rows = self._select_in(conn, f"SELECT json, {order} FROM {table} "
                                       f"WHERE {key} IN ({{}})", list(dict.fromkeys(keys)))
                rows.sort(key=lambda row: tuple(row[1:]))
        return [self._decode(cls, table, row[0]) for row in rows]

    def _article_row(self, article: Article) -> tuple[Any, ...]:
        return (article.id, article.url, article.outlet, article.title,
                self._dialect.date(article.published), article.copy_of,
                self._encode("article", article.id, article), *_article_columns(article))

    def _event_row(self, event: Event) -> tuple[Any, ...]:
        when, location = event.when, event.location
        return (event.id, event.type, self._dialect.date(when.start if when else None),
                self._dialect.date(when.end if when else None),
                location.country if location else None, bool(event.disagreements),
                self._encode("event", event.id, event), event.independent_sources,
                actor_text(event), search_text(event))

    def _encode(self, kind: str, record_id: str, record: object) -> str:
        try:
            return json.dumps(to_dict(record), sort_keys=True, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"{self.location}: cannot store {kind} {record_id}: {exc}") from exc

    def _decode(self, cls: type[R], table: str, text: str) -> R:
        """The row's record, strictly decoded: a value this version refuses (old data) is a
        StoreError naming the table, the record's id and the field. Inside a writer step, a
        text decoded before gives the same (immutable) record again."""
        memo = self._decoded
        if memo is None:
            return self._decoded_row(cls, table, text)
        key = (cls, hashlib.blake2b(text.encode(), digest_size=20).digest())
        found = memo.get(key)
        if found is None:
            found = memo[key] = self._decoded_row(cls, table, text)
        return cast(R, found)

    def _decoded_row(self, cls: type[R], table: str, text: str) -> R:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise StoreError(f"{self.location}: unreadable row in {table}: {exc}") from exc
        record_id = data.get("id") if isinstance(data, dict) else None
        try:
            return from_dict(cls, data)
        except (TypeError, ValueError, KeyError) as exc:
            named = f" (id {record_id!r})" if record_id is not None else ""
            raise StoreError(f"{self.location}: unreadable row in {table}{named}: {exc}") from exc


# A span longer than this (a month or year precision report) is found through its own index.
LONG_SPAN_DAYS = 31


def _block_columns(mention: Mention) -> tuple[str | None, int | None, int | None]:
    days = span(mention)
    return (place_block_key(mention), *(days if days is not None else (None, None)))


def _article_columns(article: Article) -> tuple[str | None, str | None, str]:
    """(outlet_key, domain_key, search_text): the article listing's filter columns."""
    return (*article_outlet_keys(article), article_search_text(article))


def _paged(sql: str, params: list[Any], limit: int | None, offset: int) -> str:
    """``sql`` with its page (``params`` gets the page's values): none when neither is set."""
    if limit is None and not offset:
        return sql
    params += [_NO_LIMIT if limit is None else limit, offset]
    return sql + " LIMIT ? OFFSET ?"


def _pattern(needle: str | None) -> str | None:
    return None if needle is None else like_pattern(needle)


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

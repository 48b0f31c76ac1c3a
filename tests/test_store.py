"""The store contract, run against every backend through the parametrized ``store`` fixture.

Backend-independent tests take ``store`` / ``make_store`` / ``db_location``; tests of one
backend's specifics (migration files, corrupt files, catalog checks) say so in their name.
PostgreSQL runs when ``EVENTFUSE_TEST_PG`` names a server (see conftest.py), each test in a
fresh schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from eventfuse.errors import StoreError
from eventfuse.records import (
    Actor,
    Article,
    Disagreement,
    EmbeddedPost,
    Event,
    EventSource,
    Evidence,
    Mention,
    Place,
    Quantity,
    Quote,
    QuoteGroup,
    SourceValue,
    When,
)
from eventfuse.store import EventFilter, SQLiteStore, Store, open_store, resolve_db
from eventfuse.store.schema import Migration, load_migrations, parse_migration_name
from eventfuse.store.sqlite import split_statements

# The migrations the package ships (both backends ship the same names).
SHIPPED = [f"{m.version}_{m.name}" for m in load_migrations()]
SHIPPED_ROWS = [(m.version, m.name) for m in load_migrations()]

BACKENDS = ["sqlite", "postgres"]

StoreFactory = Callable[[], Store]


@pytest.fixture(params=BACKENDS)
def db_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A location no store has used yet: a new SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "events.db")
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    raise AssertionError(f"no test location for backend {request.param}")


@pytest.fixture
def make_store(db_location: str) -> Iterator[StoreFactory]:
    """Opens (and re-opens) one test database of the backend; closes every handle at teardown."""
    opened: list[Store] = []

    def factory() -> Store:
        opened.append(open_store(db_location))
        return opened[-1]

    yield factory
    for handle in opened:
        handle.close()


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()


# --- rich records, every field set -------------------------------------------------------------

TEXT_A = (
    "Hundreds of dock workers marched through Le Havre on Monday, union leaders said. "
    "Police said 14 people were detained. « Nous ne céderons pas », said Marie Dubois."
)
TEXT_B = (
    "Dozens of dock workers marched in Le Havre on Monday, not hundreds as organisers claimed. "
    "« Nous ne céderons pas », Marie Dubois told reporters."
)


def _ev(article_id: str, text: str, snippet: str) -> Evidence:
    start = text.lower().index(snippet.lower())
    end = start + len(snippet)
    return Evidence(article_id, start, end, text[start:end])


def rich_article(article_id: str = "art-a", text: str = TEXT_A, **changes: object) -> Article:
    article = Article(
        id=article_id,
        text=text,
        url=f"https://news.example.org/{article_id}",
        outlet="Harbour Courier",
        title="Dock workers march in Le Havre",
        published=dt.date(2023, 3, 7),
        published_source="html",
        language="en",
        source_path=f"/data/{article_id}.html",
        posts=(
            EmbeddedPost(
                author="Port Union",
                handle="@portunion",
                date=dt.date(2023, 3, 6),
                url="https://social.example/portunion/1",
                text="Tous au port demain à 9h !",
            ),
        ),
        copy_of=None,
        source_id="feed-17",
        metadata={"feed": "rss", "tags": ["labour", "port"], "score": 0.75, "nested": {"k": 1}},
    )
    return dataclasses.replace(article, **changes)  # type: ignore[arg-type]


def rich_mention(
    mention_id: str = "men-1", article_id: str = "art-a", text: str = TEXT_A
) -> Mention:
    sentence = text[: text.index(".") + 1]
    return Mention(
        id=mention_id,
        article_id=article_id,
        type="PROTEST",
        mode="demo",
        acled_event_type="Protests",
        acled_sub_event_type="Peaceful protest",
        trigger=_ev(article_id, text, "marched"),
        sentence=_ev(article_id, text, sentence),
        actors=(
            Actor(
                role="actor",
                name="dock workers",
                canonical="Dock workers",
                type="labour",
                country="FRA",
                evidence=_ev(article_id, text, "dock workers"),
            ),
        ),
        location=Place(
            name="Le Havre",
            canonical="Le Havre",
            geonames_id=3003796,
            country="FR",
            admin1="Normandy",
            lat=49.49380,
            lon=0.10767,
            precision="point",
            note="city centre",
            evidence=_ev(article_id, text, "Le Havre"),
        ),
        places=(Place(name="Normandy", precision="admin1"),),
        when=When(
            text="on Monday",
            start=dt.date(2023, 3, 6),
            end=dt.date(2023, 3, 7),
            precision="day",
            anchor="publication",
            relative="weekday:monday",
            evidence=_ev(article_id, text, "on Monday"),
        ),
        quantities=(
            Quantity(kind="size", low=200, high=999, text="Hundreds",
                     evidence=_ev(article_id, text, "Hundreds")),
            Quantity(kind="arrested", low=14, high=None, text="14 people"),
        ),
        quotes=(
            Quote(
                text="Nous ne céderons pas",
                speaker="Marie Dubois",
                speaker_canonical="Marie Dubois",
                cue="said",
                direct=True,
                evidence=_ev(article_id, text, "Nous ne céderons pas"),
                speaker_evidence=_ev(article_id, text, "Marie Dubois"),
            ),
        ),
        attribution="according to union leaders",
        status="claimed",
        confidence=0.83,
        source_id="feed-17",
        outlet="Harbour Courier",
        published=dt.date(2023, 3, 7),
    )


def rich_event(event_id: str = "evt-1", mention_ids: tuple[str, ...] = ("men-1",)) -> Event:
    mention = rich_mention()
    size_a = SourceValue("art-a", {"low": 200, "high": 999}, _ev("art-a", TEXT_A, "Hundreds"),
                         "men-1")
    size_b = SourceValue("art-b", {"low": 24, "high": 99}, _ev("art-b", TEXT_B, "Dozens"), "men-2")
    return Event(
        id=event_id,
        type="PROTEST",
        mention_ids=mention_ids,
        mode="demo",
        acled_event_type="Protests",
        acled_sub_event_type="Peaceful protest",
        when=mention.when,
        location=mention.location,
        actors=mention.actors,
        quantities=mention.quantities,
        status="contested",
        sources=(
            EventSource("art-a", "Harbour Courier", "Dock workers march", dt.date(2023, 3, 7),
                        None, mention.sentence),
            EventSource("art-b", "Coast Wire", "Port protest", None, "art-a", None),
        ),
        independent_sources=2,
        quotes=(QuoteGroup(speaker="Marie Dubois", renderings=mention.quotes),),
        fields={"size": (size_a, size_b), "date": (SourceValue("art-b", "2023-03-06"),)},
        disagreements=(Disagreement("size", "hundreds vs dozens: ranges do not overlap",
                                    (size_a, size_b)),),
        confidence=0.91,
    )


def seed(store: Store) -> None:
    """Two articles, two mentions, one event: the common starting state."""
    store.add_articles([rich_article(), rich_article("art-b", TEXT_B, copy_of="art-a")],
                       {"art-a": b"\x00\x01\xff", "art-b": bytes(range(16))})
    store.put_mentions(["art-a"], [rich_mention()])
    store.put_mentions(["art-b"], [rich_mention("men-2", "art-b", TEXT_B)])
    store.put_events([rich_event(mention_ids=("men-1", "men-2"))])


# --- round trips ------------------------------------------------------------------------------


def test_article_round_trip_keeps_every_field(store: Store) -> None:
    article = rich_article()
    copy = rich_article("art-b", TEXT_B, copy_of="art-a", published=None, posts=())
    result = store.add_articles([copy, article], {"art-a": b"\x00sig\xff"})
    assert result.new == ("art-b", "art-a") and result.existing == ()
    assert store.get_article("art-a") == article
    assert store.get_articles() == [article, copy]  # ordered by id
    assert store.get_articles(["art-b", "missing", "art-b"]) == [copy]
    assert store.get_article("missing") is None
    assert store.article_signatures() == {"art-a": b"\x00sig\xff"}
    assert store.count_articles() == 2
    assert store.existing_article_ids(["art-b", "missing", "art-b"]) == {"art-b"}
    assert store.existing_article_ids([]) == set()


def test_mention_round_trip_keeps_every_field_and_reading_order(store: Store) -> None:
    store.add_articles([rich_article()])
    first, second = rich_mention("men-z"), rich_mention("men-a")
    store.put_mentions(["art-a"], [first, second])
    assert store.get_mention("men-z") == first
    # Reading order (as extraction returned them), not id order.
    assert store.get_mentions() == [first, second]
    assert store.get_mentions(["art-a"]) == [first, second]
    assert store.get_mentions(["other"]) == []
    assert store.get_mention("nope") is None


def test_event_round_trip_keeps_every_field(store: Store) -> None:
    seed(store)
    event = rich_event(mention_ids=("men-1", "men-2"))
    assert store.get_event("evt-1") == event
    assert store.get_events() == [event]
    assert store.events_for_mentions(["men-2", "men-1", "unknown"]) == [event]
    assert store.events_for_mentions(["unknown"]) == []


def test_event_filters_use_indexed_columns(store: Store) -> None:
    seed(store)
    undated = Event(id="evt-0", type="ASSAULT", mention_ids=("men-1",))
    store.put_events([undated])
    assert [e.id for e in store.get_events(EventFilter(type="ASSAULT"))] == ["evt-0"]
    assert [e.id for e in store.get_events(EventFilter(country="FR"))] == ["evt-1"]
    assert [e.id for e in store.get_events(EventFilter(disputed=True))] == ["evt-1"]
    assert [e.id for e in store.get_events(EventFilter(disputed=False))] == ["evt-0"]
    # evt-1 spans 2023-03-06..07: a range touching its last day overlaps, the day after does not.
    assert [e.id for e in store.get_events(EventFilter(since=dt.date(2023, 3, 7)))] == ["evt-1"]
    assert store.get_events(EventFilter(since=dt.date(2023, 3, 8))) == []
    assert store.get_events(EventFilter(until=dt.date(2023, 3, 5))) == []
    assert store.counts() == {"articles": 2, "copies": 1, "mentions": 2, "events": 2,
                              "disputed_events": 1}


def test_change_log_pages_by_seq(make_store: StoreFactory) -> None:
    from eventfuse.changes import Change

    store = make_store()
    store.record_changes([Change(f"ev-{n}", "created", f"event {n}",
                                 at=f"2024-05-{n:02d}T10:00:00+00:00") for n in range(1, 6)])
    every = store.get_changes()
    assert [c.event_id for c in every] == [f"ev-{n}" for n in range(1, 6)]
    page = store.get_changes(limit=2)
    assert [c.event_id for c in page] == ["ev-1", "ev-2"]
    after = store.get_changes(after_seq=page[-1].seq, limit=2)
    assert [c.event_id for c in after] == ["ev-3", "ev-4"]
    since = store.get_changes("2024-05-02T12:00:00+00:00", after_seq=after[0].seq)
    assert [c.event_id for c in since] == ["ev-4", "ev-5"]


# --- idempotency and replacement -------------------------------------------------------------


def test_second_identical_ingest_changes_nothing(make_store: StoreFactory) -> None:
    first = make_store()
    seed(first)
    before = first.dump()
    first.close()
    again = make_store()  # a new process would re-open the file, so do we
    result = again.add_articles([rich_article(), rich_article("art-b", TEXT_B, copy_of="art-a")],
                                {"art-a": b"\x00\x01\xff", "art-b": bytes(range(16))})
    assert result.new == () and result.existing == ("art-a", "art-b")
    again.put_mentions(["art-a"], [rich_mention()])
    again.put_events([rich_event(mention_ids=("men-1", "men-2"))])
    assert again.dump() == before
    assert sum(len(rows) for rows in before.values()) > 8  # the dump really holds the data


def test_readding_an_article_never_overwrites_it(store: Store) -> None:
    store.add_articles([rich_article()])
    result = store.add_articles([rich_article(title="A different title"), rich_article("art-c"),
                                 rich_article("art-c")])
    assert result.new == ("art-c",) and result.existing == ("art-a", "art-c")
    article = store.get_article("art-a")
    assert article is not None and article.title == "Dock workers march in Le Havre"


def test_put_mentions_replaces_and_keeps_links_of_kept_mentions(store: Store) -> None:
    seed(store)
    store.put_mentions(["art-a"], [rich_mention("men-1"), rich_mention("men-3")])
    store.put_events([rich_event("evt-3", ("men-3",))])
    # Re-extraction drops men-3 and keeps men-1: evt-3 loses its link, evt-1 keeps both.
    store.put_mentions(["art-a"], [rich_mention("men-1")])
    assert [m.id for m in store.get_mentions(["art-a"])] == ["men-1"]
    assert [e.id for e in store.events_for_mentions(["men-1"])] == ["evt-1"]
    assert store.events_for_mentions(["men-3"]) == []
    assert store.integrity_check() == []


def test_article_with_zero_mentions_is_not_extracted_again(store: Store) -> None:
    store.add_articles([rich_article(), rich_article("art-b", TEXT_B)])
    assert store.articles_without_mentions() == ["art-a", "art-b"]
    store.put_mentions(["art-b"], [])
    assert store.articles_without_mentions() == ["art-a"]
    store.put_mentions(["art-a"], [rich_mention()])
    assert store.articles_without_mentions() == []


def test_put_events_upserts_and_removes(store: Store) -> None:
    seed(store)
    store.put_events([rich_event("evt-2", ("men-2",))])
    changed = dataclasses.replace(rich_event(mention_ids=("men-1",)), confidence=0.4,
                                  disagreements=())
    store.put_events([changed], removed_event_ids=["evt-2", "never-stored"])
    assert store.get_events() == [changed]
    assert store.events_for_mentions(["men-2"]) == []
    assert store.counts()["disputed_events"] == 0


def test_unfused_mentions_are_those_no_event_links(store: Store) -> None:
    seed(store)
    store.put_mentions(["art-a"], [rich_mention("men-1"), rich_mention("men-3")])
    assert [m.id for m in store.unfused_mentions()] == ["men-3"]
    store.put_events([rich_event("evt-3", ("men-3",))])
    assert store.unfused_mentions() == []
    store.put_events([], removed_event_ids=["evt-1"])
    assert [m.id for m in store.unfused_mentions()] == ["men-1", "men-2"]


# --- atomicity ---------------------------------------------------------------------------------


def test_mention_batch_with_missing_article_stores_nothing(store: Store) -> None:
    seed(store)
    before = store.dump()
    batch = [rich_mention("men-new"), rich_mention("men-ghost", "ghost-article")]
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        store.put_mentions(["art-a", "ghost-article"], batch)
    assert store.dump() == before


def test_article_batch_with_bad_signature_stores_nothing(store: Store) -> None:
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        store.add_articles([rich_article()], {"art-a": b"ok", "not-in-batch": b"x"})
    assert store.count_articles() == 0
    assert store.article_signatures() == {}


def test_event_linking_unknown_mention_rolls_back_removals_too(store: Store) -> None:
    seed(store)
    before = store.dump()
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        store.put_events([rich_event("evt-9", ("men-1", "no-such-mention"))],
                         removed_event_ids=["evt-1"])
    assert store.dump() == before


def test_unserializable_record_is_refused_before_writing(store: Store) -> None:
    bad = rich_article("art-x", metadata={"when": object()})
    with pytest.raises(StoreError, match="cannot store article art-x"):
        store.add_articles([rich_article(), bad])
    assert store.count_articles() == 0


def test_mention_id_of_another_article_is_refused(store: Store) -> None:
    seed(store)
    with pytest.raises(StoreError, match="already belongs to article art-a"):
        store.put_mentions(["art-b"], [rich_mention("men-1", "art-b", TEXT_B)])
    assert [m.id for m in store.get_mentions(["art-b"])] == ["men-2"]


def test_mention_of_an_article_not_being_replaced_is_refused(store: Store) -> None:
    store.add_articles([rich_article(), rich_article("art-b", TEXT_B)])
    with pytest.raises(StoreError, match="does not replace"):
        store.put_mentions(["art-b"], [rich_mention("men-1", "art-a")])


def test_large_batches_cross_query_chunks(store: Store) -> None:
    articles = [Article(id=f"bulk-{i:04d}", text=f"text {i}") for i in range(1_200)]
    assert len(store.add_articles(articles).new) == 1_200
    ids = [a.id for a in reversed(articles)]
    assert store.get_articles(ids) == articles  # ordered by id whatever the request order
    assert len(store.existing_article_ids(ids)) == 1_200
    store.put_mentions(ids, [Mention(id=f"m-{a.id}", article_id=a.id, type="AID")
                             for a in articles])
    assert len(store.get_mentions(ids[:700])) == 700
    assert store.articles_without_mentions() == []


def test_store_is_usable_from_worker_threads(store: Store) -> None:
    # The web server calls the store from a thread pool.
    store.add_articles([rich_article()])
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: store.get_article("art-a"), range(40)))
    assert found == [rich_article()] * 40


def test_closed_store_raises_store_error(make_store: StoreFactory) -> None:
    with make_store() as handle:
        handle.add_articles([rich_article()])
    with pytest.raises(StoreError):
        handle.count_articles()


def test_fresh_database_is_healthy(store: Store) -> None:
    seed(store)
    assert store.integrity_check() == []


# --- location resolution -------------------------------------------------------------------


def test_resolve_db_prefers_argument_then_environment_then_default() -> None:
    assert resolve_db("given.db", {"EVENTFUSE_DB": "env.db"}) == "given.db"
    assert resolve_db(None, {"EVENTFUSE_DB": "env.db"}) == "env.db"
    assert resolve_db(None, {}) == "eventfuse.db"


def test_open_store_reads_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTFUSE_DB", str(tmp_path / "from-env.db"))
    with open_store() as handle:
        handle.add_articles([rich_article()])
    assert (tmp_path / "from-env.db").exists()


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://someone:s3cret@127.0.0.1:1/events", "postgresql://someone@127.0.0.1:1/events"),
        ("postgres://127.0.0.1:1/db?password=s3cret&sslmode=disable",
         "postgres://127.0.0.1:1/db?sslmode=disable"),
        ("postgresql+psycopg://someone@127.0.0.1:1/db", "postgresql://someone@127.0.0.1:1/db"),
    ],
)
def test_postgres_url_dispatches_to_postgres_and_names_the_database(url: str, named: str) -> None:
    # Port 1 has no server: the PostgreSQL backend tries to connect (SQLite would create a file
    # called "postgresql:...") and its error names the database without the password.
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert message.startswith(f"{named}: ") and "s3cret" not in message
    assert "127.0.0.1" in message.removeprefix(named)  # libpq's reason follows


def test_open_store_dispatches_on_the_location(db_location: str) -> None:
    from eventfuse.store.postgres import PostgresStore

    expected = PostgresStore if db_location.startswith("postgresql://") else SQLiteStore
    with open_store(db_location) as handle:
        assert type(handle) is expected


# --- SQLite specifics -------------------------------------------------------------------------


def test_sqlite_in_memory_database_works() -> None:
    with open_store(":memory:") as handle:
        seed(handle)
        assert handle.counts()["events"] == 1


def test_sqlite_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    with SQLiteStore(path) as first:
        assert first.applied_migrations() == SHIPPED
    with SQLiteStore(path) as again:
        assert again.applied_migrations() == SHIPPED
        assert again.dump()["schema_migrations"] == SHIPPED_ROWS


def test_sqlite_new_migration_applies_on_next_open(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    SQLiteStore(path).close()
    extra = Migration("0099", "event_notes", "ALTER TABLE events ADD COLUMN note TEXT;\n"
                      "CREATE INDEX IF NOT EXISTS events_note ON events (note);")
    with SQLiteStore(path, migrations=[*load_migrations(), extra]) as upgraded:
        assert upgraded.applied_migrations() == [*SHIPPED, "0099_event_notes"]
    # An older eventfuse must not write into a newer schema.
    with pytest.raises(StoreError, match="schema version 0099 is newer"):
        SQLiteStore(path)


def test_sqlite_failed_migration_leaves_no_trace(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    SQLiteStore(path).close()
    broken = Migration("0099", "broken", "CREATE TABLE half_done (x TEXT);\n"
                       "ALTER TABLE no_such_table ADD COLUMN y TEXT;")
    with pytest.raises(StoreError, match="no such table"):
        SQLiteStore(path, migrations=[*load_migrations(), broken])
    with SQLiteStore(path) as reopened:
        assert reopened.applied_migrations() == SHIPPED
        assert "half_done" not in reopened.dump()


def test_sqlite_pragmas_are_set(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    SQLiteStore(str(path)).close()
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent setting
    finally:
        raw.close()


def test_every_backend_fills_every_type_placeholder_of_the_migrations() -> None:
    from eventfuse.store.dialect import TYPE_NAMES
    from eventfuse.store.postgres import POSTGRES_TYPES
    from eventfuse.store.schema import typed
    from eventfuse.store.sqlite import SQLITE_TYPES

    for types in (SQLITE_TYPES, POSTGRES_TYPES):
        assert set(types) == set(TYPE_NAMES)
        for migration in load_migrations():
            assert "{" not in typed(migration.sql, types), migration.label
    assert typed("x {key} {unknown}", SQLITE_TYPES) == "x TEXT {unknown}"


def test_migration_file_names_and_statement_split() -> None:
    assert parse_migration_name("0001_init.sql") == ("0001", "init")
    assert parse_migration_name("README.md") is None
    assert parse_migration_name("1_init.sql") is None
    script = (
        "-- header; not a statement\nCREATE TABLE t (x TEXT DEFAULT 'a;b');\n\n"
        "INSERT INTO t VALUES ('c');\n-- end\n"
    )
    assert split_statements(script) == [
        "-- header; not a statement\nCREATE TABLE t (x TEXT DEFAULT 'a;b');",
        "INSERT INTO t VALUES ('c');",
    ]
    with pytest.raises(StoreError, match="incomplete SQL"):
        split_statements("CREATE TABLE t (x TEXT)")


def test_sqlite_corrupt_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        open_store(str(path))
    assert str(caught.value) == f"{path}: file is not a database"


def test_sqlite_unopenable_path_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing-dir" / "x.db"
    with pytest.raises(StoreError) as caught:
        open_store(str(path))
    assert str(caught.value) == f"{path}: unable to open database file"


def test_sqlite_integrity_check_reports_dangling_rows(tmp_path: Path) -> None:
    path = tmp_path / "i.db"
    with SQLiteStore(str(path)) as handle:
        handle.add_articles([rich_article()])
    raw = sqlite3.connect(path)  # foreign keys are OFF by default on a raw connection
    raw.execute("INSERT INTO extracted (article_id) VALUES ('ghost')")
    raw.commit()
    raw.close()
    with SQLiteStore(str(path)) as handle:
        assert handle.integrity_check() == ["extracted row 1: no articles row it refers to"]


def _concurrent_writer(location: str, prefix: str, start: object) -> None:
    """Child process: many small batches into the shared database, racing the other child."""
    start.wait()  # type: ignore[attr-defined]
    with open_store(location) as handle:
        for batch in range(8):
            articles = [Article(id=f"{prefix}-{batch}-{i}", text=f"{prefix} text {batch} {i}")
                        for i in range(15)]
            handle.add_articles(articles, {a.id: a.id.encode() for a in articles})
            handle.put_mentions([a.id for a in articles],
                                [Mention(id=f"m-{a.id}", article_id=a.id, type="PROTEST")
                                 for a in articles])
            # Both children also upsert one shared event: event writes must serialize cleanly.
            handle.put_events([
                Event(id=f"evt-{prefix}-{batch}", type="PROTEST",
                      mention_ids=tuple(f"m-{a.id}" for a in articles)),
                Event(id="evt-shared", type="PROTEST", mention_ids=(f"m-{articles[0].id}",)),
            ])


def test_two_processes_write_the_same_new_database(db_location: str) -> None:
    # The file (or schema) is empty: both processes also race to create and migrate it.
    path = db_location
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [context.Process(target=_concurrent_writer, args=(path, name, start))
               for name in ("left", "right")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    with open_store(path) as handle:
        assert handle.counts()["articles"] == 2 * 8 * 15
        assert handle.counts()["mentions"] == 2 * 8 * 15
        assert handle.counts()["events"] == 2 * 8 + 1
        assert len(handle.events_for_mentions([f"m-{side}-{b}-{i}" for side in ("left", "right")
                                               for b in range(8) for i in range(15)])) == 17
        assert handle.applied_migrations() == SHIPPED
        assert handle.integrity_check() == []


# --- PostgreSQL specifics ---------------------------------------------------------------------


def test_postgres_migrations_apply_once_and_are_recorded(pg_url: str) -> None:
    from eventfuse.store.postgres import PostgresStore

    with PostgresStore(pg_url) as first:
        assert first.applied_migrations() == SHIPPED
    with PostgresStore(pg_url) as again:
        assert again.applied_migrations() == SHIPPED
        assert again.dump()["schema_migrations"] == SHIPPED_ROWS
        # The same tables as the SQLite schema, so the two backends hold the same data.
        with SQLiteStore(":memory:") as lite:
            assert sorted(again.dump()) == sorted(lite.dump())


def test_postgres_new_migration_applies_on_next_open(pg_url: str) -> None:
    from eventfuse.store.postgres import PostgresStore

    PostgresStore(pg_url).close()
    extra = Migration("0099", "event_notes", "ALTER TABLE events ADD COLUMN note TEXT;\n"
                      "CREATE INDEX IF NOT EXISTS events_note ON events (note);")
    pg_migrations = load_migrations()  # one folder for every backend
    with PostgresStore(pg_url, migrations=[*pg_migrations, extra]) as upgraded:
        assert upgraded.applied_migrations() == [*SHIPPED, "0099_event_notes"]
    with pytest.raises(StoreError, match="schema version 0099 is newer"):
        PostgresStore(pg_url)


def test_postgres_failed_migration_leaves_no_trace(pg_url: str) -> None:
    from eventfuse.store.postgres import PostgresStore

    PostgresStore(pg_url).close()
    broken = Migration("0099", "broken", "CREATE TABLE half_done (x TEXT);\n"
                       "ALTER TABLE no_such_table ADD COLUMN y TEXT;")
    with pytest.raises(StoreError, match='relation "no_such_table" does not exist'):
        PostgresStore(pg_url, migrations=[*load_migrations(), broken])
    with PostgresStore(pg_url) as reopened:
        assert reopened.applied_migrations() == SHIPPED
        assert "half_done" not in reopened.dump()


def test_ids_sort_by_code_point_whatever_the_locale(store: Store) -> None:
    # "C" collation on keys: the order SQLite (and Python) give, not the locale's.
    ids = ["b", "B", "a_2", "a-1", "A", "é", "z"]
    store.add_articles([Article(id=article_id, text="t") for article_id in ids])
    assert [a.id for a in store.get_articles()] == sorted(ids)
    assert store.articles_without_mentions() == sorted(ids)


def test_postgres_integrity_check_reports_dangling_rows(pg_url: str) -> None:
    import psycopg

    from eventfuse.store.postgres import PostgresStore

    with PostgresStore(pg_url) as handle:
        handle.add_articles([rich_article()])
    # Only a damaged or hand-edited database has a dangling row: drop the constraint, insert,
    # and re-add it NOT VALID (which does not check existing rows).
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("ALTER TABLE extracted DROP CONSTRAINT extracted_article_id_fkey")
        raw.execute("INSERT INTO extracted (article_id) VALUES ('ghost')")
        raw.execute("ALTER TABLE extracted ADD CONSTRAINT extracted_article_id_fkey "
                    "FOREIGN KEY (article_id) REFERENCES articles (id) NOT VALID")
    with PostgresStore(pg_url) as handle:
        assert handle.integrity_check() == [
            "constraint extracted_article_id_fkey on extracted is not validated",
            "extracted row (article_id=ghost): no articles row it refers to",
        ]


def test_postgres_store_reconnects_after_the_server_drops_it(pg_url: str) -> None:
    import psycopg

    from eventfuse.store.postgres import PostgresStore

    with PostgresStore(pg_url) as handle:
        handle.add_articles([rich_article()])
        pid = handle._conn.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError):  # the call in flight fails, named as a store error ...
            handle.count_articles()
        assert handle.count_articles() == 1  # ... and the next one runs on a new connection


def test_a_writer_step_decodes_each_stored_text_once_and_sees_its_own_writes(
    store: Store,
) -> None:
    store.add_articles([rich_article()])
    first = rich_mention()
    store.put_mentions(["art-a"], [first])
    assert store.get_mention("men-1") is not store.get_mention("men-1")  # no memo outside
    with store.writer_lock():
        read = store.get_mention("men-1")
        assert read == first and store.get_mention("men-1") is read  # decoded once
        revised = dataclasses.replace(first, mode="riot")
        store.put_mentions(["art-a"], [revised])
        assert store.get_mention("men-1") == revised  # a new text: decoded again
    assert store.get_mention("men-1") == revised

"""The store's indexed block query (``Store.mentions_in_blocks``) returns exactly the mentions
the scope's definition (``fuse.scope.in_windows``, what ``MemorySource`` reads) names: place
blocks, windows, long spans (month or year precision), undated reports (the lookback before
publication) and reports with no days at all; and migration 0006 fills the block columns of the
mentions stored before it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eventfuse.fuse.scope import MemorySource, block_windows
from eventfuse.records import Article, Mention, Place, When, to_dict
from eventfuse.settings import Options
from eventfuse.store import Store, open_store
from eventfuse.store.schema import load_migrations
from eventfuse.store.sqlite import SQLiteStore

DAY0 = dt.date(2021, 1, 1)
PLACES = [
    None,
    Place("Kabul", country="AF", admin1="Kabul", precision="point"),
    Place("Kabul province", country="AF", admin1="Kabul", precision="admin1"),
    Place("Herat", country="AF", admin1="Herat", precision="point"),
    Place("Afghanistan", country="AF", precision="country"),
    Place("Nairobi", country="KE", admin1="Nairobi", precision="point"),
    Place("somewhere", precision="unknown"),
]


@st.composite
def mentions(draw: st.DrawFn, prefix: str) -> Mention:
    place = draw(st.sampled_from(PLACES))
    start = DAY0 + dt.timedelta(days=draw(st.integers(0, 40)))  # dense: many edges
    length = draw(st.sampled_from([0, 0, 1, 6, 30, 31, 32, 40, 364]))
    when = draw(st.sampled_from([
        None,
        When("on the day", start=start, end=start + dt.timedelta(days=length), precision="day"),
        When("last Friday", relative="friday"),
    ]))
    published = draw(st.sampled_from([None, start + dt.timedelta(days=2)]))
    index = draw(st.integers(0, 10**6))
    return Mention(id=f"{prefix}{index}", article_id="a1", type="ASSAULT", location=place,
                   when=when, published=published)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Store]:
    if request.param == "sqlite":
        location = str(tmp_path_factory.mktemp("scope") / "scope.db")
        with open_store(location) as opened:
            yield opened
        return
    import psycopg

    from conftest import _require_pg_server, with_search_path

    base = _require_pg_server()
    schema = f"eventfuse_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with open_store(with_search_path(base, schema)) as opened:
            yield opened
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _on(mention_id: str, day: int, length: int) -> Mention:
    start = DAY0 + dt.timedelta(days=day)
    when = When("then", start=start, end=start + dt.timedelta(days=length), precision="day")
    return Mention(id=mention_id, article_id="a1", type="ASSAULT", location=PLACES[1], when=when)


@settings(max_examples=150)
# Window edges, exactly: a report longer than a month ending on the window's first day, one
# starting on its last day, one ending on its first day.
@example(stored=[_on("s1", 0, 37), _on("s2", 43, 40), _on("s3", 30, 7)], new=[_on("n1", 40, 0)],
         window=3)
@given(stored=st.lists(mentions("s"), max_size=40, unique_by=lambda m: m.id),
       new=st.lists(mentions("n"), min_size=1, max_size=5, unique_by=lambda m: m.id),
       window=st.integers(0, 5))
def test_block_query_matches_the_definition(
    store: Store, stored: list[Mention], new: list[Mention], window: int
) -> None:
    store.add_articles([Article(id="a1", text="t")])
    store.put_mentions(["a1"], stored)
    windows = block_windows(new, window)
    expected = MemorySource(stored, [], []).mentions_in_blocks(windows)
    assert [m.id for m in store.mentions_in_blocks(windows)] == [m.id for m in expected]


def test_migration_fills_block_columns_of_older_mentions(tmp_path: Path) -> None:
    location = str(tmp_path / "old.db")
    older = [m for m in load_migrations() if m.version < "0006"]
    SQLiteStore(location, migrations=older).close()
    kabul = Mention(id="m1", article_id="a1", type="ASSAULT", location=PLACES[1],
                    when=When("Monday", start=DAY0, end=DAY0, precision="day"))
    elsewhere = Mention(id="m2", article_id="a1", type="ASSAULT", location=PLACES[5],
                        published=DAY0)
    with sqlite3.connect(location) as conn:  # as the store before 0006 wrote them
        conn.execute("INSERT INTO articles (id, json) VALUES (?, ?)",
                     ("a1", json.dumps(to_dict(Article(id="a1", text="t")))))
        conn.executemany("INSERT INTO mentions (id, article_id, seq, type, json) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(m.id, m.article_id, k, m.type, json.dumps(to_dict(m)))
                          for k, m in enumerate([kabul, elsewhere])])
    conn.close()
    with open_store(location) as store:
        near = Mention(id="n1", article_id="a2", type="ASSAULT", location=PLACES[1],
                       when=When("Tuesday", start=DAY0 + dt.timedelta(days=1),
                                 end=DAY0 + dt.timedelta(days=1), precision="day"))
        assert [m.id for m in store.mentions_in_blocks(block_windows([near], 3))] == ["m1"]
        undated = Mention(id="n2", article_id="a2", type="ASSAULT", location=PLACES[5])
        assert [m.id for m in store.mentions_in_blocks(block_windows([undated], 3))] == ["m2"]


@settings(max_examples=30)
@given(days=st.lists(st.one_of(st.none(), st.integers(0, 30)), max_size=20),
       windows=st.lists(st.tuples(st.integers(-5, 35), st.integers(0, 10)), max_size=4))
def test_publication_window_query_matches_the_definition(
    store: Store, days: list[int | None], windows: list[tuple[int, int]]
) -> None:
    run = uuid.uuid4().hex  # the module's store keeps earlier examples' articles
    articles = [Article(id=f"p{k}-{run}", text="t",
                        published=None if d is None else DAY0 + dt.timedelta(days=d))
                for k, d in enumerate(days)]
    store.add_articles(articles)
    spans = [(DAY0.toordinal() + lo, DAY0.toordinal() + lo + width) for lo, width in windows]
    wanted = {a.id for a in articles}
    memory = MemorySource([], articles, []).articles_published_in(spans)
    assert [i for i in store.articles_published_in(spans) if i in wanted] == memory


def test_scope_reaches_as_far_as_principal_events_join() -> None:
    # One story's principal events join up to principal_day_gap (7) days apart, beyond the
    # 3-day date window: a report published 5 days after a stored one must read it.
    from eventfuse.fuse import fuse
    from eventfuse.fuse.scope import fusion_scope, scope_days

    options = Options()
    assert scope_days(options) == 7 > options.date_window_days
    first = Article(id="first", text="A man was shot on Main Street.", published=DAY0)
    stored = Mention(id="first:m0", article_id="first", type="ASSAULT", location=PLACES[1],
                     when=When("on the day", start=DAY0, end=DAY0, precision="day"),
                     published=DAY0)
    later = DAY0 + dt.timedelta(days=5)
    follow_up = Article(id="later", text="A man was charged in the shooting.", published=later)
    new = Mention(id="later:m0", article_id="later", type="ASSAULT", published=later)
    events = fuse([stored], [first], [], options).events
    source = MemorySource([stored, new], [first, follow_up], events)
    scope = fusion_scope(source, options)
    assert {a.id for a in scope.articles} == {"first", "later"}
    assert [e.id for e in scope.previous] == [e.id for e in events]

"""The store's table of outlets' region votes (rule outlet_home, migration 0011): a fusion of a
slice (or of an increment added as news comes) learns an outlet's home from every stored article
of the outlet, as one fusion of the same articles does; storing the same mentions again counts
each article once; a revised article votes again only once extracted again. SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventfuse.fuse.outlets import article_homes
from eventfuse.fuse.scope import MemorySource, fusion_scope
from eventfuse.geo import AMBIGUOUS_NOTE
from eventfuse.outlet_votes import OutletTable, outlet_table
from eventfuse.records import Article, Event, Evidence, Mention, Place, When, to_dict
from eventfuse.settings import Options
from eventfuse.store import Store, open_store
from eventfuse.store.schema import load_migrations
from eventfuse.store.sqlite import SQLiteStore

MACON = Place("Macon", "Macon", 4207400, "US", "Georgia", 32.84, -83.63, "point")
SAVANNAH = Place("Savannah", "Savannah", 4221552, "US", "Georgia", 32.08, -81.10, "point")
DAYTON = Place("Dayton", "Dayton", 4509884, "US", "Ohio", 39.76, -84.19, "point")
# Read as its most populous namesake, left open (no context of its article settled it).
ALBANY_NY = Place("Albany", "Albany", 5106834, "US", "New York", 42.65, -73.76, "point",
                  note=f"{AMBIGUOUS_NOTE} Albany (Georgia, US)",
                  evidence=Evidence("d", 18, 24, "Albany"))
WINTER = dt.date(2023, 1, 10)
SUMMER = dt.date(2023, 6, 1)  # months later: no block or story reaches back to the winter


def _article(aid: str, host: str, day: dt.date) -> Article:
    return Article(id=aid, text=f"A man was shot in the evening ({aid}).",
                   url=f"https://{host}/news/{aid}", published=day)


def _mention(aid: str, place: Place, day: dt.date) -> Mention:
    return Mention(id=f"{aid}:0", article_id=aid, type="ASSAULT", location=place,
                   when=When("on the day", start=day, end=day, precision="day"),
                   published=day, trigger_lemmas=("shoot",))


# One local station: three winter reports of its own state's towns; then, in summer, a report
# whose town name its article leaves open. Another outlet's single report votes for nothing.
ARTICLES = [
    _article("a", "station.example", WINTER),
    _article("b", "station.example", WINTER + dt.timedelta(days=1)),
    _article("c", "station.example", WINTER + dt.timedelta(days=2)),
    _article("e", "other.example", WINTER),
    _article("d", "station.example", SUMMER),
]
FIRST = [_mention("a", MACON, WINTER), _mention("b", SAVANNAH, WINTER + dt.timedelta(days=1)),
         _mention("c", MACON, WINTER + dt.timedelta(days=2)), _mention("e", DAYTON, WINTER)]
LATER = [_mention("d", ALBANY_NY, SUMMER)]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = (str(tmp_path / "outlets.db") if request.param == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    with open_store(location) as opened:
        opened.add_articles(ARTICLES)
        yield opened


def _homes(mentions: tuple[Mention, ...] | list[Mention], articles: tuple[Article, ...],
           table: OutletTable | None) -> dict[str, tuple[str, str]]:
    return article_homes(mentions, {a.id: a for a in articles}, 2, 0.6, table=table)


def _first_slice_fused(store: Store) -> None:
    """The first slice's mentions stored and fused (its events stand in for fusion's)."""
    store.put_mentions(["a", "b", "c", "e"], FIRST)
    store.put_events([Event(id=f"ev-{m.article_id}", type="ASSAULT", mention_ids=(m.id,))
                      for m in FIRST])


def test_a_later_slice_learns_the_home_one_fusion_learns(store: Store) -> None:
    _first_slice_fused(store)
    store.put_mentions(["d"], LATER)
    scope = fusion_scope(store, Options())
    # The slice's scope holds none of the station's winter reports...
    assert {a.id for a in scope.articles} == {"d"}
    assert "d" not in _homes(scope.mentions, scope.articles, None)
    # ...but the store's table holds their votes: the home one fusion of all five learns.
    sliced = _homes(scope.mentions, scope.articles, scope.outlets)
    whole = fusion_scope(MemorySource([*FIRST, *LATER], ARTICLES, []), Options())
    assert {a.id for a in whole.articles} == {a.id for a in ARTICLES}
    assert sliced["d"] == _homes(whole.mentions, whole.articles, None)["d"] == ("US", "Georgia")
    assert scope.outlets == MemorySource([*FIRST, *LATER], ARTICLES, []).outlet_table(
        list(scope.articles))


def test_the_table_counts_each_article_once(store: Store) -> None:
    """Storing an article's mentions again (a re-run, a resumed slice) replaces its votes."""
    _first_slice_fused(store)
    expected = outlet_table(FIRST, {a.id: a for a in ARTICLES})
    assert store.outlet_table(ARTICLES) == expected
    before = store.dump()["article_regions"]
    assert len(before) == 4
    store.add_articles(ARTICLES)  # ingested again: already stored
    store.put_mentions(["a", "b", "c", "e"], FIRST)
    store.put_mentions(["a"], FIRST[:1])
    assert store.dump()["article_regions"] == before
    assert store.outlet_table(ARTICLES) == expected
    station = expected.outlets["station.example"]
    assert station.voters == 3 and station.regions == {("US", "Georgia"): 3}
    # Extracted again with other findings: its old vote goes.
    store.put_mentions(["b"], [_mention("b", DAYTON, WINTER)])
    votes = store.outlet_table(ARTICLES).outlets["station.example"]
    assert votes.regions == {("US", "Georgia"): 2, ("US", "Ohio"): 1} and votes.voters == 3
    # Revised: no vote until it is extracted again; an ambiguous reading never votes.
    store.revise_article(ARTICLES[0])
    store.put_mentions(["d"], LATER)
    votes = store.outlet_table(ARTICLES).outlets["station.example"]
    assert votes.regions == {("US", "Georgia"): 1, ("US", "Ohio"): 1} and votes.voters == 2
    assert "a" not in store.outlet_table(ARTICLES).articles


def test_later_slices_not_extracted_yet_cast_no_vote(store: Store) -> None:
    store.put_mentions(["a", "e"], [FIRST[0], FIRST[3]])
    scope = fusion_scope(store, Options(), unextracted=frozenset({"b", "c", "d"}))
    assert scope.outlets is not None
    assert scope.outlets.outlets["station.example"].voters == 1


def test_migration_fills_the_votes_of_articles_extracted_before_it(tmp_path: Path) -> None:
    location = str(tmp_path / "old.db")
    older = [m for m in load_migrations() if m.version < "0011"]
    SQLiteStore(location, migrations=older).close()
    with sqlite3.connect(location) as conn:  # as the store before 0011 wrote them
        conn.executemany("INSERT INTO articles (id, url, outlet, published, json) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(a.id, a.url, a.outlet, a.published.isoformat() if a.published
                           else None, json.dumps(to_dict(a))) for a in ARTICLES])
        conn.executemany("INSERT INTO mentions (id, article_id, seq, type, json) "
                         "VALUES (?, ?, 0, 'ASSAULT', ?)",
                         [(m.id, m.article_id, json.dumps(to_dict(m))) for m in FIRST])
        # "c" was revised since: its mentions wait for its extraction and do not vote.
        conn.executemany("INSERT INTO extracted (article_id) VALUES (?)",
                         [("a",), ("b",), ("e",)])
    conn.close()
    with open_store(location) as store:
        assert "0011_outlet_regions" in store.applied_migrations()
        extracted = [m for m in FIRST if m.article_id != "c"]
        assert store.outlet_table(ARTICLES) == outlet_table(extracted,
                                                            {a.id: a for a in ARTICLES})


@pytest.mark.slow
def test_sliced_fusion_reads_the_open_name_in_the_outlets_home(store: Store) -> None:
    """End to end: the summer report's event is placed in the station's home state, whether
    it is fused alone after the winter slice or with every report at once."""
    from eventfuse.engines.local import fuse_all

    sliced = store
    sliced.put_mentions(["a", "b", "c", "e"], FIRST)
    fuse_all(sliced, Options(), unextracted=frozenset({"d"}))
    sliced.put_mentions(["d"], LATER)
    fuse_all(sliced, Options())
    (event,) = [e for e in sliced.get_events() if "d:0" in e.mention_ids]
    assert event.location is not None and event.location.admin1 == "Georgia"
    whole = fusion_scope(MemorySource([*FIRST, *LATER], ARTICLES, []), Options())
    from eventfuse.fuse import fuse

    (together,) = [e for e in fuse(whole.mentions, whole.articles, outlets=whole.outlets).events
                   if "d:0" in e.mention_ids]
    assert together.location == event.location

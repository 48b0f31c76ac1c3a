"""Listings in SQL (issue 19, part 3): the store's filtered, sorted, paged query returns what
filtering all events in Python returns, on both backends, and decodes only the page's events."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import itertools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from eventfuse.api import create_app
from eventfuse.records import Actor, Event, to_dict
from eventfuse.settings import Options
from eventfuse.store import EventFilter, SQLiteStore, Store, open_store
from eventfuse.store.base import EventSort
from eventfuse.store.schema import load_migrations
from eventfuse.store.search import NAME_SEPARATOR, actor_text, search_text

PAGES_PY = Path(__file__).resolve().parents[1] / "bench" / "pages.py"
N_EVENTS = 300
SORTS: tuple[EventSort, ...] = ("date", "-date", "sources", "-sources", "id")


def _load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_pages", PAGES_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _events() -> list[Event]:
    """The bench's synthetic events, plus names that exercise casefolding and LIKE's wildcards."""
    events: list[Event] = _load_bench().synthetic_events(N_EVENTS)
    odd = [Actor("actor", "STRASSE Crew", "Straße Crew"), Actor("actor", "50%_club", "50%_Club")]
    return [dataclasses.replace(e, actors=(*e.actors, odd[i % 2])) if i % 7 == 0 else e
            for i, e in enumerate(events)]


@pytest.fixture(params=["sqlite", "postgres"])
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, list[Event]]]:
    location = (str(tmp_path / "pages.db") if request.param == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    events = _events()
    with open_store(location) as store:
        store.put_events(events)
        yield store, events


# --- the reference: every event decoded and filtered in Python (the listings before SQL), over ---
# --- the same searchable texts (eventfuse.store.search) -------------------------------------------


def _keeps(event: Event, where: EventFilter) -> bool:
    start = event.when.start if event.when else None
    end = event.when.end if event.when else None
    tests = [
        where.type is None or event.type == where.type,
        where.country is None or (event.location is not None
                                  and event.location.country == where.country),
        where.since is None or ((end or start) is not None and (end or start) >= where.since),
        where.until is None or ((start or end) is not None and (start or end) <= where.until),
        where.disputed is None or bool(event.disagreements) == where.disputed,
        where.actor is None or any(where.actor.casefold() in name
                                   for name in actor_text(event).split(NAME_SEPARATOR) if name),
        where.text is None or where.text.casefold() in search_text(event),
    ]
    return all(tests)


def _sorted(events: list[Event], sort: EventSort) -> list[Event]:
    if sort in ("date", "-date"):
        def by_date(e: Event) -> tuple[str, str]:
            start = e.when.start.isoformat() if e.when and e.when.start else "9999"
            return (start, e.id)

        return sorted(events, key=by_date, reverse=sort == "-date")
    if sort in ("sources", "-sources"):
        sign = -1 if sort == "sources" else 1
        return sorted(events, key=lambda e: (sign * e.independent_sources, e.id))
    return sorted(events, key=lambda e: e.id)


FILTERS = [
    EventFilter(),
    EventFilter(type="PROTEST"),
    EventFilter(country="KE", disputed=True),
    EventFilter(disputed=False, type="ASSAULT"),
    EventFilter(since=dt.date(2023, 6, 1), until=dt.date(2023, 12, 31)),
    EventFilter(until=dt.date(2023, 3, 1), country="FR"),
    EventFilter(actor="police"),
    EventFilter(actor="POLICE", type="COERCE"),
    EventFilter(actor="strasse"),  # casefolded "Straße"
    EventFilter(actor="50%_"),  # LIKE's wildcards are literal
    EventFilter(actor="0%c"),
    EventFilter(actor="guard\x1fresidents"),  # never across two names
    EventFilter(actor="guard\nresidents"),
    EventFilter(text="strike\x00"),  # PostgreSQL text holds no NUL: no match, no error
    EventFilter(text="köln"),
    EventFilter(text="STRIKE", since=dt.date(2024, 1, 1)),
    EventFilter(text="100%"),
    EventFilter(text="night_shift crowd"),
    EventFilter(text="nothing like this"),
    EventFilter(text="ke"),  # shorter than a trigram
    EventFilter(text='strike "crowd'),  # FTS5 quoting
    EventFilter(actor="Guard", text="rally"),
]
# Cases no event matches: an escaped wildcard ("0%c" would match "50%_club" as a LIKE pattern),
# a needle across two actor names, a text not there.
MATCH_NOTHING = [EventFilter(actor="0%c"), EventFilter(actor="guard\x1fresidents"),
                 EventFilter(actor="guard\nresidents"), EventFilter(text="strike\x00"),
                 EventFilter(text="nothing like this"), EventFilter(text='strike "crowd')]


@pytest.mark.parametrize("where", FILTERS, ids=[str(i) for i in range(len(FILTERS))])
def test_sql_page_equals_python_filtering(
    filled: tuple[Store, list[Event]], where: EventFilter
) -> None:
    store, events = filled
    matching = [e for e in events if _keeps(e, where)]
    assert store.count_events(where) == len(matching)
    for sort in SORTS:
        expected = [e.id for e in _sorted(matching, sort)]
        assert [e.id for e in store.get_events(where, sort=sort)] == expected, sort
        for limit, offset in ((20, 0), (20, 40), (7, max(0, len(expected) - 3)),
                              (5, len(expected) + 5)):
            page = store.get_events(where, sort=sort, limit=limit, offset=offset)
            assert [e.id for e in page] == expected[offset : offset + limit], (sort, offset)
    assert bool(matching) == (where not in MATCH_NOTHING)  # each case tests something


def test_pages_return_whole_events(filled: tuple[Store, list[Event]]) -> None:
    store, events = filled
    by_id = {e.id: e for e in events}
    for event in store.get_events(EventFilter(type="AID"), sort="-date", limit=10):
        assert to_dict(event) == to_dict(by_id[event.id])


def test_a_page_decodes_only_its_events(
    filled: tuple[Store, list[Event]], decode_log: Callable[[Store], list[str]]
) -> None:
    store, _ = filled
    decoded = decode_log(store)
    body = TestClient(create_app(Options(), store=store)).get(
        "/api/events", params={"limit": 20, "offset": 40, "sort": "-sources"}).json()
    assert body["total"] == N_EVENTS
    assert len(body["events"]) == 20
    assert decoded.count("events") == 20


def test_api_total_and_page_come_from_the_filters(filled: tuple[Store, list[Event]]) -> None:
    store, events = filled
    client = TestClient(create_app(Options(), store=store))
    body = client.get("/api/events", params={"limit": 5, "offset": 2, "actor": "Police",
                                             "sort": "date"}).json()
    matching = _sorted([e for e in events if _keeps(e, EventFilter(actor="police"))], "date")
    assert body["total"] == len(matching)
    assert [e["id"] for e in body["events"]] == [e.id for e in matching[2:7]]


def test_migration_fills_listing_columns_of_older_events(tmp_path: Path) -> None:
    """Events written before migration 0005 are searchable once the store is opened again."""
    location = str(tmp_path / "old.db")
    events = list(itertools.islice(_events(), 50))
    older = [m for m in load_migrations() if m.version < "0005"]
    SQLiteStore(location, migrations=older).close()
    with sqlite3.connect(location) as conn:  # as the store before 0005 wrote them
        conn.executemany("INSERT INTO events (id, type, json) VALUES (?, ?, ?)",
                         [(e.id, e.type, json.dumps(to_dict(e))) for e in events])
    conn.close()
    with open_store(location) as store:
        for where in (EventFilter(actor="police"), EventFilter(text="strike")):
            expected = [e.id for e in _sorted([e for e in events if _keeps(e, where)], "id")]
            assert expected
            assert [e.id for e in store.get_events(where)] == expected
        by_sources = [e.id for e in _sorted(events, "sources")]
        assert [e.id for e in store.get_events(sort="sources")] == by_sources


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_page_and_total_are_read_in_one_snapshot(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run that writes between the page's read and the count's must not change the total
    the page is listed with: both come from one read transaction."""
    location = (str(tmp_path / "snapshot.db") if backend == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    events = _events()
    with open_store(location) as store, open_store(location) as writer:
        store.put_events(events[:100])
        read_rows = store._event_rows  # type: ignore[attr-defined]

        def rows_then_a_write(*args: object) -> list[Event]:
            rows: list[Event] = read_rows(*args)
            writer.put_events(events[100:150])  # another connection commits meanwhile
            return rows

        monkeypatch.setattr(store, "_event_rows", rows_then_a_write)
        page, total = store.events_page(EventFilter(), sort="id", limit=20)
        assert len(page) == 20 and total == 100
        monkeypatch.undo()
        assert store.count_events() == 150  # the write did land, after the snapshot
        body = TestClient(create_app(Options(), store=store)).get(
            "/api/events", params={"limit": 20, "sort": "id"}).json()
        assert body["total"] == 150
        assert [e["id"] for e in body["events"]] == sorted(e.id for e in events[:150])[:20]

"""The Atom feed pages in SQL (issue 19): the most recently changed events, RFC 5005 next links.

Every page is compared with the feed's former definition (render_atom over every stored event
and every change): the pages, followed through their ``next`` links, hold exactly its entries,
in its order, each entry's XML unchanged.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eventfuse.api import create_app
from eventfuse.changes import Change
from eventfuse.records import Event, EventSource, Place
from eventfuse.settings import Options
from eventfuse.store import Store, open_store
from eventfuse.store.schema import load_migrations
from eventfuse.store.sql import _EVENT_COLUMNS
from eventfuse.store.sqlite import SQLiteStore
from eventfuse.web.feed import FEED_PATH, MAX_FEED_ENTRIES, render_atom

pytestmark = pytest.mark.issue(19)
ATOM = "{http://www.w3.org/2005/Atom}"


def _event(n: int) -> Event:
    return Event(id=f"ev-{n:03d}", type="PROTEST", mode="demo", mention_ids=(),
                 location=Place(f"Town <{n}> & co", canonical=f"Town {n}", country="PT"),
                 sources=(EventSource(f"a{n}", outlet="Harbour Times"),),
                 independent_sources=1)


def _at(hour: int, minute: int) -> str:
    return f"2024-05-14T{hour:02d}:{minute:02d}:00.000000+00:00"


def _fill(store: Store) -> None:
    """60 events: 52 changed (several in one batch, so times tie; some twice, the later change
    deciding), 8 never changed; and a removed event whose changes stay in the log."""
    events = [_event(n) for n in range(60)]
    store.put_events(events)
    changes = [Change(f"ev-{n:03d}", "created", f"made {n} <ok>", at=_at(10, n % 13))
               for n in range(52)]
    store.record_changes(changes[:30])
    store.record_changes(changes[30:])
    # Later changes of a few events move them up; an older one must not move another down.
    store.record_changes([Change("ev-007", "source_added", "second", at=_at(11, 5)),
                          Change("ev-040", "field_changed", "size", at=_at(11, 5)),
                          Change("ev-041", "field_changed", "older", at=_at(9, 0))])
    store.put_events([_event(99)])
    store.record_changes([Change("ev-099", "removed", "merged", at=_at(12, 0))])
    store.put_events([], removed_event_ids=["ev-099"])


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = (str(tmp_path / "feed.db") if request.param == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    with open_store(location) as opened:
        _fill(opened)
        yield opened


def _entries(body: bytes | str) -> list[str]:
    """Each entry's XML, as serialized, in document order."""
    entries = ET.fromstring(body).findall(f"{ATOM}entry")
    for entry in entries:
        entry.tail = None  # the last one's is the feed's closing indentation
    return [ET.tostring(e, encoding="unicode") for e in entries]


def _links(body: bytes) -> dict[str, str]:
    root = ET.fromstring(body)
    return {link.get("rel", ""): link.get("href", "") for link in root.findall(f"{ATOM}link")}


def _former_feed(store: Store) -> list[str]:
    """The feed as it was: every stored event, every change, rendered at once."""
    return _entries(render_atom(store.get_events(), store.get_changes(), FEED_PATH))


def _walk(client: TestClient, url: str) -> list[bytes]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/atom+xml")
        pages.append(response.content)
        url = _links(response.content).get("next", "")
        assert len(pages) <= 100
    return pages


def test_pages_hold_the_former_feed_in_order(store: Store) -> None:
    client = TestClient(create_app(Options(), store=store))
    former = _former_feed(store)
    assert len(former) == 60
    first, second = _walk(client, FEED_PATH)
    assert len(_entries(first)) == 50 and len(_entries(second)) == 10
    assert _entries(first) + _entries(second) == former  # same entries, order and XML
    assert _links(first)["next"].startswith(f"{FEED_PATH}?before=")
    assert "next" not in _links(second) and _links(second)["first"] == FEED_PATH
    # Newest change first: the later change of ev-007 / ev-040 (a tie, highest id first).
    ids = [ET.fromstring(e).findtext(f"{ATOM}id") for e in former[:2]]
    assert ids == ["urn:eventfuse:event:ev-040", "urn:eventfuse:event:ev-007"]
    root = ET.fromstring(first)
    assert root.findtext(f"{ATOM}updated") == "2024-05-14T11:05:00Z"  # newest entry's time


@pytest.mark.parametrize("limit", [1, 7, 60, MAX_FEED_ENTRIES])
def test_every_limit_pages_through_everything_once(store: Store, limit: int) -> None:
    client = TestClient(create_app(Options(), store=store))
    pages = _walk(client, f"{FEED_PATH}?limit={limit}")
    assert all(len(_entries(page)) <= limit for page in pages)
    assert [e for page in pages for e in _entries(page)] == _former_feed(store)
    assert len(pages) == -(-60 // limit)
    for page in pages:  # the limit is kept by every link
        assert all(f"limit={limit}" in href for href in _links(page).values())


def test_the_setting_sets_the_page_size_and_limits_are_checked(store: Store) -> None:
    client = TestClient(create_app(Options(feed_entries=20), store=store))
    assert len(_entries(client.get(FEED_PATH).content)) == 20
    for bad in ({"limit": 0}, {"limit": MAX_FEED_ENTRIES + 1}, {"before": "!!"},
                {"before": "bm90IGpzb24"}, {"before": "WzFd"}):
        assert client.get(FEED_PATH, params=bad).status_code == 422, bad


def test_an_empty_store_is_a_valid_feed(tmp_path: Path) -> None:
    with SQLiteStore(str(tmp_path / "empty.db")) as empty:
        body = TestClient(create_app(Options(), store=empty)).get(FEED_PATH).content
    root = ET.fromstring(body)
    assert root.findall(f"{ATOM}entry") == [] and "next" not in _links(body)
    assert root.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"


def test_migration_0010_indexes_a_store_filled_before_it(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    before = [m for m in load_migrations() if m.version < "0010"]
    with SQLiteStore(path, migrations=before) as old:
        # Without event_updates the writes of that version: events, then the log.
        old.put_events = _without_updates(old)  # type: ignore[method-assign]
        old.record_changes = _log_only(old)  # type: ignore[method-assign]
        _fill(old)
    with SQLiteStore(path) as upgraded:
        assert "0010_feed_pages" in upgraded.applied_migrations()
        client = TestClient(create_app(Options(), store=upgraded))
        pages = _walk(client, FEED_PATH)
        assert [e for page in pages for e in _entries(page)] == _former_feed(upgraded)


def _without_updates(store: SQLiteStore):  # type: ignore[no-untyped-def]
    def put_events(events: list[Event], removed_event_ids: tuple[str, ...] = ()) -> None:
        with store._write("events") as conn:
            for event in events:
                row = store._event_row(event)
                conn.execute(f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(row))})", row)
            for event_id in removed_event_ids:
                conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
    return put_events


def _log_only(store: SQLiteStore):  # type: ignore[no-untyped-def]
    def record_changes(changes: list[Change]) -> None:
        with store._write("changes") as conn:
            for c in changes:
                conn.execute("INSERT INTO changes (at, event_id, kind, article_id, json) "
                             "VALUES (?, ?, ?, ?, ?)",
                             (c.at, c.event_id, c.kind, c.article_id,
                              store._encode("change", c.event_id, c)))
    return record_changes

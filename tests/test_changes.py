"""The change feed (issue 9): diff_events, the stored change log, the API and the Atom feed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eventfuse.changes import Change, diff_events, normalize_since
from eventfuse.records import (
    Actor,
    Disagreement,
    Event,
    EventSource,
    Place,
    Quantity,
    SourceValue,
    When,
)
from eventfuse.settings import Options
from eventfuse.store import SQLiteStore
from eventfuse.web.feed import render_atom

pytestmark = pytest.mark.issue(9)
ATOM = "{http://www.w3.org/2005/Atom}"

DAY = dt.date(2024, 5, 14)
RALLY = Event(
    id="ev-rally",
    type="PROTEST",
    mode="demo",
    mention_ids=("m1",),
    when=When("Tuesday", DAY, DAY, "day"),
    location=Place("Porto", canonical="Porto", country="PT", precision="point"),
    actors=(Actor("actor", "dock workers", "dock workers"),),
    quantities=(Quantity("size", 100, 999, "hundreds"),),
    sources=(EventSource("a1", outlet="Harbour Times"),),
    independent_sources=1,
)


def grown(event: Event) -> Event:
    """The rally after a second outlet reported it, with a different crowd size."""
    return dataclasses.replace(
        event,
        mention_ids=("m1", "m2"),
        sources=(*event.sources, EventSource("a2", outlet="Coastal Daily")),
        independent_sources=2,
        quantities=(Quantity("size", 100, 999, "hundreds"), Quantity("size", 3000, 3000, "3,000")),
        disagreements=(Disagreement("size", "hundreds (Harbour Times) vs 3,000 (Coastal Daily)",
                                    (SourceValue("a1", "hundreds"), SourceValue("a2", "3,000"))),),
    )


def test_a_new_event_is_created_from_the_new_article() -> None:
    changes = diff_events([], [RALLY], new_articles={"a1"})
    assert [(c.kind, c.event_id, c.article_id) for c in changes] == [
        ("created", "ev-rally", "a1")]
    assert changes[0].detail == "PROTEST/demo in Porto on 2024-05-14"


def test_second_source_counts_and_disagreement_are_reported() -> None:
    changes = diff_events([RALLY], [grown(RALLY)], new_articles={"a2"})
    kinds = [(c.kind, c.field) for c in changes]
    assert ("source_added", "sources") in kinds
    assert ("field_changed", "counts") in kinds  # a revised count
    assert ("field_changed", "independent_sources") in kinds
    assert ("disagreement_added", "size") in kinds
    assert all(c.article_id == "a2" for c in changes)
    counts = next(c for c in changes if c.field == "counts")
    assert counts.before == ["size 100-999"] and counts.after == ["size 100-999",
                                                                  "size 3000-3000"]


def test_no_change_means_no_record() -> None:
    assert diff_events([RALLY], [RALLY]) == []
    # The same disagreement again is not new.
    assert [c.kind for c in diff_events([grown(RALLY)], [grown(RALLY)])] == []


def test_a_merged_event_is_removed_and_names_its_successor() -> None:
    other = dataclasses.replace(RALLY, id="ev-other", mention_ids=("m9",))
    merged = dataclasses.replace(grown(RALLY), mention_ids=("m1", "m9"))
    changes = diff_events([RALLY, other], [merged])
    removed = [c for c in changes if c.kind == "removed"]
    assert [(c.event_id, c.detail) for c in removed] == [("ev-other", "merged into ev-rally")]
    gone = diff_events([other], [])
    assert [(c.kind, c.detail) for c in gone] == [("removed", "no longer reported")]


def test_change_log_round_trip_and_since(tmp_path: Path) -> None:
    with SQLiteStore(str(tmp_path / "c.db")) as store:
        first = [dataclasses.replace(c, at="2024-05-14T10:00:00.000000+00:00")
                 for c in diff_events([], [RALLY], new_articles={"a1"})]
        later = [dataclasses.replace(c, at="2024-05-15T08:00:00.000000+00:00")
                 for c in diff_events([RALLY], [grown(RALLY)], new_articles={"a2"})]
        store.record_changes(first)
        store.record_changes(later)
        everything = store.get_changes()
        assert [c.seq for c in everything] == sorted(c.seq or 0 for c in everything)
        assert everything[0].kind == "created" and everything[0].after["location"] == "Porto"
        since = store.get_changes(normalize_since("2024-05-14T12:00:00Z"))
        assert {c.kind for c in since} == {"source_added", "field_changed", "disagreement_added"}
        assert store.get_changes(normalize_since("2024-05-16")) == []


def test_atom_feed_is_valid_and_escaped() -> None:
    hostile = dataclasses.replace(
        grown(RALLY), location=Place("Porto <b>&</b>", canonical="Porto <b>&</b>"))
    changes = [Change("ev-rally", "created", "x < y & z", at="2024-05-14T10:00:00+00:00")]
    body = render_atom([hostile], changes, "http://localhost/feeds/events.atom?a=1&b=2")
    root = ET.fromstring(body)  # well-formed XML: markup in the data is escaped
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    title = entry.findtext(f"{ATOM}title") or ""
    assert "Porto <b>&</b>" in title  # the text survives, as text
    assert entry.findtext(f"{ATOM}updated") == "2024-05-14T10:00:00Z"
    assert entry.findtext(f"{ATOM}id") == "urn:eventfuse:event:ev-rally"
    assert "x < y & z" in (entry.findtext(f"{ATOM}summary") or "")


def test_api_changes_and_atom_routes(tmp_path: Path) -> None:
    from eventfuse.api import create_app

    options = Options(db=str(tmp_path / "api.db"))
    with SQLiteStore(options.db) as store:
        store.record_changes([dataclasses.replace(c, at="2024-05-14T10:00:00+00:00")
                              for c in diff_events([], [RALLY], new_articles={"a1"})])
        client = TestClient(create_app(options, store=store))
        listed = client.get("/api/changes").json()
        assert listed["ok"] and [c["kind"] for c in listed["changes"]] == ["created"]
        assert client.get("/api/changes", params={"since": "2024-05-15"}).json()["changes"] == []
        assert client.get("/api/changes", params={"since": "yesterday"}).status_code == 422
        feed = client.get("/feeds/events.atom")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("application/atom+xml")
        ET.fromstring(feed.content)


def test_api_changes_pages_by_seq_and_reach_every_change_once(tmp_path: Path) -> None:
    from eventfuse.api import create_app

    options = Options(db=str(tmp_path / "api.db"))
    with SQLiteStore(options.db) as store:
        for day in range(1, 8):  # seven logged runs, each creating one event
            event = dataclasses.replace(RALLY, id=f"ev-{day}")
            store.record_changes([dataclasses.replace(c, at=f"2024-05-{day:02d}T10:00:00+00:00")
                                  for c in diff_events([], [event], new_articles={"a1"})])
        client = TestClient(create_app(options, store=store))
        seen: list[str] = []
        url: str | None = "/api/changes?limit=3"
        pages = 0
        while url is not None:
            answer = client.get(url).json()
            assert len(answer["changes"]) <= 3
            seen += [c["event_id"] for c in answer["changes"]]
            url = answer["next"]
            pages += 1
        assert seen == [f"ev-{day}" for day in range(1, 8)] and pages == 3
        # `since` stays on every page's link: only the changes after it, still paged.
        first = client.get("/api/changes", params={"since": "2024-05-03", "limit": 2}).json()
        assert [c["event_id"] for c in first["changes"]] == ["ev-3", "ev-4"]
        rest = client.get(first["next"]).json()
        assert [c["event_id"] for c in rest["changes"]] == ["ev-5", "ev-6"]
        assert "since=2024-05-03" in first["next"] and rest["next"] is not None
        assert client.get("/api/changes").json()["next"] is None  # all seven fit a default page
        assert client.get("/api/changes", params={"limit": 0}).status_code == 422
        assert client.get("/api/changes", params={"after": -1}).status_code == 422


# --- `run`, `ingest` then `run`, and the API's ingest record what they change (issue 16) ------

FIRST_REPORT = """Harbour Times
2024-05-14

Dock workers strike in Porto

Hundreds of dock workers protested outside the port of Porto on Tuesday, demanding higher wages.
"""
SECOND_REPORT = """Coastal Daily
2024-05-14

Porto dockers march

About 3,000 dock workers protested outside the port of Porto on Tuesday over wages.
"""


def _cli(*args: str) -> str:
    from click.testing import CliRunner

    from eventfuse.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _logged(db: Path) -> list[dict[str, object]]:
    import json

    rows: list[dict[str, object]] = json.loads(_cli("--db", str(db), "changes", "--format", "json"))
    return rows


@pytest.mark.issue(16)
def test_run_and_ingest_then_run_record_their_changes(tmp_path: Path) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(FIRST_REPORT, encoding="utf-8")
    second.write_text(SECOND_REPORT, encoding="utf-8")
    db = tmp_path / "run.db"
    _cli("--db", str(db), "--quiet", "run", str(first))
    created = _logged(db)
    assert created and {c["kind"] for c in created} == {"created"}
    with SQLiteStore(str(db)) as store:
        first_id = store.get_articles()[0].id
        assert {c["event_id"] for c in created} == {e.id for e in store.get_events()}
    assert {c["article_id"] for c in created} == {first_id}
    # `ingest` only stores the article: no event changes until it is fused...
    _cli("--db", str(db), "--quiet", "ingest", str(second))
    assert _logged(db) == created
    # ...by the next run, which attributes what the ingested article changed to it.
    _cli("--db", str(db), "--quiet", "run", str(first))
    with SQLiteStore(str(db)) as store:
        second_id = next(a.id for a in store.get_articles() if a.id != first_id)
    later = _logged(db)[len(created):]
    assert ("source_added", second_id) in {(c["kind"], c["article_id"]) for c in later}
    # The same input again changes nothing and records nothing.
    _cli("--db", str(db), "--quiet", "run", str(first), str(second))
    assert len(_logged(db)) == len(created) + len(later)


@pytest.mark.issue(16)
def test_api_ingest_records_its_changes(tmp_path: Path) -> None:
    from eventfuse.api import create_app

    options = Options(db=str(tmp_path / "api.db"))
    with SQLiteStore(options.db) as store:
        client = TestClient(create_app(options, store=store, token="t0ken"))
        posted = client.post("/api/articles", content=FIRST_REPORT.encode(),
                             headers={"content-type": "text/plain",
                                      "authorization": "Bearer t0ken"})
        assert posted.status_code == 201, posted.text
        listed = client.get("/api/changes").json()["changes"]
        assert listed and {c["kind"] for c in listed} == {"created"}

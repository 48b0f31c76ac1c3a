"""Watching feeds (issue 9): polls against a loopback server whose feeds change between polls.

The articles are written for these tests: two outlets report one farmers' protest in Lyon, a
third a teachers' march in Madrid. Nothing reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

from eventfuse.cli import main
from eventfuse.fetch.sources import Source, parse_source_list
from eventfuse.records import Event
from eventfuse.settings import Options
from eventfuse.store import SQLiteStore, Store, open_store
from eventfuse.watch import parse_interval, poll_once
from test_fetch import LocalSite, Route, fast_policy

pytestmark = [pytest.mark.issue(9), pytest.mark.slow]

RHONE_V1 = ("Hundreds of farmers protested outside the regional parliament in Lyon on Tuesday, "
            "demanding lower fuel taxes. Police said about 600 people took part in the protest, "
            "which ended peacefully in the early evening.")
RHONE_V2 = RHONE_V1 + (" Organisers later said the farmers would return next month if the "
                       "council ignored them.")
ALPINE = ("Farmers rallied in Lyon on Tuesday against fuel taxes. Organisers said 2,000 farmers "
          "joined the protest outside the regional parliament, while police put the crowd at 600.")
MADRID = ("Thousands of teachers marched through Madrid on Friday to demand higher pay, the "
          "union said.")


def page(title: str, text: str, day: str = "2024-03-07") -> bytes:
    return (f"<html><head><title>{escape(title)}</title>"
            f'<meta property="article:published_time" content="{day}"></head><body><article>'
            f"<h1>{escape(title)}</h1><p>{escape(text)}</p></article></body></html>").encode()


def atom(base: str, name: str, entries: list[tuple[str, str, str]]) -> bytes:
    """An Atom feed of (path, title, updated) entries linking to pages on ``base``."""
    items = "".join(
        f"<entry><id>{base}{path}</id><title>{escape(title)}</title>"
        f'<link href="{base}{path}"/><updated>{updated}</updated>'
        f"<summary>{escape(title)}</summary></entry>"
        for path, title, updated in entries
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{name}</title><id>{base}/{name}</id><updated>2024-03-07T12:00:00Z</updated>"
            f"{items}</feed>").encode()


def feed_route(body: bytes, etag: str) -> Route:
    return Route(body, etag=etag, content_type="application/atom+xml")


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        yield running


def test_source_lists_yaml_and_plain_lines() -> None:
    yaml_text = "- url: https://a.example/feed\n  outlet: Daily A\n- https://b.example/rss\n"
    assert parse_source_list(yaml_text) == [Source("https://a.example/feed", "Daily A"),
                                            Source("https://b.example/rss")]
    lines = "# my feeds\nhttps://a.example/feed Daily A News\n\nhttps://b.example/rss\n"
    assert parse_source_list(lines) == [Source("https://a.example/feed", "Daily A News"),
                                        Source("https://b.example/rss")]


def test_intervals() -> None:
    assert parse_interval("15m") == 900 and parse_interval("90s") == 90
    assert parse_interval("1h") == 3600 and parse_interval("30") == 30
    with pytest.raises(Exception, match="interval"):
        parse_interval("soon")


def test_polls_pick_up_new_merge_updates_and_survive_errors(site: LocalSite,
                                                            tmp_path: Path) -> None:
    base = site.base
    site.routes["/rhone.atom"] = feed_route(atom(base, "Daily Rhone", [
        ("/rhone/farmers", "Farmers protest fuel taxes", "2024-03-07T10:00:00Z")]), '"r1"')
    site.routes["/alpine.atom"] = feed_route(atom(base, "Alpine Courier", []), '"a0"')
    site.routes["/rhone/farmers"] = Route(page("Farmers protest fuel taxes", RHONE_V1))
    site.routes["/broken.atom"] = Route(b"server trouble", status=500)
    site.routes["/slow.atom"] = Route(atom(base, "Slow", []), delay=1.5)
    sources = [Source(base + "/rhone.atom", "Daily Rhone"),
               Source(base + "/alpine.atom", "Alpine Courier"),
               Source(base + "/broken.atom", "Broken"), Source(base + "/slow.atom", "Slow")]
    options = Options(db=str(tmp_path / "w.db"))
    policy = fast_policy(retries=1, read_timeout_seconds=0.3)
    with open_store(options.db) as store:
        # Poll 1: one article, one new event; the broken and the slow feed are reported.
        first = poll_once(sources, store, options, policy)
        assert {e.path for e in first.errors} == {base + "/broken.atom", base + "/slow.atom"}
        assert first.added == 1
        protest = _dated_protest(store)
        assert [s.outlet for s in protest.sources] == ["Daily Rhone"]
        created = [c for c in store.get_changes() if c.kind == "created"
                   and c.event_id == protest.id]
        assert created and created[0].article_id == protest.sources[0].article_id
        mark = store.get_changes()[-1].at

        # Poll 2: a second outlet reports the same protest; it joins the event.
        site.routes["/alpine.atom"] = feed_route(atom(base, "Alpine Courier", [
            ("/alpine/lyon", "Lyon farmers rally", "2024-03-07T11:00:00Z")]), '"a1"')
        site.routes["/alpine/lyon"] = Route(page("Lyon farmers rally", ALPINE))
        second = poll_once(sources, store, options, policy)
        assert second.added == 1
        assert site.hits("/rhone/farmers") == 1  # seen before: not fetched again
        assert any(o.not_modified for o in second.sources)  # the Rhone feed answered 304
        # Fusion may keep either of the ids it merged (tie: the smaller id): follow the mention.
        [merged] = store.events_for_mentions(protest.mention_ids)
        assert sorted(s.outlet or "" for s in merged.sources) == ["Alpine Courier", "Daily Rhone"]
        assert merged.location is not None and merged.location.canonical == "Lyon"
        new = store.get_changes(mark)
        added = [c for c in new if c.kind == "source_added" and c.event_id == merged.id]
        assert len(added) == 1 and added[0].article_id == second.sources[1].added[0]
        assert any(c.kind == "disagreement_added" and c.field == "size" for c in new)

        # Poll 3: the Rhone entry is updated; the page is fetched again and kept as a revision.
        site.routes["/rhone.atom"] = feed_route(atom(base, "Daily Rhone", [
            ("/rhone/farmers", "Farmers protest fuel taxes", "2024-03-08T09:00:00Z")]), '"r2"')
        site.routes["/rhone/farmers"] = Route(page("Farmers protest fuel taxes", RHONE_V2))
        third = poll_once(sources, store, options, policy)
        assert third.revised == 1 and third.added == 0
        article_id = third.sources[0].revised[0]
        current = store.get_article(article_id)
        assert current is not None and "return next month" in current.text
        assert ["return next month" in old.text
                for old in store.article_revisions(article_id)] == [False]
        assert store.articles_without_mentions() == []  # re-extracted
        [still] = store.events_for_mentions(merged.mention_ids[:1])
        assert len(still.sources) == 2

        # Poll 4: nothing changed anywhere: no fetch of pages, no change recorded.
        before = len(store.get_changes())
        fourth = poll_once(sources, store, options, policy)
        assert fourth.added == fourth.revised == 0 and len(store.get_changes()) == before


def _dated_protest(store: Store) -> Event:
    """The protest event with a date (the Tuesday): the one both outlets report."""
    found = [e for e in store.get_events() if e.type == "PROTEST" and e.when and e.when.start]
    assert len(found) == 1, [(e.type, e.when) for e in store.get_events()]
    return found[0]


def test_watch_once_cli_and_changes_command(site: LocalSite, tmp_path: Path) -> None:
    base = site.base
    site.routes["/iberia.atom"] = feed_route(atom(base, "Iberia Post", [
        ("/iberia/teachers", "Teachers march", "2024-03-09T08:00:00Z")]), '"i1"')
    site.routes["/iberia/teachers"] = Route(page("Teachers march", MADRID, "2024-03-09"))
    sources = tmp_path / "sources.txt"
    sources.write_text(f"{base}/iberia.atom Iberia Post\n", encoding="utf-8")
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    refused = runner.invoke(main, ["--db", db, "watch", str(sources), "--once"])
    assert refused.exit_code == 1 and "loopback" in refused.output
    done = runner.invoke(main, ["--db", db, "watch", str(sources), "--once", "--allow-private"])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(main, ["--db", db, "changes", "--format", "json"])
    assert '"kind": "created"' in listed.output and "Madrid" in listed.output
    later = runner.invoke(main, ["--db", db, "changes", "--since", "2999-01-01"])
    assert "Madrid" not in later.output


def test_sigterm_mid_poll_loses_no_fetched_article(site: LocalSite, tmp_path: Path) -> None:
    base = site.base
    paths = [f"/slow/{n}" for n in range(6)]
    site.routes["/many.atom"] = feed_route(atom(base, "Many", [
        (p, f"Report {n}", "2024-03-07T10:00:00Z") for n, p in enumerate(paths)]), '"m1"')
    for n, p in enumerate(paths):
        site.routes[p] = Route(page(f"Report {n}", f"Report number {n}: {MADRID}"), delay=0.4)
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"- url: {base}/many.atom\n  outlet: Many\n", encoding="utf-8")
    db = str(tmp_path / "term.db")
    command = [sys.executable, "-c", "from eventfuse.cli import main; main()", "--db", db,
               "watch", str(sources), "--once", "--allow-private"]
    env = {**os.environ, "EVENTFUSE_DB": db}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while sum(site.hits(p) for p in paths) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    requested = {p for p in paths if site.hits(p)}
    assert 2 <= len(requested) < len(paths)  # stopped mid-poll
    with SQLiteStore(db) as store:
        stored = {a.url.removeprefix(base) for a in store.get_articles() if a.url}
        assert stored == requested  # every page fetched before the stop is stored
        assert store.integrity_check() == []
    # The next poll fetches the rest and extracts everything, the earlier articles included.
    again = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()
    with SQLiteStore(db) as store:
        assert {a.url.removeprefix(base) for a in store.get_articles() if a.url} == set(paths)
        assert store.articles_without_mentions() == []
    assert all(site.hits(p) == 1 for p in paths)


def test_ingest_url_stores_a_page_once_and_its_update_as_a_revision(site: LocalSite,
                                                                    tmp_path: Path) -> None:
    site.routes["/story"] = Route(page("Farmers protest fuel taxes", RHONE_V1), etag='"s1"')
    db = str(tmp_path / "url.db")
    url = site.base + "/story"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "ingest", url]).exit_code == 1  # loopback refused
    first = runner.invoke(main, ["--db", db, "ingest", "--allow-private", url])
    assert first.exit_code == 0 and "1 new" in first.output, first.output
    again = runner.invoke(main, ["--db", db, "ingest", "--allow-private", url])
    assert "not modified" in again.output  # conditional GET with the stored ETag
    site.routes["/story"] = Route(page("Farmers protest fuel taxes", RHONE_V2), etag='"s2"')
    third = runner.invoke(main, ["--db", db, "ingest", "--allow-private", url])
    assert "1 revised" in third.output, third.output
    with SQLiteStore(db) as store:
        [article] = store.get_articles()
        assert article.url == url and "return next month" in article.text
        assert len(store.article_revisions(article.id)) == 1
        assert store.articles_without_mentions() == [article.id]  # re-extracted by the next run

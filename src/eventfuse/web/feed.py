"""The change feed on the web: ``GET /api/changes?since=`` and Atom 1.0 ``/feeds/events.atom``.

The change list is paged by a keyset cursor on the log's sequence number (``?after=SEQ``, in
the answer's ``next`` link), oldest first, so a reader sees every change once while runs append.

The Atom feed is a paged feed (RFC 5005 section 3): a page holds the most recently changed
events (``feed_entries``, default 50; ``?limit=`` up to :data:`MAX_FEED_ENTRIES`), newest change
first, ties by event id (highest first), read from the store's ``event_updates`` index; its
``rel="next"`` link (``?before=CURSOR``, a keyset cursor naming the page's last entry) leads to
the older entries, so every stored event is reachable and none is listed twice.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from eventfuse import __version__
from eventfuse.changes import Change, change_json, describe_event, normalize_since
from eventfuse.records import Event
from eventfuse.store import Store

FEED_ID = "urn:eventfuse:events"
FEED_PATH = "/feeds/events.atom"
PROJECT_URL = "https://github.com/eventfuse/eventfuse"
# Entries one feed page may be asked for (?limit=): a reader wants recent news, not the archive.
MAX_FEED_ENTRIES = 200
# Changes one /api/changes page holds by default and at most: the whole log of a large store is
# megabytes, so a client follows `next` links instead.
CHANGES_PAGE = 1000
MAX_CHANGES_PAGE = 10_000


# --- Atom 1.0 -------------------------------------------------------------------------------------


def render_atom(events: Sequence[Event], changes: Sequence[Change], self_url: str,
                links: Mapping[str, str] | None = None) -> str:
    """An Atom 1.0 feed with one entry per event, updated when its last change was recorded;
    ``links``: further feed links by relation (RFC 5005 ``first``, ``next``)."""
    last_change: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    for change in changes:
        last_change[change.event_id] = max(last_change.get(change.event_id, ""), change.at)
        notes.setdefault(change.event_id, []).append(f"{change.kind}: {change.detail}")
    fallback = "1970-01-01T00:00:00+00:00"
    ordered = sorted(events, key=lambda e: (last_change.get(e.id, fallback), e.id), reverse=True)
    feed_updated = max(last_change.values(), default=fallback)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "  <title>eventfuse events</title>",
        f"  <id>{FEED_ID}</id>",
        f"  <updated>{_atom_time(feed_updated)}</updated>",
        f"  <link rel=\"self\" href={quoteattr(self_url)}/>",
        *(f"  <link rel={quoteattr(rel)} href={quoteattr(href)}/>"
          for rel, href in (links or {}).items()),
        "  <author><name>eventfuse</name></author>",
        f"  <generator uri={quoteattr(PROJECT_URL)} version={quoteattr(__version__)}>"
        "eventfuse</generator>",
    ]
    for event in ordered:
        lines += _atom_entry(event, last_change.get(event.id, fallback), notes.get(event.id, []))
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _atom_entry(event: Event, updated: str, notes: Sequence[str]) -> list[str]:
    outlets = sorted({s.outlet for s in event.sources if s.outlet})
    summary = (f"{describe_event(event)}. Sources: {event.independent_sources} independent"
               f" ({', '.join(outlets) or 'unnamed'}).")
    if event.disagreements:
        summary += " Disputed: " + "; ".join(f"{d.field}: {d.reason}" for d in event.disagreements)
    if notes:
        summary += " Changes: " + "; ".join(notes[-5:])
    return [
        "  <entry>",
        f"    <id>urn:eventfuse:event:{escape(event.id)}</id>",
        f"    <title>{escape(describe_event(event))}</title>",
        f"    <updated>{_atom_time(updated)}</updated>",
        f"    <link href={quoteattr('/api/events/' + event.id)}/>",
        f"    <summary>{escape(summary)}</summary>",
        "  </entry>",
    ]


def _atom_time(iso: str) -> str:
    """RFC 3339 as Atom wants it (seconds precision, explicit offset)."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_cursor(at: str, event_id: str) -> str:
    """The opaque ``before`` cursor naming a feed entry (its change time and event id)."""
    raw = json.dumps([at, event_id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(time, event id) of a cursor :func:`encode_cursor` made; ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a feed cursor") from exc
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(part, str) for part in value)):
        raise ValueError("not a feed cursor")
    return value[0], value[1]


def feed_page(store: Store, limit: int, before: tuple[str, str] | None,
              self_url: str, query: Mapping[str, str]) -> str:
    """One page of the Atom feed: ``limit`` events after ``before``, with a ``next`` link when
    older ones remain (one row more is read to know). ``query``: parameters every link keeps."""
    found, changes = store.recently_changed_events(limit + 1, before)
    page = found[:limit]
    links = {"first": _feed_url(query)}
    if len(found) > limit:
        at, last = page[-1]
        links["next"] = _feed_url({**query, "before": encode_cursor(at, last.id)})
    events = [event for _, event in page]
    shown = {event.id for event in events}  # not the extra event's: they would not be rendered
    return render_atom(events, [c for c in changes if c.event_id in shown], self_url, links)


def _feed_url(query: Mapping[str, str]) -> str:
    return FEED_PATH + ("?" + urlencode(query) if query else "")


# --- API routes -----------------------------------------------------------------------------------


def changes_router(store: Store, feed_entries: int = 50) -> APIRouter:
    """``GET /api/changes?since=`` and ``GET /feeds/events.atom`` over ``store``; a feed page
    holds ``feed_entries`` entries unless ``?limit=`` says otherwise."""
    router = APIRouter()

    @router.get("/api/changes", tags=["changes"])
    def list_changes(
        since: str | None = Query(None, description="Only changes after this UTC ISO time"),
        after: int | None = Query(None, ge=0, description="Cursor of a `next` link: the changes "
                                                          "after the one with this seq"),
        limit: int = Query(CHANGES_PAGE, ge=1, le=MAX_CHANGES_PAGE,
                           description="Changes on the page"),
    ) -> dict[str, Any]:
        """Event changes (created, source_added, field_changed, disagreement_added, removed),
        oldest first, a page at a time; ``next`` is the link to the following page, or null."""
        query = {} if since is None else {"since": since}
        if since is not None:
            try:
                since = normalize_since(since)
            except ValueError as exc:
                raise HTTPException(422, f"since: {exc}") from exc
        found = store.get_changes(since, after_seq=after, limit=limit + 1)
        page = found[:limit]
        following = None
        if len(found) > limit and page[-1].seq is not None:
            if limit != CHANGES_PAGE:
                query["limit"] = str(limit)
            following = "/api/changes?" + urlencode({**query, "after": str(page[-1].seq)})
        return {"ok": True, "changes": [change_json(c) for c in page], "next": following}

    @router.get("/feeds/events.atom", tags=["changes"], response_model=None,
                response_class=Response, responses={200: {"content": {
                    "application/atom+xml": {}}}})
    def events_atom(
        limit: int | None = Query(None, ge=1, le=MAX_FEED_ENTRIES,
                                  description="Entries on the page (default: feed_entries)"),
        before: str | None = Query(None, description="Cursor of a rel=next link: older entries"),
    ) -> Response:
        """Atom 1.0 paged feed (RFC 5005) of the most recently changed events, newest first."""
        cursor = None
        if before is not None:
            try:
                cursor = decode_cursor(before)
            except ValueError as exc:
                raise HTTPException(422, f"before: {exc}") from exc
        query = {} if limit is None else {"limit": str(limit)}
        self_url = _feed_url({**query, **({} if before is None else {"before": before})})
        body = feed_page(store, feed_entries if limit is None else limit, cursor, self_url,
                         query)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    return router

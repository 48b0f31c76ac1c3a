"""The change feed on the web: ``GET /api/changes?since=`` and Atom 1.0 ``/feeds/events.atom``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
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


# --- Atom 1.0 -------------------------------------------------------------------------------------


def render_atom(events: Sequence[Event], changes: Sequence[Change], self_url: str) -> str:
    """An Atom 1.0 feed with one entry per event, updated when its last change was recorded."""
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


# --- API routes -----------------------------------------------------------------------------------


def changes_router(store: Store) -> APIRouter:
    """``GET /api/changes?since=`` and ``GET /feeds/events.atom`` over ``store``."""
    router = APIRouter()

    @router.get("/api/changes", tags=["changes"])
    def list_changes(
        since: str | None = Query(None, description="Only changes after this UTC ISO time"),
    ) -> dict[str, Any]:
        """Event changes (created, source_added, field_changed, disagreement_added, removed)."""
        if since is not None:
            try:
                since = normalize_since(since)
            except ValueError as exc:
                raise HTTPException(422, f"since: {exc}") from exc
        found = store.get_changes(since)
        return {"ok": True, "changes": [change_json(c) for c in found]}

    @router.get("/feeds/events.atom", tags=["changes"], response_model=None,
                response_class=Response, responses={200: {"content": {
                    "application/atom+xml": {}}}})
    def events_atom() -> Response:
        """Atom 1.0 feed of events, newest change first."""
        body = render_atom(store.get_events(), store.get_changes(), FEED_PATH)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    return router

"""The change feed: what each fusion run did to the events, as records an analyst can follow.

:func:`diff_events` is pure (events before and after a fuse -> :class:`Change` records);
:func:`fuse_recording_changes` wraps the engine's ``fuse_all`` with it and stores the changes.
They are read back by ``eventfuse changes``, ``GET /api/changes`` and ``/feeds/events.atom``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape, quoteattr

from eventfuse import __version__
from eventfuse.records import Event

if TYPE_CHECKING:
    from fastapi import APIRouter

    from eventfuse.settings import Options
    from eventfuse.store import Store

ChangeKind = Literal["created", "source_added", "field_changed", "disagreement_added", "removed"]
FEED_ID = "urn:eventfuse:events"
FEED_PATH = "/feeds/events.atom"
PROJECT_URL = "https://github.com/eventfuse/eventfuse"


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one event. ``seq`` is the store's order, set when read back."""

    event_id: str
    kind: ChangeKind
    detail: str
    at: str = ""  # UTC ISO 8601, stamped when recorded
    article_id: str | None = None  # the article whose arrival caused it, when known
    field: str | None = None
    before: Any = None
    after: Any = None
    seq: int | None = None


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


# --- diffing --------------------------------------------------------------------------------------


def diff_events(
    before: Sequence[Event], after: Sequence[Event], *, new_articles: Collection[str] = ()
) -> list[Change]:
    """Every change from ``before`` to ``after``, ordered by event id then kind.

    ``new_articles``: ids of the articles this run added or revised; a change is attributed to
    the first of them among the event's sources.
    """
    old = {e.id: e for e in before}
    new = {e.id: e for e in after}
    changes: list[Change] = []
    for event_id in sorted(old.keys() | new.keys()):
        prior, current = old.get(event_id), new.get(event_id)
        if current is None and prior is not None:
            successor = _successor(prior, after)
            detail = f"merged into {successor}" if successor else "no longer reported"
            changes.append(Change(event_id, "removed", detail, after=successor))
        elif current is not None and prior is None:
            cause = _cause(current, new_articles)
            changes.append(Change(event_id, "created", _describe(current), article_id=cause,
                                  after=_summary(current)))
        elif current is not None and prior is not None:
            changes.extend(_event_changes(prior, current, new_articles))
    return changes


def _successor(prior: Event, after: Sequence[Event]) -> str | None:
    members = set(prior.mention_ids)
    for event in after:
        if members & set(event.mention_ids):
            return event.id
    return None


def _cause(event: Event, new_articles: Collection[str]) -> str | None:
    return next((s.article_id for s in event.sources if s.article_id in new_articles), None)


def _event_changes(prior: Event, current: Event, new_articles: Collection[str]) -> list[Change]:
    changes: list[Change] = []
    cause = _cause(current, new_articles)
    known = {s.article_id for s in prior.sources}
    for source in current.sources:
        if source.article_id not in known:
            outlet = source.outlet or "an unnamed outlet"
            changes.append(Change(current.id, "source_added", f"new source: {outlet}",
                                  article_id=source.article_id, field="sources",
                                  after=source.article_id))
    old_fields, new_fields = _summary(prior), _summary(current)
    for name in new_fields:
        if old_fields[name] != new_fields[name]:
            changes.append(Change(current.id, "field_changed",
                                  f"{name}: {_show(old_fields[name])} -> {_show(new_fields[name])}",
                                  article_id=cause, field=name, before=old_fields[name],
                                  after=new_fields[name]))
    seen = {(d.field, d.reason) for d in prior.disagreements}
    for disagreement in current.disagreements:
        if (disagreement.field, disagreement.reason) not in seen:
            changes.append(Change(current.id, "disagreement_added", disagreement.reason,
                                  article_id=cause, field=disagreement.field))
    return changes


def _summary(event: Event) -> dict[str, Any]:
    """The fields an analyst watches, as plain comparable values."""
    when, place = event.when, event.location
    return {
        "type": f"{event.type}/{event.mode}" if event.mode else event.type,
        "date": [_iso(when.start), _iso(when.end)] if when else None,
        "location": (place.canonical or place.name) if place else None,
        "actors": sorted({a.canonical for a in event.actors}),
        "counts": sorted(f"{q.kind} {q.low}-{'' if q.high is None else q.high}"
                         for q in event.quantities),
        "status": event.status,
        "independent_sources": event.independent_sources,
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "none" if value is None else str(value)


def _describe(event: Event) -> str:
    summary = _summary(event)
    where = f" in {summary['location']}" if summary["location"] else ""
    day = f" on {summary['date'][0]}" if summary["date"] and summary["date"][0] else ""
    return f"{summary['type']}{where}{day}"


# --- the engine step ------------------------------------------------------------------------------


def fuse_recording_changes(
    store: Store, options: Options, new_articles: Iterable[str] = ()
) -> list[Change]:
    """Fuse every stored mention (``engines.local.fuse_all``) and record what changed."""
    from eventfuse.engines.local import fuse_all

    before = store.get_events()
    after, _removed = fuse_all(store, options)
    at = utc_now()
    changes = [replace(c, at=at) for c in diff_events(before, after,
                                                       new_articles=set(new_articles))]
    store.record_changes(changes)
    return changes


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
    summary = (f"{_describe(event)}. Sources: {event.independent_sources} independent"
               f" ({', '.join(outlets) or 'unnamed'}).")
    if event.disagreements:
        summary += " Disputed: " + "; ".join(f"{d.field}: {d.reason}" for d in event.disagreements)
    if notes:
        summary += " Changes: " + "; ".join(notes[-5:])
    return [
        "  <entry>",
        f"    <id>urn:eventfuse:event:{escape(event.id)}</id>",
        f"    <title>{escape(_describe(event))}</title>",
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
    from fastapi import APIRouter, HTTPException, Query
    from fastapi.responses import Response

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

    # response_model=None: the return annotation is a string FastAPI cannot resolve here.
    @router.get("/feeds/events.atom", tags=["changes"], response_model=None,
                response_class=Response, responses={200: {"content": {
                    "application/atom+xml": {}}}})
    def events_atom() -> Response:
        """Atom 1.0 feed of events, newest change first."""
        body = render_atom(store.get_events(), store.get_changes(), FEED_PATH)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    return router


def normalize_since(value: str) -> str:
    """An ISO date or time as the UTC ISO text changes are stamped with (naive means UTC)."""
    moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def change_json(change: Change) -> dict[str, Any]:
    from eventfuse.records import to_dict

    data: dict[str, Any] = to_dict(change)
    return data

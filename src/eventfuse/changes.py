"""The change feed's record and its diffing: what each fusion run did to the events.

:class:`Change` is a record; :func:`diff_events` is pure (events before and after a fuse ->
changes). This module imports records only, so the store and the engines can both use it:
``engines.local.fuse_recording_changes`` runs fusion and stores the changes, which are read back by
``eventfuse changes``, ``GET /api/changes`` and ``/feeds/events.atom`` (``web.feed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from eventfuse.records import Event, to_dict

ChangeKind = Literal["created", "source_added", "field_changed", "disagreement_added", "removed"]


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
            changes.append(Change(event_id, "created", describe_event(current), article_id=cause,
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


def describe_event(event: Event) -> str:
    """One line: type/mode, place and first day, as change details and feed titles read."""
    summary = _summary(event)
    where = f" in {summary['location']}" if summary["location"] else ""
    day = f" on {summary['date'][0]}" if summary["date"] and summary["date"][0] else ""
    return f"{summary['type']}{where}{day}"


def normalize_since(value: str) -> str:
    """An ISO date or time as the UTC ISO text changes are stamped with (naive means UTC)."""
    moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def change_json(change: Change) -> dict[str, Any]:
    data: dict[str, Any] = to_dict(change)
    return data

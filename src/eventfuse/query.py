"""Event filters shared by the CLI (`eventfuse events`) and the API (`GET /api/events`).

The store narrows by indexed columns (type, country, dates, disputed); actor and free-text
matching happen here, on the records, so every front end filters the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from eventfuse.errors import EventfuseError
from eventfuse.ontology import categories
from eventfuse.records import Article, Event
from eventfuse.store.base import EventFilter, Store

SortKey = Literal["date", "-date", "sources", "-sources", "id"]


@dataclass(frozen=True, slots=True)
class EventQuery:
    since: dt.date | None = None
    until: dt.date | None = None
    type: str | None = None
    country: str | None = None
    actor: str | None = None
    text: str | None = None
    disputed: bool | None = None
    sort: SortKey = "date"
    limit: int | None = None
    offset: int = 0


class FilterError(EventfuseError):
    """A filter names a value that cannot match: the message lists the valid ones."""


def plover_categories() -> tuple[str, ...]:
    return categories()


def checked_type(value: str) -> str:
    """A PLOVER category in upper case; an unknown one is an error listing the valid ones."""
    wanted = value.strip().upper()
    if wanted not in plover_categories():
        raise FilterError(f"unknown event type {value!r}; valid types: "
                          f"{', '.join(plover_categories())}")
    return wanted


def checked_country(value: str, known: Iterable[str] | None = None) -> str:
    """The ISO alpha-2 code of a country given by code or name ("Kenya", "KEN", "ke");
    an unknown one is an error listing the countries ``known`` (the store's)."""
    from eventfuse.acled import country, find_country

    found = find_country(value)
    if found is None:
        message = f"unknown country {value!r}: give an ISO 3166 code or a name, e.g. KE or Kenya"
        if known is not None:
            listed = [_country_label(code, country(code)) for code in sorted(set(known))]
            message += (f"; countries with events: {', '.join(listed)}" if listed
                        else "; no event has a country yet")
        raise FilterError(message)
    return found.alpha2


def _country_label(code: str, record: Any) -> str:
    return f"{code} ({record.name})" if record is not None else code


def query_events(
    store: Store, query: EventQuery, articles: Mapping[str, Article] | None = None
) -> list[Event]:
    """The events matching ``query``, sorted and paginated."""
    where = EventFilter(
        type=query.type.upper() if query.type else None,
        country=query.country.upper() if query.country else None,
        since=query.since,
        until=query.until,
        disputed=query.disputed or None,
    )
    events = [e for e in store.get_events(where) if _matches(e, query, articles)]
    events = sort_events(events, query.sort)
    end = None if query.limit is None else query.offset + query.limit
    return events[query.offset : end]


def _matches(event: Event, query: EventQuery, articles: Mapping[str, Article] | None) -> bool:
    if query.actor:
        needle = query.actor.casefold()
        names = [a.canonical for a in event.actors] + [a.name for a in event.actors]
        names += [str(v.value) for v in event.fields.get("actor", ())]
        if not any(needle in n.casefold() for n in names if n):
            return False
    return not query.text or query.text.casefold() in _haystack(event, articles)


def _haystack(event: Event, articles: Mapping[str, Article] | None) -> str:
    parts: list[str] = [event.type, event.mode or "", event.acled_sub_event_type or ""]
    if event.location:
        parts += [event.location.name, event.location.canonical or ""]
    parts += [a.canonical for a in event.actors]
    for source in event.sources:
        parts += [source.outlet or "", source.title or ""]
        if source.evidence:
            parts.append(source.evidence.text)
        if articles and source.article_id in articles:
            parts.append(articles[source.article_id].title or "")
    for group in event.quotes:
        parts += [q.text for q in group.renderings]
    return " ".join(parts).casefold()


def sort_events(events: Sequence[Event], key: SortKey) -> list[Event]:
    """``date``: oldest first (undated last); ``sources``: most independent sources first."""
    if key in ("date", "-date"):
        def by_date(e: Event) -> tuple[str, str]:
            start = e.when.start.isoformat() if e.when and e.when.start else "9999"
            return (start, e.id)

        return sorted(events, key=by_date, reverse=key == "-date")
    if key in ("sources", "-sources"):
        sign = -1 if key == "sources" else 1
        return sorted(events, key=lambda e: (sign * e.independent_sources, e.id))
    return sorted(events, key=lambda e: e.id)

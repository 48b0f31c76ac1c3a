"""Event filters shared by the CLI (`eventfuse events`) and the API (`GET /api/events`).

The store filters (type, country, dates, disputed, actor and free text), sorts and pages in
SQL, so a listing decodes only the events it returns and every front end filters the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eventfuse.errors import EventfuseError
from eventfuse.ontology import categories
from eventfuse.records import Event
from eventfuse.store.base import EventFilter, EventSort, EventStore

SortKey = EventSort


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


def event_filter(query: EventQuery) -> EventFilter:
    """The store's filter for ``query`` (everything but its order and page)."""
    return EventFilter(
        type=query.type.upper() if query.type else None,
        country=query.country.upper() if query.country else None,
        since=query.since,
        until=query.until,
        disputed=query.disputed or None,
        actor=query.actor or None,
        text=query.text or None,
    )


def query_events(store: EventStore, query: EventQuery) -> list[Event]:
    """The events matching ``query``, sorted and paginated by the store (in SQL)."""
    return store.get_events(event_filter(query), sort=query.sort, limit=query.limit,
                            offset=query.offset)


def query_events_page(store: EventStore, query: EventQuery) -> tuple[list[Event], int]:
    """:func:`query_events` and how many events match ``query`` on all pages, read in one
    snapshot of the store (a total counted apart could count a run's later writes)."""
    return store.events_page(event_filter(query), sort=query.sort, limit=query.limit,
                             offset=query.offset)

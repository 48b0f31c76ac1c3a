"""The store interface: what every backend (SQLite, PostgreSQL) offers the pipeline.

Stages never see SQL. They hand records to a :class:`Store` and get records back. The protocol is
split by what it serves (articles, mentions, events, changes, fetch state); both backends are
one implementation, :class:`eventfuse.store.sql.SQLStore`, over a dialect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from eventfuse.changes import Change
from eventfuse.errors import StoreError
from eventfuse.fetch.state import FetchState
from eventfuse.outlet_votes import OutletTable
from eventfuse.records import Article, Event, Mention

__all__ = ["AddResult", "ArticleFilter", "ArticleStore", "ChangeStore", "EventFilter",
           "EventSort", "EventStore", "FetchStateStore", "MentionStore", "SignatureEntry",
           "Store", "StoreError"]


@dataclass(frozen=True, slots=True)
class AddResult:
    """Which articles of an ``add_articles`` call were new and which were already stored."""

    new: tuple[str, ...] = ()
    existing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Optional filters of :meth:`Store.get_events`; None means "any".

    ``since``/``until`` keep events whose date range overlaps [since, until]; an event without a
    known date never matches a date filter. ``actor`` and ``text`` are case-insensitive
    substrings of an actor's name and of the event's text (see :mod:`eventfuse.store.search`).
    """

    type: str | None = None
    country: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    disputed: bool | None = None
    actor: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Optional filters of :meth:`Store.list_articles`; None means "any".

    ``outlet`` matches an article whose outlet name or URL's web domain equals it, ignoring
    case; ``text`` is a case-insensitive substring of the title and text (joined by a space);
    ``since``/``until`` bound the publication day, inclusive: an article without one never
    matches a date filter.
    """

    outlet: str | None = None
    text: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


# Listing orders. "date": oldest first, undated last; "sources": most independent sources first;
# "-" reverses; ties (and "id") by id.
EventSort = Literal["date", "-date", "sources", "-sources", "id"]


@dataclass(frozen=True, slots=True)
class SignatureEntry:
    """What the near-duplicate index needs of a stored article, listed in ingestion order."""

    article_id: str
    signature: bytes
    published: dt.date | None
    copy_of: str | None
    seq: int | None = None  # position in ingestion order, where the store gives it


class ArticleStore(Protocol):
    """Articles as ingested, their MinHash signatures and earlier versions of revised ones."""

    def add_articles(
        self, articles: Sequence[Article], signatures: Mapping[str, bytes] | None = None
    ) -> AddResult: ...

    def existing_article_ids(self, ids: Iterable[str]) -> set[str]: ...

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]: ...

    def get_article(self, article_id: str) -> Article | None: ...

    def article_signatures(self) -> dict[str, bytes]: ...

    def signature_entries(self) -> list[SignatureEntry]: ...

    def fill_signature_bands(self, layout: str, bands: Callable[[bytes], list[bytes]],
                             article_ids: Iterable[str] | None = None) -> int: ...

    def band_candidates(self, layout: str, bands: Sequence[bytes]) -> list[SignatureEntry]: ...

    def ingest_position(self) -> int: ...

    def copies_of(self, article_ids: Iterable[str]) -> list[str]: ...

    def articles_published_in(self, windows: Sequence[tuple[int, int]]) -> list[str]: ...

    def count_articles(self, where: ArticleFilter | None = None) -> int: ...

    def list_articles(
        self, where: ArticleFilter | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[Article]: ...

    def articles_page(
        self, where: ArticleFilter | None = None, *, limit: int | None = None, offset: int = 0
    ) -> tuple[list[Article], int]: ...

    def articles_without_mentions(self) -> list[str]: ...

    def in_publication_order(self, ids: Iterable[str]) -> list[str]: ...

    def revise_article(self, article: Article, signature: bytes | None = None) -> int: ...

    def article_revisions(self, article_id: str) -> list[Article]: ...


class MentionStore(Protocol):
    """What extraction found in each article."""

    def put_mentions(self, article_ids: Iterable[str], mentions: Sequence[Mention]) -> None: ...

    def get_mentions(self, article_ids: Iterable[str] | None = None) -> list[Mention]: ...

    def get_mention(self, mention_id: str) -> Mention | None: ...

    def unfused_mentions(self) -> list[Mention]: ...

    def mentions_by_id(self, mention_ids: Iterable[str]) -> list[Mention]: ...

    def mentions_in_blocks(
        self, windows: Mapping[str, Sequence[tuple[int, int]] | None]
    ) -> list[Mention]: ...

    def outlet_table(self, articles: Sequence[Article]) -> OutletTable: ...


class EventStore(Protocol):
    """The fused events and the mentions each holds."""

    def put_events(
        self, events: Sequence[Event], removed_event_ids: Iterable[str] = ()
    ) -> None: ...

    def get_events(
        self, where: EventFilter | None = None, *, sort: EventSort = "id",
        limit: int | None = None, offset: int = 0,
    ) -> list[Event]: ...

    def count_events(self, where: EventFilter | None = None) -> int: ...

    def events_page(
        self, where: EventFilter | None = None, *, sort: EventSort = "id",
        limit: int | None = None, offset: int = 0,
    ) -> tuple[list[Event], int]: ...

    def has_events(self) -> bool: ...

    def event_countries(self) -> set[str]: ...

    def get_event(self, event_id: str) -> Event | None: ...

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]: ...


class ChangeStore(Protocol):
    """The change log of events (``eventfuse changes``, the Atom feed)."""

    def record_changes(self, changes: Sequence[Change]) -> None: ...

    def get_changes(self, since: str | None = None, after_seq: int | None = None,
                    limit: int | None = None) -> list[Change]: ...

    def recently_changed_events(
        self, limit: int, before: tuple[str, str] | None = None
    ) -> tuple[list[tuple[str, Event]], list[Change]]: ...


class FetchStateStore(Protocol):
    """Per-URL HTTP state for conditional GETs (``eventfuse watch``)."""

    def get_fetch_state(self, url: str) -> FetchState | None: ...

    def put_fetch_state(self, state: FetchState) -> None: ...


class Store(ArticleStore, MentionStore, EventStore, ChangeStore, FetchStateStore, Protocol):
    """Persistence of everything above, plus housekeeping. Every write call is one transaction;
    a stage that needs one part can ask for that protocol alone."""

    location: str

    def writer_lock(self) -> AbstractContextManager[None]:
        """Exclusive, across processes, for a read-modify-write step (fusion); re-entrant."""
        ...

    def reopened(self) -> Self:
        """The same database on a connection of its own (for a forked process)."""
        ...

    def counts(self) -> dict[str, int]: ...

    def applied_migrations(self) -> list[str]: ...

    def integrity_check(self) -> list[str]: ...

    def dump(self) -> dict[str, list[tuple[Any, ...]]]: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

"""Typed, frozen records: the contract between pipeline stages.

Every stage is a pure function from these records to these records. Records serialize to plain
JSON-able dicts with :func:`to_dict` and back with :func:`from_dict`, so the store, the exports,
the API and the Spark engine all share one encoding.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

TimePrecision = Literal["day", "week", "month", "year", "unknown"]
GeoPrecision = Literal["point", "region", "admin1", "country", "unknown"]
Status = Literal["reported", "claimed", "denied", "contested", "alleged"]
Role = Literal["actor", "recipient"]
QuantityKind = Literal["size", "killed", "injured", "arrested"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a value was read: a character span of an article's clean text."""

    article_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class EmbeddedPost:
    """A social-media post embedded in a page (tweet, etc.), kept apart from the article text."""

    author: str | None
    handle: str | None
    date: dt.date | None
    url: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """One clean news article. ``text`` is the canonical clean text that evidence spans index."""

    id: str
    text: str
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    # Where ``published`` came from: "header", "html", "feed", "jsonl", "warc", "fusion"...
    published_source: str | None = None
    language: str = "en"
    source_path: str | None = None
    posts: tuple[EmbeddedPost, ...] = ()
    # Id of the article this one is a near-duplicate (wire copy) of; None when original.
    copy_of: str | None = None
    # The input record's own id (e.g. a JSON Lines ``id`` field), when it had one.
    source_id: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Actor:
    """A participant in a mention. ``canonical`` is the normalized name shared across articles."""

    role: Role
    name: str
    canonical: str
    type: str | None = None  # state, government, military, police, rebel, party, civilians...
    country: str | None = None  # ISO 3166-1 alpha-3, as in CAMEO/PLOVER actor codes
    evidence: Evidence | None = None
    # A group named only by its role ("militants", "Afghan civilians"): it names nobody in
    # particular, so fusion neither matches nor opposes it against a named actor.
    generic: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved toponym. Lower precision with a ``note`` beats a confident wrong pin."""

    name: str  # the surface form in the text
    canonical: str | None = None  # the gazetteer's name
    geonames_id: int | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    admin1: str | None = None  # first-level region name
    lat: float | None = None
    lon: float | None = None
    precision: GeoPrecision = "unknown"
    note: str | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class When:
    """A resolved time. ``start``/``end`` are None when only a relative expression is known."""

    text: str
    start: dt.date | None = None
    end: dt.date | None = None
    precision: TimePrecision = "unknown"
    # How the absolute date was obtained: "text" (explicit), "publication" (relative, resolved
    # against the publication date), "fusion" (anchored through a fused event), or None.
    anchor: str | None = None
    # For unresolved relative expressions: the weekday / offset so fusion can anchor them later.
    relative: str | None = None
    evidence: Evidence | None = None
    # Articles whose dates an anchored ("fusion", "fusion-article") date derives from.
    anchored_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quantity:
    """A count as a range: "dozens" is [24, 99]; ``high`` None means unbounded ("at least 12")."""

    kind: QuantityKind
    low: int
    high: int | None
    text: str
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct (or reported) quote with its speaker."""

    text: str
    speaker: str | None = None
    speaker_canonical: str | None = None
    cue: str | None = None  # the reporting verb: said, added, urged...
    direct: bool = True
    evidence: Evidence | None = None
    speaker_evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """One reported happening in one article, every field with its evidence."""

    id: str
    article_id: str
    type: str  # PLOVER category, e.g. PROTEST
    mode: str | None = None  # PLOVER mode, e.g. demo
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    trigger: Evidence | None = None  # the word(s) that report the happening
    sentence: Evidence | None = None  # the describing sentence
    actors: tuple[Actor, ...] = ()
    location: Place | None = None  # where the happening happened
    places: tuple[Place, ...] = ()  # every other resolved place in the sentence
    when: When | None = None
    quantities: tuple[Quantity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    attribution: str | None = None  # "according to regional media, citing anonymous sources"
    status: Status = "reported"
    confidence: float = 0.5
    source_id: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    # Lemmas of the trigger's content words from the extraction parse, sorted. Fusion matches
    # triggers by them; when empty it lemmatizes the sentence again with spaCy.
    trigger_lemmas: tuple[str, ...] = ()
    # Triggers of the article's other mentions of the same happening (within-document
    # coreference), and how salient the happening is in its article (0-1).
    coreferent: tuple[Evidence, ...] = ()
    salience: float | None = None


@dataclass(frozen=True, slots=True)
class SourceValue:
    """One source's version of one field of an event."""

    article_id: str
    value: Any
    evidence: Evidence | None = None
    mention_id: str | None = None


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Sources conflict on ``field``; ``reason`` says how, in words an analyst reads."""

    field: str
    reason: str
    values: tuple[SourceValue, ...] = ()


@dataclass(frozen=True, slots=True)
class EventSource:
    article_id: str
    outlet: str | None = None
    title: str | None = None
    published: dt.date | None = None
    copy_of: str | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """Renderings of one statement by one speaker in different outlets, each kept verbatim."""

    speaker: str | None
    renderings: tuple[Quote, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """One real happening fused from its mentions; every source's version is kept."""

    id: str
    type: str
    mention_ids: tuple[str, ...]
    mode: str | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    when: When | None = None
    location: Place | None = None
    actors: tuple[Actor, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    status: Status = "reported"
    sources: tuple[EventSource, ...] = ()
    independent_sources: int = 0
    quotes: tuple[QuoteGroup, ...] = ()
    # Every field's per-source values, keyed by field name ("date", "location", "size", ...).
    fields: Mapping[str, tuple[SourceValue, ...]] = field(default_factory=dict)
    disagreements: tuple[Disagreement, ...] = ()
    confidence: float = 0.5


# --- serialization ---------------------------------------------------------------------------

R = TypeVar("R")


def to_dict(value: Any) -> Any:
    """A JSON-able form of a record (dates as ISO strings, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_dict(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_dict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dict(v) for v in value]
    return value


def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
    """Rebuild a record from :func:`to_dict` output; unknown keys are ignored."""
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _decode(hints[f.name], data[f.name])
    return cls(**kwargs)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _decode(inner[0], value) if len(inner) == 1 else value
    if origin is tuple:
        return tuple(_decode(args[0], v) for v in value)
    if origin is Mapping or origin is dict:
        val_hint = args[1] if len(args) == 2 else Any
        return {k: _decode(val_hint, v) for k, v in value.items()}
    if hint is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_dict(hint, value)
    return value

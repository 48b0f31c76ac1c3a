"""Typed, frozen records: the contract between pipeline stages.

Every stage is a pure function from these records to these records. Records serialize to plain
JSON-able dicts with :func:`to_dict` and back with :func:`from_dict`, so the store, the exports,
the API and the Spark engine all share one encoding. Records refuse bad values when built
(``__post_init__``: unknown categories, modes, statuses, precisions, anchors, count kinds,
ranges that end before they start) and :func:`from_dict` is the strict decoder every boundary
uses: it also checks each field's JSON type, and its errors name the bad field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
import types
import typing
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from eventfuse.errors import EventfuseError
from eventfuse.ontology import categories, modes, record_categories

# PLOVER categories (data/plover_ontology.yaml; test_records checks the two agree) and "ACTION",
# the ontology's ``untyped`` category. Modes depend on the category, so they are checked at
# run time against the ontology's modes of the record's category.
Category = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
    "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "ACTION",
]
TimePrecision = Literal["day", "week", "month", "year", "unknown"]
GeoPrecision = Literal["point", "region", "admin1", "country", "unknown"]
Status = Literal["reported", "claimed", "denied", "contested", "alleged"]
Role = Literal["actor", "recipient"]
QuantityKind = Literal["size", "killed", "injured", "arrested"]
# How a When's dates were obtained: written in the text, resolved against the publication date,
# anchored through a fused event's consensus date, or through its articles' dates.
Anchor = Literal["text", "publication", "fusion", "fusion-article"]


class RecordError(EventfuseError, ValueError):
    """A record field holds a value it may not: ``where`` names the record and field."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def _bad(record: object, name: str, problem: str) -> RecordError:
    return RecordError(f"{type(record).__name__}.{name}", problem)


def _check_literal(record: object, name: str, allowed: Any) -> None:
    value = getattr(record, name)
    valid = _literal_values(allowed)
    if value not in valid:
        raise _bad(record, name, f"{value!r} is not one of {', '.join(map(str, valid))}")


def _literal_values(allowed: Any) -> tuple[Any, ...]:
    # Asked of typing once per Literal (kept by identity: hashing a Literal hashes its values),
    # not by every record built, which checks one or more.
    found = _LITERALS.get(id(allowed))
    if found is None or found[0] is not allowed:
        found = _LITERALS[id(allowed)] = (allowed, typing.get_args(allowed))
    return found[1]


_LITERALS: dict[int, tuple[Any, tuple[Any, ...]]] = {}


def _check_unit(record: object, name: str) -> None:
    value = getattr(record, name)
    if value is not None and not 0.0 <= value <= 1.0:
        raise _bad(record, name, f"{value!r} is outside [0, 1]")


def _check_kind(record: Mention | Event) -> None:
    if record.type not in record_categories():
        raise _bad(record, "type", _category_problem(record.type))
    if record.mode is not None and record.mode not in modes(record.type):
        valid = ", ".join(sorted(modes(record.type))) or "none"
        raise _bad(record, "mode",
                   f"{record.mode!r} is not a mode of {record.type}; valid: {valid}")


def _category_problem(name: str) -> str:
    return f"{name!r} is not a PLOVER category; valid: {', '.join(categories())}"


def as_category(name: str) -> Category:
    """``name`` typed as a record category; an unknown one is a :class:`RecordError`."""
    if name not in record_categories():
        raise RecordError("type", _category_problem(name))
    return typing.cast(Category, name)


class FrozenMap(Mapping[str, Any]):
    """A read-only, hashable mapping; nested dicts and lists are frozen as it is built."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = {str(k): freeze(v) for k, v in (data or {}).items()}
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    # The dict's own (read-only) views: Mapping's mixins step through __getitem__ per key, and
    # every event's fields are read through them (reconciliation, to_dict on each store write).
    def items(self) -> ItemsView[str, Any]:
        return self._data.items()

    def keys(self) -> KeysView[str]:
        return self._data.keys()

    def values(self) -> ValuesView[Any]:
        return self._data.values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap], tuple[dict[str, Any]]]:
        # Rebuilt, not restored: a cached hash of strings is only valid in its own process.
        return FrozenMap, (self._data,)


_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def freeze(value: Any) -> Any:
    """``value`` with every dict made a :class:`FrozenMap` and every list a tuple."""
    kind = type(value)
    if kind in _SCALARS:  # most values: the ABC checks below cost more
        return value
    shape = _SHAPES.get(kind)
    if shape is None:  # what a type is, asked of the ABCs once per type
        shape = _SHAPES[kind] = (
            _AS_GIVEN if issubclass(kind, FrozenMap)
            else _MAPPING if issubclass(kind, Mapping)
            else _SEQUENCE if issubclass(kind, list | tuple)
            else _AS_GIVEN
        )
    if shape is _MAPPING:
        return FrozenMap(value)
    if shape is _SEQUENCE:
        return tuple(freeze(v) for v in value)
    return value


# freeze's answer per type: a record in an event's fields (a SourceValue in a tuple) was
# asked whether it is a Mapping, through the ABC machinery, each time an event was built.
_AS_GIVEN, _MAPPING, _SEQUENCE = "as given", "mapping", "sequence"
_SHAPES: dict[type, str] = {}


def _freeze_field(record: object, name: str) -> None:
    object.__setattr__(record, name, freeze(getattr(record, name)))


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a value was read: a character span of an article's clean text."""

    article_id: str
    start: int
    end: int
    text: str

    def __post_init__(self) -> None:
        if self.start < 0:
            raise _bad(self, "start", f"{self.start} is negative")
        if self.end < self.start:
            raise _bad(self, "end", f"{self.end} is before start {self.start}")


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

    def __post_init__(self) -> None:
        _freeze_field(self, "metadata")


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

    def __post_init__(self) -> None:
        _check_literal(self, "role", Role)


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

    def __post_init__(self) -> None:
        _check_literal(self, "precision", GeoPrecision)
        if self.lat is not None and not -90.0 <= self.lat <= 90.0:
            raise _bad(self, "lat", f"{self.lat!r} is not a latitude")
        if self.lon is not None and not -180.0 <= self.lon <= 180.0:
            raise _bad(self, "lon", f"{self.lon!r} is not a longitude")


@dataclass(frozen=True, slots=True)
class When:
    """A resolved time. ``start``/``end`` are None when only a relative expression is known."""

    text: str
    start: dt.date | None = None
    end: dt.date | None = None
    precision: TimePrecision = "unknown"
    # How the absolute date was obtained: "text" (explicit), "publication" (relative, resolved
    # against the publication date), "fusion" (anchored through a fused event), or None.
    anchor: Anchor | None = None
    # For unresolved relative expressions: the weekday / offset so fusion can anchor them later.
    relative: str | None = None
    evidence: Evidence | None = None
    # Articles whose dates an anchored ("fusion", "fusion-article") date derives from.
    anchored_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_literal(self, "precision", TimePrecision)
        if self.anchor is not None:
            _check_literal(self, "anchor", Anchor)
        if self.start is not None and self.end is not None and self.end < self.start:
            raise _bad(self, "end", f"{self.end} is before start {self.start}")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A count as a range: "dozens" is [24, 99]; ``high`` None means unbounded ("at least 12")."""

    kind: QuantityKind
    low: int
    high: int | None
    text: str
    evidence: Evidence | None = None

    def __post_init__(self) -> None:
        _check_literal(self, "kind", QuantityKind)
        if self.low < 0:
            raise _bad(self, "low", f"{self.low} is negative")
        if self.high is not None and self.high < self.low:
            raise _bad(self, "high", f"{self.high} is below low {self.low}")


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
    type: Category  # PLOVER category, e.g. PROTEST
    mode: str | None = None  # PLOVER mode of the category, e.g. demo
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

    def __post_init__(self) -> None:
        _check_kind(self)
        _check_literal(self, "status", Status)
        _check_unit(self, "confidence")
        _check_unit(self, "salience")


@dataclass(frozen=True, slots=True)
class MentionKey:
    """What an extracted mention's id is made of, ``article:offset`` or ``article:offset@place``:
    its article, its trigger's character offset and, when the extractor split one happening per
    location, the place's offset. Read ids with :meth:`parse` rather than splitting them."""

    article_id: str
    offset: int
    place: int | None = None

    def __post_init__(self) -> None:
        if not self.article_id:
            raise _bad(self, "article_id", "empty")
        if self.offset < 0:
            raise _bad(self, "offset", f"{self.offset} is negative")
        if self.place is not None and self.place < 0:
            raise _bad(self, "place", f"{self.place} is negative")

    def __str__(self) -> str:
        return f"{self.article_id}:{self.offset}" + ("" if self.place is None else f"@{self.place}")

    @property
    def base(self) -> MentionKey:
        """The key of the happening's first mention (the one not split off by place)."""
        return MentionKey(self.article_id, self.offset)

    @classmethod
    def parse(cls, text: str) -> MentionKey:
        found = _MENTION_KEY.fullmatch(text)
        if found is None:
            raise RecordError("MentionKey", f"{text!r} is not a mention id: article:offset[@place]")
        place = found.group(3)
        return cls(found.group(1), int(found.group(2)), None if place is None else int(place))


# The article id may itself hold ":" or "@"; the offsets are the last parts.
_MENTION_KEY = re.compile(r"(.+):([0-9]+)(?:@([0-9]+))?", re.DOTALL)


@dataclass(frozen=True, slots=True)
class SourceValue:
    """One source's version of one field of an event."""

    article_id: str
    value: Any
    evidence: Evidence | None = None
    mention_id: str | None = None

    def __post_init__(self) -> None:
        _freeze_field(self, "value")


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
    type: Category
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

    def __post_init__(self) -> None:
        _check_kind(self)
        _check_literal(self, "status", Status)
        _check_unit(self, "confidence")
        _freeze_field(self, "fields")


# --- serialization ---------------------------------------------------------------------------

R = TypeVar("R")


# Types to_dict returns as they are, tested by exact type first: every mention's and event's
# JSON goes through it on each store write, and most of its values are these.
_AS_IS: frozenset[type] = frozenset({str, int, float, bool, type(None)})
Encoder = Callable[[Any], Any]
# type -> how to_dict encodes its values, worked out once per type (what a value is depends on
# its type alone): a fusion writes thousands of events of hundreds of thousands of values, and
# asking each value whether it is a dataclass, a date, a mapping or a list cost more than the
# JSON text.
_ENCODERS: dict[type, Encoder] = {}


def to_dict(value: Any) -> Any:
    """A JSON-able form of a record (dates as ISO strings, tuples as lists)."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    encode = _ENCODERS.get(kind)
    if encode is None:
        encode = _ENCODERS[kind] = _build_encoder(kind)
    return encode(value)


def _build_encoder(kind: type) -> Encoder:
    as_is = _AS_IS
    if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
        names = tuple(f.name for f in dataclasses.fields(kind))
        if not names:
            return lambda value: {}
        get = operator.attrgetter(*names)
        if len(names) == 1:
            return lambda value: {names[0]: to_dict(get(value))}

        def record(value: Any) -> Any:
            return dict(zip(names, [v if type(v) in as_is else to_dict(v) for v in get(value)],
                            strict=True))
        return record
    if issubclass(kind, dt.date):
        return lambda value: value.isoformat()
    if issubclass(kind, Mapping):
        return lambda value: {str(k): v if type(v) in as_is else to_dict(v)
                              for k, v in value.items()}
    if issubclass(kind, list | tuple):
        return lambda value: [v if type(v) in as_is else to_dict(v) for v in value]
    return _identity


def from_dict(cls: type[R], data: Mapping[str, Any], where: str | None = None) -> R:
    """Rebuild a record from :func:`to_dict` output, strictly: every field must hold its type's
    JSON form and a value the record accepts, else a :class:`RecordError` names the field
    (``Mention.actors[0].role``). Unknown keys are ignored (stores written by older versions)."""
    try:
        return typing.cast(R, _record_decoder(cls)(data))
    except _Invalid as exc:
        raise RecordError((where or cls.__name__) + "".join(reversed(exc.path)),
                          exc.problem) from None


class _Invalid(Exception):
    """A value a decoder refuses; ``path`` gathers the field names on the way out (innermost
    first), so that a path is only formatted for a value that fails."""

    def __init__(self, problem: str, step: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = [step] if step else []


Decoder = Callable[[Any], Any]

# hint -> its decoder, built once: every field of every record read back (a fusion reads its
# whole scope, a page its events) goes through one, and working out a hint's shape with
# ``typing`` and formatting each field's path on every value cost more than the JSON parse.
_DECODERS: dict[Any, Decoder] = {}


def _decoder(hint: Any) -> Decoder:
    return _built_once(_DECODERS, hint, _build_decoder)


def _built_once(cache: dict[Any, Decoder], key: Any, build: Callable[[Any], Decoder]) -> Decoder:
    decoder = cache.get(key)
    if decoder is None:
        # A record that holds its own type reaches its key again while it is built: it finds
        # a forwarder to the decoder being built.
        cache[key] = lambda value: cache[key](value)
        decoder = cache[key] = build(key)
    return decoder


def _identity(value: Any) -> Any:
    return value


def _build_decoder(hint: Any) -> Decoder:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return _identity
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            return _identity
        optional = type(None) in args
        decode_inner = _decoder(inner[0])

        def union(value: Any) -> Any:
            return None if value is None and optional else decode_inner(value)
        return union
    check = (_record_decoder(hint) if isinstance(hint, type) and dataclasses.is_dataclass(hint)
             else _value_check(hint, origin, args))

    def required(value: Any) -> Any:
        if value is None:
            raise _Invalid("null where a value is required")
        return check(value)
    return required


def _value_check(hint: Any, origin: Any, args: tuple[Any, ...]) -> Decoder:
    if origin is Literal:
        allowed = frozenset(args)
        listed = ", ".join(map(str, args))

        def literal(value: Any) -> Any:
            if value not in allowed:
                raise _Invalid(f"{value!r} is not one of {listed}")
            return value
        return literal
    if origin is tuple:
        item = _decoder(args[0])

        def sequence(value: Any) -> Any:
            if type(value) is not list:  # JSON's own type first: an ABC check costs more
                _expect(isinstance(value, list | tuple), value, "a list")
            out = []
            for n, v in enumerate(value):
                try:
                    out.append(item(v))
                except _Invalid as exc:
                    exc.path.append(f"[{n}]")
                    raise
            return tuple(out)
        return sequence
    if origin is Mapping or origin is dict:
        member = _decoder(args[1] if len(args) == 2 else Any)

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                _expect(isinstance(value, Mapping), value, "an object")
            out = {}
            for k, v in value.items():
                try:
                    out[str(k)] = member(v)
                except _Invalid as exc:
                    exc.path.append(f".{k}")
                    raise
            return out
        return mapping
    if hint is dt.date:
        return _date
    if hint is float:
        def number(value: Any) -> Any:
            _expect(isinstance(value, int | float) and not isinstance(value, bool), value,
                    "a number")
            return float(value)
        return number
    if hint is int:
        def integer(value: Any) -> Any:
            if type(value) is not int:
                _expect(isinstance(value, int) and not isinstance(value, bool), value,
                        "an integer")
            return value
        return integer
    if hint in (str, bool):
        wanted = "a string" if hint is str else "a boolean"

        def exact(value: Any) -> Any:
            if type(value) is not hint:
                _expect(isinstance(value, hint), value, wanted)
            return value
        return exact
    return _identity


# record type -> its decoder (a record field goes through :func:`_decoder`, which refuses null
# first, as the top level does not: there a null is "expected an object")
_RECORD_DECODERS: dict[Any, Decoder] = {}


def _record_decoder(cls: type) -> Decoder:
    return _built_once(_RECORD_DECODERS, cls, _build_record_decoder)


def _build_record_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, f".{f.name}", _decoder(hints[f.name]),
               f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
              for f in dataclasses.fields(cls)]

    def record(data: Any) -> Any:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise _Invalid(f"expected an object, got {_json_name(data)}")
        kwargs = {}
        for name, step, decode, needed in fields:
            if name in data:
                try:
                    kwargs[name] = decode(data[name])
                except _Invalid as exc:
                    exc.path.append(step)
                    raise
            elif needed:
                raise _Invalid("missing", step)
        try:
            return cls(**kwargs)
        except RecordError as exc:  # a __post_init__ check: name the field by its path
            raise _Invalid(exc.problem, "." + exc.where.partition(".")[2]) from None
    return record


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    _expect(isinstance(value, str), value, "an ISO date")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise _Invalid(f"{value!r} is not an ISO date") from None


def _expect(ok: bool, value: Any, wanted: str) -> None:
    if not ok:
        raise _Invalid(f"expected {wanted}, got {_json_name(value)} {value!r:.60}")


def _json_name(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", tuple: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)

"""Records refuse bad values when built and when decoded, and every record round-trips."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
import re
import sqlite3
import typing
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from eventfuse.errors import StoreError
from eventfuse.extract import extract_mentions
from eventfuse.nlp import get_nlp
from eventfuse.ontology import categories, get_ontology, modes, record_categories
from eventfuse.records import (
    Actor,
    Anchor,
    Article,
    Category,
    Disagreement,
    EmbeddedPost,
    Event,
    EventSource,
    Evidence,
    GeoPrecision,
    Mention,
    MentionKey,
    Place,
    Quantity,
    QuantityKind,
    Quote,
    QuoteGroup,
    RecordError,
    Role,
    SourceValue,
    Status,
    TimePrecision,
    When,
    as_category,
    from_dict,
    to_dict,
)
from eventfuse.settings import load_options
from eventfuse.store import open_store

EV = Evidence("a1", 0, 7, "NAIROBI")


def mention(**changes: Any) -> Mention:
    return dataclasses.replace(Mention("a1:0", "a1", "PROTEST", "demo", trigger=EV), **changes)


# --- the types agree with the ontology ----------------------------------------------------------


def test_category_literal_is_the_ontology_categories_and_the_untyped_one() -> None:
    assert set(typing.get_args(Category)) == record_categories()
    assert set(categories()) == set(get_ontology()["categories"])
    assert get_ontology()["untyped"] in typing.get_args(Category)
    assert len(categories()) == 16


def _lexicon_kinds(node: Any) -> set[tuple[str, str | None]]:
    """Every (type, mode) the trigger lexicon can give: entries and TYPE[/mode] strings."""
    found: set[tuple[str, str | None]] = set()
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            found.add((node["type"], node.get("mode")))
        for value in node.values():
            found |= _lexicon_kinds(value)
    elif isinstance(node, list):
        for value in node:
            found |= _lexicon_kinds(value)
    elif isinstance(node, str) and re.fullmatch(r"[A-Z]+(/[a-z-]+)?", node):
        kind, _, mode = node.partition("/")
        found.add((kind, mode or None))
    return found


def test_every_type_and_mode_the_lexicon_gives_is_a_valid_record_kind() -> None:
    path = resources.files("eventfuse.data").joinpath("plover_lexicon.yaml")
    kinds = _lexicon_kinds(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert len(kinds) > 50 and ("ASSAULT", "firearms") in kinds
    for kind, mode in sorted(kinds - {("NONE", None)}, key=str):
        assert mention(type=kind, mode=mode).mode == mode


def test_as_category_narrows_or_names_the_valid_ones() -> None:
    assert as_category("ASSAULT") == "ASSAULT"
    with pytest.raises(RecordError, match="'FIGHT' is not a PLOVER category; valid: AGREE"):
        as_category("FIGHT")


# --- built records refuse bad values -------------------------------------------------------------

REFUSED: list[tuple[Callable[[], object], str]] = [
    (lambda: Quantity("bogus", 10, 20, "t"), r"Quantity\.kind: 'bogus' is not one of size"),
    (lambda: Quantity("size", 10, 2, "t"), r"Quantity\.high: 2 is below low 10"),
    (lambda: Quantity("killed", -1, None, "t"), r"Quantity\.low: -1 is negative"),
    (lambda: mention(type="NOT_A_CATEGORY"), r"Mention\.type: 'NOT_A_CATEGORY' is not a PLOVER"),
    (lambda: mention(mode="firearms"), r"Mention\.mode: 'firearms' is not a mode of PROTEST"),
    (lambda: mention(type="ACTION", mode="demo"), r"Mention\.mode: 'demo' .* valid: none"),
    (lambda: mention(status="rumoured"), r"Mention\.status: 'rumoured' is not one of reported"),
    (lambda: mention(confidence=1.5), r"Mention\.confidence: 1\.5 is outside \[0, 1\]"),
    (lambda: mention(salience=-0.1), r"Mention\.salience: -0\.1 is outside"),
    (lambda: When("then", precision="decade"), r"When\.precision: 'decade' is not one of day"),
    (lambda: When("then", anchor="guess"), r"When\.anchor: 'guess' is not one of text"),
    (lambda: When("x", dt.date(2024, 5, 2), dt.date(2024, 5, 1)), r"When\.end: 2024-05-01 is bef"),
    (lambda: Place("X", precision="city"), r"Place\.precision: 'city' is not one of point"),
    (lambda: Place("X", lat=91.0, lon=0.0), r"Place\.lat: 91\.0 is not a latitude"),
    (lambda: Place("X", lat=0.0, lon=-181.0), r"Place\.lon: -181\.0 is not a longitude"),
    (lambda: Actor("victim", "A", "A"), r"Actor\.role: 'victim' is not one of actor, recipient"),
    (lambda: Evidence("a1", 5, 2, ""), r"Evidence\.end: 2 is before start 5"),
    (lambda: Evidence("a1", -1, 2, ""), r"Evidence\.start: -1 is negative"),
    (lambda: Event("e", "BOGUS", ("m",)), r"Event\.type: 'BOGUS' is not a PLOVER category"),
    (lambda: Event("e", "ASSAULT", ("m",), mode="demo"), r"Event\.mode: 'demo' is not a mode of"),
    (lambda: Event("e", "ASSAULT", ("m",), status="maybe"), r"Event\.status: 'maybe'"),
]


@pytest.mark.parametrize(("build", "message"), REFUSED)
def test_a_record_refuses_a_bad_value_naming_the_field(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(RecordError, match=message):
        build()


def test_good_values_are_accepted() -> None:
    assert Quantity("size", 10, 10, "ten").high == 10
    assert Quantity("size", 12, None, "at least 12").high is None
    assert mention(type="ASSAULT", mode="firearms", salience=1.0).mode == "firearms"
    assert mention(type="ACTION", mode=None).type == "ACTION"
    assert When("today", dt.date(2024, 5, 1), dt.date(2024, 5, 1), "day", "fusion-article").anchor


# --- mention keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "key"), [
    ("4d80a74fa6a9c1fb:79", MentionKey("4d80a74fa6a9c1fb", 79)),
    ("4d80a74fa6a9c1fb:79@412", MentionKey("4d80a74fa6a9c1fb", 79, 412)),
    ("feed:item:7:0@3", MentionKey("feed:item:7", 0, 3)),  # the article id may hold ":"
])
def test_mention_key_parses_and_formats_an_extracted_id(text: str, key: MentionKey) -> None:
    assert MentionKey.parse(text) == key
    assert str(key) == text
    assert key.base == MentionKey(key.article_id, key.offset)


@pytest.mark.parametrize("text", ["a1", "a1:", ":5", "a1:x", "a1:5@", "a1:-5", "doc#m3"])
def test_mention_key_refuses_what_is_not_a_mention_id(text: str) -> None:
    with pytest.raises(RecordError, match=r"^MentionKey: .* is not a mention id"):
        MentionKey.parse(text)


def test_extracted_mention_ids_are_mention_keys() -> None:
    text = ("Thousands of teachers protested in Nairobi and Mombasa on Monday, demanding higher "
            "pay. Police arrested 12 people in Kisumu on Tuesday, witnesses said.")
    article = Article("feed:k1", text, published=dt.date(2024, 5, 8))
    mentions = extract_mentions(article, get_nlp()(text), load_options())
    keys = [MentionKey.parse(m.id) for m in mentions]
    assert [str(k) for k in keys] == [m.id for m in mentions]
    assert {k.article_id for k in keys} == {"feed:k1"}
    assert all(m.trigger is not None and m.trigger.start == k.offset
               for k, m in zip(keys, mentions, strict=True))
    # One protest in two cities: the second mention is split off by place and shares its base.
    split = [k for k in keys if k.place is not None]
    assert split and all(k.base in keys for k in split)


# --- read-only mappings ---------------------------------------------------------------------------


def test_article_metadata_is_read_only_and_the_article_hashes() -> None:
    article = Article("a1", "text", metadata={"tags": ["a", "b"], "nested": {"k": [1]}})
    assert hash(article) == hash(Article("a1", "text", metadata={"tags": ["a", "b"],
                                                                 "nested": {"k": [1]}}))
    with pytest.raises(TypeError):
        article.metadata["tags"] = []  # type: ignore[index]
    assert article.metadata["tags"] == ("a", "b")
    assert article.metadata == {"tags": ("a", "b"), "nested": {"k": (1,)}}
    assert to_dict(article)["metadata"] == {"tags": ["a", "b"], "nested": {"k": [1]}}


def test_a_pickled_article_rehashes_in_its_new_process() -> None:
    article = Article("a1", "text", metadata={"feed": "rss", "tags": ["a"]})
    hash(article)  # caches the metadata's hash
    copy = pickle.loads(pickle.dumps(article))
    assert copy == article and copy.metadata._hash is None  # type: ignore[attr-defined]


def test_event_fields_are_read_only_and_the_event_hashes() -> None:
    value = SourceValue("a1", {"start": "2024-05-01", "anchored_by": ["a2"]}, EV, "a1:0")
    event = Event("e1", "PROTEST", ("a1:0",), fields={"date": (value,)})
    with pytest.raises(TypeError):
        event.fields["date"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        event.fields["date"][0].value["start"] = "2024-05-02"
    assert event.fields["date"][0].value.get("anchored_by") == ("a2",)
    assert hash(event) == hash(from_dict(Event, json.loads(json.dumps(to_dict(event)))))


# --- the strict decoder ---------------------------------------------------------------------------

MONDAY = dt.date(2024, 5, 6)
GOOD_MENTION = to_dict(mention(actors=(Actor("actor", "Police", "Police"),),
                               when=When("Monday", MONDAY, MONDAY, "day")))


def _with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD_MENTION))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return typing.cast(dict[str, Any], data)


DECODE_REFUSED: list[tuple[dict[str, Any], str]] = [
    (_with(("type",), "NOT_A_CATEGORY"), r"^Mention\.type: 'NOT_A_CATEGORY' is not one of AGR"),
    (_with(("mode",), "firearms"), r"^Mention\.mode: 'firearms' is not a mode of PROTEST"),
    (_with(("actors", 0, "role"), "victim"), r"^Mention\.actors\[0\]\.role: 'victim'"),
    (_with(("when", "start"), "last Monday"), r"^Mention\.when\.start: 'last Monday' is not an IS"),
    (_with(("when", "end"), "2024-05-01"), r"^Mention\.when\.end: 2024-05-01 is before start"),
    (_with(("trigger", "start"), "0"), r"^Mention\.trigger\.start: expected an integer, got a s"),
    (_with(("trigger", "start"), True), r"^Mention\.trigger\.start: expected an integer, got a b"),
    (_with(("confidence",), "high"), r"^Mention\.confidence: expected a number"),
    (_with(("article_id",), 17), r"^Mention\.article_id: expected a string, got an integer"),
    (_with(("article_id",), None), r"^Mention\.article_id: null where a value is required"),
    (_with(("actors",), {"role": "actor"}), r"^Mention\.actors: expected a list, got an object"),
    (_with(("actors", 0), "Police"), r"^Mention\.actors\[0\]: expected an object, got a string"),
    (_with(("actors", 0), None), r"^Mention\.actors\[0\]: null where a value is required$"),
    (_with(("quantities",), [{"kind": "size", "low": 9, "high": 3, "text": "t"}]),
     r"^Mention\.quantities\[0\]\.high: 3 is below low 9"),
]


@pytest.mark.parametrize(("data", "message"), DECODE_REFUSED)
def test_from_dict_is_strict_and_names_the_bad_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        from_dict(Mention, data)


def test_from_dict_names_a_missing_required_field_and_ignores_unknown_keys() -> None:
    with pytest.raises(RecordError, match=r"^Mention\.type: missing$"):
        from_dict(Mention, {"id": "a1:0", "article_id": "a1"})
    old = {**GOOD_MENTION, "retired_field": [1, 2]}
    assert from_dict(Mention, old) == from_dict(Mention, GOOD_MENTION)


def test_from_dict_reads_ints_where_floats_go() -> None:
    place = from_dict(Place, {"name": "X", "lat": 1, "lon": -2})
    assert place.lat == 1.0 and isinstance(place.lat, float)


def test_old_store_row_with_a_now_invalid_value_is_a_store_error_naming_the_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    store = open_store(str(path))
    try:
        store.add_articles([Article("a1", "NAIROBI police said.")])
        store.put_mentions(["a1"], [mention()])
        # A store written by an older version: a category renamed since ("DEMAND").
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE mentions SET json = ?", (json.dumps(_with(("type",), "DEMAND")),))
        with pytest.raises(StoreError, match=r"unreadable row in mentions \(id 'a1:0'\): "
                                             r"Mention\.type: 'DEMAND' is not one of"):
            store.get_mentions(["a1"])
    finally:
        store.close()


# --- every record round-trips (hypothesis) --------------------------------------------------------

_TEXT = st.text(max_size=12)
_OPT_TEXT = st.none() | _TEXT
_DATE = st.dates(dt.date(1000, 1, 1), dt.date(2100, 12, 31))
_UNIT = st.floats(0.0, 1.0)
_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.floats(allow_nan=False,
                                                                     allow_infinity=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


def _small_tuple(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.lists(strategy, max_size=2).map(tuple)


@st.composite
def _evidence(draw: st.DrawFn) -> Evidence:
    start = draw(st.integers(0, 10_000))
    return Evidence(draw(_TEXT), start, start + draw(st.integers(0, 500)), draw(_TEXT))


def _literal(hint: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(typing.get_args(hint))


EVIDENCE = _evidence()
OPT_EVIDENCE = st.none() | EVIDENCE
POST = st.builds(EmbeddedPost, _OPT_TEXT, _OPT_TEXT, st.none() | _DATE, _OPT_TEXT, _TEXT)
ARTICLE = st.builds(
    Article, _TEXT, _TEXT, _OPT_TEXT, _OPT_TEXT, _OPT_TEXT, st.none() | _DATE, _OPT_TEXT, _TEXT,
    _OPT_TEXT, _small_tuple(POST), _OPT_TEXT, _OPT_TEXT, st.dictionaries(_TEXT, _JSON, max_size=3),
)
ACTOR = st.builds(Actor, _literal(Role), _TEXT, _TEXT, _OPT_TEXT, _OPT_TEXT, OPT_EVIDENCE,
                  st.booleans())
PLACE = st.builds(
    Place, _TEXT, _OPT_TEXT, st.none() | st.integers(0, 10**8), _OPT_TEXT, _OPT_TEXT,
    st.none() | st.floats(-90, 90), st.none() | st.floats(-180, 180), _literal(GeoPrecision),
    _OPT_TEXT, OPT_EVIDENCE,
)


@st.composite
def _when(draw: st.DrawFn) -> When:
    start = draw(st.none() | _DATE)
    end = None if start is None else start + dt.timedelta(days=draw(st.integers(0, 400)))
    return When(draw(_TEXT), start, end, draw(_literal(TimePrecision)),
                draw(st.none() | _literal(Anchor)), draw(_OPT_TEXT), draw(OPT_EVIDENCE),
                draw(_small_tuple(_TEXT)))


@st.composite
def _quantity(draw: st.DrawFn) -> Quantity:
    low = draw(st.integers(0, 10**6))
    high = draw(st.none() | st.integers(low, 10**7))
    return Quantity(draw(_literal(QuantityKind)), low, high, draw(_TEXT), draw(OPT_EVIDENCE))


@st.composite
def _kind(draw: st.DrawFn) -> tuple[str, str | None]:
    category = draw(st.sampled_from(sorted(record_categories())))
    return category, draw(st.none() | st.sampled_from(sorted(modes(category)) or [None]))


WHEN = _when()
QUANTITY = _quantity()
QUOTE = st.builds(Quote, _TEXT, _OPT_TEXT, _OPT_TEXT, _OPT_TEXT, st.booleans(), OPT_EVIDENCE,
                  OPT_EVIDENCE)


@st.composite
def _mention(draw: st.DrawFn) -> Mention:
    category, mode = draw(_kind())
    return Mention(
        draw(_TEXT), draw(_TEXT), as_category(category), mode, draw(_OPT_TEXT), draw(_OPT_TEXT),
        draw(OPT_EVIDENCE), draw(OPT_EVIDENCE), draw(_small_tuple(ACTOR)), draw(st.none() | PLACE),
        draw(_small_tuple(PLACE)), draw(st.none() | WHEN), draw(_small_tuple(QUANTITY)),
        draw(_small_tuple(QUOTE)), draw(_OPT_TEXT), draw(_literal(Status)), draw(_UNIT),
        draw(_OPT_TEXT), draw(_OPT_TEXT), draw(st.none() | _DATE), draw(_small_tuple(_TEXT)),
        draw(_small_tuple(EVIDENCE)), draw(st.none() | _UNIT),
    )


SOURCE_VALUE = st.builds(SourceValue, _TEXT, _JSON, OPT_EVIDENCE, _OPT_TEXT)
DISAGREEMENT = st.builds(Disagreement, _TEXT, _TEXT, _small_tuple(SOURCE_VALUE))
EVENT_SOURCE = st.builds(EventSource, _TEXT, _OPT_TEXT, _OPT_TEXT, st.none() | _DATE, _OPT_TEXT,
                         OPT_EVIDENCE)
QUOTE_GROUP = st.builds(QuoteGroup, _OPT_TEXT, _small_tuple(QUOTE))


@st.composite
def _event(draw: st.DrawFn) -> Event:
    category, mode = draw(_kind())
    return Event(
        draw(_TEXT), as_category(category), draw(_small_tuple(_TEXT)), mode, draw(_OPT_TEXT),
        draw(_OPT_TEXT), draw(st.none() | WHEN), draw(st.none() | PLACE),
        draw(_small_tuple(ACTOR)), draw(_small_tuple(QUANTITY)), draw(_literal(Status)),
        draw(_small_tuple(EVENT_SOURCE)), draw(st.integers(0, 50)), draw(_small_tuple(QUOTE_GROUP)),
        draw(st.dictionaries(_TEXT, _small_tuple(SOURCE_VALUE), max_size=2)),
        draw(_small_tuple(DISAGREEMENT)), draw(_UNIT),
    )


MENTION_KEY = st.builds(MentionKey, _TEXT.filter(bool), st.integers(0, 10**6),
                        st.none() | st.integers(0, 10**6))
RECORDS: dict[type, st.SearchStrategy[Any]] = {
    MentionKey: MENTION_KEY,
    Evidence: EVIDENCE, EmbeddedPost: POST, Article: ARTICLE, Actor: ACTOR, Place: PLACE,
    When: WHEN, Quantity: QUANTITY, Quote: QUOTE, Mention: _mention(), SourceValue: SOURCE_VALUE,
    Disagreement: DISAGREEMENT, EventSource: EVENT_SOURCE, QuoteGroup: QUOTE_GROUP, Event: _event(),
}


def test_every_record_has_a_strategy() -> None:
    import eventfuse.records as records

    defined = {v for v in vars(records).values()
               if dataclasses.is_dataclass(v) and v.__module__ == records.__name__}
    assert defined == set(RECORDS)


@pytest.mark.parametrize("cls", list(RECORDS), ids=lambda c: c.__name__)
@given(data=st.data())
def test_every_record_round_trips_through_dicts_and_json(cls: type, data: st.DataObject) -> None:
    record = data.draw(RECORDS[cls])
    assert from_dict(cls, to_dict(record)) == record
    again = from_dict(cls, json.loads(json.dumps(to_dict(record))))
    assert again == record
    assert to_dict(again) == to_dict(record)
    assert hash(again) == hash(record)


@given(key=MENTION_KEY)
def test_every_mention_key_round_trips_through_its_id(key: MentionKey) -> None:
    assert MentionKey.parse(str(key)) == key

"""One story's principal events: a week's date gap and undated follow-ups (invented texts)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import eventfuse.fuse as fusion
from eventfuse.fuse import fuse
from eventfuse.fuse.config import FusionConfig, load_config
from eventfuse.records import Article, Evidence, Mention, Place, When

FRIDAY = dt.date(2023, 3, 10)
HERAT = Place("Herat", "Herat", 1140026, "AF", "Herat", 34.348, 62.199, "point")
KANDAHAR = Place("Kandahar", "Kandahar", 1138336, "AF", "Kandahar", 31.613, 65.710, "point")

FIRST = (
    "A baker was shot dead outside his shop on Cedar Lane late on Friday, police said. "
    "Officers from the Cedar Lane precinct are searching for a gunman in a grey hooded jacket."
)
LATER = (
    "Police said a baker was shot dead outside his shop on Cedar Lane. Officers of the Cedar "
    "Lane precinct still search for the gunman in a grey hooded jacket and ask for witnesses."
)


def _article(aid: str, text: str, outlet: str, published: dt.date) -> Article:
    return Article(id=aid, text=text, outlet=outlet, published=published)


def _report(
    mid: str, art: Article, where: Place, day: dt.date | None, trigger: str = "shot",
    type_: str = "ASSAULT", mode: str = "firearms",
) -> Mention:
    start = art.text.index(trigger)
    begin = art.text.rfind(". ", 0, start) + 1
    end = art.text.index(".", start) + 1
    sentence = art.text[begin:end].strip()
    begin = art.text.index(sentence)
    when = When(day.isoformat(), day, day, "day", anchor="text") if day else None
    return Mention(
        id=mid,
        article_id=art.id,
        type=type_,
        mode=mode,
        trigger=Evidence(art.id, start, start + len(trigger), trigger),
        sentence=Evidence(art.id, begin, begin + len(sentence), sentence),
        location=where,
        when=when,
        outlet=art.outlet,
        published=art.published,
    )


def _events(
    monkeypatch: pytest.MonkeyPatch, later_day: dt.date | None, later_place: Place, **off: object
) -> list[tuple[str, ...]]:
    """The events (their mention ids) of a first report and a later one of one story, with
    the configuration's ``off`` fields replaced."""
    config: FusionConfig = dataclasses.replace(load_config(), **off)  # type: ignore[arg-type]
    monkeypatch.setattr(fusion, "load_config", lambda profile=None: config)
    first = _article("art-1", FIRST, "Outlet A", FRIDAY)
    later = _article("art-2", LATER, "Outlet B", FRIDAY + dt.timedelta(days=10))
    mentions = [_report("m-1", first, HERAT, FRIDAY), _report("m-2", later, later_place, later_day)]
    result = fuse(mentions, [first, later])
    return sorted(e.mention_ids for e in result.events)


def test_one_storys_principal_events_dated_within_a_week_join(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The later report dates the shooting to the day its own news came (five days on).
    wednesday = FRIDAY + dt.timedelta(days=5)
    assert _events(monkeypatch, wednesday, HERAT) == [("m-1", "m-2")]
    assert _events(monkeypatch, wednesday, HERAT, principal_day_gap=None) == [("m-1",), ("m-2",)]
    # Beyond a week they stay two.
    assert _events(monkeypatch, FRIDAY + dt.timedelta(days=9), HERAT) == [("m-1",), ("m-2",)]


def test_an_undated_principal_event_joins_its_storys_dated_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The follow-up names no day, and the geoparser put it in another town.
    assert _events(monkeypatch, None, KANDAHAR) == [("m-1", "m-2")]
    assert _events(monkeypatch, None, KANDAHAR, principal_undated=False) == [("m-1",), ("m-2",)]


CHARGED = (
    "A neighbour was charged on Monday with murder, prosecutors said. Police said a baker was "
    "shot dead outside his shop on Cedar Lane by a gunman in a grey hooded jacket."
)


def test_an_undated_shooting_a_charge_refers_back_to_joins_its_storys_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The follow-up's principal event is the charge (dated); the shooting it recalls names no
    # day and was put in another town.
    def events(**off: object) -> list[tuple[str, ...]]:
        config: FusionConfig = dataclasses.replace(load_config(), **off)  # type: ignore[arg-type]
        monkeypatch.setattr(fusion, "load_config", lambda profile=None: config)
        first = _article("art-1", FIRST, "Outlet A", FRIDAY)
        later = _article("art-2", CHARGED, "Outlet B", FRIDAY + dt.timedelta(days=10))
        monday = FRIDAY + dt.timedelta(days=10)
        mentions = [
            _report("m-1", first, HERAT, FRIDAY),
            _report("m-2", later, KANDAHAR, None),
            _report("m-3", later, HERAT, monday, "charged", "ACCUSE", "allege"),
        ]
        return sorted(e.mention_ids for e in fuse(mentions, [first, later]).events)

    assert events() == [("m-1", "m-2"), ("m-3",)]
    assert events(undated_follow_ups=False) == [("m-1",), ("m-2",), ("m-3",)]


def test_a_report_without_a_mode_is_not_another_kind_on_another_day() -> None:
    from eventfuse.fuse.features import build_features
    from eventfuse.fuse.match import pair_score

    first = _article("art-1", FIRST, "Outlet A", FRIDAY)
    later = _article("art-2", LATER, "Outlet B", FRIDAY + dt.timedelta(days=1))
    saturday = FRIDAY + dt.timedelta(days=1)
    typed = _report("m-1", first, HERAT, FRIDAY)
    untyped = dataclasses.replace(_report("m-2", later, HERAT, saturday), mode=None)
    lemmas = {"m-1": frozenset({"shoot"}), "m-2": frozenset({"shoot"})}

    def vetoed(config: FusionConfig, b: Mention = untyped) -> str:
        fa, fb = build_features([typed, b], {}, config, lemmas)
        return pair_score(fa, fb, config, 3).reason

    config = load_config()
    # Two outlets giving one shooting two days: a date disagreement, not two shootings.
    assert vetoed(config) == ""
    off = dataclasses.replace(config, unknown_mode_matches=False)
    assert vetoed(off).startswith("two happenings on two different days")
    # One outlet dating two reports to two days still reports two days.
    same_outlet = dataclasses.replace(untyped, outlet="Outlet A")
    assert vetoed(config, same_outlet).startswith("two happenings on two different days")

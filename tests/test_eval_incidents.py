"""`eventfuse eval incidents`: scoring events against known incidents, on records we build."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from eventfuse.evaluate.incidents import (
    Incident,
    IncidentGold,
    IncidentsError,
    gold_town_point,
    read_incident_gold,
    score_incidents,
)
from eventfuse.extract.gazetteer import get_gazetteer
from eventfuse.geo import haversine_km
from eventfuse.records import (
    Article,
    Event,
    EventSource,
    Evidence,
    Place,
    Quantity,
    SourceValue,
    When,
)


def _article(n: int) -> Article:
    return Article(id=f"a{n}", text=f"text {n}", source_id=f"r{n}")


def _event(eid: str, articles: list[int], **kw: object) -> Event:
    return Event(
        id=eid,
        type="ASSAULT",
        mention_ids=tuple(f"a{n}:0" for n in articles),
        sources=tuple(EventSource(article_id=f"a{n}") for n in articles),
        **kw,  # type: ignore[arg-type]
    )


GOLD = IncidentGold(
    article_incident={"r1": "i1", "r2": "i1", "r3": "i2", "r4": "i2"},
    incidents={
        "i1": Incident("i1", dt.date(2014, 2, 12), killed=1, injured=2, lat=41.58, lon=-87.34),
        "i2": Incident("i2", dt.date(2014, 3, 1), killed=0, injured=1, lat=36.14, lon=-115.14),
    },
)


def test_perfect_events_score_one() -> None:
    articles = [_article(n) for n in (1, 2, 3, 4)]
    events = [
        _event("e1", [1, 2], when=When("Wednesday", dt.date(2014, 2, 12)),
               location=Place("Gary", lat=41.5781, lon=-87.3371),
               quantities=(Quantity("killed", 1, 1, "one"), Quantity("injured", 2, 2, "two"))),
        _event("e2", [3, 4], when=When("Saturday", dt.date(2014, 3, 1)),
               location=Place("Las Vegas", lat=36.1699, lon=-115.1398),
               quantities=(Quantity("injured", 1, 1, "a man"),)),
    ]
    scores = score_incidents(GOLD, articles, events)
    assert scores["b3"]["f1"] == pytest.approx(1.0)
    assert scores["events_per_article"] == pytest.approx(1.0)
    for key in ("place_within_25km", "date_exact", "killed", "injured"):
        assert scores[key] == pytest.approx(1.0), key


def test_split_articles_wrong_fields_and_extra_events_are_counted() -> None:
    articles = [_article(n) for n in (1, 2, 3, 4)]
    events = [
        # Incident 1 split in two events; the one both point to has the wrong date and no count.
        _event("e1", [1], when=When("x", dt.date(2014, 2, 13))),
        _event("e2", [2]),
        # Incident 2: an extra background event cites article 3 too.
        _event("e3", [3, 4], location=Place("Paris", lat=48.85, lon=2.35),
               quantities=(Quantity("injured", 24, 99, "dozens"),)),
        _event("e4", [3]),
    ]
    scores = score_incidents(GOLD, articles, events)
    assert scores["events_per_article"] == pytest.approx(5 / 4)
    assert scores["b3"]["recall"] < 1.0
    assert scores["b3"]["precision"] == pytest.approx(1.0)
    assert scores["place_within_25km"] == 0.0
    assert scores["date_exact"] == 0.0
    # e1 (votes tie 1-1, smaller id): its date is a day off; no killed count means 0, not 1.
    assert scores["date_within_1day"] == pytest.approx(0.5)
    assert scores["killed"] == pytest.approx(0.5)  # i2 has 0 killed and e3 has no count
    assert scores["injured"] == 0.0


def test_article_goes_to_the_event_with_most_evidence() -> None:
    articles = [_article(n) for n in (1, 2, 3, 4)]
    span = Evidence("a3", 0, 4, "text")
    events = [
        _event("e9", [3, 4], fields={"date": (SourceValue("a3", "x", span),)}),
        _event("e1", [3]),
    ]
    scores = score_incidents(GOLD, articles, events)
    # a3 goes to e9 (more evidence from it), with a4: incident 2 whole.
    assert scores["b3"]["recall"] == pytest.approx(0.75)


def test_haversine() -> None:
    assert haversine_km(41.5781, -87.3371, 41.8781, -87.6298) == pytest.approx(41.4, abs=1)


def test_bad_gold_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "gold.json").write_text("{}")
    with pytest.raises(IncidentsError, match=r"incidents\.json"):
        read_incident_gold(tmp_path)
    (tmp_path / "incidents.json").write_text(json.dumps({"7": {"date": "Febtember 1, 2014"}}))
    with pytest.raises(IncidentsError, match="incident 7"):
        read_incident_gold(tmp_path)


def test_place_over_incidents_the_gold_gives_a_point() -> None:
    # i2 has no recorded point: every event misses it in place_within_25km, not in _of_known
    gold = IncidentGold(
        GOLD.article_incident,
        {**GOLD.incidents, "i2": Incident("i2", dt.date(2014, 3, 1), 0, 1, None, None)},
    )
    articles = [_article(n) for n in (1, 2, 3, 4)]
    events = [
        _event("e1", [1, 2], location=Place("Gary", lat=41.5781, lon=-87.3371)),
        _event("e2", [3, 4], location=Place("Las Vegas", lat=36.1699, lon=-115.1398)),
    ]
    scores = score_incidents(gold, articles, events)
    assert scores["place_within_25km"] == pytest.approx(0.5)
    assert scores["place_within_25km_of_known"] == pytest.approx(1.0)


def test_place_of_gold_town_stands_in_for_a_missing_point() -> None:
    # i2 has no recorded point; its gold town's point (resolved elsewhere) decides instead
    gold = IncidentGold(
        {**GOLD.article_incident, "r5": "i3", "r6": "i3"},
        {
            **GOLD.incidents,
            "i2": Incident("i2", dt.date(2014, 3, 1), 0, 1, None, None, "Las Vegas", "Nevada"),
            "i3": Incident("i3", dt.date(2014, 3, 2), 0, 1, None, None, "Nowhere", "Nevada"),
        },
    )
    articles = [_article(n) for n in (1, 2, 3, 4, 5, 6)]
    events = [
        _event("e1", [1, 2], location=Place("Gary", lat=41.5781, lon=-87.3371)),
        _event("e2", [3, 4], location=Place("Las Vegas", lat=36.1699, lon=-115.1398)),
        _event("e3", [5, 6], location=Place("Las Vegas", lat=36.1699, lon=-115.1398)),
    ]
    towns = {"i2": (36.17, -115.14), "i3": None}  # i3's town did not resolve: a miss
    scores = score_incidents(gold, articles, events, towns)
    assert scores["place_within_25km"] == pytest.approx(1 / 3)  # unchanged by the towns
    assert scores["place_within_25km_of_known"] == pytest.approx(1.0)
    assert scores["place_within_25km_of_gold_town"] == pytest.approx(2 / 3)
    # a gold point, where there is one, wins over the town
    far = {"i2": (0.0, 0.0), "i3": (36.17, -115.14)}
    assert score_incidents(gold, articles, events, far)[
        "place_within_25km_of_gold_town"
    ] == pytest.approx(2 / 3)
    assert "place_within_25km_of_gold_town" in score_incidents(GOLD, articles[:4], events[:2])


def test_gold_town_resolves_in_its_state() -> None:
    gazetteer = get_gazetteer()
    springfield_il = gold_town_point(gazetteer, "Springfield", "Illinois")
    springfield_mo = gold_town_point(gazetteer, "Springfield", "Missouri")
    assert springfield_il is not None and springfield_mo is not None
    assert haversine_km(*springfield_il, 39.80, -89.64) < 10
    assert haversine_km(*springfield_mo, 37.21, -93.30) < 10
    # "City (part)": the part where it happened; "Name (county)": the county
    glendale = gold_town_point(gazetteer, "Milwaukee (Glendale)", "Wisconsin")
    assert glendale is not None and haversine_km(*glendale, 43.135, -87.936) < 5
    county = gold_town_point(gazetteer, "Weld (county)", "Colorado")
    assert county is not None and haversine_km(*county, 40.55, -104.39) < 60
    assert gold_town_point(gazetteer, "Springfield", "Atlantis") is None
    assert gold_town_point(gazetteer, "Qwxzville", "Ohio") is None
    assert gold_town_point(gazetteer, None, "Ohio") is None


def test_articles_that_cannot_be_read_fail_the_evaluation(tmp_path: Path) -> None:
    """Scoring what could be read (nothing, here) would pass for the set's figures."""
    from eventfuse.evaluate.incidents import run_pipeline
    from eventfuse.settings import Options

    (tmp_path / "articles.jsonl").write_bytes(b"")
    with pytest.raises(IncidentsError, match=r"V104.*articles\.jsonl.*empty file"):
        run_pipeline(tmp_path, Options())
    # A record without a text is skipped (reported by its line), the rest is evaluated.
    (tmp_path / "articles.jsonl").write_text(
        '{"id": "a1", "title": "Shooting", "text": "Police said a man was shot on Monday."}\n'
        '{"id": "a2", "title": "No text"}\n', encoding="utf-8")
    articles, _events = run_pipeline(tmp_path, Options())
    assert [a.source_id for a in articles] == ["a1"]

"""Exports over hand-built events: JSON shape, ACLED-like CSV, GeoJSON, Parquet, comparison."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rich.console import Console
from rich.text import Text

from eventfuse import acled, export
from eventfuse.errors import ConfigError
from eventfuse.records import (
    Actor,
    Article,
    Disagreement,
    Event,
    EventSource,
    Evidence,
    Mention,
    Place,
    Quantity,
    Quote,
    QuoteGroup,
    SourceValue,
    When,
)
from eventfuse.store import Store, acled_numbers, open_store

SENTENCE_A = "Thousands of traders marched through Lima on Friday against a new market tax."
SENTENCE_B = "Dozens of traders protested in Lima on Friday, police said."


def _ev(article_id: str, text: str) -> Evidence:
    return Evidence(article_id, 0, len(text), text)


LIMA = Place(name="Lima", canonical="Lima", geonames_id=3936456, country="PE", admin1="Lima",
             lat=-12.04318, lon=-77.02824, precision="point")
FRIDAY = When(text="on Friday", start=dt.date(2024, 5, 3), precision="day", anchor="publication")
ARTICLES = {
    "a1": Article(id="a1", text=SENTENCE_A, outlet="Harbor Ledger", title="Traders march",
                  published=dt.date(2024, 5, 4), url="https://harbor.example/1"),
    "a2": Article(id="a2", text=SENTENCE_B, outlet="Northfield Post", title="Traders protest",
                  published=dt.date(2024, 5, 4)),
}
SIZE_A = Quantity("size", 2000, 9999, "Thousands", _ev("a1", "Thousands"))
SIZE_B = Quantity("size", 24, 99, "Dozens", _ev("a2", "Dozens"))
MENTIONS = {
    "m1": Mention(id="m1", article_id="a1", type="PROTEST", mode="demo",
                  sentence=_ev("a1", SENTENCE_A), location=LIMA, when=FRIDAY,
                  actors=(Actor("actor", "traders", "Traders"),), quantities=(SIZE_A,)),
    "m2": Mention(id="m2", article_id="a2", type="PROTEST", mode="demo",
                  sentence=_ev("a2", SENTENCE_B), location=LIMA, when=FRIDAY,
                  actors=(Actor("actor", "traders", "Traders"),), quantities=(SIZE_B,)),
}
PROTEST = Event(
    id="ev-lima-1",
    type="PROTEST",
    mode="demo",
    mention_ids=("m1", "m2"),
    acled_event_type="Protests",
    acled_sub_event_type="Peaceful protest",
    when=FRIDAY,
    location=LIMA,
    actors=(Actor("actor", "traders", "Traders", type="civilians", country="PER"),
            Actor("actor", "market union", "=HYPERLINK(\"http://evil\")"),
            Actor("recipient", "city council", "@Lima City Council")),
    quantities=(SIZE_A, Quantity("killed", 2, 2, "two", _ev("a1", "two"))),
    sources=(EventSource("a1", evidence=_ev("a1", SENTENCE_A)),
             EventSource("a2", outlet="Northfield Post", evidence=_ev("a2", SENTENCE_B))),
    independent_sources=2,
    quotes=(QuoteGroup("Rosa Quispe", (Quote("We will not pay.", "Rosa Quispe",
                                             evidence=_ev("a1", "We will not pay.")),
                                       Quote("We refuse to pay this tax.", "Rosa Quispe",
                                             evidence=_ev("a2", "We refuse to pay this tax.")))),),
    fields={"size": (SourceValue("a1", {"low": 2000, "high": 9999, "text": "Thousands"}),
                     SourceValue("a2", {"low": 24, "high": 99, "text": "Dozens"}))},
    disagreements=(Disagreement(
        "size", "size: Thousands [2000-9999] (Harbor Ledger) vs Dozens [24-99] (Northfield Post)",
        (SourceValue("a1", {"low": 2000, "high": 9999, "text": "Thousands"},
                     _ev("a1", "Thousands")),
         SourceValue("a2", {"low": 24, "high": 99, "text": "Dozens"}, _ev("a2", "Dozens")))),),
    confidence=0.8,
)
UNLOCATED = Event(id="ev-nowhere", type="REQUEST", mention_ids=(), sources=(EventSource("a2"),),
                  when=When(text="this week", start=dt.date(2024, 4, 29), precision="week"))


def test_event_json_shape() -> None:
    doc = export.event_to_json(PROTEST, ARTICLES)
    assert {"id", "type", "mode", "acled", "date", "location", "actors", "quantities", "sources",
            "independent_sources", "quotes", "discrepancies", "status", "confidence",
            "disputed"} <= doc.keys()
    assert doc["acled"] == {"event_type": "Protests", "sub_event_type": "Peaceful protest"}
    assert doc["date"]["start"] == doc["date"]["end"] == "2024-05-03"
    assert doc["date"]["precision"] == "day" and doc["date"]["anchor"] == "publication"
    assert doc["location"]["geonames_id"] == 3936456 and doc["location"]["lon"] == -77.02824
    assert doc["quantities"]["size"] == {"low": 2000, "high": 9999, "text": "Thousands",
                                         "article_id": "a1"}
    assert doc["actors"][0] == {"role": "actor", "name": "traders", "canonical": "Traders",
                                "type": "civilians", "country": "PER"}
    assert doc["disputed"] is True
    json.dumps(doc)  # JSON-able throughout


def test_event_json_sources_fill_from_articles() -> None:
    first, second = export.event_to_json(PROTEST, ARTICLES)["sources"]
    assert first["outlet"] == "Harbor Ledger" and first["title"] == "Traders march"
    assert first["published"] == "2024-05-04" and first["evidence"]["text"] == SENTENCE_A
    assert second["outlet"] == "Northfield Post"


def test_event_json_quotes_grouped_and_flat() -> None:
    doc = export.event_to_json(PROTEST, ARTICLES)
    (group,) = doc["quotes"]
    assert group["speaker"] == "Rosa Quispe"
    assert [r["article_id"] for r in group["renderings"]] == ["a1", "a2"]
    assert group["text"] == "We will not pay." and group["article_id"] == "a1"
    assert [q["text"] for q in doc["quote_list"]] == ["We will not pay.",
                                                      "We refuse to pay this tax."]


def test_event_json_discrepancies() -> None:
    (d,) = export.event_to_json(PROTEST, ARTICLES)["discrepancies"]
    assert d["field"] == "size" and "Dozens" in d["reason"]
    assert [v["article_id"] for v in d["values"]] == ["a1", "a2"]
    assert d["values"][1]["evidence"]["text"] == "Dozens"


def test_undisputed_event_json() -> None:
    doc = export.event_to_json(UNLOCATED, ARTICLES)
    assert doc["disputed"] is False and doc["location"] is None and doc["quantities"] == {}
    assert doc["date"]["precision"] == "week"


def test_write_json_and_jsonl(tmp_path: Path) -> None:
    export.write_json([PROTEST, UNLOCATED], ARTICLES, tmp_path / "e.json")
    assert [e["id"] for e in json.loads((tmp_path / "e.json").read_text())] == [
        "ev-lima-1", "ev-nowhere"]
    stream = io.StringIO()
    export.write_jsonl([PROTEST, UNLOCATED], ARTICLES, stream)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["ev-lima-1", "ev-nowhere"]


def _csv_rows(*events: Event) -> tuple[list[str], list[dict[str, str]]]:
    stream = io.StringIO()
    export.write_csv(list(events), ARTICLES, stream)
    reader = csv.DictReader(io.StringIO(stream.getvalue()))
    return list(reader.fieldnames or []), list(reader)


# ACLED's published codebook (ACLED Codebook 2023, "Data columns"; the acledR package's
# acled_codebook lists the same 31 variables in this order).
ACLED_CODEBOOK_ORDER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
]


@pytest.mark.issue(16)
def test_csv_header_is_acleds_codebook_order_then_plover() -> None:
    header, _ = _csv_rows(PROTEST)
    assert header[: len(ACLED_CODEBOOK_ORDER)] == ACLED_CODEBOOK_ORDER
    plover = ["event_id", "plover_type", "plover_mode", "status", "disputed", "n_sources",
              "independent_sources", "event_end_date"]
    assert header[len(ACLED_CODEBOOK_ORDER):][: len(plover)] == plover


@pytest.mark.issue(16)
def test_csv_values() -> None:
    _, (row, unlocated) = _csv_rows(PROTEST, UNLOCATED)
    assert row["event_date"] == "2024-05-03" and row["year"] == "2024"
    assert row["time_precision"] == "1" and row["geo_precision"] == "1"
    assert row["disorder_type"] == "Demonstrations" and row["country"] == "Peru"
    assert row["iso"] == "604" and row["region"] == "South America"
    assert row["event_id_cnty"] == "PER1" and unlocated["event_id_cnty"] == "XXX1"
    # A demonstration's actor1 is its crowd; the named groups are associated with it.
    assert row["actor1"] == "Protesters (Peru)" and row["inter1"] == "6"
    assert row["assoc_actor_1"].startswith("Traders; ")
    assert row["inter2"] == "0" and row["interaction"] == "60"
    assert row["tags"] == "crowd size=Thousands"
    assert row["location"] == "Lima" and row["admin1"] == "Lima"
    assert row["latitude"] == "-12.04318" and row["longitude"] == "-77.02824"
    assert row["source"] == "Harbor Ledger; Northfield Post" and row["source_scale"] == "Unknown"
    assert row["fatalities"] == "2" and row["size"] == "2000-9999" and row["killed"] == "2-2"
    assert row["disputed"] == "true" and row["n_sources"] == "2"
    assert row["notes"].startswith(SENTENCE_A) and "Sources disagree on size" in row["notes"]
    assert int(row["timestamp"]) > 1_700_000_000
    assert unlocated["time_precision"] == "2" and unlocated["latitude"] == ""
    assert unlocated["iso"] == "0" and unlocated["geo_precision"] == "3"
    assert unlocated["fatalities"] == "0" and unlocated["disputed"] == "false"


def _acled_row(event: Event, articles: dict[str, Article] | None = None) -> dict[str, object]:
    return export.event_row(event, ARTICLES if articles is None else articles)


@pytest.mark.issue(16)
def test_inter_codes_interaction_and_civilian_targeting_from_actor_types() -> None:
    attack = dataclasses.replace(
        PROTEST, id="ev-attack", type="ASSAULT", mode=None,
        acled_event_type="Explosions/Remote violence",
        acled_sub_event_type="Remote explosive/landmine/IED",
        actors=(Actor("actor", "militants", "Militants", type="armed group"),
                Actor("recipient", "villagers", "Villagers", type="civilians")))
    row = _acled_row(attack)
    assert (row["actor1"], row["inter1"], row["actor2"], row["inter2"]) == (
        "Militants", 3, "Villagers", 7)
    assert row["interaction"] == 37 and row["civilian_targeting"] == "Civilian targeting"
    clash = dataclasses.replace(
        attack, acled_event_type="Battles", acled_sub_event_type="Armed clash",
        actors=(Actor("actor", "rebels", "M23", type="rebel"),
                Actor("actor", "army", "FARDC", type="military")))
    row = _acled_row(clash)
    # Both typed: the first named leads, the other is associated.
    assert (row["actor1"], row["inter1"], row["assoc_actor_1"]) == ("M23", 2, "FARDC")
    assert row["interaction"] == 20 and row["civilian_targeting"] is None
    riot = dataclasses.replace(PROTEST, acled_event_type="Riots", quantities=())
    row = _acled_row(riot)
    assert row["actor1"] == "Rioters (Peru)" and row["inter1"] == 5
    assert row["tags"] == "crowd size=no report"


@pytest.mark.issue(16)
@pytest.mark.parametrize(("alpha2", "name", "numeric", "region"), [
    ("CD", "Democratic Republic of Congo", 180, "Middle Africa"),
    ("AF", "Afghanistan", 4, "South Asia"),
    ("IR", "Iran", 364, "Middle East"),
    ("GE", "Georgia", 268, "Caucasus and Central Asia"),
    ("SY", "Syria", 760, "Middle East"),
    ("MX", "Mexico", 484, "Central America"),
    ("US", "United States", 840, "North America"),
    ("KE", "Kenya", 404, "Eastern Africa"),
])
def test_country_short_name_numeric_iso_and_region(
    alpha2: str, name: str, numeric: int, region: str
) -> None:
    place = dataclasses.replace(LIMA, country=alpha2)
    row = _acled_row(dataclasses.replace(PROTEST, location=place))
    assert (row["country"], row["iso"], row["region"]) == (name, numeric, region)
    assert str(row["event_id_cnty"]).startswith(str(acled.country(alpha2).alpha3))  # type: ignore[union-attr]


@pytest.mark.issue(16)
def test_admin2_comes_from_the_gazetteer() -> None:
    kabul = Place("Kabul", "Kabul", 1138958, "AF", "Kabul", 34.52813, 69.17233, "point")
    row = _acled_row(dataclasses.replace(PROTEST, location=kabul))
    assert row["admin2"] == "Kabul" and row["admin3"] is None


@pytest.mark.issue(16)
def test_undated_event_takes_its_first_report_date_and_undatable_ones_leave_the_csv() -> None:
    undated = dataclasses.replace(UNLOCATED, id="ev-undated", when=None)
    row = _acled_row(undated)
    assert row["event_date"] == dt.date(2024, 5, 4) and row["time_precision"] == 3
    assert row["tags"] == export.DATE_FROM_PUBLICATION
    nowhen = dataclasses.replace(undated, id="ev-never", sources=(EventSource("a3"),))
    stream = io.StringIO()
    assert export.write_csv([PROTEST, undated, nowhen], ARTICLES, stream) == 1
    assert [r["event_id"] for r in csv.DictReader(io.StringIO(stream.getvalue()))] == [
        "ev-lima-1", "ev-undated"]


@pytest.mark.issue(16)
def test_source_scale_from_the_outlet_file(tmp_path: Path) -> None:
    outlets = tmp_path / "outlets.csv"
    outlets.write_text("outlet,source_scale\nharbor ledger,National\n"
                       "northfield.example,International\n")
    known = export.ExportContext(outlets=acled.load_outlets(outlets))
    articles = {**ARTICLES, "a2": dataclasses.replace(ARTICLES["a2"], outlet=None,
                                                      url="https://www.northfield.example/x")}
    event = dataclasses.replace(PROTEST, sources=(EventSource("a1"), EventSource("a2")))
    row = export.event_row(event, articles, known)
    assert row["source_scale"] == "National-International"
    assert row["source"] == "Harbor Ledger; northfield.example"  # a domain, never an id
    assert export.event_row(UNLOCATED, ARTICLES, known)["source_scale"] == "Unknown"
    bad = tmp_path / "bad.csv"
    bad.write_text("outlet,source_scale\nHarbor Ledger,Planetary\n")
    with pytest.raises(ConfigError, match=r"bad\.csv: line 2: source_scale 'Planetary'"):
        acled.load_outlets(bad)


INT64 = "int64"


@pytest.mark.issue(16)
def test_csv_loads_in_pandas_with_acled_dtypes(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    path = tmp_path / "events.csv"
    export.write_csv([PROTEST, UNLOCATED], ARTICLES, path)
    frame = pd.read_csv(path)
    assert list(frame.columns) == list(export.CSV_COLUMN_NAMES)
    expected = {"int": INT64, "float": "float64", "bool": "bool", "str": "object",
                "date": "object"}
    empty = {name for name in frame.columns if frame[name].isna().all()}
    assert empty == {"admin2", "admin3", "civilian_targeting", "assoc_actor_2", "injured",
                     "arrested"}  # nothing to say: pandas cannot type an empty column
    for name, kind in export.CSV_COLUMNS:
        if name not in empty:
            assert str(frame[name].dtype) == expected[kind], (name, frame[name].dtype)
    assert pd.to_datetime(frame["event_date"]).dt.year.tolist() == frame["year"].tolist()


@pytest.mark.issue(16)
def test_parquet_loads_in_pandas_with_dates_and_integers(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    path = tmp_path / "events.parquet"
    undated = dataclasses.replace(UNLOCATED, id="ev-never", when=None, sources=())
    export.write_parquet([PROTEST, UNLOCATED, undated], ARTICLES, path)
    schema = pq.read_schema(path)
    assert str(schema.field("event_date").type) == "date32[day]"
    assert str(schema.field("year").type) == "int64"
    frame = pd.read_parquet(path)
    assert list(frame.columns) == list(export.COLUMN_NAMES)
    expected = {"int": "Int64", "float": "float64", "bool": "bool", "str": "object",
                "date": "object"}
    for name, kind in export.COLUMNS:
        assert str(frame[name].dtype) == expected[kind], (name, frame[name].dtype)
    assert frame["event_date"].tolist()[:2] == [dt.date(2024, 5, 3), dt.date(2024, 4, 29)]
    assert frame["year"].tolist() == [2024, 2024, pd.NA]  # every event kept, typed
    assert frame["size_low"].tolist()[0] == 2000


@pytest.mark.issue(16)
def test_geojson_keeps_every_event_unplaced_ones_with_null_geometry(tmp_path: Path) -> None:
    collection = export.events_to_geojson([PROTEST, UNLOCATED], ARTICLES)
    assert collection["type"] == "FeatureCollection"
    placed, unplaced = collection["features"]
    assert placed["type"] == "Feature" and placed["geometry"]["type"] == "Point"
    assert placed["geometry"]["coordinates"] == [-77.02824, -12.04318]
    props = placed["properties"]
    assert all(v is None or isinstance(v, str | int | float | bool) for v in props.values())
    assert props["plover_type"] == "PROTEST" and props["event_date"] == "2024-05-03"
    assert unplaced["geometry"] is None and unplaced["id"] == "ev-nowhere"
    path = tmp_path / "events.geojson"
    assert export.write_geojson([PROTEST, UNLOCATED], ARTICLES, path) == 1
    assert len(json.loads(path.read_text())["features"]) == 2


def test_parquet_reads_back(tmp_path: Path) -> None:
    written = export.write_parquet([PROTEST, UNLOCATED], ARTICLES, tmp_path / "events.parquet",
                                   mentions=MENTIONS.values(), with_articles=True)
    assert [p.name for p in written] == ["events.parquet", "events.mentions.parquet",
                                         "events.articles.parquet"]
    table = pq.read_table(written[0])
    assert table.column_names == list(export.COLUMN_NAMES)
    assert str(table.schema.field("latitude").type) == "double"
    assert str(table.schema.field("disputed").type) == "bool"
    rows = table.to_pylist()
    assert rows[0]["event_id_cnty"] == "PER1" and rows[0]["size_low"] == 2000
    assert rows[1]["latitude"] is None
    assert pq.read_table(written[1]).num_rows == 2
    assert set(pq.read_table(written[2]).column("outlet").to_pylist()) == {
        "Harbor Ledger", "Northfield Post"}


@pytest.mark.issue(16)
def test_comparison_has_a_consensus_column_then_one_per_source_with_conflicts_in_red() -> None:
    table = export.render_event_comparison(PROTEST, ARTICLES, MENTIONS)
    assert len(table.columns) == 4
    assert str(table.columns[1].header).startswith("consensus")
    headers = [str(c.header) for c in table.columns[2:]]
    assert headers[0].startswith("Harbor Ledger") and headers[1].startswith("Northfield Post")
    labels = [str(cell) for cell in table.columns[0]._cells]
    consensus = {label: str(cell) for label, cell in zip(labels, table.columns[1]._cells,
                                                          strict=True)}
    assert consensus["size"] == '"Thousands" [2000–9999]'  # what fusion kept
    assert consensus["location"] == "Lima (point)" and consensus["status"] == "reported"
    assert consensus["date"].startswith("2024-05-03 (day)")
    size_row = labels.index("size")
    for column in table.columns[2:]:
        size_cell = column._cells[size_row]
        assert isinstance(size_cell, Text) and size_cell.style == export.DISAGREE_STYLE
        date_cell = column._cells[labels.index("date")]
        assert isinstance(date_cell, Text) and date_cell.style == ""
    console = Console(record=True, width=160)
    console.print(table)
    shown = console.export_text()
    assert "Thousands of traders marched" in shown and "Dozens of traders" in shown
    assert "[24–99]" in shown and "DISPUTED" in shown
    assert "≠ size: Thousands" in shown


def test_comparison_shows_a_disputed_field_without_its_own_row() -> None:
    typed = Disagreement("type", "type: PROTEST vs ASSAULT",
                         (SourceValue("a1", {"type": "PROTEST"}), SourceValue("a2", {"type": "X"})))
    event = dataclasses.replace(PROTEST, disagreements=(typed,))
    table = export.render_event_comparison(event, ARTICLES, MENTIONS)
    labels = [str(cell) for cell in table.columns[0]._cells]
    assert str(table.columns[1]._cells[labels.index("type")]) == "PROTEST"
    cell = table.columns[3]._cells[labels.index("type")]
    assert isinstance(cell, Text) and '"X"' in str(cell) and cell.style == export.DISAGREE_STYLE


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_write_events_dispatches_every_format(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"events.{fmt}"
    export.write_events(fmt, [PROTEST], ARTICLES, path)
    assert path.stat().st_size > 0
    if fmt in {"json", "geojson"}:
        json.loads(path.read_text())


def test_write_events_refuses_unknown_format_and_parquet_to_a_stream() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export.write_events("xlsx", [PROTEST], ARTICLES, io.StringIO())
    with pytest.raises(ValueError, match="file path"):
        export.write_events("parquet", [PROTEST], ARTICLES, io.StringIO())


@pytest.fixture(params=["sqlite", "postgres"])
def numbered_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    location = (str(tmp_path / "n.db") if request.param == "sqlite"
                else str(request.getfixturevalue("pg_url")))
    with open_store(location) as store:
        yield store


@pytest.mark.issue(16)
def test_event_id_cnty_is_a_stable_per_country_number_kept_in_the_store(
    numbered_store: Store,
) -> None:
    kabul = Place("Kabul", "Kabul", 1138958, "AF", "Kabul", 34.52813, 69.17233, "point")
    first = dataclasses.replace(PROTEST, id="ev-k1", location=kabul)
    second = dataclasses.replace(PROTEST, id="ev-k2", location=kabul)
    assign = acled_numbers.assign
    ids = assign(numbered_store, export.export_keys([first, PROTEST], ARTICLES), now=100)
    assert {k: v.event_id_cnty for k, v in ids.items()} == {"ev-k1": "AFG1", "ev-lima-1": "PER1"}
    # Again, with a new event listed first: the old ids stay, the new one takes the next number.
    again = assign(numbered_store, export.export_keys([second, first, PROTEST], ARTICLES), now=200)
    assert [again[e].event_id_cnty for e in ("ev-k2", "ev-k1", "ev-lima-1")] == [
        "AFG2", "AFG1", "PER1"]
    assert again["ev-k1"].timestamp == 100 and again["ev-k2"].timestamp == 200
    # A changed row keeps its id and gets a new timestamp.
    grown = dataclasses.replace(first, confidence=0.99)
    changed = assign(numbered_store, export.export_keys([grown], ARTICLES), now=300)
    assert changed["ev-k1"] == acled_numbers.AcledIdent("AFG1", 300)
    # The store's ids reach the files.
    context = export.store_context(numbered_store, [grown, second], ARTICLES, outlets={})
    stream = io.StringIO()
    export.write_csv([grown, second], ARTICLES, stream, context)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert [(r["event_id_cnty"], r["timestamp"]) for r in rows] == [("AFG1", "300"),
                                                                    ("AFG2", "200")]

"""Exports over hand-built events: JSON shape, ACLED-like CSV, GeoJSON, Parquet, comparison."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from rich.console import Console
from rich.text import Text

from eventfuse import export
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


def test_csv_header_has_acled_and_plover_columns() -> None:
    header, _ = _csv_rows(PROTEST)
    acled = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
             "event_type", "sub_event_type", "actor1", "assoc_actor_1", "actor2", "country",
             "admin1", "location", "latitude", "longitude", "geo_precision", "source",
             "source_scale", "notes", "fatalities"]
    plover = ["plover_type", "plover_mode", "status", "disputed", "n_sources",
              "independent_sources"]
    assert header[: len(acled) + len(plover)] == acled + plover


def test_csv_values() -> None:
    _, (row, unlocated) = _csv_rows(PROTEST, UNLOCATED)
    assert row["event_date"] == "2024-05-03" and row["year"] == "2024"
    assert row["time_precision"] == "1" and row["geo_precision"] == "1"
    assert row["disorder_type"] == "Demonstrations" and row["country"] == "Peru"
    assert row["iso"] == "PER" and row["location"] == "Lima" and row["actor1"] == "Traders"
    assert row["latitude"] == "-12.04318" and row["longitude"] == "-77.02824"
    assert row["source"] == "Harbor Ledger; Northfield Post"
    assert row["fatalities"] == "2" and row["size_low"] == "2000" and row["size_high"] == "9999"
    assert row["disputed"] == "true" and row["n_sources"] == "2"
    assert row["notes"].startswith(SENTENCE_A) and "Sources disagree on size" in row["notes"]
    assert unlocated["time_precision"] == "2" and unlocated["latitude"] == ""
    assert unlocated["fatalities"] == "0" and unlocated["disputed"] == "false"


def test_csv_escapes_formulas_but_not_numbers() -> None:
    _, (row,) = _csv_rows(PROTEST)
    assert row["assoc_actor_1"] == "'=HYPERLINK(\"http://evil\")"
    assert row["actor2"] == "'@Lima City Council"
    assert row["longitude"] == "-77.02824"  # a number, not a formula


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_cell_escapes_each_formula_prefix(text: str) -> None:
    assert export.csv_cell(text) == "'" + text


def test_geojson_points_in_lon_lat_order() -> None:
    collection = export.events_to_geojson([PROTEST, UNLOCATED], ARTICLES)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == [-77.02824, -12.04318]
    props = feature["properties"]
    assert all(v is None or isinstance(v, str | int | float | bool) for v in props.values())
    assert props["plover_type"] == "PROTEST"


def test_geojson_keeps_unlocated_with_null_geometry_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "events.geojson"
    export.write_geojson([PROTEST, UNLOCATED], ARTICLES, path, include_unlocated=True)
    features = json.loads(path.read_text())["features"]
    assert [f["geometry"] is None for f in features] == [False, True]


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
    assert rows[0]["event_id_cnty"] == "ev-lima-1" and rows[0]["size_low"] == 2000
    assert rows[1]["latitude"] is None
    assert pq.read_table(written[1]).num_rows == 2
    assert set(pq.read_table(written[2]).column("outlet").to_pylist()) == {
        "Harbor Ledger", "Northfield Post"}


def test_comparison_one_column_per_source_with_conflicts_in_red() -> None:
    table = export.render_event_comparison(PROTEST, ARTICLES, MENTIONS)
    assert len(table.columns) == 3
    headers = [str(c.header) for c in table.columns[1:]]
    assert headers[0].startswith("Harbor Ledger") and headers[1].startswith("Northfield Post")
    labels = [str(cell) for cell in table.columns[0]._cells]
    size_row = labels.index("size")
    for column in table.columns[1:]:
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
    cell = table.columns[2]._cells[labels.index("type")]
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

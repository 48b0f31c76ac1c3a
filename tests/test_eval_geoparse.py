"""Geoparsing evaluation: scoring on a small gold file written here, bad input named, and the
quality gate on the shared GeoWebNews dev file (../shared/data/geo/geowebnews-dev.xml)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from eventfuse.cli import main
from eventfuse.evaluate.geoparse import (
    GeoparseDataError,
    Predicted,
    evaluate_geoparse,
    read_gold,
    score,
)

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "geo" / "geowebnews-dev.xml"

GOLD = """<?xml version='1.0' encoding='utf-8'?>
<articles>
  <article docid="a1">
    <text>Flooding hit Macon, Ga., and farms outside Savannah on Monday.</text>
    <toponyms>
      <toponym><start>13</start><end>18</end><phrase>Macon</phrase>
        <gaztag geonameid="4207400"><lat>32.84069</lat><lon>-83.6324</lon></gaztag></toponym>
      <toponym><start>20</start><end>23</end><phrase>Ga.</phrase>
        <gaztag geonameid="4197000"><lat>32.75042</lat><lon>-83.50018</lon></gaztag></toponym>
      <toponym><start>43</start><end>51</end><phrase>Savannah</phrase>
        <gaztag geonameid="4221552"><lat>32.08354</lat><lon>-81.09983</lon></gaztag></toponym>
    </toponyms>
  </article>
</articles>
"""


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.xml"
    path.write_text(GOLD, encoding="utf-8")
    return path


def test_read_gold(gold_file: Path) -> None:
    (article,) = read_gold(gold_file)
    assert article.docid == "a1" and len(article.toponyms) == 3
    macon = article.toponyms[0]
    assert article.text[macon.start : macon.end] == "Macon" and macon.geonames_id == 4207400


def test_score_counts_spans_resolution_and_end_to_end(gold_file: Path) -> None:
    articles = read_gold(gold_file)
    predictions = [
        # Macon, Georgia: exact span, same id
        Predicted("a1", 13, 18, "Macon", 4207400, 32.84, -83.63),
        # "Macon, Ga." found as one span overlapping both gold names is not two right answers
        # here: Ga. is missed; Savannah found but pinned in Tennessee (~700 km off)
        Predicted("a1", 43, 51, "Savannah", None, 35.22, -88.25),
        # a false place
        Predicted("a1", 0, 8, "Flooding", None, 1.0, 1.0),
    ]
    scores = score(articles, predictions)
    assert scores["span_recall"] == round(2 / 3, 4)
    assert scores["span_precision"] == round(2 / 3, 4)
    assert scores["resolution_accuracy_161"] == 0.5
    assert scores["end_to_end_accuracy_161"] == round(1 / 3, 4)
    assert scores["median_error_km"] is not None and scores["median_error_km"] > 161


def test_bad_input_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<articles><article docid='x'>", encoding="utf-8")
    with pytest.raises(GeoparseDataError, match=r"broken\.xml"):
        read_gold(broken)
    empty = tmp_path / "empty.xml"
    empty.write_text("<articles/>", encoding="utf-8")
    with pytest.raises(GeoparseDataError, match="no <article>"):
        read_gold(empty)


@pytest.mark.slow
def test_predictions_file_has_one_line_per_place(gold_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    scores = evaluate_geoparse(gold_file, out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == scores["predicted_names"] >= 2
    assert set(rows[0]) == {"doc", "start", "end", "name", "geonames_id", "lat", "lon"}
    # Macon, Georgia and "Ga." at least (a lone "outside Savannah" may still read as Ghana's region)
    assert scores["end_to_end_accuracy_161"] >= round(2 / 3, 4)


@pytest.mark.slow
def test_cli_prints_json_scores_and_writes_predictions(gold_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    args = ["eval", "geoparse", str(gold_file), "--json", "--predictions", str(out)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["gold_names"] == 3 and scores["span_recall"] == 1.0
    assert len(out.read_text(encoding="utf-8").splitlines()) == scores["predicted_names"]


def test_cli_names_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<articles>", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "geoparse", str(broken)])
    assert result.exit_code != 0 and "broken.xml" in result.output


# Reached on the dev file (docs/quality.md) minus an allowed drop of 0.02.
DEV_FLOORS = {
    "end_to_end_accuracy_161": 0.8099 - 0.02,
    "span_recall": 0.8707 - 0.02,
    "resolution_accuracy_161": 0.9302 - 0.02,
}


@pytest.mark.slow
def test_geowebnews_dev_gate() -> None:
    if not DEV.exists():
        reason = f"{DEV} missing (the shared data folder sits beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    scores = evaluate_geoparse(DEV)
    for key, floor in DEV_FLOORS.items():
        assert scores[key] >= floor, (key, scores[key])

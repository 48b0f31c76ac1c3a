"""PLOVER evaluation: scoring on a small gold file written here, and the quality gate on the
shared dev file (../shared/data/plover-gsr-dev.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import needs_shared
from eventfuse.evaluate.plover import (
    EvaluationError,
    GoldRecord,
    Prediction,
    evaluate_plover,
    read_gold,
    score,
)

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "plover-gsr-dev.jsonl"
# Category accuracy reached on the dev file (docs/quality.md) minus the allowed drop of 0.02.
DEV_ACCURACY_FLOOR = 0.8446 - 0.02

GOLD = [
    {
        "id": "t1",
        "event": "PROTEST",
        "mode": "demo",
        "text": "Thousands of farmers marched on the capital on Monday.",
        "source": [{"actorText": "farmers", "code": "AGR"}],
        "target": "",
    },
    {
        "id": "t2",
        "event": "DEMAND",
        "text": "The mayor demanded that the factory close immediately.",
        "source": [{"actorText": "mayor", "code": "GOV"}],
        "target": [{"actorText": "factory", "code": "BUS"}],
    },
    {
        "id": "t3",
        "event": "FIGHT",
        "text": "Troops shelled rebel positions near the border overnight.",
        "source": [{"actorText": "Troops", "code": "MIL"}],
        "target": "",
    },
    {
        "id": "t4",
        "event": "DISAPPROVE",
        "text": "The foreign ministry condemned the raid in a statement.",
        "source": [{"actorText": "foreign ministry", "code": "GOV"}],
        "target": "",
    },
]


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in GOLD) + "\n", encoding="utf-8")
    return path


def test_old_names_are_mapped_when_reading(gold_file: Path) -> None:
    assert [r.event for r in read_gold(gold_file)] == ["PROTEST", "REQUEST", "ASSAULT", "ACCUSE"]


def test_evaluate_writes_predictions_and_scores(gold_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred.jsonl"
    result = evaluate_plover(gold_file, out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2", "t3", "t4"]
    assert set(rows[0]) == {"id", "event", "mode", "actor", "recipient"}
    assert [r["event"] for r in rows] == ["PROTEST", "REQUEST", "ASSAULT", "ACCUSE"]
    assert result["category_accuracy"] == 1.0
    assert result["records"] == 4


def test_score_counts_mistakes() -> None:
    records = [
        GoldRecord("a", "x", "PROTEST", None, (), ()),
        GoldRecord("b", "y", "AGREE", None, (), ()),
    ]
    predictions = [
        Prediction("a", "PROTEST", None, None, None),
        Prediction("b", "REJECT", None, None, None),
    ]
    result = score(records, predictions)
    assert result["category_accuracy"] == 0.5
    assert result["per_category_f1"] == {"AGREE": 0.0, "PROTEST": 1.0}
    assert result["confusions"] == {"AGREE->REJECT": 1}


def test_unreadable_gold_is_an_evaluation_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(EvaluationError):
        read_gold(bad)
    with pytest.raises(EvaluationError):
        read_gold(tmp_path / "missing.jsonl")


@needs_shared(DEV)
def test_quality_gate_on_plover_dev() -> None:
    result = evaluate_plover(DEV)
    assert result["records"] == 193
    assert result["category_accuracy"] >= DEV_ACCURACY_FLOOR, result["confusions"]

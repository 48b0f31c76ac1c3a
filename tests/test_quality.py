"""Quality gates: no development-set figure below its floor in quality-baseline.json (issue 17),
and the strict actor match the PLOVER figures use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import require_shared
from eventfuse.evaluate.plover import actor_match
from eventfuse.evaluate.quality import (
    EVALUATORS,
    Gate,
    QualityError,
    load_baseline,
    measure,
    render,
    shortfalls,
)

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "quality-baseline.json"
GATES = load_baseline(BASELINE)
GATED = [gate for gate in GATES if gate.floors]

pytestmark = pytest.mark.issue(17)


def test_the_baseline_gates_plover_and_ecbplus_and_holds_a_place_for_the_others() -> None:
    names = {gate.name: gate for gate in GATES}
    assert {"plover-dev", "ecbplus-dev", "gva-dev", "geowebnews-dev"} <= set(names)
    assert names["plover-dev"].floors["category_accuracy"] > 0.8
    assert names["ecbplus-dev"].floors["system.conll_f1"] > 0.7
    for gate in GATED:
        assert gate.evaluator in EVALUATORS, f"{gate.name}: no evaluator {gate.evaluator!r}"
        assert gate.sha256 and len(gate.sha256) == 64
        assert all(0 < floor <= 1 for floor in gate.floors.values())


@pytest.mark.slow  # runs every gated evaluator: PLOVER (spaCy) and ECB+ (~40 s)
@pytest.mark.parametrize("gate", GATED, ids=[gate.name for gate in GATED])
def test_no_figure_is_below_its_floor(gate: Gate) -> None:
    require_shared(gate.data)
    outcome = measure(gate)
    assert outcome.problems == (), "\n" + render([outcome], [])


# --- the gate itself can fail ----------------------------------------------------------------


def _gate(tmp_path: Path, floors: dict[str, float]) -> Gate:
    data = tmp_path / "gold.jsonl"
    data.write_text('{"x": 1}\n', encoding="utf-8")
    sets = {"toy": {"evaluator": "toy", "data": "gold.jsonl",
                    "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
                    "floors": floors}}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"sets": sets}), encoding="utf-8")
    return load_baseline(baseline)[0]


def test_a_figure_below_its_floor_fails_and_one_at_it_passes(tmp_path: Path) -> None:
    gate = _gate(tmp_path, {"system.f1": 0.75, "accuracy": 0.8})
    evaluators = {"toy": lambda _path: {"accuracy": 0.8, "system": {"f1": 0.7499}}}
    outcome = measure(gate, evaluators)
    assert outcome.problems == ("toy system.f1 = 0.7499 is below its floor 0.7500",)
    assert "**below floor**" in render([outcome], [])
    assert shortfalls(gate, {"system.f1": 0.75, "accuracy": 0.8}) == []


def test_changed_data_fails_until_re_measured(tmp_path: Path) -> None:
    gate = _gate(tmp_path, {"accuracy": 0.5})
    gate.data.write_text('{"x": 2}\n', encoding="utf-8")
    outcome = measure(gate, {"toy": lambda _path: {"accuracy": 1.0}})
    assert len(outcome.problems) == 1 and "changed" in outcome.problems[0]


def test_a_bad_baseline_names_the_file_and_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text('{"sets": {"toy": {"evaluator": "toy", "data": "x", "floors": {"a": 0.5}}}}',
                   encoding="utf-8")
    with pytest.raises(QualityError, match=r"baseline\.json: set 'toy': a set with floors needs"):
        load_baseline(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(QualityError, match=r"baseline\.json: cannot read"):
        load_baseline(bad)


# --- strict actor match (PLOVER actor / recipient figures) -------------------------------------


def test_actor_match_is_strict() -> None:
    assert not actor_match("Afghan protesters", "Pakistani protesters", "PAK")
    assert not actor_match("Afghan protesters", "protesters", None)  # a shared word is not enough
    assert actor_match("Pakistan", "Pakistan", None)  # the same normalized actor
    assert actor_match("Inter-Services Intelligence", None, "PAK")  # its dictionary code
    assert actor_match("NATO", None, "IGO")  # an international organisation
    assert not actor_match("Russia", "Brazil", "BRA")
    assert not actor_match(None, "Brazil", "BRA")
    assert actor_match(None, None, None)


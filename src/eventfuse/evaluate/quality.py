"""Quality gates with absolute floors, one set of them per development data set (trafilatura-style).

``quality-baseline.json`` (at the repository root) names, per set, the evaluator, the data file
(relative to the baseline file), the data's sha256, and a floor for each gated figure. A figure
below its floor fails ``make test`` (``tests/test_quality.py``); ``make quality`` recomputes every
figure and prints the table for ``docs/quality.md``. Floors are absolute numbers, raised only by an
explicit commit; a changed data file fails the gate until its figures are re-measured and its hash
and floors committed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventfuse.errors import EventfuseError

BASELINE_FILE = "quality-baseline.json"

Evaluator = Callable[[Path], Mapping[str, Any]]


class QualityError(EventfuseError):
    """The baseline file is unreadable or names something unknown."""


def _plover(path: Path) -> Mapping[str, Any]:
    from eventfuse.evaluate.plover import evaluate_plover  # spaCy: only when measured

    # Five folds: the shipped typing head is fitted on these sentences, so only its
    # cross-validated figure (``classifier.*``) says how it does on sentences it did not see.
    return evaluate_plover(path, folds=5)


def _ecbplus(path: Path) -> Mapping[str, Any]:
    from eventfuse.evaluate.ecbplus import DEV_TOPICS, evaluate_ecbplus

    return evaluate_ecbplus(path, topics=DEV_TOPICS)


def _incidents(path: Path) -> Mapping[str, Any]:
    from eventfuse.evaluate.incidents import evaluate_incidents
    from eventfuse.settings import Options

    return evaluate_incidents(path, Options(db=":memory:"))


def _geoparse(path: Path) -> Mapping[str, Any]:
    from eventfuse.evaluate.geoparse import evaluate_geoparse

    return evaluate_geoparse(path)


# Evaluator name (the "evaluator" of a set in the baseline) -> function(data path) -> report.
# Sets whose evaluator is not registered yet are listed as "not measured yet", never failed:
# register "incidents" (gva-dev, `eventfuse eval incidents`) and "geoparse" (GeoWebNews,
# `eventfuse eval geoparse`) here when they land, then give their sets floors in the baseline.
EVALUATORS: dict[str, Evaluator] = {
    "plover": _plover,
    "ecbplus": _ecbplus,
    "incidents": _incidents,
    "geoparse": _geoparse,
}


@dataclass(frozen=True, slots=True)
class Gate:
    """One development set: where its data is, the data's hash, and the floor of each figure
    (a dotted path into the evaluator's report, e.g. ``system.conll_f1``)."""

    name: str
    evaluator: str
    data: Path
    sha256: str | None
    floors: Mapping[str, float]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    gate: Gate
    figures: Mapping[str, float]
    problems: tuple[str, ...]


def load_baseline(path: Path) -> list[Gate]:
    """The gates of a baseline file; data paths are relative to the file's folder."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise QualityError(f"{path}: cannot read the quality baseline: {exc}") from exc
    sets = raw.get("sets") if isinstance(raw, dict) else None
    if not isinstance(sets, dict):
        raise QualityError(f'{path}: expected an object with "sets"')
    return [_gate(path, name, entry) for name, entry in sets.items()]


def _gate(path: Path, name: str, entry: Any) -> Gate:
    where = f"{path}: set {name!r}"
    if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
        raise QualityError(f'{where}: needs "evaluator", "data" and "floors"')
    floors = entry.get("floors", {})
    if not isinstance(floors, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in floors.values()
    ):
        raise QualityError(f'{where}: "floors" must map figure names to numbers')
    if floors and not entry.get("sha256"):
        raise QualityError(f"{where}: a set with floors needs the sha256 of its data")
    return Gate(name, str(entry.get("evaluator", "")), path.parent / entry["data"],
                entry.get("sha256") or None, {k: float(v) for k, v in floors.items()},
                str(entry.get("note", "")))


def data_sha256(path: Path) -> str:
    """sha256 of a file; of a folder, of every file's relative path and sha256, sorted."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        line = f"{file.relative_to(path).as_posix()}\t{data_sha256(file)}\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def figure(report: Mapping[str, Any], metric: str) -> float:
    """The number at ``metric`` (a dotted path) in an evaluator's report."""
    value: Any = report
    for part in metric.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise QualityError(f"the report has no figure {metric!r}")
        value = value[part]
    if not isinstance(value, int | float):
        raise QualityError(f"figure {metric!r} is not a number: {value!r}")
    return float(value)


def shortfalls(gate: Gate, figures: Mapping[str, float]) -> list[str]:
    """One line per gated figure below its floor."""
    return [f"{gate.name} {metric} = {figures[metric]:.4f} is below its floor {floor:.4f}"
            for metric, floor in gate.floors.items() if figures[metric] < floor]


def measure(gate: Gate, evaluators: Mapping[str, Evaluator] = EVALUATORS) -> Outcome:
    """Check the data's hash, run the set's evaluator and compare every gated figure."""
    actual = data_sha256(gate.data)
    if actual != gate.sha256:
        problem = (f"{gate.name}: {gate.data} changed (sha256 {actual}, baseline {gate.sha256}); "
                   "re-measure with `make quality` and commit its hash and floors")
        return Outcome(gate, {}, (problem,))
    report = evaluators[gate.evaluator](gate.data)
    figures = {metric: figure(report, metric) for metric in gate.floors}
    return Outcome(gate, figures, tuple(shortfalls(gate, figures)))


def render(outcomes: Sequence[Outcome], pending: Sequence[Gate]) -> str:
    """The Markdown table for docs/quality.md: set, figure, measured, floor, verdict."""
    lines = ["| set | figure | measured | floor | |", "|---|---|---|---|---|"]
    for outcome in outcomes:
        for metric, floor in outcome.gate.floors.items():
            if metric in outcome.figures:
                value = outcome.figures[metric]
                verdict = "ok" if value >= floor else "**below floor**"
                lines.append(f"| {outcome.gate.name} | {metric} | {value:.4f} | {floor:.4f} | "
                             f"{verdict} |")
        lines += [f"| {outcome.gate.name} | | | | {problem} |" for problem in outcome.problems
                  if not outcome.figures]
    lines += [f"| {gate.name} | | | | not measured yet ({gate.note or gate.evaluator}) |"
              for gate in pending]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute every gated development-set figure.")
    parser.add_argument("--baseline", type=Path, default=Path(BASELINE_FILE))
    args = parser.parse_args(argv)
    gates = load_baseline(args.baseline)
    ready = [g for g in gates if g.floors and g.evaluator in EVALUATORS]
    pending = [g for g in gates if g not in ready]
    missing = [g for g in ready if not g.data.exists()]
    if missing:
        print("\n".join(f"{g.name}: {g.data} is missing" for g in missing), file=sys.stderr)
        return 2
    outcomes = [measure(gate) for gate in ready]
    print(render(outcomes, pending))
    return 1 if any(o.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

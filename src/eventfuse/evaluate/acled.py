"""ACLED-style one-sentence descriptions: is the ACLED sub-event type right?

Each record is one sentence with its gold ``event_type`` and ``sub_event_type``. The prediction
is the sub-type of the sentence's main happening (the main event among those the crosswalk
could type; none when no event has one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventfuse.evaluate.gold import EvaluationError, read_json_lines
from eventfuse.extract.embedding import get_embedder
from eventfuse.extract.events import detect_events, main_event
from eventfuse.extract.typing import evidence_subtype, get_subtype_prototypes, type_candidates
from eventfuse.nlp import parse


@dataclass(frozen=True, slots=True)
class AcledRecord:
    id: str
    text: str
    event_type: str
    sub_event_type: str


def read_descriptions(path: Path) -> list[AcledRecord]:
    """JSON Lines with ``text``, ``event_type``, ``sub_event_type`` (and an optional ``id``)."""
    records = []
    for number, raw in read_json_lines(path):
        missing = [k for k in ("text", "event_type", "sub_event_type") if k not in raw]
        if missing:
            raise EvaluationError(f"[V002] {path}:{number}: no {', '.join(missing)}")
        records.append(
            AcledRecord(
                id=str(raw.get("id", number)),
                text=str(raw["text"]),
                event_type=str(raw["event_type"]),
                sub_event_type=str(raw["sub_event_type"]),
            )
        )
    return records


def predict_sub_types(
    texts: Sequence[str], classifier: bool = True, triggerless: bool = True
) -> list[str | None]:
    """The ACLED sub-event type of each sentence's main typed happening, or None.

    With ``classifier``, the lexicon's candidates are retyped as extraction does
    (``type_candidates``); with ``triggerless`` too, a sentence where the lexicon found no
    happening at all gets the sub-type of the crosswalk's category-free evidence rules, else the
    nearest sub-type description (every description here reports an
    event; extraction does not create events without a trigger, so this measures the
    fallback only)."""
    result: list[str | None] = []
    untyped: list[int] = []
    for n, doc in enumerate(parse(texts, batch_size=64)):
        candidates = detect_events(doc, include_unreal=True)
        if classifier:
            candidates = type_candidates(candidates)
        chosen = main_event([c for c in candidates if c.acled_sub_event_type])
        result.append(chosen.acled_sub_event_type if chosen else None)
        if chosen is None and classifier and triggerless:
            evidence = next(filter(None, (evidence_subtype(s) for s in doc.sents)), None)
            result[-1] = evidence[1] if evidence else None
        if result[-1] is None:
            untyped.append(n)
    if classifier and triggerless and untyped:
        vectors = get_embedder().embed([texts[i] for i in untyped])
        nearest = get_subtype_prototypes().nearest(vectors, [None] * len(untyped))
        for i, (_, sub_type, _) in zip(untyped, nearest, strict=True):
            result[i] = sub_type
    return result


def score_sub_types(
    records: Sequence[AcledRecord], predicted: Sequence[str | None]
) -> dict[str, Any]:
    pairs = list(zip(records, predicted, strict=True))
    per_type: dict[str, float] = {}
    for sub in sorted({r.sub_event_type for r in records}):
        mine = [p == sub for r, p in pairs if r.sub_event_type == sub]
        per_type[sub] = round(sum(mine) / len(mine), 4)
    wrong = Counter(f"{r.sub_event_type}->{p}" for r, p in pairs if r.sub_event_type != p)
    correct = sum(r.sub_event_type == p for r, p in pairs)
    return {
        "records": len(pairs),
        "sub_event_type_accuracy": round(correct / len(pairs), 4) if pairs else 0.0,
        "coverage": round(sum(p is not None for _, p in pairs) / len(pairs), 4) if pairs else 0.0,
        "per_sub_type_accuracy": per_type,
        "confusions": dict(wrong.most_common(20)),
    }


def evaluate_acled(path: Path) -> dict[str, Any]:
    """Sub-type accuracy of typing as a whole (crosswalk rules, the typing head, and the nearest
    description for sentences without a trigger), beside the rules alone and beside what an
    extraction run gives (no trigger, no event)."""
    records = read_descriptions(path)
    texts = [r.text for r in records]
    keep = ("sub_event_type_accuracy", "coverage")
    rules_only = score_sub_types(records, predict_sub_types(texts, classifier=False))
    extraction = score_sub_types(records, predict_sub_types(texts, triggerless=False))
    return {
        "dataset": str(path),
        **score_sub_types(records, predict_sub_types(texts)),
        "as_extracted": {k: extraction[k] for k in keep},
        "rules_only": {k: rules_only[k] for k in keep},
    }

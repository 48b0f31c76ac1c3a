"""PLOVER gold-standard records: event category accuracy, macro F1, strict actor/recipient match.

Each record is one sentence with its gold ``event`` (older names mapped: DEMAND->REQUEST,
DISAPPROVE->ACCUSE, INVESTIGATE->ACCUSE/investigate, FIGHT->ASSAULT), ``mode``, ``source`` and
``target`` actors. The prediction is the sentence's main event, intents and hypotheticals included
(the gold codes "threatened to impose sanctions" as THREATEN, not as nothing).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from eventfuse.evaluate.gold import EvaluationError, GoldRecord, read_gold, read_json_lines
from eventfuse.extract.actors import build_actor_context, find_actors, normalize_actor
from eventfuse.extract.events import detect_events, main_event
from eventfuse.extract.firstpass import parse_texts


@dataclass(frozen=True, slots=True)
class Prediction:
    id: str
    event: str | None
    mode: str | None
    actor: str | None
    recipient: str | None


def predict(
    records: Sequence[GoldRecord], batch_size: int = 64, first_pass: bool = False
) -> list[Prediction]:
    """The main event (and its actor and recipient) of each record's sentence (``first_pass``:
    parsed by the cheap first pass, extract/firstpass.py)."""
    docs = parse_texts((r.text for r in records), batch_size=batch_size, first_pass=first_pass)
    return [_predict_one(record, doc) for record, doc in zip(records, docs, strict=True)]


def _predict_one(record: GoldRecord, doc: Doc) -> Prediction:
    chosen = main_event(detect_events(doc, include_unreal=True))
    if chosen is None:
        return Prediction(record.id, None, None, None, None)
    context = build_actor_context(doc, record.id)
    actors = find_actors(chosen.sentence, chosen.trigger, context)
    actor = next((a.name for a in actors if a.role == "actor"), None)
    recipient = next((a.name for a in actors if a.role == "recipient"), None)
    return Prediction(record.id, chosen.type, chosen.mode, actor, recipient)


def score(records: Sequence[GoldRecord], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Category accuracy, macro F1 over gold categories, per-category F1, actor/recipient match."""
    pairs = list(zip(records, predictions, strict=True))
    correct = sum(g.event == p.event for g, p in pairs)
    per_category = _per_category_f1(pairs)
    with_source = [(g, p) for g, p in pairs if g.sources]
    with_target = [(g, p) for g, p in pairs if g.targets]
    return {
        "records": len(pairs),
        "category_accuracy": _ratio(correct, len(pairs)),
        "macro_f1": _ratio(sum(per_category.values()), len(per_category), digits=4),
        "coverage": _ratio(sum(p.event is not None for _, p in pairs), len(pairs)),
        "actor_match": _ratio(
            sum(_matches(p.actor, g.sources) for g, p in with_source), len(with_source)
        ),
        "recipient_match": _ratio(
            sum(_matches(p.recipient, g.targets) for g, p in with_target), len(with_target)
        ),
        "per_category_f1": dict(sorted(per_category.items())),
        "confusions": _confusions(pairs),
    }


def evaluate_plover(
    path: Path,
    predictions_out: Path | None = None,
    folds: int | None = None,
    train_data: Path | None = None,
    first_pass: bool = False,
) -> dict[str, Any]:
    """Score event typing and actors on a PLOVER gold file; optionally write the predictions
    (one JSON line per record: id, event, mode, actor, recipient).

    The top-level figures are the lexicon's. ``folds`` (or a gold file the shipped typing head
    was trained on, which is then scored with 5 folds) adds the classifier's figures
    cross-validated: each fold's head is trained on the training data (``train_data``, default
    ../shared/data from the working directory) plus the other folds. Otherwise the shipped
    head is scored as it is."""
    records = read_gold(path)
    predictions = predict(records, first_pass=first_pass)
    if predictions_out is not None:
        with predictions_out.open("w", encoding="utf-8") as out:
            for p in predictions:
                row = {"id": p.id, "event": p.event, "mode": p.mode, "actor": p.actor}
                out.write(json.dumps({**row, "recipient": p.recipient}, ensure_ascii=False) + "\n")
    result = {"dataset": str(path), **score(records, predictions)}
    result["classifier"] = _classifier_scores(path, records, predictions, folds, train_data)
    return result


def _classifier_scores(
    path: Path,
    records: Sequence[GoldRecord],
    lexicon: Sequence[Prediction],
    folds: int | None,
    train_data: Path | None,
) -> dict[str, Any]:
    from eventfuse.extract.typing import get_typing_model
    from eventfuse.train import typing as train

    model = get_typing_model()
    trained_on_it = train.file_hash(path) in model.meta.get("data_sha256", {}).values()
    if folds is None and trained_on_it:
        folds = 5
    dev = train.featurize([train.Example(r.text, r.event, "dev") for r in records])
    if folds is None:
        typed = [p.category for p in model.predict_embedded(dev.embeddings, dev.evidence)]
        how = "the shipped head (not trained on this file)"
    else:
        if folds < 2 or folds > len(records):
            raise EvaluationError(f"[V003] --folds must be between 2 and {len(records)}: {folds}")
        data = train_data or Path("../shared/data")
        try:
            settings = train.Settings()
            base = train.base_featurized(data, Path(".cache/typing"), settings.use_prior)
        except OSError as exc:
            raise EvaluationError(
                f"[V004] cross-validation needs the training data: {exc}"
            ) from exc
        written = train.featurize(train.written_examples()) if settings.written else None
        typed = list(train.cross_validate(base, dev, folds, settings, written))
        how = f"{folds}-fold cross-validation (each fold's head trained without it)"
    with_type = [replace(p, event=t) for p, t in zip(lexicon, typed, strict=True)]
    scores = score(records, with_type)
    keep = ("category_accuracy", "macro_f1", "coverage", "per_category_f1", "confusions")
    return {"evaluation": how, **{k: scores[k] for k in keep}}


def _matches(predicted: str | None, gold: Sequence[tuple[str | None, str | None]]) -> bool:
    return any(actor_match(predicted, text, code) for text, code in gold)


def actor_match(predicted: str | None, gold_text: str | None, gold_code: str | None) -> bool:
    """Strict actor match: the predicted actor normalizes to the gold actor's canonical name, or
    its dictionary code (ISO alpha-3 country; IGO for an international organisation) is the
    gold code. Sharing a word is not enough: "Afghan protesters" is not "Pakistani protesters"."""
    if predicted is None:
        return gold_text is None and gold_code is None
    actor = normalize_actor(predicted)
    if gold_text and actor.canonical.casefold() == normalize_actor(gold_text).canonical.casefold():
        return True
    return bool(gold_code) and actor_code(actor.country, actor.type) == (gold_code or "").upper()


def actor_code(country: str | None, actor_type: str | None) -> str | None:
    """The PLOVER-style code of a normalized actor: its country, else IGO for an international
    organisation, else none."""
    if country:
        return country.upper()
    return "IGO" if actor_type == "igo" else None


def _per_category_f1(pairs: Sequence[tuple[GoldRecord, Prediction]]) -> dict[str, float]:
    result = {}
    for category in sorted({g.event for g, _ in pairs}):
        tp = sum(g.event == category and p.event == category for g, p in pairs)
        fp = sum(g.event != category and p.event == category for g, p in pairs)
        fn = sum(g.event == category and p.event != category for g, p in pairs)
        result[category] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    return result


def _confusions(pairs: Sequence[tuple[GoldRecord, Prediction]]) -> dict[str, int]:
    counts = Counter(f"{g.event}->{p.event}" for g, p in pairs if g.event != p.event)
    return dict(counts.most_common(15))


def _ratio(part: float, whole: int, digits: int = 4) -> float:
    return round(part / whole, digits) if whole else 0.0


__all__ = ["EvaluationError", "GoldRecord", "Prediction", "evaluate_plover", "read_gold",
           "read_json_lines"]

"""A PLOVER *mode* classifier beside the lexicon's modes (issue 14, s7type).

    python bench/typing_mode.py [--data ../shared/data] [--cache .cache/typing]

Mode accuracy on PLOVER dev, counted over the sentences whose category the lexicon gets right
(a mode is only meaningful under the right category). The gold records use PLOVER 0.5's mode
names; they are compared under the current codebook's names (OLD_MODES: demo-org -> demo, ...).
The classifier: multinomial logistic regression over (category, mode) pairs from the sentence's
MiniLM vector and its main trigger's in-context vector, trained on openly licensed data only
(the NGEC synthetic leads with their mode, the codebook's mode definitions) plus, in the
"+ dev folds" rows, the training folds' dev sentences (5-fold CV, grouped folds, seed 14);
at prediction time it chooses among the modes of the category given. Nothing here is shipped
unless docs/typing.md says so.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eventfuse.extract.events import normalize_category
from eventfuse.extract.typing import softmax
from eventfuse.train import typing as train
from typing_override import Rows, concat, featurize, fit

# PLOVER 0.5 mode names of the gold records -> the codebook's current names.
OLD_MODES = {
    "demo-org": "demo",
    "demo-spon": "demo",
    "riot-spon": "riot",
    "strike-gen": "strike",
    "strike-hun": "hunger",
    "primative": "primitive",
    "sieze": "seize",
}


def norm_mode(mode: str | None) -> str:
    m = (mode or "").strip().lower()
    return OLD_MODES.get(m, m)


def synthetic_modes(data: Path) -> list[str]:
    """The mode of each synthetic example, aligned with train.base_examples (NGEC leads,
    codebook definitions, CAMEO clauses: the last have no mode, '?')."""
    known = set(train.categories())
    modes: list[str] = []
    path = data / "ngec" / "gpt_synthetic_events_2023-10-19.csv.zip"
    with zipfile.ZipFile(path) as archive, archive.open(archive.namelist()[0]) as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
            label, _ = normalize_category(row["label"])
            if label in known and train.lead_sentence(row["text"] or ""):
                modes.append(norm_mode(row["mode"]))
    seen: set[tuple[str, str]] = set()
    with (data / "ngec" / "PLOVER_structured_codebook_updated.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            label, _ = normalize_category(row["event"])
            for k, text in enumerate((row.get("event_def") or "", row.get("mode_def") or "")):
                text = text.strip()
                if label in known and text and (label, text) not in seen:
                    seen.add((label, text))
                    modes.append(norm_mode(row["mode"]) if k == 1 else "")
    return modes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/typing"))
    args = parser.parse_args(argv)
    cats = train.categories()
    records = [json.loads(line) for line in (args.data / "plover-gsr-dev.jsonl").open()]
    gold_pairs = []
    for r in records:
        category, mode = normalize_category(r["event"], r.get("mode") or None)
        gold_pairs.append((category, norm_mode(mode)))
    dev = featurize(train.dev_examples(args.data / "plover-gsr-dev.jsonl"), args.cache)
    synthetic = featurize(train.base_examples(args.data), args.cache)
    modes = synthetic_modes(args.data)
    keep = [i for i, m in enumerate(modes) if m != "?"]
    if len(modes) > len(synthetic.labels):
        raise SystemExit("synthetic modes do not align with the featurized examples")
    synthetic_pairs = [(cats[synthetic.labels[i]], modes[i]) for i in keep]
    syn = synthetic.take(keep)
    pairs = sorted(set(synthetic_pairs) | set(gold_pairs))
    index = {p: i for i, p in enumerate(pairs)}

    def design(rows: Rows) -> np.ndarray:
        x = np.hstack([rows.sentence * 3.0, rows.trigger * 3.0, np.ones((len(rows.labels), 1))])
        return np.asarray(x, dtype=np.float64)

    def probabilities(
        train_rows: Rows, train_pairs: list[tuple[str, str]], test: Rows
    ) -> np.ndarray:
        labels = np.array([index[p] for p in train_pairs], dtype=np.int64)
        w = fit(design(train_rows), labels, np.ones(len(labels)), 1.0, len(pairs))
        return np.asarray(softmax(design(test) @ w))

    lexicon_modes = [ev.main_mode for ev in dev.evidence]
    lexicon_cats = [ev.main_type for ev in dev.evidence]
    right = [i for i, (c, _) in enumerate(gold_pairs) if lexicon_cats[i] == c]
    fold_sets = train.grouped_folds(list(dev.texts), 5)
    variants: dict[str, np.ndarray] = {}
    variants["synthetic only"] = probabilities(syn, synthetic_pairs, dev)
    with_dev = np.zeros((len(dev.labels), len(pairs)))
    for fold in fold_sets:
        held = set(fold)
        rest = [i for i in range(len(dev.labels)) if i not in held]
        rows = concat([syn] + [dev.take(rest)] * 10)  # dev sentences weigh 10 each
        labels = synthetic_pairs + [gold_pairs[i] for i in rest] * 10
        with_dev[fold] = probabilities(rows, labels, dev.take(fold))
    variants["synthetic + dev folds (x10)"] = with_dev

    def choose(probs: np.ndarray, i: int) -> str:
        c = lexicon_cats[i]
        options = [(probs[i, j], m) for (cc, m), j in index.items() if cc == c]
        return max(options)[1] if options else ""

    def accuracy(chosen: Sequence[str]) -> str:
        ok = sum(chosen[k] == gold_pairs[i][1] for k, i in enumerate(right))
        with_mode = [k for k, i in enumerate(right) if gold_pairs[i][1]]
        ok_mode = sum(chosen[k] == gold_pairs[right[k]][1] for k in with_mode)
        share = f"{ok}/{len(right)} ({ok / len(right):.3f})"
        return f"{share}; gold with a mode {ok_mode}/{len(with_mode)}"

    lex = [norm_mode(lexicon_modes[i]) for i in right]
    print(f"sentences with the right category: {len(right)}")
    print(f"| lexicon's mode | {accuracy(lex)} |")
    for name, probs in variants.items():
        alone = [choose(probs, i) for i in right]
        fallback = [lex[k] or alone[k] for k in range(len(right))]
        print(f"| classifier ({name}) | {accuracy(alone)} |")
        print(f"| lexicon, classifier where it has none ({name}) | {accuracy(fallback)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

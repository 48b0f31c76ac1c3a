"""A typing classifier over ALL PLOVER categories that may override the lexicon (issue 14, s7type).

    python bench/typing_override.py [--data ../shared/data] [--cache .cache/typing]

s5type (docs/typing.md) showed that 23 of the shipped head's 29 cross-validated errors on PLOVER
dev have the gold category nowhere among the lexicon's candidates, so only a classifier that can
name any category can reach 0.87. This measures such classifiers, declared before scoring:

- features: the sentence's MiniLM vector; the main trigger's in-context vector (its word pieces'
  hidden states in the sentence, ``Embedder.embed_spans``); the lexicon's evidence as *untied*
  one-hots (main category, every candidate category, the trigger's source, why it is unreal);
  a bag of the predicate's lemmas (the trigger, its head, its objects and complements), with a
  per-category weight each and a bias;
- data: the training folds' PLOVER dev sentences and the 128 written sentences (weight ``gold``)
  plus the openly licensed synthetic data (NGEC leads, codebook definitions, CAMEO clauses;
  total weight ``synthetic`` x the gold's);
- combinations with the shipped head (its own CV predictions): the classifier alone; an
  override gate (the classifier's top category replaces the head's when its probability is at
  least t and it disagrees), t fixed, and t chosen by an inner 4-fold CV on the training folds
  (nested: what choosing t is worth on unseen sentences); the classifier's cross-fitted
  log-probability as one more tied feature of the head (stacking).

Every figure is 5-fold CV with the training script's grouped folds (seed 14). Nothing here is
shipped unless docs/typing.md says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from eventfuse.extract.embedding import get_embedder
from eventfuse.extract.events import detect_events, main_event
from eventfuse.extract.typing import SOURCES, lexicon_evidence, softmax
from eventfuse.nlp import parse
from eventfuse.train import typing as train

Array = NDArray[np.float64]
UNREAL = ("negated", "intent", "possibility", "conditional", "obligation", "habitual", "future")
PREDICATE_DEPS = frozenset(["dobj", "xcomp", "ccomp", "prt", "attr", "acomp", "oprd", "pobj"])
VERSION = "2"


@dataclass(frozen=True, slots=True)
class Rows:
    """Featurized examples: dense vectors, lexicon one-hots, predicate lemmas, labels."""

    texts: tuple[str, ...]
    labels: NDArray[np.int64]
    origins: tuple[str, ...]
    sentence: NDArray[np.float32]
    trigger: NDArray[np.float32]
    lexicon: Array  # main one-hot (16) | candidates (16) | source (4) | unreal (7) | none (1)
    lemmas: tuple[tuple[str, ...], ...]
    evidence: tuple[train.LexiconEvidence, ...]

    def take(self, index: Sequence[int]) -> Rows:
        keep = list(index)
        return Rows(
            tuple(self.texts[i] for i in keep),
            self.labels[keep],
            tuple(self.origins[i] for i in keep),
            self.sentence[keep],
            self.trigger[keep],
            self.lexicon[keep],
            tuple(self.lemmas[i] for i in keep),
            tuple(self.evidence[i] for i in keep),
        )


def featurize(examples: Sequence[train.Example], cache: Path) -> Rows:
    cats = train.categories()
    key = hashlib.sha256(
        ("\x1e".join(e.text for e in examples) + VERSION).encode("utf-8")
    ).hexdigest()[:20]
    stored = cache / f"override-{key}.npz"
    labels = np.array([cats.index(e.label) for e in examples], dtype=np.int64)
    origins = tuple(e.origin for e in examples)
    texts = tuple(e.text for e in examples)
    if stored.is_file():
        with np.load(stored, allow_pickle=False) as a:
            meta = json.loads(str(a["meta"]))
            return Rows(
                texts,
                labels,
                origins,
                np.asarray(a["sentence"]),
                np.asarray(a["trigger"]),
                np.asarray(a["lexicon"]),
                tuple(tuple(x) for x in meta["lemmas"]),
                tuple(train.LexiconEvidence(*r[:3], tuple(r[3])) for r in meta["evidence"]),
            )
    spans: list[tuple[int, int]] = []
    lexicon = np.zeros((len(examples), 2 * len(cats) + len(SOURCES) + len(UNREAL) + 1))
    lemmas: list[tuple[str, ...]] = []
    evidence: list[train.LexiconEvidence] = []
    for row, doc in enumerate(parse(list(texts), batch_size=64)):
        cands = detect_events(doc, include_unreal=True)
        ev = lexicon_evidence(cands)
        evidence.append(ev)
        main = main_event(cands)
        if main is None:
            spans.append((0, len(doc.text)))
            lexicon[row, -1] = 1.0
            lemmas.append(
                ("<none>", *(f"root:{t.lemma_.lower()}" for t in doc if t.dep_ == "ROOT"))
            )
            continue
        spans.append(main.trigger_span)
        lexicon[row, cats.index(main.type)] = 1.0
        for c in cands:
            lexicon[row, len(cats) + cats.index(c.type)] = 1.0
        lexicon[row, 2 * len(cats) + SOURCES.index(main.source)] = 1.0
        if main.unreal in UNREAL:
            lexicon[row, 2 * len(cats) + len(SOURCES) + UNREAL.index(main.unreal)] = 1.0
        t = main.trigger
        words = [f"t:{t.lemma_.lower()}", f"h:{t.head.lemma_.lower()}"]
        for child in t.children:
            if child.dep_ in PREDICATE_DEPS:
                words.append(f"{child.dep_}:{child.lemma_.lower()}")
                words.extend(
                    f"o:{g.lemma_.lower()}" for g in child.children if g.dep_ in PREDICATE_DEPS
                )
        lemmas.append(tuple(words))
    sentence, trigger = get_embedder().embed_spans(list(texts), spans)
    cache.mkdir(parents=True, exist_ok=True)
    meta = {
        "lemmas": [list(x) for x in lemmas],
        "evidence": [[e.main_type, e.main_mode, e.main_source, list(e.types)] for e in evidence],
    }
    np.savez_compressed(
        stored, sentence=sentence, trigger=trigger, lexicon=lexicon, meta=np.array(json.dumps(meta))
    )
    return Rows(texts, labels, origins, sentence, trigger, lexicon, tuple(lemmas), tuple(evidence))


def concat(parts: Sequence[Rows]) -> Rows:
    return Rows(
        tuple(t for p in parts for t in p.texts),
        np.concatenate([p.labels for p in parts]),
        tuple(o for p in parts for o in p.origins),
        np.vstack([p.sentence for p in parts]),
        np.vstack([p.trigger for p in parts]),
        np.vstack([p.lexicon for p in parts]),
        tuple(x for p in parts for x in p.lemmas),
        tuple(e for p in parts for e in p.evidence),
    )


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    sentence: bool = True
    trigger: bool = True
    lexicon: bool = True
    lemmas: bool = True
    synthetic: float = 1.0  # the synthetic data's total weight, times the gold's
    written: bool = True
    l2: float = 1.0
    balanced: bool = False


def design(rows: Rows, v: Variant, vocab: dict[str, int]) -> Array:
    parts: list[Array] = []
    if v.sentence:
        parts.append(rows.sentence.astype(np.float64) * 3.0)
    if v.trigger:
        parts.append(rows.trigger.astype(np.float64) * 3.0)
    if v.lexicon:
        parts.append(rows.lexicon * 3.0)
    if v.lemmas and vocab:
        bag = np.zeros((len(rows.labels), len(vocab)))
        for i, words in enumerate(rows.lemmas):
            for w in words:
                if w in vocab:
                    bag[i, vocab[w]] = 1.0
        parts.append(bag)
    parts.append(np.ones((len(rows.labels), 1)))
    return np.hstack(parts)


def fit(x: Array, labels: NDArray[np.int64], weights: Array, l2: float, k: int) -> Array:
    """Weighted multinomial logistic regression, L2 on all rows but the last (the bias)."""
    y = np.zeros((len(labels), k))
    y[np.arange(len(labels)), labels] = 1.0
    n, d = x.shape
    weights = weights / weights.sum()
    pen = np.full((d, 1), l2 / n)
    pen[-1] = 0.0

    def loss(flat: Array) -> tuple[float, Array]:
        w = flat.reshape(d, k)
        p = softmax(x @ w)
        value = -float((weights * np.log(np.clip((p * y).sum(axis=1), 1e-12, None))).sum())
        value += 0.5 * float((pen * w * w).sum())
        grad = x.T @ ((p - y) * weights[:, None]) + pen * w
        return value, grad.ravel()

    result = minimize(loss, np.zeros(d * k), jac=True, method="L-BFGS-B", options={"maxiter": 400})
    return cast(Array, result.x.reshape(d, k))


def train_and_predict(gold: Rows, synthetic: Rows, test: Rows, v: Variant) -> Array:
    """The classifier's probabilities on ``test``, trained on ``gold`` (+ synthetic)."""
    k = len(train.categories())
    parts = [gold] + ([synthetic] if v.synthetic > 0 else [])
    data = concat(parts)
    counts: dict[str, int] = {}
    for words in data.lemmas:
        for w in set(words):
            counts[w] = counts.get(w, 0) + 1
    vocab = {w: i for i, w in enumerate(sorted(w for w, c in counts.items() if c >= 2))}
    weights = np.ones(len(gold.labels))
    if v.balanced:
        freq = np.bincount(gold.labels, minlength=k).astype(float)
        weights = 1.0 / np.maximum(freq[gold.labels], 1.0) * len(gold.labels) / k
    if v.synthetic > 0:
        syn = np.full(len(synthetic.labels), weights.sum() * v.synthetic / len(synthetic.labels))
        weights = np.concatenate([weights, syn])
    w = fit(design(data, v, vocab), data.labels, weights, v.l2 * len(data.labels) / 100.0, k)
    return softmax(design(test, v, vocab) @ w)


def head_predictions(dev: train.Featurized, fold_sets: list[list[int]]) -> list[str]:
    """The shipped head's CV predictions with these folds (train.cross_validate's)."""
    predicted = [""] * len(dev.examples)
    for fold in fold_sets:
        held = set(fold)
        model = train.fit(
            train.subset(dev, [i for i in range(len(dev.examples)) if i not in held]),
            train.Settings(),
            np.zeros((0, len(train.categories()))),
        )
        test = train.subset(dev, fold)
        for i, p in zip(fold, model.predict_embedded(test.embeddings, test.evidence), strict=True):
            predicted[i] = p.category
    return predicted


def stacked_predictions(
    dev: Rows,
    written: Rows,
    synthetic: Rows,
    head_dev: train.Featurized,
    fold_sets: list[list[int]],
    v: Variant,
) -> list[str]:
    """The shipped head with the classifier's log-probability as one more tied feature; on
    the training folds that feature is cross-fitted (inner 4-fold), so its weight is learnt
    from predictions on sentences the classifier did not see."""
    cats = train.categories()
    layout = train.Settings().layout()
    predicted = [""] * len(dev.labels)
    for fold in fold_sets:
        held = set(fold)
        rest = [i for i in range(len(dev.labels)) if i not in held]
        extra = [written] if v.written else []
        inner_log = np.zeros((len(rest), len(cats)))
        for inner in train.grouped_folds([dev.texts[i] for i in rest], 4):
            inner_held = set(inner)
            g = concat(
                [dev.take([rest[j] for j in range(len(rest)) if j not in inner_held]), *extra]
            )
            p = train_and_predict(g, synthetic, dev.take([rest[j] for j in inner]), v)
            inner_log[inner] = np.log(np.clip(p, 1e-12, None))
        p = train_and_predict(concat([dev.take(rest), *extra]), synthetic, dev.take(fold), v)
        test_log = np.log(np.clip(p, 1e-12, None))
        tr, te = train.subset(head_dev, rest), train.subset(head_dev, fold)
        tied = np.concatenate([layout.tied(tr.evidence), inner_log[None]], axis=0)
        w, a = train._logistic(
            layout.rows(tr.embeddings), tied, dev.labels[rest], len(cats), 10.0, layout.width
        )
        scores = layout.rows(te.embeddings) @ w + np.tensordot(
            a, np.concatenate([layout.tied(te.evidence), test_log[None]], axis=0), axes=1
        )
        for i, row in zip(fold, scores, strict=True):
            predicted[i] = cats[int(row.argmax())]
        print(f"    tied weights {np.round(a, 2).tolist()}", flush=True)
    return predicted


def gate(head: Sequence[str], probs: Array, threshold: float) -> list[str]:
    cats = train.categories()
    out = []
    for h, p in zip(head, probs, strict=True):
        top = int(p.argmax())
        out.append(cats[top] if p[top] >= threshold and cats[top] != h else h)
    return out


THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def score(gold: Sequence[str], predicted: Sequence[str]) -> str:
    s = train.accuracy_and_macro_f1(gold, predicted)
    return f"{s['category_accuracy']:.4f} / {s['macro_f1']:.4f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/typing"))
    parser.add_argument(
        "--quick", action="store_true", help="no nested threshold choice (else for two variants)"
    )
    parser.add_argument("--stacked", action="store_true", help="only the stacked heads")
    parser.add_argument("--only", type=int, nargs="+", help="these variants (0-based) only")
    args = parser.parse_args(argv)
    cats = train.categories()
    dev_ex = train.dev_examples(args.data / "plover-gsr-dev.jsonl")
    dev = featurize(dev_ex, args.cache)
    written = featurize(train.written_examples(), args.cache)
    synthetic = featurize(train.base_examples(args.data), args.cache)
    gold_labels = [cats[i] for i in dev.labels]
    fold_sets = train.grouped_folds(list(dev.texts), 5)
    head_dev = train.featurize(dev_ex, args.cache)
    head = head_predictions(head_dev, fold_sets)
    print(f"shipped head: {score(gold_labels, head)}")
    variants = [
        Variant("all features, synthetic 1.0, L2 1"),
        Variant("all features, synthetic 0.25", synthetic=0.25),
        Variant("all features, gold only", synthetic=0.0),
        Variant("all features, L2 10", l2=10.0),
        Variant("all features, class-balanced", balanced=True),
        Variant("no lemmas", lemmas=False),
        Variant("no trigger vector", trigger=False),
        Variant("lexicon + lemmas only (no embeddings)", sentence=False, trigger=False),
        Variant("embeddings only (no lexicon, no lemmas)", lexicon=False, lemmas=False),
    ]
    if args.only:
        variants = [variants[i] for i in args.only]
    if args.stacked:
        for v in (variants[2], variants[1]):
            stacked = stacked_predictions(dev, written, synthetic, head_dev, fold_sets, v)
            print(f"stacked ({v.name}): {score(gold_labels, stacked)}", flush=True)
        return 0
    print("| classifier | alone | " + " | ".join(f"gate p>={t}" for t in THRESHOLDS[:-1]), end="")
    print(" | nested t |")
    for v in variants:
        probs = np.zeros((len(dev.labels), len(cats)))
        nested = list(head)
        for fold in fold_sets:
            held = set(fold)
            rest = [i for i in range(len(dev.labels)) if i not in held]
            gold = concat([dev.take(rest)] + ([written] if v.written else []))
            probs[fold] = train_and_predict(gold, synthetic, dev.take(fold), v)
            if args.quick or v.synthetic > 0:  # nested only where fits are cheap
                continue
            # inner CV on the training folds: choose t by accuracy, then macro F1
            inner_probs = np.zeros((len(rest), len(cats)))
            inner_head = head_predictions(
                train.subset(head_dev, rest),
                train.grouped_folds([dev.texts[i] for i in rest], 4),
            )
            for inner in train.grouped_folds([dev.texts[i] for i in rest], 4):
                inner_held = set(inner)
                inner_rest = [rest[j] for j in range(len(rest)) if j not in inner_held]
                g = concat([dev.take(inner_rest)] + ([written] if v.written else []))
                inner_probs[inner] = train_and_predict(
                    g, synthetic, dev.take([rest[j] for j in inner]), v
                )
            inner_gold = [gold_labels[i] for i in rest]
            best = max(
                THRESHOLDS,
                key=lambda t: (
                    train.accuracy_and_macro_f1(inner_gold, gate(inner_head, inner_probs, t))[
                        "category_accuracy"
                    ],
                    train.accuracy_and_macro_f1(inner_gold, gate(inner_head, inner_probs, t))[
                        "macro_f1"
                    ],
                    t,
                ),
            )
            chosen = gate([head[i] for i in fold], probs[fold], best)
            for i, c in zip(fold, chosen, strict=True):
                nested[i] = c
            print(f"    fold threshold {best}", flush=True)
        alone = [cats[int(p.argmax())] for p in probs]
        cells = [score(gold_labels, alone)]
        cells += [score(gold_labels, gate(head, probs, t)) for t in THRESHOLDS[:-1]]
        nested_run = not args.quick and v.synthetic == 0
        cells.append(score(gold_labels, nested) if nested_run else "-")
        print(f"| {v.name} | " + " | ".join(cells) + " |", flush=True)
        wrong = [i for i, h in enumerate(head) if h != gold_labels[i]]
        fixed = sum(alone[i] == gold_labels[i] for i in wrong)
        broken = sum(alone[i] != gold_labels[i] for i, h in enumerate(head) if h == gold_labels[i])
        print(
            f"    alone: right on {fixed} of the head's {len(wrong)} errors,"
            f" wrong on {broken} of its right ones"
        )
        for t in (0.5, 0.7):
            changed = [
                i
                for i, (h, g) in enumerate(zip(head, gate(head, probs, t), strict=False))
                if h != g
            ]
            gained = sum(gate(head, probs, t)[i] == gold_labels[i] for i in changed)
            lost = sum(head[i] == gold_labels[i] for i in changed)
            print(f"    p>={t}: {len(changed)} retyped, {gained} gained, {lost} lost")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

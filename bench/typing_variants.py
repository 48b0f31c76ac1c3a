"""Variants of the typing head, measured the way docs/typing.md reports them (issue 14).

    python bench/typing_variants.py [--data ../shared/data] [--nested] [--extras-only]

Every figure is 5-fold cross-validated on the PLOVER dev sentences with the training script's
grouped folds (seed 14), beside the figure on the 128 written sentences (train/typing_sentences
.yaml) of a head fitted on all dev sentences: text the lexicon was not grown on. The variants
were declared before they were scored; ``--nested`` adds the figure of *choosing* among them by
an inner 4-fold CV among the variants without synthetic data (what a selection would be worth
on unseen sentences). Nothing here is shipped: the shipped head is the one
``python -m eventfuse.train.typing`` writes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from eventfuse.extract.embedding import get_embedder
from eventfuse.extract.events import detect_events, main_event
from eventfuse.extract.typing import softmax
from eventfuse.nlp import parse
from eventfuse.train import typing as train

Array = NDArray[np.float64]
# The trigger's own dependents that say what the happening is (its objects, particles,
# prepositional phrases, complements), not who reports it: "called on the allies to send troops"
# keeps "called on the allies to send troops", drops "the minister said".
PREDICATE_DEPS = frozenset(
    [
        "dobj",
        "prep",
        "prt",
        "attr",
        "xcomp",
        "acomp",
        "agent",
        "pobj",
        "dative",
        "oprd",
        "neg",
        "aux",
        "auxpass",
    ]
)


def trigger_views(texts: Sequence[str]) -> dict[str, list[str]]:
    """Texts around each sentence's main lexicon trigger: +-3 and +-6 token windows, the
    trigger's subtree, its predicate (the trigger with PREDICATE_DEPS subtrees). A sentence
    with no trigger keeps its whole text in every view."""
    views: dict[str, list[str]] = {"w3": [], "w6": [], "subtree": [], "predicate": []}
    for doc in parse(texts, batch_size=64):
        main = main_event(detect_events(doc, include_unreal=True))
        if main is None:
            for kept in views.values():
                kept.append(doc.text)
            continue
        trigger = main.trigger
        i = trigger.i
        views["w3"].append(doc[max(0, i - 3) : i + 4].text)
        views["w6"].append(doc[max(0, i - 6) : i + 7].text)
        views["subtree"].append(doc[trigger.left_edge.i : trigger.right_edge.i + 1].text)
        keep = {i}
        for child in trigger.children:
            if child.dep_ in PREDICATE_DEPS:
                keep.update(t.i for t in child.subtree)
        views["predicate"].append(" ".join(doc[k].text for k in sorted(keep)))
    return views


def fit_weighted(
    x: Array, tied: Array, labels: NDArray[np.int64], weights: Array, l2: float, k: int
) -> tuple[Array, Array]:
    """The training script's head (tied lexicon weights + L2-penalised embedding weights)
    with a weight per example (class balance, domain weights)."""
    n, d = x.shape
    y = np.eye(k)[labels]
    share = weights / weights.sum()
    penalty = l2 / n
    size = d * k

    def loss(flat: Array) -> tuple[float, Array]:
        w, a = flat[:size].reshape(d, k), flat[size:]
        probs = softmax(x @ w + np.tensordot(a, tied, axes=1))
        value = -float((share * np.log(np.clip((probs * y).sum(axis=1), 1e-12, None))).sum())
        value += 0.5 * penalty * float((w * w).sum())
        residual = (probs - y) * share[:, None]
        grad_w = x.T @ residual + penalty * w
        grad_a = np.tensordot(tied, residual, axes=([1, 2], [0, 1]))
        return value, np.concatenate([grad_w.ravel(), grad_a])

    start = np.zeros(size + tied.shape[0])
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 300})
    return result.x[:size].reshape(d, k), result.x[size:]


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    views: tuple[str, ...] = ("sentence",)  # which embeddings, concatenated
    l2: float = 10.0
    balance: bool = False  # each gold class weighs the same in the loss
    synthetic: float = 0.0  # NGEC + codebook + CAMEO examples' total weight, x the gold's


@dataclass(frozen=True, slots=True)
class Data:
    labels: NDArray[np.int64]
    tied: Array
    embeddings: dict[str, Array]


VARIANTS = (
    Variant("lexicon tied weights only", views=()),
    Variant("shipped head (sentence embedding)"),
    Variant("trigger window +-3", views=("w3",)),
    Variant("sentence + trigger window +-3", views=("sentence", "w3")),
    Variant("trigger window +-6", views=("w6",)),
    Variant("sentence + trigger window +-6", views=("sentence", "w6")),
    Variant("trigger subtree", views=("subtree",)),
    Variant("sentence + trigger subtree", views=("sentence", "subtree")),
    Variant("trigger predicate", views=("predicate",)),
    Variant("sentence + trigger predicate", views=("sentence", "predicate")),
    Variant("class-balanced loss", balance=True),
    Variant("class-balanced loss, L2 1", balance=True, l2=1.0),
    Variant("+ synthetic data in the loss (0.25 of gold)", synthetic=0.25),
    Variant("+ synthetic data in the loss (1.0 of gold)", synthetic=1.0),
    Variant("+ synthetic (1.0), class-balanced", synthetic=1.0, balance=True),
    Variant("+ synthetic (1.0), L2 1", synthetic=1.0, l2=1.0),
)


def _x(data: Data, rows: Sequence[int] | slice, variant: Variant, scale: float) -> Array:
    parts = [data.embeddings[v][rows] * scale for v in variant.views]
    return np.hstack(parts) if parts else np.zeros((len(data.labels[rows]), 0))


def fit_variant(
    variant: Variant, gold: Data, rows: Sequence[int], synthetic: Data, k: int, scale: float
) -> Callable[[Data, Sequence[int] | slice], NDArray[np.int64]]:
    """The head fitted on ``gold`` rows (plus the synthetic data, embedding terms only: its
    lexicon features are zero so the lexicon's trust is learnt from gold alone)."""
    x, tied, labels = _x(gold, rows, variant, scale), gold.tied[:, rows], gold.labels[rows]
    weights = np.ones(len(rows))
    if variant.balance:
        counts = np.bincount(labels, minlength=k).astype(float)
        weights = len(rows) * (1 / counts[labels]) / (1 / counts[labels]).sum()
    if variant.synthetic > 0 and variant.views:
        n = len(synthetic.labels)
        syn_x = np.hstack([synthetic.embeddings["sentence"] * scale] * len(variant.views))
        x = np.vstack([x, syn_x])
        tied = np.concatenate([tied, np.zeros((tied.shape[0], n, k))], axis=1)
        labels = np.concatenate([labels, synthetic.labels])
        weights = np.concatenate([weights, np.full(n, variant.synthetic * len(rows) / n)])
    w, a = fit_weighted(x, tied, labels, weights, variant.l2, k)

    def predict(data: Data, test: Sequence[int] | slice) -> NDArray[np.int64]:
        scores = _x(data, test, variant, scale) @ w + np.tensordot(a, data.tied[:, test], axes=1)
        return np.asarray(scores.argmax(axis=1), dtype=np.int64)

    return predict


def cross_validated(
    variant: Variant,
    gold: Data,
    folds: list[list[int]],
    synthetic: Data,
    k: int,
    scale: float,
) -> NDArray[np.int64]:
    predicted = np.zeros(len(gold.labels), dtype=np.int64)
    everything = set(i for fold in folds for i in fold)
    for fold in folds:
        rows = sorted(everything - set(fold))
        predicted[fold] = fit_variant(variant, gold, rows, synthetic, k, scale)(gold, fold)
    return predicted


def knn_votes(
    queries: Array, pool: Array, pool_labels: NDArray[np.int64], k: int, n: int, own: bool
) -> Array:
    """(1, queries, categories): the share of each category among a query's ``n`` nearest pool
    sentences (cosine); ``own``: query i is pool row i and is not its own neighbour."""
    sims = queries @ pool.T
    if own:
        np.fill_diagonal(sims, -np.inf)
    votes = np.zeros((1, len(queries), k))
    for row, order in enumerate(np.argsort(-sims, axis=1)[:, :n]):
        np.add.at(votes[0, row], pool_labels[order], 1.0 / n)
    return votes


def knn_vote_cv(
    dev: Data, written: Data, folds: list[list[int]], k: int, scale: float, n: int = 7
) -> NDArray[np.int64]:
    """The shipped head plus one tied feature: the vote of the 7 nearest training sentences
    (the training folds' dev sentences and the written ones), leave-one-out for training rows."""
    predicted = np.zeros(len(dev.labels), dtype=np.int64)
    sentence = dev.embeddings["sentence"]
    for fold in folds:
        rows = sorted(set(range(len(dev.labels))) - set(fold))
        pool = np.vstack([sentence[rows], written.embeddings["sentence"]])
        pool_labels = np.concatenate([dev.labels[rows], written.labels])
        train_votes = knn_votes(sentence[rows], pool, pool_labels, k, n, own=True)
        tied = np.concatenate([dev.tied[:, rows], train_votes])
        w, a = fit_weighted(
            sentence[rows] * scale, tied, dev.labels[rows], np.ones(len(rows)), 10.0, k
        )
        test_tied = np.concatenate(
            [dev.tied[:, fold], knn_votes(sentence[fold], pool, pool_labels, k, n, own=False)]
        )
        scores = sentence[fold] * scale @ w + np.tensordot(a, test_tied, axes=1)
        predicted[fold] = scores.argmax(axis=1)
    return predicted


def override_gate(
    dev: Data,
    written: Data,
    synthetic: Data,
    folds: list[list[int]],
    lexicon: Sequence[int | None],
    k: int,
    scale: float,
) -> list[str]:
    """Could an embedding classifier overrule the lexicon where it is confident? An
    embedding-only classifier (with a bias) of the training folds' dev sentences and the
    written sentences (weight 10 each) plus the synthetic data (weight 1), L2 1e-3 on the mean
    loss (bias included); for each probability threshold: how many held-out sentences it would
    retype, and on how many of them it, or the lexicon, has the gold category."""
    probs = np.zeros((len(dev.labels), k))
    for fold in folds:
        rows = sorted(set(range(len(dev.labels))) - set(fold))
        parts = [dev.embeddings["sentence"][rows], written.embeddings["sentence"]]
        parts.append(synthetic.embeddings["sentence"])
        x = np.vstack(parts) * scale
        x = np.hstack([x, np.ones((len(x), 1))])
        labels = np.concatenate([dev.labels[rows], written.labels, synthetic.labels])
        weights = np.concatenate(
            [np.full(len(rows) + len(written.labels), 10.0), np.ones(len(synthetic.labels))]
        )
        w, _ = fit_weighted(x, np.zeros((0, len(x), k)), labels, weights, 1e-3 * len(x), k)
        test = np.hstack([dev.embeddings["sentence"][fold] * scale, np.ones((len(fold), 1))])
        probs[fold] = softmax(test @ w)
    top, confidence = probs.argmax(axis=1), probs.max(axis=1)
    lines = []
    for threshold in (0.3, 0.5, 0.7, 0.9):
        chosen = [
            i
            for i, lex in enumerate(lexicon)
            if lex is not None and confidence[i] >= threshold and top[i] != lex
        ]
        right = sum(int(top[i] == dev.labels[i]) for i in chosen)
        kept = sum(int(lexicon[i] == dev.labels[i]) for i in chosen)
        lines.append(f"| p >= {threshold} | {len(chosen)} | {right} | {kept} |")
    accuracy = float((top == dev.labels).mean())
    return [f"embedding-only classifier, 5-fold CV accuracy {accuracy:.3f}", *lines]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path(".cache/typing"))
    parser.add_argument("--nested", action="store_true")
    parser.add_argument(
        "--extras-only", action="store_true", help="only the neighbour vote and the override gate"
    )
    args = parser.parse_args(argv)
    cats = train.categories()
    k = len(cats)
    settings = train.Settings()
    layout = settings.layout()

    def load(examples: list[train.Example], views: bool) -> Data:
        featurized = train.featurize(examples, args.cache)
        embeddings = {"sentence": featurized.embeddings.astype(np.float64)}
        if views:
            for name, texts in trigger_views([e.text for e in examples]).items():
                embeddings[name] = get_embedder().embed(texts).astype(np.float64)
        labels = np.array([cats.index(e.label) for e in examples], dtype=np.int64)
        return Data(labels, layout.tied(featurized.evidence), embeddings)

    dev_examples = train.dev_examples(args.data / "plover-gsr-dev.jsonl")
    dev = load(dev_examples, True)
    written = load(train.written_examples(), True)
    synthetic = load(train.base_examples(args.data), False)
    folds = train.grouped_folds([e.text for e in dev_examples], 5)
    names = [cats[i] for i in dev.labels]
    written_names = [cats[i] for i in written.labels]
    scale = settings.embedding_scale

    def score(gold: Sequence[str], predicted: NDArray[np.int64]) -> str:
        s = train.accuracy_and_macro_f1(gold, [cats[i] for i in predicted])
        return f"{s['category_accuracy']:.4f} / {s['macro_f1']:.4f}"

    print("| variant | dev 5-fold CV acc / macro F1 | written (head fitted on dev) |")
    print("|---|---|---|")
    for variant in () if args.extras_only else VARIANTS:
        cv = cross_validated(variant, dev, folds, synthetic, k, scale)
        fitted = fit_variant(variant, dev, list(range(len(names))), synthetic, k, scale)
        unseen = fitted(written, slice(None))
        print(
            f"| {variant.name} | {score(names, cv)} | {score(written_names, unseen)} |", flush=True
        )
    knn = knn_vote_cv(dev, written, folds, k, scale)
    print(f"| shipped head + 7-nearest-neighbour vote (tied) | {score(names, knn)} | |")
    featurized = train.featurize(dev_examples, args.cache)
    lexicon = [cats.index(ev.main_type) if ev.main_type else None for ev in featurized.evidence]
    print("| override when p >= | retyped | classifier right | lexicon right |")
    print("\n".join(override_gate(dev, written, synthetic, folds, lexicon, k, scale)))
    if args.nested:
        chosen = np.zeros(len(names), dtype=np.int64)
        picks = []
        for fold in folds:
            rows = sorted(set(range(len(names))) - set(fold))
            inner_texts = [dev_examples[i].text for i in rows]
            inner = [[rows[j] for j in part] for part in train.grouped_folds(inner_texts, 4)]
            best, best_key = VARIANTS[0], (-1.0, -1.0)
            # Gold-only variants: the synthetic ones take ~30 CPU-s a fit (20 fits per outer fold).
            for variant in (v for v in VARIANTS if v.synthetic == 0):
                predicted = cross_validated(variant, dev, inner, synthetic, k, scale)
                s = train.accuracy_and_macro_f1(
                    [names[i] for i in rows], [cats[predicted[i]] for i in rows]
                )
                key = (s["category_accuracy"], s["macro_f1"])
                if key > best_key:
                    best, best_key = variant, key
            picks.append(best.name)
            chosen[fold] = fit_variant(best, dev, rows, synthetic, k, scale)(dev, fold)
        print(f"| nested CV: variant chosen by inner 4-fold CV | {score(names, chosen)} | |")
        print("picked per outer fold:", picks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

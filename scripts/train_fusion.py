"""Train the pairwise coreference scorer of the ``ecbplus`` profile on ECB+ train topics only.

Usage: python scripts/train_fusion.py ../shared/data/ecbplus [--out fusion_weights.json]
(default --out: src/eventfuse/data/fusion_weights.json)

Logistic regression (L2, fitted with scipy's L-BFGS) on every candidate pair of the product's
own story blocks, the clustering threshold picked by CoNLL F1 on the same training topics; then
5-fold cross-validation over the train topics (fit and threshold on four folds, score the fifth)
is printed. Dev topics are never read. Offline, about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from eventfuse.evaluate import ecbplus as E
from eventfuse.evaluate.metrics import conll_f1
from eventfuse.fuse.blocking import candidate_pairs
from eventfuse.fuse.config import FusionConfig, load_config
from eventfuse.fuse.learned import FEATURES, PairModel, feature_vector, model_to_dict
from eventfuse.fuse.match import PairScore, _veto, feature_values

OUT = Path(__file__).resolve().parents[1] / "src" / "eventfuse" / "data" / "fusion_weights.json"
THRESHOLDS = tuple(round(0.30 + 0.05 * k, 2) for k in range(14))  # 0.30 .. 0.95
L2 = 1.0
FOLDS = 5


@dataclasses.dataclass(frozen=True, slots=True)
class Topic:
    corpus: E.Corpus
    features: list  # MentionFeatures of the topic, with the product's stories
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    pairs: tuple[tuple[int, int], ...]  # candidate pairs the rows of x describe
    vetoed: tuple[tuple[int, int], ...]  # candidate pairs the cannot-link rules forbid


def base_config() -> FusionConfig:
    return dataclasses.replace(load_config(E.PROFILE), model=None)


def topic_data(corpus: E.Corpus, config: FusionConfig) -> Topic:
    stories = E.product_stories(corpus, config)
    features = E.corpus_features(corpus, config, stories)
    gold = {g.mention.id: g.gold for g in corpus.mentions}
    rows, labels, pairs, vetoed = [], [], [], []
    for i, j in sorted(candidate_pairs(features, E.WINDOW_DAYS)):
        a, b = features[i], features[j]
        if _veto(a, b, config, E.WINDOW_DAYS):
            vetoed.append((i, j))
            continue
        pairs.append((i, j))
        rows.append(feature_vector(feature_values(a, b, config, E.WINDOW_DAYS), a, b))
        labels.append(1.0 if gold[a.id] == gold[b.id] else 0.0)
    x = np.array(rows, dtype=float).reshape(-1, len(FEATURES))
    return Topic(corpus, features, x, np.array(labels), tuple(pairs), tuple(vetoed))


def fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression; positives weighted to balance the classes."""
    positive = max(y.sum(), 1.0)
    weight = np.where(y > 0, (len(y) - positive) / positive, 1.0)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta[:-1] + theta[-1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        eps = 1e-12
        value = -np.sum(weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        grad_z = weight * (p - y)
        grad = np.append(x.T @ grad_z, grad_z.sum())
        value += 0.5 * L2 * float(theta[:-1] @ theta[:-1])
        grad[:-1] += L2 * theta[:-1]
        return float(value) / len(y), grad / len(y)

    result = minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B")
    return result.x[:-1], float(result.x[-1])


def conll(topics: Sequence[Topic], model: PairModel) -> float:
    """CoNLL F1 over the given topics clustered together (one score, as the evaluator does)."""
    assignment: dict[str, str] = {}
    key: list[set[str]] = []
    config = dataclasses.replace(base_config(), model=model, match_threshold=model.threshold)
    weights = np.array(model.weights)
    for t in topics:
        probability = 1.0 / (1.0 + np.exp(-np.clip(t.x @ weights + model.bias, -40, 40)))
        known = {p: PairScore(float(s)) for p, s in zip(t.pairs, probability, strict=True)}
        known.update({p: PairScore(0.0, cannot_link=True) for p in t.vetoed})
        assignment.update(E.cluster_features(t.features, config, model.threshold, known))
        key.extend(E.gold_clusters(t.corpus))
    return conll_f1(key, E._clusters(assignment))


def train(topics: Sequence[Topic], config: FusionConfig, label: str) -> tuple[PairModel, float]:
    x = np.vstack([t.x for t in topics])
    y = np.concatenate([t.y for t in topics])
    weights, bias = fit(x, y)
    best = (-1.0, THRESHOLDS[0])
    for threshold in THRESHOLDS:
        model = PairModel(tuple(map(float, weights)), bias, threshold, label)
        score = conll(topics, model)
        best = max(best, (score, threshold))
    model = PairModel(tuple(map(float, weights)), bias, best[1], label)
    return model, best[0]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    started = time.monotonic()
    config = base_config()
    numbers = E.train_topics(args.directory)
    assert not set(numbers) & set(E.DEV_TOPICS)
    corpus = E.read_corpus(args.directory, numbers)
    topics = [topic_data(_subset(corpus, n), config) for n in numbers]
    pairs = sum(len(t.y) for t in topics)
    label = f"ECB+ train topics {','.join(map(str, numbers))} ({pairs} pairs)"
    folds = [topics[k::FOLDS] for k in range(FOLDS)]
    scores = []
    for k, held in enumerate(folds):
        rest = [t for j, fold in enumerate(folds) if j != k for t in fold]
        model, _ = train(rest, config, label)
        scores.append(conll(held, model))
        print(
            f"fold {k + 1}: threshold {model.threshold:.2f}, held-out CoNLL F1 {scores[-1]:.4f}",
            file=sys.stderr,
        )
    model, train_score = train(topics, config, label)
    folds_text = ", ".join(f"{s:.3f}" for s in scores)
    print(f"cross-validation CoNLL F1 {np.mean(scores):.4f} (folds {folds_text})", file=sys.stderr)
    print(
        f"all train topics: threshold {model.threshold:.2f}, CoNLL F1 {train_score:.4f}",
        file=sys.stderr,
    )
    for name, w in zip(FEATURES, model.weights, strict=True):
        print(f"  {name:16} {w:+.3f}", file=sys.stderr)
    payload = {
        "about": "Pair models of fuse/learned.py, written by scripts/train_fusion.py.",
        "models": {
            E.PROFILE: {
                **model_to_dict(model),
                "cross_validation_conll_f1": round(float(np.mean(scores)), 4),
            }
        },
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {time.monotonic() - started:.0f} s", file=sys.stderr)


def _subset(corpus: E.Corpus, topic: int) -> E.Corpus:
    prefix = f"t{topic}-"
    return E.Corpus(
        tuple(g for g in corpus.mentions if g.topic == topic),
        corpus.lemmas,
        tuple(a for a in corpus.articles if a.id.startswith(prefix)),
    )


if __name__ == "__main__":
    main()

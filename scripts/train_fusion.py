"""Train the pairwise coreference scorer of the ``ecbplus`` profile on ECB+ train topics only.

Usage: python scripts/train_fusion.py ../shared/data/ecbplus [--out fusion_weights.json]
(default --out: src/eventfuse/data/fusion_weights.json)

Logistic regression (L2, fitted with scipy's L-BFGS) on every candidate pair of the product's
own story blocks, the clustering threshold and component link margin picked by CoNLL F1 on the
same training topics; then
5-fold cross-validation over the train topics (fit and threshold on four folds, score the fifth)
is printed. One feature is itself learned: the trigger vectors' metric (fuse/metric.py, with
``--rank`` > 0), fitted for each training topic on the other inner folds' topics, so the
logistic regression weighs it on pairs it was not fitted on. With ``--coref-oof`` the
coreference encoder's cosine (feature ``coref_embedding``, an experiment: docs/quality.md,
s12enc) is read from out-of-fold vectors written by scripts/train_encoder.py (each train
mention's vector from an encoder fitted without its fold), never from an encoder fitted on these
topics; without it that column is 0 and so is its weight. Dev topics are never read.
Offline, about ten minutes on 2 shared cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import pickle
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from eventfuse.evaluate import ecbplus as E
from eventfuse.evaluate.metrics import conll_f1
from eventfuse.extract.embedding import DIMENSIONS
from eventfuse.fuse.blocking import candidate_pairs
from eventfuse.fuse.config import FusionConfig, load_config
from eventfuse.fuse.features import MentionFeatures
from eventfuse.fuse.hidden import HiddenLayer, fit_hidden
from eventfuse.fuse.learned import (
    EMBEDDING_FEATURES,
    FEATURES,
    LemmaPairs,
    PairModel,
    feature_vector,
    lemma_pair_keys,
    lemma_pair_rate,
    model_to_dict,
)
from eventfuse.fuse.match import PairScore, _veto, feature_values
from eventfuse.fuse.metric import PairMetric, fit_metric

OUT = Path(__file__).resolve().parents[1] / "src" / "eventfuse" / "data" / "fusion_weights.json"
THRESHOLDS = tuple(round(0.30 + 0.05 * k, 2) for k in range(14))  # 0.30 .. 0.95
# Component link margins (fuse/cluster.py), tried near the best threshold without one.
MARGINS = (0.05, 0.10, 0.15)
NEAR = (-0.10, 0.05)  # thresholds tried with a margin: the best one's neighbourhood
L2 = 1.0
FOLDS = 5
LEMMA_PAIR, LEMMA_PAIR_SEEN = FEATURES.index("lemma_pair"), FEATURES.index("lemma_pair_seen")
METRIC, SAME_LEMMA = FEATURES.index("trigger_metric"), FEATURES.index("same_lemma")
INNER_FOLDS = 5  # the trigger metric's folds inside training
MIN_LEMMA_PAIRS = 3  # lemma pairs seen fewer times say little and would bloat the data file


@dataclasses.dataclass(frozen=True, slots=True)
class Topic:
    corpus: E.Corpus
    features: list[MentionFeatures]  # the topic's mentions, with the product's stories
    pairs: tuple[tuple[int, int], ...]  # candidate pairs the cannot-link rules allow
    vetoed: tuple[tuple[int, int], ...]  # candidate pairs the cannot-link rules forbid
    values: tuple[dict[str, float | None], ...]  # match.feature_values of each pair
    keys: tuple[list[str], ...]  # each pair's trigger lemma pair keys
    y: npt.NDArray[np.float64]
    counts: dict[str, tuple[int, int]]  # lemma pair -> (coreferent, total) in this topic
    # Each pair's features without a lemma pair table: every column but the two of the table
    # (lemma_pair, lemma_pair_seen), which matrix() fills per table. Computing the rows was
    # ~45% of training's CPU when redone for every fold.
    fixed: npt.NDArray[np.float64]
    # Each pair's two mentions (indexes into ``features``), each mention's MiniLM vectors by
    # feature name (zeros where it has none, ``embedded`` False): the metric column is
    # refilled per fold.
    left: npt.NDArray[np.intp]
    right: npt.NDArray[np.intp]
    embeddings: dict[str, npt.NDArray[np.float64]]
    embedded: dict[str, npt.NDArray[np.bool_]]

    def vectors(self, inputs: Sequence[str]) -> npt.NDArray[np.float64]:
        return np.hstack([self.embeddings[n] for n in inputs])

    def both(self, inputs: Sequence[str]) -> npt.NDArray[np.bool_]:
        """Pairs whose two mentions have every vector of ``inputs``."""
        has = np.logical_and.reduce([self.embedded[n] for n in inputs])
        both: npt.NDArray[np.bool_] = has[self.left] & has[self.right]
        return both


def base_config() -> FusionConfig:
    return load_config(E.PROFILE, with_model=False)


def read_oof(path: Path | None) -> dict[str, npt.NDArray[np.float32]]:
    """Mention id -> out-of-fold coreference encoder vector (scripts/train_encoder.py); none
    without a file."""
    if path is None:
        return {}
    if not path.is_file():
        raise SystemExit(f"{path}: no out-of-fold encoder vectors (make train-encoder writes them)")
    data = np.load(path)
    return {
        str(i): np.asarray(v, dtype=np.float32)
        for i, v in zip(data["ids"], data["vectors"], strict=True)
    }


def topic_data(
    corpus: E.Corpus, config: FusionConfig, oof: Mapping[str, npt.NDArray[np.float32]]
) -> Topic:
    stories = E.product_stories(corpus, config)
    features = [
        dataclasses.replace(f, coref_embedding=oof.get(f.id))
        for f in E.corpus_features(corpus, config, stories, embed=True)
    ]
    gold = {g.mention.id: g.gold for g in corpus.mentions}
    pairs, vetoed, values, keys, labels = [], [], [], [], []
    counts: dict[str, tuple[int, int]] = {}
    for i, j in sorted(candidate_pairs(features, E.WINDOW_DAYS)):
        a, b = features[i], features[j]
        if _veto(a, b, config, E.WINDOW_DAYS):
            vetoed.append((i, j))
            continue
        label = 1 if gold[a.id] == gold[b.id] else 0
        pairs.append((i, j))
        values.append(feature_values(a, b, config, E.WINDOW_DAYS))
        keys.append(lemma_pair_keys(a, b))
        labels.append(float(label))
        for key in keys[-1]:
            pos, total = counts.get(key, (0, 0))
            counts[key] = (pos + label, total + 1)
    return Topic(
        corpus,
        features,
        tuple(pairs),
        tuple(vetoed),
        tuple(values),
        tuple(keys),
        np.array(labels),
        counts,
        _rows(features, pairs, values, {}),
        np.array([i for i, _ in pairs], dtype=np.intp),
        np.array([j for _, j in pairs], dtype=np.intp),
        *_vectors(features),
    )


def _vectors(
    features: Sequence[MentionFeatures],
) -> tuple[dict[str, npt.NDArray[np.float64]], dict[str, npt.NDArray[np.bool_]]]:
    names = ("trigger_embedding", "sentence_embedding")
    rows = {n: np.zeros((len(features), DIMENSIONS)) for n in names}
    embedded = {n: np.zeros(len(features), dtype=bool) for n in names}
    for k, f in enumerate(features):
        for n in names:
            vector = getattr(f, n)
            if vector is not None:
                rows[n][k], embedded[n][k] = vector, True
    return rows, embedded


def pooled(topics: Sequence[Topic], leave_out: Topic | None = None) -> dict[str, tuple[int, int]]:
    """Lemma pair counts of ``topics`` (without ``leave_out``'s own)."""
    table: dict[str, tuple[int, int]] = {}
    for t in topics:
        if t is leave_out:
            continue
        for key, (pos, total) in t.counts.items():
            p, n = table.get(key, (0, 0))
            table[key] = (p + pos, n + total)
    return {k: v for k, v in table.items() if v[1] >= MIN_LEMMA_PAIRS}


def matrix(
    t: Topic, table: LemmaPairs, metric: PairMetric | None = None, default: float = np.nan
) -> npt.NDArray[np.float64]:
    """The topic's feature rows under ``table`` and ``metric`` (``default`` for a pair lacking
    a trigger vector, NaN until training's defaults fill it): feature_vector's values
    (tested)."""
    x = t.fixed.copy()
    for row, keys in enumerate(t.keys):
        rate = lemma_pair_rate(keys, table)
        x[row, LEMMA_PAIR] = rate or 0.0
        x[row, LEMMA_PAIR_SEEN] = 0.0 if rate is None else 1.0
    x[:, METRIC] = 0.0
    if metric is not None and len(t.left):
        vectors = t.vectors(metric.inputs)
        z = metric.logits(vectors[t.left], vectors[t.right])
        both = t.both(metric.inputs)
        x[:, METRIC] = np.where(both, 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))), default)
    return x


@dataclasses.dataclass(frozen=True, slots=True)
class MetricSettings:
    rank: int = 0  # 0: no metric (the trigger_metric column stays 0)
    l2: float = 1e-3
    max_iter: int = 200
    other_lemmas: bool = False  # fit on pairs of different trigger lemmas only
    inputs: tuple[str, ...] = ("trigger_embedding",)  # the mention vectors it reads
    anchored: bool = False  # the cosine plus a low-rank correction (L2 toward the cosine)


DEFAULTS = MetricSettings()


@dataclasses.dataclass(frozen=True, slots=True)
class ScorerSettings:
    """What the pair scorer is beyond the logistic weights (the defaults: nothing)."""

    units: int = 0  # hidden units (fuse/hidden.py); 0: no hidden layer
    l2: float = 1e-3  # the hidden layer's L2 per pair
    activation: str = "tanh"
    max_iter: int = 500
    crosses: tuple[tuple[str, str], ...] = ()  # feature products, each with its own weight


SCORER = ScorerSettings()


def parse_crosses(text: str) -> tuple[tuple[str, str], ...]:
    """Parse "a*b,c*d" -> (("a", "b"), ("c", "d")), each name one of FEATURES."""
    out = []
    for item in filter(None, text.split(",")):
        a, _, b = item.partition("*")
        if a not in FEATURES or b not in FEATURES:
            raise SystemExit(f"--crosses: {item!r} is not two of {FEATURES}")
        out.append((a, b))
    return tuple(out)


def crossed(x: npt.NDArray[np.float64], crosses: Sequence[tuple[str, str]]) -> np.ndarray:
    """The rows with one product column per cross appended."""
    products = [x[:, FEATURES.index(a)] * x[:, FEATURES.index(b)] for a, b in crosses]
    return np.column_stack([x, *products]) if products else x


def fit_scorer(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], scorer: ScorerSettings
) -> tuple[np.ndarray, float, tuple[tuple[str, str, float], ...], HiddenLayer | None]:
    """The linear weights, bias, crosses' weights and hidden layer fitted on ``x``; with the
    default settings exactly ``fit`` (the shipped logistic model)."""
    if scorer.units > 0:
        if scorer.crosses:
            raise SystemExit("a hidden layer and crosses together are not supported")
        weights, bias, layer = fit_hidden(
            x, y, scorer.units, L2, scorer.l2, scorer.activation, scorer.max_iter
        )
        return weights, bias, (), layer
    weights, bias = fit(crossed(x, scorer.crosses), y)
    n = x.shape[1]
    crosses = tuple(
        (a, b, float(w)) for (a, b), w in zip(scorer.crosses, weights[n:], strict=True)
    )
    return weights[:n], bias, crosses, None


def fit_on(topics: Sequence[Topic], settings: MetricSettings) -> PairMetric | None:
    """The trigger metric fitted on the candidate pairs of ``topics`` with trigger vectors."""
    if settings.rank <= 0:
        return None
    vectors, left, right, labels = [], [], [], []
    offset = 0
    for t in topics:
        keep = t.both(settings.inputs)
        if settings.other_lemmas:
            keep &= t.fixed[:, SAME_LEMMA] == 0.0
        vectors.append(t.vectors(settings.inputs))
        left.append(t.left[keep] + offset)
        right.append(t.right[keep] + offset)
        labels.append(t.y[keep])
        offset += len(t.features)
    return fit_metric(
        np.vstack(vectors),
        np.concatenate(left),
        np.concatenate(right),
        np.concatenate(labels),
        settings.rank,
        settings.l2,
        settings.max_iter,
        inputs=settings.inputs,
        anchored=settings.anchored,
    )


def out_of_fold_metrics(
    topics: Sequence[Topic], settings: MetricSettings
) -> list[PairMetric | None]:
    """For each topic, a metric fitted on the other inner folds' topics (never on its pairs)."""
    if settings.rank <= 0:
        return [None] * len(topics)
    inner = [list(range(k, len(topics), INNER_FOLDS)) for k in range(INNER_FOLDS)]
    out: list[PairMetric | None] = [None] * len(topics)
    for fold in inner:
        if not fold:
            continue
        metric = fit_on([t for k, t in enumerate(topics) if k not in fold], settings)
        for k in fold:
            out[k] = metric
    return out


def _rows(
    features: Sequence[MentionFeatures],
    pairs: Sequence[tuple[int, int]],
    values: Sequence[dict[str, float | None]],
    table: LemmaPairs,
) -> npt.NDArray[np.float64]:
    rows = [
        feature_vector(v, features[i], features[j], table)
        for v, (i, j) in zip(values, pairs, strict=True)
    ]
    return np.array(rows, dtype=float).reshape(-1, len(FEATURES))


def _defaults(xs: Sequence[npt.NDArray[np.float64]]) -> dict[str, float]:
    """Each embedding feature's mean on training pairs (a pair without embeddings reads it);
    the metric column's NaNs (pairs without trigger vectors) are filled with it in place."""
    x = np.vstack(xs)
    defaults = {n: float(np.nanmean(x[:, FEATURES.index(n)])) for n in EMBEDDING_FEATURES}
    for rows in xs:
        rows[np.isnan(rows[:, METRIC]), METRIC] = defaults["trigger_metric"]
    return defaults


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


def conll(
    topics: Sequence[Topic], model: PairModel, xs: Sequence[npt.NDArray[np.float64]]
) -> float:
    """CoNLL F1 over the given topics clustered together (one score, as the evaluator does);
    ``xs`` holds each topic's feature matrix."""
    assignment: dict[str, str] = {}
    key: list[set[str]] = []
    config = dataclasses.replace(
        base_config(),
        model=model,
        match_threshold=model.threshold,
        link_margin=model.link_margin,
    )
    for t, x in zip(topics, xs, strict=True):
        probability = model.probabilities(x)
        known = {p: PairScore(float(s)) for p, s in zip(t.pairs, probability, strict=True)}
        known.update({p: PairScore(0.0, cannot_link=True) for p in t.vetoed})
        assignment.update(E.cluster_features(t.features, config, model.threshold, known))
        key.extend(E.gold_clusters(t.corpus))
    return conll_f1(key, E._clusters(assignment))


def train(
    topics: Sequence[Topic],
    config: FusionConfig,
    label: str,
    settings: MetricSettings,
    scorer: ScorerSettings = SCORER,
) -> tuple[PairModel, float]:
    """Fit on ``topics``: each topic's lemma pair rates come from the other topics, and its
    trigger metric from the other inner folds (so the weight of each is learned as it will be
    used, on pairs the table or the metric has not seen)."""
    del config
    held = out_of_fold_metrics(topics, settings)
    xs = [matrix(t, pooled(topics, leave_out=t), m) for t, m in zip(topics, held, strict=True)]
    defaults = _defaults(xs)
    x = np.vstack(xs)
    weights, bias, crosses, layer = fit_scorer(x, np.concatenate([t.y for t in topics]), scorer)
    table = pooled(topics)
    metric = fit_on(topics, settings)

    def model(threshold: float, margin: float) -> PairModel:
        return PairModel(
            tuple(map(float, weights)),
            bias,
            threshold,
            label,
            table,
            defaults,
            margin,
            metric,
            crosses,
            layer,
        )

    best = max((conll(topics, model(t, 0.0), xs), t, 0.0) for t in THRESHOLDS)
    low, high = best[1] + NEAR[0] - 1e-9, best[1] + NEAR[1] + 1e-9
    near = [t for t in THRESHOLDS if low <= t <= high]
    best = max(
        [best] + [(conll(topics, model(t, m), xs), t, m) for m in MARGINS for t in near]
    )
    return model(best[1], best[2]), best[0]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--rank", type=int, default=DEFAULTS.rank, help="0: no metric")
    parser.add_argument("--metric-l2", type=float, default=DEFAULTS.l2)
    parser.add_argument("--metric-iter", type=int, default=DEFAULTS.max_iter)
    parser.add_argument("--other-lemmas", action="store_true", help="metric on other-lemma pairs")
    parser.add_argument(
        "--sentence", action="store_true", help="the metric reads the sentence vector too"
    )
    parser.add_argument(
        "--anchored", action="store_true", help="metric = cosine + low-rank correction"
    )
    parser.add_argument("--units", type=int, default=SCORER.units, help="hidden units (0: none)")
    parser.add_argument("--hidden-l2", type=float, default=SCORER.l2)
    parser.add_argument("--activation", choices=("tanh", "relu"), default=SCORER.activation)
    parser.add_argument("--hidden-iter", type=int, default=SCORER.max_iter)
    parser.add_argument("--crosses", default="", help='feature products, "a*b,c*d"')
    parser.add_argument("--cv-only", action="store_true", help="no final fit, no write")
    parser.add_argument("--cache", type=Path, help="pickle of the topics' rows (experiments)")
    parser.add_argument("--screen", action="store_true", help="held-out pair AP only, no write")
    parser.add_argument(
        "--coref-oof", type=Path, help="out-of-fold coreference encoder vectors (s12enc)"
    )
    args = parser.parse_args(argv)
    inputs = ("trigger_embedding", "sentence_embedding") if args.sentence else DEFAULTS.inputs
    settings = MetricSettings(
        args.rank, args.metric_l2, args.metric_iter, args.other_lemmas, inputs, args.anchored
    )
    scorer = ScorerSettings(
        args.units, args.hidden_l2, args.activation, args.hidden_iter, parse_crosses(args.crosses)
    )
    started = time.monotonic()
    config = base_config()
    numbers = E.train_topics(args.directory)
    assert not set(numbers) & set(E.DEV_TOPICS)
    topics = _topics(args.directory, numbers, config, args.cache, args.coref_oof)
    pairs = sum(len(t.y) for t in topics)
    print(f"{pairs} candidate pairs in {len(topics)} topics, {settings}, {scorer}", file=sys.stderr)
    label = f"ECB+ train topics {','.join(map(str, numbers))} ({pairs} pairs)"
    folds = [topics[k::FOLDS] for k in range(FOLDS)]
    if args.screen:
        screen(folds, settings, scorer)
        print(f"{time.monotonic() - started:.0f} s", file=sys.stderr)
        return
    scores = []
    for k, held in enumerate(folds):
        rest = [t for j, fold in enumerate(folds) if j != k for t in fold]
        model, _ = train(rest, config, label, settings, scorer)
        scores.append(conll(held, model, [held_matrix(t, model) for t in held]))
        print(
            f"fold {k + 1}: threshold {model.threshold:.2f}, margin {model.link_margin:.2f},"
            f" held-out CoNLL F1 {scores[-1]:.4f}",
            file=sys.stderr,
        )
    folds_text = ", ".join(f"{s:.3f}" for s in scores)
    print(f"cross-validation CoNLL F1 {np.mean(scores):.4f} (folds {folds_text})", file=sys.stderr)
    if args.cv_only:
        print(f"{time.monotonic() - started:.0f} s", file=sys.stderr)
        return
    model, train_score = train(topics, config, label, settings, scorer)
    print(
        f"all train topics: threshold {model.threshold:.2f}, margin {model.link_margin:.2f},"
        f" CoNLL F1 {train_score:.4f}",
        file=sys.stderr,
    )
    for name, w in zip(FEATURES, model.weights, strict=True):
        print(f"  {name:16} {w:+.3f}", file=sys.stderr)
    for a, b, w in model.crosses:
        print(f"  {a} x {b} {w:+.3f}", file=sys.stderr)
    payload = {
        "about": "Pair models of fuse/learned.py, written by scripts/train_fusion.py.",
        "models": {
            E.PROFILE: {
                **model_to_dict(model),
                "cross_validation_conll_f1": round(float(np.mean(scores)), 4),
                "training_data_sha256": data_sha256(args.directory, numbers),
            }
        },
    }
    text = json.dumps(payload, indent=1, sort_keys=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {time.monotonic() - started:.0f} s", file=sys.stderr)


def held_matrix(t: Topic, model: PairModel) -> npt.NDArray[np.float64]:
    """A held-out topic's rows under a trained model (its table, metric and defaults)."""
    return matrix(t, model.lemma_pairs, model.metric, model.defaults.get("trigger_metric", 0.0))


def _topics(
    directory: Path,
    numbers: Sequence[int],
    config: FusionConfig,
    cache: Path | None,
    coref_oof: Path | None = None,
) -> list[Topic]:
    if cache is not None and cache.is_file():
        with cache.open("rb") as handle:
            loaded: list[Topic] = pickle.load(handle)
        return loaded
    oof = read_oof(coref_oof)
    corpus = E.read_corpus(directory, numbers)
    topics = [topic_data(_subset(corpus, n), config, oof) for n in numbers]
    if cache is not None:
        with cache.open("wb") as handle:
            pickle.dump(topics, handle)
    return topics


def screen(
    folds: Sequence[Sequence[Topic]], settings: MetricSettings, scorer: ScorerSettings = SCORER
) -> None:
    """Held-out pair ranking of each fold (no clustering): average precision of the pair
    model's probabilities on the fold's candidate pairs, all and other-lemma ones, and of the
    metric alone. A quick look before the full cross-validation."""
    rows = []
    for k, held in enumerate(folds):
        rest = [t for j, fold in enumerate(folds) if j != k for t in fold]
        out = out_of_fold_metrics(rest, settings)
        xs = [matrix(t, pooled(rest, leave_out=t), m) for t, m in zip(rest, out, strict=True)]
        default = _defaults(xs)["trigger_metric"]
        weights, bias, crosses, layer = fit_scorer(
            np.vstack(xs), np.concatenate([t.y for t in rest]), scorer
        )
        metric = fit_on(rest, settings)
        model = PairModel(tuple(map(float, weights)), bias, 0.5, "", crosses=crosses, hidden=layer)
        x = np.vstack([matrix(t, pooled(rest), metric, default) for t in held])
        y = np.concatenate([t.y for t in held])
        p = model.probabilities(x)
        other = x[:, SAME_LEMMA] == 0.0
        rows.append(
            (
                average_precision(y, p),
                average_precision(y[other], p[other]),
                average_precision(y[other], x[other, METRIC]),
            )
        )
        print(f"fold {k + 1}: AP {rows[-1][0]:.4f}, other lemmas {rows[-1][1]:.4f},"
              f" metric alone (other lemmas) {rows[-1][2]:.4f}", file=sys.stderr)
    mean = np.mean(rows, axis=0)
    print(f"screen {settings} {scorer}: AP {mean[0]:.4f}, other lemmas {mean[1]:.4f},"
          f" metric alone {mean[2]:.4f}", file=sys.stderr)


def average_precision(y: npt.NDArray[np.float64], score: npt.NDArray[np.float64]) -> float:
    order = np.argsort(-score, kind="stable")
    hits = y[order]
    if hits.sum() == 0:
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float((precision * hits).sum() / hits.sum())


def data_sha256(directory: Path, topics: Sequence[int]) -> str:
    """SHA-256 over the files training read (the annotated-sentence list and each train topic's
    documents, by relative path and content): which data the committed weights came from."""
    digest = hashlib.sha256()
    paths = [directory / E.SENTENCES_FILE]
    for topic in sorted(topics):
        paths.extend(sorted((directory / str(topic)).glob("*.xml")))
    for path in paths:
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _subset(corpus: E.Corpus, topic: int) -> E.Corpus:
    prefix = f"t{topic}-"
    return E.Corpus(
        tuple(g for g in corpus.mentions if g.topic == topic),
        corpus.lemmas,
        tuple(a for a in corpus.articles if a.id.startswith(prefix)),
    )


if __name__ == "__main__":
    main()

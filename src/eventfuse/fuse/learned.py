"""A trained pairwise scorer: logistic regression over the matcher's features.

The weights are a data file (``data/fusion_weights.json``) written by ``scripts/train_fusion.py``
from ECB+ train topics only; the hand-set weighted mean of ``match.py`` stays for profiles that
name no model. The cannot-link vetoes of ``match.py`` apply before either: two similar
happenings in two places or on two days never merge, whatever a model says.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from eventfuse.errors import ConfigError
from eventfuse.fuse.hidden import HiddenLayer, hidden_from_dict, hidden_to_dict
from eventfuse.fuse.metric import PairMetric, metric_from_dict, metric_input, metric_to_dict
from eventfuse.fuse.text import Vector, cosine
from eventfuse.records import Mention


class MentionFeatures(Protocol):
    """What the scorer reads of fuse.features.MentionFeatures (a protocol here: features imports
    the configuration, which loads the model from this module)."""

    @property
    def mention(self) -> Mention: ...
    @property
    def story(self) -> str: ...
    @property
    def trigger_lemmas(self) -> frozenset[str]: ...
    @property
    def sentence_vector(self) -> Vector: ...
    @property
    def sentence_embedding(self) -> NDArray[np.float32] | None: ...
    @property
    def trigger_embedding(self) -> NDArray[np.float32] | None: ...
    @property
    def coref_embedding(self) -> NDArray[np.float32] | None: ...


WEIGHTS_FILE = "fusion_weights.json"
# The data file's entry format: 1 had no "format" key (a logistic model); 2 records the scorer
# ("logistic", "logistic+crosses" or "mlp") and may hold feature crosses and a hidden layer.
FORMAT = 2

# Each feature is in [0, 1]; a missing argument gives 0 and sets its "_missing" indicator, so
# the model learns what an absent place or time is worth instead of a hand-set neutral value.
FEATURES: tuple[str, ...] = (
    "same_lemma",
    "compound",
    "same_kind",
    "trigger_chars",
    "lexical",
    "lexical_x_lemma",
    "place",
    "place_missing",
    "time",
    "time_missing",
    "actors",
    "actors_missing",
    "arguments",
    "type",
    "same_story",
    "same_article",
    "same_sentence",
    "lemma_pair",
    "lemma_pair_seen",
    "sentence_embedding",
    "trigger_embedding",
    "trigger_metric",
    "coref_embedding",
)
# Cosines of MiniLM vectors (fuse/features.py: mention_embeddings): different words for one
# happening ("quake" / "temblor") that lemmas and TF-IDF keep apart. A pair lacking them (no
# trigger span, no model) reads the model's default, the feature's mean on training pairs.
# ``trigger_metric`` is the probability of the learned metric of the two trigger vectors
# (fuse/metric.py), 0 in a model without one.
# ``coref_embedding`` is the cosine of the coreference encoder's trigger vectors (MiniLM
# fine-tuned on ECB+ train topics, an experiment: a model weighs it only when trained with
# out-of-fold vectors, scripts/train_fusion.py --coref-oof; the shipped model does not).
EMBEDDING_FEATURES: tuple[str, ...] = (
    "sentence_embedding",
    "trigger_embedding",
    "trigger_metric",
    "coref_embedding",
)

# Trigger lemma pair ("kill|shooting") -> (pairs that corefer, candidate pairs) on training topics.
LemmaPairs = Mapping[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class PairModel:
    weights: tuple[float, ...]  # one per FEATURES entry
    bias: float
    threshold: float  # clustering threshold on the probability, picked on training topics
    trained_on: str  # what the weights were fitted on, for reports
    lemma_pairs: LemmaPairs = dataclasses.field(default_factory=dict)
    defaults: Mapping[str, float] = dataclasses.field(default_factory=dict)  # missing features
    # Clustering links components only by pairs at threshold + link_margin (picked with the
    # threshold on training topics; fuse/cluster.py).
    link_margin: float = 0.0
    metric: PairMetric | None = None  # the trigger vectors' learned metric (fuse/metric.py)
    # Products of two features, each with its weight in the logit: (name, name, weight).
    crosses: tuple[tuple[str, str, float], ...] = ()
    hidden: HiddenLayer | None = None  # a hidden layer added to the logit (fuse/hidden.py)

    @property
    def scorer(self) -> str:
        """The model's kind, recorded in the data file."""
        if self.hidden is not None:
            return "mlp"
        return "logistic+crosses" if self.crosses else "logistic"

    @property
    def reads_coref(self) -> bool:
        """Whether the model weighs the coreference encoder's cosine (none shipped does): by
        its weight, a cross of it, or a hidden layer (which reads every feature)."""
        name = "coref_embedding"
        crossed = any(name in (a, b) for a, b, _ in self.crosses)
        return self.weights[FEATURES.index(name)] != 0.0 or crossed or self.hidden is not None

    @property
    def reads_embeddings(self) -> bool:
        return any(
            w != 0.0 for n, w in zip(FEATURES, self.weights, strict=True) if n in EMBEDDING_FEATURES
        )

    def probability(self, values: Sequence[float]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, values, strict=True))
        if self.crosses or self.hidden is not None:
            z += float(self._extra(np.asarray(values, dtype=np.float64)[None, :])[0])
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def probabilities(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """``probability`` of each row of ``x`` (the trainer scores whole topics at once)."""
        z = x @ np.asarray(self.weights) + self.bias
        if self.crosses or self.hidden is not None:
            z = z + self._extra(x)
        out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
        return out

    def _extra(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """The logit's part beyond the linear weights: feature products and the hidden layer."""
        z = np.zeros(len(x))
        for a, b, w in self.crosses:
            z += w * x[:, FEATURES.index(a)] * x[:, FEATURES.index(b)]
        if self.hidden is not None:
            z += self.hidden.logits(x)
        return z


@functools.cache
def load_model(name: str) -> PairModel:
    """The packaged model ``name`` (a key of data/fusion_weights.json)."""
    raw = resources.files("eventfuse").joinpath("data", WEIGHTS_FILE).read_text(encoding="utf-8")
    try:
        entry = json.loads(raw)["models"][name]
        return model_from_dict(entry)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{WEIGHTS_FILE}: no valid model {name!r} ({exc})") from exc


def model_from_dict(entry: Mapping[str, object]) -> PairModel:
    version = int(entry.get("format", 1))  # type: ignore[call-overload]
    if version > FORMAT:
        raise ValueError(f"format {version} is newer than this version's {FORMAT}: upgrade")
    names = tuple(str(n) for n in entry["features"])  # type: ignore[attr-defined]
    if names != FEATURES:
        raise ValueError(f"features {names} are not this version's {FEATURES}: retrain")
    weights = tuple(float(w) for w in entry["weights"])  # type: ignore[attr-defined]
    model = PairModel(
        weights=weights,
        bias=float(entry["bias"]),  # type: ignore[arg-type]
        threshold=float(entry["threshold"]),  # type: ignore[arg-type]
        trained_on=str(entry.get("trained_on", "")),
        lemma_pairs={
            str(k): _counts(str(v))
            for k, v in dict(entry.get("lemma_pairs", {})).items()  # type: ignore[call-overload]
        },
        defaults={
            str(k): float(v)
            for k, v in dict(entry.get("defaults", {})).items()  # type: ignore[call-overload]
        },
        link_margin=float(entry.get("link_margin", 0.0)),  # type: ignore[arg-type]
        metric=_metric(entry.get("metric")),
        crosses=tuple(_cross(c) for c in entry.get("crosses", ())),  # type: ignore[attr-defined]
        hidden=_hidden(entry.get("hidden")),
    )
    recorded = entry.get("scorer")
    if recorded is not None and recorded != model.scorer:
        raise ValueError(f"scorer {recorded!r} but the entry holds a {model.scorer!r} model")
    return model


def _cross(entry: object) -> tuple[str, str, float]:
    if not isinstance(entry, Sequence) or len(entry) != 3:
        raise ValueError(f"a cross is [feature, feature, weight], not {entry!r}")
    a, b, w = str(entry[0]), str(entry[1]), float(entry[2])
    if a not in FEATURES or b not in FEATURES:
        raise ValueError(f"cross of unknown features {a!r} x {b!r}")
    return a, b, w


def _hidden(entry: object) -> HiddenLayer | None:
    if not entry:
        return None
    if not isinstance(entry, Mapping):
        raise ValueError(f"hidden is not a mapping: {entry!r}")
    return hidden_from_dict(entry, len(FEATURES))


def _metric(entry: object) -> PairMetric | None:
    if not entry:
        return None
    if not isinstance(entry, Mapping):
        raise ValueError(f"metric is not a mapping: {entry!r}")
    return metric_from_dict(entry)


def _counts(value: str) -> tuple[int, int]:
    coreferent, total = value.split()
    return int(coreferent), int(total)


def model_to_dict(model: PairModel) -> dict[str, object]:
    crosses = bool(model.crosses)
    return {
        "format": FORMAT,
        "scorer": model.scorer,
        "features": list(FEATURES),
        "weights": [round(w, 6) for w in model.weights],
        "bias": round(model.bias, 6),
        "threshold": model.threshold,
        "link_margin": model.link_margin,
        "trained_on": model.trained_on,
        # One line per lemma pair would make the file long: "key": [coreferent, total].
        "lemma_pairs": {k: f"{v[0]} {v[1]}" for k, v in sorted(model.lemma_pairs.items())},
        "defaults": {k: round(v, 6) for k, v in sorted(model.defaults.items())},
        **({"metric": metric_to_dict(model.metric)} if model.metric is not None else {}),
        **({"crosses": [[a, b, round(w, 6)] for a, b, w in model.crosses]} if crosses else {}),
        **({"hidden": hidden_to_dict(model.hidden)} if model.hidden is not None else {}),
    }


def lemma_pair_keys(a: MentionFeatures, b: MentionFeatures) -> list[str]:
    """Keys of the two triggers' different lemma pairs (none when they share a lemma)."""
    if a.trigger_lemmas & b.trigger_lemmas:
        return []
    return sorted({"|".join(sorted((x, y))) for x in a.trigger_lemmas for y in b.trigger_lemmas})


def lemma_pair_rate(keys: Sequence[str], table: LemmaPairs) -> float | None:
    """How often training pairs with these lemma pairs corefer (add-one smoothed); None when
    training never saw them ("temblor|quake" is learned; an unseen pair is no evidence)."""
    best: float | None = None
    for key in keys:
        seen = table.get(key)
        if seen is not None and seen[1] > 0:
            rate = (seen[0] + 1) / (seen[1] + 2)
            best = rate if best is None else max(best, rate)
    return best


def char_trigrams(word: str) -> set[str]:
    padded = f"#{word}#"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigger_chars(a: MentionFeatures, b: MentionFeatures) -> float:
    """Best character-trigram Jaccard between the two triggers' lemmas ("quake" / "earthquake",
    "shooting" / "shootout"): spelling-near words often name one happening."""
    best = 0.0
    for x in a.trigger_lemmas:
        gx = char_trigrams(x)
        for y in b.trigger_lemmas:
            gy = char_trigrams(y)
            best = max(best, len(gx & gy) / len(gx | gy))
    return best


def argument_words(f: MentionFeatures) -> set[str]:
    """Lower-cased words of a mention's places, time and named actors."""
    m = f.mention
    texts = [p.canonical or p.name for p in (m.location, *m.places) if p is not None]
    texts += [x.canonical or x.name for x in m.actors if not x.generic]
    if m.when is not None:
        texts.append(m.when.text)
    return {w for t in texts for w in t.lower().split() if len(w) > 2}


def feature_vector(
    values: Mapping[str, float | None],
    a: MentionFeatures,
    b: MentionFeatures,
    lemma_pairs: LemmaPairs,
    defaults: Mapping[str, float] | None = None,
    metric: PairMetric | None = None,
) -> list[float]:
    """The model's inputs from the matcher's feature values (``match.feature_values``);
    ``defaults`` stand in for embedding features a mention lacks (0 without them), and
    ``trigger_metric`` is 0 without a ``metric``."""
    same_lemma = 1.0 if a.trigger_lemmas & b.trigger_lemmas else 0.0
    lexical = cosine(a.sentence_vector, b.sentence_vector) if a.sentence_vector else 0.0
    wa, wb = argument_words(a), argument_words(b)
    out = {
        "same_lemma": same_lemma,
        "compound": values["compound"] or 0.0,
        "same_kind": values["same_kind"] or 0.0,
        "trigger_chars": trigger_chars(a, b),
        "lexical": lexical,
        "lexical_x_lemma": lexical * same_lemma,
        "arguments": len(wa & wb) / len(wa | wb) if wa and wb else 0.0,
        "type": values["type"] or 0.0,
        "same_story": 1.0 if a.story == b.story else 0.0,
        "same_article": 1.0 if a.mention.article_id == b.mention.article_id else 0.0,
        "same_sentence": values["same_sentence"] or 0.0,
    }
    rate = lemma_pair_rate(lemma_pair_keys(a, b), lemma_pairs)
    out["lemma_pair"] = rate or 0.0
    out["lemma_pair_seen"] = 0.0 if rate is None else 1.0
    for name in ("place", "time", "actors"):
        value = values[name]
        out[name] = value or 0.0
        out[f"{name}_missing"] = 1.0 if value is None else 0.0
    given = defaults or {}
    for name, (x, y) in (
        ("sentence_embedding", (a.sentence_embedding, b.sentence_embedding)),
        ("trigger_embedding", (a.trigger_embedding, b.trigger_embedding)),
        ("coref_embedding", (a.coref_embedding, b.coref_embedding)),
    ):
        out[name] = given.get(name, 0.0) if x is None or y is None else float(np.dot(x, y))
    if metric is None:
        out["trigger_metric"] = 0.0
    else:
        a_vec, b_vec = metric_input(a, metric.inputs), metric_input(b, metric.inputs)
        if a_vec is None or b_vec is None:
            out["trigger_metric"] = given.get("trigger_metric", 0.0)
        else:
            out["trigger_metric"] = metric.probability(a_vec, b_vec)
    return [out[name] for name in FEATURES]

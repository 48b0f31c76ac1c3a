"""Coreference metrics: MUC, B³, CEAF-e and their mean, the CoNLL F1.

Clusters are collections of hashable mention ids; a mention absent from the other side's
clusters counts as unmatched (the CoNLL-2012 scorer's convention for twinless mentions).
Definitions follow Pradhan et al. (2014), "Scoring Coreference Partitions of Predicted
Mentions: A Reference Implementation" (ACL).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

Clusters = Sequence[Collection[Hashable]]


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


def _sets(clusters: Iterable[Collection[Hashable]]) -> list[frozenset[Hashable]]:
    return [frozenset(c) for c in clusters if c]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def muc(key: Clusters, response: Clusters) -> Score:
    """Link-based: how many links are missing to rebuild each cluster from the other side."""
    k, r = _sets(key), _sets(response)
    return Score(precision=_muc_recall(r, k), recall=_muc_recall(k, r))


def _muc_recall(key: list[frozenset[Hashable]], response: list[frozenset[Hashable]]) -> float:
    owner = {m: i for i, c in enumerate(response) for m in c}
    numerator = denominator = 0
    for cluster in key:
        parts = {owner.get(m, ("alone", m)) for m in cluster}
        numerator += len(cluster) - len(parts)
        denominator += len(cluster) - 1
    return _ratio(numerator, denominator)


def b_cubed(key: Clusters, response: Clusters) -> Score:
    """Mention-based: per mention, the overlap of its key and response clusters."""
    k, r = _sets(key), _sets(response)
    return Score(precision=_b3_recall(r, k), recall=_b3_recall(k, r))


def _b3_recall(key: list[frozenset[Hashable]], response: list[frozenset[Hashable]]) -> float:
    owner = {m: c for c in response for m in c}
    total = sum(len(c) for c in key)
    numerator = sum(
        len(cluster & owner[m]) / len(cluster) for cluster in key for m in cluster if m in owner
    )
    return _ratio(numerator, total)


def ceaf_e(key: Clusters, response: Clusters) -> Score:
    """Entity-based: the best one-to-one alignment of clusters (Kuhn-Munkres) by
    phi4 = 2|K ∩ R| / (|K| + |R|), divided by the number of key / response clusters."""
    k, r = _sets(key), _sets(response)
    if not k or not r:
        return Score(0.0, 0.0)
    # Only clusters sharing a mention are similar: count overlaps through each mention's
    # response clusters instead of intersecting every pair (training scores many clusterings).
    owners: dict[Hashable, list[int]] = {}
    for j, b in enumerate(r):
        for m in b:
            owners.setdefault(m, []).append(j)
    similarity = np.zeros((len(k), len(r)))
    for i, a in enumerate(k):
        shared: dict[int, int] = {}
        for m in a:
            for j in owners.get(m, ()):
                shared[j] = shared.get(j, 0) + 1
        for j, n in shared.items():
            similarity[i, j] = 2 * n / (len(a) + len(r[j]))
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    best = float(similarity[rows, cols].sum())
    return Score(precision=best / len(r), recall=best / len(k))


def conll_f1(key: Clusters, response: Clusters) -> float:
    """The CoNLL-2012 score: the mean of the MUC, B³ and CEAF-e F1."""
    return (muc(key, response).f1 + b_cubed(key, response).f1 + ceaf_e(key, response).f1) / 3


def score_all(key: Clusters, response: Clusters) -> dict[str, dict[str, float] | float]:
    """Every metric as plain data (for reports and JSON)."""
    return {
        "muc": muc(key, response).as_dict(),
        "b3": b_cubed(key, response).as_dict(),
        "ceaf_e": ceaf_e(key, response).as_dict(),
        "conll_f1": conll_f1(key, response),
    }

"""Average-link agglomerative clustering within blocks, with hard cannot-link constraints.

Candidate pairs scoring at least the threshold (plus the configuration's ``link_margin``) join
mentions into components (the blocks that need clustering); inside each component every pair
is scored and clusters merge greedily by highest average pair score while it stays at or above
the threshold and no member pair is cannot-link. Components are small (one happening's reports
and their near misses), so scoring all their pairs stays cheap.

A margin makes the components single links of a stricter threshold: two clusters then merge
only when their average pair reaches the threshold *and* a chain of pairs scoring threshold +
margin joins them. Two happenings of one story that share many pairs just above the threshold
("said" / "said", one sub-event's "check" and another's) stay apart unless some pair of them
is sure (the ECB+ model's margin is picked with its threshold on train topics).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from eventfuse.fuse.blocking import DisjointSet
from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.features import MentionFeatures
from eventfuse.fuse.match import PairScore, pair_score


def cluster_mentions(
    features: Sequence[MentionFeatures],
    pairs: set[tuple[int, int]],
    config: FusionConfig,
    threshold: float,
    window_days: int,
    known: Mapping[tuple[int, int], PairScore] | None = None,
) -> list[tuple[str, ...]]:
    """Clusters of mention ids (each sorted), sorted by first id. ``known`` holds pair scores
    already computed (training sweeps thresholds over one set of scores)."""
    given = known or {}
    scores: dict[tuple[int, int], PairScore] = {
        p: given.get(p) or pair_score(features[p[0]], features[p[1]], config, window_days)
        for p in sorted(pairs)
    }
    components = DisjointSet(str(i) for i in range(len(features)))
    link = threshold + config.link_margin
    for (i, j), s in scores.items():
        if not s.cannot_link and s.score >= link:
            components.union(str(i), str(j))
    clusters: list[tuple[str, ...]] = []
    for members in components.groups().values():
        indexes = sorted(int(m) for m in members)
        for a, b in itertools.combinations(indexes, 2):
            if (a, b) not in scores:
                scores[(a, b)] = given.get((a, b)) or pair_score(
                    features[a], features[b], config, window_days
                )
        articles = [features[i].mention.article_id for i in indexes]
        same = np.array([[x == y for y in articles] for x in articles])
        floor = config.same_article_floor
        for group in _average_link(indexes, scores, threshold, same, floor):
            clusters.append(tuple(sorted(features[i].id for i in group)))
    return sorted(clusters)


def _average_link(
    indexes: list[int],
    scores: dict[tuple[int, int], PairScore],
    threshold: float,
    same_article: npt.NDArray[np.bool_],
    floor: float | None,
) -> list[list[int]]:
    """Greedy average-link. With a ``floor``, two clusters are compared by their
    cross-article pairs when they have any (other sources vouch that two mentions of one
    article report one happening), provided no same-article pair between them scores below
    ``floor``."""
    n = len(indexes)
    if n == 1:
        return [indexes]
    score = np.zeros((n, n))
    cannot = np.zeros((n, n), dtype=bool)
    for a in range(n):
        for b in range(a + 1, n):
            s = scores[(indexes[a], indexes[b])]
            score[a, b] = score[b, a] = s.score
            cannot[a, b] = cannot[b, a] = s.cannot_link
    vouch = floor is not None
    cross = ~same_article if vouch else np.ones((n, n), dtype=bool)
    sums_all, sums_cross = score.copy(), np.where(cross, score, 0.0)
    count_cross = cross.astype(float)
    weakest = np.where(same_article & vouch, score, np.inf)  # lowest same-article pair
    members: list[list[int]] = [[i] for i in indexes]
    sizes = np.ones(n)
    active = np.ones(n, dtype=bool)
    while True:
        with np.errstate(divide="ignore", invalid="ignore"):
            average = np.where(
                count_cross > 0, sums_cross / count_cross, sums_all / np.outer(sizes, sizes)
            )
        allowed = ~cannot & np.outer(active, active) & ~np.eye(n, dtype=bool)
        if floor is not None:
            allowed &= weakest >= floor
        average = np.where(allowed, average, -np.inf)
        best = int(np.argmax(average))  # first maximum: ties go to the lowest indexes
        a, b = divmod(best, n)
        if average[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        members[a].extend(members[b])
        for matrix in (sums_all, sums_cross, count_cross):
            matrix[a, :] += matrix[b, :]
            matrix[:, a] += matrix[:, b]
        weakest[a, :] = np.minimum(weakest[a, :], weakest[b, :])
        weakest[:, a] = np.minimum(weakest[:, a], weakest[:, b])
        cannot[a, :] |= cannot[b, :]
        cannot[:, a] |= cannot[:, b]
        sizes[a] += sizes[b]
        active[b] = False
    return [sorted(members[i]) for i in range(n) if active[i]]

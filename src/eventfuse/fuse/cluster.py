"""Average-link agglomerative clustering within blocks, with hard cannot-link constraints.

Candidate pairs scoring at least the threshold join mentions into components (the blocks that
need clustering); inside each component every pair is scored and clusters merge greedily by
highest average pair score while it stays at or above the threshold and no member pair is
cannot-link. Components are small (one happening's reports and their near misses), so scoring
all their pairs stays cheap.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

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
) -> list[tuple[str, ...]]:
    """Clusters of mention ids (each sorted), sorted by first id."""
    scores: dict[tuple[int, int], PairScore] = {
        p: pair_score(features[p[0]], features[p[1]], config, window_days) for p in sorted(pairs)
    }
    components = DisjointSet(str(i) for i in range(len(features)))
    for (i, j), s in scores.items():
        if not s.cannot_link and s.score >= threshold:
            components.union(str(i), str(j))
    clusters: list[tuple[str, ...]] = []
    for members in components.groups().values():
        indexes = sorted(int(m) for m in members)
        for a, b in itertools.combinations(indexes, 2):
            if (a, b) not in scores:
                scores[(a, b)] = pair_score(features[a], features[b], config, window_days)
        for group in _average_link(indexes, scores, threshold):
            clusters.append(tuple(sorted(features[i].id for i in group)))
    return sorted(clusters)


def _average_link(
    indexes: list[int], scores: dict[tuple[int, int], PairScore], threshold: float
) -> list[list[int]]:
    n = len(indexes)
    if n == 1:
        return [indexes]
    sums = np.zeros((n, n))
    cannot = np.zeros((n, n), dtype=bool)
    for a in range(n):
        for b in range(a + 1, n):
            s = scores[(indexes[a], indexes[b])]
            sums[a, b] = sums[b, a] = s.score
            cannot[a, b] = cannot[b, a] = s.cannot_link
    members: list[list[int]] = [[i] for i in indexes]
    sizes = np.ones(n)
    active = np.ones(n, dtype=bool)
    while True:
        average = sums / np.outer(sizes, sizes)
        allowed = ~cannot & np.outer(active, active) & ~np.eye(n, dtype=bool)
        average = np.where(allowed, average, -np.inf)
        best = int(np.argmax(average))  # first maximum: ties go to the lowest indexes
        a, b = divmod(best, n)
        if average[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        members[a].extend(members[b])
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        cannot[a, :] |= cannot[b, :]
        cannot[:, a] |= cannot[:, b]
        sizes[a] += sizes[b]
        active[b] = False
        sums[b, :] = sums[:, b] = 0
    return [sorted(members[i]) for i in range(n) if active[i]]

"""Blocking: which articles tell one story, and which mention pairs are worth scoring.

Both work through inverted indexes on block keys, so the number of pairs grows with the
number of mentions that share a key, not with the square of all mentions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence

from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.features import MentionFeatures
from eventfuse.fuse.stories import as_story_map, copies_joined, story_groups
from eventfuse.records import Article, Mention


class DisjointSet:
    """Union-find whose representative is the smallest member, so results are deterministic."""

    def __init__(self, items: Iterable[str] = ()) -> None:
        self._parent: dict[str, str] = {i: i for i in items}

    def find(self, item: str) -> str:
        root = self._parent.setdefault(item, item)
        while self._parent[root] != root:
            root = self._parent[root]
        while item != root:  # path compression, iteratively (chains can be long)
            self._parent[item], item = root, self._parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self._parent[high] = low

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for item in sorted(self._parent):
            out[self.find(item)].append(item)
        return dict(out)


def copy_root(article_id: str, articles: Mapping[str, Article]) -> str:
    """The original a wire copy was copied from (following chains, safe against cycles)."""
    seen = {article_id}
    current = articles.get(article_id)
    while current is not None and current.copy_of and current.copy_of not in seen:
        seen.add(current.copy_of)
        article_id = current.copy_of
        current = articles.get(article_id)
    return article_id


def story_clusters(
    articles: Sequence[Article],
    mentions: Sequence[Mention],
    config: FusionConfig,
    window_days: int,
) -> dict[str, str]:
    """Article id -> story id (the smallest article id of its story): whole-article similarity
    (``fuse/stories.py``), wire copies always with their original. ``window_days`` is unused:
    the story's own ``max_gap_days`` bounds it (follow-ups months later still join)."""
    del window_days
    groups = story_groups(articles, mentions, config.story, config.unidentified_actors)
    return as_story_map(copies_joined(groups, {a.id: a for a in articles}))


def candidate_pairs(features: Sequence[MentionFeatures], window_days: int) -> set[tuple[int, int]]:
    """Index pairs (i < j) of mentions that share a block: the same compatible-type group and
    either the same story or the same country, with dated mentions only paired within
    ``window_days``. Undated mentions pair with every mention of their blocks."""
    blocks: dict[Hashable, list[int]] = defaultdict(list)
    for i, f in enumerate(features):
        blocks[(f.group, "story", f.story)].append(i)
        place = f.mention.location
        if place is not None and place.country:
            blocks[(f.group, "country", place.country.upper())].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        pairs.update(_pairs_in_window(members, features, window_days))
    return pairs


# An undated report in a dated article is about the days before its publication: it is
# paired as if dated [published - UNDATED_LOOKBACK_DAYS, published]. Only reports with neither
# a date nor a publication date pair with every member of their block.
UNDATED_LOOKBACK_DAYS = 7


def _blocking_span(f: MentionFeatures) -> tuple[int, int] | None:
    if f.days is not None:
        return f.days
    published = f.mention.published
    if published is None:
        return None
    end = published.toordinal()
    return end - UNDATED_LOOKBACK_DAYS, end


def _pairs_in_window(
    members: list[int], features: Sequence[MentionFeatures], window_days: int
) -> Iterable[tuple[int, int]]:
    spans = {i: _blocking_span(features[i]) for i in members}
    dated = sorted((i for i in members if spans[i] is not None), key=lambda i: (spans[i], i))
    unbounded = [i for i in members if spans[i] is None]
    for pos, i in enumerate(dated):
        end_i = spans[i][1]  # type: ignore[index]
        for j in dated[pos + 1 :]:
            if spans[j][0] - end_i > window_days:  # type: ignore[index]
                break  # sorted by start: every later mention is further away
            yield min(i, j), max(i, j)
    for i in unbounded:
        for j in members:
            if i != j:
                yield min(i, j), max(i, j)

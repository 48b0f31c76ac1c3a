"""Blocking: which articles tell one story, and which mention pairs are worth scoring.

Both work through inverted indexes on block keys, so the number of pairs grows with the
number of mentions that share a key, not with the square of all mentions.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from eventfuse.blocks import place_block, span
from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.features import MentionFeatures
from eventfuse.fuse.stories import ArticleTexts, as_story_map, copies_joined, story_groups
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
    texts: ArticleTexts | None = None,
) -> dict[str, str]:
    """Article id -> story id (the smallest article id of its story): whole-article similarity
    (``fuse/stories.py``), wire copies always with their original. ``window_days`` is unused:
    the story's own ``max_gap_days`` bounds it (follow-ups months later still join).
    ``texts``: the articles' :func:`~eventfuse.fuse.stories.article_texts`, when computed."""
    del window_days
    groups = story_groups(articles, mentions, config.story, config.unidentified_actors, texts)
    return as_story_map(copies_joined(groups, {a.id: a for a in articles}))


@dataclass(frozen=True, slots=True)
class Candidates:
    pairs: set[tuple[int, int]]
    capped: tuple[str, ...] = ()  # notes on blocks whose pairs hit the bound


def candidate_pairs(features: Sequence[MentionFeatures], window_days: int) -> set[tuple[int, int]]:
    """``block_pairs`` without a bound."""
    return block_pairs(features, window_days, None).pairs


def block_pairs(
    features: Sequence[MentionFeatures], window_days: int, max_pairs: int | None
) -> Candidates:
    """Index pairs (i < j) of mentions that share a block: the same compatible-type group and
    either the same story or the same place block (country and first-level region; a mention
    placed no finer than its country is in its country's own block), with dated mentions only
    paired within ``window_days``. Undated mentions pair with every mention of their blocks.

    A block whose pairs would exceed ``max_pairs`` pairs each member with only its nearest
    members in time (as many as the bound allows); a note says so."""
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, f in enumerate(features):
        blocks[(f.group, "story", f.story)].append(i)
        place = _place_block(f)
        if place is not None:
            blocks[(f.group, *place)].append(i)
    pairs: set[tuple[int, int]] = set()
    capped: list[str] = []
    for key, members in blocks.items():
        found, limit = _pairs_in_window(members, features, window_days, max_pairs)
        pairs.update(found)
        if limit is not None:
            name = "/".join(str(k) for k in key)
            capped.append(
                f"block {name}: {len(members)} mentions would pair more than {max_pairs} times; "
                f"each paired with its {limit} nearest in time (setting fusion_max_block_pairs)"
            )
    return Candidates(pairs, tuple(capped))


def _place_block(f: MentionFeatures) -> tuple[str, str, str] | None:
    return place_block(f.mention)


def _blocking_span(f: MentionFeatures) -> tuple[int, int] | None:
    return f.days if f.days is not None else span(f.mention)


def _pairs_in_window(
    members: list[int],
    features: Sequence[MentionFeatures],
    window_days: int,
    max_pairs: int | None,
) -> tuple[list[tuple[int, int]], int | None]:
    """The block's pairs, and the per-member limit applied (None when within the bound)."""
    spans = {i: _blocking_span(features[i]) for i in members}
    dated = sorted((i for i in members if spans[i] is not None), key=lambda i: (spans[i], i))
    unbounded = [i for i in members if spans[i] is None]
    starts = [spans[i][0] for i in dated]  # type: ignore[index]
    # How far each dated member's window reaches in the sorted order (bisect: no pairing yet).
    reach = [
        bisect.bisect_right(starts, spans[i][1] + window_days) for i in dated  # type: ignore[index]
    ]
    total = sum(r - pos - 1 for pos, r in enumerate(reach)) + len(unbounded) * len(members)
    limit = None
    if max_pairs is not None and total > max_pairs:
        limit = max(1, max_pairs // max(len(members), 1))
    out: list[tuple[int, int]] = []
    for pos, i in enumerate(dated):
        end = reach[pos] if limit is None else min(reach[pos], pos + 1 + limit)
        out.extend((min(i, j), max(i, j)) for j in dated[pos + 1 : end])
    order = sorted(members)
    for i in unbounded:
        others = [j for j in order if j != i]
        if limit is not None:
            others = others[:limit]
        out.extend((min(i, j), max(i, j)) for j in others)
    return out, limit

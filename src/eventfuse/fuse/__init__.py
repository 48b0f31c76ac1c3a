"""Fusion: mentions of one real happening across articles and outlets become one event.

``fuse`` is the stage's entry point: story clustering of articles, blocking, pairwise scoring
and clustering of mentions, reconciliation of each event's fields, date anchoring, quote
alignment, counter-claims, and stable ids across runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eventfuse.fuse.anchor import estimate_undated
from eventfuse.fuse.blocking import block_pairs, story_clusters
from eventfuse.fuse.claims import contest_counter_claims
from eventfuse.fuse.cluster import cluster_mentions
from eventfuse.fuse.config import FusionConfig, load_config
from eventfuse.fuse.features import MentionFeatures, build_features
from eventfuse.fuse.ids import assign_ids, new_event_id
from eventfuse.fuse.match import pair_score
from eventfuse.fuse.outlets import (
    OutletTable,
    article_homes,
    home_readings,
    read_outlet_regions,
)
from eventfuse.fuse.principal import (
    DayJoin,
    NamedJoin,
    join_principals,
    principal_link,
    story_names,
)
from eventfuse.fuse.reconcile import anchor_members, reconcile_event, source_labels
from eventfuse.fuse.stories import article_texts, text_similarity
from eventfuse.records import Article, Event, Mention
from eventfuse.settings import Options

_log = logging.getLogger(__name__)

__all__ = [
    "FusionResult",
    "anchored_mentions",
    "fuse",
    "new_event_id",
]


@dataclass(frozen=True, slots=True)
class FusionResult:
    events: tuple[Event, ...]  # every current event, sorted by id
    removed_event_ids: tuple[str, ...]  # previous events merged away or split into new ids
    # Members whose relative date was anchored through their event ("fusion"): store these.
    anchored_mentions: tuple[Mention, ...] = ()
    # Bounds that were hit (a block with more candidate pairs than fusion_max_block_pairs).
    notes: tuple[str, ...] = ()


def fuse(
    mentions: Sequence[Mention],
    articles: Sequence[Article],
    previous_events: Sequence[Event] = (),
    options: Options | None = None,
    *,
    profile: str | None = None,
    lemmas: Mapping[str, frozenset[str]] | None = None,
    outlets: OutletTable | None = None,
) -> FusionResult:
    """Fuse ``mentions`` into events.

    ``mentions`` holds every mention known (the previous events' members and the new ones);
    mentions in no previous event are new. Only previous events that a new mention may join are
    re-clustered; the others are returned unchanged. A previous event whose members are not all
    in ``mentions`` is never re-clustered. ``profile`` selects a section of data/fusion.yaml;
    ``lemmas`` (mention id -> trigger lemmas) spares a spaCy parse when already known.
    ``outlets``: the outlets' votes for their home regions over every stored article (the
    store's table), else learned from ``mentions`` alone (rule outlet_home).
    """
    opts = options or Options()
    config = load_config(profile).without_rules(
        frozenset(r.strip() for r in opts.disabled_rules.split(",") if r.strip())
    )
    threshold = (
        config.match_threshold if config.match_threshold is not None else opts.match_threshold
    )
    window = opts.date_window_days
    ordered = sorted({m.id: m for m in mentions}.values(), key=lambda m: m.id)
    by_article = {a.id: a for a in articles}
    by_id_order = sorted(by_article.values(), key=lambda a: a.id)
    # Story clustering and the same-day join read the same TF-IDF rows: computed once.
    texts = article_texts(by_id_order, config.story.top_terms)
    stories = story_clusters(by_id_order, ordered, config, window, texts)
    features = build_features(ordered, stories, config, lemmas)
    candidates = block_pairs(features, window, opts.fusion_max_block_pairs)
    pairs = candidates.pairs
    for note in candidates.capped:
        _log.warning("fusion: %s", note)
    touched, work = _work_set(features, pairs, previous_events, config, threshold, window)
    index = {f.id: i for i, f in enumerate(features)}
    work_features = [features[index[i]] for i in sorted(work)]
    local = {f.id: k for k, f in enumerate(work_features)}
    work_pairs = {
        (local[features[i].id], local[features[j].id])
        for i, j in pairs
        if features[i].id in local and features[j].id in local
    }
    clusters = cluster_mentions(work_features, work_pairs, config, threshold, window)
    if config.principal_margin is not None:
        gap = window if config.principal_day_gap is None else config.principal_day_gap
        floor = threshold - config.principal_margin
        named = (
            None
            if config.principal_names is None
            else NamedJoin(
                story_names(by_article.values(), stories),
                config.principal_names,
                principal_link(config, _ANY_GAP_DAYS, floor, doers=False),
                config.principal_names_across,
            )
        )
        clusters = join_principals(
            clusters, {f.id: f for f in work_features}, gap,
            principal_link(config, gap, floor, persons=not config.principal_ignore_persons),
            undated=(
                ("all" if config.undated_follow_ups else "principal")
                if config.principal_undated
                else ""
            ),
            date_rules=config.date_rules,
            named=named,
            same_day=(
                None
                if config.principal_same_day is None
                else DayJoin(text_similarity(by_id_order, texts), config.principal_same_day)
            ),
            two_tolls=config.principal_two_tolls,
        )
    ids = assign_ids(clusters, touched)
    by_id = {m.id: m for m in ordered}
    anchored = _anchored(clusters, by_id, config.date_rules)
    estimated = estimate_undated(anchored, ordered, by_article)
    by_id.update(estimated)
    labels = source_labels(by_article)  # once per run, not once per event
    outlet_rules = {"outlet_home", "outlet_outlier"} & config.date_rules
    homes = article_homes(
        ordered, by_article, config.outlet_min_articles, config.outlet_min_share,
        read_outlet_regions(opts.outlet_regions) if opts.outlet_regions else None, outlets,
    ) if outlet_rules else {}
    readings = home_readings(ordered, homes) if "outlet_home" in outlet_rules else {}
    events = [
        reconcile_event(ids[c], [by_id[i] for i in c], by_article, config, labels, readings,
                        homes)
        for c in clusters
    ]
    touched_ids = {e.id for e in touched}
    events += [e for e in previous_events if e.id not in touched_ids]
    events = contest_counter_claims(events, by_id, labels, config, window, stories)
    current = {e.id for e in events}
    removed = tuple(sorted(e.id for e in previous_events if e.id not in current))
    return FusionResult(
        events=tuple(sorted(events, key=lambda e: e.id)),
        removed_event_ids=removed,
        anchored_mentions=tuple(
            sorted([*(m for m, _ in anchored), *estimated.values()], key=lambda m: m.id)
        ),
        notes=candidates.capped,
    )


# The principal-names join sets dates aside: its reports' dates never veto.
_ANY_GAP_DAYS = 36_500


def _work_set(
    features: Sequence[MentionFeatures],
    pairs: set[tuple[int, int]],
    previous: Sequence[Event],
    config: FusionConfig,
    threshold: float,
    window: int,
) -> tuple[list[Event], set[str]]:
    """The previous events a new mention may join, and the mentions to (re-)cluster."""
    available = {f.id for f in features}
    owner = {m: e for e in previous if set(e.mention_ids) <= available for m in e.mention_ids}
    frozen = {m for e in previous for m in e.mention_ids if m not in owner}
    new = available - set(owner) - frozen
    touched: dict[str, Event] = {}
    for i, j in sorted(pairs):
        a, b = features[i], features[j]
        if (a.id in new) == (b.id in new):
            continue
        old = b if a.id in new else a
        if old.id in owner and pair_score(a, b, config, window).score >= threshold:
            touched[owner[old.id].id] = owner[old.id]
    work = set(new) | {m for e in touched.values() for m in e.mention_ids}
    return sorted(touched.values(), key=lambda e: e.id), work


def _anchored(
    clusters: Sequence[tuple[str, ...]], by_id: Mapping[str, Mention], date_rules: frozenset[str]
) -> list[tuple[Mention, tuple[str, ...]]]:
    """Members whose relative date their event anchored, with the articles that dated it."""
    out: list[tuple[Mention, tuple[str, ...]]] = []
    for cluster in clusters:
        members, anchored_by = anchor_members([by_id[i] for i in cluster], date_rules)
        out.extend((m, anchored_by) for m in members if m is not by_id[m.id])
    return sorted(out, key=lambda pair: pair[0].id)


def anchored_mentions(result: FusionResult, mentions: Sequence[Mention]) -> tuple[Mention, ...]:
    """``mentions`` with every fusion-anchored date applied (the stored mention shows it)."""
    anchored = {m.id: m for m in result.anchored_mentions}
    return tuple(anchored.get(m.id, m) for m in mentions)

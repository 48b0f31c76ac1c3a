"""Reconciliation: one event from its mentions, keeping every source's version of every field,
the consensus value, and a readable disagreement wherever sources conflict."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from eventfuse.date_rules import DATE_RULES
from eventfuse.fuse.anchor import anchor_mention
from eventfuse.fuse.blocking import copy_root
from eventfuse.fuse.claims import event_status
from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.consensus import (
    combined_confidence,
    consensus_actors,
    consensus_location,
    consensus_quantities,
    consensus_type,
    consensus_when,
    first_reported,
)
from eventfuse.fuse.disagree import find_disagreements
from eventfuse.fuse.quotes_align import align_quotes
from eventfuse.fuse.roundup import roundup_articles
from eventfuse.fuse.values import source_values
from eventfuse.records import (
    Article,
    Event,
    EventSource,
    Mention,
    Place,
    SourceValue,
    When,
)


def source_labels(articles: Mapping[str, Article]) -> dict[str, str]:
    """How a disagreement names each article: its outlet, else its id."""
    return {a.id: a.outlet or a.title or a.id for a in articles.values()}


def anchor_members(
    mentions: Sequence[Mention], date_rules: frozenset[str] = frozenset(DATE_RULES)
) -> tuple[list[Mention], tuple[str, ...]]:
    """Members with undated (relative) whens anchored on the event's consensus date, and the
    articles whose dates anchored them."""
    when, anchored_by = consensus_when(mentions, date_rules)
    return [anchor_mention(m, when) for m in mentions], anchored_by


def independent_sources(sources: Sequence[EventSource], articles: Mapping[str, Article]) -> int:
    """Outlets that report the event independently: a wire copy counts as its original's
    outlet, and two articles of one outlet count once (a follow-up by the same newsroom is not
    a second witness). An article with no known outlet counts as its own source."""
    seen: set[tuple[str, str]] = set()
    for source in sources:
        root = copy_root(source.article_id, articles)
        original = articles.get(root)
        outlet = (original.outlet if original is not None else None) or (
            source.outlet if root == source.article_id else None
        )
        seen.add(("outlet", " ".join(outlet.lower().split())) if outlet else ("article", root))
    return len(seen)


def reconcile_event(
    event_id: str,
    mentions: Sequence[Mention],
    articles: Mapping[str, Article],
    config: FusionConfig,
    labels: Mapping[str, str] | None = None,
    readings: Mapping[str, Place] | None = None,
    homes: Mapping[str, tuple[str, str]] | None = None,
) -> Event:
    """The event fused from ``mentions`` (all of one cluster). ``labels`` (article id -> how a
    disagreement names it, ``source_labels``) is built once per run by the caller; without it
    it is built here from ``articles``. ``readings`` (mention id -> its place read again in
    its outlet's home region, ``outlets.home_readings``) vote in the consensus place;
    ``homes`` (article id -> its outlet's home region) weighs the readings outside it."""
    members, anchored_by = anchor_members(sorted(mentions, key=lambda m: m.id),
                                          config.date_rules)
    if labels is None:
        labels = source_labels(articles)
    fields = _with_anchor_provenance(source_values(members), anchored_by)
    status, status_conflict = event_status(members, fields.get("status", ()), labels, config)
    disagreements = find_disagreements(members, fields, labels, config)
    if status_conflict is not None:
        disagreements = (*disagreements, status_conflict)
    coded = consensus_type(members)
    sources = _sources(members, articles)
    independent = independent_sources(sources, articles)
    quotes = [(m.article_id, q) for m in members for q in m.quotes]
    return Event(
        id=event_id,
        type=coded.type,
        mention_ids=tuple(m.id for m in members),
        mode=coded.mode,
        acled_event_type=coded.acled_event_type,
        acled_sub_event_type=coded.acled_sub_event_type,
        when=_event_when(members, config.date_rules),
        location=consensus_location(
            [dataclasses.replace(m, location=readings[m.id])
             if readings and m.id in readings else m for m in members],
            config.date_rules, config.nearby_km, homes,
        ),
        actors=consensus_actors(members, config),
        quantities=consensus_quantities(
            members, config.date_rules,
            roundup_articles({m.article_id for m in members}, articles, config.roundup)),
        status=status,
        sources=sources,
        independent_sources=independent,
        quotes=align_quotes(quotes, config.quote_min_overlap),
        fields=fields,
        disagreements=disagreements,
        confidence=combined_confidence(members, independent),
    )


def _event_when(members: Sequence[Mention], date_rules: frozenset[str]) -> When | None:
    """The consensus date; when no report dates the event, the day it was first reported
    (``date_first_reported``; only here: clustering never joins reports by that estimate)."""
    when = consensus_when(members, date_rules)[0]
    if when is None and "date_first_reported" in date_rules:
        return first_reported(members)
    return when


def _with_anchor_provenance(
    fields: dict[str, tuple[SourceValue, ...]], anchored_by: tuple[str, ...]
) -> dict[str, tuple[SourceValue, ...]]:
    dates = fields.get("date")
    if not dates:
        return fields
    fields["date"] = tuple(
        dataclasses.replace(v, value={**v.value, "anchored_by": list(anchored_by)})
        if v.value.get("anchor") == "fusion"
        else v
        for v in dates
    )
    return fields


def _sources(
    mentions: Sequence[Mention], articles: Mapping[str, Article]
) -> tuple[EventSource, ...]:
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(m.article_id, m)
    out = []
    for article_id in sorted(first):
        article = articles.get(article_id)
        m = first[article_id]
        out.append(
            EventSource(
                article_id=article_id,
                outlet=article.outlet if article else m.outlet,
                title=article.title if article else None,
                published=article.published if article else m.published,
                copy_of=article.copy_of if article else None,
                evidence=m.sentence or m.trigger,
            )
        )
    return tuple(out)

"""Disagreements between the sources of one event, each with a reason an analyst can read."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence

from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.consensus import is_derived
from eventfuse.fuse.match import place_score, same_actor
from eventfuse.fuse.values import QUANTITY_FIELDS
from eventfuse.records import Disagreement, Mention, Quantity, SourceValue, When


def find_disagreements(
    mentions: Sequence[Mention],
    fields: Mapping[str, tuple[SourceValue, ...]],
    labels: Mapping[str, str],
    config: FusionConfig,
) -> tuple[Disagreement, ...]:
    """Conflicts on quantities, actors, dates and places (claims are handled in claims.py)."""
    ordered = sorted(mentions, key=lambda m: m.id)
    found = [
        *(_quantities(kind, ordered, fields, labels) for kind in QUANTITY_FIELDS),
        *(_actors(role, ordered, fields, labels, config) for role in ("actor", "recipient")),
        _dates(ordered, fields, labels, config),
        _places(ordered, fields, labels, config),
    ]
    return tuple(d for d in found if d is not None)


def _share_actor(a: set[str], b: set[str]) -> bool:
    return any(same_actor(x, y) for x in a for y in b)


def format_range(q: Quantity) -> str:
    high = "∞" if q.high is None else str(q.high)
    return f"{q.text} [{q.low}-{high}]"


def _overlap(a: Quantity, b: Quantity) -> bool:
    a_high = a.high if a.high is not None else float("inf")
    b_high = b.high if b.high is not None else float("inf")
    return a.low <= b_high and b.low <= a_high


def _quantities(
    kind: str,
    mentions: Sequence[Mention],
    fields: Mapping[str, tuple[SourceValue, ...]],
    labels: Mapping[str, str],
) -> Disagreement | None:
    pairs = [(m, q) for m in mentions for q in m.quantities if q.kind == kind]
    conflict = any(
        ma.article_id != mb.article_id and not _overlap(qa, qb)
        for (ma, qa), (mb, qb) in itertools.combinations(pairs, 2)
    )
    if not conflict:
        return None
    one_per_source = {(m.article_id, q.low, q.high): (m, q) for m, q in reversed(pairs)}
    shown = _unique(
        f"{format_range(q)} ({labels.get(m.article_id, m.article_id)})"
        for m, q in pairs
        if one_per_source[(m.article_id, q.low, q.high)][1] is q
    )
    return Disagreement(kind, f"{kind}: " + " vs ".join(shown), fields.get(kind, ()))


def _actors(
    role: str,
    mentions: Sequence[Mention],
    fields: Mapping[str, tuple[SourceValue, ...]],
    labels: Mapping[str, str],
    config: FusionConfig,
) -> Disagreement | None:
    named: dict[str, set[str]] = {}
    unnamed: set[str] = set()
    for m in mentions:
        for actor in m.actors:
            if actor.role != role or actor.generic:
                continue  # "militants" / "protesters" name nobody: no conflict with a name
            if config.is_unidentified(actor.canonical or actor.name):
                unnamed.add(m.article_id)
            else:
                named.setdefault(m.article_id, set()).add(actor.canonical or actor.name)
    only_unnamed = sorted(unnamed - set(named))
    disjoint = any(
        not _share_actor(named[a], named[b]) for a, b in itertools.combinations(sorted(named), 2)
    )
    if not named or not (only_unnamed or disjoint):
        return None
    shown = [
        f"{', '.join(sorted(names))} ({labels.get(a, a)})" for a, names in sorted(named.items())
    ]
    shown += [f"Unidentified ({labels.get(a, a)})" for a in only_unnamed]
    return Disagreement(role, f"{role}: " + " vs ".join(shown), fields.get(role, ()))


def _widened(when: When, config: FusionConfig) -> tuple[dt.date, dt.date]:
    assert when.start is not None
    slack = dt.timedelta(days=config.precision_slack_days.get(when.precision, 0))
    return when.start - slack, (when.end or when.start) + slack


def _dates(
    mentions: Sequence[Mention],
    fields: Mapping[str, tuple[SourceValue, ...]],
    labels: Mapping[str, str],
    config: FusionConfig,
) -> Disagreement | None:
    dated = [
        (m, m.when)
        for m in mentions
        if m.when is not None and m.when.start is not None and not is_derived(m.when)
    ]
    conflict = False
    for (ma, wa), (mb, wb) in itertools.combinations(dated, 2):
        (sa, ea), (sb, eb) = _widened(wa, config), _widened(wb, config)
        if ma.article_id != mb.article_id and (ea < sb or eb < sa):
            conflict = True
    if not conflict:
        return None
    shown = _unique(f"{_date_text(w)} ({labels.get(m.article_id, m.article_id)})" for m, w in dated)
    return Disagreement("date", "date: " + " vs ".join(shown), fields.get("date", ()))


def _date_text(when: When) -> str:
    assert when.start is not None
    end = when.end or when.start
    span = when.start.isoformat() if end == when.start else f"{when.start}..{end}"
    return f"{span} ({when.precision})"


def _places(
    mentions: Sequence[Mention],
    fields: Mapping[str, tuple[SourceValue, ...]],
    labels: Mapping[str, str],
    config: FusionConfig,
) -> Disagreement | None:
    located = [m for m in mentions if m.location is not None]
    unrelated = config.place_scores["unrelated"]
    conflict = any(
        a.article_id != b.article_id
        and (place_score(a.location, b.location, config) or 0) <= unrelated
        for a, b in itertools.combinations(located, 2)
    )
    if not conflict:
        return None
    shown = _unique(
        f"{m.location.canonical or m.location.name} ({labels.get(m.article_id, m.article_id)})"
        for m in located
        if m.location is not None
    )
    return Disagreement("location", "location: " + " vs ".join(shown), fields.get("location", ()))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))  # first-seen order, duplicates dropped

"""Claims and counter-claims: when one side's claim is contradicted, the event is contested.

Inside an event: a claim together with a denial, or claims by different named actors. Across
events: a claimed event and a claim or denial of a counter-claim type (RETREAT, COERCE,
ASSAULT...) by a different actor about the same place (or, unlocated, in the same story) within
the date window (the Taliban claim
to have captured Panjshir; the NRF claims to have recaptured areas of it).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence

from eventfuse.blocks import date_range
from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.match import place_score, same_actor
from eventfuse.records import Disagreement, Event, Mention, SourceValue, Status

CLAIMS = frozenset({"claimed", "denied", "contested"})


def event_status(
    mentions: Sequence[Mention],
    status_values: tuple[SourceValue, ...],
    labels: Mapping[str, str],
    config: FusionConfig,
) -> tuple[Status, Disagreement | None]:
    statuses = {m.status for m in mentions}
    claimed = [m for m in mentions if m.status == "claimed"]
    claimants = {frozenset(_claimants(m, config)) for m in claimed} - {frozenset()}
    counter = statuses & {"denied", "contested"}
    if claimed and (counter or not _all_share(claimants)):
        shown = [
            f"{m.status} by {', '.join(sorted(_claimants(m, config))) or 'unnamed'} "
            f"({labels.get(m.article_id, m.article_id)})"
            for m in sorted(mentions, key=lambda x: x.id)
            if m.status in CLAIMS
        ]
        return "contested", Disagreement("status", "status: " + " vs ".join(shown), status_values)
    if "contested" in statuses:
        return "contested", None
    one_kind: tuple[Status, ...] = ("claimed", "alleged", "denied")
    for status in one_kind:
        if status in statuses and statuses <= {status, "reported"}:
            return status, None
    return "reported", None


def _all_share(claimants: set[frozenset[str]]) -> bool:
    groups = sorted(claimants, key=sorted)
    return all(_share(a, b) for a, b in itertools.combinations(groups, 2))


def _share(a: Iterable[str], b: Iterable[str]) -> bool:
    return any(same_actor(x, y) for x in a for y in b)


def _claimants(mention: Mention, config: FusionConfig) -> set[str]:
    return {
        a.canonical or a.name
        for a in mention.actors
        if a.role == "actor" and not config.is_unidentified(a.canonical or a.name)
    }


def contest_counter_claims(
    events: Sequence[Event],
    mentions: Mapping[str, Mention],
    labels: Mapping[str, str],
    config: FusionConfig,
    window_days: int,
    stories: Mapping[str, str] | None = None,
) -> list[Event]:
    """Events with counter-claims across events marked contested, each with a status
    disagreement that lists the other side's claim. Only events holding a claim are compared.
    ``stories`` (article id -> story id) lets a claim without a place answer one of its story."""
    stories = stories or {}
    claiming = [e for e in events if e.type in config.counter_claim_types and _claims(e, mentions)]
    updates: dict[str, list[tuple[Event, Event]]] = {}
    for a, b in itertools.combinations(sorted(claiming, key=lambda e: e.id), 2):
        if _counter(a, b, mentions, stories, config, window_days):
            updates.setdefault(a.id, []).append((a, b))
            updates.setdefault(b.id, []).append((b, a))
    out = []
    for event in events:
        for own, other in updates.get(event.id, []):
            event = _contested(event, own, other, mentions, labels)
        out.append(event)
    return out


def _claims(event: Event, mentions: Mapping[str, Mention]) -> list[Mention]:
    return [
        mentions[i] for i in event.mention_ids if i in mentions and mentions[i].status in CLAIMS
    ]


def _stories(event: Event, mentions: Mapping[str, Mention], stories: Mapping[str, str]) -> set[str]:
    return {stories.get(m.article_id, m.article_id) for m in _claims(event, mentions)}


def _counter(
    a: Event,
    b: Event,
    mentions: Mapping[str, Mention],
    stories: Mapping[str, str],
    config: FusionConfig,
    window: int,
) -> bool:
    if a.location is not None and b.location is not None:
        related = place_score(a.location, b.location, config) or 0.0
        if related < config.place_scores["contained"]:
            return False
    elif not _stories(a, mentions, stories) & _stories(b, mentions, stories):
        return False  # an unlocated claim only answers a claim of its own story
    ra, rb = date_range(a.when), date_range(b.when)
    if ra is not None and rb is not None and max(ra[0], rb[0]) - min(ra[1], rb[1]) > window:
        return False
    claimants_a = set().union(*(_claimants(m, config) for m in _claims(a, mentions)))
    claimants_b = set().union(*(_claimants(m, config) for m in _claims(b, mentions)))
    return bool(claimants_a and claimants_b and not _share(claimants_a, claimants_b))


def _contested(
    event: Event,
    own: Event,
    other: Event,
    mentions: Mapping[str, Mention],
    labels: Mapping[str, str],
) -> Event:
    def describe(e: Event) -> str:
        claims = _claims(e, mentions)
        who = sorted({a.canonical or a.name for m in claims for a in m.actors if a.role == "actor"})
        where = e.location.canonical or e.location.name if e.location else "?"
        outlets = sorted({labels.get(m.article_id, m.article_id) for m in claims})
        return f"{', '.join(who)} {claims[0].status} {e.type} in {where} ({', '.join(outlets)})"

    values = own.fields.get("status", ()) + other.fields.get("status", ())
    reason = f"status: {describe(own)} vs {describe(other)} [event {other.id}]"
    if any(d.reason == reason for d in event.disagreements):
        return event  # already contested by this counter-claim (an incremental re-run)
    return dataclasses.replace(
        event,
        status="contested",
        disagreements=(*event.disagreements, Disagreement("status", reason, values)),
    )

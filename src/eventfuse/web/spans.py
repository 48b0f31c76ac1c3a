"""Every extracted span of an article's mentions, flattened for highlighting in the article view."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from eventfuse.records import Evidence, Mention, to_dict


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    field: str  # sentence, trigger, actor, recipient, location, place, when, quantity, quote...
    label: str  # what was read there, in words
    mention_id: str
    type: str  # the mention's event type
    text: str  # the words read there


def mention_spans(mentions: Iterable[Mention], text_length: int) -> list[dict[str, Any]]:
    """One :class:`Span` (as a dict) per evidence inside the text, sorted by position.

    Spans outside ``[0, text_length]`` (a stale mention of an edited article) are dropped rather
    than highlighted in the wrong place.
    """
    spans = [
        Span(ev.start, ev.end, field, label, m.id, m.type, ev.text)
        for m in mentions
        for field, label, ev in _evidence_of(m)
        if 0 <= ev.start < ev.end <= text_length
    ]
    rank = {name: i for i, name in enumerate(FIELD_ORDER)}
    spans.sort(key=lambda s: (s.start, -s.end, rank.get(s.field, len(rank))))
    return [to_dict(span) for span in spans]


# Wider spans first so the renderer nests narrower ones inside them.
FIELD_ORDER = ("sentence", "trigger", "actor", "recipient", "location", "place", "when",
               "quantity", "quote", "speaker")


def _evidence_of(m: Mention) -> Iterator[tuple[str, str, Evidence]]:
    if m.sentence:
        yield "sentence", m.type, m.sentence
    if m.trigger:
        yield "trigger", f"{m.type}{'/' + m.mode if m.mode else ''}", m.trigger
    for actor in m.actors:
        if actor.evidence:
            yield actor.role, actor.canonical, actor.evidence
    if m.location and m.location.evidence:
        yield "location", f"{m.location.canonical or m.location.name} ({m.location.precision})", \
            m.location.evidence
    for place in m.places:
        if place.evidence:
            yield "place", place.canonical or place.name, place.evidence
    if m.when and m.when.evidence:
        yield "when", _when_label(m), m.when.evidence
    for q in m.quantities:
        if q.evidence:
            high = "∞" if q.high is None else str(q.high)
            yield "quantity", f"{q.kind} [{q.low}, {high}]", q.evidence
    for quote in m.quotes:
        if quote.evidence:
            yield "quote", f"quote of {quote.speaker_canonical or quote.speaker or 'unknown'}", \
                quote.evidence
        if quote.speaker_evidence:
            yield "speaker", quote.speaker_canonical or quote.speaker or "speaker", \
                quote.speaker_evidence


def _when_label(m: Mention) -> str:
    when = m.when
    if when is None or when.start is None:
        return "time (unresolved)"
    end = f"..{when.end.isoformat()}" if when.end and when.end != when.start else ""
    return f"{when.start.isoformat()}{end} ({when.precision})"

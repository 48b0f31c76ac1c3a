"""Each source's version of each event field, as JSON-able values with their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventfuse.records import Evidence, Mention, Place, Quantity, SourceValue, When

QUANTITY_FIELDS = ("size", "killed", "injured", "arrested")
FIELDS = ("type", "date", "location", "actor", "recipient", *QUANTITY_FIELDS, "status")


def when_value(when: When) -> dict[str, Any]:
    return {
        "text": when.text,
        "start": when.start.isoformat() if when.start else None,
        "end": (when.end or when.start).isoformat() if when.start else None,
        "precision": when.precision,
        "anchor": when.anchor,
        "relative": when.relative,
        "anchored_by": list(when.anchored_by),
    }


def place_value(place: Place) -> dict[str, Any]:
    return {
        "name": place.name,
        "canonical": place.canonical,
        "geonames_id": place.geonames_id,
        "country": place.country,
        "admin1": place.admin1,
        "lat": place.lat,
        "lon": place.lon,
        "precision": place.precision,
    }


def quantity_value(quantity: Quantity) -> dict[str, Any]:
    return {"low": quantity.low, "high": quantity.high, "text": quantity.text}


def source_values(mentions: Sequence[Mention]) -> dict[str, tuple[SourceValue, ...]]:
    """Every field's values from every mention (sorted by mention id); nothing is dropped."""
    fields: dict[str, list[SourceValue]] = {name: [] for name in FIELDS}
    for m in sorted(mentions, key=lambda x: x.id):
        fallback = m.trigger or m.sentence
        add = _adder(fields, m)
        add("type", {"type": m.type, "mode": m.mode}, fallback)
        if m.when is not None:
            add("date", when_value(m.when), m.when.evidence or fallback)
        if m.location is not None:
            add("location", place_value(m.location), m.location.evidence or fallback)
        for actor in m.actors:
            add(actor.role, actor.canonical or actor.name, actor.evidence or fallback)
        for q in m.quantities:
            add(q.kind, quantity_value(q), q.evidence or fallback)
        add("status", m.status, fallback)
    return {name: tuple(values) for name, values in fields.items() if values}


def _adder(fields: dict[str, list[SourceValue]], mention: Mention) -> Any:
    def add(name: str, value: Any, evidence: Evidence | None) -> None:
        fields[name].append(SourceValue(mention.article_id, value, evidence, mention.id))

    return add

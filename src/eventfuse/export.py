"""Events out: JSON, JSON Lines, ACLED-like CSV, GeoJSON, Parquet, and a side-by-side comparison.

Pure functions over records (records.py). One flat row per event (:func:`event_row`) feeds the CSV,
the GeoJSON properties and the Parquet table, so the three always carry the same columns.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import pycountry
from rich.table import Table
from rich.text import Text

from eventfuse.records import (
    Article,
    Event,
    EventSource,
    Evidence,
    Mention,
    Place,
    Quantity,
    When,
    to_dict,
)

QUANTITY_KINDS = ("size", "killed", "injured", "arrested")
# ACLED's codebook: time_precision 1 = day, 2 = week, 3 = month (a year is at best "month").
ACLED_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
# ACLED's codebook: geo_precision 1 = the place itself, 2 = near it / part of a region,
# 3 = only the province or country is known.
ACLED_GEO_PRECISION = {"point": 1, "region": 2, "admin1": 3, "country": 3}
# ACLED's disorder_type for each of its event types.
ACLED_DISORDER_TYPE = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# (column, kind) of the flat event row: ACLED-like columns, PLOVER columns, then extras.
# The kind ("str", "int", "float", "bool") types the Parquet schema.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id_cnty", "str"),
    ("event_date", "str"),
    ("year", "int"),
    ("time_precision", "int"),
    ("disorder_type", "str"),
    ("event_type", "str"),
    ("sub_event_type", "str"),
    ("actor1", "str"),
    ("assoc_actor_1", "str"),
    ("actor2", "str"),
    ("country", "str"),
    ("admin1", "str"),
    ("location", "str"),
    ("latitude", "float"),
    ("longitude", "float"),
    ("geo_precision", "int"),
    ("source", "str"),
    ("source_scale", "str"),
    ("notes", "str"),
    ("fatalities", "int"),
    ("plover_type", "str"),
    ("plover_mode", "str"),
    ("status", "str"),
    ("disputed", "bool"),
    ("n_sources", "int"),
    ("independent_sources", "int"),
    ("event_end_date", "str"),
    ("iso", "str"),
    ("geonames_id", "int"),
    *((f"{kind}_{end}", "int") for kind in QUANTITY_KINDS for end in ("low", "high")),
    ("discrepancies", "str"),
    ("confidence", "float"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)

Target = str | Path | IO[str]


# --- JSON --------------------------------------------------------------------------------------


def event_to_json(event: Event, articles: Mapping[str, Article]) -> dict[str, Any]:
    """The event as DESIGN §5's JSON document, every source's version kept."""
    return {
        "id": event.id,
        "type": event.type,
        "mode": event.mode,
        "acled": {"event_type": event.acled_event_type,
                  "sub_event_type": event.acled_sub_event_type},
        "date": _date_json(event.when),
        "location": _location_json(event.location),
        "actors": [
            {"role": a.role, "name": a.name, "canonical": a.canonical, "type": a.type,
             "country": a.country}
            for a in event.actors
        ],
        "quantities": {q.kind: _quantity_json(q) for q in _first_per_kind(event.quantities)},
        "sources": [_source_json(s, articles) for s in event.sources],
        "independent_sources": event.independent_sources,
        "quotes": _quote_groups_json(event),
        "quote_list": _flat_quotes_json(event),
        "discrepancies": [
            {"field": d.field, "reason": d.reason,
             "values": [{"article_id": v.article_id, "value": to_dict(v.value),
                         "evidence": _evidence_json(v.evidence)} for v in d.values]}
            for d in event.disagreements
        ],
        "fields": {name: [{"article_id": v.article_id, "value": to_dict(v.value),
                           "mention_id": v.mention_id} for v in values]
                   for name, values in event.fields.items()},
        "mention_ids": list(event.mention_ids),
        "status": event.status,
        "confidence": event.confidence,
        "disputed": is_disputed(event),
    }


def is_disputed(event: Event) -> bool:
    return bool(event.disagreements) or event.status == "contested"


def _date_json(when: When | None) -> dict[str, Any] | None:
    if when is None:
        return None
    return {
        "start": when.start.isoformat() if when.start else None,
        "end": (when.end or when.start).isoformat() if when.start else None,
        "precision": when.precision,
        "anchor": when.anchor,
        "anchored_by": list(when.anchored_by),
        "text": when.text,
    }


def _location_json(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {
        "name": place.canonical or place.name,
        "text": place.name,
        "geonames_id": place.geonames_id,
        "country": place.country,
        "admin1": place.admin1,
        "lat": place.lat,
        "lon": place.lon,
        "precision": place.precision,
        "note": place.note,
    }


def _quantity_json(q: Quantity) -> dict[str, Any]:
    return {"low": q.low, "high": q.high, "text": q.text,
            "article_id": q.evidence.article_id if q.evidence else None}


def _first_per_kind(quantities: Iterable[Quantity]) -> list[Quantity]:
    """The event's consensus quantity of each kind (fusion lists the consensus first)."""
    seen: dict[str, Quantity] = {}
    for q in quantities:
        seen.setdefault(q.kind, q)
    return list(seen.values())


def _evidence_json(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {"article_id": evidence.article_id, "start": evidence.start, "end": evidence.end,
            "text": evidence.text}


def _source_json(source: EventSource, articles: Mapping[str, Article]) -> dict[str, Any]:
    article = articles.get(source.article_id)
    published = source.published or (article.published if article else None)
    return {
        "article_id": source.article_id,
        "outlet": source.outlet or (article.outlet if article else None),
        "title": source.title or (article.title if article else None),
        "url": article.url if article else None,
        "published": published.isoformat() if published else None,
        "copy_of": source.copy_of or (article.copy_of if article else None),
        "evidence": _evidence_json(source.evidence),
    }


def _quote_groups_json(event: Event) -> list[dict[str, Any]]:
    """One entry per speaker's statement; ``text``/``article_id`` are its first rendering."""
    groups = []
    for group in event.quotes:
        renderings = [
            {"text": q.text, "article_id": q.evidence.article_id if q.evidence else None,
             "evidence": _evidence_json(q.evidence)}
            for q in group.renderings
        ]
        first = renderings[0] if renderings else {"text": None, "article_id": None}
        groups.append({"speaker": group.speaker, "text": first["text"],
                       "article_id": first["article_id"], "renderings": renderings})
    return groups


def _flat_quotes_json(event: Event) -> list[dict[str, Any]]:
    return [
        {"speaker": group.speaker, "text": q.text,
         "article_id": q.evidence.article_id if q.evidence else None}
        for group in event.quotes
        for q in group.renderings
    ]


def write_json(events: Iterable[Event], articles: Mapping[str, Article], target: Target) -> None:
    """A JSON array of events."""
    with _text_out(target) as out:
        json.dump([event_to_json(e, articles) for e in events], out, ensure_ascii=False, indent=2)
        out.write("\n")


def write_jsonl(events: Iterable[Event], articles: Mapping[str, Article], target: Target) -> None:
    """One event JSON document per line."""
    with _text_out(target) as out:
        for event in events:
            out.write(json.dumps(event_to_json(event, articles), ensure_ascii=False) + "\n")


# --- the flat row: CSV, GeoJSON, Parquet ------------------------------------------------------


def event_row(event: Event, articles: Mapping[str, Article]) -> dict[str, Any]:
    """One flat row of scalars (None where unknown), keyed by :data:`COLUMN_NAMES`."""
    when, place = event.when, event.location
    start = when.start if when else None
    actors = [a.canonical or a.name for a in event.actors if a.role == "actor"]
    recipients = [a.canonical or a.name for a in event.actors if a.role == "recipient"]
    quantities: dict[str, Quantity] = {q.kind: q for q in _first_per_kind(event.quantities)}
    killed = quantities.get("killed")
    row: dict[str, Any] = {
        "event_id_cnty": event.id,
        "event_date": start.isoformat() if start else None,
        "year": start.year if start else None,
        "time_precision": ACLED_TIME_PRECISION.get(when.precision) if when else None,
        "disorder_type": ACLED_DISORDER_TYPE.get(event.acled_event_type or ""),
        "event_type": event.acled_event_type,
        "sub_event_type": event.acled_sub_event_type,
        "actor1": actors[0] if actors else None,
        "assoc_actor_1": "; ".join(actors[1:]) or None,
        "actor2": "; ".join(recipients) or None,
        "country": _country_name(place.country) if place else None,
        "admin1": place.admin1 if place else None,
        "location": (place.canonical or place.name) if place else None,
        "latitude": place.lat if place else None,
        "longitude": place.lon if place else None,
        "geo_precision": ACLED_GEO_PRECISION.get(place.precision) if place else None,
        "source": "; ".join(_outlets(event, articles)) or None,
        "source_scale": _source_scale(event, articles),
        "notes": _notes(event),
        # ACLED codes the lowest reliable estimate; no reported deaths is 0, not unknown.
        "fatalities": killed.low if killed else 0,
        "plover_type": event.type,
        "plover_mode": event.mode,
        "status": event.status,
        "disputed": is_disputed(event),
        "n_sources": len(event.sources),
        "independent_sources": event.independent_sources,
        "event_end_date": _end_date(when),
        "iso": _iso3(place.country) if place else None,
        "geonames_id": place.geonames_id if place else None,
        "discrepancies": "; ".join(d.field for d in event.disagreements) or None,
        "confidence": event.confidence,
    }
    for kind in QUANTITY_KINDS:
        q = quantities.get(kind)
        row[f"{kind}_low"] = q.low if q else None
        row[f"{kind}_high"] = q.high if q else None
    return {name: row[name] for name in COLUMN_NAMES}


def _end_date(when: When | None) -> str | None:
    if when is None or when.start is None:
        return None
    return (when.end or when.start).isoformat()


def _outlets(event: Event, articles: Mapping[str, Article]) -> list[str]:
    names: list[str] = []
    for source in event.sources:
        article = articles.get(source.article_id)
        name = source.outlet or (article.outlet if article else None)
        if name and name not in names:
            names.append(name)
    return names


def _source_scale(event: Event, articles: Mapping[str, Article]) -> str | None:
    """ACLED's source_scale when the articles' metadata carry one (the text cannot tell it)."""
    scales = {
        str(articles[s.article_id].metadata["source_scale"])
        for s in event.sources
        if s.article_id in articles and "source_scale" in articles[s.article_id].metadata
    }
    return "-".join(sorted(scales)) or None


def _notes(event: Event) -> str | None:
    """The first source's describing sentence, then the disagreements, as ACLED-style notes."""
    parts = [s.evidence.text.strip() for s in event.sources[:1] if s.evidence is not None]
    if event.disagreements:
        reasons = "; ".join(d.reason for d in event.disagreements)
        parts.append(f"Sources disagree on {reasons}.")
    return " ".join(parts) or None


def _country_name(alpha2: str | None) -> str | None:
    record = pycountry.countries.get(alpha_2=alpha2) if alpha2 else None
    return str(record.name) if record is not None else alpha2


def _iso3(alpha2: str | None) -> str | None:
    record = pycountry.countries.get(alpha_2=alpha2) if alpha2 else None
    return str(record.alpha_3) if record is not None else None


def csv_cell(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would run as a formula gets a '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(events: Iterable[Event], articles: Mapping[str, Article], target: Target) -> None:
    """ACLED-like columns, then PLOVER columns and extras; one row per event."""
    with _text_out(target, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMN_NAMES)
        for event in events:
            writer.writerow([csv_cell(v) for v in event_row(event, articles).values()])


def events_to_geojson(
    events: Iterable[Event], articles: Mapping[str, Article], include_unlocated: bool = False
) -> dict[str, Any]:
    """RFC 7946 FeatureCollection of Points ([lon, lat]); properties are flat scalars (QGIS).

    Events without coordinates are left out, or kept with a null geometry when asked.
    """
    features = []
    for event in events:
        place = event.location
        located = place is not None and place.lat is not None and place.lon is not None
        if not located and not include_unlocated:
            continue
        geometry = (
            {"type": "Point", "coordinates": [place.lon, place.lat]}
            if located and place is not None
            else None
        )
        features.append({"type": "Feature", "id": event.id, "geometry": geometry,
                         "properties": event_row(event, articles)})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(
    events: Iterable[Event],
    articles: Mapping[str, Article],
    target: Target,
    include_unlocated: bool = False,
) -> None:
    with _text_out(target) as out:
        json.dump(events_to_geojson(events, articles, include_unlocated), out, ensure_ascii=False)
        out.write("\n")


def write_parquet(
    events: Iterable[Event],
    articles: Mapping[str, Article],
    path: str | Path,
    mentions: Iterable[Mention] | None = None,
    with_articles: bool = False,
) -> list[Path]:
    """The flat events table at ``path``; with ``mentions`` / ``with_articles`` also
    ``<stem>.mentions.parquet`` / ``<stem>.articles.parquet`` beside it. Returns the paths written.
    """
    import pyarrow as pa  # heavy: only the Parquet export needs it
    import pyarrow.parquet as pq

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    schema = pa.schema([(name, kinds[kind]) for name, kind in COLUMNS])
    rows = [event_row(e, articles) for e in events]
    main = Path(path)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), main)
    written = [main]
    if mentions is not None:
        written.append(main.with_suffix(".mentions.parquet"))
        pq.write_table(pa.Table.from_pylist([_mention_row(m) for m in mentions]), written[-1])
    if with_articles:
        written.append(main.with_suffix(".articles.parquet"))
        table = pa.Table.from_pylist([_article_row(a) for a in articles.values()])
        pq.write_table(table, written[-1])
    return written


def _mention_row(mention: Mention) -> dict[str, Any]:
    place, when = mention.location, mention.when
    return {
        "id": mention.id, "article_id": mention.article_id, "type": mention.type,
        "mode": mention.mode, "acled_event_type": mention.acled_event_type,
        "acled_sub_event_type": mention.acled_sub_event_type,
        "sentence": mention.sentence.text if mention.sentence else None,
        "date_start": when.start.isoformat() if when and when.start else None,
        "date_precision": when.precision if when else None,
        "location": (place.canonical or place.name) if place else None,
        "geonames_id": place.geonames_id if place else None,
        "latitude": place.lat if place else None,
        "longitude": place.lon if place else None,
        "actors": json.dumps(to_dict(mention.actors), ensure_ascii=False),
        "quantities": json.dumps(to_dict(mention.quantities), ensure_ascii=False),
        "status": mention.status, "confidence": mention.confidence, "outlet": mention.outlet,
    }


def _article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id, "url": article.url, "outlet": article.outlet, "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "copy_of": article.copy_of, "language": article.language, "text": article.text,
    }


FORMATS = ("json", "jsonl", "csv", "geojson", "parquet")


def write_events(
    fmt: str, events: Sequence[Event], articles: Mapping[str, Article], target: Target
) -> None:
    """Write ``events`` in one of :data:`FORMATS` (the ``eventfuse events --format`` renderers).

    Parquet is binary: its target must be a path.
    """
    if fmt == "parquet":
        if not isinstance(target, str | Path):
            raise ValueError("parquet needs a file path (-o FILE), not a stream")
        write_parquet(events, articles, target)
        return
    writers = {"json": write_json, "jsonl": write_jsonl, "csv": write_csv,
               "geojson": write_geojson}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writers[fmt](events, articles, target)


@contextlib.contextmanager
def _text_out(target: Target, newline: str | None = None) -> Iterator[IO[str]]:
    """A path is opened (UTF-8) and closed; an open stream is written to and left open."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline=newline) as out:
            yield out
    else:
        yield target


# --- side-by-side comparison (eventfuse show) ---------------------------------------------------

DISAGREE_STYLE = "bold red"


def render_event_comparison(
    event: Event, articles: Mapping[str, Article], mentions: Mapping[str, Mention]
) -> Table:
    """One column per source: its wording, date, place, actors and counts; conflicts in red."""
    own = [mentions[m] for m in event.mention_ids if m in mentions]
    by_article = {s.article_id: [m for m in own if m.article_id == s.article_id]
                  for s in event.sources}
    disputed = {d.field: {v.article_id for v in d.values} for d in event.disagreements}
    table = Table(title=_comparison_title(event), show_lines=True, expand=True)
    table.add_column("field", style="bold", no_wrap=True)
    for source in event.sources:
        table.add_column(_source_header(source, articles), overflow="fold")
    for label, cell in _comparison_rows(event):
        cells = []
        for source in event.sources:
            text = cell(by_article[source.article_id], source)
            red = source.article_id in disputed.get(label, set())
            cells.append(Text(text, style=DISAGREE_STYLE if red else ""))
        table.add_row(label, *cells)
    shown = {label for label, _ in _comparison_rows(event)}
    for d in event.disagreements:
        if d.field not in shown:  # a field without a row of its own: show the sources' values
            values = {v.article_id: json.dumps(to_dict(v.value), ensure_ascii=False)
                      for v in d.values}
            table.add_row(d.field, *(Text(values.get(s.article_id, ""), style=DISAGREE_STYLE)
                                     for s in event.sources))
    if event.disagreements:
        table.caption = "\n".join("≠ " + d.reason for d in event.disagreements)
        table.caption_style = DISAGREE_STYLE
    return table


# A row's cell for one source: (that article's mentions of the event, its EventSource) -> text.
Cell = Callable[[Sequence[Mention], EventSource], str]


def _comparison_rows(event: Event) -> list[tuple[str, Cell]]:
    rows: list[tuple[str, Cell]] = [
        ("wording", _wording),
        ("date", lambda ms, _s: _join(_when_text(m.when) for m in ms)),
        ("location", lambda ms, _s: _join(_place_text(m.location) for m in ms)),
        ("actor", lambda ms, _s: _join(_actor_names(m, "actor") for m in ms)),
        ("recipient", lambda ms, _s: _join(_actor_names(m, "recipient") for m in ms)),
    ]
    kinds = {q.kind for q in event.quantities} | {d.field for d in event.disagreements}
    for kind in QUANTITY_KINDS:
        if kind in kinds:
            rows.append((kind, _quantity_cell(kind)))
    rows.append(("status", lambda ms, _s: _join(m.status for m in ms)))
    return rows


def _comparison_title(event: Event) -> str:
    mode = f" ({event.mode})" if event.mode else ""
    flag = " — DISPUTED" if is_disputed(event) else ""
    return f"{event.id}: {event.type}{mode}, {event.independent_sources} independent sources{flag}"


def _source_header(source: EventSource, articles: Mapping[str, Article]) -> str:
    article = articles.get(source.article_id)
    outlet = source.outlet or (article.outlet if article else None) or source.article_id
    published = source.published or (article.published if article else None)
    copy = " [wire copy]" if (source.copy_of or (article and article.copy_of)) else ""
    return f"{outlet}{copy}\n{published.isoformat() if published else 'undated'}"


def _wording(mentions: Sequence[Mention], source: EventSource) -> str:
    texts = [m.sentence.text for m in mentions if m.sentence is not None]
    if not texts and source.evidence is not None:
        texts = [source.evidence.text]
    return _join(texts, sep="\n")


def _quantity_cell(kind: str) -> Cell:
    def cell(mentions: Sequence[Mention], _source: EventSource) -> str:
        return _join(_range_text(q) for m in mentions for q in m.quantities if q.kind == kind)

    return cell


def _range_text(q: Quantity) -> str:
    high = "∞" if q.high is None else str(q.high)
    return f'"{q.text}" [{q.low}–{high}]'


def _when_text(when: When | None) -> str:
    if when is None:
        return ""
    if when.start is None:
        return f'"{when.text}" (unresolved)'
    end = f"..{when.end.isoformat()}" if when.end and when.end != when.start else ""
    return f'{when.start.isoformat()}{end} ({when.precision}) "{when.text}"'


def _place_text(place: Place | None) -> str:
    if place is None:
        return ""
    name = place.canonical or place.name
    spelled = f' "{place.name}"' if place.canonical and place.canonical != place.name else ""
    return f"{name}{spelled} ({place.precision})"


def _actor_names(mention: Mention, role: str) -> str:
    return ", ".join(a.canonical or a.name for a in mention.actors if a.role == role)


def _join(parts: Iterable[str], sep: str = "; ") -> str:
    unique: list[str] = []
    for part in parts:
        if part and part not in unique:
            unique.append(part)
    return sep.join(unique)

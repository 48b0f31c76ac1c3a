"""Events out: JSON, JSON Lines, ACLED-like CSV, GeoJSON, Parquet, and a side-by-side comparison.

Pure functions over records (records.py). One flat row per event (:func:`event_row`) feeds the CSV,
the GeoJSON properties and the Parquet table, so the three always carry the same columns.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rich.table import Table
from rich.text import Text

from eventfuse import __version__, acled
from eventfuse.acled import Outlet, load_outlets
from eventfuse.records import (
    Actor,
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
from eventfuse.store import acled_numbers
from eventfuse.store.acled_numbers import AcledIdent

QUANTITY_KINDS = ("size", "killed", "injured", "arrested")
# ACLED's codebook: time_precision 1 = day, 2 = week, 3 = month (a year is at best "month").
ACLED_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
# ACLED's codebook: geo_precision 1 = the place itself, 2 = near it / part of a region,
# 3 = only the province or country is known (or, here, nothing at all).
ACLED_GEO_PRECISION = {"point": 1, "region": 2, "admin1": 3, "country": 3}
COARSEST = 3
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
DATE_FROM_PUBLICATION = "date from publication"

# (column, kind); kind "str", "int", "float", "bool" or "date" types the Parquet schema.
# ACLED's columns in the order of its codebook (2023+ layout). Every "int" of the CSV is filled in
# every row, so pandas reads them as int64.
ACLED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id_cnty", "str"),
    ("event_date", "date"),
    ("year", "int"),
    ("time_precision", "int"),
    ("disorder_type", "str"),
    ("event_type", "str"),
    ("sub_event_type", "str"),
    ("actor1", "str"),
    ("assoc_actor_1", "str"),
    ("inter1", "int"),
    ("actor2", "str"),
    ("assoc_actor_2", "str"),
    ("inter2", "int"),
    ("interaction", "int"),
    ("civilian_targeting", "str"),
    ("iso", "int"),
    ("region", "str"),
    ("country", "str"),
    ("admin1", "str"),
    ("admin2", "str"),
    ("admin3", "str"),
    ("location", "str"),
    ("latitude", "float"),
    ("longitude", "float"),
    ("geo_precision", "int"),
    ("source", "str"),
    ("source_scale", "str"),
    ("notes", "str"),
    ("fatalities", "int"),
    ("tags", "str"),
    ("timestamp", "int"),
)
# eventfuse's own columns after ACLED's: the PLOVER coding, provenance, counts as ranges.
PLOVER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "str"),
    ("plover_type", "str"),
    ("plover_mode", "str"),
    ("status", "str"),
    ("disputed", "bool"),
    ("n_sources", "int"),
    ("independent_sources", "int"),
    ("event_end_date", "date"),
    *((kind, "str") for kind in QUANTITY_KINDS),
    ("discrepancies", "str"),
    ("confidence", "float"),
)
# Often unknown, so only in the typed formats (Parquet, GeoJSON): a CSV cannot say "no integer".
TYPED_EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("geonames_id", "int"),
    *((f"{kind}_{end}", "int") for kind in QUANTITY_KINDS for end in ("low", "high")),
)
CSV_COLUMNS = ACLED_COLUMNS + PLOVER_COLUMNS
COLUMNS = CSV_COLUMNS + TYPED_EXTRA_COLUMNS
ACLED_COLUMN_NAMES = tuple(name for name, _ in ACLED_COLUMNS)
CSV_COLUMN_NAMES = tuple(name for name, _ in CSV_COLUMNS)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What the flat exports need beyond the records: the store's stable ACLED ids (else
    provisional ones, numbered in the given order) and the outlet metadata (source_scale)."""

    idents: Mapping[str, AcledIdent] = field(default_factory=dict)
    outlets: Mapping[str, Outlet] = field(default_factory=dict)


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
        "country_name": _country_name(place.country),
        "admin1": place.admin1,
        "lat": place.lat,
        "lon": place.lon,
        "precision": place.precision,
        "note": place.note,
    }


def _country_name(alpha2: str | None) -> str | None:
    record = acled.country(alpha2)
    return record.name if record else alpha2


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


def event_row(
    event: Event, articles: Mapping[str, Article], context: ExportContext | None = None
) -> dict[str, Any]:
    """One flat row of scalars (None where unknown), keyed by :data:`COLUMN_NAMES`; the ids are
    provisional unless ``context`` holds the store's."""
    return flat_rows([event], articles, context)[0]


def flat_rows(
    events: Iterable[Event], articles: Mapping[str, Article], context: ExportContext | None = None
) -> list[dict[str, Any]]:
    """The flat row of every event, with ``event_id_cnty`` and ``timestamp`` from ``context``."""
    context = context or ExportContext()
    rows = [_content_row(e, articles, context.outlets) for e in events]
    missing = [_export_key(row) for row in rows if row["event_id"] not in context.idents]
    idents = {**acled_numbers.provisional(missing), **context.idents}
    for row in rows:
        ident = idents[row["event_id"]]
        row["event_id_cnty"], row["timestamp"] = ident.event_id_cnty, ident.timestamp
    return [{name: row[name] for name in COLUMN_NAMES} for row in rows]


def export_keys(
    events: Iterable[Event], articles: Mapping[str, Article],
    outlets: Mapping[str, Outlet] | None = None,
) -> list[acled_numbers.ExportKey]:
    """Each event's country prefix and content digest, for :func:`acled_numbers.assign`."""
    return [_export_key(_content_row(e, articles, outlets or {})) for e in events]


def store_context(
    store: Any, events: Sequence[Event], articles: Mapping[str, Article],
    outlets: Mapping[str, Outlet] | None = None,
) -> ExportContext:
    """The export context with the store's stable ids (allocated now for new events)."""
    chosen = load_outlets() if outlets is None else outlets
    idents = acled_numbers.assign(store, export_keys(events, articles, chosen))
    return ExportContext(idents=idents, outlets=chosen)


def _export_key(row: Mapping[str, Any]) -> acled_numbers.ExportKey:
    content = {k: v for k, v in row.items() if k not in ("event_id_cnty", "timestamp")}
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return acled_numbers.ExportKey(row["event_id"], row["_prefix"],
                                   hashlib.sha256(text.encode()).hexdigest()[:32])


def _content_row(
    event: Event, articles: Mapping[str, Article], outlets: Mapping[str, Outlet]
) -> dict[str, Any]:
    """Every column but the store-given ids, plus ``_prefix`` (the id's ISO3 part)."""
    place = event.location
    country = acled.country(place.country) if place else None
    day, precision, from_publication = _acled_date(event, articles)
    quantities: dict[str, Quantity] = {q.kind: q for q in _first_per_kind(event.quantities)}
    killed = quantities.get("killed")
    rules = acled.conventions()
    row: dict[str, Any] = {
        "event_date": day,
        "year": day.year if day else None,
        "time_precision": precision,
        "disorder_type": ACLED_DISORDER_TYPE.get(event.acled_event_type or ""),
        "event_type": event.acled_event_type,
        "sub_event_type": event.acled_sub_event_type,
        **_actor_columns(event, country),
        "iso": country.numeric if country else rules.unknown_iso,
        "region": country.region if country else None,
        "country": country.name if country else None,
        "admin1": place.admin1 if place else None,
        "admin2": _admin2(place),
        "admin3": None,
        "location": (place.canonical or place.name) if place else None,
        "latitude": place.lat if place else None,
        "longitude": place.lon if place else None,
        "geo_precision": ACLED_GEO_PRECISION.get(place.precision, COARSEST) if place else COARSEST,
        "source": "; ".join(_outlets(event, articles)) or None,
        "source_scale": acled.source_scale(event, articles, outlets),
        "notes": _notes(event),
        # ACLED codes the lowest reliable estimate; no reported deaths is 0, not unknown.
        "fatalities": killed.low if killed else 0,
        "tags": _tags(event, quantities, from_publication),
        "event_id": event.id,
        "plover_type": event.type,
        "plover_mode": event.mode,
        "status": event.status,
        "disputed": is_disputed(event),
        "n_sources": len(event.sources),
        "independent_sources": event.independent_sources,
        "event_end_date": _end_date(event.when),
        "discrepancies": "; ".join(d.field for d in event.disagreements) or None,
        "confidence": event.confidence,
        "geonames_id": place.geonames_id if place else None,
        "_prefix": country.alpha3 if country else rules.unknown_prefix,
    }
    row["civilian_targeting"] = acled.civilian_targeting(event, row["inter2"]) or None
    for kind in QUANTITY_KINDS:
        q = quantities.get(kind)
        row[kind] = _range_label(q) if q else None
        row[f"{kind}_low"] = q.low if q else None
        row[f"{kind}_high"] = q.high if q else None
    return row


def _acled_date(
    event: Event, articles: Mapping[str, Article]
) -> tuple[dt.date | None, int | None, bool]:
    """(day, ACLED time_precision, taken from publication?). An event the text does not date is
    placed, as ACLED does, at its earliest report with the coarsest precision (3)."""
    when = event.when
    if when is not None and when.start is not None:
        return when.start, ACLED_TIME_PRECISION.get(when.precision, COARSEST), False
    published = [day for day in (_published(s, articles) for s in event.sources) if day]
    if published:
        return min(published), COARSEST, True
    return None, None, False


def _published(source: EventSource, articles: Mapping[str, Article]) -> dt.date | None:
    article = articles.get(source.article_id)
    return source.published or (article.published if article else None)


def _actor_columns(event: Event, country: acled.Country | None) -> dict[str, Any]:
    """actor1/assoc_actor_1/inter1, actor2/assoc_actor_2/inter2 and interaction, ACLED-style:
    a demonstration's actor1 is its crowd ("Protesters (Kenya)"), its named groups associated."""
    actors = _lead_first([a for a in event.actors if a.role == "actor"])
    recipients = _lead_first([a for a in event.actors if a.role == "recipient"])
    crowd = acled.conventions().crowd_actors.get(event.acled_event_type or "")
    if crowd is not None:
        name, inter1 = crowd
        actor1: str | None = f"{name} ({country.name})" if country else name
        associated = actors
    else:
        actor1 = _actor_name(actors[0]) if actors else None
        inter1 = acled.inter_code(actors[:1])
        associated = actors[1:]
    inter2 = acled.inter_code(recipients[:1])
    return {
        "actor1": actor1,
        "assoc_actor_1": "; ".join(_actor_name(a) for a in associated) or None,
        "inter1": inter1,
        "actor2": _actor_name(recipients[0]) if recipients else None,
        "assoc_actor_2": "; ".join(_actor_name(a) for a in recipients[1:]) or None,
        "inter2": inter2,
        "interaction": acled.interaction(inter1, inter2),
    }


def _lead_first(actors: list[Actor]) -> list[Actor]:
    """The actors with a known ACLED type first (stable otherwise): they lead as actor1/2."""
    codes = acled.conventions().inter_codes
    return sorted(actors, key=lambda a: a.type not in codes)


def _actor_name(actor: Actor) -> str:
    return actor.canonical or actor.name


def _admin2(place: Place | None) -> str | None:
    if place is None or place.geonames_id is None or place.precision != "point":
        return None
    return acled.admin2(place.geonames_id)


def _tags(event: Event, quantities: Mapping[str, Quantity], from_publication: bool) -> str | None:
    tags = []
    if event.acled_event_type in acled.conventions().crowd_actors:
        size = quantities.get("size")
        tags.append(f"crowd size={size.text if size else 'no report'}")
    if from_publication:
        tags.append(DATE_FROM_PUBLICATION)
    return "; ".join(tags) or None


def _range_label(q: Quantity) -> str:
    """"24-99", "2-2", "12+": always text, so a CSV reader never takes it for a number."""
    return f"{q.low}+" if q.high is None else f"{q.low}-{q.high}"


def _end_date(when: When | None) -> dt.date | None:
    if when is None or when.start is None:
        return None
    return when.end or when.start


def _outlets(event: Event, articles: Mapping[str, Article]) -> list[str]:
    names: list[str] = []
    for source in event.sources:
        article = articles.get(source.article_id)
        name = source.outlet or (article.outlet if article else None)
        name = name or acled.outlet_domain(article.url if article else None)
        if name and name not in names:
            names.append(name)
    return names


def _notes(event: Event) -> str | None:
    """The first source's describing sentence, then the disagreements, as ACLED-style notes."""
    parts = [s.evidence.text.strip() for s in event.sources[:1] if s.evidence is not None]
    if event.disagreements:
        reasons = "; ".join(d.reason for d in event.disagreements)
        parts.append(f"Sources disagree on {reasons}.")
    return " ".join(parts) or None


def csv_cell(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would run as a formula gets a '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(
    events: Iterable[Event], articles: Mapping[str, Article], target: Target,
    context: ExportContext | None = None,
) -> int:
    """ACLED's columns in its order, then the PLOVER columns; one row per event ACLED could code.

    An event with no date at all (neither in the text nor a publication date) has no ACLED row:
    it is left out and counted in the return value.
    """
    rows = flat_rows(events, articles, context)
    kept = [row for row in rows if row["event_date"] is not None]
    with _text_out(target, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMN_NAMES)
        for row in kept:
            writer.writerow([csv_cell(row[name]) for name in CSV_COLUMN_NAMES])
    return len(rows) - len(kept)


def events_to_geojson(
    events: Iterable[Event], articles: Mapping[str, Article], context: ExportContext | None = None
) -> dict[str, Any]:
    """RFC 7946 FeatureCollection; properties are flat scalars (QGIS). Every event is a feature:
    a Point ([lon, lat]) where it is placed, a null geometry (RFC 7946 §3.2) where it is not."""
    features = []
    for event, row in zip(events := list(events), flat_rows(events, articles, context),
                          strict=True):
        place = event.location
        geometry = (
            {"type": "Point", "coordinates": [place.lon, place.lat]}
            if place is not None and place.lat is not None and place.lon is not None
            else None
        )
        properties = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
        features.append({"type": "Feature", "id": event.id, "geometry": geometry,
                         "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def unplaced_count(collection: Mapping[str, Any]) -> int:
    """How many features of a FeatureCollection have no geometry."""
    return sum(1 for f in collection["features"] if f["geometry"] is None)


def write_geojson(
    events: Iterable[Event],
    articles: Mapping[str, Article],
    target: Target,
    context: ExportContext | None = None,
) -> int:
    """Every event as a feature; returns how many have no coordinates (null geometry)."""
    collection = events_to_geojson(events, articles, context)
    with _text_out(target) as out:
        json.dump(collection, out, ensure_ascii=False)
        out.write("\n")
    return unplaced_count(collection)


def write_parquet(
    events: Iterable[Event],
    articles: Mapping[str, Article],
    path: str | Path,
    mentions: Iterable[Mention] | None = None,
    with_articles: bool = False,
    context: ExportContext | None = None,
) -> list[Path]:
    """The flat events table at ``path`` (every event, dates as dates, integers as nullable
    integers: pandas reads them as Int64); with ``mentions`` / ``with_articles`` also
    ``<stem>.mentions.parquet`` / ``<stem>.articles.parquet`` beside it. Returns the paths written.
    """
    import pyarrow as pa  # heavy: only the Parquet export needs it
    import pyarrow.parquet as pq

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "date": pa.date32()}
    schema = pa.schema([(name, kinds[kind]) for name, kind in COLUMNS],
                       metadata={b"pandas": json.dumps(_pandas_metadata()).encode()})
    main = Path(path)
    pq.write_table(pa.Table.from_pylist(flat_rows(events, articles, context), schema=schema), main)
    written = [main]
    if mentions is not None:
        written.append(main.with_suffix(".mentions.parquet"))
        pq.write_table(pa.Table.from_pylist([_mention_row(m) for m in mentions]), written[-1])
    if with_articles:
        written.append(main.with_suffix(".articles.parquet"))
        table = pa.Table.from_pylist([_article_row(a) for a in articles.values()])
        pq.write_table(table, written[-1])
    return written


# pandas dtype of each kind when it reads the Parquet file: integers may be missing (Int64).
PANDAS_DTYPES = {"str": "object", "int": "Int64", "float": "float64", "bool": "bool",
                 "date": "object"}
_PANDAS_TYPES = {"str": "unicode", "int": "int64", "float": "float64", "bool": "bool",
                 "date": "date"}


def _pandas_metadata() -> dict[str, Any]:
    """The schema note pandas reads back: which columns are nullable integers (Int64)."""
    return {
        "index_columns": [], "column_indexes": [],
        "columns": [{"name": name, "field_name": name, "pandas_type": _PANDAS_TYPES[kind],
                     "numpy_type": PANDAS_DTYPES[kind], "metadata": None}
                    for name, kind in COLUMNS],
        "creator": {"library": "eventfuse", "version": __version__},
        "pandas_version": "2.3.3",
    }


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


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote: rows, events the ACLED CSV could not hold (no date at all),
    features without coordinates (GeoJSON)."""

    events: int
    left_out: int = 0
    unplaced: int = 0


def write_events(
    fmt: str, events: Sequence[Event], articles: Mapping[str, Article], target: Target,
    context: ExportContext | None = None,
) -> ExportReport:
    """Write ``events`` in one of :data:`FORMATS` (the ``eventfuse events --format`` renderers).

    Parquet is binary: its target must be a path.
    """
    if fmt == "parquet":
        if not isinstance(target, str | Path):
            raise ValueError("parquet needs a file path (-o FILE), not a stream")
        write_parquet(events, articles, target, context=context)
        return ExportReport(len(events))
    if fmt == "csv":
        left_out = write_csv(events, articles, target, context)
        return ExportReport(len(events) - left_out, left_out=left_out)
    if fmt == "geojson":
        return ExportReport(len(events), unplaced=write_geojson(events, articles, target, context))
    writers = {"json": write_json, "jsonl": write_jsonl}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writers[fmt](events, articles, target)
    return ExportReport(len(events))


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
    table.add_column("consensus\n(fused)", style="bold", overflow="fold")
    for source in event.sources:
        table.add_column(_source_header(source, articles), overflow="fold")
    for label, cell in _comparison_rows(event):
        cells = [Text(_consensus_text(event, label))]
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
            table.add_row(d.field, Text(_consensus_text(event, d.field)),
                          *(Text(values.get(s.article_id, ""), style=DISAGREE_STYLE)
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


def _consensus_text(event: Event, label: str) -> str:
    """The fused event's value of one comparison row: what the sources were reconciled to."""
    quantities = {q.kind: q for q in _first_per_kind(event.quantities)}
    if label in quantities:
        return _range_text(quantities[label])
    by_label: dict[str, Callable[[], str]] = {
        "wording": lambda: f"{event.type}/{event.mode}" if event.mode else event.type,
        "date": lambda: _when_text(event.when),
        "location": lambda: _place_text(event.location),
        "actor": lambda: ", ".join(_actor_name(a) for a in event.actors if a.role == "actor"),
        "recipient": lambda: ", ".join(_actor_name(a) for a in event.actors
                                       if a.role == "recipient"),
        "status": lambda: event.status,
        "type": lambda: event.type,
    }
    text = by_label[label]() if label in by_label else ""
    return text or "—"


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

"""Whole-pipeline evaluation on real local news about known incidents (the gva-dev layout).

The folder holds ``articles.jsonl`` (id, url, title, published, text), ``gold.json`` (article id ->
incident id) and ``incidents.json`` (incident id -> date, city, state, killed, injured, latlon).
The product sees only the articles; the gold tells which of them report one real incident.

Reported figures:

- events per article: how many events cite an article, on average (one real happening should be
  one row);
- article clustering B³: an article belongs to the event citing it with the most evidence spans
  (ties: more sources, then the smaller id); articles no event cites stay alone;
- per incident, for the event most of its articles point to: place within 25 km (also over only
  the incidents the gold gives a point, ``place_within_25km_of_known``, and over all incidents
  with the gold's city standing in for a missing point, ``place_within_25km_of_gold_town``),
  start date equal
  to the incident's date (and within a day), killed and injured ranges holding the recorded
  counts (an event without a killed count says 0).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventfuse.errors import EventfuseError
from eventfuse.evaluate.metrics import b_cubed
from eventfuse.geo import haversine_km
from eventfuse.records import Article, Event, MentionKey, Place, Quantity, to_dict
from eventfuse.settings import Options

if TYPE_CHECKING:
    from eventfuse.extract.gazetteer import Gazetteer

NEAR_KM = 25.0

# incident id -> the gold city's point where the gold gives no latlon (None: did not resolve)
TownPoints = Mapping[str, tuple[float, float] | None]


class IncidentsError(EventfuseError):
    """The incidents folder cannot be read."""


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    date: dt.date | None
    killed: int
    injured: int
    lat: float | None
    lon: float | None
    city: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class IncidentGold:
    article_incident: Mapping[str, str]  # the input record's id -> incident id
    incidents: Mapping[str, Incident]


def read_incident_gold(directory: Path) -> IncidentGold:
    """``gold.json`` and ``incidents.json`` of ``directory``; names the file on any problem."""
    gold = _load_json(directory / "gold.json")
    raw = _load_json(directory / "incidents.json")
    if not isinstance(gold, dict) or not isinstance(raw, dict):
        raise IncidentsError(f"[V101] {directory}: gold.json and incidents.json must be objects")
    incidents = {}
    for incident_id, value in raw.items():
        try:
            incidents[str(incident_id)] = _incident(str(incident_id), value)
        except (KeyError, TypeError, ValueError) as exc:
            raise IncidentsError(
                f"[V102] {directory / 'incidents.json'}: incident {incident_id}: {exc}"
            ) from exc
    return IncidentGold({str(k): str(v) for k, v in gold.items()}, incidents)


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IncidentsError(f"[V100] cannot read {path}: {exc}") from exc


def _incident(incident_id: str, value: Mapping[str, Any]) -> Incident:
    latlon = value.get("latlon") or (None, None)
    date = value.get("date")
    return Incident(
        id=incident_id,
        date=dt.datetime.strptime(date, "%B %d, %Y").date() if date else None,
        killed=int(value.get("killed") or 0),
        injured=int(value.get("injured") or 0),
        lat=float(latlon[0]) if latlon[0] is not None else None,
        lon=float(latlon[1]) if latlon[1] is not None else None,
        city=value.get("city"),
        state=value.get("state"),
    )


# --- the pipeline, as a user runs it ----------------------------------------------------------


def run_pipeline(
    directory: Path, options: Options, parse_cache: Path | None = None
) -> tuple[list[Article], list[Event]]:
    """Ingest ``articles.jsonl`` into a fresh in-memory store, extract, fuse; the stored
    articles and events. ``parse_cache`` keeps spaCy parses between runs (evaluation speed only:
    the same Docs come out). More than ``fuse_every`` articles are extracted and fused in
    slices, as ``eventfuse run`` does."""
    from eventfuse.engines.local import (
        fuse_all,
        fusion_slices,
        ingest_articles,
        with_later_slices,
    )
    from eventfuse.extract import extract_articles
    from eventfuse.ingest.sources import read_file
    from eventfuse.store import open_store

    path = directory / "articles.jsonl"
    if not path.is_file():
        raise IncidentsError(f"[V103] {path}: no such file")
    with open_store(":memory:") as store:
        ingested = ingest_articles(read_file(str(path), options), store, options)
        whole_file = [e for e in ingested.errors if e.path == str(path)]
        if whole_file:
            # The file was not read (records it skips are reported by line, and are not this):
            # a figure over no articles would look like a score of the set.
            raise IncidentsError(f"[V104] {whole_file[0]}")
        slices = fusion_slices(store, [a.id for a in store.get_articles()], options)
        for ids, later in with_later_slices(slices):
            articles = store.get_articles(ids)
            for start in range(0, len(articles), 256):
                batch = articles[start : start + 256]
                mentions = extract_articles(batch, options, parse_cache=parse_cache)
                store.put_mentions([a.id for a in batch], mentions)
            fuse_all(store, options, unextracted=later)
        return store.get_articles(), store.get_events()


# --- scoring ----------------------------------------------------------------------------------


def evaluate_incidents(
    directory: Path,
    options: Options,
    predictions: Path | None = None,
    parse_cache: Path | None = None,
) -> dict[str, Any]:
    gold = read_incident_gold(directory)
    articles, events = run_pipeline(directory, options, parse_cache)
    scores = score_incidents(gold, articles, events, gold_town_points(gold))
    if predictions is not None:
        _write_predictions(predictions, articles, events)
    return scores


def score_incidents(
    gold: IncidentGold,
    articles: Sequence[Article],
    events: Sequence[Event],
    town_points: TownPoints | None = None,
) -> dict[str, Any]:
    """The figures of the module docstring, from stored articles and fused events;
    ``town_points`` (see :func:`gold_town_points`) stand in for missing gold points in
    ``place_within_25km_of_gold_town`` only."""
    record_of = {a.id: a.source_id or a.id for a in articles}
    gold_articles = [a for a in articles if record_of[a.id] in gold.article_incident]
    citing = _events_citing(events)
    chosen = {a.id: _article_event(citing.get(a.id, [])) for a in gold_articles}
    counts = [len({e.id for e, _ in citing.get(a.id, [])}) for a in gold_articles]
    key: dict[str, set[str]] = defaultdict(set)
    response: dict[str, set[str]] = defaultdict(set)
    for article in gold_articles:
        key[gold.article_incident[record_of[article.id]]].add(article.id)
        event = chosen[article.id]
        response[event.id if event else f"none:{article.id}"].add(article.id)
    b3 = b_cubed(list(key.values()), list(response.values()))
    per_incident = _incident_scores(gold, key, chosen, town_points or {})
    n = max(len(per_incident), 1)
    return {
        "articles": len(gold_articles),
        "incidents": len(per_incident),
        "events": len(events),
        "events_per_article": sum(counts) / max(len(counts), 1),
        "articles_without_event": sum(1 for c in counts if c == 0),
        "b3": b3.as_dict(),
        "place_within_25km": sum(s["place"] for s in per_incident) / n,
        # the gold gives no point for some incidents (every event misses those): the share over
        # the incidents that have one
        "place_within_25km_of_known": sum(s["place"] for s in per_incident)
        / max(sum(s["located"] for s in per_incident), 1),
        # every incident; one without a gold point is scored against its gold city, resolved in
        # its gold state (one whose city does not resolve is a miss)
        "place_within_25km_of_gold_town": sum(s["place_town"] for s in per_incident) / n,
        "date_exact": sum(s["date_exact"] for s in per_incident) / n,
        "date_within_1day": sum(s["date_1day"] for s in per_incident) / n,
        "killed": sum(s["killed"] for s in per_incident) / n,
        "injured": sum(s["injured"] for s in per_incident) / n,
        "incident_without_event": sum(1 for s in per_incident if not s["has_event"]),
    }


def _events_citing(events: Iterable[Event]) -> dict[str, list[tuple[Event, int]]]:
    """Article id -> (event, evidence spans the event holds from that article)."""
    spans: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_id = {e.id: e for e in events}
    for event in by_id.values():
        for source in event.sources:
            spans[source.article_id][event.id] += 0
        for values in event.fields.values():
            for value in values:
                if value.evidence is not None:
                    spans[value.article_id][event.id] += 1
        for mention_id in event.mention_ids:
            spans[MentionKey.parse(mention_id).article_id][event.id] += 1
    return {a: [(by_id[e], n) for e, n in per.items()] for a, per in spans.items()}


def _article_event(cited: Sequence[tuple[Event, int]]) -> Event | None:
    if not cited:
        return None
    best = min(cited, key=lambda pair: (-pair[1], -len(pair[0].sources), pair[0].id))
    return best[0]


def _incident_scores(
    gold: IncidentGold,
    key: Mapping[str, set[str]],
    chosen: Mapping[str, Event | None],
    town_points: TownPoints,
) -> list[dict[str, bool]]:
    scores = []
    for incident_id, article_ids in sorted(key.items()):
        incident = gold.incidents.get(incident_id)
        if incident is None:
            continue
        picked = [e for e in (chosen[a] for a in article_ids) if e is not None]
        votes = Counter(e.id for e in picked)
        events = {e.id: e for e in picked}
        event = (
            events[min(votes, key=lambda e: (-votes[e], e))] if votes else None
        )
        score = _incident_score(incident, event)
        town = town_points.get(incident_id) if incident.lat is None else None
        score["place_town"] = score["place"] or (
            town is not None and _near(event.location if event else None, *town)
        )
        scores.append(score)
    return scores


def _incident_score(incident: Incident, event: Event | None) -> dict[str, bool]:
    if event is None:
        return {"has_event": False, "place": False, "date_exact": False, "date_1day": False,
                "killed": False, "injured": False, "located": incident.lat is not None}
    start = event.when.start if event.when else None
    near = (
        incident.lat is not None and incident.lon is not None
        and _near(event.location, incident.lat, incident.lon)
    )
    return {
        "has_event": True,
        "located": incident.lat is not None and incident.lon is not None,
        "place": near,
        "date_exact": start is not None and start == incident.date,
        "date_1day": start is not None and incident.date is not None
        and abs((start - incident.date).days) <= 1,
        "killed": _holds(event.quantities, "killed", incident.killed),
        "injured": _holds(event.quantities, "injured", incident.injured),
    }


def _near(place: Place | None, lat: float, lon: float) -> bool:
    return (
        place is not None and place.lat is not None and place.lon is not None
        and haversine_km(place.lat, place.lon, lat, lon) <= NEAR_KM
    )


# --- the gold's city where it gives no point ---------------------------------------------------

_PARENTHESIS = re.compile(r"^(?P<city>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*$")


def gold_town_points(
    gold: IncidentGold, gazetteer: Gazetteer | None = None
) -> dict[str, tuple[float, float] | None]:
    """Incident id -> the point of its gold city in its gold state, for incidents the gold gives
    no latlon (None where the city does not resolve)."""
    missing = [i for i in gold.incidents.values() if i.lat is None or i.lon is None]
    if not missing:
        return {}
    if gazetteer is None:
        from eventfuse.extract.gazetteer import get_gazetteer

        gazetteer = get_gazetteer()
    return {i.id: gold_town_point(gazetteer, i.city, i.state) for i in missing}


def gold_town_point(
    gazetteer: Gazetteer, city: str | None, state: str | None
) -> tuple[float, float] | None:
    """The point of a gold ``city`` inside the first-level region named ``state``, with the
    project's gazetteer: the most populous town of that name in that region (primary names before
    alternates). The archive's "Milwaukee (Glendale)" names the part where it happened: that name
    first, then the city; "Sebastian (county)" is the county of that name. None when nothing of
    that name lies in that region."""
    if not city or not state:
        return None
    region = _admin1_code(gazetteer, state)
    if region is None:
        return None
    match = _PARENTHESIS.match(city)
    if match is None:
        names: list[tuple[str, str]] = [(city, "city"), (city, "admin2")]  # "Bartow County"
    elif match["inner"].strip().lower() == "county":
        names = [(match["city"], "admin2"), (f"{match['city']} County", "admin2")]
    else:
        names = [(match["inner"], "city"), (match["city"], "city")]
    for name, kind in names:
        found = [
            c for c in gazetteer.candidates(name)
            if c.entry.kind == kind and c.entry.admin1_code == region
            and c.entry.lat is not None and c.entry.lon is not None
        ]
        if found:
            best = max(found, key=lambda c: (c.primary, c.entry.population))
            return (best.entry.lat or 0.0, best.entry.lon or 0.0)
    return None


def _admin1_code(gazetteer: Gazetteer, state: str) -> str | None:
    from eventfuse.extract.gazetteer import normalize_name

    wanted = normalize_name(state)
    codes = [
        code for code, entry in gazetteer.admin1_entries().items()
        if normalize_name(entry.name) == wanted
    ]
    # the archive is American: "Georgia" is the state before any other region of that name
    return min(codes, key=lambda code: (not code.startswith("US."), code), default=None)


def _holds(quantities: Sequence[Quantity], kind: str, count: int) -> bool:
    """The event's range of ``kind`` holds ``count``; no such quantity means 0."""
    found = [q for q in quantities if q.kind == kind]
    if not found:
        return count == 0
    q = found[0]
    return q.low <= count and (q.high is None or count <= q.high)


def _write_predictions(path: Path, articles: Sequence[Article], events: Sequence[Event]) -> None:
    """One JSON line per event: its id, the input records it cites, date, place and tolls."""
    record_of = {a.id: a.source_id or a.id for a in articles}
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            line = {
                "event": event.id,
                "type": event.type,
                "articles": sorted({record_of.get(s.article_id, s.article_id)
                                    for s in event.sources}),
                "date": event.when.start.isoformat() if event.when and event.when.start else None,
                "location": to_dict(event.location) if event.location else None,
                "quantities": [to_dict(q) for q in event.quantities],
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")

"""Geoparsing on LGL-style gold XML (GeoWebNews, LGL): finding place names and pinning them.

Each ``<article docid>`` has a ``<text>`` and ``<toponyms>`` whose ``<toponym>`` carries character
``start``/``end``, the ``phrase`` and a ``<gaztag geonameid>`` with ``lat``/``lon``. Every article's
text is geoparsed alone (no title, no URL, no gold structure). Scores:

- span recall / precision: a gold name is found when a predicted span overlaps it; a predicted span
  is right when it overlaps a gold name (``exact_*``: same start and end);
- resolution accuracy: of the found gold names, the share pinned within 161 km or to the same
  GeoNames id;
- end-to-end accuracy@161: found *and* rightly pinned, over all gold names;
- median error (km) over found names with a pin.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from eventfuse.errors import EventfuseError
from eventfuse.extract.firstpass import parse_texts
from eventfuse.extract.gazetteer import haversine_km
from eventfuse.extract.places import find_places
from eventfuse.records import Place

ACCURACY_KM = 161.0  # 100 miles: the customary geoparsing tolerance


class GeoparseDataError(EventfuseError):
    """The gold file cannot be read."""


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    phrase: str
    geonames_id: int | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class GoldArticle:
    docid: str
    text: str
    toponyms: tuple[GoldToponym, ...]


@dataclass(frozen=True, slots=True)
class Predicted:
    doc: str
    start: int
    end: int
    name: str
    geonames_id: int | None
    lat: float | None
    lon: float | None


# --- reading --------------------------------------------------------------------------------


def read_gold(path: Path) -> list[GoldArticle]:
    """The articles of an LGL-style XML file, with their gold toponyms."""
    try:
        root = ElementTree.parse(str(path)).getroot()
    except (OSError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise GeoparseDataError(f"[V010] cannot read {path}: {exc}") from exc
    articles = []
    for number, node in enumerate(root.iter("article"), 1):
        docid = node.get("docid") or str(number)
        text = node.findtext("text")
        if text is None:
            raise GeoparseDataError(f"[V011] {path}: article {docid} has no <text>")
        toponyms = tuple(_toponym(path, docid, t) for t in node.iter("toponym"))
        articles.append(GoldArticle(docid, text, toponyms))
    if not articles:
        raise GeoparseDataError(f"[V012] {path}: no <article> elements")
    return articles


def _toponym(path: Path, docid: str, node: Any) -> GoldToponym:
    tag = node.find("gaztag")
    try:
        start, end = int(node.findtext("start", "")), int(node.findtext("end", ""))
        gid = tag.get("geonameid") if tag is not None else None
        lat = _float(tag.findtext("lat") if tag is not None else None)
        lon = _float(tag.findtext("lon") if tag is not None else None)
    except ValueError as exc:
        raise GeoparseDataError(f"[V013] {path}: article {docid}: bad toponym ({exc})") from exc
    geonames_id = int(gid) if gid and gid.strip().isdigit() else None
    return GoldToponym(start, end, node.findtext("phrase", ""), geonames_id, lat, lon)


def _float(value: str | None) -> float | None:
    return float(value) if value and value.strip() else None


# --- predicting -----------------------------------------------------------------------------


def predict(
    articles: Sequence[GoldArticle], batch_size: int = 16, first_pass: bool = False
) -> list[Predicted]:
    """Every place :func:`find_places` finds in each article's text (``first_pass``: parsed by
    the cheap first pass, extract/firstpass.py)."""
    found: list[Predicted] = []
    docs = parse_texts((a.text for a in articles), batch_size=batch_size, first_pass=first_pass)
    for article, doc in zip(articles, docs, strict=True):
        places = find_places(doc, article.docid, demonyms=True, sites=True, embedded=True)
        found.extend(_predicted(article.docid, p) for p in places)
    return found


def _predicted(docid: str, place: Place) -> Predicted:
    assert place.evidence is not None
    ev = place.evidence
    return Predicted(docid, ev.start, ev.end, ev.text, place.geonames_id, place.lat, place.lon)


# --- scoring --------------------------------------------------------------------------------


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _error_km(gold: GoldToponym, pred: Predicted) -> float | None:
    if gold.lat is None or gold.lon is None or pred.lat is None or pred.lon is None:
        return None
    return haversine_km(gold.lat, gold.lon, pred.lat, pred.lon)


def _right(gold: GoldToponym, pred: Predicted) -> bool:
    if gold.geonames_id is not None and gold.geonames_id == pred.geonames_id:
        return True
    error = _error_km(gold, pred)
    return error is not None and error <= ACCURACY_KM


def score(articles: Sequence[GoldArticle], predictions: Iterable[Predicted]) -> dict[str, Any]:
    by_doc: dict[str, list[Predicted]] = {}
    for p in predictions:
        by_doc.setdefault(p.doc, []).append(p)
    gold_total = found = exact = right = 0
    errors: list[float] = []
    pred_total = pred_right = pred_exact = 0
    for article in articles:
        preds = sorted(by_doc.get(article.docid, []), key=lambda p: p.start)
        pred_total += len(preds)
        for p in preds:
            pred_right += any(_overlaps(p.start, p.end, g.start, g.end) for g in article.toponyms)
            pred_exact += any((p.start, p.end) == (g.start, g.end) for g in article.toponyms)
        for gold in article.toponyms:
            gold_total += 1
            hits = [p for p in preds if _overlaps(p.start, p.end, gold.start, gold.end)]
            if not hits:
                continue
            found += 1
            exact += any((p.start, p.end) == (gold.start, gold.end) for p in hits)
            best = max(hits, key=lambda p: min(p.end, gold.end) - max(p.start, gold.start))
            right += _right(gold, best)
            error = _error_km(gold, best)
            if error is not None:
                errors.append(error)
    return {
        "articles": len(articles),
        "gold_names": gold_total,
        "predicted_names": pred_total,
        "span_recall": _ratio(found, gold_total),
        "span_precision": _ratio(pred_right, pred_total),
        "exact_span_recall": _ratio(exact, gold_total),
        "exact_span_precision": _ratio(pred_exact, pred_total),
        "resolution_accuracy_161": _ratio(right, found),
        "end_to_end_accuracy_161": _ratio(right, gold_total),
        "median_error_km": round(statistics.median(errors), 1) if errors else None,
    }


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def write_predictions(path: Path, predictions: Iterable[Predicted]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for p in predictions:
            row = {"doc": p.doc, "start": p.start, "end": p.end, "name": p.name,
                   "geonames_id": p.geonames_id, "lat": p.lat, "lon": p.lon}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def evaluate_geoparse(
    path: Path, predictions_out: Path | None = None, first_pass: bool = False
) -> dict[str, Any]:
    """Score the geoparser on an LGL-style gold file; optionally write one JSON line per place."""
    articles = read_gold(path)
    predictions = predict(articles, first_pass=first_pass)
    if predictions_out is not None:
        write_predictions(predictions_out, predictions)
    return {"dataset": str(path), **score(articles, predictions)}

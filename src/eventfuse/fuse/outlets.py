"""An outlet's home region, learned from the run, as the prior of names its articles leave open.

Local news names its own towns without their state ("Albany", "Universal City"); extraction
then reads such a name as its most populous namesake and notes it ambiguous
(``geo.AMBIGUOUS_NOTE``). The outlet (its name, else its URL's host) mostly writes about one
first-level region: the one its *other* articles name without doubt. A reading left ambiguous is
read again in that region when a town of that name lies there (rule ``outlet_home``). The home is
learned from the outlet's articles, never from a list of outlets: every stored one, through the
store's table of their votes (``eventfuse.outlet_votes``), so a run in slices learns what one
fusion of the same articles learns; else (a fusion given no table) those fusion sees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from eventfuse.outlet_votes import (
    OutletTable,
    Region,
    ambiguous,
    outlet_key,
    outlet_table,
)
from eventfuse.records import Article, Mention, Place

__all__ = ["OutletTable", "Region", "article_homes", "home_readings", "outlet_key",
           "read_outlet_regions"]


def read_outlet_regions(path: str) -> dict[str, Region]:
    """The user's file of outlets' home regions (setting ``outlet_regions``): YAML, one
    ``outlet: Region, CC`` a line, the outlet as :func:`outlet_key` gives it (its name, else
    its URL's host)."""
    import yaml

    from eventfuse.errors import ConfigError
    from eventfuse.yamlfile import load_yaml

    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"outlet_regions {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"outlet_regions {path}: not a mapping of outlet: 'Region, CC'")
    regions: dict[str, Region] = {}
    for outlet, value in data.items():
        region, _, country = str(value).rpartition(",")
        if not region.strip() or not country.strip():
            raise ConfigError(f"outlet_regions {path}: {outlet}: {value!r} is not 'Region, CC'")
        regions[" ".join(str(outlet).lower().split())] = (country.strip().upper(),
                                                          region.strip())
    return regions


def article_homes(
    mentions: Sequence[Mention],
    articles: Mapping[str, Article],
    min_articles: int,
    min_share: float,
    named: Mapping[str, Region] | None = None,
    table: OutletTable | None = None,
) -> dict[str, Region]:
    """Article id -> its outlet's home region: the one the user ``named`` for the outlet, else
    the region that at least ``min_share`` of the outlet's *other* articles naming any settled
    place name, when at least ``min_articles`` do (the article's own places never vote for
    its own prior). The votes are ``table``'s (the store's, of every stored article: a slice
    of a run learns from the slices before it), else those of ``mentions`` alone."""
    votes = outlet_table(mentions, articles) if table is None else table
    tallies: dict[str, Counter[Region]] = {}
    homes: dict[str, Region] = {}
    for article_id in sorted({m.article_id for m in mentions}):
        article = articles.get(article_id)
        outlet = outlet_key(article) if article is not None else None
        if outlet is None:
            continue
        if named and outlet in named:
            homes[article_id] = named[outlet]
            continue
        outlet_votes = votes.outlets.get(outlet)
        if outlet_votes is None:
            continue
        if outlet not in tallies:
            tallies[outlet] = Counter(outlet_votes.regions)
        own = votes.articles.get(article_id, frozenset())
        others = tallies[outlet] - Counter(own)
        n = outlet_votes.voters - (1 if own else 0)
        if n < max(min_articles, 1) or not others:
            continue
        region, count = min(others.items(), key=lambda pair: (-pair[1], pair[0]))
        if count >= min_share * n:
            homes[article_id] = region
    return homes


def home_readings(
    mentions: Sequence[Mention], homes: Mapping[str, Region]
) -> dict[str, Place]:
    """Mention id -> its ambiguous location read again in its outlet's home region, where a
    town of that name lies there (rule outlet_home)."""
    from eventfuse.extract.gazetteer import Context, get_gazetteer

    gazetteer = get_gazetteer()
    codes = {(e.country, e.name): code for code, e in gazetteer.admin1_entries().items()}
    readings: dict[str, Place] = {}
    for mention in mentions:
        place, home = mention.location, homes.get(mention.article_id)
        if (place is None or home is None or place.evidence is None or not ambiguous(place)
                or (place.country, place.admin1) == home or home not in codes):
            continue
        read = gazetteer.resolve(place.evidence.text, home[0], None, place.evidence,
                                 Context(frozenset({codes[home]})))
        if read is not None and read.precision == "point" and (read.country, read.admin1) == home:
            note = f"read in its outlet's home region, {home[1]} (rule outlet_home)"
            readings[mention.id] = Place(
                name=place.name, canonical=read.canonical, geonames_id=read.geonames_id,
                country=read.country, admin1=read.admin1, lat=read.lat, lon=read.lon,
                precision=read.precision, note=note, evidence=place.evidence,
            )
    return readings

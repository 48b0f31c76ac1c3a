"""An outlet's home region, learned from the run, as the prior of names its articles leave open.

Local news names its own towns without their state ("Albany", "Universal City"); extraction
then reads such a name as its most populous namesake and notes it ambiguous
(``geo.AMBIGUOUS_NOTE``). The outlet (its name, else its URL's host) mostly writes about one
first-level region: the one its *other* articles name without doubt. A reading left ambiguous is
read again in that region when a town of that name lies there (rule ``outlet_home``). The home is
learned from the mentions fusion sees, never from a list of outlets.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from eventfuse.geo import AMBIGUOUS_NOTE
from eventfuse.records import Article, Mention, Place

# "http://web.archive.org/web/20160101000000/http://www.example.com:80/news/..." -> example.com
_HOST = re.compile(
    r"^[a-z]+://(?:web\.archive\.org/web/[^/]+/)?(?:[a-z]+://)?(?:www\.)?(?P<host>[^/:?#]+)",
    re.IGNORECASE,
)

Region = tuple[str, str]  # (country code, first-level region name) as a Place gives them


def outlet_key(article: Article) -> str | None:
    """The article's outlet as the run knows it: its outlet name, else its URL's host."""
    if article.outlet:
        return " ".join(article.outlet.lower().split())
    match = _HOST.match(article.url or "")
    return match["host"].lower() if match else None


def _settled_regions(mentions: Sequence[Mention]) -> dict[str, set[Region]]:
    """Article id -> the first-level regions its mentions' places lie in, read without doubt."""
    regions: dict[str, set[Region]] = defaultdict(set)
    for mention in mentions:
        for place in (mention.location, *mention.places):
            if (place is not None and place.country and place.admin1 and place.lat is not None
                    and not _ambiguous(place)):
                regions[mention.article_id].add((place.country, place.admin1))
    return regions


def read_outlet_regions(path: str) -> dict[str, Region]:
    """The user's file of outlets' home regions (setting ``outlet_regions``): YAML, one
    ``outlet: Region, CC`` a line, the outlet as :func:`outlet_key` gives it (its name, else
    its URL's host)."""
    import yaml

    from eventfuse.errors import ConfigError

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
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
) -> dict[str, Region]:
    """Article id -> its outlet's home region: the one the user ``named`` for the outlet, else
    the region that at least ``min_share`` of the outlet's *other* articles naming any settled
    place name, when at least ``min_articles`` do (the article's own places never vote for
    its own prior)."""
    regions = _settled_regions(mentions)
    outlet_of = {a: outlet_key(article) for a, article in articles.items()}
    counts: dict[str, Counter[Region]] = defaultdict(Counter)
    voters: Counter[str] = Counter()
    for article_id, settled in regions.items():
        outlet = outlet_of.get(article_id)
        if outlet is not None:
            counts[outlet].update(settled)
            voters[outlet] += 1
    homes: dict[str, Region] = {}
    for article_id in {m.article_id for m in mentions}:
        outlet = outlet_of.get(article_id)
        if outlet is None:
            continue
        if named and outlet in named:
            homes[article_id] = named[outlet]
            continue
        own = regions.get(article_id, set())
        others = counts[outlet] - Counter(own)
        n = voters[outlet] - (1 if own else 0)
        if n < max(min_articles, 1) or not others:
            continue
        region, votes = min(others.items(), key=lambda pair: (-pair[1], pair[0]))
        if votes >= min_share * n:
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
        if (place is None or home is None or place.evidence is None or not _ambiguous(place)
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


def _ambiguous(place: Place) -> bool:
    return place.note is not None and AMBIGUOUS_NOTE in place.note

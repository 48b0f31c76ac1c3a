"""What rule outlet_home learns an outlet's home region from: each article's outlet and the
first-level regions its mentions name without doubt.

Fusion learns the home from these votes (``fuse/outlets.py``). The store keeps them per
article as mentions are written (table ``article_regions``, migration 0011), so a fusion of a
slice, or of an increment added as news comes, counts every stored article of an outlet, not
only those of its own scope. This module imports records only: a store computes the votes
without loading fusion.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from eventfuse.geo import AMBIGUOUS_NOTE
from eventfuse.records import Article, Mention, Place

# "http://web.archive.org/web/20160101000000/http://www.example.com:80/news/..." -> example.com
_HOST = re.compile(
    r"^[a-z]+://(?:web\.archive\.org/web/[^/]+/)?(?:[a-z]+://)?(?:www\.)?(?P<host>[^/:?#]+)",
    re.IGNORECASE,
)

Region = tuple[str, str]  # (country code, first-level region name) as a Place gives them


def outlet_name_key(outlet: str | None, url: str | None) -> str | None:
    """An outlet as the run knows it: its name, else its URL's host (lower case)."""
    if outlet:
        return " ".join(outlet.lower().split())
    match = _HOST.match(url or "")
    return match["host"].lower() if match else None


def outlet_key(article: Article) -> str | None:
    """The article's outlet as the run knows it: its outlet name, else its URL's host."""
    return outlet_name_key(article.outlet, article.url)


def ambiguous(place: Place) -> bool:
    """A reading the gazetteer left open between namesakes (``geo.AMBIGUOUS_NOTE``)."""
    return place.note is not None and AMBIGUOUS_NOTE in place.note


def settled_regions(mentions: Iterable[Mention]) -> dict[str, set[Region]]:
    """Article id -> the first-level regions its mentions' places lie in, read without doubt."""
    regions: dict[str, set[Region]] = defaultdict(set)
    for mention in mentions:
        for place in (mention.location, *mention.places):
            if (place is not None and place.country and place.admin1 and place.lat is not None
                    and not ambiguous(place)):
                regions[mention.article_id].add((place.country, place.admin1))
    return regions


@dataclass(frozen=True, slots=True)
class OutletVotes:
    """One outlet's articles that name a settled region: how many (``voters``) and how many
    name each region (an article naming two regions votes for both)."""

    voters: int
    regions: Mapping[Region, int]


@dataclass(frozen=True, slots=True)
class OutletTable:
    """The votes rule outlet_home reads: per outlet (``outlets``), and the regions each article
    asked about votes with (``articles``; absent: none), so its own vote can be taken out."""

    outlets: Mapping[str, OutletVotes]
    articles: Mapping[str, frozenset[Region]]


def outlet_table(mentions: Sequence[Mention], articles: Mapping[str, Article]) -> OutletTable:
    """The table of ``mentions`` alone (their articles in ``articles``): what a fusion learns
    when it knows nothing beyond what it fuses, and what the store's table must equal for
    the same records."""
    counts: dict[str, Counter[Region]] = defaultdict(Counter)
    voters: Counter[str] = Counter()
    own: dict[str, frozenset[Region]] = {}
    for article_id, settled in settled_regions(mentions).items():
        article = articles.get(article_id)
        outlet = outlet_key(article) if article is not None else None
        if outlet is not None:  # an article of no known outlet votes for none
            counts[outlet].update(settled)
            voters[outlet] += 1
            own[article_id] = frozenset(settled)
    return OutletTable(
        {outlet: OutletVotes(voters[outlet], dict(counts[outlet])) for outlet in voters}, own)


def region_rows(
    outlets: Mapping[str, str | None], mentions: Iterable[Mention]
) -> list[tuple[str, str, str, str]]:
    """(article id, outlet, country, first-level region) per settled region of each article of
    ``outlets`` (article id -> its outlet key; articles without one cast no vote): the rows
    the store keeps, sorted."""
    return sorted(
        (article_id, outlet, country, admin1)
        for article_id, settled in settled_regions(mentions).items()
        if (outlet := outlets.get(article_id)) is not None
        for country, admin1 in settled
    )

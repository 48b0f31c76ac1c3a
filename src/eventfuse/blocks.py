"""A mention's block keys: the place block and the days it pairs in.

Fusion's blocking (``fuse/blocking.py``) pairs mentions by these keys, and the store indexes
them, so an incremental run reads only the blocks its new mentions fall in (``fuse/scope.py``).
This module imports records only: a store can compute the keys without loading fusion.
"""

from __future__ import annotations

from eventfuse.records import Mention, When

# An undated report in a dated article is about the days before its publication: it is
# paired as if dated [published - UNDATED_LOOKBACK_DAYS, published]. Only reports with neither
# a date nor a publication date pair with every member of their block.
UNDATED_LOOKBACK_DAYS = 7


def date_range(when: When | None) -> tuple[int, int] | None:
    if when is None or when.start is None:
        return None
    end = when.end or when.start
    return when.start.toordinal(), max(end, when.start).toordinal()


def place_block(mention: Mention) -> tuple[str, str, str] | None:
    """Country and first-level region of the mention's place (a mention placed no finer than
    its country is in its country's own block, ``*``); None when it has no country."""
    place = mention.location
    if place is None or not place.country:
        return None
    country = place.country.upper()
    if place.precision != "country" and place.admin1:
        return "place", country, place.admin1.lower()
    return "place", country, "*"


def place_block_key(mention: Mention) -> str | None:
    """:func:`place_block` as one string (the store's column)."""
    block = place_block(mention)
    return None if block is None else f"{block[1]}/{block[2]}"


def span(mention: Mention) -> tuple[int, int] | None:
    """The days (ordinals) ``mention`` pairs as in its blocks: its date range, else the lookback
    before its publication, else None (it pairs with every member of its blocks)."""
    days = date_range(mention.when)
    if days is not None:
        return days
    if mention.published is None:
        return None
    end = mention.published.toordinal()
    return end - UNDATED_LOOKBACK_DAYS, end

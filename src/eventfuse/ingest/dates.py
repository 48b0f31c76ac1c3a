"""Publication dates from the forms sources write them in, to a ``date`` or None (never a guess)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_ISO = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*")
# A date needs day, month and year to be a publication date; "Published 2021" is not one.
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PREFER_DATES_FROM": "past",
}


def parse_date(text: str | None) -> dt.date | None:
    """ISO dates directly, other written forms through dateparser (English); None if unsure."""
    if not text or len(text) > 100:
        return None
    iso = _ISO.fullmatch(text)
    if iso:
        return _date(*(int(g) for g in iso.groups()))
    return _dateparser(text.strip())


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dateparser(text: str) -> dt.date | None:
    import dateparser  # slow to import; only plain-text headers and JSON Lines need it

    try:
        parsed = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    except (ValueError, TypeError, OverflowError, re.error):
        return None
    return parsed.date() if parsed else None


def from_struct_time(value: Any) -> dt.date | None:
    """feedparser's ``*_parsed`` fields (``time.struct_time``) to a date."""
    if value is None:
        return None
    try:
        return _date(int(value.tm_year), int(value.tm_mon), int(value.tm_mday))
    except (AttributeError, TypeError, ValueError):
        return None

"""Date anchoring: an undated report borrows the date of the dated reports it fuses with."""

from __future__ import annotations

import dataclasses
import datetime as dt

from eventfuse.records import Mention, When

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def needs_anchor(mention: Mention) -> bool:
    return mention.when is not None and mention.when.start is None


def anchor_when(when: When, consensus: When) -> When | None:
    """``when`` resolved against the event's consensus date, anchor "fusion"; None when the
    relative expression contradicts it (a "Friday" cannot fall in a Monday-Tuesday event)."""
    if consensus.start is None:
        return None
    start, end = consensus.start, consensus.end or consensus.start
    weekday = _weekday(when.relative or when.text)
    if weekday is not None:
        day = _day_with_weekday(start, end, weekday)
        if day is None:
            return None
        return dataclasses.replace(when, start=day, end=day, precision="day", anchor="fusion")
    return dataclasses.replace(
        when, start=start, end=end, precision=consensus.precision, anchor="fusion"
    )


def anchor_mention(mention: Mention, consensus: When | None) -> Mention:
    """The mention with its When anchored, or unchanged when it cannot be."""
    if consensus is None or mention.when is None or not needs_anchor(mention):
        return mention
    anchored = anchor_when(mention.when, consensus)
    return mention if anchored is None else dataclasses.replace(mention, when=anchored)


def _weekday(expression: str | None) -> int | None:
    if not expression:
        return None
    lowered = expression.lower()
    for index, name in enumerate(WEEKDAYS):
        if name in lowered:
            return index
    return None


def _day_with_weekday(start: dt.date, end: dt.date, weekday: int) -> dt.date | None:
    day = start
    while day <= end:
        if day.weekday() == weekday:
            return day
        day += dt.timedelta(days=1)
    return None

"""Date anchoring: an undated report borrows the date of the dated reports it fuses with."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from eventfuse.extract.times import anchor_when as resolve_against
from eventfuse.fuse.consensus import ARTICLE_ANCHOR
from eventfuse.records import Article, Mention, When

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


def estimate_undated(
    anchored: Iterable[tuple[Mention, tuple[str, ...]]],
    mentions: Iterable[Mention],
    articles: Mapping[str, Article],
) -> dict[str, Mention]:
    """Relative dates of undated articles resolved against an estimated publication date.

    ``anchored`` holds the (mention, dating articles) that fusion just anchored. An undated
    article reporting "Monday night" that fusion dated 2021-09-06 was published after that
    night: the estimate is the day after the latest date fusion gave it, and its other relative
    expressions ("until the early hours of Tuesday") resolve against that, with provenance.
    """
    latest: dict[str, dt.date] = {}
    dated_by: dict[str, set[str]] = defaultdict(set)
    done: set[str] = set()
    for mention, by in anchored:
        article = articles.get(mention.article_id)
        if article is None or article.published is not None or mention.when is None:
            continue
        end = mention.when.end or mention.when.start
        if end is None:
            continue
        done.add(mention.id)
        latest[mention.article_id] = max(end, latest.get(mention.article_id, end))
        dated_by[mention.article_id].update(by)
    out: dict[str, Mention] = {}
    for mention in mentions:
        when = mention.when
        if mention.article_id not in latest or mention.id in done or when is None:
            continue
        if when.start is not None or when.relative is None:
            continue
        estimate = latest[mention.article_id] + dt.timedelta(days=1)
        resolved = resolve_against(when, estimate, anchor=ARTICLE_ANCHOR)
        if resolved.start is not None:
            by = tuple(sorted(dated_by[mention.article_id]))
            out[mention.id] = dataclasses.replace(
                mention, when=dataclasses.replace(resolved, anchored_by=by)
            )
    return out

"""Undated articles: relative dates resolved against a publication date estimated by fusion."""

from __future__ import annotations

import datetime as dt

from eventfuse.fuse.anchor import estimate_undated
from eventfuse.records import Article, Mention, When

MONDAY = dt.date(2024, 4, 15)


def mention(mid: str, article: str, when: When) -> Mention:
    return Mention(id=mid, article_id=article, type="ASSAULT", when=when)


def test_other_relative_dates_follow_the_anchored_one() -> None:
    articles = {
        "u": Article(id="u", text="..."),
        "d": Article(id="d", text="...", published=MONDAY),
    }
    night = When("Monday night", MONDAY, MONDAY, "day", anchor="fusion", relative="weekday:Monday")
    until = When("until the early hours of Tuesday", relative="until:weekday:Tuesday")
    yesterday = When("yesterday", relative="offset:-1")
    fixed = When("on 3 April", dt.date(2024, 4, 3), dt.date(2024, 4, 3), "day", anchor="text")
    anchored = [(mention("u:1", "u", night), ("d",))]
    others = [
        mention("u:1", "u", When("Monday night", relative="weekday:Monday")),
        mention("u:2", "u", until),
        mention("u:3", "u", yesterday),
        mention("u:4", "u", fixed),
        mention("d:1", "d", When("Friday", relative="weekday:Friday")),
    ]
    out = estimate_undated(anchored, others, articles)
    assert set(out) == {"u:2", "u:3"}  # not the anchored one, not a dated one, not a dated article
    strike = out["u:2"].when
    assert strike is not None
    assert (strike.start, strike.end) == (MONDAY, MONDAY + dt.timedelta(days=1))
    assert strike.anchor == "fusion-article" and strike.anchored_by == ("d",)
    assert out["u:3"].when is not None and out["u:3"].when.start == MONDAY


def test_nothing_is_estimated_without_an_anchor() -> None:
    articles = {"u": Article(id="u", text="...")}
    others = [mention("u:2", "u", When("on Tuesday", relative="weekday:Tuesday"))]
    assert estimate_undated([], others, articles) == {}

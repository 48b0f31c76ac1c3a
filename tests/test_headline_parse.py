"""The headline is parsed once and shared by salience (lemmas) and the victim count."""

from __future__ import annotations

import datetime as dt

import pytest

from eventfuse.extract import headline_parse as headline
from eventfuse.extract.article import extract_mentions
from eventfuse.nlp import get_nlp
from eventfuse.records import Article

TITLE = "Two men shot dead outside a Fairview bakery"
TEXT = ("Two men were shot and killed outside a bakery in Fairview on Friday night, police said. "
        "Officers found both men on the sidewalk.")


def test_headline_docs_parse_each_title_once() -> None:
    headline._HEADLINES.clear()
    first = headline.headline_docs([TITLE, TITLE, "Crowd marches on city hall"])
    assert len(headline._HEADLINES) == 2
    assert headline.headline_doc(TITLE) is first[TITLE]  # no second parse
    assert {"shoot", "man", "dead"} <= headline.headline_lemmas(TITLE)


def test_extraction_reads_the_shared_headline_parse() -> None:
    headline._HEADLINES.clear()
    article = Article(id="a1", text=TEXT, title=TITLE, published=dt.date(2024, 3, 9))
    mentions = extract_mentions(article, get_nlp()(TEXT))
    assert list(headline._HEADLINES) == [TITLE]
    killed = [q for m in mentions for q in m.quantities if q.kind == "killed"]
    assert killed and killed[0].low == 2


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    headline._HEADLINES.clear()
    monkeypatch.setattr(headline, "_CACHE_SIZE", 2)
    headline.headline_docs(["One", "Two"])
    headline.headline_docs(["Three"])
    assert list(headline._HEADLINES) == ["Three"]

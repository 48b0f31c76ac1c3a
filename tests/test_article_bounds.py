"""Bounds per article (issue 18): at most max_parsed_sentences sentences and max_parsed_chars
characters of an article are parsed, cut before parsing, with a warning naming the article."""

from __future__ import annotations

import logging

import pytest

from eventfuse.extract import extract_articles
from eventfuse.extract.bounds import bounded_text
from eventfuse.records import Article
from eventfuse.settings import Options

pytestmark = pytest.mark.issue(18)

SENTENCE = ("Thousands of protesters marched through Kabul on Tuesday to demand the release of "
            "detained activists, witnesses said. ")


def test_the_sentence_bound_cuts_after_the_nth_sentence() -> None:
    bounded = bounded_text(SENTENCE * 50, Options(max_parsed_sentences=3))
    assert bounded.text == SENTENCE * 3
    assert bounded.note is not None and "max_parsed_sentences (3)" in bounded.note


def test_the_character_bound_cuts_at_a_sentence_end() -> None:
    limit = int(len(SENTENCE) * 2.5)
    bounded = bounded_text(SENTENCE * 50, Options(max_parsed_chars=limit))
    assert bounded.text == SENTENCE * 2
    assert bounded.note is not None and f"max_parsed_chars ({limit})" in bounded.note
    unbroken = bounded_text("x" * 500, Options(max_parsed_chars=100))
    assert unbroken.text == "x" * 100


def test_an_ordinary_article_is_whole() -> None:
    assert bounded_text(SENTENCE * 20, Options()).note is None


def test_extraction_stays_within_the_bound_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    article = Article(id="repetitive", text=SENTENCE * 40, source_path="flood.txt")
    with caplog.at_level(logging.WARNING):
        bounded = extract_articles([article], Options(max_parsed_sentences=4))
    assert bounded, "the kept sentences still give mentions"
    limit = len(SENTENCE) * 4
    assert all(m.sentence is None or m.sentence.end <= limit for m in bounded)
    [note] = [r.getMessage() for r in caplog.records if "max_parsed_sentences" in r.getMessage()]
    assert "repetitive" in note and "flood.txt" in note

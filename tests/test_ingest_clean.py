"""Cleaning: furniture, embedded posts, whitespace, truncation, determinism."""

from __future__ import annotations

import datetime as dt

import pytest

from eventfuse.ingest.clean import clean_text, display_name, normalize_whitespace, truncate

LIMIT = 200_000

# A made-up page with two embedded posts laid out as pasted tweets (blocks set apart by wide
# gaps), an article sentence that quotes a chant, and trailing comment-form furniture.
PAGE = (
    "Crowds gathered in Fernhill on Friday to protest the closure of the steelworks.\n\n"
    "Marchers chanted \u201csave our jobs\u201d as they walked to the council offices.\n\n"
    "Fernhill is out in force tonight. #SteelStrike\n\n\n\n"
    "pic.twitter.com/AbCdEf123 \u2014 Tomasz Reed (@tomreed) March 3, 2023\n\n"
    "The crowd also shouted \u201cno more cuts.\u201d\n\n"
    "\u201cNo more cuts.\u201d\n\n\n\n"
    "\u201cSave our jobs.\u201d\n\n\n\n"
    "Heard at the Fernhill march tonight.\n\n\n\n"
    "Video: local radio. pic.twitter.com/XyZ987 "
    "\u2014 Ana Lima \U0001f1f5\U0001f1f9 (@analima) Mar 3, 2023\n\n"
    "The steelworks owner said the closure was final.\n\n\n\n"
    "Please enter your comment!\n"
    "Please enter your name here"
)


def test_embedded_posts_become_records_and_leave_the_text() -> None:
    cleaned = clean_text(PAGE, LIMIT)
    first, second = cleaned.posts
    assert first.author == "Tomasz Reed" and first.handle == "tomreed"
    assert first.date == dt.date(2023, 3, 3)
    assert first.url == "https://pic.twitter.com/AbCdEf123"
    assert first.text == "Fernhill is out in force tonight. #SteelStrike"
    assert second.author == "Ana Lima" and second.handle == "analima"
    assert second.date == dt.date(2023, 3, 3)
    assert second.text == (
        "\u201cNo more cuts.\u201d\n\u201cSave our jobs.\u201d\n"
        "Heard at the Fernhill march tonight.\nVideo: local radio."
    )
    assert "pic.twitter.com" not in cleaned.text and "@" not in cleaned.text


def test_article_sentences_next_to_posts_stay() -> None:
    text = clean_text(PAGE, LIMIT).text
    assert text.split("\n\n") == [
        "Crowds gathered in Fernhill on Friday to protest the closure of the steelworks.",
        "Marchers chanted \u201csave our jobs\u201d as they walked to the council offices.",
        "The crowd also shouted \u201cno more cuts.\u201d",
        "The steelworks owner said the closure was final.",
    ]


def test_credit_line_alone_takes_only_the_paragraph_above() -> None:
    raw = (
        "The mayor spoke to the crowd for ten minutes and promised an answer by Monday.\n\n"
        "Thank you all for coming out today.\n"
        "\u2014 Mayor Ruth Penn (@mayorpenn) July 4, 2021\n\n"
        "The crowd dispersed peacefully."
    )
    cleaned = clean_text(raw, LIMIT)
    [post] = cleaned.posts
    assert post.text == "Thank you all for coming out today."
    assert post.url is None
    assert cleaned.text.startswith("The mayor spoke to the crowd")


def test_furniture_lines_only_whole_lines() -> None:
    raw = (
        "We use cookies to improve your experience. By continuing you accept our policy.\n\n"
        "Readers were asked to share this article with friends, the editor said.\n\n"
        "Share this article\n\nSubscribe to our newsletter for daily updates."
    )
    text = clean_text(raw, LIMIT).text
    assert text == "Readers were asked to share this article with friends, the editor said."


def test_unicode_and_whitespace_normalization() -> None:
    decomposed = (
        "Cafe\u0301  owners\u00a0 said \u201cno\u201d.\r\n\r\n\r\n\r\nSecond\u200b paragraph.  "
    )
    assert (
        clean_text(decomposed, LIMIT).text
        == "Café owners said \u201cno\u201d.\n\nSecond paragraph."
    )
    assert normalize_whitespace("  a \t b \n\n\n\n c  ") == "a b\n\nc"


def test_cleaning_is_deterministic_and_idempotent() -> None:
    once = clean_text(PAGE, LIMIT)
    assert clean_text(PAGE, LIMIT) == once
    assert clean_text(once.text, LIMIT).text == once.text


def test_truncation_at_paragraph_boundary() -> None:
    text = "First paragraph here.\n\nSecond paragraph here.\n\nThird one."
    assert truncate(text, 30) == "First paragraph here."
    assert truncate(text, 48) == "First paragraph here.\n\nSecond paragraph here."
    assert truncate(text, 1000) == text
    assert clean_text(text, 30).text == "First paragraph here."


def test_display_name_keeps_the_first_script() -> None:
    assert display_name("Lena Ostrova") == "Lena Ostrova"
    assert (
        display_name("Omar Haidari \u0639\u0645\u0631 \u062d\u06cc\u062f\u0631\u06cc")
        == "Omar Haidari"
    )
    assert display_name("\u0639\u0645\u0631 Omar") == "\u0639\u0645\u0631"


def test_the_credit_marker_only_skips_lines_the_patterns_reject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``post_credit_marker`` (a cheap test before the credit patterns) must not change what
    is cleaned: the same text and posts with the marker as with every line tried."""
    import dataclasses
    from pathlib import Path

    from eventfuse.ingest import clean
    from eventfuse.ingest.lexicon import get_lexicon

    lexicon = get_lexicon()
    assert lexicon.post_credit_marker
    pages = [PAGE] + [p.read_text("utf-8") for p in
                      sorted((Path(__file__).parent.parent / "examples" / "demo").rglob("*"))
                      if p.is_file() and p.suffix in {".txt", ".html", ".jsonl"}]
    assert len(pages) > 3
    every_line = dataclasses.replace(lexicon, post_credit_marker="")
    marked = [clean_text(page, LIMIT) for page in pages]
    monkeypatch.setattr(clean, "get_lexicon", lambda: every_line)
    assert [clean_text(page, LIMIT) for page in pages] == marked
    monkeypatch.undo()
    assert len(clean_text(PAGE, LIMIT).posts) == 2


def test_furniture_alternation_answers_as_each_pattern_does() -> None:
    # The lexicon's patterns are tried as one alternation: a line is furniture exactly when
    # one of them spans it, also where another matches only its start.
    import dataclasses

    from eventfuse.ingest.clean import is_furniture
    from eventfuse.ingest.lexicon import get_lexicon

    lexicon = get_lexicon()
    assert lexicon.furniture_any is not None
    one_by_one = dataclasses.replace(lexicon, furniture_any=None)
    lines = ["Leave a reply", "leave a reply.", "Leave a reply to the mayor", "Share",
             "Share this article:", "share on facebook and more", "Advertisement",
             "advertisement follows", "Read more:", "All rights reserved.",
             "Copyright 2020 Harbour Gazette. All rights reserved", "We use cookies to help",
             "The council met on Tuesday.", "", "Subscribe to our daily newsletter today",
             "Print", "printer"]
    for line in lines:
        assert is_furniture(line, lexicon) == is_furniture(line, one_by_one), line
    assert is_furniture("Leave a reply", lexicon)
    assert not is_furniture("Leave a reply to the mayor", lexicon)

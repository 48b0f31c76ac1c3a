"""The cheap first pass (extract/firstpass.py): the full pipeline only on the sentences that can
hold an event; the Doc keeps the text, tokens and character offsets of a full parse. Invented
text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eventfuse.extract import extract_mentions
from eventfuse.extract.firstpass import (
    LEAD_SENTENCES,
    parse_texts,
    parse_texts_cached,
    possible_lemmas,
)
from eventfuse.nlp import get_nlp, parse
from eventfuse.records import Article
from eventfuse.settings import load_options

# Three lead sentences, then a sentence with no trigger word, the event, a toll told apart,
# another quiet sentence.
TEXT = (
    "OGDENVILLE (Wire) - The town council met on Monday.  It was a quiet evening. "
    "The hills were green.\n\n"
    "The sky over Ogdenville was grey and the river was high. "
    "Gunmen shot two men in Shelbyville on Friday, police said. "
    "One of them is in stable condition. "
    "The town has a library, a pond and two schools in Ogdenville."
)
QUIET = "The sky over Ogdenville was grey and the river was high."
TOLL = "One of them is in stable condition."
EVENT = "Gunmen shot two men in Shelbyville on Friday, police said."


def test_same_text_tokens_and_offsets_as_a_full_parse() -> None:
    full = next(parse([TEXT]))
    first = next(parse_texts([TEXT], first_pass=True))
    assert first.text == TEXT
    assert [(t.idx, t.text, t.whitespace_) for t in first] == [
        (t.idx, t.text, t.whitespace_) for t in full]


def test_an_event_sentence_is_parsed_in_full() -> None:
    doc = next(parse_texts([TEXT], first_pass=True))
    start = TEXT.index(EVENT)
    span = doc.char_span(start, start + len(EVENT))
    assert span is not None
    shot = next(t for t in span if t.text == "shot")
    assert shot.pos_ == "VERB" and shot.lemma_ == "shoot"
    assert {"nsubj", "dobj"} <= {c.dep_ for c in shot.children}
    assert any(t.dep_ == "ROOT" for t in span)


def test_skipped_text_keeps_offsets_entities_and_its_sentence() -> None:
    doc = next(parse_texts([TEXT], first_pass=True))
    start = TEXT.index(QUIET)
    span = doc.char_span(start, start + len(QUIET))
    assert span is not None
    assert all(t.dep_ == "dep" for t in span)  # not parsed: no trigger there
    # no tagger either: only names are proper nouns (the geoparser's scan reads them)
    assert [t.text for t in span if t.pos_] == ["Ogdenville"]
    assert {t.pos_ for t in span} == {"", "PROPN"}
    assert [t.lemma_ for t in span][:2] == ["the", "sky"]
    assert QUIET in [s.text.strip() for s in doc.sents]
    place = [e for e in doc.ents if e.start_char >= start and e.end_char <= start + len(QUIET)]
    assert [(e.text, e.label_, doc.text[e.start_char:e.end_char]) for e in place] == [
        ("Ogdenville", "GPE", "Ogdenville")]


def test_a_toll_told_apart_is_parsed_in_full() -> None:
    doc = next(parse_texts([TEXT], first_pass=True))
    start = TEXT.index(TOLL)
    span = doc.char_span(start, start + len(TOLL))
    assert span is not None and any(t.dep_ == "ROOT" for t in span)


def test_the_lead_is_parsed_in_full_without_a_trigger() -> None:
    doc = next(parse_texts([TEXT], first_pass=True))
    lead = list(doc.sents)[:LEAD_SENTENCES]
    assert all(any(t.dep_ == "ROOT" for t in s) for s in lead)


def test_possible_lemmas_read_the_models_rules() -> None:
    nlp = get_nlp()
    assert "shoot" in possible_lemmas("shot", nlp)  # an exception of the table
    assert "attack" in possible_lemmas("attacked", nlp)  # a suffix rule
    assert "protest" in possible_lemmas("protests", nlp)


def test_the_event_is_extracted_at_the_same_offsets() -> None:
    article = Article(id="a1", text=TEXT, title="Two shot in Shelbyville",
                      published=dt.date(2021, 5, 10))
    options = load_options()
    full = extract_mentions(article, next(parse([TEXT])), options)
    first = extract_mentions(article, next(parse_texts([TEXT], first_pass=True)), options)
    assert full and [(m.type, m.trigger) for m in first] == [(m.type, m.trigger) for m in full]


def test_the_parse_cache_keeps_the_modes_apart(tmp_path: Path) -> None:
    full = parse_texts_cached([TEXT], tmp_path)[0]
    assert len(list(tmp_path.glob("*.spacy"))) == 1
    first = parse_texts_cached([TEXT], tmp_path, first_pass=True)[0]
    assert len(list(tmp_path.glob("*.spacy"))) == 2  # not answered by the full parse
    again = parse_texts_cached([TEXT], tmp_path, first_pass=True)[0]
    assert [t.dep_ for t in again] == [t.dep_ for t in first] != [t.dep_ for t in full]


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("off", False)])
def test_the_setting_reads_words_as_booleans(raw: str, expected: bool) -> None:
    assert load_options(environ={"EVENTFUSE_FIRST_PASS": raw}).first_pass is expected


def test_empty_and_blank_texts() -> None:
    assert [d.text for d in parse_texts(["", "  \n"], first_pass=True)] == ["", "  \n"]

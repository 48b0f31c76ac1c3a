"""Direct quotes, speakers, quotes across paragraphs, scare quotes, reported speech."""

from __future__ import annotations

from eventfuse.extract.actors import build_actor_context
from eventfuse.extract.quotes import find_quote_spans, find_quotes
from eventfuse.nlp import get_nlp


def _quotes(text: str):  # type: ignore[no-untyped-def]
    doc = get_nlp()(text)
    return find_quotes(doc, "q1", build_actor_context(doc, "q1"))


def test_quote_then_speaker_with_surname_and_evidence() -> None:
    text = (
        "Rebel leader Omar Haddad spoke on Friday.\n\n"
        "“We will never surrender our valley to anyone,” Haddad said."
    )
    quotes = _quotes(text)
    direct = [q for q in quotes if q.direct]
    assert len(direct) == 1
    quote = direct[0]
    assert quote.speaker_canonical == "Omar Haddad"
    assert quote.cue == "said"
    assert quote.evidence is not None
    assert text[quote.evidence.start : quote.evidence.end] == quote.evidence.text
    assert quote.text.startswith("We will never surrender")


def test_pronoun_speaker_before_quote() -> None:
    text = (
        "Governor Lina Okafor visited the flooded district.\n\n"
        "She also added \"Every family will be given shelter before the rains return.\""
    )
    direct = [q for q in _quotes(text) if q.direct]
    assert direct and direct[0].speaker_canonical == "Lina Okafor"


def test_quote_across_paragraphs_is_one_quote() -> None:
    text = (
        "“The bridge was destroyed in the night and nobody could cross it.\n\n"
        "“We waited for help until the morning,” said the mayor Paul Brandt."
    )
    spans = find_quote_spans(text)
    assert len(spans) == 1
    assert spans[0].start == 1
    quotes = [q for q in _quotes(text) if q.direct]
    assert len(quotes) == 1
    assert "nobody could cross it. We waited" in quotes[0].text


def test_scare_quotes_need_a_speaker() -> None:
    text = (
        "The so-called ‘peace plan’ was widely ignored. "
        "Senator Ruth Adler described the vote as a “historic betrayal”."
    )
    quotes = _quotes(text)
    assert all("peace plan" not in q.text for q in quotes)
    betrayal = [q for q in quotes if "historic betrayal" in q.text]
    assert betrayal and betrayal[0].speaker_canonical == "Ruth Adler"


def test_apostrophes_are_not_quotes() -> None:
    assert find_quote_spans("The country’s army and the farmers’ union met.") == []


def test_reported_speech() -> None:
    text = "Police officials said that the protesters had blocked the main road for six hours."
    reported = [q for q in _quotes(text) if not q.direct]
    assert reported
    assert reported[0].text.startswith("the protesters had blocked")
    assert reported[0].cue == "said"

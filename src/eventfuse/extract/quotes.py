"""Quotes: direct quotations with their speaker and cue verb, and reported (indirect) speech.

Direct quotes are found in the text by their marks (smart and straight, double and single), joined
across paragraphs when a paragraph leaves a quote open and the next one opens again (the newswire
convention). The speaker comes from the parse around the quote: the subject of a cue verb
right after it (", Massoud said") or right before it ("He also added"), with "he"/"she" resolved
to the last named person. Reported speech ("said that ...", "accused X of ...") is kept with
``direct=False``.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from spacy.tokens import Doc, Span, Token

from eventfuse.extract.actors import (
    ActorContext,
    build_actor_context,
    get_agents,
    last_named_person,
    normalize_actor,
)
from eventfuse.nlp import doc_text as text_of
from eventfuse.nlp import entities, sentence_of, token_bounds, token_lemmas
from eventfuse.records import Evidence, Quote
from eventfuse.yamlfile import load_yaml

_OPEN_CLOSE = {"“": "”", "‘": "’", '"': '"', "«": "»"}
_MARKS = re.compile("[" + re.escape("".join(_OPEN_CLOSE)) + "]")
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
# How far (in tokens) from a quote mark a cue verb may stand and still introduce the quote.
_CUE_WINDOW = 8


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Character span of a quotation's content (marks excluded) in the doc text."""

    start: int
    end: int

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]


@functools.cache
def _quote_lexicon() -> tuple[frozenset[str], int]:
    text = resources.files("eventfuse").joinpath("data/agents.yaml").read_text(encoding="utf-8")
    data = load_yaml(text)
    return frozenset(data["quote_cues"]), int(data["scare_quote_max_words"])


# --- finding quotation marks -------------------------------------------------------------------


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Quotation contents, joining a quote continued over paragraphs into one span."""
    spans: list[QuoteSpan] = []
    pending: QuoteSpan | None = None  # a quote left open at a paragraph end
    offset = 0
    for paragraph in re.split(r"(\n\s*\n|\n)", text):
        if not paragraph.strip() or paragraph.startswith("\n"):
            offset += len(paragraph)
            continue
        found, open_start = _spans_in_paragraph(paragraph, offset)
        if pending is not None:
            first = paragraph.lstrip()
            continued_at = offset + len(paragraph) - len(first) + 1
            if first[:1] in _OPEN_CLOSE and found and found[0].start == continued_at:
                found[0] = QuoteSpan(pending.start, found[0].end)
            elif first[:1] in _OPEN_CLOSE and open_start is not None and not found:
                pending = QuoteSpan(pending.start, offset + len(paragraph.rstrip()))
                offset += len(paragraph)
                continue
            else:
                spans.append(pending)
            pending = None
        spans += found
        if open_start is not None:
            pending = QuoteSpan(open_start, offset + len(paragraph.rstrip()))
        offset += len(paragraph)
    if pending is not None:
        spans.append(pending)
    return [s for s in spans if s.text_in(text).strip()]


def _spans_in_paragraph(paragraph: str, offset: int) -> tuple[list[QuoteSpan], int | None]:
    """Closed quotes in one paragraph, and where an unclosed one opens (if any)."""
    found: list[QuoteSpan] = []
    i = 0
    while (at := _MARKS.search(paragraph, i)) is not None:  # the next mark, not every char
        i = at.start()
        mark = paragraph[i]
        if not _opens(paragraph, i):
            i += 1
            continue
        close = _closing(paragraph, i + 1, _OPEN_CLOSE[mark])
        if close is None:
            if mark in "‘'":
                i += 1  # an apostrophe, not an opening single quote
                continue
            return found, offset + i + 1
        found.append(QuoteSpan(offset + i + 1, offset + close))
        i = close + 1
    return found, None


def _clean_quote(text: str) -> str:
    """The words of a quote joined over paragraphs: marks and line breaks between them dropped."""
    joined = re.sub(r"[”\"]?\s*\n\s*[“\"]?", " ", text)
    return re.sub(r"\s+", " ", joined).strip()


def _opens(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isalnum() and not after.isspace()


def _closing(text: str, start: int, close: str) -> int | None:
    j = text.find(close, start)
    while j != -1:
        after = text[j + 1] if j + 1 < len(text) else " "
        # "country’s": an apostrophe inside the quote
        if j > start and not (close in "’'" and after.isalpha()):
            return j
        j = text.find(close, j + 1)
    return None


# --- speakers -----------------------------------------------------------------------------------


def find_quotes(
    doc: Doc, article_id: str, context: ActorContext | None = None
) -> list[Quote]:
    """Direct quotes with speakers, then reported speech not already inside a direct quote."""
    context = context or build_actor_context(doc, article_id)
    cues, scare_max = _quote_lexicon()
    quotes: list[Quote] = []
    doc_text = text_of(doc)  # spaCy rebuilds Doc.text on every access: once per Doc
    for span in find_quote_spans(doc_text):
        text = _clean_quote(span.text_in(doc_text))
        speaker, cue = _speaker_for(doc, span, cues)
        scare = len(text.split()) <= scare_max
        if scare and speaker is None:
            continue  # a scare-quoted phrase nobody is said to have said
        quotes.append(_quote(doc_text, article_id, span, text, speaker, cue, True, context))
    covered = [(q.evidence.start, q.evidence.end) for q in quotes if q.evidence]
    for clause, speaker, cue in _reported_speech(doc, cues):
        if any(s - 1 <= clause.start_char < e + 1 for s, e in covered) or _has_mark(clause):
            continue
        span = QuoteSpan(clause.start_char, clause.end_char)
        quotes.append(
            _quote(doc_text, article_id, span, clause.text, speaker, cue, False, context)
        )
    return sorted(quotes, key=lambda q: q.evidence.start if q.evidence else 0)


def _quote(
    doc_text: str,
    article_id: str,
    span: QuoteSpan,
    text: str,
    speaker: Span | None,
    cue: Token | None,
    direct: bool,
    context: ActorContext,
) -> Quote:
    name, canonical, speaker_evidence = None, None, None
    if speaker is not None:
        resolved = _resolve(speaker, context)
        name = speaker.text
        canonical = normalize_actor(resolved.text, context).canonical if resolved else None
        speaker_evidence = Evidence(article_id, speaker.start_char, speaker.end_char, speaker.text)
    return Quote(
        text=text,
        speaker=name,
        speaker_canonical=canonical,
        cue=cue.text if cue is not None else None,
        direct=direct,
        evidence=Evidence(article_id, span.start, span.end, doc_text[span.start : span.end]),
        speaker_evidence=speaker_evidence,
    )


def _resolve(speaker: Span, context: ActorContext) -> Span | None:
    """A pronoun speaker ("He") stands for the last named person subject before it."""
    if len(speaker) == 1 and speaker[0].lower_ in get_agents().person_pronouns:
        return last_named_person(speaker.doc, speaker.start_char, context)
    if len(speaker) == 1 and speaker[0].pos_ == "PRON":
        return None
    return speaker


def _speaker_for(
    doc: Doc, span: QuoteSpan, cues: frozenset[str]
) -> tuple[Span | None, Token | None]:
    """The subject of the nearest cue verb after the quote, else before it."""
    starts, ends = token_bounds(doc)
    first_after = bisect.bisect_left(starts, span.end)
    after = _until_break(list(doc[first_after : first_after + _CUE_WINDOW + 2]))
    end_before = bisect.bisect_right(ends, span.start)
    before = list(doc[max(0, end_before - _CUE_WINDOW - 2) : end_before])
    nearest_before = _until_break(list(reversed(before)))
    for cue in [*after, *nearest_before]:
        if cue.lemma_.lower() in cues and cue.pos_ in ("VERB", "AUX"):
            subject = _subject(cue)
            if subject is not None:
                return subject, cue
    return None, None


def _until_break(tokens: Sequence[Token]) -> list[Token]:
    """Tokens up to another quote mark or paragraph break: a cue beyond it belongs elsewhere."""
    out: list[Token] = []
    for token in tokens:
        if "\n" in token.text or (out and token.text in _OPEN_CLOSE):
            break
        if out and token.text in (".", "!", "?"):
            break  # another sentence's cue speaks for another quote
        out.append(token)
    return out


def _subject(verb: Token) -> Span | None:
    for child in verb.children:
        if child.dep_ in _SUBJECTS:
            return _name_span(child)
    if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
        return _name_span(verb.head)  # "crowds chanting ...": the chanting crowds
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.i != verb.i:
        return _subject(verb.head)
    return None


def _name_span(token: Token) -> Span:
    """The subject's name: a named entity around it, else its compound+head."""
    for ent in entities(token.doc):
        if ent.start <= token.i < ent.end:
            return ent
    start = min([token.i] + [c.i for c in token.lefts if c.dep_ in ("compound", "amod", "poss")])
    return token.doc[start : token.i + 1]


# --- reported speech ---------------------------------------------------------------------------


def _reported_speech(doc: Doc, cues: frozenset[str]) -> Iterator[tuple[Span, Span, Token]]:
    """(clause, speaker, cue) for "X said that ...", "X claimed ...", "X accused Y of ..."."""
    for i, lemma in enumerate(token_lemmas(doc)):
        if lemma not in cues:
            continue
        token = doc[i]
        if token.pos_ != "VERB":
            continue
        speaker = _subject(token)
        if speaker is None:
            continue
        clause = _reported_clause(token)
        if clause is not None and len(clause) >= 3:
            yield clause, speaker, token


def _reported_clause(verb: Token) -> Span | None:
    doc = verb.doc
    for child in verb.children:
        if child.dep_ == "ccomp" and any(c.dep_ in _SUBJECTS for c in child.children):
            tokens = [t for t in child.subtree if t.dep_ != "mark" or t.head != child]
            if tokens[0].i <= verb.i or tokens[-1].i >= sentence_of(verb).end:
                return None  # "a charge Islamabad denies": the clause is not what was said
            return _trim(doc[tokens[0].i : tokens[-1].i + 1])
    if verb.lemma_.lower() in ("accuse", "allege", "blame"):
        target = [c for c in verb.children if c.dep_ == "dobj"]
        of = [c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("of", "for")]
        if target and of:
            return _trim(doc[target[0].left_edge.i : of[0].right_edge.i + 1])
    return None


def _trim(span: Span) -> Span:
    start, end = span.start, span.end
    while end > start and span.doc[end - 1].is_punct:
        end -= 1
    return span.doc[start:end]


def _has_mark(span: Span) -> bool:
    return any(ch in span.text for ch in "“”\"«»")

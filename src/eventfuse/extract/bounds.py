"""Per-article bounds on what is parsed: the cost of one article is capped before spaCy sees it.

An article of 200,000 characters of one sentence repeated (well under every file limit) parsed to
thousands of identical mentions and fusion never finished. Articles are cut, before parsing, after
``max_parsed_sentences`` sentence ends and at ``max_parsed_chars`` characters (at a sentence end
when there is one); the cut keeps a prefix, so evidence offsets still index the stored text. A
logged warning names the article and the bound hit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice

from eventfuse.records import Article
from eventfuse.settings import Options

LOG = logging.getLogger(__name__)
# A sentence end as a cheap pre-parse count: terminal punctuation, closing quotes or brackets,
# then white space. spaCy's own sentences are found later, on the kept prefix.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\s+")


@dataclass(frozen=True, slots=True)
class Bounded:
    text: str
    note: str | None  # why the text was cut, None when whole


def bounded_text(text: str, options: Options) -> Bounded:
    """The prefix of ``text`` within the per-article bounds, and a note when it was cut."""
    limit_chars, limit_sentences = options.max_parsed_chars, options.max_parsed_sentences
    cut, note = len(text), None
    if limit_sentences > 0:
        nth = next(islice(_SENTENCE_END.finditer(text), limit_sentences - 1, None), None)
        if nth is not None and nth.end() < len(text):
            cut, note = nth.end(), f"max_parsed_sentences ({limit_sentences})"
    if cut > limit_chars:
        ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit_chars)]
        cut = ends[-1] if ends else limit_chars
        note = f"max_parsed_chars ({limit_chars})"
    if note is None:
        return Bounded(text, None)
    return Bounded(text[:cut], f"parsed the first {cut} of {len(text)} characters: {note}")


def bounded_articles(articles: Sequence[Article], options: Options) -> list[Article]:
    """Each article with its text within the bounds (a prefix: evidence offsets stay valid for
    the stored text); a warning for every article cut."""
    kept = []
    for article in articles:
        bounded = bounded_text(article.text, options)
        if bounded.note:
            LOG.warning("article %s (%s): %s", article.id, article.source_path or article.url,
                        bounded.note)
            article = replace(article, text=bounded.text)
        kept.append(article)
    return kept

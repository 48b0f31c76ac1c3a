"""One article's extraction: its parsed Doc through the extraction components (pipeline.py)."""

from __future__ import annotations

from spacy.tokens import Doc

from eventfuse.errors import EventfuseError
from eventfuse.extract.pipeline import TraceRecord, run_components
from eventfuse.nlp import doc_text
from eventfuse.records import Article, Mention
from eventfuse.settings import Options, load_options


class ExtractError(EventfuseError):
    """The Doc does not belong to the Article (text differs), so evidence offsets would be wrong."""


def extract_mentions(article: Article, doc: Doc, options: Options | None = None) -> list[Mention]:
    """Every reported happening of ``article`` as a Mention, in text order, with evidence."""
    if doc_text(doc) != article.text:
        raise ExtractError(f"[X001] article {article.id}: the Doc was parsed from a different text")
    doc = run_components(doc, article, options or load_options())
    return list(doc._.ef_mentions)


def explain_article(
    article: Article, doc: Doc, options: Options | None = None
) -> tuple[list[Mention], list[TraceRecord]]:
    """The mentions of ``article`` and the trace of what each component dropped or changed."""
    doc = run_components(doc, article, options or load_options())
    return list(doc._.ef_mentions), sorted(doc._.ef_trace, key=lambda r: r.start)

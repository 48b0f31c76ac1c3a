"""Extract stage: one clean Article + its spaCy Doc -> Mention records (one per reported happening).

The model parses (nlp.py); the extraction components of pipeline.py then find triggers, filter
them, read their arguments, join mentions of one happening, rank them and build the mentions.
:func:`extract_articles` parses many articles with ``nlp.pipe`` first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from spacy.tokens import Doc

from eventfuse.errors import EventfuseError
from eventfuse.extract.bounds import bounded_articles
from eventfuse.extract.events import detect_events
from eventfuse.extract.pipeline import TraceRecord, run_components, title_lemmas
from eventfuse.nlp import doc_text, parse, parse_cached, pipe_processes
from eventfuse.records import Article, Mention
from eventfuse.settings import Options, load_options

__all__ = [
    "ExtractError",
    "detect_events",
    "explain_article",
    "extract_articles",
    "extract_mentions",
]


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


def extract_articles(
    articles: Sequence[Article], options: Options, parse_cache: Path | None = None
) -> list[Mention]:
    """Mentions of many articles, parsed in batches with ``nlp.pipe`` (``options.batch_size``,
    ``options.n_process``), in input order. ``parse_cache``: a folder keeping parses between
    runs (evaluation). Each article's text is cut to the per-article bounds first (a warning
    names it); its mentions come from, and their evidence indexes, the kept prefix."""
    articles = bounded_articles(articles, options)
    processes = pipe_processes(len(articles), options.batch_size, options.n_process)
    docs: Iterable[Doc]
    if parse_cache is not None:
        docs = parse_cached([a.text for a in articles], parse_cache,
                            batch_size=options.batch_size, n_process=processes)
    else:
        docs = parse(
            (a.text for a in articles), batch_size=options.batch_size, n_process=processes,
        )
    title_lemmas([a.title for a in articles if a.title])  # one batched pass for the salience
    mentions: list[Mention] = []
    for article, doc in zip(articles, docs, strict=True):
        mentions.extend(extract_mentions(article, doc, options))
    return mentions

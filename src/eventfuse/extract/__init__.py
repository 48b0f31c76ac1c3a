"""Extract stage: one clean Article + its spaCy Doc -> Mention records (one per reported happening).

The model parses (nlp.py); the extraction components of pipeline.py then find triggers, filter
them, read their arguments, join mentions of one happening, rank them and build the mentions.
:func:`extract_articles` parses many articles with ``nlp.pipe`` first, in worker processes that
also extract when asked for several (``extract/workers.py``).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from eventfuse.extract.article import ExtractError, explain_article, extract_mentions
from eventfuse.extract.bounds import bounded_articles
from eventfuse.extract.events import detect_events
from eventfuse.extract.workers import extract_batch, extract_in_workers
from eventfuse.nlp import pipe_processes
from eventfuse.records import Article, Mention
from eventfuse.settings import Options

__all__ = [
    "ExtractError",
    "detect_events",
    "explain_article",
    "extract_articles",
    "extract_batches",
    "extract_mentions",
]


def extract_articles(
    articles: Sequence[Article], options: Options, parse_cache: Path | None = None
) -> list[Mention]:
    """Mentions of many articles, in input order, parsed in batches with ``nlp.pipe``
    (``options.batch_size``) and, with ``options.n_process`` > 1 and more than one batch,
    parsed and extracted in that many worker processes. ``parse_cache``: a folder keeping
    parses between runs (evaluation). Each article's text is cut to the per-article bounds
    first (a warning names it); its mentions come from, and their evidence indexes, the kept
    prefix."""
    processes = pipe_processes(len(articles), options.batch_size, options.n_process)
    size = options.batch_size
    batches = (articles[start : start + size] for start in range(0, len(articles), size))
    return [m for _ids, found in extract_batches(batches, options, processes, parse_cache)
            for m in found]


def extract_batches(
    batches: Iterable[Sequence[Article]],
    options: Options,
    workers: int = 1,
    parse_cache: Path | None = None,
    ahead: int = 0,
) -> Iterator[tuple[list[str], list[Mention]]]:
    """Each batch's article ids and mentions, in order: with ``workers`` > 1 each batch is parsed
    and extracted in a worker process (``extract/workers.py``), else here. ``batches`` is read
    lazily, a few batches ahead of what is yielded (a caller may read them from a store and
    write each batch's mentions: memory stays a few batches whatever the corpus); ``ahead``
    batches when larger (the workers' work while the caller does something else)."""
    if workers <= 1:
        for batch in batches:
            yield [a.id for a in batch], extract_batch(bounded_articles(batch, options), options,
                                                       parse_cache)
        return
    ids: collections.deque[list[str]] = collections.deque()

    def bounded() -> Iterator[list[Article]]:
        for batch in batches:
            ids.append([a.id for a in batch])
            yield bounded_articles(batch, options)

    for found in extract_in_workers(bounded(), options, workers, parse_cache, ahead):
        yield ids.popleft(), found

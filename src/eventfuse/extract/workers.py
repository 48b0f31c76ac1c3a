"""Parsing AND extraction in worker processes: each worker parses one batch of articles with
``nlp.pipe`` and runs the extraction components on it, returning the batch's frozen Mention
records; the calling process only reads, hands out and collects batches, in input order.

With the rules in the main process (as before) they ran on one core while the workers parsed:
the rules cost about as much CPU as the parse, so the second core could not be filled. Workers
are forked from a process that has loaded the model, lexicons and gazetteer once (no reload per
worker); the mentions are the same as in one process (tests/test_extract_workers.py).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from eventfuse.records import Article, Mention
from eventfuse.settings import Options

# Batches queued per worker: a worker finishing early takes the next at once, and the articles
# in flight (read, not yet written) stay a few batches.
QUEUED_PER_WORKER = 2
# Batches a forked worker extracts before a fresh fork replaces it (bounds its memory).
BATCHES_PER_WORKER_LIFE = 16

# An invented article touching every lazily loaded part (model, lexicons, gazetteer, dates,
# typing), extracted once before forking so that the workers inherit it all loaded.
_WARM_TEXT = ("SPRINGFIELD, Ill. (AP) - Police said two men were shot and killed on Monday near "
              "a school in Springfield. Hundreds of people protested on Tuesday, officials said.")


def extract_batch(
    articles: Sequence[Article], options: Options, parse_cache: Path | None = None
) -> list[Mention]:
    """Parse ``articles`` (one ``nlp.pipe`` run in this process, or the parse cache) and extract
    their mentions, in order. What each worker runs, and the in-process path too."""
    from eventfuse.extract.article import extract_mentions
    from eventfuse.extract.firstpass import parse_texts, parse_texts_cached
    from eventfuse.extract.headline_parse import headline_docs

    texts = [a.text for a in articles]
    # The parser holds buffers for every text it parses at once (~10 KB a token): a batch's
    # articles are parsed a few at a time, which gives the same parses with a lower peak.
    size, first = max(1, min(options.batch_size, options.parse_batch)), options.first_pass
    docs = (parse_texts_cached(texts, parse_cache, batch_size=size, first_pass=first)
            if parse_cache is not None else parse_texts(texts, batch_size=size, first_pass=first))
    headline_docs([a.title for a in articles if a.title and a.title.strip()])  # one batched parse
    mentions: list[Mention] = []
    for article, doc in zip(articles, docs, strict=True):
        mentions.extend(extract_mentions(article, doc, options))
    return mentions


def extract_batch_collected(
    articles: Sequence[Article], options: Options, parse_cache: Path | None = None
) -> list[Mention]:
    """:func:`extract_batch`, then the batch's cyclic garbage collected: what a worker runs.

    A batch leaves its Docs and the parser's per-batch step models (which hold the batch's
    token vectors) in reference cycles, which only a full collection frees; with the model's
    and tables' objects frozen before the fork (:func:`extract_in_workers`) those collections
    come rarely, and a worker held each batch's parse long after it: ~250 MB more heap and
    ~300 MB more private memory per worker. Collected here, a worker's collection walks only
    its own objects (~25 ms a batch) and its memory stays near the forked process's."""
    mentions = extract_batch(articles, options, parse_cache)
    gc.collect()
    return mentions


def extract_in_workers(
    batches: Iterable[Sequence[Article]],
    options: Options,
    workers: int,
    parse_cache: Path | None = None,
    ahead: int = 0,
) -> Iterator[list[Mention]]:
    """The mentions of each batch, in order, parsed and extracted by ``workers`` processes.

    ``batches`` is read lazily in the calling thread (it may read a store), a few batches
    ahead of the results (``QUEUED_PER_WORKER`` per worker, or ``ahead`` in all when more),
    so a caller writing each batch's mentions streams a corpus of any size through the
    workers with bounded memory. The workers go on with the queued batches while the caller,
    between two results, does work of its own (a run fuses a slice there)."""
    warm(options)
    # The loaded model, gazetteer and lexicons into the collector's permanent generation while
    # the workers fork: a collection in a worker would otherwise write to every object's header
    # and so copy every page it shares with this process. (Collected first, unfrozen after: a
    # run forks once per slice, and this process's garbage must stay collectable.)
    gc.collect()
    gc.freeze()
    try:
        with _pool(workers) as pool:
            pending: collections.deque[AsyncResult[list[Mention]]] = collections.deque()
            for batch in batches:
                pending.append(pool.apply_async(extract_batch_collected,
                                                (list(batch), options, parse_cache)))
                while len(pending) > max(ahead, workers * QUEUED_PER_WORKER):
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        gc.unfreeze()


def warm(options: Options) -> None:
    """Load everything extraction loads lazily, in this process (the loaders cache: a second
    call costs one small extraction)."""
    import datetime as dt

    from eventfuse.extract import times
    from eventfuse.extract.article import extract_mentions
    from eventfuse.nlp import parse_one

    article = Article(id="warm", text=_WARM_TEXT, title="Two killed in shooting",
                      published=dt.date(2020, 1, 1))
    extract_mentions(article, parse_one(_WARM_TEXT), options)
    times.warm()
    # The typing embedder (ONNX MiniLM, ~190 MB) loads at the first sentence the lexicon cannot
    # type, which the warm text does not reach: loaded here, the forked workers share its pages
    # instead of each loading its own.
    from eventfuse.extract.embedding import EmbeddingError, get_embedder

    with contextlib.suppress(EmbeddingError):  # reported where a sentence needs it, as before
        get_embedder()


def _pool(workers: int) -> Pool:
    """Forked workers share the loaded model and tables copy-on-write; where fork is not
    available (Windows), spawned ones load them again."""
    if "fork" in multiprocessing.get_all_start_methods():
        # A forked worker is replaced after BATCHES_PER_WORKER_LIFE batches: a fork of the warm
        # process costs nothing, and a worker's private memory (its parses' and caches' pages)
        # grew with the articles it had extracted (largest worker 1.06 GB at 1k, 1.36 GB at 10k).
        # A worker freezes what it inherits: its batch's collection then walks only its own
        # objects, never the pages it shares with this process (which may be mid-fusion when
        # the pool replaces a worker, holding the fusion's objects).
        return multiprocessing.get_context("fork").Pool(
            workers, initializer=gc.freeze, maxtasksperchild=BATCHES_PER_WORKER_LIFE)
    return multiprocessing.get_context("spawn").Pool(workers)  # each loads the model: kept

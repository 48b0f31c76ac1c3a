"""The local engine: ingest -> extract -> fuse on one machine, batch by batch, into a store.

Each step reads what it needs from the store, calls the pure stage functions, and writes its
results back in one transaction per batch, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from eventfuse.changes import Change, diff_events, utc_now
from eventfuse.errors import EventfuseError, InputError, StoreError
from eventfuse.records import Article, Event
from eventfuse.settings import Options
from eventfuse.store import Store

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from eventfuse.fuse.scope import ScopedFusion

Progress = Callable[[str, int], None]  # (step name, items done in this call)


@dataclass(frozen=True, slots=True)
class IngestReport:
    read: int = 0
    added: int = 0
    already_stored: int = 0
    copies: int = 0
    errors: tuple[InputError, ...] = ()
    added_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RunReport:
    ingest: IngestReport = field(default_factory=IngestReport)
    extracted_articles: int = 0
    new_mentions: int = 0
    events_touched: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    changes: tuple[Change, ...] = ()


def _batches(
    items: Iterable[Article | InputError], size: int
) -> Iterable[list[Article | InputError]]:
    batch: list[Article | InputError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_articles(
    items: Iterable[Article | InputError],
    store: Store,
    options: Options,
    progress: Progress | None = None,
    stored: Callable[[Sequence[str]], None] | None = None,
) -> IngestReport:
    """Store new articles once (exact duplicates by id), linking near-duplicates as wire copies.
    ``stored`` is called with each batch's new ids once they are committed."""
    # The pipeline's stages are imported when run: reading a store needs neither spaCy nor MinHash.
    from eventfuse.ingest.bands import StoredCopyIndex
    from eventfuse.ingest.dedup import link_copies, signature
    from eventfuse.ingest.identity import stored_under_legacy_id

    # Stored candidates are looked up by LSH band, in the store's ingestion order: copies link
    # as in an unbroken run, and reading them costs what the new articles match, not the store.
    index = StoredCopyIndex(store, options.near_duplicate_jaccard, options.minhash_permutations)
    read = added = existing = copies = 0
    errors: list[InputError] = []
    added_ids: list[str] = []
    for batch in _batches(items, options.batch_size):
        errors.extend(item for item in batch if isinstance(item, InputError))
        articles = [item for item in batch if isinstance(item, Article)]
        read += len(articles)
        known = store.existing_article_ids([a.id for a in articles])
        known |= stored_under_legacy_id(articles, store)  # stored before ids hashed the outlet
        fresh: dict[str, Article] = {}
        for article in articles:
            if article.id in known or article.id in fresh:
                existing += 1
            else:
                fresh[article.id] = article
        signatures = {a.id: signature(a.text, options.minhash_permutations) for a in fresh.values()}
        linked = link_copies(list(fresh.values()), index, signatures)
        copies += sum(1 for a in linked if a.copy_of)
        fresh = {a.id: a for a in linked}
        store.add_articles(list(fresh.values()), signatures)
        store.fill_signature_bands(index.layout, index.bands, fresh)
        added += len(fresh)
        added_ids.extend(fresh)
        if stored:
            stored(list(fresh))
        if progress:
            progress("ingest", len(batch))
    return IngestReport(read, added, existing, copies, tuple(errors), tuple(added_ids))


def extract_pending(
    store: Store,
    options: Options,
    progress: Progress | None = None,
    ids: Sequence[str] | None = None,
) -> int:
    """Extract mentions from every stored article not yet extracted (or from ``ids``); returns
    mentions found. With ``options.n_process`` > 1, worker processes parse and extract one
    batch each at a time while this process reads the next batches and writes each batch's
    mentions as it comes."""
    from eventfuse.extract import extract_batches
    from eventfuse.nlp import pipe_processes

    pending = store.articles_without_mentions() if ids is None else list(ids)
    size = options.batch_size
    workers = pipe_processes(len(pending), size, options.n_process)
    batches = (store.get_articles(list(part)) for part in in_batches(pending, size, workers))
    found = 0
    for ids, mentions in extract_batches(batches, options, workers):
        store.put_mentions(ids, mentions)
        found += len(mentions)
        if progress:
            progress("extract", len(ids))
    return found


def in_batches(ids: Sequence[str], size: int, workers: int = 1) -> list[Sequence[str]]:
    """``ids`` in batches of ``size``; with ``workers`` > 1, the last ``2 * workers`` batches'
    articles in batches of half that size. The workers take batches as they free up, so the
    last one ends up to a batch after the others, which idle meanwhile: with half batches at
    the end, up to half a batch (~1 s less of one worker idle on gva-dev). A half batch is
    parsed in the same groups of ``parse_batch`` (16) as a whole one: the same parses."""
    whole = [ids[start : start + size] for start in range(0, len(ids), size)]
    if workers <= 1 or size < 2:
        return whole
    tail_from = max(0, len(whole) - 2 * workers) * size
    half = -(-size // 2)
    return whole[: tail_from // size] + [ids[start : start + half]
                                         for start in range(tail_from, len(ids), half)]


def fuse_all(
    store: Store,
    options: Options,
    lemmas: Mapping[str, frozenset[str]] | None = None,
    unextracted: frozenset[str] = frozenset(),
) -> tuple[list[Event], tuple[str, ...]]:
    """Fuse the stored mentions no event holds yet into events, reading and re-fusing only
    their scope (``fuse/scope.py``: their place blocks within the date window, their stories,
    the events there), keeping ids of events whose members persist; returns the scope's
    current events and the ids removed. Only events that changed are written. ``lemmas``
    (mention id -> trigger lemmas) spares fusion a parse when already known; ``unextracted``:
    stored articles left for a later slice, which this fusion does not see."""
    scoped = _fuse_step(store, options, lemmas, unextracted)
    return list(scoped.result.events), tuple(scoped.result.removed_event_ids)


def fusion_slices(store: Store, pending: Sequence[str], options: Options) -> list[list[str]]:
    """``pending`` articles in the slices a run extracts and fuses one after another: all at
    once up to ``fuse_every`` articles, else slices of that many in publication order, so
    that each slice's fusion scope (its dates' neighbourhood) stays the size of a slice and
    the run's memory does not grow with its input."""
    size = options.fuse_every
    if size <= 0 or len(pending) <= size:
        return [list(pending)]
    ordered = store.in_publication_order(pending)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def with_later_slices(
    slices: Sequence[Sequence[str]],
) -> Iterator[tuple[Sequence[str], frozenset[str]]]:
    """Each slice with the articles of the slices after it: stored already, but hidden from
    that slice's fusion (``unextracted``), so that slice by slice is a sequence of runs."""
    later = {i for part in slices[1:] for i in part}
    for ids in slices:
        later.difference_update(ids)
        yield ids, frozenset(later)


def _fuse_step(
    store: Store,
    options: Options,
    lemmas: Mapping[str, frozenset[str]] | None,
    unextracted: frozenset[str] = frozenset(),
) -> ScopedFusion:
    from eventfuse.fuse import anchored_mentions
    from eventfuse.fuse.scope import fuse_scope

    # One writer across processes: nothing is written between this step's reads and writes.
    with store.writer_lock():
        scoped = fuse_scope(store, options, lemmas, unextracted)
        result = scoped.result
        stored = {e.id: e for e in scoped.scope.previous}
        # Events fusion returned unchanged are stored as they are: rewriting them cost more
        # than the fusion of a small increment.
        changed = [e for e in result.events if stored.get(e.id) != e]
        store.put_events(changed, result.removed_event_ids)
        if result.anchored_mentions:
            # Undated articles' mentions now carry the date their event gave them: store it
            # (put_mentions replaces an article's mentions: all of them are read).
            touched = sorted({m.article_id for m in result.anchored_mentions})
            store.put_mentions(touched, anchored_mentions(result, store.get_mentions(touched)))
    return scoped


def fuse_recording_changes(
    store: Store,
    options: Options,
    new_articles: Iterable[str] = (),
    lemmas: Mapping[str, frozenset[str]] | None = None,
    unextracted: frozenset[str] = frozenset(),
) -> list[Change]:
    """:func:`fuse_all`, then the change log gets what it did to the events (``eventfuse
    changes``). ``new_articles``: ids of the articles this fusion is the first to see (new or
    revised since the last one), to which changes are attributed."""
    # One step under the (re-entrant) writer lock: no other writer's events land between the
    # fusion's reads and the log, so the log records exactly what this fusion did. Events
    # outside the scope are unchanged: the scope's before and after are the whole difference.
    with store.writer_lock():
        scoped = _fuse_step(store, options, lemmas, unextracted)
        at = utc_now()
        changes = [replace(c, at=at) for c in diff_events(scoped.scope.previous,
                                                           scoped.result.events,
                                                           new_articles=set(new_articles))]
        store.record_changes(changes)
    return changes


def run(
    items: Iterable[Article | InputError],
    store: Store,
    options: Options,
    progress: Progress | None = None,
    *,
    count: bool = True,
) -> RunReport:
    """Ingest, extract what is new, fuse and record the changes; idempotent on the same input.

    Articles stored earlier but never extracted (``eventfuse ingest``, an interrupted run) are
    extracted and fused too, and the changes they cause are attributed to them. ``count``:
    the report carries the store's row counts; counting every row costs a run time in
    proportion to the store, which a caller that does not show them (an API write) skips.

    More than ``options.fuse_every`` new articles are extracted and fused slice by slice, in
    publication order (:func:`fusion_slices`): each fusion sees the store as if the later
    slices were not stored yet, as a sequence of runs of one slice each would."""
    ingested = _ingest_beside_warm_up(items, store, options, progress)
    pending = store.articles_without_mentions()
    slices = fusion_slices(store, pending, options)
    if len(slices) > 1:
        return _run_slices(slices, ingested, store, options, progress, count=count)
    new_mentions = extract_pending(store, options, progress)
    fused = bool(pending or ingested.added or _unfused_mentions(store))
    changes = fuse_recording_changes(store, options, pending) if fused else []
    counts = store.counts() if count else {}
    return RunReport(ingested, len(pending), new_mentions,
                     counts.get("events", 0) if fused else 0, counts, tuple(changes))


# What an ingest process sends its parent before its report: more than a batch of articles is
# new, so the run will extract in workers (which warm up first); and a batch's progress.
_WARM_UP = "warm-up"


def _ingest_beside_warm_up(
    items: Iterable[Article | InputError],
    store: Store,
    options: Options,
    progress: Progress | None,
) -> IngestReport:
    """:func:`ingest_articles`; when the run extracts in workers (``n_process`` > 1) into a
    store a second process can open, in a forked process, while this one loads what the
    workers inherit (:func:`eventfuse.extract.workers.warm`: model, gazetteer, dates, typing
    embedder). Each takes one core for ~3 s on 2k articles and needs nothing of the other (a
    thread does not overlap them: the GIL). The warm-up starts once more than a batch is new:
    the extraction then runs in workers, which warm up anyway; a run with nothing new loads
    nothing; a list of at most a batch (an API post) is ingested here, without a fork. The
    store ends as after an ingest in this process: the same rows, in the same
    order, and an error raised in the ingest process is raised here, after what it stored."""
    location = store.location
    few = isinstance(items, Sized) and len(items) <= options.batch_size  # an API post: no fork
    if options.n_process <= 1 or few or location in ("", ":memory:") or not _can_fork():
        return ingest_articles(items, store, options, progress)
    import multiprocessing

    from eventfuse.extract.workers import warm

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_ingest_process, name="eventfuse-ingest",
                            args=(items, store, options, send, progress is not None, os.getpid()))
    child.start()
    send.close()
    failed: Exception | None = None  # the warm-up's, raised once the ingest is done
    outcome: object = None
    try:
        while True:
            try:
                outcome = receive.recv()
            except EOFError:  # the process died before it answered (killed, out of memory)
                outcome = None
            if outcome == _WARM_UP:
                try:
                    warm(options)
                except Exception as exc:  # an ingest-then-extract run raises it after ingest
                    failed = exc
            elif isinstance(outcome, tuple):
                if progress:
                    progress(*outcome)
            else:
                break
    except BaseException:
        child.terminate()  # interrupted: as an interrupt stops an ingest in this process
        raise
    finally:
        receive.close()
        child.join()
    if isinstance(outcome, _IngestOutcome):
        if failed is not None:
            raise failed
        return outcome.report()
    if isinstance(outcome, _InputFailure):
        raise InputError(outcome.path, outcome.reason)
    if isinstance(outcome, BaseException):
        raise outcome  # as the ingest in this process would have raised it
    raise StoreError(f"{location}: the ingest of the run's inputs failed: "
                     f"{outcome or f'its process ended with code {child.exitcode}'}")


@dataclass(frozen=True, slots=True)
class _IngestOutcome:
    """An :class:`IngestReport` across processes: its input errors as (path, reason) pairs
    (an :class:`InputError` does not survive pickling: its constructor takes two arguments)."""

    report_without_errors: IngestReport
    errors: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, report: IngestReport) -> _IngestOutcome:
        return cls(replace(report, errors=()), tuple((e.path, e.reason) for e in report.errors))

    def report(self) -> IngestReport:
        return replace(self.report_without_errors,
                       errors=tuple(InputError(path, reason) for path, reason in self.errors))


@dataclass(frozen=True, slots=True)
class _InputFailure:
    """An :class:`InputError` the ingest raised, across processes."""

    path: str
    reason: str


def _ingest_process(
    items: Iterable[Article | InputError],
    inherited: Store,
    options: Options,
    send: Connection,
    report_progress: bool,
    parent: int,
) -> None:
    """A forked process's ingest on a connection of its own (the inherited store's is never
    used). It dies with the run's process (a killed run leaves no ingest storing behind it)."""
    _die_with_parent(parent)
    # multiprocessing points a child's sys.stdin at /dev/null, but the run's input may be its
    # stdin ("-", read lazily by ``items``): fd 0 is still the run's, and only this process
    # reads it (the run's process never iterates ``items`` on this path).
    with contextlib.suppress(OSError):
        sys.stdin = open(0, closefd=False)  # noqa: SIM115  lives as long as the process
    added = 0

    def stored(ids: Sequence[str]) -> None:
        nonlocal added
        if added <= options.batch_size < added + len(ids):
            send.send(_WARM_UP)
        added += len(ids)

    def advance(step: str, done: int) -> None:
        send.send((step, done))

    try:
        with inherited.reopened() as store:
            report = ingest_articles(items, store, options, advance if report_progress else None,
                                     stored)
        send.send(_IngestOutcome.of(report))
    except InputError as exc:
        send.send(_InputFailure(exc.path, exc.reason))
    except Exception as exc:  # the parent raises it, when it survives pickling
        try:
            send.send(pickle.loads(pickle.dumps(exc)))
        except Exception:
            send.send(f"{type(exc).__name__}: {exc}")
    finally:
        send.close()


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when the run's process dies (a SIGKILL included)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that took effect
        os._exit(1)


def _run_slices(
    slices: Sequence[Sequence[str]],
    ingested: IngestReport,
    store: Store,
    options: Options,
    progress: Progress | None,
    *,
    count: bool,
) -> RunReport:
    """:func:`run`'s extraction and fusion, one slice after another, through one pool of
    workers: a slice is fused as soon as its last batch's mentions are stored, while the
    workers extract the next slice's first ``fuse_overlap`` articles, queued before. The
    fusion sees the store as a slice-by-slice run leaves it (the next slice's mentions are
    stored after it), so the events are the same; only the idle workers are gone."""
    from eventfuse.extract import extract_batches
    from eventfuse.nlp import pipe_processes

    size = options.batch_size
    workers = pipe_processes(sum(-(-len(ids) // size) for ids in slices) * size, size,
                             options.n_process)  # one per whole batch at most
    # the run's tail is the last slice's: earlier slices' last batches have the next ones behind
    chunks = [(n, part) for n, ids in enumerate(slices)
              for part in in_batches(ids, size, workers if n == len(slices) - 1 else 1)]
    batches_left = collections.Counter(n for n, _ in chunks)
    batches = (store.get_articles(list(ids)) for _, ids in chunks)
    ahead = -(-max(0, options.fuse_overlap) // size)
    fusions = with_later_slices(slices)
    new_mentions = 0
    changes: list[Change] = []
    found = extract_batches(batches, options, workers, ahead=ahead)
    for (ids, mentions), (n, _) in zip(found, chunks, strict=True):
        store.put_mentions(ids, mentions)
        new_mentions += len(mentions)
        if progress:
            progress("extract", len(ids))
        batches_left[n] -= 1
        if not batches_left[n] and n < len(slices) - 1:
            fused, later = next(fusions)
            changes += _fuse_beside_workers(store, options, fused, later, workers)
    # The last slice once the workers are gone (the loop's end closed their pool): nothing is
    # left to extract beside it, and their memory is not held through it.
    fused, later = next(fusions)
    changes += fuse_recording_changes(store, options, fused, unextracted=later)
    counts = store.counts() if count else {}
    return RunReport(ingested, sum(map(len, slices)), new_mentions, counts.get("events", 0),
                     counts, tuple(changes))


def _fuse_beside_workers(
    store: Store,
    options: Options,
    ids: Sequence[str],
    later: frozenset[str],
    workers: int,
) -> list[Change]:
    """:func:`fuse_recording_changes` of one slice while the extraction workers go on: in a
    forked process of its own when there are workers and the store can be opened again.

    The pool replaces each worker after a few batches by a fork of this process; forked
    mid-fusion, a worker kept a snapshot of the fusion's objects, which this process then
    rewrote page by page (~200 MB more a worker; 2.07 GB at the peak of a 100k run). The
    fusion's heap now lives and dies in its own process, and the workers fork from this
    process without it."""
    location = store.location
    if workers <= 1 or location in ("", ":memory:") or not _can_fork():
        return fuse_recording_changes(store, options, ids, unextracted=later)
    import multiprocessing

    import eventfuse.fuse.scope  # noqa: F401  imported here once: each fusion process inherits it

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_fusion_process, name="eventfuse-fusion",
                            args=(store, options, list(ids), later, send))
    child.start()
    send.close()
    try:
        outcome = receive.recv()
    except EOFError:  # the process died before it answered (killed, out of memory)
        outcome = None
    finally:
        receive.close()
        child.join()
    if isinstance(outcome, EventfuseError):
        raise outcome  # as fusion in this process would have raised it
    if not isinstance(outcome, list):
        raise StoreError(f"{location}: the fusion of a slice of {len(ids)} articles failed: "
                         f"{outcome or f'its process ended with code {child.exitcode}'}")
    return outcome


def _fusion_process(
    inherited: Store, options: Options, ids: list[str], later: frozenset[str], send: Connection
) -> None:
    """A forked process's fusion of one slice, on a connection of its own (the inherited
    store's is never used: the process ends with ``os._exit``, without closing it)."""
    try:
        with inherited.reopened() as store:
            send.send(fuse_recording_changes(store, options, ids, unextracted=later))
    except EventfuseError as exc:  # the parent raises it, when it survives pickling
        try:
            send.send(pickle.loads(pickle.dumps(exc)))
        except Exception:
            send.send(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # reported by the parent, which raises
        send.send(f"{type(exc).__name__}: {exc}")
    finally:
        send.close()


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _unfused_mentions(store: Store) -> bool:
    """Stored mentions no event holds: a run killed after extraction but before fusion wrote.

    Fusion places every mention in an event, so this is how a re-run knows to fuse again.
    """
    return bool(store.unfused_mentions())

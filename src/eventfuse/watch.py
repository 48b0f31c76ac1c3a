"""``eventfuse watch``: poll a list of feeds and sites, ingest, extract and fuse incrementally.

Each fetched article is committed as soon as it is read; SIGINT/SIGTERM set a flag checked
between fetches (and end any wait at once), so a stop loses nothing already fetched. Articles
stored but not yet extracted are picked up by the next poll, whichever process runs it.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from eventfuse.changes import Change
from eventfuse.engines.local import extract_pending, fuse_recording_changes
from eventfuse.errors import ConfigError, InputError
from eventfuse.fetch.client import Fetcher, FetchPolicy
from eventfuse.fetch.sources import Source, SourceOutcome, ingest_source
from eventfuse.settings import Options
from eventfuse.store import Store

Log = Callable[[str], None]
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class PollReport:
    sources: tuple[SourceOutcome, ...] = ()
    extracted_articles: int = 0
    changes: tuple[Change, ...] = ()
    stopped: bool = False

    @property
    def errors(self) -> tuple[InputError, ...]:
        return tuple(e for s in self.sources for e in s.errors)

    @property
    def added(self) -> int:
        return sum(len(s.added) for s in self.sources)

    @property
    def revised(self) -> int:
        return sum(len(s.revised) for s in self.sources)


def parse_interval(text: str) -> float:
    """Seconds of ``15m``, ``1h``, ``90s``, ``2d`` or a bare number of seconds."""
    match = _INTERVAL.match(text)
    if not match or float(match[1]) <= 0:
        raise ConfigError(f"interval {text!r}: use a positive number with s, m, h or d")
    return float(match[1]) * _UNIT_SECONDS[match[2]]


def poll_once(
    sources: Sequence[Source],
    store: Store,
    options: Options,
    policy: FetchPolicy,
    stop: threading.Event | None = None,
    log: Log | None = None,
) -> PollReport:
    """One poll: fetch every source, then extract what is new and fuse, recording changes."""
    stop = stop or threading.Event()
    outcomes: list[SourceOutcome] = []
    with Fetcher(policy, sleep=stop.wait) as fetcher:
        for source in sources:
            if stop.is_set():
                break
            outcome = ingest_source(source, fetcher, store, options, stop.is_set)
            outcomes.append(outcome)
            if log:
                _log_source(outcome, log)
    if stop.is_set():
        return PollReport(tuple(outcomes), stopped=True)
    pending = store.articles_without_mentions()  # new, revised, or left by an interrupted poll
    if not pending:
        return PollReport(tuple(outcomes))
    extract_pending(store, options)
    changes = fuse_recording_changes(store, options, pending)
    if log:
        for change in changes:
            log(f"{change.kind} {change.event_id}: {change.detail}")
    return PollReport(tuple(outcomes), len(pending), tuple(changes), stop.is_set())


def _log_source(outcome: SourceOutcome, log: Log) -> None:
    if outcome.not_modified:
        log(f"{outcome.url}: not modified")
    else:
        log(f"{outcome.url}: {len(outcome.added)} new, {len(outcome.revised)} revised, "
            f"{outcome.seen} already stored")
    for error in outcome.errors:
        log(f"error {error}")


def watch(
    sources: Sequence[Source],
    store: Store,
    options: Options,
    policy: FetchPolicy,
    *,
    every_seconds: float,
    once: bool = False,
    log: Log | None = None,
) -> list[PollReport]:
    """Poll until SIGINT/SIGTERM (or once); returns every poll's report."""
    stop = threading.Event()
    reports: list[PollReport] = []
    with _stop_on_signals(stop):
        while not stop.is_set():
            reports.append(poll_once(sources, store, options, policy, stop, log))
            if once:
                break
            stop.wait(every_seconds)
    if stop.is_set() and log:
        log("stopped: every fetched article is stored; the next poll extracts what is left")
    return reports


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT/SIGTERM set ``stop`` instead of raising mid-write (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)

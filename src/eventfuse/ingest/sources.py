"""Sources to articles: expand paths (directories, globs, ``-``), sniff each file, read it.

Nothing here raises on bad input: every problem becomes one :class:`InputError` naming the file
and the reason, and the batch goes on.
"""

from __future__ import annotations

import fnmatch
import glob
import logging
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import BinaryIO

from eventfuse.errors import InputError
from eventfuse.ingest.decode import GZIP_MAGIC, Format, gunzip, sniff, xml_root
from eventfuse.ingest.feed import read_feed
from eventfuse.ingest.html import read_html
from eventfuse.ingest.jsonl import read_jsonl
from eventfuse.ingest.lexicon import get_lexicon
from eventfuse.ingest.text import read_text
from eventfuse.ingest.warc import read_warc
from eventfuse.records import Article
from eventfuse.settings import Options

LOG = logging.getLogger(__name__)
STDIN = "-"
STDIN_NAME = "<stdin>"

Reader = Callable[[bytes, str, Options, str | None], list[Article | InputError]]


def _html(
    data: bytes, path: str, options: Options, outlet: str | None
) -> list[Article | InputError]:
    return read_html(data, path, options, outlet=outlet)


# Formats holding many records: the file limit is max_container_bytes, each record's max_file_bytes.
CONTAINER_FORMATS: frozenset[Format] = frozenset({"warc", "feed", "jsonl"})

READERS: dict[Format, Reader] = {
    "warc": read_warc,
    "feed": read_feed,
    "html": _html,
    "jsonl": read_jsonl,
    "text": read_text,
}


def read_sources(
    paths: Sequence[str],
    options: Options,
    stdin: BinaryIO | None = None,
    *,
    outlet_from_folder: bool = False,
    follow_links: bool = False,
) -> Iterator[Article | InputError]:
    """Articles of every source, in a deterministic order; errors are yielded, never raised.

    ``outlet_from_folder``: a file's parent folder names its outlet when the file itself does not
    (the demo layout ``examples/demo/<outlet>/<file>``). ``follow_links``: see :func:`expand_paths`.
    """
    for item in expand_paths(paths, follow_links=follow_links):
        if isinstance(item, InputError):
            yield item
        elif item == STDIN:
            yield from _read_stdin(stdin, options)
        else:
            outlet = _folder_name(item) if outlet_from_folder else None
            yield from read_file(item, options, outlet)


def expand_paths(
    paths: Sequence[str], *, follow_links: bool = False
) -> Iterator[str | InputError]:
    """Files named by ``paths``: directories recursively and globs, both sorted; ``-`` kept.

    Directory walks leave out hidden files and the lexicon's ``skip_files`` (README, LICENSE...),
    and never leave the folder: a symbolic link whose target lies outside it is skipped with a
    logged warning unless ``follow_links`` (``--follow-links``). Files named explicitly are read.
    """
    for path in paths:
        if path == STDIN:
            yield path
        elif os.path.isdir(path):
            yield from _walk(path, follow_links)
        elif os.path.lexists(path):
            yield path
        elif glob.has_magic(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                yield InputError(path, "no file matches this pattern")
            for match in matches:
                yield from (_walk(match, follow_links) if os.path.isdir(match) else [match])
        else:
            yield InputError(path, "no such file or directory")


def _walk(directory: str, follow_links: bool) -> Iterator[str]:
    inside = os.path.realpath(directory)
    visited = {inside}  # followed links may form a loop
    for root, dirs, files in os.walk(directory, followlinks=follow_links):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            target = _link_target(os.path.join(root, name), inside, follow_links)
            if target is not None and target not in visited:
                visited.add(target)
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            full = os.path.join(root, name)
            if name.startswith(".") or _skipped(name):
                continue
            if _link_target(full, inside, follow_links) is not None:
                yield full


def _link_target(path: str, inside: str, follow_links: bool) -> str | None:
    """The real path of ``path`` when the walk may enter it, else None (a warning says why).

    Within the folder, a linked file is read (an identical text is one article, by id) and a
    linked folder is not entered (its real place is walked); links out of it only with
    ``follow_links``.
    """
    real = os.path.realpath(path)
    if not os.path.islink(path) or follow_links:
        return real
    if os.path.commonpath([real, inside]) != inside:
        LOG.warning("%s: skipped, a link to %s outside %s (pass --follow-links to read it)",
                    path, real, inside)
        return None
    return None if os.path.isdir(path) else real


def _skipped(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), p) for p in get_lexicon().skip_files)


def read_file(path: str, options: Options, outlet: str | None = None) -> list[Article | InputError]:
    """Every article of one file, or the one error that stopped it."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then judges what was opened.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with open(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return [InputError(path, f"not a regular file but {_special_kind(info.st_mode)}; "
                                         "special files are not read")]
            if info.st_size > _input_limit(options):
                return [_too_large(path, info.st_size, options)]
            data = handle.read(_input_limit(options) + 1)
    except OSError as exc:
        return [InputError(path, f"cannot read the file ({exc.strerror or exc})")]
    return read_bytes(data, path, options, outlet)


def read_bytes(
    data: bytes, path: str, options: Options, outlet: str | None = None
) -> list[Article | InputError]:
    """Articles of one input's bytes, its format sniffed from the content.

    ``max_file_bytes`` bounds a single-article input; containers (JSON Lines, feeds, WARC) may
    reach ``max_container_bytes``, their readers holding each record to ``max_file_bytes``.
    """
    if len(data) > _input_limit(options):
        return [_too_large(path, len(data), options)]
    limit = options.doc_timeout_seconds
    try:
        with _time_limit(limit):
            prepared = _prepare(data, path, options)
        if isinstance(prepared, InputError):
            return [prepared]
        kind, data, records = prepared
        # ``doc_timeout_seconds`` bounds one document: a container gets it once per record it
        # holds (a 2,000-article JSON Lines file overran 30 s on a loaded machine, refused whole).
        limit = options.doc_timeout_seconds * records
        with _time_limit(limit):
            return READERS[kind](data, path, options, outlet)
    except _TimedOut:
        return [InputError(path, f"timed out after {limit:g} s")]
    except RecursionError:
        return [InputError(path, "too deeply nested to read")]
    except Exception as exc:  # a reader's bug must not stop the batch; report it with the file
        return [InputError(path, f"unexpected failure while reading ({type(exc).__name__}: {exc})")]


def _prepare(data: bytes, path: str, options: Options) -> tuple[Format, bytes, int] | InputError:
    """The input's format, the bytes its reader takes and how many records it may hold; or why
    it is not read."""
    single_too_large = len(data) > options.max_file_bytes
    if data.startswith(GZIP_MAGIC):
        unpacked = gunzip(data, options.max_decompressed_bytes)
        if unpacked.over_limit:
            limit = options.max_decompressed_bytes
            return InputError(path, f"decompressed size exceeds the limit of {limit} bytes")
        if unpacked.data.startswith(b"WARC/"):
            return "warc", data, _records("warc", unpacked.data)  # read_warc unpacks it itself
        if not unpacked.complete:
            return InputError(path, "truncated or damaged gzip file")
        data = unpacked.data
        if data.startswith(GZIP_MAGIC):
            return InputError(path, "nested gzip compression is not read")
    kind = sniff(data, _inner_name(path))
    if single_too_large and kind not in CONTAINER_FORMATS:
        return _too_large(path, len(data), options)
    if kind == "empty":
        return InputError(path, "empty file")
    if kind == "binary":
        return InputError(path, "binary content or unknown text encoding; not an article")
    if kind == "xml":
        return InputError(path, f"XML with root <{xml_root(data)}> is neither a feed (RSS, Atom, "
                                "RDF) nor XHTML; not an article")
    return kind, data, _records(kind, data)


def _records(kind: Format, data: bytes) -> int:
    """How many documents a container may hold, counted cheaply (an upper bound is fine: it
    only widens the time limit); 1 for a single-article input."""
    if kind == "jsonl":
        return max(1, data.count(b"\n") + 1)
    if kind == "feed":
        return max(1, data.count(b"<item") + data.count(b"<entry"))
    if kind == "warc":
        return max(1, data.count(b"WARC/"))
    return 1


class _TimedOut(BaseException):
    """Raised by the alarm; a BaseException so readers' ``except Exception`` cannot swallow it."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of wall time (SIGALRM; main thread of POSIX only).

    Elsewhere (worker threads, Windows) the block runs unbounded: signals reach only the main
    thread. A C parser holding the interpreter is interrupted when it hands control back.
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise _TimedOut

    previous = signal.signal(signal.SIGALRM, expire)
    if previous is None:  # a handler not installed from Python: restore the default
        previous = signal.SIG_DFL
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    if 0 < outer_delay <= seconds:
        # Someone else's alarm (e.g. pytest-timeout) is due first: leave it alone.
        signal.setitimer(signal.ITIMER_REAL, outer_delay, outer_interval)
        signal.signal(signal.SIGALRM, previous)
        yield
        return
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # re-arm the outer alarm with the time it had left
            left = max(outer_delay - (time.monotonic() - started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _read_stdin(stdin: BinaryIO | None, options: Options) -> list[Article | InputError]:
    if stdin is None:
        return [InputError(STDIN_NAME, "standard input is not available")]
    try:
        data = stdin.read(options.max_file_bytes + 1)
    except (OSError, ValueError) as exc:
        return [InputError(STDIN_NAME, f"cannot read standard input ({exc})")]
    return read_bytes(data, STDIN_NAME, options)


def _special_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def _input_limit(options: Options) -> int:
    return max(options.max_file_bytes, options.max_container_bytes)


def _too_large(path: str, size: int, options: Options) -> InputError:
    if size > _input_limit(options):
        return InputError(path, f"file too large ({size} bytes; the limit max_container_bytes is "
                                f"{options.max_container_bytes})")
    return InputError(
        path, f"file too large ({size} bytes; the limit max_file_bytes is {options.max_file_bytes}"
              " for a single-article file)"
    )


def _folder_name(path: str) -> str | None:
    return os.path.basename(os.path.dirname(os.path.abspath(path))) or None


def _inner_name(path: str) -> str:
    return path[: -len(".gz")] if path.lower().endswith(".gz") else path

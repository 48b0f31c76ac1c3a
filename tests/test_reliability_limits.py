"""Limits (issue 8): each is a setting, read from EVENTFUSE_* and flags, and each is enforced.

max_file_bytes, max_decompressed_bytes, max_text_chars and doc_timeout_seconds: the reader entry
point turns a breach into one clear InputError (or, for text length, a cut), never a crash.
"""

from __future__ import annotations

import gzip
import signal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from eventfuse.cli import main
from eventfuse.errors import InputError
from eventfuse.ingest import read_bytes, read_file
from eventfuse.records import Article
from eventfuse.settings import SETTINGS, Options, load_options

pytestmark = pytest.mark.issue(8)

LIMITS = ("max_file_bytes", "max_decompressed_bytes", "max_text_chars", "doc_timeout_seconds")
SENTENCE = "Police said five people were hurt when a crowd gathered in the city on Monday. "


@pytest.mark.parametrize("name", LIMITS)
def test_each_limit_is_a_documented_setting_read_from_the_environment(name: str) -> None:
    setting = next(s for s in SETTINGS if s.name == name)
    assert setting.help.strip()
    value = "7" if isinstance(setting.default, int) else "0.5"
    options = load_options(environ={f"EVENTFUSE_{name.upper()}": value})
    assert getattr(options, name) == type(setting.default)(value) != setting.default


def test_max_file_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(SENTENCE * 10)
    [error] = read_file(str(path), Options(max_file_bytes=100))
    assert isinstance(error, InputError) and "file too large" in error.reason
    assert "max_file_bytes is 100" in error.reason
    [article] = read_file(str(path), Options())
    assert isinstance(article, Article)


def test_max_file_bytes_from_the_command_line_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(SENTENCE * 10)
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    by_flag = runner.invoke(main, ["--db", db, "--max-file-bytes", "100", "ingest", str(path)])
    by_env = runner.invoke(
        main, ["--db", db, "ingest", str(path)], env={"EVENTFUSE_MAX_FILE_BYTES": "100"}
    )
    for result in (by_flag, by_env):
        assert result.exit_code == 1
        assert "file too large" in result.output + (result.stderr or "")
    assert runner.invoke(main, ["--db", db, "ingest", str(path)]).exit_code == 0


def test_max_decompressed_bytes() -> None:
    data = gzip.compress((SENTENCE * 40).encode())  # about 3,200 bytes once unpacked
    [error] = read_bytes(data, "in.txt.gz", Options(max_decompressed_bytes=1_000))
    assert isinstance(error, InputError)
    assert error.reason == "decompressed size exceeds the limit of 1000 bytes"
    [article] = read_bytes(data, "in.txt.gz", Options(max_decompressed_bytes=10_000))
    assert isinstance(article, Article)


def test_max_decompressed_bytes_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "in.txt.gz"
    path.write_bytes(gzip.compress((SENTENCE * 40).encode()))
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "t.db"), "ingest", str(path)],
        env={"EVENTFUSE_MAX_DECOMPRESSED_BYTES": "1000"},
    )
    assert result.exit_code == 1
    assert "exceeds the limit of 1000 bytes" in result.output + (result.stderr or "")


def test_max_text_chars_cuts_the_article() -> None:
    data = (SENTENCE * 100).encode()
    [article] = read_bytes(data, "in.txt", Options(max_text_chars=500))
    assert isinstance(article, Article)
    assert 0 < len(article.text) <= 500
    [whole] = read_bytes(data, "in.txt", Options())
    assert isinstance(whole, Article) and len(whole.text) > 500


def _slow_page() -> bytes:
    # Big enough that reading it takes far longer than the 1 ms limit below.
    paragraphs = "".join(f"<p>{SENTENCE * 5}</p><div><span>{n}</span></div>" for n in range(3000))
    return f"<html><body><article>{paragraphs}</article></body></html>".encode()


def test_doc_timeout_seconds_turns_a_slow_input_into_an_input_error() -> None:
    data = _slow_page()
    [error] = read_bytes(data, "slow.html", Options(doc_timeout_seconds=0.001))
    assert isinstance(error, InputError)
    assert error.reason == "timed out after 0.001 s"
    # The limit is lifted afterwards: the next input is read in full.
    [article] = read_bytes(data, "slow.html", Options(max_text_chars=1_000_000))
    assert isinstance(article, Article)


def test_doc_timeout_seconds_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "slow.html"
    path.write_bytes(_slow_page())
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "t.db"), "ingest", str(path)],
        env={"EVENTFUSE_DOC_TIMEOUT_SECONDS": "0.001"},
    )
    assert result.exit_code == 1
    assert "timed out after 0.001 s" in result.output + (result.stderr or "")


def test_the_time_limit_keeps_an_outer_alarm_armed() -> None:
    """A caller's own SIGALRM timer (pytest-timeout uses one) survives the per-input limit."""
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, _frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 3600)
        [article] = read_bytes((SENTENCE * 3).encode(), "in.txt", Options(doc_timeout_seconds=5))
        assert isinstance(article, Article)
        remaining, _interval = signal.getitimer(signal.ITIMER_REAL)
        assert remaining > 5, "the outer alarm was cancelled or replaced"
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_container_gets_the_document_limit_once_per_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``doc_timeout_seconds`` bounds one document: a JSON Lines file of many articles, read
    whole, is not held to one article's time (on a loaded machine 2,000 overran 30 s)."""
    import contextlib
    import json

    from eventfuse.ingest import sources

    limits: list[float] = []

    @contextlib.contextmanager
    def recorded(seconds: float) -> Any:
        limits.append(seconds)
        yield

    monkeypatch.setattr(sources, "_time_limit", recorded)
    lines = [json.dumps({"id": f"a{n}", "title": "Strike", "text": SENTENCE}) for n in range(5)]
    found = read_bytes(("\n".join(lines) + "\n").encode(), "in.jsonl",
                       Options(doc_timeout_seconds=2.0))
    assert len(found) == 5 and all(isinstance(a, Article) for a in found)
    assert limits[0] == 2.0 and limits[-1] >= 5 * 2.0  # sniffing once; the reader per record
    limits.clear()
    read_bytes(_slow_page(), "one.html", Options(doc_timeout_seconds=2.0))
    assert limits == [2.0, 2.0]  # a single page: one document's limit

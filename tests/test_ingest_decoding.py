"""Mixed encodings (issue 18): UTF-8 with a few bad bytes stays UTF-8, with one warning naming the
file and the byte offsets; a legacy code page only when the whole file reads better in it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from eventfuse.ingest import read_sources
from eventfuse.ingest.decode import decode
from eventfuse.records import Article
from eventfuse.settings import Options

pytestmark = pytest.mark.issue(18)

UTF8 = ("Fighting was reported near Mazār-e Sharīf on Tuesday, and the governor of Balkh said "
        "that markets in Mazār-e Sharīf would stay closed").encode()


def test_a_stray_byte_keeps_utf8_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = UTF8 + b" \x92 until Friday.\n"  # a cp1252 quote pasted into a UTF-8 file
    offset = data.index(b"\x92")
    path = tmp_path / "story.txt"
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING):
        [article] = list(read_sources([str(path)], Options()))
    assert isinstance(article, Article)
    assert article.text.count("Mazār-e Sharīf") == 2
    assert "\ufffd" in article.text
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(path) in warning and str(offset) in warning


def test_offsets_of_several_bad_runs_are_named() -> None:
    data = b"\xff" + UTF8 + b"\xc3(" + UTF8
    text = decode(data)
    assert text is not None and text.count("Mazār-e Sharīf") == 4
    assert text.count("\ufffd") == 2


def test_a_whole_legacy_file_is_read_in_its_code_page(caplog: pytest.LogCaptureFixture) -> None:
    text = "Protesters gathered at the café in Hénin-Beaumont; the mayor’s office said « non »."
    data = text.encode("cp1252")
    with caplog.at_level(logging.WARNING):
        read = decode(data, "legacy.txt")
    assert read == text and "café" in read
    assert not caplog.records

"""Bad input: each case yields one InputError naming the file and the reason; the batch goes on."""

from __future__ import annotations

import dataclasses
import gzip
import os
import zlib
from pathlib import Path

import pytest

from eventfuse.errors import InputError
from eventfuse.ingest import read_sources
from eventfuse.records import Article
from eventfuse.settings import Options

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
GOOD_TEXT = b"Nurses marched through the centre of Ashcombe on Tuesday to demand safer staffing.\n"


def run(tmp_path: Path, name: str, data: bytes, options: Options | None = None) -> InputError:
    """Read a bad file next to a good one: exactly one error for the bad one, the good one read."""
    bad = tmp_path / name
    bad.write_bytes(data)
    (tmp_path / "zz_good.txt").write_bytes(GOOD_TEXT)
    results = list(read_sources([str(tmp_path)], options or Options()))
    problems = [r for r in results if isinstance(r, InputError)]
    assert len(problems) == 1, problems
    assert [r.source_path for r in results if isinstance(r, Article)] == [
        str(tmp_path / "zz_good.txt")
    ]
    assert problems[0].path == str(bad)
    assert str(bad) in str(problems[0])
    return problems[0]


def test_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert "binary" in run(tmp_path, "image.txt", png).reason


def test_empty_file(tmp_path: Path) -> None:
    assert "empty" in run(tmp_path, "empty.txt", b"").reason


def test_whitespace_only_file(tmp_path: Path) -> None:
    assert "empty" in run(tmp_path, "blank.txt", b" \n\n\t \n").reason


def test_furniture_only_file(tmp_path: Path) -> None:
    error = run(
        tmp_path, "furniture.txt", b"Please enter your comment!\nPlease enter your name here\n"
    )
    assert "no article text" in error.reason


def test_undecodable_bytes(tmp_path: Path) -> None:
    noise = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x00, 0x01, 0x02]) * 200
    assert "binary" in run(tmp_path, "noise.txt", noise).reason


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    options = dataclasses.replace(Options(), max_file_bytes=1000)
    error = run(tmp_path, "huge.txt", b"word " * 400, options)
    assert "too large" in error.reason and "1000" in error.reason


def test_malformed_feed(tmp_path: Path) -> None:
    error = run(tmp_path, "broken.rss", (FIXTURES / "malformed.rss").read_bytes())
    assert "malformed" in error.reason


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    error = run(tmp_path, "bomb.rss", (FIXTURES / "bomb.rss").read_bytes())
    assert "entities" in error.reason


def test_entity_declaration_in_html_is_refused(tmp_path: Path) -> None:
    page = b'<!DOCTYPE html [<!ENTITY x "xxxxxxxx">]><html><body><p>&x;&x;</p></body></html>'
    assert "entities" in run(tmp_path, "bomb.html", page).reason


def test_malformed_html(tmp_path: Path) -> None:
    page = b"<html><body><div><div><p></div></td></tr><<<>>></html"
    assert "no article text" in run(tmp_path, "broken.html", page).reason


def test_gzip_bomb_is_capped(tmp_path: Path) -> None:
    options = dataclasses.replace(Options(), max_decompressed_bytes=100_000)
    bomb = gzip.compress(b"A" * 5_000_000, compresslevel=9)
    assert len(bomb) < 10_000
    error = run(tmp_path, "bomb.txt.gz", bomb, options)
    assert "exceeds the limit" in error.reason


def test_gzipped_text_is_read(tmp_path: Path) -> None:
    (tmp_path / "article.txt.gz").write_bytes(gzip.compress(GOOD_TEXT))
    [article] = list(read_sources([str(tmp_path)], Options()))
    assert isinstance(article, Article) and article.text.startswith("Nurses marched")


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(GOOD_TEXT * 50)
    assert "truncated" in run(tmp_path, "cut.txt.gz", data[: len(data) // 2]).reason


def test_damaged_warc(tmp_path: Path) -> None:
    data = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nHTTP/1.1 200"
    assert "WARC" in run(tmp_path, "bad.warc", data).reason


def test_damaged_gzip_warc(tmp_path: Path) -> None:
    stream = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = stream.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n" * 40) + stream.flush()
    assert "WARC" in run(tmp_path, "bad.warc.gz", data[:-30]).reason


def test_missing_path() -> None:
    [error] = list(read_sources(["/nonexistent/dir/article.txt"], Options()))
    assert isinstance(error, InputError)
    assert "no such file" in error.reason and "/nonexistent/dir/article.txt" in str(error)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.txt"
    locked.write_bytes(GOOD_TEXT)
    locked.chmod(0)
    [error] = list(read_sources([str(locked)], Options()))
    assert isinstance(error, InputError) and "cannot read" in error.reason


def test_special_file_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    [error] = list(read_sources([str(fifo)], Options()))
    assert isinstance(error, InputError) and "not a regular file" in error.reason


def test_stdin_missing() -> None:
    [error] = list(read_sources(["-"], Options(), stdin=None))
    assert isinstance(error, InputError) and error.path == "<stdin>"

"""Hand-built hostile inputs (issue 8): every one ends in articles or one clear InputError.

Entity bombs, external entities, deeply nested and truncated HTML, huge lines, invalid UTF-8,
gzip bombs (whole file, inside WARC, as HTTP Content-Encoding) and random bytes. Sizes are
generated, never stored. Memory stays bounded: decompression stops at the configured cap.
"""

from __future__ import annotations

import gzip
import random
import resource
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventfuse.errors import InputError
from eventfuse.ingest import read_bytes
from eventfuse.records import Article
from eventfuse.settings import Options

pytestmark = [pytest.mark.fuzz, pytest.mark.issue(8)]

LIMIT = 1_000_000
OPTIONS = Options(max_file_bytes=4_000_000, max_decompressed_bytes=LIMIT, max_text_chars=50_000)
BOMB_BYTES = 200_000_000  # what the bombs would inflate to without the cap
RSS_GROWTH_LIMIT_MB = 150


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read(data: bytes) -> list[Article | InputError]:
    results = read_bytes(data, "hostile", OPTIONS)
    assert results
    for item in results:
        assert isinstance(item, Article | InputError)
        if isinstance(item, InputError):
            assert item.path.startswith("hostile") and item.reason.strip()
    return results


def _errors(results: list[Article | InputError]) -> list[str]:
    return [r.reason for r in results if isinstance(r, InputError)]


def _gzip_stream(size: int, chunk: bytes = b"\0" * 1_000_000) -> bytes:
    """A gzip member of ``size`` zero bytes, built chunk by chunk so the test itself stays small."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [packer.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*parts, packer.flush()])


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_stream(BOMB_BYTES)


def _warc(body: bytes, extra_headers: str = "", gz: bool = False) -> bytes:
    http = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{extra_headers}\r\n").encode() + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/a\r\n"
        "WARC-Date: 2024-01-01T00:00:00Z\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000000>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode()
    record = head + http + b"\r\n\r\n"
    return gzip.compress(record) if gz else record


# --- entity expansion and external entities ------------------------------------------------------

LAUGHS = "".join(
    f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10)
)
BILLION_LAUGHS_FEED = (
    f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>'
    "<rss><channel><item><title>&lol9;</title><description>&lol9;</description></item>"
    "</channel></rss>"
).encode()
BILLION_LAUGHS_HTML = (
    f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY lol0 "lol">{LAUGHS}]>'
    "<html><body><p>&lol9;</p></body></html>"
).encode()


@pytest.mark.parametrize("data", [BILLION_LAUGHS_FEED, BILLION_LAUGHS_HTML], ids=["feed", "html"])
def test_billion_laughs_is_refused(data: bytes) -> None:
    before = _peak_rss_mb()
    results = _read(data)
    assert any("entit" in reason for reason in _errors(results))
    assert not any(isinstance(r, Article) and "lollol" in r.text for r in results)
    assert _peak_rss_mb() - before < RSS_GROWTH_LIMIT_MB


def test_billion_laughs_inside_a_warc_record_is_refused() -> None:
    results = _read(_warc(BILLION_LAUGHS_HTML))
    assert any("entit" in reason for reason in _errors(results))


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local port nothing should ever connect to: an external entity or DTD fetch would."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connected(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


@pytest.mark.parametrize("root", ["rss", "html"])
def test_external_entities_and_dtds_are_never_fetched(
    listener: socket.socket, tmp_path: Path, root: str
) -> None:
    port = listener.getsockname()[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE")
    body = (
        "<channel><item><title>t &xxe; &net;</title><description>Police said five people were "
        "hurt on Monday. &xxe;</description></item></channel>"
        if root == "rss"
        else "<body><p>Police said five people were hurt on Monday. &xxe; &net;</p></body>"
    )
    with_entities = (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">'
        f'<!ENTITY net SYSTEM "http://127.0.0.1:{port}/x">]><{root}>{body}</{root}>'
    ).encode()
    external_dtd = (
        f'<?xml version="1.0"?><!DOCTYPE {root} SYSTEM "http://127.0.0.1:{port}/evil.dtd">'
        f"<{root}>{body.replace('&xxe;', '').replace('&net;', '')}</{root}>"
    ).encode()
    for data in (with_entities, external_dtd):
        results = _read(data)
        assert not any(isinstance(r, Article) and "TOP-SECRET" in r.text for r in results)
        assert not _connected(listener), "the parser fetched an external resource"
    assert any("entit" in reason for reason in _errors(_read(with_entities)))


# --- gzip bombs ---------------------------------------------------------------------------------


def test_gzip_bomb_file_stops_at_the_decompressed_limit(bomb: bytes) -> None:
    before = _peak_rss_mb()
    assert _errors(_read(bomb)) == [
        f"decompressed size exceeds the limit of {LIMIT} bytes"
    ]
    assert _peak_rss_mb() - before < RSS_GROWTH_LIMIT_MB


def test_gzip_bomb_as_a_warc_gz_stops_at_the_limit(bomb: bytes) -> None:
    # A .warc.gz whose first member is a record header, then a bomb member inflating its body.
    header = _warc(b"<html><body><p>x</p></body></html>", gz=True)
    before = _peak_rss_mb()
    errors = _errors(_read(header + bomb))
    assert any("exceeds the limit" in reason for reason in errors)
    assert _peak_rss_mb() - before < RSS_GROWTH_LIMIT_MB


def test_gzip_content_encoding_bomb_inside_a_warc_record_stops_at_the_limit(bomb: bytes) -> None:
    record = _warc(bomb, extra_headers="Content-Encoding: gzip\r\n")
    before = _peak_rss_mb()
    errors = _errors(_read(record))
    assert any("exceeds the limit" in reason for reason in errors)
    assert _peak_rss_mb() - before < RSS_GROWTH_LIMIT_MB


# --- deep nesting, truncation, huge lines, bad encodings, random bytes ----------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("closed", [True, False])
def test_deeply_nested_and_truncated_html(depth: int, closed: bool) -> None:
    page = "<html><body>" + "<div><span>" * depth + "Police said five people were hurt."
    if closed:
        page += "</span></div>" * depth + "</body></html>"
    results = _read(page.encode())
    assert all(len(r.text) <= OPTIONS.max_text_chars for r in results if isinstance(r, Article))


def test_deeply_nested_json_is_an_input_error() -> None:
    data = b'{"text": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    assert _errors(_read(data))


def test_a_huge_single_line_is_cut_to_max_text_chars() -> None:
    line = ("Police said five people were hurt in the city on Monday " * 60_000)[:3_000_000]
    for data in (line.encode(), (f'{{"text": "{line}"}}').encode()):
        articles = [r for r in _read(data) if isinstance(r, Article)]
        assert articles and all(len(a.text) <= OPTIONS.max_text_chars for a in articles)


@pytest.mark.parametrize(
    "junk",
    [b"\xff\xfe\xfd", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80\x80\x80"],
    ids=["ff", "bad-continuation", "surrogate", "above-max", "lone-continuations"],
)
def test_invalid_utf8_is_read_or_refused_clearly(junk: bytes) -> None:
    text = b"Police said five people were hurt in the city on Monday. " * 20
    for data in (junk + text, text + junk + text, b"<html><body><p>" + junk + text + b"</p>"):
        _read(data)


def test_random_bytes_never_crash() -> None:
    rng = random.Random(8)
    for size in (1, 10, 100, 10_000, 1_000_000):
        for _ in range(3):
            data = rng.randbytes(size)
            _read(data)
            _read(b"WARC/1.0\r\n" + data)
            _read(gzip.compress(data))

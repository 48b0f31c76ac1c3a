"""Property tests: no reader raises on arbitrary bytes; each yields Articles or InputErrors."""

from __future__ import annotations

import gzip
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventfuse.errors import InputError
from eventfuse.ingest import (
    read_bytes,
    read_feed,
    read_html,
    read_jsonl,
    read_text,
    read_warc,
)
from eventfuse.ingest.clean import clean_text
from eventfuse.records import Article
from eventfuse.settings import Options

OPTIONS = Options(max_decompressed_bytes=1_000_000)
Reader = Callable[[bytes, str, Options], list[Article | InputError]]
# Small budget and derandomized: part of the normal suite, same examples on every run.
FAST = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Random bytes, plus random bytes behind each format's opening so the parsers go deeper.
PREFIXES = [
    b"",
    b"WARC/1.0\r\n",
    b"<?xml version='1.0'?><rss><channel><item>",
    b"<html><body>",
    b'{"text": "',
    b"\x1f\x8b\x08\x00",
    b" date 2021-01-01 ",
    b"<feed>",
]
inputs = st.builds(lambda p, b: p + b, st.sampled_from(PREFIXES), st.binary(max_size=2000))


def check(reader: Reader, data: bytes) -> None:
    results = reader(data, "input", OPTIONS)
    assert results, "a reader always answers"
    for result in results:
        assert isinstance(result, Article | InputError)
        if isinstance(result, InputError):
            assert result.path.startswith("input") and result.reason
        else:
            assert result.text.strip() and len(result.id) == 16


@FAST
@given(inputs)
def test_read_text_never_raises(data: bytes) -> None:
    check(read_text, data)


@FAST
@given(inputs)
def test_read_html_never_raises(data: bytes) -> None:
    check(read_html, data)


@FAST
@given(inputs)
def test_read_jsonl_never_raises(data: bytes) -> None:
    check(read_jsonl, data)


@FAST
@given(inputs)
def test_read_feed_never_raises(data: bytes) -> None:
    check(read_feed, data)


@FAST
@given(inputs)
def test_read_warc_never_raises(data: bytes) -> None:
    check(read_warc, data)
    check(read_warc, gzip.compress(data))


@FAST
@given(inputs)
def test_read_bytes_never_raises(data: bytes) -> None:
    check(read_bytes, data)


@FAST
@given(st.text(max_size=2000))
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text, 1000)
    assert len(once.text) <= 1000
    assert clean_text(once.text, 1000).text == once.text

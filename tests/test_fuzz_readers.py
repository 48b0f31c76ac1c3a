"""Hostile input, fuzzed (issue 8): structure-aware generators for every reader and normalizer.

tests/test_ingest_properties.py throws format prefixes plus random bytes at the readers; this
module builds inputs that get *past* the first checks (well-formed then damaged HTML, JSON Lines,
RSS/Atom, WARC records, mixed encodings) so the parsers' deeper paths are exercised, plus the
date, quantity and place normalizers. Budgets come from the hypothesis profile: "ci" (short,
``make test``) or "long" (``make fuzz``: >= 10,000 inputs per reader). Set
``EVENTFUSE_FUZZ_REPORT=FILE`` to write how many inputs each target saw and how they ended.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import resource
from collections import Counter
from collections.abc import Callable, Iterator
from html import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventfuse.errors import InputError
from eventfuse.ingest import read_bytes, read_feed, read_html, read_jsonl, read_text, read_warc
from eventfuse.records import Article, When
from eventfuse.settings import Options

pytestmark = [pytest.mark.fuzz, pytest.mark.issue(8)]

# Small limits so that hostile sizes reach them quickly; a generous time limit per input so the
# timeout path does not hide crashes.
OPTIONS = Options(max_file_bytes=2_000_000, max_decompressed_bytes=1_000_000, max_text_chars=20_000)
OUTCOMES: Counter[tuple[str, str]] = Counter()
# Peak resident memory of the whole test process (gazetteer, hypothesis' bookkeeping included).
# 10,000 WARC inputs peaked at 1,136 MB (docs/reliability.md); other targets at 279-761 MB.
RSS_LIMIT_MB = 1536

Reader = Callable[[bytes, str, Options], list[Article | InputError]]


def _check(name: str, reader: Reader, data: bytes) -> None:
    results = reader(data, "fuzz", OPTIONS)
    assert results, "a reader always answers"
    for result in results:
        assert isinstance(result, Article | InputError)
        if isinstance(result, InputError):
            assert result.path.startswith("fuzz") and result.reason.strip()
            OUTCOMES[(name, "error: " + _kind(result.reason))] += 1
        else:
            assert result.text.strip() and len(result.text) <= OPTIONS.max_text_chars
            OUTCOMES[(name, "article")] += 1
    OUTCOMES[(name, "inputs")] += 1


def _kind(reason: str) -> str:
    """The reason without its details (line numbers, sizes), to count outcomes by kind."""
    return reason.split("(")[0].split(":")[0].strip()[:60]


# --- generators --------------------------------------------------------------------------------

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=80
)
sentences = st.lists(words, min_size=1, max_size=8).map(" ".join)
TAGS = ("div", "p", "span", "article", "section", "table", "td", "b", "i", "a", "script",
        "style", "iframe", "svg", "math", "template", "noscript", "h1", "li", "ul")


@st.composite
def html_trees(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.sampled_from(["", ' class="x"', ' href="javascript:alert(1)"',
                                  ' style="a:b"', " onload=x()", ' id="&amp;&#0;&#xD800;"']))
    inner = []
    for _ in range(draw(st.integers(0, 3 if depth < 6 else 0))):
        if draw(st.booleans()):
            inner.append(escape(draw(sentences)) if draw(st.booleans()) else draw(sentences))
        else:
            inner.append(draw(html_trees(depth + 1)))
    closed = draw(st.booleans())
    return f"<{tag}{attrs}>{''.join(inner)}" + (f"</{tag}>" if closed else "")


@st.composite
def damaged(draw: st.DrawFn, body: bytes) -> bytes:
    """Cut, spliced with invalid UTF-8, or left intact."""
    how = draw(st.sampled_from(["intact", "truncate", "splice"]))
    if how == "truncate" and body:
        return body[: draw(st.integers(0, len(body)))]
    if how == "splice":
        at = draw(st.integers(0, len(body)))
        junk = draw(st.sampled_from([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\x80" * 5]))
        return body[:at] + junk + body[at:]
    return body


@st.composite
def html_pages(draw: st.DrawFn) -> bytes:
    head = draw(st.sampled_from(["<!doctype html>", "", "<?xml version='1.0'?>", "<!-- c -->"]))
    title = escape(draw(words))
    page = f"{head}<html><head><title>{title}</title></head><body>"
    page += "".join(draw(st.lists(html_trees(), min_size=1, max_size=4))) + "</body></html>"
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "latin-1"]))
    return draw(damaged(page.encode(encoding, errors="replace")))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | words,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner, max_size=4),
    max_leaves=12,
)
FIELDS = ("text", "body", "title", "url", "published", "outlet", "date", "content")


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    rows = []
    for _ in range(draw(st.integers(1, 5))):
        row = draw(st.dictionaries(st.sampled_from(FIELDS) | words,
                                   json_values | sentences, max_size=6))
        rows.append(json.dumps(row, ensure_ascii=draw(st.booleans())))
    separator = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    text = separator.join(rows)
    if draw(st.booleans()):
        text = "[" + ",".join(rows) + "]"
    return draw(damaged(text.encode()))


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    atom = draw(st.booleans())
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        title, body = escape(draw(words)), draw(sentences)
        body = escape(body) if draw(st.booleans()) else f"<![CDATA[{body}]]>"
        date = draw(st.sampled_from(["Mon, 01 Jan 2024 10:00:00 GMT", "2024-02-30", "", "x"]))
        if atom:
            entries.append(f"<entry><title>{title}</title><updated>{date}</updated>"
                           f"<content type='html'>{body}</content></entry>")
        else:
            entries.append(f"<item><title>{title}</title><pubDate>{date}</pubDate>"
                           f"<description>{body}</description></item>")
    if atom:
        doc = f"<feed xmlns='http://www.w3.org/2005/Atom'>{''.join(entries)}</feed>"
    else:
        doc = f"<rss version='2.0'><channel><title>t</title>{''.join(entries)}</channel></rss>"
    return draw(damaged(("<?xml version='1.0' encoding='utf-8'?>" + doc).encode()))


def warc_record(uri: str, content_type: str, body: bytes, status: str = "200 OK") -> bytes:
    http = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {}\r\n"
        "WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{}>\r\n"
        "Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n"
    ).format(uri, "0" * 8 + "-0000-0000-0000-" + "0" * 12, len(http))
    return head.encode() + http + b"\r\n\r\n"


@st.composite
def warcs(draw: st.DrawFn) -> bytes:
    records = []
    for number in range(draw(st.integers(1, 3))):
        body = draw(html_pages())
        content_type = draw(st.sampled_from(["text/html", "text/plain", "image/png", ""]))
        status = draw(st.sampled_from(["200 OK", "404 Not Found", "x"]))
        records.append(warc_record(f"https://example.org/{number}", content_type, body, status))
    data = b"".join(records)
    if draw(st.booleans()):
        data = b"".join(gzip.compress(r) for r in records)  # one gzip member per record
    return draw(damaged(data))


texts = st.lists(sentences, min_size=1, max_size=6).map("\n\n".join)
plain_texts = st.builds(
    lambda t, enc: t.encode(enc, errors="replace"),
    texts, st.sampled_from(["utf-8", "utf-16", "cp1252", "shift_jis"]),
).flatmap(damaged)


# --- readers ------------------------------------------------------------------------------------


@given(plain_texts)
def test_fuzz_read_text(data: bytes) -> None:
    _check("read_text", read_text, data)


@given(html_pages())
def test_fuzz_read_html(data: bytes) -> None:
    _check("read_html", read_html, data)


@given(jsonl_files())
def test_fuzz_read_jsonl(data: bytes) -> None:
    _check("read_jsonl", read_jsonl, data)


@given(feeds())
def test_fuzz_read_feed(data: bytes) -> None:
    _check("read_feed", read_feed, data)


@given(warcs())
def test_fuzz_read_warc(data: bytes) -> None:
    _check("read_warc", read_warc, data)


@given(st.one_of(plain_texts, html_pages(), jsonl_files(), feeds(), warcs(), st.binary()))
def test_fuzz_read_bytes(data: bytes) -> None:
    """The sniffing entry point, gzip-wrapped half of the time."""
    _check("read_bytes", read_bytes, data)
    _check("read_bytes", read_bytes, gzip.compress(data))


# --- normalizers --------------------------------------------------------------------------------

DATE_WORDS = ("yesterday", "last", "next", "Monday", "March", "2024", "31", "ago", "weeks",
              "early", "mid-", "the", "of", "on", "night", "Feb.", "29", "1999", "-", "/")
date_phrases = st.one_of(
    words, st.lists(st.sampled_from(DATE_WORDS) | words, max_size=6).map(" ".join)
)


@given(date_phrases, st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_fuzz_resolve_time(text: str, published: dt.date | None) -> None:
    from eventfuse.extract.times import resolve_time

    when = resolve_time(text, published)
    assert isinstance(when, When)
    if when.start and when.end:
        assert when.start <= when.end
    OUTCOMES[("resolve_time", "dated" if when.start else "undated")] += 1
    OUTCOMES[("resolve_time", "inputs")] += 1


AMOUNT_WORDS = ("dozens", "hundreds", "at", "least", "more", "than", "1,000", "two", "thousand",
                "about", "nearly", "-", "to", "of", "a", "million", "0", "1e9", "99999999999999")
amount_phrases = st.one_of(
    words, st.lists(st.sampled_from(AMOUNT_WORDS) | words, max_size=6).map(" ".join)
)


@given(amount_phrases)
def test_fuzz_parse_amount(text: str) -> None:
    from eventfuse.extract.quantities import parse_amount

    amount = parse_amount(text)
    if amount is not None:
        low, high = amount
        assert low >= 0 and (high is None or high >= low)
    OUTCOMES[("parse_amount", "amount" if amount else "none")] += 1
    OUTCOMES[("parse_amount", "inputs")] += 1


PLACE_WORDS = ("Kabul", "province", "Paris", "Texas", "New", "York", "city", "of", "the",
               "Georgia", "district", "Saint", "São", "Paulo", "North", "Sudan", "Lagos")
place_names = st.one_of(
    words, st.lists(st.sampled_from(PLACE_WORDS) | words, min_size=1, max_size=4).map(" ".join)
)


@given(place_names, st.none() | st.sampled_from(["AF", "US", "FR", "XX", "", "af"]))
def test_fuzz_gazetteer_resolve(name: str, country: str | None) -> None:
    from eventfuse.extract.gazetteer import get_gazetteer

    place = get_gazetteer().resolve(name, country_hint=country)
    if place is not None:
        assert place.lat is None or -90 <= place.lat <= 90
        assert place.lon is None or -180 <= place.lon <= 180
    OUTCOMES[("gazetteer.resolve", "place" if place else "none")] += 1
    OUTCOMES[("gazetteer.resolve", "inputs")] += 1


# --- report -------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


@pytest.fixture(autouse=True)
def outcome_report() -> Iterator[None]:
    """After every test: peak RSS bounded; counts so far written (a long run can be cut short)."""
    yield
    path = os.environ.get("EVENTFUSE_FUZZ_REPORT")
    if path:
        table: dict[str, dict[str, int]] = {}
        for (target, outcome), count in sorted(OUTCOMES.items()):
            table.setdefault(target, {})[outcome] = count
        report = {"peak_rss_mb": round(peak_rss_mb()), "targets": table}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    assert peak_rss_mb() < RSS_LIMIT_MB, f"peak RSS {peak_rss_mb():.0f} MB"

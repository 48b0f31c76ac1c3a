"""Plain-text articles with loose header lines (date, title, outlet, url, Published/Updated)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from eventfuse.errors import InputError
from eventfuse.ingest.article import build_article
from eventfuse.ingest.clean import normalize_unicode
from eventfuse.ingest.dates import parse_date
from eventfuse.ingest.decode import decode
from eventfuse.ingest.lexicon import Lexicon, get_lexicon
from eventfuse.records import Article
from eventfuse.settings import Options

_KEY_LINE = re.compile(r"(?P<key>[A-Za-z]{2,12})\s*:\s*(?P<value>\S.*)")
_SENTENCE_END = ".!?;:,\"'”’»)"
_KEY_ALIASES = {
    "source": "outlet",
    "site": "outlet",
    "link": "url",
    "headline": "title",
    "published": "date",
    "byline": "author",
}


@dataclass(slots=True)
class Header:
    """What the top of a plain-text file says about the article (mutable while reading)."""

    fields: dict[str, str] = field(default_factory=dict)
    published: dt.date | None = None
    updated: dt.date | None = None
    first_line: str | None = None  # the body's first line, when a header was its prefix


def read_text(
    data: bytes, path: str, options: Options, outlet: str | None = None
) -> list[Article | InputError]:
    """One article from a plain-text file; ``outlet`` is the fallback outlet (e.g. the folder)."""
    decoded = decode(data, path)
    if decoded is None:
        return [InputError(path, "not text: binary content or an unknown encoding")]
    return [text_article(decoded, path, options, outlet)]


def text_article(
    text: str, path: str, options: Options, outlet: str | None = None
) -> Article | InputError:
    lexicon = get_lexicon()
    header = Header()
    body = consume_header(normalize_unicode(text).split("\n"), header, lexicon)
    title = header.fields.get("title")
    if title is None:
        title, body = _title_line(body, lexicon)
        if title is not None:  # "Published …" and byline lines often sit under the title
            body = consume_header(body, header, lexicon)
    metadata = {k: v for k, v in header.fields.items() if k not in {"title", "outlet", "url", "id"}}
    return build_article(
        raw_text="\n".join(body),
        path=path,
        options=options,
        url=header.fields.get("url"),
        outlet=header.fields.get("outlet") or outlet,
        title=title,
        published=header.published or header.updated,
        published_source="header",
        source_id=header.fields.get("id"),
        metadata=metadata,
    )


def consume_header(lines: list[str], header: Header, lexicon: Lexicon) -> list[str]:
    """Header lines at the top of ``lines`` recorded in ``header``; returns the body lines.

    Stops at the first line that is article text; a date prefix leaves the rest of its line.
    """
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > lexicon.header_scan_lines or not _header_line(line, header, lexicon):
            return lines[index:]
        if header.first_line is not None:
            first, header.first_line = header.first_line, None
            return [first, *lines[index + 1 :]]
    return []


def _header_line(line: str, header: Header, lexicon: Lexicon) -> bool:
    """Record ``line`` in ``header`` if it is a header; after a date prefix the rest is body."""
    prefix = lexicon.header_date_prefix.match(line)
    if prefix:
        header.published = header.published or parse_date(prefix.group("date"))
        rest = line[prefix.end() :].strip()
        header.first_line = rest or None
        return True
    stripped = line.strip()
    dated = lexicon.header_dated_lines.fullmatch(stripped)
    if dated and (date := parse_date(dated.group("date"))):
        if dated.group("kind").lower() in {"published", "posted"}:
            header.published = header.published or date
        else:
            header.updated = header.updated or date
        return True
    byline = lexicon.header_byline.fullmatch(stripped)
    if byline:
        header.fields.setdefault("author", byline.group("author"))
        return True
    keyed = _KEY_LINE.fullmatch(stripped)
    if keyed and keyed.group("key").lower() in lexicon.header_keys:
        key = _KEY_ALIASES.get(keyed.group("key").lower(), keyed.group("key").lower())
        value = keyed.group("value").strip()
        if key == "date":
            header.published = header.published or parse_date(value)
        header.fields.setdefault(key, value)
        return True
    return False


def _title_line(body: list[str], lexicon: Lexicon) -> tuple[str | None, list[str]]:
    """A short first line set apart by a blank line, not ending like a sentence, is the title."""
    content = [i for i, line in enumerate(body) if line.strip()]
    if len(content) < 2:
        return None, body
    first = body[content[0]].strip()
    set_apart = content[1] > content[0] + 1
    short = len(first) <= lexicon.title_max_chars and len(first.split()) <= lexicon.title_max_words
    if set_apart and short and not first.endswith(tuple(_SENTENCE_END)):
        return first, body[content[0] + 1 :]
    return None, body

"""RSS and Atom feeds via feedparser: each entry one article. Entity declarations are refused."""

from __future__ import annotations

import io
from typing import Any

import feedparser

from eventfuse.errors import InputError
from eventfuse.ingest.article import build_article, record_too_large
from eventfuse.ingest.dates import from_struct_time
from eventfuse.ingest.decode import declares_entities
from eventfuse.ingest.html import html_fragment_to_text
from eventfuse.records import Article
from eventfuse.settings import Options


def read_feed(
    data: bytes, path: str, options: Options, outlet: str | None = None
) -> list[Article | InputError]:
    """The feed's entries as articles (full content when present, else the summary)."""
    if declares_entities(data):
        return [InputError(path, "refused: the feed declares XML entities (entity-expansion risk)")]
    try:
        # A stream, never a string: feedparser treats strings as URLs or file names.
        parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    except Exception as exc:  # feedparser's sax back ends raise many types on hostile XML
        return [InputError(path, f"malformed feed ({type(exc).__name__}: {exc})")]
    entries = parsed.get("entries") or []
    if not entries:
        reason = parsed.get("bozo_exception") or "no entries"
        return [InputError(path, f"malformed or empty feed ({reason})")]
    feed_title = parsed.get("feed", {}).get("title") or outlet
    return [
        _entry_article(entry, f"{path}#{number}", options, feed_title)
        for number, entry in enumerate(entries, start=1)
    ]


def _entry_article(
    entry: Any, where: str, options: Options, outlet: str | None
) -> Article | InputError:
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    html = max(contents, key=len) if contents else entry.get("summary", "")
    if len(html or "") > options.max_file_bytes:
        return record_too_large(where, "entry", options)
    text, posts = html_fragment_to_text(html or "")
    published_at = entry.get("published_parsed") or entry.get("updated_parsed")
    published = from_struct_time(published_at)
    return build_article(
        raw_text=text,
        path=where,
        options=options,
        url=entry.get("link"),
        outlet=outlet,
        title=entry.get("title"),
        published=published,
        published_source="feed",
        source_id=entry.get("id"),
        posts=posts,
        metadata={k: entry[k] for k in ("author",) if entry.get(k)},
    )

"""Fetched URLs to stored articles: pages, feeds and the pages their entries link to.

A source URL (given on the command line or in a sources file) is fetched on every poll with a
conditional GET. A feed entry's link is fetched once; again only when the entry's ``updated``
is newer than when it was last fetched, and then the new text is stored as a revision of the same
article. Every article is committed as soon as it is read, so a stop loses nothing fetched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import feedparser
import lxml.html
import yaml

from eventfuse.changes import utc_now
from eventfuse.engines.local import ingest_articles
from eventfuse.errors import ConfigError, InputError
from eventfuse.fetch.client import Fetcher, FetchResult
from eventfuse.fetch.state import FetchState
from eventfuse.ingest.decode import declares_entities, sniff
from eventfuse.ingest.feed import read_feed
from eventfuse.ingest.html import read_html
from eventfuse.ingest.identity import article_id, normalize_url
from eventfuse.ingest.sources import read_bytes
from eventfuse.records import Article
from eventfuse.settings import Options
from eventfuse.store import Store
from eventfuse.yamlfile import load_yaml

_FEED_TYPES = ("application/rss+xml", "application/atom+xml")
_URL_LINE = re.compile(r"^(?P<url>\S+)(?:\s+(?P<outlet>.+))?$")


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one source's poll stored."""

    url: str
    added: tuple[str, ...] = ()
    revised: tuple[str, ...] = ()
    not_modified: bool = False
    seen: int = 0  # feed entries already stored and not updated
    errors: tuple[InputError, ...] = field(default_factory=tuple)


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def parse_source_list(text: str, path: str = "sources") -> list[Source]:
    """A YAML list of ``{url, outlet}`` (or of URLs), else lines ``URL [outlet name]``;
    blank lines and ``#`` comments are skipped."""
    stripped = text.lstrip()
    if stripped.startswith(("-", "[")):
        try:
            data = load_yaml(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not a valid YAML list ({exc})") from exc
        return [_yaml_source(item, path) for item in data or []]
    sources = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        match = _URL_LINE.match(line)
        if match:
            sources.append(Source(match["url"], (match["outlet"] or "").strip() or None))
    return sources


def _yaml_source(item: Any, path: str) -> Source:
    if isinstance(item, str):
        return Source(item.strip())
    if isinstance(item, dict) and isinstance(item.get("url"), str):
        outlet = item.get("outlet")
        return Source(item["url"].strip(), str(outlet) if outlet else None)
    raise ConfigError(f"{path}: each entry needs a url, got {item!r}")


def ingest_source(
    source: Source,
    fetcher: Fetcher,
    store: Store,
    options: Options,
    should_stop: Callable[[], bool] = lambda: False,
) -> SourceOutcome:
    """Fetch one source (page or feed) and store what is new or revised."""
    key = normalize_url(source.url)
    state = store.get_fetch_state(key)
    result = fetcher.fetch(source.url, etag=state.etag if state else None,
                           last_modified=state.last_modified if state else None)
    if result.status == "not_modified":
        return SourceOutcome(source.url, not_modified=True)
    if result.status != "ok":
        return SourceOutcome(source.url, errors=(InputError(source.url, result.reason),))
    kind = sniff(result.body, result.final_url)
    if kind == "html" and urlsplit_path(source.url) in ("", "/"):
        feed_url = discover_feed(result.body, result.final_url)
        if feed_url is not None:  # a site's home page: follow the feed it announces
            return ingest_source(replace(source, url=feed_url), fetcher, store, options,
                                 should_stop)
    if kind == "feed":
        outcome = _ingest_feed(source, result, fetcher, store, options, should_stop)
        if should_stop() or outcome.errors:
            # Entries are left to read: keep the old validators so the next poll gets the feed
            # again instead of a 304 that would hide them.
            return outcome
    else:
        outcome = _store_page(source, result, store, options, state, entry_updated=None)
    stored = (*outcome.added, *outcome.revised)
    _remember(store, key, result, state, article=stored[0] if len(stored) == 1 and kind != "feed"
              else None, entry_updated=None)
    return outcome


# --- pages ----------------------------------------------------------------------------------------


def page_articles(
    result: FetchResult, options: Options, outlet: str | None
) -> list[Article | InputError]:
    """The articles of a fetched body; an article page keeps the URL it was fetched from."""
    if sniff(result.body, result.final_url) == "html":
        items = read_html(result.body, result.final_url, options, url=result.final_url,
                          outlet=outlet)
    else:
        items = read_bytes(result.body, result.final_url, options, outlet)
    return [_with_outlet(i, outlet) if isinstance(i, Article) else i for i in items]


def _with_outlet(article: Article, outlet: str | None) -> Article:
    """The sources file names the outlet; it wins over what the page calls itself."""
    return replace(article, outlet=outlet) if outlet else article


def _store_page(
    source: Source,
    result: FetchResult,
    store: Store,
    options: Options,
    state: FetchState | None,
    entry_updated: str | None,
) -> SourceOutcome:
    items = page_articles(result, options, source.outlet)
    errors = tuple(i for i in items if isinstance(i, InputError))
    articles = [i for i in items if isinstance(i, Article)]
    added: list[str] = []
    revised: list[str] = []
    for article in articles:
        verdict = store_article(article, store, options)
        (added if verdict == "added" else revised if verdict == "revised" else []).append(
            article.id)
    return SourceOutcome(source.url, tuple(added), tuple(revised), errors=errors)


def store_article(article: Article, store: Store, options: Options) -> str:
    """Store a fetched article: "added" when new, "revised" when its text changed (the old
    version is kept as a revision), "unchanged" otherwise. One transaction each."""
    from eventfuse.ingest.dedup import signature  # MinHash: only when an article is stored

    stored = store.get_article(article.id)
    if stored is None:
        ingest_articles([article], store, options)
        return "added"
    if stored.text == article.text:
        return "unchanged"
    revision = replace(article, copy_of=stored.copy_of)
    store.revise_article(revision, signature(article.text, options.minhash_permutations))
    return "revised"


# --- feeds ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEntry:
    link: str | None
    updated: str | None  # UTC ISO of the entry's `updated` (or `published`)
    fallback: Article | InputError  # the entry's own text, when its page cannot be fetched


def feed_entries(data: bytes, path: str, options: Options, outlet: str | None) -> list[FeedEntry]:
    """The feed's entries with their link, ``updated`` time and feed-text article."""
    if declares_entities(data):
        return []
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries and not parsed.get("bozo"):
        return []  # a well-formed feed with nothing in it yet is not an error when watching
    articles = read_feed(data, path, options, outlet)
    if len(entries) != len(articles):  # an unreadable feed: read_feed's one error stands alone
        return [FeedEntry(None, None, item) for item in articles]
    return [
        FeedEntry(entry.get("link"), _struct_iso(entry.get("updated_parsed")
                                                 or entry.get("published_parsed")),
                  _with_outlet(item, outlet) if isinstance(item, Article) else item)
        for entry, item in zip(entries, articles, strict=True)
    ]


def _struct_iso(value: Any) -> str | None:
    if not value:
        return None
    year, month, day, hour, minute, second = (int(v) for v in value[:6])
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC).isoformat()


def _ingest_feed(
    source: Source,
    result: FetchResult,
    fetcher: Fetcher,
    store: Store,
    options: Options,
    should_stop: Callable[[], bool],
) -> SourceOutcome:
    added: list[str] = []
    revised: list[str] = []
    errors: list[InputError] = []
    seen = 0
    for entry in feed_entries(result.body, result.final_url, options, source.outlet):
        if should_stop():
            break
        verdict, stored_id, entry_errors = _ingest_entry(entry, fetcher, store, options,
                                                         source.outlet)
        errors.extend(entry_errors)
        if verdict == "added":
            added.append(stored_id)
        elif verdict == "revised":
            revised.append(stored_id)
        seen += verdict == "seen"
    return SourceOutcome(source.url, tuple(added), tuple(revised), seen=seen,
                         errors=tuple(errors))


def _ingest_entry(
    entry: FeedEntry, fetcher: Fetcher, store: Store, options: Options, outlet: str | None
) -> tuple[str, str, list[InputError]]:
    """(verdict, article id, errors) of one feed entry."""
    if entry.link is None:
        if isinstance(entry.fallback, InputError):
            return "failed", "", [entry.fallback]
        return store_article(entry.fallback, store, options), entry.fallback.id, []
    key = normalize_url(entry.link)
    state = store.get_fetch_state(key)
    known_id = state.article_id if state and state.article_id else article_id(entry.link, "")
    if store.get_article(known_id) is not None:
        newer = bool(entry.updated and state and state.entry_updated
                     and entry.updated > state.entry_updated)
        if not newer:
            if state is None or state.entry_updated is None:
                _remember(store, key, None, state, article=known_id, entry_updated=entry.updated)
            return "seen", known_id, []
    result = fetcher.fetch(entry.link, etag=state.etag if state else None,
                           last_modified=state.last_modified if state else None)
    article: Article | InputError = entry.fallback
    if result.status == "ok":
        found = [a for a in page_articles(result, options, outlet) if isinstance(a, Article)]
        if found:
            article = found[0]
    if isinstance(article, InputError):
        page_error = [InputError(entry.link, result.reason)] if result.reason else []
        return "failed", "", [article, *page_error]
    if article.url is None or article_id(article.url, "") != known_id:
        article = replace(article, url=entry.link, id=known_id)
    verdict = store_article(article, store, options)
    _remember(store, key, result, state, article=article.id, entry_updated=entry.updated)
    return verdict, article.id, []


# --- helpers --------------------------------------------------------------------------------------


def _remember(
    store: Store,
    key: str,
    result: FetchResult | None,
    state: FetchState | None,
    *,
    article: str | None,
    entry_updated: str | None,
) -> None:
    previous = state or FetchState(url=key)
    fetched = result is not None and result.status in ("ok", "not_modified")
    store.put_fetch_state(FetchState(
        url=key,
        etag=result.etag if fetched and result else previous.etag,
        last_modified=result.last_modified if fetched and result else previous.last_modified,
        fetched_at=utc_now() if fetched else previous.fetched_at,
        entry_updated=entry_updated or previous.entry_updated,
        article_id=article or previous.article_id,
        content_sha256=(hashlib.sha256(result.body).hexdigest() if fetched and result
                        and result.body else previous.content_sha256),
    ))


def discover_feed(data: bytes, base_url: str) -> str | None:
    """The first RSS/Atom feed a page announces with ``<link rel=alternate>``."""
    from urllib.parse import urljoin

    try:
        tree = lxml.html.document_fromstring(data)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower()
        if "alternate" in rel and kind in _FEED_TYPES and link.get("href"):
            return str(urljoin(base_url, str(link.get("href", ""))))
    return None


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def source_ids(outcomes: Sequence[SourceOutcome]) -> list[str]:
    """Ids of every article added or revised by ``outcomes``."""
    return [i for o in outcomes for i in (*o.added, *o.revised)]

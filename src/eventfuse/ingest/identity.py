"""Stable article ids: a short hash of the normalized URL, else of the normalized text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from eventfuse.ingest.lexicon import get_lexicon
from eventfuse.records import Article

if TYPE_CHECKING:
    from eventfuse.store.base import Store

ID_HEX_CHARS = 16
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_WHITESPACE = re.compile(r"\s+")


def normalize_url(url: str) -> str:
    """Lowercase scheme and host, no fragment, default port, tracking parameters or trailing slash.

    Other query parameters are kept (sorted) because they can name the article.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    tracking = get_lexicon().tracking_params
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k, tracking)
    ]
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def _is_tracking(key: str, tracking: tuple[str, ...]) -> bool:
    key = key.lower()
    return any(key == t or (t.endswith("_") and key.startswith(t)) for t in tracking)


def normalize_text(text: str) -> str:
    """Text as compared for identity: NFC, case-folded, whitespace collapsed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def article_id(url: str | None, text: str, outlet: str | None = None) -> str:
    """sha256[:16] of the normalized URL when there is one, else of the normalized text and
    outlet: one text published by two outlets is two articles (linked as wire copies), so
    neither outlet is lost."""
    if url and url.strip():
        key = f"url:{normalize_url(url)}"
    elif outlet and outlet.strip():
        key = f"text:{normalize_text(outlet)}:{normalize_text(text)}"
    else:
        key = f"text:{normalize_text(text)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_HEX_CHARS]


def stored_under_legacy_id(articles: Sequence[Article], store: Store) -> set[str]:
    """Ids of ``articles`` a store made before ids hashed the outlet already holds: a URL-less
    article with an outlet was stored under the hash of its text alone. Re-reading the same
    files after the upgrade must find them, not store every one again."""
    legacy = {a.id: article_id(None, a.text) for a in articles if not a.url and a.outlet}
    found = store.existing_article_ids(legacy.values())
    if not found:
        return set()
    stored = {a.id: a.outlet for a in store.get_articles(found)}
    return {a.id for a in articles
            if a.id in legacy and legacy[a.id] in found and stored[legacy[a.id]] == a.outlet}

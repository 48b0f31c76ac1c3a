"""Builds an :class:`Article` from what a reader found: cleans the text, gives it its id."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from eventfuse.errors import InputError
from eventfuse.ingest.clean import clean_text, normalize_whitespace
from eventfuse.ingest.identity import article_id
from eventfuse.records import Article, EmbeddedPost
from eventfuse.settings import Options

# Article text has at least one word of letters (any script).
_WORDS = re.compile(r"[^\W\d_]{2,}")


def build_article(
    *,
    raw_text: str,
    path: str,
    options: Options,
    url: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
    published: dt.date | None = None,
    published_source: str | None = None,
    source_id: str | None = None,
    posts: Sequence[EmbeddedPost] = (),
    metadata: Mapping[str, Any] | None = None,
) -> Article | InputError:
    """The clean article, or an :class:`InputError` when no article text is left."""
    cleaned = clean_text(raw_text, options.max_text_chars)
    if not _WORDS.search(cleaned.text):
        return InputError(path, "no article text (nothing but page furniture or symbols)")
    url = _field(url)
    return Article(
        id=article_id(url, cleaned.text, _field(outlet)),
        text=cleaned.text,
        url=url,
        outlet=_field(outlet),
        title=_field(title),
        published=published,
        published_source=published_source if published else None,
        source_path=path,
        posts=(*posts, *cleaned.posts),
        source_id=_field(source_id),
        metadata=dict(metadata or {}),
    )


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    value = normalize_whitespace(str(value)).replace("\n", " ")
    return value or None


def record_too_large(where: str, what: str, options: Options) -> InputError:
    """One record of a container over the per-article limit; the other records still load."""
    return InputError(where, f"{what} too large (over max_file_bytes, {options.max_file_bytes} "
                             "bytes, the limit of one article)")

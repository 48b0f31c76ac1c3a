"""What the store remembers of one fetched URL: validators for conditional GET, what it produced."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FetchState:
    """Keyed by the normalized URL (:func:`eventfuse.ingest.normalize_url`)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None  # UTC ISO 8601
    # The feed entry's `updated` (UTC ISO) when the article was last fetched through a feed.
    entry_updated: str | None = None
    article_id: str | None = None
    content_sha256: str | None = None

"""Ingestion: sources (txt, HTML, JSON Lines, RSS/Atom, WARC) to clean, identified Articles.

Public entry point: :func:`read_sources`; per-format readers take ``(bytes, path, options)``.
Near-duplicates (wire copies) are linked with :mod:`eventfuse.ingest.dedup`.
"""

from eventfuse.ingest.clean import CleanText, clean_text
from eventfuse.ingest.dedup import NearDuplicateIndex, link_copies, signature
from eventfuse.ingest.feed import read_feed
from eventfuse.ingest.html import read_html
from eventfuse.ingest.identity import article_id, normalize_url
from eventfuse.ingest.jsonl import read_jsonl
from eventfuse.ingest.sources import expand_paths, read_bytes, read_file, read_sources
from eventfuse.ingest.text import read_text
from eventfuse.ingest.warc import read_warc

__all__ = [
    "CleanText",
    "NearDuplicateIndex",
    "article_id",
    "clean_text",
    "expand_paths",
    "link_copies",
    "normalize_url",
    "read_bytes",
    "read_feed",
    "read_file",
    "read_html",
    "read_jsonl",
    "read_sources",
    "read_text",
    "read_warc",
    "signature",
]

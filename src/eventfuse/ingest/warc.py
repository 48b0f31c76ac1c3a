"""WARC and WARC.GZ archives via warcio: HTML responses become articles, other records skipped."""

from __future__ import annotations

import dataclasses
import io
import logging
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from eventfuse.errors import InputError
from eventfuse.ingest.article import record_too_large
from eventfuse.ingest.decode import GZIP_MAGIC, gunzip
from eventfuse.ingest.html import read_html
from eventfuse.records import Article
from eventfuse.settings import Options

log = logging.getLogger(__name__)
_RECORD_END = b"\r\n\r\n"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(
    data: bytes, path: str, options: Options, outlet: str | None = None
) -> list[Article | InputError]:
    """Articles of every HTML response; a truncated archive keeps records read before the cut."""
    truncated = False
    if data.startswith(GZIP_MAGIC):
        unpacked = gunzip(data, options.max_decompressed_bytes)
        if unpacked.over_limit:
            return [_too_big(path, options)]
        data, truncated = unpacked.data, not unpacked.complete
    results: list[Article | InputError] = []
    iterator = ArchiveIterator(io.BytesIO(data))
    try:
        for number, record in enumerate(iterator, start=1):
            content = record.content_stream().read(_record_limit(options) + 1)
            end = iterator.get_record_offset() + iterator.get_record_length()
            if data[end : end + len(_RECORD_END)] != _RECORD_END:
                truncated = True  # the last record stops before its declared length
                break
            if len(content) > _record_limit(options):
                results.append(record_too_large(f"{path}#{number}", "record", options)
                               if len(content) > options.max_file_bytes
                               else _too_big(f"{path}#{number}", options))
                continue
            results.extend(_record_articles(record, content, f"{path}#{number}", options, outlet))
    except Exception as exc:  # warcio raises assorted types on damaged archives
        log.debug("%s: WARC parsing stopped: %s", path, exc)
        truncated = True
    if truncated:
        results.append(
            InputError(
                path,
                f"truncated or damaged WARC archive: kept the {_count(results)} "
                "article(s) read before the damage",
            )
        )
    return results or [InputError(path, "WARC archive without HTML responses")]


def _record_articles(
    record: Any, content: bytes, where: str, options: Options, outlet: str | None
) -> list[Article | InputError]:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    content_type = _content_type(record)
    if record.rec_type not in {"response", "resource"} or not content_type.startswith(_HTML_TYPES):
        log.info("%s: skipped %s record (%s) for %s", where, record.rec_type, content_type, uri)
        return []
    if record.http_headers is not None and not record.http_headers.get_statuscode().startswith("2"):
        log.info(
            "%s: skipped HTTP %s response for %s", where, record.http_headers.get_statuscode(), uri
        )
        return []
    crawled = record.rec_headers.get_header("WARC-Date")
    return [
        dataclasses.replace(item, metadata={**item.metadata, "warc_date": crawled})
        if isinstance(item, Article) and crawled
        else item
        for item in read_html(content, where, options, url=uri, outlet=outlet)
    ]


def _content_type(record: Any) -> str:
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    value = headers.get_header("Content-Type") if headers is not None else None
    return str(value or "").strip().lower()


def _record_limit(options: Options) -> int:
    return min(options.max_file_bytes, options.max_decompressed_bytes)


def _too_big(where: str, options: Options) -> InputError:
    return InputError(
        where, f"decompressed content exceeds the limit of {options.max_decompressed_bytes} bytes"
    )


def _count(results: list[Article | InputError]) -> int:
    return sum(isinstance(r, Article) for r in results)

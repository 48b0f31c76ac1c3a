"""JSON Lines: one article per line (text, title, url, published, outlet, id)."""

from __future__ import annotations

import json
from typing import Any

from eventfuse.errors import InputError
from eventfuse.ingest.article import build_article, record_too_large
from eventfuse.ingest.dates import parse_date
from eventfuse.ingest.decode import decode
from eventfuse.records import Article
from eventfuse.settings import Options

KNOWN_FIELDS = frozenset({"text", "title", "url", "published", "outlet", "id"})


def read_jsonl(
    data: bytes, path: str, options: Options, outlet: str | None = None
) -> list[Article | InputError]:
    """Each good line's article; a bad line is an error naming ``path:line``, others still load."""
    decoded = decode(data, path)
    if decoded is None:
        return [InputError(path, "not text: binary content or an unknown encoding")]
    whole = _whole_document(decoded)
    if whole is not None:  # a JSON array of records, or one pretty-printed record
        return [_record_article(r, f"{path}[{i}]", options, outlet) for i, r in enumerate(whole)]
    results: list[Article | InputError] = []
    for number, line in enumerate(decoded.split("\n"), start=1):
        if _over_limit(line, options):
            results.append(record_too_large(f"{path}:{number}", "line", options))
        elif line.strip():
            results.append(jsonl_article(line, f"{path}:{number}", options, outlet))
    return results or [InputError(path, "empty JSON Lines file")]


def _whole_document(text: str) -> list[Any] | None:
    """The records of a file that is one JSON document rather than one record per line."""
    stripped = text.strip()
    first_line = stripped.split("\n", 1)[0]
    if not stripped.startswith("[") and _parses(first_line):
        return None
    try:
        document = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if isinstance(document, list):
        return document or None
    return [document] if isinstance(document, dict) else None


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def jsonl_article(
    line: str, where: str, options: Options, outlet: str | None = None
) -> Article | InputError:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return InputError(where, f"not valid JSON ({exc.msg}, column {exc.colno})")
    except RecursionError:
        return InputError(where, "not valid JSON (nested too deeply)")
    return _record_article(record, where, options, outlet)


def _record_article(
    record: Any, where: str, options: Options, outlet: str | None
) -> Article | InputError:
    if not isinstance(record, dict):
        return InputError(where, f"a JSON object was expected, found {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return InputError(where, 'no "text" field with the article text')
    if _over_limit(text, options):
        return record_too_large(where, "record's text", options)
    published = parse_date(_string(record.get("published")))
    return build_article(
        raw_text=text,
        path=where,
        options=options,
        url=_string(record.get("url")),
        outlet=_string(record.get("outlet")) or outlet,
        title=_string(record.get("title")),
        published=published,
        published_source="jsonl",
        source_id=_string(record.get("id")),
        metadata={k: v for k, v in record.items() if k not in KNOWN_FIELDS},
    )


def _over_limit(text: str, options: Options) -> bool:
    # A character is 1 to 4 UTF-8 bytes: encode only when the count alone cannot decide.
    limit = options.max_file_bytes
    return len(text) > limit or (4 * len(text) > limit and len(text.encode("utf-8")) > limit)


def _string(value: Any) -> str | None:
    """Scalars as text (ids are often numbers); objects and lists are not a field's value."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value)

"""Bytes to text and format sniffing: decide by content, never crash on bytes."""

from __future__ import annotations

import codecs
import json
import logging
import re
import threading
import zlib
from dataclasses import dataclass
from typing import Literal

import lxml.html.defs
from charset_normalizer import from_bytes

LOG = logging.getLogger(__name__)
MAX_OFFSETS_SHOWN = 10
_RECORD = threading.local()
_RECORD_ERRORS = "eventfuse-record-utf8"

Format = Literal["warc", "feed", "html", "xml", "jsonl", "text", "binary", "empty"]

GZIP_MAGIC = b"\x1f\x8b"
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# C0 controls other than tab, newline, form feed and carriage return.
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}
_MARKUP_HEAD = re.compile(
    rb"^(\s|<\?xml[^>]*>|<!--.*?-->|<!doctype[^>]*>)*", re.IGNORECASE | re.DOTALL
)
_PREFERRED_ENCODINGS = ("utf_8", "cp1252", "iso8859_15", "latin_1")
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(rb"<(html|head|body|article|div|p|meta|title)[\s>/]", re.IGNORECASE)
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)[^>]*?/?>")
_HTML_ELEMENTS = frozenset(lxml.html.defs.tags) | {"main", "template", "picture", "search"}
# An entity declaration inside a DOCTYPE's internal subset (text merely mentioning "<!ENTITY",
# e.g. escaped in an article about XML, is not one).
_ENTITY_DECL = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Decompressed:
    data: bytes
    complete: bool  # False: the gzip stream ended early (truncated)
    over_limit: bool  # True: decompression stopped at the size cap


def gunzip(data: bytes, limit: int) -> Decompressed:
    """Multi-member gzip, decompressed to at most ``limit`` bytes (a gzip bomb stops at the cap)."""
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
        try:
            # max_length bounds the output; input left over stays in unconsumed_tail.
            chunk = inflater.decompress(rest, limit + 1 - len(out))
        except zlib.error:
            return Decompressed(bytes(out), complete=False, over_limit=False)
        out += chunk
        if len(out) > limit:
            return Decompressed(bytes(out[:limit]), complete=False, over_limit=True)
        if not inflater.eof:
            return Decompressed(bytes(out), complete=False, over_limit=False)
        rest = inflater.unused_data.lstrip(b"\x00")
        if rest and not rest.startswith(GZIP_MAGIC):
            break  # trailing garbage after the last member: ignore, as gzip(1) does
    return Decompressed(bytes(out), complete=True, over_limit=False)


def sniff(data: bytes, path: str = "") -> Format:
    """The format of ``data``, by content first, the file extension only to break ties."""
    if not data.strip():
        return "empty"
    if data.startswith(b"WARC/"):
        return "warc"
    text_like = decode(data) is not None
    if not text_like:
        return "binary"
    head = data.lstrip(b"\xef\xbb\xbf")[:4096]
    markup = head[_MARKUP_HEAD.match(head).end() :]  # type: ignore[union-attr]
    if _FEED_ROOT.match(markup):
        return "feed"
    if head.lstrip().startswith(b"<") and (
        _HTML_TAG.search(head) or path.lower().endswith((".html", ".htm"))
    ):
        return "html"
    if xml_root(data) is not None:
        return "xml"
    if head.lstrip().startswith(b"{") or (head.lstrip().startswith(b"[") and _json_array(data)):
        return "jsonl"
    return "text"


def xml_root(data: bytes) -> str | None:
    """The root element of ``data`` when it is an XML document that is not HTML: one declared
    ``<?xml``, or whose root, not an HTML element, is closed at the very end (so a text opening
    with "<Reuters> - ..." stays text). Feeds and XHTML are recognised before this is asked."""
    head = data.lstrip(b"\xef\xbb\xbf").lstrip()
    match = _XML_ROOT.match(head[_MARKUP_HEAD.match(head[:4096]).end() :])  # type: ignore[union-attr]
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    if name.rpartition(":")[2].lower() in _HTML_ELEMENTS:
        return None
    closed = re.search(rb"</" + re.escape(match.group(1)) + rb"\s*>\s*$", data[-4096:])
    if head.startswith(b"<?xml") or closed or match.group(0).endswith(b"/>"):
        return name
    return None


def _json_array(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), list)
    except (ValueError, RecursionError):
        return False


def declares_entities(data: bytes) -> bool:
    """An XML/HTML document declaring entities (the vector of billion-laughs bombs)."""
    return _ENTITY_DECL.search(data) is not None


def decode(data: bytes, path: str | None = None) -> str | None:
    """Text of ``data`` in its detected encoding; None for binary data.

    UTF-8 with a few invalid bytes stays UTF-8, each bad byte run becoming U+FFFD, with one
    logged warning naming ``path`` (when given) and the byte offsets; a legacy code page is used
    only when the whole file reads better in it (see :func:`_mostly_utf8`).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _text_or_none(data[len(bom) :].decode(encoding))
            except UnicodeDecodeError:
                return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return _text_or_none(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    text, bad = _utf8_with_replacements(data)
    if _mostly_utf8(text, bad):
        if path is not None:
            shown = ", ".join(str(start) for start, _ in bad[:MAX_OFFSETS_SHOWN])
            hidden = len(bad) - MAX_OFFSETS_SHOWN
            more = f" and {hidden} more" if hidden > 0 else ""
            LOG.warning("%s: %d invalid UTF-8 byte sequence(s) replaced with U+FFFD at byte "
                        "offset(s) %s%s", path, len(bad), shown, more)
        return _text_or_none(text)
    detected = _detect_encoding(data[:1_000_000])
    if detected is None:
        return None
    try:
        return _text_or_none(data.decode(detected, errors="replace"))
    except (LookupError, UnicodeDecodeError):
        return None


def _utf8_with_replacements(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """``data`` read as UTF-8, bad sequences replaced, and their byte spans (one pass)."""
    bad: list[tuple[int, int]] = []
    _RECORD.spans = bad
    try:
        return data.decode("utf-8", errors=_RECORD_ERRORS), bad
    finally:
        _RECORD.spans = None


def _record_error(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _RECORD.spans.append((exc.start, exc.end))
    return "\ufffd", exc.end


codecs.register_error(_RECORD_ERRORS, _record_error)


def _mostly_utf8(text: str, bad: list[tuple[int, int]]) -> bool:
    """Whether UTF-8 reads ``text`` better than any single-byte code page would.

    A code page explains every byte, but turns each valid multi-byte UTF-8 character into two to
    four wrong ones ("ā" -> "Ä\x81"); UTF-8 loses only the bad runs. So UTF-8 wins when its valid
    non-ASCII characters outnumber its bad runs. A legacy file (cp1252 "café") has no valid
    multi-byte sequence, or only chance ones, and goes to the code page.
    """
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    return valid > len(bad)


def _detect_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess; among equally good guesses, the common web encodings.

    Short Western texts score the same in cp1250 and cp1252; the web's legacy default
    (windows-1252, which HTML5 also reads for "latin-1") is the likelier one.
    """
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    tied = {m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)}
    return next((e for e in _PREFERRED_ENCODINGS if e in tied), best.encoding)


def _text_or_none(text: str) -> str | None:
    # Text with many control characters is binary that happened to decode.
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) in _CONTROL)
    return None if sample and controls > len(sample) * 0.01 + 2 else text

"""Cleaning of article text: page furniture out, embedded posts apart, canonical whitespace.

Pure and deterministic: the same raw text always yields the same clean text, because evidence
spans index it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from eventfuse.ingest.lexicon import Lexicon, get_lexicon
from eventfuse.records import EmbeddedPost

# Invisible characters that only break tokenization; NBSP and friends become plain spaces.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_HAS_INVISIBLE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000\f\v]+")
_BLANK_RUN = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class CleanText:
    text: str
    posts: tuple[EmbeddedPost, ...] = ()


@dataclass(frozen=True, slots=True)
class _Line:
    text: str  # stripped
    gap: int  # blank lines between this line and the previous non-blank one


def clean_text(raw: str, max_chars: int) -> CleanText:
    """Furniture removed, embedded posts split off, whitespace canonical, cut at ``max_chars``."""
    lexicon = get_lexicon()
    lines = _lines(normalize_unicode(raw))
    lines, posts = _split_posts(lines, lexicon)
    lines = [line for line in lines if not is_furniture(line.text, lexicon)]
    text = normalize_whitespace(_join(lines))
    return CleanText(text=truncate(text, max_chars), posts=posts)


def normalize_unicode(text: str) -> str:
    """NFC (smart quotes kept), Unix line ends, no invisible characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    if _HAS_INVISIBLE.search(text):  # rare; translate steps through a dict per character
        text = text.translate(_INVISIBLE)
    return unicodedata.normalize("NFC", text.replace("\u2029", "\n\n"))


def normalize_whitespace(text: str) -> str:
    """Runs of spaces collapsed, lines stripped, paragraphs separated by exactly one blank line."""
    # One substitution over the text: a run of spaces never holds a line end.
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def truncate(text: str, max_chars: int) -> str:
    """``text`` cut at the last paragraph (else line, else word) boundary within ``max_chars``."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    for boundary in ("\n\n", "\n", " "):
        cut = head.rfind(boundary)
        if cut > 0:
            return head[:cut].rstrip()
    return head


def is_furniture(line: str, lexicon: Lexicon | None = None) -> bool:
    lexicon = lexicon or get_lexicon()
    if lexicon.furniture_any is not None:
        return lexicon.furniture_any.fullmatch(line) is not None
    return any(p.fullmatch(line) for p in lexicon.furniture_lines)


# --- embedded posts ------------------------------------------------------------------------


def _split_posts(
    lines: list[_Line], lexicon: Lexicon
) -> tuple[list[_Line], tuple[EmbeddedPost, ...]]:
    """Each credit line, with the post text above it, becomes an :class:`EmbeddedPost`."""
    taken: set[int] = set()
    posts: list[EmbeddedPost] = []
    for index, line in enumerate(lines):
        credit = parse_credit_line(line.text, lexicon)
        if credit is None:
            continue
        above = _post_lines_above(lines, index, bool(credit["prefix"]), taken, lexicon)
        body = [lines[i].text for i in above] + ([credit["prefix"]] if credit["prefix"] else [])
        taken.update([*above, index])
        posts.append(make_post(credit, "\n".join(body), lexicon))
    kept = [line for i, line in enumerate(lines) if i not in taken]
    return kept, tuple(posts)


def parse_credit_line(line: str, lexicon: Lexicon) -> dict[str, str] | None:
    if lexicon.post_credit_marker not in line:
        return None
    for pattern in lexicon.post_credit_lines:
        match = pattern.fullmatch(line)
        if match:
            return {k: (v or "").strip() for k, v in match.groupdict().items()}
    return None


def _post_lines_above(
    lines: list[_Line], index: int, has_prefix: bool, taken: set[int], lexicon: Lexicon
) -> list[int]:
    """Indexes of the lines above a credit line that read like the post, top to bottom.

    The line right above is the post's text when the credit line carries none; further up,
    a line belongs to the post while it is short and either set apart like an embed (wide gap)
    or post-like (hashtag, mention, link, a whole quotation). An ordinary paragraph stops it.
    """
    chosen: list[int] = []
    below = index
    for i in range(index - 1, -1, -1):
        text = lines[i].text
        if (
            i in taken
            or len(text) > lexicon.post_max_line_chars
            or parse_credit_line(text, lexicon)
        ):
            break
        gap = lines[below].gap
        needed_text = not chosen and not has_prefix
        post_like = any(p.fullmatch(text) for p in lexicon.post_like_lines)
        if not (needed_text or gap == 0 or gap >= lexicon.post_wide_gap or post_like):
            break
        if is_furniture(text, lexicon):
            break
        chosen.append(i)
        below = i
    return sorted(chosen)


def make_post(credit: dict[str, str], text: str, lexicon: Lexicon) -> EmbeddedPost:
    url = credit.get("url") or None
    if url and not url.startswith("http"):
        url = "https://" + url
    return EmbeddedPost(
        author=display_name(credit.get("author", "")) or None,
        handle=credit.get("handle") or None,
        date=_post_date(credit.get("date", ""), lexicon),
        url=url,
        text=text,
    )


def display_name(name: str) -> str:
    """The name as written in its first script: "Frud Bezhan فرود بيژن" -> "Frud Bezhan".

    Display names often repeat the name in a second script or add emoji; the first script's
    run is the form the article's own text uses.
    """
    words = [w for w in name.split() if any(ch.isalpha() for ch in w)]
    if not words:
        return ""
    script = _script(words[0])
    return " ".join(_takewhile_script(words, script)).strip(" -—–|·•,")


def _takewhile_script(words: list[str], script: str) -> list[str]:
    kept: list[str] = []
    for word in words:
        if _script(word) != script:
            break
        kept.append(word)
    return kept


def _script(word: str) -> str:
    for ch in word:
        if ch.isalpha():
            return unicodedata.name(ch, "UNKNOWN").split()[0]
    return "NONE"


def _post_date(text: str, lexicon: Lexicon) -> dt.date | None:
    for fmt in lexicon.post_date_formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# --- line model ----------------------------------------------------------------------------


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    gap = 0
    for raw in _SPACES.sub(" ", text).split("\n"):  # as line by line: no run holds a "\n"
        stripped = raw.strip()
        if not stripped:
            gap += 1
            continue
        lines.append(_Line(stripped, gap if lines else 0))
        gap = 0
    return lines


def _join(lines: list[_Line]) -> str:
    parts: list[str] = []
    for line in lines:
        if parts:
            parts.append("\n\n" if line.gap else "\n")
        parts.append(line.text)
    return "".join(parts)

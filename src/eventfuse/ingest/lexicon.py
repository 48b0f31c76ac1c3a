"""The ingestion lexicon (``data/boilerplate.yaml``), loaded once and compiled."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from eventfuse.errors import ConfigError
from eventfuse.yamlfile import load_yaml

DATA_FILE = "boilerplate.yaml"


@dataclass(frozen=True, slots=True)
class Lexicon:
    furniture_lines: tuple[re.Pattern[str], ...]
    # One pattern matching a whole line where one of ``furniture_lines`` does (their
    # alternation; None when they do not combine): one match per line instead of one a pattern.
    furniture_any: re.Pattern[str] | None
    post_credit_lines: tuple[re.Pattern[str], ...]
    post_credit_marker: str
    post_like_lines: tuple[re.Pattern[str], ...]
    post_max_line_chars: int
    post_wide_gap: int
    post_date_formats: tuple[str, ...]
    header_keys: frozenset[str]
    header_date_prefix: re.Pattern[str]
    header_dated_lines: re.Pattern[str]
    header_byline: re.Pattern[str]
    header_scan_lines: int
    title_max_words: int
    title_max_chars: int
    tracking_params: tuple[str, ...]
    skip_files: tuple[str, ...]


@functools.cache
def get_lexicon() -> Lexicon:
    """The packaged lexicon; a malformed data file is a :class:`ConfigError`."""
    raw = resources.files("eventfuse").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    try:
        return _build(load_yaml(raw))
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"{DATA_FILE}: {exc}") from exc


def _build(data: dict[str, Any]) -> Lexicon:
    return Lexicon(
        furniture_lines=_whole_line_patterns(data["furniture_lines"]),
        furniture_any=_alternation(data["furniture_lines"]),
        post_credit_lines=_whole_line_patterns(data["post_credit_lines"], ignore_case=False),
        post_credit_marker=str(data.get("post_credit_marker", "")),
        post_like_lines=_whole_line_patterns(data["post_like_lines"]),
        post_max_line_chars=int(data["post_max_line_chars"]),
        post_wide_gap=int(data["post_wide_gap"]),
        post_date_formats=tuple(str(f) for f in data["post_date_formats"]),
        header_keys=frozenset(str(k).lower() for k in data["header_keys"]),
        header_date_prefix=re.compile(str(data["header_date_prefix"]), re.IGNORECASE),
        header_dated_lines=_whole_line_patterns([data["header_dated_lines"]])[0],
        header_byline=re.compile(str(data["header_byline"])),
        header_scan_lines=int(data["header_scan_lines"]),
        title_max_words=int(data["title_max_words"]),
        title_max_chars=int(data["title_max_chars"]),
        tracking_params=tuple(str(p).lower() for p in data["tracking_params"]),
        skip_files=tuple(str(p).lower() for p in data.get("skip_files", ())),
    )


def _whole_line_patterns(
    patterns: list[Any], ignore_case: bool = True
) -> tuple[re.Pattern[str], ...]:
    # Callers use ``fullmatch``: a pattern must span the whole (stripped) line.
    flags = re.IGNORECASE if ignore_case else 0
    return tuple(re.compile(str(p), flags) for p in patterns)


def _alternation(patterns: list[Any], ignore_case: bool = True) -> re.Pattern[str] | None:
    """One pattern that fullmatches a line where one of ``patterns`` does: each in a group of
    its own, so that ``fullmatch`` backtracks into the next when one does not span the line.
    None when they do not combine (a pattern's global inline flag, group names given twice)."""
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns),
                          re.IGNORECASE if ignore_case else 0)
    except re.error:
        return None

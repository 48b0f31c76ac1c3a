"""A large alternation pattern run only where one of its matches can start.

The count and time finders (quantities.py, times.py) are case-insensitive alternations of many
words behind a lookbehind that lets a match start only at a word's first character. Python's
``re`` tries every alternative at every such word: a tenth of the extraction rules' CPU on
gva-dev. Every alternative begins with a word (or a digit), so a match can start only at a word
that is one of those first words, or that begins with a digit: those words are found with one
cheap pattern and a set look-up, and the large pattern is tried only there. The matches are
``pattern.finditer``'s, in order (tests/test_wordscan.py compares them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_FIRST_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class WordScan:
    """``pattern`` (compiled with ``re.IGNORECASE``, opening with ``lookbehind``) and the
    lower-case first words of its alternatives; None when some alternative does not open
    with an ASCII word (then every position is tried, as ``finditer`` does)."""

    pattern: re.Pattern[str]
    starts: re.Pattern[str]  # the lookbehind, then a word
    firsts: frozenset[str] | None
    prefixes: tuple[str, ...] = ()  # one-word alternatives a word character may follow

    def matches(self, text: str) -> list[re.Match[str]]:
        """``list(pattern.finditer(text))``."""
        if self.firsts is None:
            return list(self.pattern.finditer(text))
        found: list[re.Match[str]] = []
        end = 0
        firsts, prefixes = self.firsts, self.prefixes
        for word in self.starts.finditer(text):
            start = word.start()
            if start < end:
                continue
            # a digit (any script: ``\d``), a word ``re`` may fold otherwise than ``str.lower``,
            # a first word of the alternatives, or one an open-ended alternative begins
            first = word.group()
            if not (first[0].isdigit() or not first.isascii()):
                lower = first.lower()
                if lower not in firsts and not lower.startswith(prefixes):
                    continue
            match = self.pattern.match(text, start)
            if match is None:
                continue
            if match.end() == start:  # an empty match: finditer's own stepping rules apply
                return list(self.pattern.finditer(text))
            found.append(match)
            end = match.end()
        return found


def word_scan(pattern: re.Pattern[str], lookbehind: str, alternatives: Iterable[str],
              open_ended: Iterable[str] = ()) -> WordScan:
    """The scan of ``pattern``, whose every match opens with one of ``alternatives`` (literal
    phrases, written as in the pattern before escaping, each followed there by a non-word
    character: a space, a hyphen, ``\b``), with one of ``open_ended`` (phrases the pattern may
    follow by a word character: "today" also opens "todays") or with a digit."""
    firsts: set[str] | None = set()
    prefixes: list[str] = []
    for phrase, ended in [*((p, True) for p in alternatives), *((p, False) for p in open_ended)]:
        first = _FIRST_WORD.match(phrase)
        if first is None or not phrase.isascii() or firsts is None:
            firsts = None
            continue
        if not ended and first.end() == len(phrase):
            prefixes.append(phrase.lower())
        else:
            firsts.add(first.group().lower())
    starts = re.compile(rf"{lookbehind}\w+")
    return WordScan(pattern, starts, None if firsts is None else frozenset(firsts),
                    tuple(prefixes))

"""The word scan runs the count and time finders only where a match can start: its matches must
be ``finditer``'s, in order, on any text."""

import random
import re

import pytest

from eventfuse.extract import quantities, times
from eventfuse.extract.wordscan import WordScan, word_scan

_SENTENCES = [
    "At least 12 people were hurt and two others killed on Tuesday, March 3, 2020, police said.",
    "Between 40 and 50 protesters marched on Sunday; dozens were detained by mid-April.",
    "About a dozen houses burned last week; 3 weeks ago, some 1,200 fled midMarch.",
    "The 5-year-old was shot todays around 9 p.m. Fri. — earlier in the day, nearly 300 rallied.",
    "In 2019, no fewer than twenty-five thousand people gathered in excess of 10 times yesterday.",
    "Über 20 Menschen, ٣ killed, sept. 4th; the 4th of July; since January 2015 and until Monday.",
]


def _words(scan: WordScan) -> list[str]:
    assert scan.firsts is not None
    return [*scan.firsts, *scan.prefixes, "the", "police", "shot", "-", "$", "5", "12,000"]


@pytest.mark.parametrize("finder", [quantities._finder, times._finder])
def test_matches_are_finditers(finder: object) -> None:
    scan = finder()  # type: ignore[operator]
    assert isinstance(scan, WordScan) and scan.firsts is not None
    rng = random.Random(7)
    words = _words(scan)
    texts = list(_SENTENCES)
    for _ in range(300):  # the alternatives' words glued, spaced and punctuated at random
        parts = [rng.choice(words) + rng.choice(["", " ", "  ", "-", ", ", ".", "s "])
                 for _ in range(rng.randint(1, 12))]
        texts.append("".join(parts))
    for text in texts:
        want = [(m.start(), m.end()) for m in scan.pattern.finditer(text)]
        assert [(m.start(), m.end()) for m in scan.matches(text)] == want, text


def test_an_alternative_not_opening_with_a_word_scans_everywhere() -> None:
    pattern = re.compile(r"(?<!\w)(?:\$\d+|ten)", re.IGNORECASE)
    scan = word_scan(pattern, r"(?<!\w)", ["$", "ten"])
    assert scan.firsts is None
    assert [m.group() for m in scan.matches("paid $40, then ten")] == ["$40", "ten"]


def test_open_ended_alternative_matches_inside_a_longer_word() -> None:
    pattern = re.compile(r"(?<![\w-])(?:today|last week)", re.IGNORECASE)
    scan = word_scan(pattern, r"(?<![\w-])", ["last week"], ["today"])
    assert [m.group() for m in scan.matches("Todays news, last week")] == ["Today", "last week"]
    closed = word_scan(pattern, r"(?<![\w-])", ["last week", "today"])
    assert [m.group() for m in closed.matches("Todays news")] == []  # why open_ended exists

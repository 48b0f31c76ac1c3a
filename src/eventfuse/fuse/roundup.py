"""Roundup reports: an article whose headline counts several happenings ("a pair of shootings",
"one of 6 shootings overnight", "weekend shootings") tells a toll summed over them, not one
happening's. The consensus toll rule ``toll_roundup`` (fuse/consensus.py) lets such a report's
count of the hurt vote only when no other report of the event counts them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eventfuse.records import Article

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class RoundupWords:
    """fusion.yaml ``toll_roundup``: happening nouns whose plural after one of ``before`` (or a
    number) makes a headline a roundup's."""

    happenings: frozenset[str] = frozenset()
    before: frozenset[str] = frozenset()


def is_roundup_headline(title: str | None, words: RoundupWords) -> bool:
    """The headline counts several happenings: a plural happening noun right after a number or
    a word of ``words.before`` ("three shootings", "pair of shootings", "weekend shootings")."""
    tokens = _WORD.findall((title or "").lower())
    return any(
        w.endswith("s") and w[:-1] in words.happenings
        and (tokens[i - 1].isdigit() or tokens[i - 1] in words.before)
        for i, w in enumerate(tokens) if i > 0
    )


def roundup_articles(
    article_ids: Iterable[str], articles: Mapping[str, Article], words: RoundupWords
) -> frozenset[str]:
    """The ids among ``article_ids`` whose article's headline is a roundup's."""
    return frozenset(
        a for a in article_ids
        if a in articles and is_roundup_headline(articles[a].title, words)
    )

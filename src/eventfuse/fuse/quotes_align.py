"""Quote alignment: one speaker's one statement as rendered by different outlets.

Two renderings are one statement when they share enough content words, or when they come from
different articles reporting the same event (two translations of one audio message may share
few words). Every rendering is kept verbatim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from eventfuse.fuse.blocking import DisjointSet
from eventfuse.fuse.text import content_words, jaccard
from eventfuse.records import Quote, QuoteGroup


def quote_overlap(a: Quote, b: Quote) -> float:
    """Jaccard of the two renderings' content words."""
    return jaccard(content_words(a.text), content_words(b.text))


def align_quotes(
    quotes: Sequence[tuple[str, Quote]], min_overlap: float, same_event: bool = True
) -> tuple[QuoteGroup, ...]:
    """Group (article id, quote) pairs into statements, per speaker. With ``same_event`` the
    quotes come from one event, so one speaker's quotes in different articles are one occasion."""
    unique = sorted(
        {(article, q.text): (article, q) for article, q in quotes}.values(),
        key=lambda aq: (aq[0], aq[1].text),
    )
    by_speaker: dict[str, list[tuple[str, Quote]]] = defaultdict(list)
    for article, quote in unique:
        by_speaker[_speaker(quote)].append((article, quote))
    groups: list[QuoteGroup] = []
    for speaker in sorted(by_speaker):
        if not speaker:
            groups.extend(QuoteGroup(speaker=None, renderings=(q,)) for _, q in by_speaker[""])
            continue
        groups.extend(_statements(by_speaker[speaker], min_overlap, same_event))
    return tuple(groups)


def _speaker(quote: Quote) -> str:
    return (quote.speaker_canonical or quote.speaker or "").strip()


def _statements(
    items: list[tuple[str, Quote]], min_overlap: float, same_event: bool
) -> list[QuoteGroup]:
    keys = [str(i) for i in range(len(items))]
    sets = DisjointSet(keys)
    for i, (article_i, qi) in enumerate(items):
        for j in range(i + 1, len(items)):
            article_j, qj = items[j]
            cross_outlet = same_event and article_i != article_j
            if cross_outlet or quote_overlap(qi, qj) >= min_overlap:
                sets.union(keys[i], keys[j])
    out = []
    for members in sets.groups().values():
        renderings = tuple(items[int(m)][1] for m in sorted(members, key=int))
        out.append(QuoteGroup(speaker=_speaker(renderings[0]), renderings=renderings))
    return out

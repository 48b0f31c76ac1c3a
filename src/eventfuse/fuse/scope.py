"""Incremental fusion: read and fuse only what the new mentions can touch.

New mentions (in no stored event yet) pair only within their blocks: the same place block
within the date window, or the same story. The scope of a run is, in order:

1. the new mentions;
2. the stored mentions of their place blocks whose days come within the date window (or the
   wider principal-event gap, :func:`scope_days`) of a new mention of that block, or have no
   days (a new mention without days reads its whole block);
3. the articles of 1-2 and those published within those days of a new article (a story's
   reports without a shared place block), with their wire-copy families (the original up the
   chain, every copy of it): the articles whose stories the new ones can join or link;
4. every mention of those articles (an article's story is built from all its mentions);
5. the stored events holding any of 4, with all their members (an event is re-clustered whole
   or not at all);
6. the articles of 4-5, with the originals they copy (a copy counts as its original's outlet);
7. the votes of the outlets of 6 for their home regions, over every stored article of each
   (rule outlet_home: ``eventfuse.outlet_votes``), and the own votes of the articles of 6.

:func:`fuse_scope` runs :func:`eventfuse.fuse.fuse` on that scope alone: stories are clustered
among its articles and TF-IDF weights computed over its texts (only an outlet's home is learned
from the whole store, step 7), so the cost of a run follows the size of its neighbourhood, not
of the store. The scope is one function of a
:class:`ScopeSource`: read through the store's indexes or from every record in memory
(:class:`MemorySource`), it is the same, and so are the events. A store without events is
fused whole (a first run: every mention is new).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from eventfuse.blocks import place_block_key, span
from eventfuse.fuse import FusionResult, fuse
from eventfuse.fuse.config import load_config
from eventfuse.outlet_votes import OutletTable, outlet_key, outlet_table
from eventfuse.records import Article, Event, Mention
from eventfuse.settings import Options

# Place block -> the windows (ordinal days, inclusive, merged) its new mentions read, or None
# for the whole block.
Windows = Mapping[str, Sequence[tuple[int, int]] | None]


class ScopeSource(Protocol):
    """What the scope reads: a store (``eventfuse.store.Store``) or :class:`MemorySource`."""

    def unfused_mentions(self) -> list[Mention]: ...

    def mentions_in_blocks(self, windows: Windows) -> list[Mention]: ...

    def get_mentions(self, article_ids: Iterable[str] | None = None) -> list[Mention]: ...

    def mentions_by_id(self, mention_ids: Iterable[str]) -> list[Mention]: ...

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]: ...

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]: ...

    def copies_of(self, article_ids: Iterable[str]) -> list[str]: ...

    def articles_published_in(self, windows: Sequence[tuple[int, int]]) -> list[str]: ...

    def has_events(self) -> bool: ...

    def outlet_table(self, articles: Sequence[Article]) -> OutletTable: ...


@dataclass(frozen=True, slots=True)
class Scope:
    mentions: tuple[Mention, ...]
    articles: tuple[Article, ...]
    previous: tuple[Event, ...]  # the stored events of the scope, as stored
    outlets: OutletTable | None = None  # step 7


@dataclass(frozen=True, slots=True)
class ScopedFusion:
    scope: Scope
    result: FusionResult  # events of the scope only; events outside it are unchanged


def block_windows(mentions: Iterable[Mention], window_days: int) -> Windows:
    """What :func:`fusion_scope` step 2 reads of each place block for ``mentions``."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    whole: set[str] = set()
    for m in mentions:
        key, days = place_block_key(m), span(m)
        if key is None:
            continue
        if days is None:
            whole.add(key)
        else:
            spans[key].append((days[0] - window_days, days[1] + window_days))
    windows: dict[str, Sequence[tuple[int, int]] | None] = {k: None for k in whole}
    windows.update((k, _merged(found)) for k, found in spans.items() if k not in whole)
    return windows


def publication_windows(articles: Iterable[Article], window_days: int) -> list[tuple[int, int]]:
    """Ordinal days within ``window_days`` of each dated article's publication, merged."""
    days = [a.published.toordinal() for a in articles if a.published is not None]
    return _merged([(d - window_days, d + window_days) for d in days])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def in_windows(mention: Mention, windows: Windows) -> bool:
    """Does step 2 read ``mention``? (The store answers the same through its indexes.)"""
    key = place_block_key(mention)
    if key is None or key not in windows:
        return False
    spans = windows[key]
    days = span(mention)
    if spans is None or days is None:
        return True
    return any(days[0] <= hi and days[1] >= lo for lo, hi in spans)


def scope_days(options: Options) -> int:
    """How many days from a new mention fusion can join: the date window, or the wider gap
    within which one story's principal events join (``principal_day_gap``), whichever is more."""
    config = load_config(with_model=False)
    if config.principal_margin is None or config.principal_day_gap is None:
        return options.date_window_days
    return max(options.date_window_days, config.principal_day_gap)


def fusion_scope(
    source: ScopeSource, options: Options, unextracted: frozenset[str] = frozenset()
) -> Scope:
    """The records a fusion of ``source``'s new mentions reads (see the module's steps).

    ``unextracted``: stored articles a run has not extracted yet (its later slices); the
    scope is then what it would be had they not been stored yet, and it is read through the
    indexes even in a store without events (a whole read would hold every one of them)."""
    if unextracted:
        source = _Without(source, unextracted)
    new = source.unfused_mentions()
    if not new:
        return Scope((), (), ())
    if not unextracted and not source.has_events():
        articles = source.get_articles()
        return Scope(tuple(source.get_mentions()), tuple(articles), (),
                     source.outlet_table(articles))
    reach = scope_days(options)
    near = source.mentions_in_blocks(block_windows(new, reach))
    seeds = {m.article_id for m in (*new, *near)}
    # Story neighbours without a shared place block (an unlocated report of the same story):
    # the articles published within the date window of a new article.
    new_articles = source.get_articles(sorted({m.article_id for m in new}))
    seeds.update(source.articles_published_in(
        publication_windows(new_articles, reach)))
    families = _copy_families(source, seeds)
    mentions = {m.id: m for m in source.get_mentions(sorted(families))}
    previous = source.events_for_mentions(sorted(mentions))
    members = {i for e in previous for i in e.mention_ids} - set(mentions)
    mentions.update((m.id, m) for m in source.mentions_by_id(sorted(members)))
    wanted = _originals(source, {m.article_id for m in mentions.values()} | set(families))
    articles = [wanted[i] for i in sorted(wanted)]
    return Scope(
        tuple(mentions[i] for i in sorted(mentions)),
        tuple(articles),
        tuple(previous),
        source.outlet_table(articles),
    )


def _copy_families(source: ScopeSource, article_ids: set[str]) -> dict[str, Article]:
    """``article_ids`` with their originals (up the copy chain) and every copy of those."""
    found = _originals(source, article_ids)
    pending = sorted(found)
    while pending:
        copies = [i for i in source.copies_of(pending) if i not in found]
        found.update((a.id, a) for a in source.get_articles(copies))
        pending = sorted(copies)
    return found


def _originals(source: ScopeSource, article_ids: set[str]) -> dict[str, Article]:
    """``article_ids``' articles with the originals they copy, up every chain."""
    found: dict[str, Article] = {}
    pending = sorted(article_ids)
    while pending:
        read = source.get_articles(pending)
        found.update((a.id, a) for a in read)
        pending = sorted({a.copy_of for a in read if a.copy_of} - set(found))
    return found


def fuse_scope(
    source: ScopeSource,
    options: Options,
    lemmas: Mapping[str, frozenset[str]] | None = None,
    unextracted: frozenset[str] = frozenset(),
) -> ScopedFusion:
    """Fuse ``source``'s new mentions within their scope (``unextracted``: see
    :func:`fusion_scope`)."""
    with collector_frozen():
        scope = fusion_scope(source, options, unextracted)
        result = fuse(scope.mentions, scope.articles, scope.previous, options, lemmas=lemmas,
                      outlets=scope.outlets)
    return ScopedFusion(scope, result)


@contextmanager
def collector_frozen() -> Iterator[None]:
    """The objects alive before a fusion (a run's model, gazetteer and lexicons: millions)
    set aside by the cyclic collector while it runs: each full collection fusion's allocations
    set off walked every one of them (0.3-0.6 CPU s of a gva-dev fusion). What fusion leaves
    as garbage is collected as before; garbage older than it waits until it ends. Nothing is
    done when objects are frozen already (extraction's workers fork with the model frozen:
    unfreezing it here would unfreeze it for them)."""
    if gc.get_freeze_count():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    # Fewer, larger young collections: fusion builds records by the hundred thousand, few of
    # them garbage in cycles.
    gc.set_threshold(max(thresholds[0], _YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


_YOUNG_THRESHOLD = 20_000  # allocations between two young collections (CPython's default: 700)


class MemorySource:
    """A :class:`ScopeSource` over every record in memory: the scope's definition, which the
    store's indexed queries must match (and a full re-fusion's way to read it)."""

    def __init__(
        self, mentions: Sequence[Mention], articles: Sequence[Article], events: Sequence[Event]
    ) -> None:
        self._mentions = {m.id: m for m in mentions}
        self._articles = {a.id: a for a in articles}
        self._events = sorted(events, key=lambda e: e.id)
        self._owner = {i: e for e in self._events for i in e.mention_ids}
        self._by_article: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            self._by_article[m.article_id].append(m)

    def unfused_mentions(self) -> list[Mention]:
        return [m for m in self._mentions.values() if m.id not in self._owner]

    def mentions_in_blocks(self, windows: Windows) -> list[Mention]:
        return [m for _, m in sorted(self._mentions.items()) if in_windows(m, windows)]

    def get_mentions(self, article_ids: Iterable[str] | None = None) -> list[Mention]:
        if article_ids is None:
            return list(self._mentions.values())
        return [m for a in dict.fromkeys(article_ids) for m in self._by_article.get(a, ())]

    def mentions_by_id(self, mention_ids: Iterable[str]) -> list[Mention]:
        return [self._mentions[i] for i in sorted(set(mention_ids)) if i in self._mentions]

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]:
        owners = {self._owner[i].id: self._owner[i] for i in mention_ids if i in self._owner}
        return [owners[i] for i in sorted(owners)]

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        if ids is None:
            return list(self._articles.values())
        return [self._articles[i] for i in dict.fromkeys(ids) if i in self._articles]

    def copies_of(self, article_ids: Iterable[str]) -> list[str]:
        wanted = set(article_ids)
        return sorted(a.id for a in self._articles.values() if a.copy_of in wanted)

    def articles_published_in(self, windows: Sequence[tuple[int, int]]) -> list[str]:
        return sorted(a.id for a in self._articles.values() if a.published is not None and any(
            lo <= a.published.toordinal() <= hi for lo, hi in windows))

    def has_events(self) -> bool:
        return bool(self._events)

    def outlet_table(self, articles: Sequence[Article]) -> OutletTable:
        """The votes of every article held (as the store keeps them: the articles whose
        mentions it holds), for the outlets of ``articles``; and those ``articles``' own."""
        whole = outlet_table(list(self._mentions.values()), self._articles)
        outlets = {outlet_key(a) for a in articles}
        ids = {a.id for a in articles}
        return OutletTable(
            {o: votes for o, votes in whole.outlets.items() if o in outlets},
            {i: own for i, own in whole.articles.items() if i in ids},
        )


class _Without:
    """A :class:`ScopeSource` that hides some stored articles and their mentions: the store as
    it was before they were added (a run's slices not extracted yet)."""

    def __init__(self, source: ScopeSource, hidden: frozenset[str]) -> None:
        self._source = source
        self._hidden = hidden

    def _mentions(self, mentions: Iterable[Mention]) -> list[Mention]:
        return [m for m in mentions if m.article_id not in self._hidden]

    def _ids(self, ids: Iterable[str]) -> list[str]:
        return [i for i in ids if i not in self._hidden]

    def unfused_mentions(self) -> list[Mention]:
        return self._mentions(self._source.unfused_mentions())

    def mentions_in_blocks(self, windows: Windows) -> list[Mention]:
        return self._mentions(self._source.mentions_in_blocks(windows))

    def get_mentions(self, article_ids: Iterable[str] | None = None) -> list[Mention]:
        return self._mentions(self._source.get_mentions(article_ids))

    def mentions_by_id(self, mention_ids: Iterable[str]) -> list[Mention]:
        return self._mentions(self._source.mentions_by_id(mention_ids))

    def events_for_mentions(self, mention_ids: Iterable[str]) -> list[Event]:
        return self._source.events_for_mentions(mention_ids)

    def get_articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        if ids is not None:
            ids = self._ids(ids)
        return [a for a in self._source.get_articles(ids) if a.id not in self._hidden]

    def copies_of(self, article_ids: Iterable[str]) -> list[str]:
        return self._ids(self._source.copies_of(article_ids))

    def articles_published_in(self, windows: Sequence[tuple[int, int]]) -> list[str]:
        return self._ids(self._source.articles_published_in(windows))

    def has_events(self) -> bool:
        return self._source.has_events()

    def outlet_table(self, articles: Sequence[Article]) -> OutletTable:
        # The hidden articles are a run's later slices, not extracted yet: they hold no votes
        # (the store keeps none of an article until its mentions are stored).
        return self._source.outlet_table(articles)

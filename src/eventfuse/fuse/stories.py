"""Story clustering: which articles report one real-world story.

Two articles tell one story when their whole texts are alike: TF-IDF of content words, and
TF-IDF of the names they share (capitalised word sequences, the mentions' canonical actors,
place ids and dates), mixed by ``story.name_weight``. Candidate pairs come from an inverted
index over each article's most distinctive terms (so pairs grow with the articles that share a
rare term, not with the square of all articles); connected components of pairs at or above
``story.min_similarity`` are then split by average link, which keeps two similar stories
(two shootings in one city) apart where single link would chain them. Articles published more
than ``story.max_gap_days`` apart join only when their names alone are alike (a follow-up: an
arrest or a trial months later names the victim and the place again).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from eventfuse.fuse.text import content_words
from eventfuse.records import Article, Mention

# A capitalised sequence of two or more words ("Marcus Dell", "Peace and Quiet" stops at "and"),
# optionally with a middle initial: person, street and organisation names.
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:[A-Z]\.\s*)?[A-Z][a-z]+)+")


@dataclass(frozen=True, slots=True)
class StoryConfig:
    min_similarity: float  # average-link threshold (learned on ECB+ train topics)
    name_weight: float  # share of the name similarity in the article similarity
    max_gap_days: int  # published further apart: joined only as a follow-up
    follow_up_names: float  # name similarity that links a follow-up across any gap
    top_terms: int  # distinctive terms per article in the candidate index
    max_postings: int  # terms in more articles than this propose no pairs
    # Average link is dense inside a component: a larger one (similar stories chained) is first
    # split on stronger links, ``split_step`` higher at a time, until its parts are this small.
    max_component: int = 400
    split_step: float = 0.05


@dataclass(frozen=True, slots=True)
class _Profiles:
    text: csr_matrix  # unit TF-IDF rows of content words
    names: csr_matrix  # unit TF-IDF rows of names and mention keys
    days: npt.NDArray[np.float64]  # publication ordinal, NaN when unknown
    terms: tuple[tuple[Hashable, ...], ...]  # each article's most distinctive terms


def article_names(text: str) -> list[str]:
    """Capitalised multi-word names of ``text``, lower-cased."""
    return [" ".join(n.lower().split()) for n in _NAME.findall(text)]


def mention_keys(mention: Mention, unidentified: frozenset[str]) -> list[str]:
    """What an extracted mention adds to its article's names: actors, place ids, dates."""
    keys = [
        f"actor:{a.canonical.lower()}"
        for a in mention.actors
        if a.canonical and not a.generic and a.canonical.lower() not in unidentified
    ]
    keys += [
        f"place:{p.geonames_id}"
        for p in (mention.location, *mention.places)
        if p is not None and p.geonames_id is not None
    ]
    if mention.when is not None and mention.when.start is not None:
        keys.append(f"date:{mention.when.start.isoformat()}")
    return keys


def story_groups(
    articles: Sequence[Article],
    mentions: Sequence[Mention],
    config: StoryConfig,
    unidentified: frozenset[str] = frozenset(),
) -> list[list[str]]:
    """Groups of article ids, one per story (each sorted, sorted by first id)."""
    if not articles:
        return []
    profiles = _profiles(articles, mentions, config, unidentified)
    pairs = _candidate_pairs(profiles.terms, config.max_postings)
    similarity = _pair_similarity(profiles, pairs, config)
    kept = np.flatnonzero(similarity >= config.min_similarity).tolist()
    edges = [(*pairs[k], float(similarity[k])) for k in kept]
    groups = []
    for members in _bounded_components(range(len(articles)), edges, config):
        if len(members) == 1:  # a story of its own: no similarity to compute
            groups.append([articles[members[0]].id])
            continue
        for part in _average_link(_block_similarity(profiles, members, config), config):
            groups.append(sorted(articles[members[k]].id for k in part))
    return sorted(groups)


def text_similarity(articles: Sequence[Article]) -> Callable[[str, str], float]:
    """The whole-text similarity of two articles (by id) that story clustering reads: the
    cosine of their content words' TF-IDF (the title counted twice); 0 for an unknown id."""
    ordered = sorted({a.id: a for a in articles}.values(), key=lambda a: a.id)
    bags = [
        Counter(content_words(f"{a.title or ''}\n{a.title or ''}\n{a.text}")) for a in ordered
    ]
    text, _ = _tfidf(bags, 0)
    row = {a.id: k for k, a in enumerate(ordered)}

    def similarity(a: str, b: str) -> float:
        if a not in row or b not in row:
            return 0.0
        return float(text[row[a]].multiply(text[row[b]]).sum())

    return similarity


def _bounded_components(
    items: Iterable[int], edges: Sequence[tuple[int, int, float]], config: StoryConfig
) -> list[list[int]]:
    """Connected components of ``edges``; one larger than ``max_component`` is split again on
    its edges at least ``split_step`` stronger, until every part is small enough (or no edge
    is left, when its articles stand alone)."""
    out: list[list[int]] = []
    pending = [(sorted(items), list(edges), config.min_similarity)]
    while pending:
        members, inner, threshold = pending.pop()
        parent = {i: i for i in members}
        for i, j, _ in inner:
            a, b = _root(parent, i), _root(parent, j)
            if a != b:
                parent[max(a, b)] = min(a, b)
        parts: dict[int, list[int]] = defaultdict(list)
        for i in members:
            parts[_root(parent, i)].append(i)
        by_part: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        for edge in inner:
            by_part[_root(parent, edge[0])].append(edge)
        stronger = threshold + config.split_step
        for root, part in parts.items():
            if len(part) <= config.max_component:
                out.append(part)
            elif stronger > 1.0:
                out.extend([i] for i in part)
            else:
                kept = [e for e in by_part[root] if e[2] >= stronger]
                pending.append((part, kept, stronger))
    return sorted(out)


def _root(parent: dict[int, int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _profiles(
    articles: Sequence[Article],
    mentions: Sequence[Mention],
    config: StoryConfig,
    unidentified: frozenset[str],
) -> _Profiles:
    keys: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        keys[m.article_id].extend(mention_keys(m, unidentified))
    text_bags = [
        Counter(content_words(f"{a.title or ''}\n{a.title or ''}\n{a.text}")) for a in articles
    ]
    name_bags = [
        Counter([*article_names(f"{a.title or ''}\n{a.text}"), *keys.get(a.id, ())])
        for a in articles
    ]
    text, text_top = _tfidf(text_bags, config.top_terms)
    names, name_top = _tfidf(name_bags, config.top_terms)
    days = np.array(
        [a.published.toordinal() if a.published else np.nan for a in articles], dtype=float
    )
    # Content words propose pairs only among articles published near each other (each article is
    # filed under its period and the next, a period being max_gap_days): news per day, not the
    # whole archive, bounds the pairs. Names propose pairs across any gap (follow-ups).
    period = max(config.max_gap_days, 1)
    terms = tuple(
        (
            *(("t", w, b) for w in t for b in _periods(a.published, period)),
            *(("n", w) for w in m if not w.startswith(_PERIOD_KEYS)),
            *(("p", w, b) for w in m if w.startswith(_PERIOD_KEYS)
              for b in _periods(a.published, period)),
        )
        for a, t, m in zip(articles, text_top, name_top, strict=True)
    )
    return _Profiles(text, names, days, terms)


# A place id or a date is held by every article of a city or a day across the archive: like
# content words, they propose pairs only among articles published near each other (a follow-up
# months later is found by its people's and streets' names).
_PERIOD_KEYS = ("place:", "date:")


def _periods(published: dt.date | None, period: int) -> tuple[int | None, ...]:
    if published is None:
        return (None,)
    k = published.toordinal() // period
    return k, k + 1


def _tfidf(bags: Sequence[Counter[str]], top: int) -> tuple[csr_matrix, list[list[str]]]:
    """Unit-length sublinear TF-IDF rows, and each row's ``top`` heaviest terms."""
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    vocabulary = {w: k for k, w in enumerate(sorted(df))}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    heaviest: list[list[str]] = []
    for r, bag in enumerate(bags):
        weights = {
            w: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in bag.items()
        }
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        for w, v in weights.items():
            rows.append(r)
            cols.append(vocabulary[w])
            values.append(v / norm)
        heaviest.append(sorted(weights, key=lambda w: (-weights[w], w))[:top])
    matrix = csr_matrix((values, (rows, cols)), shape=(n, max(len(vocabulary), 1)))
    return matrix, heaviest


def _candidate_pairs(
    terms: Sequence[Iterable[Hashable]], max_postings: int
) -> list[tuple[int, int]]:
    index: dict[Hashable, list[int]] = defaultdict(list)
    for i, article_terms in enumerate(terms):
        for term in article_terms:
            index[term].append(i)
    # Each pair (i < j: postings are in article order, an article files a term once) as one
    # integer i * n + j, so the pairs of every posting are made, merged and sorted in numpy.
    n = len(terms)
    codes = [
        _pair_codes(len(members)) for members in index.values() if 1 < len(members) <= max_postings
    ]
    if not codes:
        return []
    postings = [
        np.asarray(m, dtype=np.int64) for m in index.values() if 1 < len(m) <= max_postings
    ]
    merged = np.unique(np.concatenate([
        p[a] * n + p[b] for p, (a, b) in zip(postings, codes, strict=True)
    ]))
    left, right = np.divmod(merged, n)
    return list(zip(left.tolist(), right.tolist(), strict=True))


@functools.cache
def _pair_codes(size: int) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.int_]]:
    """Positions (a, b), a < b, of every pair among ``size`` items."""
    a, b = np.triu_indices(size, k=1)
    return a, b


def _pair_similarity(
    profiles: _Profiles, pairs: Sequence[tuple[int, int]], config: StoryConfig
) -> npt.NDArray[np.float64]:
    if not pairs:
        return np.zeros(0)
    out = []
    index = np.array(pairs)
    for start in range(0, len(pairs), _CHUNK):  # in chunks: row copies of many pairs are big
        left = index[start : start + _CHUNK, 0]
        right = index[start : start + _CHUNK, 1]
        text = _row_dots(profiles.text, left, right)
        names = _row_dots(profiles.names, left, right)
        gap = np.abs(profiles.days[left] - profiles.days[right])
        out.append(_combine(text, names, gap, config))
    return np.concatenate(out)


_CHUNK = 20_000


def _row_dots(
    matrix: csr_matrix, left: npt.NDArray[np.int_], right: npt.NDArray[np.int_]
) -> npt.NDArray[np.float64]:
    return np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1), dtype=float).ravel()


def _block_similarity(
    profiles: _Profiles, members: Sequence[int], config: StoryConfig
) -> npt.NDArray[np.float64]:
    rows = np.array(members)
    text = (profiles.text[rows] @ profiles.text[rows].T).toarray()
    names = (profiles.names[rows] @ profiles.names[rows].T).toarray()
    days = profiles.days[rows]
    return _combine(text, names, np.abs(days[:, None] - days[None, :]), config)


def _combine(
    text: npt.NDArray[np.float64],
    names: npt.NDArray[np.float64],
    gap: npt.NDArray[np.float64],
    config: StoryConfig,
) -> npt.NDArray[np.float64]:
    w = config.name_weight
    similarity = (1 - w) * text + w * names
    with np.errstate(invalid="ignore"):
        apart = (gap > config.max_gap_days) & (names < config.follow_up_names)
    return np.where(apart, 0.0, similarity)


def _average_link(similarity: npt.NDArray[np.float64], config: StoryConfig) -> list[list[int]]:
    """Greedy average link over a small dense block: merge the two groups with the highest
    mean pair similarity while it reaches the threshold."""
    n = similarity.shape[0]
    sums = similarity.astype(float).copy()
    np.fill_diagonal(sums, 0.0)
    sizes = np.ones(n)
    active = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]
    while n > 1:
        average = sums / np.outer(sizes, sizes)
        average[~np.outer(active, active)] = -np.inf
        np.fill_diagonal(average, -np.inf)
        a, b = divmod(int(np.argmax(average)), n)
        if average[a, b] < config.min_similarity:
            break
        members[a].extend(members[b])
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        sizes[a] += sizes[b]
        active[b] = False
    return [members[i] for i in range(n) if active[i]]


def as_story_map(groups: Iterable[Sequence[str]]) -> dict[str, str]:
    """Article id -> story id (the smallest article id of its story)."""
    return {a: group[0] for group in groups for a in group}


def copies_joined(
    groups: Sequence[Sequence[str]], articles: Mapping[str, Article]
) -> list[list[str]]:
    """Groups with every wire copy in its original's group."""
    owner = {a: k for k, group in enumerate(groups) for a in group}
    parent = list(range(len(groups)))
    for a in articles.values():
        if a.copy_of and a.copy_of in owner and a.id in owner:
            parent[_find(parent, owner[a.id])] = _find(parent, owner[a.copy_of])
    merged: dict[int, list[str]] = defaultdict(list)
    for k, group in enumerate(groups):
        merged[_find(parent, k)].extend(group)
    return sorted(sorted(g) for g in merged.values())

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
import itertools
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
    # A story told by fewer articles joins the larger story it is most alike (1: never). In a
    # collection gathered around few happenings, each told by many outlets (ECB+'s topics), a
    # one- or two-article story is a report that strayed in its words, not a story of its own.
    min_articles: int = 1


@dataclass(frozen=True, slots=True)
class _Profiles:
    text: csr_matrix  # unit TF-IDF rows of content words
    names: csr_matrix  # unit TF-IDF rows of names and mention keys
    days: npt.NDArray[np.float64]  # publication ordinal, NaN when unknown
    terms: tuple[tuple[Hashable, ...], ...]  # each article's most distinctive terms


@dataclass(frozen=True, slots=True)
class ArticleTexts:
    """Content-word TF-IDF rows of articles and each row's heaviest terms: story clustering and
    the principal events' same-day join (:func:`text_similarity`) read the same rows of the
    same articles, computed once per fusion (:func:`article_texts`)."""

    articles: tuple[Article, ...]  # in row order
    matrix: csr_matrix
    heaviest: tuple[tuple[str, ...], ...]
    top: int  # terms kept per row in ``heaviest``


def article_texts(articles: Sequence[Article], top: int = 0) -> ArticleTexts:
    """:class:`ArticleTexts` of ``articles`` in order (the title counted twice)."""
    bags = [
        Counter(content_words(f"{a.title or ''}\n{a.title or ''}\n{a.text}")) for a in articles
    ]
    matrix, heaviest = _tfidf(bags, top)
    return ArticleTexts(tuple(articles), matrix,
                        tuple(tuple(h) for h in heaviest), top)


def _texts_of(
    articles: Sequence[Article], top: int, given: ArticleTexts | None
) -> tuple[csr_matrix, list[list[str]]]:
    """The rows of ``given`` when they are ``articles``' (as a copy: the caller's operations
    leave the shared rows as built), else computed."""
    # The same records (compared by identity first: cheap) or equal ones.
    if given is None or given.top < top or given.articles != tuple(articles):
        given = article_texts(articles, top)
    return given.matrix.copy(), [list(h[:top]) for h in given.heaviest]


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
    texts: ArticleTexts | None = None,
) -> list[list[str]]:
    """Groups of article ids, one per story (each sorted, sorted by first id). ``texts``:
    :func:`article_texts` of ``articles`` when already computed."""
    if not articles:
        return []
    profiles = _profiles(articles, mentions, config, unidentified, texts)
    pairs = _candidate_pairs(profiles.terms, config.max_postings)
    similarity = _pair_similarity(profiles, pairs, config)
    kept = np.flatnonzero(similarity >= config.min_similarity).tolist()
    edges = [(*pairs[k], float(similarity[k])) for k in kept]
    groups: list[list[int]] = []
    for members in _bounded_components(range(len(articles)), edges, config):
        if len(members) == 1:  # a story of its own: no similarity to compute
            groups.append(members)
            continue
        for part in _average_link(_block_similarity(profiles, members, config), config):
            groups.append([members[k] for k in part])
    groups = _small_stories_joined(groups, profiles, config)
    return sorted(sorted(articles[k].id for k in group) for group in groups)


def _small_stories_joined(
    groups: list[list[int]], profiles: _Profiles, config: StoryConfig
) -> list[list[int]]:
    """Each story of fewer than ``min_articles`` articles joins the story of at least that many
    whose articles it is most alike on average (the stories as clustered: the order of joins
    does not matter); one alike to none stays."""
    if config.min_articles <= 1:
        return groups
    large = [g for g in groups if len(g) >= config.min_articles]
    small = [g for g in groups if len(g) < config.min_articles]
    if not large or not small:
        return groups
    owner = np.full(profiles.days.shape[0], len(large))  # the large story of each article
    for k, story in enumerate(large):
        owner[story] = k
    sizes = np.array([len(story) for story in large], dtype=float)
    joined = [list(g) for g in large]
    alone = []
    for group in small:
        similarity = _similarity(profiles, np.array(group), slice(None), config)
        totals = np.bincount(owner, weights=similarity.sum(axis=0), minlength=len(large) + 1)
        averages = totals[: len(large)] / (sizes * len(group))
        best = int(np.argmax(averages))
        if averages[best] > 0.0:
            joined[best].extend(group)
        else:
            alone.append(group)
    return joined + alone


def text_similarity(
    articles: Sequence[Article], texts: ArticleTexts | None = None
) -> Callable[[str, str], float]:
    """The whole-text similarity of two articles (by id) that story clustering reads: the
    cosine of their content words' TF-IDF (the title counted twice); 0 for an unknown id.
    ``texts``: :func:`article_texts` of the articles sorted by id, when already computed."""
    ordered = sorted({a.id: a for a in articles}.values(), key=lambda a: a.id)
    text, _ = _texts_of(ordered, 0, texts)
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
    texts: ArticleTexts | None = None,
) -> _Profiles:
    keys: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        keys[m.article_id].extend(mention_keys(m, unidentified))
    name_bags = [
        Counter([*article_names(f"{a.title or ''}\n{a.text}"), *keys.get(a.id, ())])
        for a in articles
    ]
    text, text_top = _texts_of(articles, config.top_terms, texts)
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
    """Unit-length sublinear TF-IDF rows, and each row's ``top`` heaviest terms (ties by term).

    Every term of every bag at once in numpy, with the figures a term by term loop gives: each
    logarithm by ``math.log`` (once per count and per term of the vocabulary), each row's norm
    summed in the bag's order, the matrix built from the entries in that order."""
    n = len(bags)
    sizes = np.fromiter(map(len, bags), dtype=np.int64, count=n)
    words = [w for bag in bags for w in bag]
    counts = [c for bag in bags for c in bag.values()]
    df = Counter(words)
    vocabulary = sorted(df)
    column = {w: k for k, w in enumerate(vocabulary)}
    cols = np.fromiter(map(column.__getitem__, words), dtype=np.int64, count=len(words))
    idf = np.array([math.log((1 + n) / (1 + df[w])) + 1 for w in vocabulary], dtype=float)
    sublinear = {c: 1 + math.log(c) for c in set(counts)}
    tf = np.fromiter(map(sublinear.__getitem__, counts), dtype=float, count=len(counts))
    weights = tf * idf[cols]
    squares = (weights * weights).tolist()
    bounds = [0, *np.cumsum(sizes).tolist()]
    norms = [math.sqrt(sum(squares[a:b])) or 1.0 for a, b in itertools.pairwise(bounds)]
    rows = np.repeat(np.arange(n, dtype=np.int64), sizes)
    values = weights / np.repeat(np.asarray(norms, dtype=float), sizes)
    matrix = csr_matrix((values, (rows, cols)), shape=(n, max(len(vocabulary), 1)))
    return matrix, _heaviest(rows, cols, weights, bounds, vocabulary, top)


def _heaviest(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    bounds: list[int],
    vocabulary: list[str],
    top: int,
) -> list[list[str]]:
    """Each row's ``top`` terms by weight, heaviest first, ties by term (columns are in term
    order): one sort of every entry by (row, -weight, column)."""
    n = len(bounds) - 1
    if top <= 0 or not len(cols):
        return [[] for _ in range(n)]
    order = np.lexsort((cols, -weights, rows))
    position = np.arange(len(order)) - np.repeat(np.asarray(bounds[:-1]), np.diff(bounds))
    kept = order[position < top]
    terms = np.asarray(vocabulary, dtype=object)[cols[kept]].tolist()
    ends = np.cumsum(np.bincount(rows[kept], minlength=n)).tolist()
    return [terms[a:b] for a, b in itertools.pairwise([0, *ends])]


def _candidate_pairs(
    terms: Sequence[Sequence[Hashable]], max_postings: int
) -> list[tuple[int, int]]:
    """Pairs (i < j) of articles that file a term together, the terms filed by more than
    ``max_postings`` articles left out; sorted."""
    # Each term as an integer, each posting (term, article) in two arrays; a stable sort by term
    # keeps every posting list in article order (an article files a term once, so i < j).
    number: dict[Hashable, int] = {}
    filed = [number.setdefault(term, len(number)) for article in terms for term in article]
    if not filed:
        return []
    n = len(terms)
    by_term = np.asarray(filed, dtype=np.int64)
    order = np.argsort(by_term, kind="stable")
    articles = np.repeat(np.arange(n, dtype=np.int64),
                         np.fromiter(map(len, terms), dtype=np.int64, count=n))[order]
    sizes = np.bincount(by_term)
    starts = np.cumsum(sizes) - sizes
    # Each pair as one integer i * n + j, the posting lists of one size at a time in numpy.
    codes = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= max_postings)]).tolist():
        members = articles[starts[sizes == size][:, None] + np.arange(size)]
        a, b = _pair_codes(size)
        codes.append((members[:, a] * n + members[:, b]).ravel())
    if not codes:
        return []
    left, right = np.divmod(np.unique(np.concatenate(codes)), n)
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
    return _similarity(profiles, rows, rows, config)


def _similarity(
    profiles: _Profiles,
    rows: npt.NDArray[np.int_],
    columns: npt.NDArray[np.int_] | slice,
    config: StoryConfig,
) -> npt.NDArray[np.float64]:
    """The article similarity of ``rows`` to ``columns`` (a dense rows x columns block); a
    block of one set with itself slices the sparse profiles once."""
    text_rows, name_rows, day_rows = profiles.text[rows], profiles.names[rows], profiles.days[rows]
    if columns is rows:
        text_columns, name_columns, day_columns = text_rows, name_rows, day_rows
    else:
        text_columns = profiles.text[columns]
        name_columns = profiles.names[columns]
        day_columns = profiles.days[columns]
    text = (text_rows @ text_columns.T).toarray()
    names = (name_rows @ name_columns.T).toarray()
    gap = np.abs(day_rows[:, None] - day_columns[None, :])
    return _combine(text, names, gap, config)


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

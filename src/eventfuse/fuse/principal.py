"""One story, one happening: the principal events of a story's articles are joined.

Mention clustering keeps apart reports whose extracted places or dates disagree, and on local
news those fields are often the extractor's doubt: the suburb for the city, the hospital's town,
a street name read as a town abroad. Whole-article similarity (``fuse/stories.py``) is steadier
evidence. An article's principal event is the cluster its mentions say most about (dates,
places, actors, tolls); within a story, principal events of one compatible-type group dated
within ``principal_day_gap`` days (a week; the fusion window when unset) are one happening,
places set aside, when a pair of their reports from two articles scores at least a floor without
places and names no conflicting actors, and no article tells the two apart (a round-up's two
towns). Other events of an article (an earlier shooting it recalls, an arrest weeks later) are
left as they are; two kinds of happening on two days stay two (Monday's march, Tuesday's
arrests). With ``principal_undated``, an undated event of a story's article (its principal one;
with ``undated_follow_ups`` also "the shooting" a charge refers back to) joins the one dated
principal event of its story it links to.

gva-dev counts behind it (principal events of one story's articles, compatible types): dated
within a day of each other 321 pairs were one incident and 4 two, wherever they were placed;
2 to 7 days apart, 104 and 13; more than a week apart, 176 and 179 (hence the window).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from eventfuse.date_rules import DATE_RULES
from eventfuse.fuse.blocking import DisjointSet
from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.consensus import consensus_type, consensus_when
from eventfuse.fuse.features import MentionFeatures
from eventfuse.fuse.match import (
    distance_km,
    named_actors,
    place_blind_score,
    place_veto,
    same_actor,
    sibling_places,
)
from eventfuse.fuse.reconcile import anchor_members
from eventfuse.fuse.stories import article_names
from eventfuse.records import Article, Mention


def join_principals(
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    max_gap_days: int | None,
    linked: Callable[[MentionFeatures, MentionFeatures], bool | None] = lambda a, b: True,
    undated: Literal["", "principal", "all"] = "",
    date_rules: frozenset[str] = frozenset(DATE_RULES),
    named: NamedJoin | None = None,
    same_day: DayJoin | None = None,
    two_tolls: bool = False,
) -> list[tuple[str, ...]]:
    """``clusters`` with the principal events of each story's articles joined (see module);
    ``max_gap_days`` None leaves them as they are. ``undated`` "principal": an article's undated
    principal event joins the one dated principal event of its story it links to
    (:func:`_join_undated`); "all": any undated event of the article does. ``named``: principal
    events further apart than the gap still join when their articles share the story's own
    names (:func:`_join_named`). ``same_day``: principal events of two stories dated to one day
    join when their articles are alike (:func:`_join_same_day`). ``two_tolls``: one story's
    principal events of two days whose reports count the dead differently stay apart
    (:func:`_two_death_counts`). Sorted like ``cluster_mentions``' result."""
    if max_gap_days is None or len(clusters) < 2:
        return sorted(clusters)
    principal = _principal_clusters(clusters, features)
    days = {k: _day(clusters[k], features, date_rules) for k in set(principal.values())}
    kinds = {k: _kind(clusters[k], features) for k in set(principal.values())}
    by_story: dict[str, set[int]] = defaultdict(set)
    for article, k in principal.items():
        if days[k] is not None:
            by_story[_story_of(article, clusters[k], features)].add(k)
    joined = DisjointSet(str(k) for k in range(len(clusters)))
    dated = {k: d for k, d in days.items() if d is not None}
    span: dict[str, tuple[int, int]] = {}
    for members in by_story.values():
        # Two kinds of happening on two days are two (Monday's march, Tuesday's arrests).
        for gap, a, b in _story_pairs(members, clusters, features, dated, kinds, same_day=True):
            if gap > max_gap_days:
                break
            ra, rb = joined.find(str(a)), joined.find(str(b))
            if ra == rb:
                continue
            sa = span.get(ra, (dated[a], dated[a]))
            sb = span.get(rb, (dated[b], dated[b]))
            low, high = min(sa[0], sb[0]), max(sa[1], sb[1])
            if high - low > max_gap_days:  # no chain of near dates stretches a happening
                continue
            if two_tolls and gap > 0 and _two_death_counts(a, b, clusters, features):
                continue
            if not _clusters_link(a, b, clusters, features, linked):
                continue
            joined.union(ra, rb)
            span[joined.find(ra)] = (low, high)
    if named is not None:
        _join_named(clusters, features, principal, by_story, dated, kinds, joined, named)
    if same_day is not None:
        _join_same_day(clusters, features, principal, dated, kinds, joined, same_day, linked)
    if undated:
        if undated == "all":
            reports = sorted(
                {
                    (article, k)
                    for k, c in enumerate(clusters)
                    for article in {features[m].mention.article_id for m in c}
                    if _follow_up(k, principal[article], clusters, features)
                }
            )
        else:
            reports = sorted(principal.items())
        undated_reports = [
            (a, k) for a, k in reports
            if (days[k] if k in days else _day(clusters[k], features, date_rules)) is None
        ]
        _join_undated(clusters, features, undated_reports, by_story, kinds, joined, linked)
    merged = [
        tuple(sorted(m for k in group for m in clusters[int(k)]))
        for group in joined.groups().values()
    ]
    return sorted(merged)


@dataclass(frozen=True, slots=True)
class NamedJoin:
    """What ``join_principals`` needs to join one story's principal events across any gap."""

    # article id -> its names held by one story's articles (1) or by two stories' (2)
    names: Mapping[str, Mapping[str, int]]
    min_shared: int  # own names two articles of one story must share
    linked: Callable[[MentionFeatures, MentionFeatures], bool | None]  # blind to dates
    # names held by two stories only that two articles, one of each, must share; None: never
    min_shared_across: int | None = None


@dataclass(frozen=True, slots=True)
class DayJoin:
    """What ``join_principals`` needs to join two stories' principal events of one day."""

    similarity: Callable[[str, str], float]  # two articles' whole-text similarity, by id
    min_similarity: float  # at least this between an article of each


def _join_same_day(
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    principal: Mapping[str, int],
    dated: Mapping[int, int],
    kinds: Mapping[int, tuple[str, str]],
    joined: DisjointSet,
    day: DayJoin,
    linked: Callable[[MentionFeatures, MentionFeatures], bool | None],
) -> None:
    """Principal events of one kind in two stories, dated to one day, join when an article of
    each is alike as a whole text (``min_similarity``, below story clustering's threshold: two
    outlets telling one shooting in their own words), their places name no two regions of one
    country, and a pair of their reports links (rule ``principal_same_day``). Story clustering
    weighs the words alone; the day and the kind of happening are evidence it does not read."""
    articles: dict[int, list[str]] = defaultdict(list)
    for article, k in sorted(principal.items()):
        if k in dated:
            articles[k].append(article)
    by_day: dict[int, list[int]] = defaultdict(list)
    for k in sorted(articles):
        by_day[dated[k]].append(k)
    for members in by_day.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if joined.find(str(a)) == joined.find(str(b)):
                    continue
                if features[clusters[a][0]].group != features[clusters[b][0]].group:
                    continue
                if not _same_kind(kinds[a], kinds[b]) or _two_regions(a, b, clusters, features):
                    continue
                pairs = [(x, y) for x in articles[a] for y in articles[b]]
                if any(
                    _story_of(x, clusters[a], features) == _story_of(y, clusters[b], features)
                    for x, y in pairs
                ):
                    continue  # one story's: the principal join decided
                if max(day.similarity(x, y) for x, y in pairs) >= day.min_similarity:
                    _join_linked(a, b, clusters, features, joined, linked)


def _two_death_counts(
    a: int, b: int, clusters: Sequence[tuple[str, ...]], features: Mapping[str, MentionFeatures]
) -> bool:
    """Both clusters' reports give exact death counts, and none in common (rule
    ``principal_two_tolls``): two shootings of one city a few days apart, which one outlet's
    like words put in one story, told apart by their dead. Only across two days: one day's
    reports of one shooting disagree on the dead as the count rises."""

    def deaths(k: int) -> set[int]:
        return {
            q.low
            for m in clusters[k]
            for q in features[m].mention.quantities
            if q.kind == "killed" and q.high == q.low
        }

    da, db = deaths(a), deaths(b)
    return bool(da and db) and not da & db


def _two_regions(
    a: int, b: int, clusters: Sequence[tuple[str, ...]], features: Mapping[str, MentionFeatures]
) -> bool:
    """The two clusters' reports are placed in one country, and in no first-level region in
    common (a place abroad in local news is more often a misread name than a second place)."""

    def regions(k: int) -> set[tuple[str, str]]:
        places = (features[m].mention.location for m in clusters[k])
        return {(p.country.upper(), p.admin1) for p in places if p and p.country and p.admin1}

    ra, rb = regions(a), regions(b)
    countries = {c for c, _ in ra} & {c for c, _ in rb}
    return bool(countries) and not ra & rb


def story_names(
    articles: Iterable[Article], stories: Mapping[str, str]
) -> dict[str, dict[str, int]]:
    """Article id -> the capitalised names of its text (a victim, a suspect, a street) held by
    the articles of one story (1) or of two (2), with that number. A name many stories share
    (the police spokesman, the city) says nothing of which happening; one only a story's
    articles use is its own."""
    found = {a.id: frozenset(article_names(f"{a.title or ''}\n{a.text}")) for a in articles}
    owners: dict[str, set[str]] = defaultdict(set)
    for article, names in found.items():
        for name in names:
            owners[name].add(stories.get(article, article))
    return {
        article: {n: len(owners[n]) for n in names if len(owners[n]) <= 2}
        for article, names in found.items()
    }


def _shared(a: Mapping[str, int], b: Mapping[str, int], stories: int) -> int:
    """How many names held by ``stories`` stories ``a`` and ``b`` share."""
    return sum(1 for n, k in a.items() if k == stories and b.get(n) == stories)


def _join_named(
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    principal: Mapping[str, int],
    by_story: Mapping[str, set[int]],
    dated: Mapping[int, int],
    kinds: Mapping[int, tuple[str, str]],
    joined: DisjointSet,
    named: NamedJoin,
) -> None:
    """Principal events of one story, of one kind, dated further apart than the gap: the
    later one is often a follow-up's own day put on the happening ("arrested Monday in the
    fatal shooting"). When two of their articles share at least ``min_shared`` of the story's
    own names (the victim's, the street's: no other story's article holds them) and a pair of
    their reports links with dates set aside, they are one happening (rule
    ``principal_names``). Those names say who was involved better than the extracted doers
    (extraction makes the victim or an officer the doer), so two named doers do not refuse it."""
    articles: dict[int, list[str]] = defaultdict(list)
    for article, k in principal.items():
        articles[k].append(article)
    for members in by_story.values():
        for _, a, b in _story_pairs(members, clusters, features, dated, kinds, same_day=False):
            if joined.find(str(a)) == joined.find(str(b)):
                continue
            shared = max(
                _shared(named.names.get(x, {}), named.names.get(y, {}), 1)
                for x in articles[a]
                for y in articles[b]
            )
            if shared >= named.min_shared:
                _join_linked(a, b, clusters, features, joined, named.linked)
    if named.min_shared_across is not None:
        _join_across(clusters, features, principal, dated, kinds, joined, named)


def _join_across(
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    principal: Mapping[str, int],
    dated: Mapping[int, int],
    kinds: Mapping[int, tuple[str, str]],
    joined: DisjointSet,
    named: NamedJoin,
) -> None:
    """Two articles of two stories sharing ``min_shared_across`` names that only those two
    stories' articles hold (a follow-up months later that story clustering kept apart): their
    dated principal events of one kind join as ``_join_named``'s do."""
    holders: dict[str, list[str]] = defaultdict(list)
    for article in sorted(principal):
        for name, stories in named.names.get(article, {}).items():
            if stories == 2:
                holders[name].append(article)
    counts: Counter[tuple[str, str]] = Counter()
    for members in holders.values():
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                counts[(x, y)] += 1
    for (x, y), shared in sorted(counts.items()):
        a, b = principal[x], principal[y]
        if shared < (named.min_shared_across or 0) or a not in dated or b not in dated:
            continue
        if _story_of(x, clusters[a], features) == _story_of(y, clusters[b], features):
            continue
        if features[clusters[a][0]].group != features[clusters[b][0]].group:
            continue
        if _same_kind(kinds[a], kinds[b]) and joined.find(str(a)) != joined.find(str(b)):
            _join_linked(a, b, clusters, features, joined, named.linked)


def _story_pairs(
    members: Iterable[int],
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    dated: Mapping[int, int],
    kinds: Mapping[int, tuple[str, str]],
    same_day: bool,
) -> list[tuple[int, int, int]]:
    """(day gap, a, b) of a story's dated principal events of one type group, nearest first:
    of one kind, or (``same_day``) of any kinds on one day."""
    ordered = sorted(members)
    return sorted(
        (abs(dated[a] - dated[b]), a, b)
        for i, a in enumerate(ordered)
        for b in ordered[i + 1 :]
        if features[clusters[a][0]].group == features[clusters[b][0]].group
        and ((same_day and dated[a] == dated[b]) or _same_kind(kinds[a], kinds[b]))
    )


def _clusters_link(
    a: int,
    b: int,
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    linked: Callable[[MentionFeatures, MentionFeatures], bool | None],
) -> bool:
    """A pair of the reports of clusters ``a`` and ``b`` links and none is told apart."""
    links = [linked(features[x], features[y]) for x in clusters[a] for y in clusters[b]]
    return False not in links and True in links


def _join_linked(
    a: int,
    b: int,
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    joined: DisjointSet,
    linked: Callable[[MentionFeatures, MentionFeatures], bool | None],
) -> None:
    """Clusters ``a`` and ``b`` join when they link (:func:`_clusters_link`)."""
    if _clusters_link(a, b, clusters, features, linked):
        joined.union(str(a), str(b))


def _follow_up(
    k: int, principal: int, clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
) -> bool:
    """Event ``k`` of an article is its principal one, or the article's principal event is of
    another kind (a charge, a hearing: ``k`` is then the happening it refers back to). An
    article whose principal event is of ``k``'s kind already told ``k`` apart from it."""
    if k == principal:
        return True
    if features[clusters[k][0]].group != features[clusters[principal][0]].group:
        return True
    return not _same_kind(_kind(clusters[k], features), _kind(clusters[principal], features))


def _join_undated(
    clusters: Sequence[tuple[str, ...]],
    features: Mapping[str, MentionFeatures],
    undated: Sequence[tuple[str, int]],
    by_story: Mapping[str, set[int]],
    kinds: Mapping[int, tuple[str, str]],
    joined: DisjointSet,
    linked: Callable[[MentionFeatures, MentionFeatures], bool | None],
) -> None:
    """An undated event of one of a story's articles (a follow-up naming no day, "the
    shooting" a charge or a hearing refers back to) tells the story's happening when the
    story's dated principal events it links to (same kind, no article telling them apart) are
    one: it joins them. Linking to two (or none) says nothing of which; undated events are not
    joined to each other (gva-dev: one story's principal events with one side undated were one
    incident in 87 article pairs, two in 25; both undated, 5 and 25).
    ``undated``: (article, cluster index) of every undated cluster and article it cites."""
    for article, k in undated:
        kind = _kind(clusters[k], features)
        roots = set()
        for d in sorted(by_story.get(_story_of(article, clusters[k], features), ())):
            if features[clusters[d][0]].group != features[clusters[k][0]].group:
                continue
            if not _same_kind(kinds[d], kind):
                continue
            if _clusters_link(k, d, clusters, features, linked):
                roots.add(joined.find(str(d)))
        if len(roots) == 1:
            joined.union(str(k), roots.pop())


def principal_link(
    config: FusionConfig, window_days: int, floor: float, doers: bool = True,
    persons: bool = True,
) -> Callable[[MentionFeatures, MentionFeatures], bool | None]:
    """The pair test of ``join_principals``: False when one article tells the two reports
    apart (two days, two happenings of one sentence, or two places of one country within
    ``far_km``, and within ``principal_apart_km`` when set: a round-up's two towns), True
    when two articles' reports score at least ``floor`` with places set aside and name no
    conflicting actors (``doers``; named persons among them only with ``persons``), None
    otherwise.

    An article's two places further apart or in two countries do not tell its reports apart:
    on gva-dev, where a same-article place veto held apart two principal events of one story
    and one incident dated within three days, the two points lay over 500 km apart in 51 of 60
    such article pairs, and 12 more pairs had places in two countries."""

    def linked(a: MentionFeatures, b: MentionFeatures) -> bool | None:
        blind = place_blind_score(a, b, config, window_days)
        if a.mention.article_id == b.mention.article_id:
            if config.principal_two_kinds and a.mention.type != b.mention.type:
                return None  # a shooting and its arrest: two happenings of the one story
            places = a.mention.location, b.mention.location
            apart = blind.cannot_link or (
                bool(place_veto(a, b, config))
                and sibling_places(*places, config)
                and _within_apart_km(a.mention, b.mention, config)
                and not (config.principal_near_places and _one_scene(a.mention, b.mention, config))
            )
            return False if apart else None
        if doers and _other_doers(a, b, config, persons):
            return None  # who did it tells them apart
        return True if blind.score >= floor else None

    return linked


def _within_apart_km(a: Mention, b: Mention, config: FusionConfig) -> bool:
    """The places of one article's two reports lie within ``principal_apart_km`` of each other,
    or in two first-level regions (rule ``principal_apart_km``; None: any two
    ``sibling_places`` do). Further apart in one region (a state), one place is more often a
    misread name (a street or a surname read as a town elsewhere in the state) or the
    hospital's city than a round-up's second town; two provinces' cities, and two parts of one
    city on two days, still tell apart."""
    pa, pb = a.location, b.location
    if config.principal_apart_km is None or pa is None or pb is None:
        return True
    if not pa.admin1 or pa.admin1 != pb.admin1:
        return True
    km = distance_km(pa, pb)
    return km is None or km <= config.principal_apart_km


def _one_scene(a: Mention, b: Mention, config: FusionConfig) -> bool:
    """Two reports of one article placed within ``nearby_km`` of each other and not dated to
    two days (rule ``principal_near_places``): the scene's suburb and the hospital's city, a
    neighbourhood and its city, are one happening's places. A round-up's shootings of two
    neighbourhoods on two days still tell apart."""
    if a.location is None or b.location is None:
        return False
    km = distance_km(a.location, b.location)
    if km is None or km > config.nearby_km:
        return False
    days = {w.start for w in (a.when, b.when) if w is not None and w.start is not None}
    return len(days) <= 1


def _other_doers(
    a: MentionFeatures, b: MentionFeatures, config: FusionConfig, persons: bool = True
) -> bool:
    """Both reports name who acted, and no name is shared. Only the acting side: local news
    names victims, officers and witnesses in either role, and extraction swaps them. Without
    ``persons`` (rule ``principal_ignore_persons``) named persons are not counted at all:
    extraction makes the victim, an officer or a witness the doer as often; a state, an army
    or a group named as the doer still counts."""
    da, db = (_doers(f.mention, config, persons) for f in (a, b))
    return bool(da and db) and not any(same_actor(x, y) for x in da for y in db)


def _doers(mention: Mention, config: FusionConfig, persons: bool) -> set[str]:
    if persons:
        return named_actors(mention, config, role="actor")
    kept = replace(mention, actors=tuple(x for x in mention.actors if x.type != "person"))
    return named_actors(kept, config, role="actor")


def _principal_clusters(
    clusters: Sequence[tuple[str, ...]], features: Mapping[str, MentionFeatures]
) -> dict[str, int]:
    """Article id -> index of the cluster its mentions say most about (then the larger
    cluster, then the first)."""
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for k, cluster in enumerate(clusters):
        for mention_id in cluster:
            mention = features[mention_id].mention
            counts[mention.article_id][k] += _said(mention)
    return {
        article: min(per, key=lambda k: (-per[k], -len(clusters[k]), k))
        for article, per in counts.items()
    }


def _said(mention: Mention) -> int:
    """How much a mention says of its happening: itself, its date, place, actors, tolls."""
    dated = mention.when is not None
    placed = mention.location is not None
    return 1 + dated + placed + len(mention.actors) + len(mention.quantities)


def _story_of(
    article: str, cluster: tuple[str, ...], features: Mapping[str, MentionFeatures]
) -> str:
    return next(
        features[m].story for m in cluster if features[m].mention.article_id == article
    )


def _same_kind(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """One type, and one mode unless either has none."""
    return a[0] == b[0] and (not a[1] or not b[1] or a[1] == b[1])


def _kind(cluster: tuple[str, ...], features: Mapping[str, MentionFeatures]) -> tuple[str, str]:
    coded = consensus_type([features[m].mention for m in cluster])
    return coded.type, coded.mode or ""


def _day(
    cluster: tuple[str, ...], features: Mapping[str, MentionFeatures], date_rules: frozenset[str]
) -> int | None:
    """The day the cluster's event will be dated to (as reconciliation dates it)."""
    members, _ = anchor_members(
        sorted((features[m].mention for m in cluster), key=lambda m: m.id), date_rules
    )
    when, _ = consensus_when(members, date_rules)
    return when.start.toordinal() if when is not None and when.start is not None else None

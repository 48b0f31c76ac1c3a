"""Consensus values of an event: the best-supported, most precise version of each field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from eventfuse.date_rules import DATE_RULES
from eventfuse.fuse.config import FusionConfig
from eventfuse.geo import AMBIGUOUS_NOTE, haversine_km
from eventfuse.records import Actor, Anchor, Mention, Place, Quantity, When

TIME_RANK = {"day": 4, "week": 3, "month": 2, "year": 1, "unknown": 0}
GEO_RANK = {"point": 4, "region": 3, "admin1": 2, "country": 1, "unknown": 0}


def consensus_type(mentions: Sequence[Mention]) -> Mention:
    """The mention whose type (then mode) most mentions share: it lends the event its codes."""
    types = Counter(m.type for m in mentions)
    modes: Counter[tuple[str, str | None]] = Counter((m.type, m.mode) for m in mentions if m.mode)
    return min(
        mentions,
        key=lambda m: (-types[m.type], m.type, -modes[(m.type, m.mode)], m.mode or "~", m.id),
    )


# An undated article's relative date resolved against its estimated publication date.
ARTICLE_ANCHOR: Anchor = "fusion-article"


def is_derived(when: When) -> bool:
    """A date fusion gave a report ("fusion", "fusion-article"), not one the report gave."""
    return (when.anchor or "").startswith("fusion")


def consensus_when(
    mentions: Sequence[Mention], rules: frozenset[str] = frozenset(DATE_RULES)
) -> tuple[When | None, tuple[str, ...]]:
    """The absolute date most other reports overlap, then the most precise, then the widest
    (a report "into the early hours of Tuesday" covers one saying "Monday night"), with the
    articles whose dates support it. ``rules``: the DATE_RULES applied (``date_precise``: the
    date is chosen among the most precise ones given, the coarser only vote)."""
    dated = [m for m in mentions if m.when is not None and m.when.start is not None]
    # Dates fusion derived are used only when no report dates the event itself.
    known = [m for m in dated if m.when is not None and not is_derived(m.when)]
    dated = known or [m for m in dated if m.when is not None and m.when.anchor == ARTICLE_ANCHOR]
    candidates = _most_precise(dated) if "date_precise" in rules else dated
    if "date_first_report" in rules:
        dated = _not_after_first_report(dated, mentions)
        candidates = _not_after_first_report(candidates, mentions)
    voters = list({m.id: m for m in [*dated, *candidates]}.values())
    if not candidates:
        return None, ()

    def days(m: Mention) -> tuple[int, int]:
        assert m.when is not None and m.when.start is not None
        return m.when.start.toordinal(), (m.when.end or m.when.start).toordinal()

    # Each report's days once (by record: ranking every candidate reads every voter's).
    spans = {id(m): days(m) for m in (*voters, *candidates)}
    voting = [(o, *spans[id(o)]) for o in voters]

    def span(m: Mention) -> tuple[int, int]:
        return spans[id(m)]

    def support(m: Mention) -> list[Mention]:
        s, e = spans[id(m)]
        return [o for o, start, end in voting if start <= e and s <= end]

    def weight(m: Mention) -> int:
        agreeing = support(m)
        return len({o.article_id for o in agreeing}) if "date_by_report" in rules else len(agreeing)

    def rank(m: Mention) -> tuple[int, int, int, int, str]:
        assert m.when is not None
        s, e = span(m)
        return (-weight(m), -TIME_RANK.get(m.when.precision, 0), s - e, s, m.id)

    best = min(candidates, key=rank)
    return best.when, tuple(sorted({o.article_id for o in support(best)}))


def _most_precise(dated: Sequence[Mention]) -> list[Mention]:
    """The dated mentions of the finest precision given (days when any report gives a day). A
    month or year overlaps every day inside it, so as a candidate it outvoted two reports naming
    different days; it still votes for the days it holds. gva-dev: date exact 597 -> 601 of
    752 incidents (simulated on the fused events)."""
    top = max((TIME_RANK.get(m.when.precision, 0) for m in dated if m.when is not None),
              default=0)
    return [m for m in dated if m.when is not None and TIME_RANK.get(m.when.precision, 0) == top]


def first_reported(mentions: Sequence[Mention]) -> When | None:
    """The day the earliest of ``mentions``' reports was published, as fusion's estimate of an
    undated happening's day (anchor "fusion", the reports of that day in ``anchored_by``): a
    happening is reported after it happened, local news mostly that day or the next."""
    published = [m.published for m in mentions if m.published is not None]
    if not published:
        return None
    first = min(published)
    by = tuple(sorted({m.article_id for m in mentions if m.published == first}))
    return When("the day it was first reported", first, first, "day", anchor="fusion",
                anchored_by=by)


def _not_after_first_report(dated: list[Mention], mentions: Sequence[Mention]) -> list[Mention]:
    """The dated mentions starting no later than the day the event was first reported (all of
    them when none does, or no report's publication date is known): a happening is reported
    after it happened, so a later date belongs to what followed it."""
    published = [m.published for m in mentions if m.published is not None]
    if not published:
        return dated
    first = min(published)
    before = [m for m in dated if m.when is not None and m.when.start is not None
              and m.when.start <= first]
    return before or dated


def consensus_location(
    mentions: Sequence[Mention],
    rules: frozenset[str] = frozenset(DATE_RULES),
    nearby_km: float = 50.0,
    homes: Mapping[str, tuple[str, str]] | None = None,
) -> Place | None:
    """The reading most mentions share (its GeoNames id), the finer on ties, then (rule
    ``place_support``) the one the mentions' sentences also name among their other places, then
    (``sure_reading``) one its article settled over an ambiguous namesake, then
    (``near_reading``) the one most other readings lie within ``nearby_km`` of. With
    ``namesake_vote`` on, a reading its article left ambiguous votes for the reading other
    mentions give the same name without doubt. With ``outlet_outlier`` on and ``homes``
    (article id -> its outlet's home region, ``outlets.article_homes``), a town outside its
    outlet's home does not vote against another mention's town inside that home."""
    members = [m for m in mentions if m.location is not None]
    located = [m.location for m in members if m.location is not None]
    if not located:
        return None
    votes = [p.geonames_id for p in located]
    if "namesake_vote" in rules:
        votes = _namesake_votes(located)
    if "outlet_outlier" in rules and homes:
        votes = [None if _outlier(m, members, homes) else v for m, v in zip(members, votes,
                                                                            strict=True)]
    ids = Counter(v for v in votes if v is not None)
    # rule place_support: of equal readings, the one the mentions also name beside their own
    # (a sentence naming Memphis and the street "Maple Crest" read as a far town)
    named = Counter(
        i for m in mentions for i in {p.geonames_id for p in m.places} if i in ids
    ) if "place_support" in rules else Counter[int | None]()
    near = _near_readings(located, nearby_km) if "near_reading" in rules else {}
    return min(
        located,
        key=lambda p: (
            -(ids[p.geonames_id] if p.geonames_id is not None else 0),
            -GEO_RANK.get(p.precision, 0),
            -named[p.geonames_id],
            # rule sure_reading: then a reading its article settled over an ambiguous one
            "sure_reading" in rules and _ambiguous(p),
            # rule near_reading: then the reading the others cluster around (a town and its
            # neighbour beside a far one), before the name's spelling decides
            -near.get(id(p), 0),
            p.geonames_id is None,
            p.canonical or p.name,
        ),
    )


def _outlier(
    mention: Mention, members: Sequence[Mention], homes: Mapping[str, tuple[str, str]]
) -> bool:
    """``mention`` reads a town outside its outlet's home region while another member reads
    a town inside it (rule outlet_outlier: a street or neighbourhood read as a far town)."""
    home, place = homes.get(mention.article_id), mention.location
    if home is None or place is None or place.precision != "point" or _region(place) == home:
        return False
    return any(o is not mention and o.location is not None and o.location.precision == "point"
               and _region(o.location) == home for o in members)


def _region(place: Place) -> tuple[str, str] | None:
    return (place.country, place.admin1) if place.country and place.admin1 else None


def _near_readings(located: Sequence[Place], km: float) -> dict[int, int]:
    """Each pinned place (by object id) -> how many readings of other ids lie within ``km``."""
    pinned = [p for p in located if p.lat is not None and p.lon is not None]
    return {
        id(p): sum(
            1 for q in pinned
            if q.geonames_id != p.geonames_id
            and haversine_km(p.lat or 0.0, p.lon or 0.0, q.lat or 0.0, q.lon or 0.0) <= km
        )
        for p in pinned
    }


def _namesake_votes(located: Sequence[Place]) -> list[int | None]:
    """Each place's vote: its own id, or for an ambiguous reading ("ambiguous name; also
    Chester (US)") the id most sure readings of the same name share (rule namesake_vote)."""
    sure: dict[str, Counter[int]] = {}
    for place in located:
        if place.geonames_id is not None and not _ambiguous(place):
            sure.setdefault(_name_key(place), Counter())[place.geonames_id] += 1
    votes: list[int | None] = []
    for place in located:
        settled = sure.get(_name_key(place)) if _ambiguous(place) else None
        votes.append(min(settled, key=lambda i: (-settled[i], i)) if settled
                     else place.geonames_id)
    return votes


def _ambiguous(place: Place) -> bool:
    return place.note is not None and AMBIGUOUS_NOTE in place.note


def _name_key(place: Place) -> str:
    return (place.canonical or place.name).casefold()


def consensus_actors(mentions: Sequence[Mention], config: FusionConfig) -> tuple[Actor, ...]:
    """Every named actor per role (first mention by id lends the record); "Unidentified" only
    when no source names anyone in that role."""
    chosen: dict[tuple[str, str], Actor] = {}
    for m in sorted(mentions, key=lambda x: x.id):
        for actor in m.actors:
            chosen.setdefault((actor.role, (actor.canonical or actor.name).lower()), actor)
    named_roles = {role for (role, name) in chosen if not config.is_unidentified(name)}
    return tuple(
        actor
        for (role, name), actor in sorted(chosen.items())
        if role not in named_roles or not config.is_unidentified(name)
    )


# Kinds whose tied conflicting counts go to the highest: a count of the wounded is mostly
# partial where it is low (the victims one hospital took, the one in critical condition), while
# a high death toll is mostly another shooting's (a roundup). gva-dev, on top of the headline
# counts: injured 0.665 -> 0.673 with killed unchanged; both kinds to the highest: killed 0.746.
TIES_TO_HIGHEST = frozenset({"injured"})


def consensus_quantities(
    mentions: Sequence[Mention], rules: frozenset[str] = frozenset(DATE_RULES),
    roundups: frozenset[str] = frozenset(),
) -> tuple[Quantity, ...]:
    """Per kind: the common part of all ranges when they overlap; when they conflict, the range
    most reports agree with, ties to the lowest (the conservative convention of conflict
    datasets), for the injured to the highest (:data:`TIES_TO_HIGHEST`): one outlet's early or
    partial count does not outvote the others. ``rules``: the toll rules applied
    (``toll_died_later``, ``toll_silent_dead``, ``toll_later_no_death``, ``toll_silent_hurt``,
    ``toll_hurt_was_dead``, ``toll_roundup``, ``toll_headline_tie``; see the functions of those
    names). ``roundups``: the ids of articles whose headline counts several happenings
    (fuse/roundup.py)."""
    ordered = sorted(mentions, key=lambda x: x.id)
    if "toll_roundup" in rules and roundups:
        ordered = without_roundup_hurt(ordered, roundups)
    if "toll_silent_dead" in rules:
        ordered = silent_dead(ordered)
    if "toll_later_no_death" in rules:
        ordered = later_no_death(ordered)
    if "toll_died_later" in rules:
        ordered = died_later(ordered, rules)
    if "toll_silent_hurt" in rules:
        ordered = silent_hurt(ordered, rules)
    by_kind: dict[str, list[Quantity]] = {}
    for m in ordered:
        for q in m.quantities:
            by_kind.setdefault(q.kind, []).append(q)
    out = []
    for kind in sorted(by_kind):
        qs = by_kind[kind]
        low = max(q.low for q in qs)
        highs = [q.high for q in qs if q.high is not None]
        high = min(highs) if highs else None
        if high is None or low <= high:
            narrowest = min(qs, key=lambda q: (_width(q), q.low))
            out.append(Quantity(narrowest.kind, low, high, narrowest.text, narrowest.evidence))
        else:
            out.append(_most_supported(
                qs, highest=kind in TIES_TO_HIGHEST,
                headline_first=kind in TIES_TO_HIGHEST and "toll_headline_tie" in rules))
    if "toll_hurt_was_dead" in rules:
        return hurt_was_dead(tuple(out), ordered, mentions)
    return tuple(out)


ZERO = Quantity("killed", 0, 0, "")

# The texts of the votes the toll rules add for a report's silence ("no one hurt told beside
# '2 dead'"): told by no headline or sentence of the report.
SILENT_VOTES = ("no one hurt told beside", "no death told beside")


def without_roundup_hurt(mentions: Sequence[Mention], roundups: frozenset[str]) -> list[Mention]:
    """``toll_roundup``: the reports of articles in ``roundups`` (a headline counting several
    happenings: "a pair of shootings", "weekend shootings") keep their count of the hurt only
    when no other report of the event counts the hurt. A roundup sums the hurt of all its
    shootings ("2 dead, 3 hurt in pair of shootings" beside a report of one of them telling
    three wounded); its deaths are mostly told one by one and keep their vote. gva-dev: injured
    581 -> 583 of 752 incidents (+2, -0; simulated on the fused events; the deaths too: killed
    +0, -2)."""
    if not any(q.kind == "injured" for m in mentions if m.article_id not in roundups
               for q in m.quantities):
        return list(mentions)
    return [
        replace(m, quantities=tuple(q for q in m.quantities if q.kind != "injured"))
        if m.article_id in roundups else m
        for m in mentions
    ]


def _killed(m: Mention) -> Quantity | None:
    return next((q for q in m.quantities if q.kind == "killed"), None)


def silent_dead(mentions: Sequence[Mention]) -> list[Mention]:
    """``toll_silent_dead``: when every death count of the event is open-ended (a death told by
    a noun without a number, "a homicide", "the murder": one or more), each report that counts
    the hurt and tells no death votes 0 dead. An open-ended death is often not this happening's
    (a city's homicide tally, a charge of murder for someone who lived) and otherwise stood
    unopposed: silence said nothing. A number anywhere ("one man died") keeps the rule out.
    gva-dev: killed 587 -> 599 of 752 incidents (simulated on the fused events)."""
    deaths = [q for m in mentions for q in m.quantities if q.kind == "killed"]
    if not deaths or any(q.high is not None for q in deaths):
        return list(mentions)
    out = []
    for m in mentions:
        hurt = next((q for q in m.quantities if q.kind == "injured"), None)
        if hurt is not None and _killed(m) is None:
            none = Quantity("killed", 0, 0, f"no death told beside {hurt.text!r}", hurt.evidence)
            m = replace(m, quantities=(*m.quantities, none))
        out.append(m)
    return out


def later_no_death(mentions: Sequence[Mention]) -> list[Mention]:
    """``toll_later_no_death``: a report published after every report of the event that tells
    a death, counting the hurt and telling no death, votes 0 dead. Later reports know more (a
    victim who died is told as dead from then on); a death only earlier reports told was mostly
    not this happening's (another shooting's, a charge of murder) or was corrected. gva-dev:
    killed 609 -> 617 of 752 incidents (+11, -3; simulated on the fused events)."""
    told = [m.published for m in mentions if (_killed(m) or ZERO).low > 0]
    if not told or any(p is None for p in told):
        return list(mentions)
    last = max(p for p in told if p is not None)
    out = []
    for m in mentions:
        hurt = next((q for q in m.quantities if q.kind == "injured"), None)
        if (hurt is not None and _killed(m) is None and m.published is not None
                and m.published > last):
            none = Quantity("killed", 0, 0, f"no death told beside {hurt.text!r}", hurt.evidence)
            m = replace(m, quantities=(*m.quantities, none))
        out.append(m)
    return out


def silent_hurt(mentions: Sequence[Mention], rules: frozenset[str]) -> list[Mention]:
    """``toll_silent_hurt``: a report that counts as many dead as the event (a number, not an
    open-ended death) and tells no one hurt votes 0 hurt. A lone report of one person hurt
    otherwise stood unopposed, and it was mostly the one who died, told before the death or
    by a report that did not know of it ("a toddler in critical condition"; the others: "the
    toddler has died"). gva-dev: injured 535 -> 547 of 752 incidents (+23, -11; simulated on the
    fused events; every report counting a death, whatever its count: +23, -12)."""
    if not any(q.kind == "injured" for m in mentions for q in m.quantities):
        return list(mentions)  # no one hurt told: nothing to outvote
    killed = next((q for q in consensus_quantities(mentions, rules - {"toll_silent_hurt"})
                   if q.kind == "killed"), None)
    if killed is None or killed.low == 0:
        return list(mentions)
    out = []
    for m in mentions:
        own = _killed(m)
        hurt = any(q.kind == "injured" for q in m.quantities)
        if own is not None and own.high is not None and own.low >= killed.low and not hurt:
            none = Quantity("injured", 0, 0, f"no one hurt told beside {own.text!r}", own.evidence)
            m = replace(m, quantities=(*m.quantities, none))
        out.append(m)
    return out


def died_later(mentions: Sequence[Mention], rules: frozenset[str]) -> list[Mention]:
    """``toll_died_later``: a report published before the first report telling a death, with
    fewer deaths than the event's count, counted among the hurt those who died later ("a boy
    in critical condition", then "the boy has died"): its injured count is lowered by the deaths
    it did not tell, so the event does not hold one victim twice (1 killed and 1 injured).
    gva-dev: injured 515 -> 524 of 752 incidents (simulated on the fused events; reports of the
    same day as the first death's, or every report, 519)."""
    told = [m.published for m in mentions
            if m.published is not None and (_killed(m) or ZERO).low > 0]
    if not told:
        return list(mentions)
    killed = next((q for q in consensus_quantities(mentions, rules - {"toll_died_later"})
                   if q.kind == "killed"), None)
    if killed is None:
        return list(mentions)
    first_death = min(told)
    out = []
    for m in mentions:
        own = _killed(m)
        unknown = killed.low - (own.low if own is not None else 0)
        if unknown > 0 and m.published is not None and m.published < first_death:
            m = replace(m, quantities=tuple(
                _lowered(q, unknown) if q.kind == "injured" else q for q in m.quantities
            ))
        out.append(m)
    return out


def hurt_was_dead(
    fused: tuple[Quantity, ...], votes: Sequence[Mention], reports: Sequence[Mention]
) -> tuple[Quantity, ...]:
    """``toll_hurt_was_dead``: an event of one death whose reports tie between one person hurt
    and no one hurt has no one hurt: the one hurt was the one who died, told before the death
    ("a teen in critical condition") or as the dead victim's wounds ("the badly wounded boy").
    Not when a report telling a death names the hurt one in its headline ("Teen dies, child
    injured": a headline does not tell one victim twice). The injured otherwise tie to the
    highest (:data:`TIES_TO_HIGHEST`). gva-dev: injured 566 -> 579 of 752 incidents (+16, -3;
    simulated on the fused events; without the headline exception +16, -7; with any number of
    deaths and hurt, a tie between N and N minus the dead: +25, -18). ``votes``: the reports as
    the other toll rules left them; ``reports``: as told."""
    killed = next((q for q in fused if q.kind == "killed"), None)
    injured = next((q for q in fused if q.kind == "injured"), None)
    if killed is None or injured is None or (killed.low, killed.high, injured.low,
                                             injured.high) != (1, 1, 1, 1):
        return fused
    for m in reports:
        hurt = next((q for q in m.quantities if q.kind == "injured"), None)
        if (hurt is not None and hurt.evidence is not None and hurt.evidence.end == 0
                and (_killed(m) or ZERO).low > 0):
            return fused  # the headline tells a death and someone hurt: two people
    hurt_votes = [q for m in votes for q in m.quantities if q.kind == "injured"]

    def support(n: int) -> int:
        return sum(1 for q in hurt_votes if q.low <= n and (q.high is None or n <= q.high))

    none = next((q for q in hurt_votes if q.high == 0), None)
    if none is None or support(0) < support(1):
        return fused
    return tuple(none if q.kind == "injured" else q for q in fused)


def _lowered(q: Quantity, by: int) -> Quantity:
    return replace(q, low=max(q.low - by, 0),
                   high=None if q.high is None else max(q.high - by, 0))


def _most_supported(
    qs: Sequence[Quantity], highest: bool = False, headline_first: bool = False
) -> Quantity:
    """Among conflicting ranges, the one most reports agree with (their ranges overlap it);
    ties go to the lowest range, the conservative convention (``highest``: the highest).
    ``headline_first`` (rule ``toll_headline_tie``): ties go first to the range more headlines'
    counts agree with: a headline sums up its own happening, while a body's count may hold the
    dead ("five people were shot") or a victim found later. gva-dev (injured, on top of the
    other toll rules): 583 -> 585 of 752 incidents (+9, -7; simulated on the fused events; for
    the dead, ties to a headline's count then the lowest: killed +5, -8)."""
    def agreeing(q: Quantity, among: Sequence[Quantity]) -> int:
        return sum(
            1 for o in among
            if (o.high is None or q.low <= o.high) and (q.high is None or o.low <= q.high)
        )
    headlines = [q for q in qs if _headline_count(q)] if headline_first else []
    return min(qs, key=lambda q: (-agreeing(q, qs), -agreeing(q, headlines),
                                  -q.low if highest else q.low, _width(q)))


def _headline_count(q: Quantity) -> bool:
    """A count a headline told (its evidence a zero-width span at the article's start), not a
    vote a toll rule added for a report's silence."""
    return (q.evidence is not None and q.evidence.start == 0 and q.evidence.end == 0
            and not q.text.startswith(SILENT_VOTES))


def _width(q: Quantity) -> float:
    return float("inf") if q.high is None else q.high - q.low


def combined_confidence(mentions: Sequence[Mention], independent_sources: int) -> float:
    """Reports agreeing independently raise confidence: 1 - prod(1 - c) over the best mention of
    each independent source, capped by the number of sources that agree."""
    best = sorted((m.confidence for m in mentions), reverse=True)[: max(independent_sources, 1)]
    remaining = 1.0
    for c in best:
        remaining *= 1.0 - min(max(c, 0.0), 1.0)
    return round(1.0 - remaining, 4)

"""Find the toponyms of a parsed article and pick where each reported happening took place.

spaCy's small model misses or splits many names ("Mazar-i-Sharif" -> "Mazar", "Andarab" as ORG), so
candidates come from two sides: NER entities (GPE/LOC/FAC) and a gazetteer scan over capitalized
token n-grams. Scan-only names must look like names (a proper noun, not inside a person's name, not
stoplisted) and, when short or foreign to the article's country, belong to a big enough place. The
article's country (the most frequent among confidently resolved places) then disambiguates the rest.
Thresholds and word lists live in ``data/places_rules.yaml``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal

from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token

from eventfuse.extract.gazetteer import (
    Candidate,
    Context,
    Gazetteer,
    KindFilter,
    abbreviations,
    demonym_places,
    folded_name,
    get_gazetteer,
    is_blocked,
    load_demonyms,
    load_rules,
    place_distance_km,
)
from eventfuse.extract.headline_parse import headline_doc
from eventfuse.nlp import (
    doc_text,
    entities,
    expanded_span,
    overlapping_entities,
    sentence_of,
    token_bounds,
    token_lowers,
    token_pos,
)
from eventfuse.records import Evidence, Place

Source = Literal["ner", "scan", "guarded"]  # guarded: a name spaCy tagged as ORG/PERSON/NORP

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_GUARDED_LABELS = frozenset({"ORG", "PERSON", "NORP"})


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A character span that may name a place, and how it was found."""

    start: int
    end: int
    text: str  # the name to look up (suffix such as "province" included)
    source: Source
    kind: KindFilter = None


# --- public API -----------------------------------------------------------------------------


def find_places(
    doc: Doc,
    article_id: str,
    *,
    demonyms: bool = False,
    sites: bool = False,
    embedded: bool = False,
    home: str | None = None,
    off: frozenset[str] = frozenset(),
    rejected: list[tuple[Place, str]] | None = None,
) -> list[Place]:
    """Every resolved toponym of ``doc`` in text order, each with its evidence span.

    Geoparsing corpora such as GeoWebNews count more mentions than an event's location needs:
    ``demonyms`` adds "Russian", "European"... as their country or region; ``sites`` pins streets
    and sites the gazetteer doesn't know at the article's most named town (without it they stay
    unpinned, precision "unknown", their text the address) and adds names the model tags as
    organizations or people that end in a kind of site ("Pinecrest Golf Club"); ``embedded`` adds
    big places inside organization names ("Heart Society of Canada"). ``home`` is the outlet's
    home region when the user's data names it: a country ("US") or first-level code ("US.FL");
    it settles names the article itself leaves open. ``off``: rule ids switched off
    (``PLACE_RULES``); ``rejected`` collects the readings a rule dropped or unpinned, with
    the rule's id, for the trace.
    """
    switch = _OFF.set(off)  # rules deep in the readings (postal_state) see the switches too
    try:
        return _find_places(doc, article_id, demonyms, sites, embedded, home, off, rejected)
    finally:
        _OFF.reset(switch)


_OFF: ContextVar[frozenset[str]] = ContextVar("eventfuse_places_off", default=frozenset())


def _find_places(
    doc: Doc,
    article_id: str,
    demonyms: bool,
    sites: bool,
    embedded: bool,
    home: str | None,
    off: frozenset[str],
    rejected: list[tuple[Place, str]] | None,
) -> list[Place]:
    gazetteer = get_gazetteer()
    scanned = _scan_candidates(doc, gazetteer, embedded)
    people = _person_words(doc)
    raw = _ner_candidates(doc) + scanned + _dateline_candidates(doc)
    raw += _site_candidates(doc) if sites else []
    merged = _merge(raw)
    if "person_shape" not in off:  # "Regina M. Talbot": the name's words are a person's
        people |= {folded_name(c.text) for c in merged if _person_shape(c, doc)}
    candidates = [c for c in merged if not _named_person(c, doc, people)]
    streets = [] if "street_pair" in off else [c for c in candidates if _street_pair(c, doc)]
    if "block_street" not in off:
        streets += [c for c in candidates if c not in streets and _block_street(c, doc)]
    if "site_name" not in off:  # kept as streets are, located at the article's town
        streets += [c for c in candidates if c not in streets and _site_name(c, doc, gazetteer)]
    candidates = [c for c in candidates if c not in streets]
    hint = _document_country(candidates, gazetteer, doc, off) or (
        home.split(".")[0] if home else None)
    read = _document_context(candidates, gazetteer, hint)
    homes = frozenset({home}) if home and "." in home else frozenset()

    def context_of(candidate: _Candidate) -> Context:
        # a name never vouches for its own reading ("Harlem" read as New York's at first)
        return read.without(folded_name(candidate.text), homes)

    first = _resolve_all(candidates, scanned, doc, article_id, hint, context_of, sites)
    # spatial coherence: read every name again beside the pins the others got the first time
    pins = [
        (folded_name(p.evidence.text), (p.lat, p.lon))
        for p in first
        if p.evidence and p.lat is not None and p.lon is not None
        if p.precision in ("point", "region") and p.geonames_id is not None
    ]

    regions = _regions_named(first, gazetteer, hint)
    if "pair_country" not in off:  # "DAYTON, OH": the region after a comma is named too
        for candidate in candidates:
            code = _region_after_comma(doc, candidate.end)
            if code is not None and code.split(".")[0] == hint:
                regions.setdefault(code, set()).add(code.lower())

    def coherent(candidate: _Candidate) -> Context:
        own = folded_name(candidate.text)
        base = context_of(candidate)
        near = {pin for name, pin in pins if name != own} | set(base.points)
        return Context(base.admin1_codes | _dominant_region(regions, own), tuple(near))

    places = _resolve_all(candidates, scanned, doc, article_id, hint, coherent, sites)
    if "compass_part" not in off:
        parts = _compass_parts(places, doc, gazetteer, hint, coherent)
        if rejected is not None:
            rejected.extend((p, "compass_part") for p, q in zip(places, parts, strict=True)
                            if q is not p)
        places = parts
    if "region_outlier" not in off:
        kept = _region_outliers(places, candidates, doc, gazetteer, hint, regions, sites)
        if rejected is not None:
            still = {id(p) for p in kept}
            rejected.extend((p, "region_outlier") for p in places if id(p) not in still)
        places = kept
    places.extend(_capital_phrases(doc, article_id, gazetteer, places))
    places = _settle_lists(sorted(places, key=_start), doc, gazetteer)
    if sites:  # a street's name is a place name there, located at the article's town
        places = _locate_unknown(sorted([*places, *(_street(c, article_id) for c in streets)],
                                        key=_start), doc)
    if demonyms:
        places.extend(_demonym_places(doc, article_id, gazetteer, places))
    return sorted(places, key=lambda p: p.evidence.start if p.evidence else 0)


def headline_region(title: str | None, off: frozenset[str] = frozenset()) -> str | None:
    """The one first-level region a headline names without doubt ("... - WXYZ News -
    Macon, GA", "Two shot in Macon, Ga."; rule headline_region): a region after a name's
    comma, a written abbreviation, or a place name whose best reading is a region's own name.
    The article's body is then read in that region (``find_places(home=...)``) as if the
    outlet's home region were known; None when the headline names none, or several."""
    if not title or not title.strip() or "headline_region" in off:
        return None
    doc = headline_doc(title)
    switch = _OFF.set(off)
    try:
        codes = {code for token in doc[1:] if token.text == ","
                 if (code := _region_after_comma(doc, token.idx)) is not None}
    finally:
        _OFF.reset(switch)
    gazetteer = get_gazetteer()
    for ent in entities(doc):
        code = abbreviations().get(ent.text)
        ranked = gazetteer.rank(ent.text) if ent.label_ == "GPE" and code is None else []
        if ranked and ranked[0][1].entry.kind == "admin1" and ranked[0][1].primary:
            code = ranked[0][1].entry.admin1_code
        if code is not None:
            codes.add(code)
    return next(iter(codes)) if len(codes) == 1 else None


def headline_place(
    title: str | None, article_id: str, off: frozenset[str] = frozenset()
) -> Place | None:
    """The finest pinned place a headline names ("Five shot at apartments - WXYZ News -
    Akron, Ohio"; rule headline_place), read in the headline's own region; its
    evidence a zero-width span at the article text's start holding the headline's words (as
    the victims' headline counts)."""
    if not title or not title.strip() or "headline_place" in off:
        return None
    places = [p for p in find_places(headline_doc(title), article_id, off=off,
                                     home=headline_region(title, off))
              if p.lat is not None and p.evidence is not None]
    if not places:
        return None
    best = min(places, key=lambda p: (-_RANK[p.precision], _start(p)))
    assert best.evidence is not None
    note = "; ".join(n for n in ("named in the headline", best.note) if n)
    return replace(best, note=note, evidence=Evidence(article_id, 0, 0, best.evidence.text))


def _regions_named(
    places: Sequence[Place], gazetteer: Gazetteer, hint: str | None
) -> dict[str, set[str]]:
    """First-level region code -> the folded names read inside it (or naming it) the first time,
    in the article's country."""
    codes = _admin1_by_name(gazetteer, hint)
    named: dict[str, set[str]] = {}
    for place in places:
        code = codes.get(place.admin1 or "")
        if place.evidence is not None and code is not None and place.precision != "unknown":
            named.setdefault(code, set()).add(folded_name(place.evidence.text))
    return named


@functools.lru_cache(maxsize=256)
def _admin1_by_name(gazetteer: Gazetteer, country: str | None) -> Mapping[str, str]:
    """First-level region name -> its code, in ``country``: a walk over every region of the
    gazetteer, once per country rather than once per article."""
    return {e.name: code for code, e in gazetteer.admin1_entries().items() if e.country == country}


# Rules of the geoparser that ``find_places(off=...)`` (and ``--ablate``) can switch off.
PLACE_RULES = {
    "region_outlier": "a name read as a small town outside the state the article's other "
    "names lie in (or abroad), with no region of its own after it, is a surname, street or "
    "neighbourhood, not that town (a surname read as an Oklahoma town in a Detroit story)",
    "postal_state": "two capitals after a name's comma that are a US state's postal code "
    "(\"DAYTON, OH (WXYZ)\", \"Macon, GA\") name that state, like \"Ky.\"",
    "headline_region": "the one first-level region the headline names (\"- WXYZ News - "
    "Macon, GA\", \"shot in Macon, Ga.\") is where the article's ambiguous names are "
    "read, as the outlet's home region would be",
    "agency_abroad": "a name before an agency word (\"Metro police\") names a local agency's "
    "town, in the article's country: its reading abroad is dropped",
    "pair_country": "a name with a first-level region after its comma (\"DAYTON, OH\", "
    "\"Macon, Ga.\") votes for that region's country as the article's, and the region counts "
    "as one the article names (region_outlier's dominant region)",
    "headline_place": "a happening with no place of its own, nor from the dateline, lead or "
    "article's towns, takes the finest place its headline names",
    "street_pair": "a name before a street word in the plural, or coordinated with a name "
    "before one (\"at Elm and Lancaster streets\"), is a street's, not a town",
    "alias_scan": "a lone word the scan found that is only an alternate name of a small town "
    "(\"Park\") is no place, in the article's country too",
    "street_corner": "a name coordinated with a named street (\"at Elm Street and "
    "Lancaster\", \"Lancaster and Elm Street\") is a street's, not a town",
    "block_street": "a name after \"block of\", \"intersection of\" or \"corner of\" (or "
    "coordinated with one: \"the corner of Elm and Lancaster\") is a street's, not a town",
    "site_name": "a name before a kind of site (\"the Fairview Apartments\", \"the Jamaica Breeze "
    "motel\") is part of the site's name, not a town; a lowercase site word straight after a "
    "big town's name leaves the town (\"a Houston motel\")",
    "pair_town": "a country's name before a first-level region's (\"Lebanon, Pa.\") is the "
    "town of that name in that region, when there is one",
    "dateline_abbrev": "a dateline may open with an abbreviated word and its period (\"MT. "
    "JULIET, Tenn. —\", \"FT. WORTH —\"), written out like \"Mt.\" elsewhere",
    "person_shape": "a one-word name written as a person's (before a middle initial and a "
    "surname, before a surname and \"Jr.\", after an initial, owning a relative: \"Clayton's "
    "grandmother\") is a person's, there and wherever the article repeats it",
    "namesake_state": "a town read without any support from the article's other names over "
    "a same-named town of another first-level region of its country (\"Albany\" alone) is "
    "noted as an ambiguous namesake, as one abroad is: fusion's place vote (namesake_vote, "
    "sure_reading) then takes another report's settled reading",
    "compass_part": "a compass word and a town (\"west Charlotte\", \"Central Seattle\") is a "
    "part of that town, unless the whole name is a place of its own near it (\"North Las "
    "Vegas\"); not a far hamlet of that name",
}


_COMPASS = frozenset({
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
    "central", "downtown", "uptown", "midtown",
})


def _compass_parts(
    places: Sequence[Place],
    doc: Doc,
    gazetteer: Gazetteer,
    hint: str | None,
    context_of: Callable[[_Candidate], Context],
) -> list[Place]:
    """"west Charlotte", "Central Seattle": a part of a town named by a compass word. Read as
    that town when the whole name is unknown, or known only as a far smaller place lying away
    from the town ("West Charlotte" the Vermont hamlet); a suburb of its own next to the town
    ("North Las Vegas", "West Allis") keeps its reading."""
    # the town is one the article names alone too, or a big one
    named = {p.geonames_id for p in places if p.geonames_id is not None}
    big = int(_rules()["scan"]["min_population_alias"])
    out: list[Place] = []
    for place in places:
        words = place.name.split(maxsplit=1)
        if place.evidence is None or len(words) < 2 or words[0].lower() not in _COMPASS:
            out.append(place)
            continue
        # the context of the whole name: its own pin (the hamlet) gives the town no vote
        whole = _Candidate(place.evidence.start, place.evidence.end, place.name, "scan")
        base = gazetteer.resolve(words[1], hint, None, None, context_of(whole))
        if (
            base is None or base.precision != "point" or base.lat is None
            or not (base.geonames_id in named or _people(base, gazetteer) >= big)
        ):  # "South Side" is no part of a small Turkish town "Side"
            out.append(place)
            continue
        if place.lat is not None and not _far_smaller(place, base, gazetteer):
            out.append(place)
            continue
        note = f"the {words[0].lower()} part of {base.canonical}"
        out.append(replace(base, name=place.name, note=note, evidence=place.evidence))
    return out


def _far_smaller(place: Place, town: Place, gazetteer: Gazetteer) -> bool:
    """``place`` is a far smaller place than ``town`` lying away from it (``compass_part``:
    over ``min_km`` away, ``population_ratio`` times fewer people)."""
    rules = _rules()["compass_part"]
    distance = place_distance_km(place, town)
    return (distance is not None and distance > float(rules["min_km"])
            and _people(place, gazetteer) * float(rules["population_ratio"])
            < _people(town, gazetteer))


def _people(place: Place, gazetteer: Gazetteer) -> int:
    """The population of the gazetteer entry ``place`` was read as (0 when unknown)."""
    return max((c.entry.population for c in gazetteer.candidates(place.canonical or place.name)
                if c.entry.geonames_id == place.geonames_id), default=0)


def _region_outliers(
    places: Sequence[Place],
    candidates: Sequence[_Candidate],
    doc: Doc,
    gazetteer: Gazetteer,
    hint: str | None,
    regions: Mapping[str, set[str]],
    sites: bool = False,
) -> list[Place]:
    """One level down from the country rule of ``_plausible``: in an article set in one
    first-level region, a name read as a town elsewhere must be a big town to be meant; a
    smaller namesake is more often a person's, a street's or a neighbourhood's name. Scan hits
    are dropped, names the model tags as places kept without a pin (their text the address);
    with ``sites`` every such name is kept unpinned (then located at the article's town)."""
    by_start = {c.start: c for c in candidates}
    codes = _admin1_by_name(gazetteer, hint)
    needed = int(_rules()["scan"]["min_population_outside_region"])
    kept: list[Place] = []
    for place in places:
        candidate = by_start.get(place.evidence.start) if place.evidence else None
        if candidate is None or not _outlier(candidate, place, doc, gazetteer, hint, needed):
            kept.append(place)
            continue
        own = folded_name(candidate.text)
        dominant = _dominant_region(regions, own)
        if not dominant or codes.get(place.admin1 or "") in dominant:
            kept.append(place)
        elif candidate.source == "ner" or sites:
            note = f"uncertain: a small town outside the article's region ({place.canonical}, " \
                f"{place.admin1 or place.country})"
            kept.append(Place(name=place.name, precision="unknown", note=note,
                              evidence=place.evidence))
    return kept


def _outlier(
    candidate: _Candidate, place: Place, doc: Doc, gazetteer: Gazetteer, hint: str | None,
    needed: int,
) -> bool:
    """``place`` is a name's reading as a small town with no region named after it."""
    # a town, or the vicinity of one ("near Broadway": a region around the Virginia town)
    town = place.precision == "point" or (place.precision == "region" and any(
        c.entry.kind == "city" and c.entry.geonames_id == place.geonames_id
        for c in gazetteer.candidates(place.canonical or "")))
    if hint is None or not town:
        return False
    if _region_after_comma(doc, candidate.end) is not None or candidate.start == 0:
        return False  # "Tuttle, Oklahoma": the article says which; a dateline is the article's
    population = max(
        (c.entry.population for _, c in gazetteer.rank(candidate.text, hint, candidate.kind)
         if c.entry.geonames_id == place.geonames_id),
        default=0,
    ) or _people(place, gazetteer)  # "West Philadelphia" read as a part of Philadelphia
    return population < needed


def _dominant_region(regions: Mapping[str, set[str]], own: str) -> frozenset[str]:
    """The first-level region most of the article's other names lie in, when one leads: the
    state a local story is set in settles its ambiguous town names ("Harlem" beside Clewiston
    and Fort Myers is Florida's)."""
    counts = sorted(((len(names - {own}), code) for code, names in regions.items()), reverse=True)
    if not counts or counts[0][0] == 0 or (len(counts) > 1 and counts[1][0] == counts[0][0]):
        return frozenset()
    return frozenset({counts[0][1]})


def _resolve_all(
    candidates: Sequence[_Candidate],
    scanned: Sequence[_Candidate],
    doc: Doc,
    article_id: str,
    hint: str | None,
    context_of: Callable[[_Candidate], Context],
    sites: bool,
) -> list[Place]:
    gazetteer = get_gazetteer()
    places: list[Place] = []
    for candidate in candidates:
        context = context_of(candidate)
        local = _pair_context(candidate, doc, context)
        place = _resolve(candidate, doc, article_id, gazetteer, hint, local)
        if place is not None and local is not context:
            place = _within_paired_region(place, local, gazetteer)
        if place is not None and place.precision == "unknown" and candidate.source == "ner":
            # "KABUL NEAR AIRPORT": an unknown NER span may hold known names, but not as its
            # last word ("Padre Island", "Bell Centre": the head names a kind of place)
            inner = [s for s in scanned if candidate.start <= s.start and s.end < candidate.end]
            found = [
                p for s in inner if (p := _resolve(s, doc, article_id, gazetteer, hint, local))
            ]
            if _site(candidate):  # "Sligo Town Hall": the site, located at the town it names
                named = [p for p in found if _primary_name(p.name, gazetteer)]
                places.append(_located_at(place, named[0]) if sites and named else place)
            else:
                places.extend(found or [place])
        elif place is not None:
            places.append(place)
    return places


def event_location(sent: Span, trigger: Token | None, places: Sequence[Place]) -> Place | None:
    """Where the happening reported in ``sent`` (around ``trigger``) took place, or None.

    Prefers a place attached by "in/at/across/near..." to the trigger or its clause, then the most
    specific place of the sentence; a country acting ("Pakistan provided air support") or owning
    ("Pakistan's spy chief") is a party, not the location.
    """
    scored: list[tuple[float, Place]] = []
    for place in places:
        evidence = place.evidence
        if evidence is None or not (sent.start_char <= evidence.start < sent.end_char):
            continue
        score = _location_score(sent, trigger, place)
        if score is not None:
            scored.append((score, place))
    if not scored:
        return None
    best = max(scored, key=lambda pair: pair[0])[1]
    # "people of Mazar-e-Sharif, in northern Afghanistan": the container names the finer place
    inside = [pair for pair in scored if _within(pair[1], best) and pair[1] is not best]
    return max(inside, key=lambda pair: pair[0])[1] if inside else best


def finer_place(
    place: Place, fallbacks: Sequence[Place | None], counties: bool = False
) -> Place:
    """``place`` or, when it is a first-level region or country (with ``counties``, also a
    county), the first of ``fallbacks`` (the dateline's, the lead's place) lying inside it: "in
    Virginia" under "SUFFOLK, Va." is Suffolk; "in Bexar County" beside San Antonio is San
    Antonio."""
    if place.precision in ("admin1", "country"):
        return next((f for f in fallbacks if f is not None and _within(f, place)), place)
    county = _county_code(place) if counties and place.precision == "region" else None
    if county is None:
        return place
    return next(
        (f for f in fallbacks if f is not None and f.precision == "point"
         and _town_county_code(f) == county),
        place,
    )


def _county_code(place: Place) -> str | None:
    """The second-level area code ("US.TX.029") of a place read as a county, else None."""
    return next(
        (c.entry.admin2_code for c in get_gazetteer().candidates(place.canonical or "")
         if c.entry.kind == "admin2" and c.entry.geonames_id == place.geonames_id
         and c.entry.country == place.country),
        None,
    )


def _town_county_code(place: Place) -> str | None:
    """The second-level area code of the county a town lies in, where the gazetteer knows it."""
    return next(
        (c.entry.admin2_code for c in get_gazetteer().candidates(place.canonical or "")
         if c.entry.kind == "city" and c.entry.geonames_id == place.geonames_id),
        None,
    )


def article_town(places: Sequence[Place]) -> Place | None:
    """The town the article names most often (its first mention; ties: the earlier town): where
    a local story is set when its dateline and lead name none."""
    counts: dict[int, list[Place]] = {}
    for place in places:
        if place.precision == "point" and place.geonames_id is not None:
            counts.setdefault(place.geonames_id, []).append(place)
    if not counts:
        return None
    return max(counts.values(), key=lambda named: (len(named), -_start(named[0])))[0]


_RANK = {"point": 4, "region": 3, "admin1": 2, "country": 1, "unknown": 0}


def _within(inner: Place, outer: Place) -> bool:
    """``inner`` is a finer place inside ``outer`` (a country or first-level region)."""
    if _RANK[inner.precision] <= _RANK[outer.precision] or inner.country != outer.country:
        return False
    if outer.precision == "country":
        return inner.country is not None
    return outer.precision == "admin1" and inner.admin1 is not None and inner.admin1 == outer.admin1


def _document_country(
    candidates: Sequence[_Candidate], gazetteer: Gazetteer, doc: Doc | None = None,
    off: frozenset[str] = frozenset(),
) -> str | None:
    """The article's country: most frequent among names whose reading doesn't depend on context.

    Towns and regions weigh 1, countries 0.5 (countries are often parties, not settings); a
    name with its region after the comma ("DAYTON, OH") votes for that region's country
    (rule pair_country).
    """
    votes: dict[str, float] = {}
    for candidate in candidates:
        code = abbreviations().get(candidate.text)
        if code is None and doc is not None and "pair_country" not in off:
            code = _region_after_comma(doc, candidate.end)
        if code is not None:  # "Ga.": a US state whatever else the article says
            votes[code[:2]] = votes.get(code[:2], 0.0) + 1.0
            continue
        if candidate.source != "ner" and " " not in folded_name(candidate.text):
            continue  # single-word scan hits are the ones that need the context
        ranked = gazetteer.rank(candidate.text, None, candidate.kind)
        if not ranked or is_blocked(candidate.text):
            continue
        top_score, top = ranked[0]
        confident = len(ranked) == 1 or top_score - ranked[1][0] >= 1.0
        if confident and top.entry.country:
            weight = 0.5 if top.entry.kind == "country" else 1.0
            votes[top.entry.country] = votes.get(top.entry.country, 0.0) + weight
    if not votes:
        return None
    (first, count), *rest = sorted(votes.items(), key=lambda kv: -kv[1])[:2]
    return None if rest and rest[0][1] == count else first


# --- document context -----------------------------------------------------------------------


def _confident(
    candidate: _Candidate, gazetteer: Gazetteer, hint: str | None
) -> Candidate | None:
    """The reading of ``candidate`` that needs no context: the only one, or far ahead."""
    ranked = gazetteer.rank(candidate.text, hint, candidate.kind)
    if not ranked or is_blocked(candidate.text):
        return None
    top_score, top = ranked[0]
    if len(ranked) == 1 or top_score - ranked[1][0] >= 1.0:
        return top
    return None


@dataclass(frozen=True, slots=True)
class _Readings:
    """What each name of the article says without doubt: (folded name, region code, pin)."""

    found: tuple[tuple[str, str | None, tuple[float, float] | None], ...]

    def without(self, own: str, extra: frozenset[str]) -> Context:
        """The context the other names give ``own`` (a folded name)."""
        codes = {code for name, code, _ in self.found if code and name != own}
        pins = tuple(pin for name, _, pin in self.found if pin and name != own)
        return Context(frozenset(codes) | extra, pins)


def _document_context(
    candidates: Sequence[_Candidate], gazetteer: Gazetteer, hint: str | None
) -> _Readings:
    """First-level regions the article names (states, "Ga." after a town, a county's state) and
    the pins of its towns read without doubt: the context that settles the ambiguous names."""
    found: list[tuple[str, str | None, tuple[float, float] | None]] = []
    for candidate in candidates:
        name = folded_name(candidate.text)
        code = abbreviations().get(candidate.text)
        if code is not None:
            found.append((name, code, None))
            continue
        if candidate.source == "scan" and " " not in name:
            continue  # a lone capitalized word found by the scan is the kind that needs context
        top = _confident(candidate, gazetteer, hint)
        if top is None or top.entry.kind in ("country", "feature"):
            continue
        entry = top.entry
        region = entry.admin1_code if hint is None or entry.country == hint else None
        pinned = entry.kind == "city" and entry.lat is not None and entry.lon is not None
        found.append((name, region, (entry.lat or 0.0, entry.lon or 0.0) if pinned else None))
    return _Readings(tuple(found))


def _pair_context(candidate: _Candidate, doc: Doc, context: Context) -> Context:
    """"Macon, Ga." / "Macon, Georgia": the region after the comma is the town's."""
    code = _region_after_comma(doc, candidate.end)
    return context if code is None else Context(frozenset({code}), context.points)


def _start(place: Place) -> int:
    return place.evidence.start if place.evidence else 0


_LIST_GAPS = frozenset({",", "or", "and", ", and", ", or", "/"})


def _settle_lists(places: list[Place], doc: Doc, gazetteer: Gazetteer) -> list[Place]:
    """A name right after "Tacoma, " that names Tacoma's own region is that region; a name listed
    with a first-level region ("California or Washington") takes its first-level reading."""
    settled: list[Place] = []
    text = doc_text(doc)  # spaCy builds Doc.text from the tokens: cached per Doc
    for place in places:
        previous = settled[-1] if settled else None
        if previous is not None and previous.evidence and place.evidence:
            gap = text[previous.evidence.end : place.evidence.start].strip()
            if _region_after_comma(doc, place.evidence.end) is None:  # not "Washington, D.C."
                place = _listed_reading(place, previous, gap, gazetteer)
        settled.append(place)
    return settled


def _listed_reading(place: Place, previous: Place, gap: str, gazetteer: Gazetteer) -> Place:
    if gap not in _LIST_GAPS or place.precision in ("admin1", "country") or not place.evidence:
        return place
    if previous.precision == "point" and gap == ",":
        wanted = previous.admin1  # "Tacoma, Washington"
    elif previous.precision == "admin1":
        wanted = None  # "California or Washington": any first-level region of that country
    else:
        return place
    for found in gazetteer.candidates(place.evidence.text):
        entry = found.entry
        if entry.kind != "admin1" or not found.primary or entry.country != previous.country:
            continue
        if wanted is None or entry.name == wanted:
            note = "read as a first-level region from the names beside it"
            return gazetteer.to_place(entry, place.name, place.evidence, note)
    return place


def _within_paired_region(place: Place, paired: Context, gazetteer: Gazetteer) -> Place:
    """"Bartow, Ga." with no town Bartow in Georgia: the county of that name there, if any."""
    (code,) = paired.admin1_codes
    region = gazetteer.admin1_entry(code)
    # "Lebanon, Pa.": a country's name before a region's is a town of that region (rule
    # pair_town); a country's reading is otherwise immune to the article's context
    country = place.precision == "country" and "pair_town" not in _OFF.get()
    if region is None or place.admin1 == region.name or not (
            place.precision == "point" or country):
        return place
    name = place.evidence.text if place.evidence else place.name
    towns = [
        c.entry
        for c in gazetteer.candidates(name)
        if c.entry.kind == "city" and c.entry.admin1_code == code
    ]
    if country:
        towns = [t for t in towns if t.country == region.country]
    if towns:  # "Parkland, Florida": the town of that name in Florida, however small
        town = max(towns, key=lambda e: e.population)
        return gazetteer.to_place(town, place.name, place.evidence, f"the {name} in {region.name}")
    if country:
        return place
    for suffix in _rules()["county_words"]:
        for found in gazetteer.candidates(f"{place.name} {suffix}"):
            entry = found.entry
            if entry.kind == "admin2" and entry.admin1_code == code:
                note = f"no town of that name in {region.name}: its {entry.name}"
                return gazetteer.to_place(entry, place.name, place.evidence, note)
    return place


def _region_after_comma(doc: Doc, end_char: int) -> str | None:
    span = expanded_span(doc, end_char - 1, end_char)
    if span is None or span.end + 1 >= len(doc) or doc[span.end].text != ",":
        return None
    following = doc[span.end + 1]
    code = abbreviations().get(following.text) or _postal_state(following)
    if code is not None:
        return code
    gazetteer = get_gazetteer()
    for size in (3, 2, 1):
        name = doc[span.end + 1 : span.end + 1 + size]
        if len(name) < size or not all(t.text[:1].isupper() for t in name):
            continue
        if _list_goes_on(doc, name.end):
            return None  # "Washington, New York and Boston": a list of places, not a pair
        regions = [
            c for _, c in gazetteer.rank(name.text) if c.entry.kind == "admin1" and c.primary
        ]
        if regions and regions[0].entry.admin1_code:
            return regions[0].entry.admin1_code
    return None


def _postal_state(token: Token) -> str | None:
    """"DAYTON, OH (WXYZ)", "- Macon, GA": two capitals after a name's comma that are a
    US state's postal code name that state (rule postal_state)."""
    word = token.text
    if len(word) != 2 or not (word.isalpha() and word.isupper()) or "postal_state" in _OFF.get():
        return None
    code = f"US.{word}"
    return code if get_gazetteer().admin1_entry(code) is not None else None


def _list_goes_on(doc: Doc, i: int) -> bool:
    """The words after a name continue a list of names ("and Boston", ", Chicago")."""
    if i + 1 >= len(doc):
        return False
    return doc[i].lower_ in ("and", "or", ",") and doc[i + 1].text[:1].isupper()


# --- people ---------------------------------------------------------------------------------


def _person_words(doc: Doc) -> frozenset[str]:
    """Folded words of the article's full PERSON names: "Price" of "Joe Price" is not Price,
    Utah. A one-word PERSON entity ("Abuja", "Nelson") is too often the model's guess at a town."""
    titles = _words("person_titles")
    words: set[str] = set()
    for ent in entities(doc):
        names = [t for t in ent if t.is_alpha and t.lower_ not in titles]
        if ent.label_ == "PERSON" and len(names) >= 2:
            words.update(folded_name(t.text) for t in names)
    return frozenset(words)


def _person_shape(candidate: _Candidate, doc: Doc) -> bool:
    """A one-word name written as a person's (rule person_shape): before a middle initial and
    a surname ("Regina M. Talbot"), before a surname and "Jr." ("Owen Pratt Jr."), after a
    given name's initial ("J. Hamilton"), or owning a relative ("Clayton's great-grandmother",
    ``kin_nouns``): its other mentions are the person's too."""
    span = expanded_span(doc, candidate.start, candidate.end)
    if span is None or len(span) != 1:
        return False
    i, n = span.start, len(doc)
    after = [t.text for t in doc[i + 1 : min(i + 4, n)]]
    if len(after) >= 2 and _initial(after[0]) and after[1][:1].isupper() and after[1].isalpha():
        return True
    if len(after) >= 2 and after[0][:1].isupper() and after[0].isalpha() and (
            after[1].rstrip(".").lower() in ("jr", "sr", "ii", "iii", "iv")):
        return True
    if i >= 1 and _initial(doc[i - 1].text) and (i < 2 or not _initial(doc[i - 2].text)):
        return True
    if after[:1] in (["'s"], ["’s"]):
        kin = [t.lower_ for t in doc[i + 2 : min(i + 8, n)] if t.lower_ not in ("great", "-")]
        return bool(kin) and kin[0] in _words("kin_nouns")
    return False


def _initial(text: str) -> bool:
    """"H.": a capital initial and its period."""
    return len(text) == 2 and text[0].isupper() and text[1] == "."


def _named_person(candidate: _Candidate, doc: Doc, people: frozenset[str]) -> bool:
    """A name written after a title ("Mr. Kelly", "Sgt. Bartow") or seen in a person's name
    elsewhere in the article; countries and multi-word names are spared."""
    span = expanded_span(doc, candidate.start, candidate.end)
    if span is None:
        return False
    titles = _words("person_titles")
    if span.start > 0 and doc[span.start - 1].lower_.rstrip(".") in titles:
        return True
    if len(span) == 1 and span[0].lower_.rstrip(".") in titles:
        return True  # "Officer Dale Brennan", "Trooper Ray Austin": a title, not a town
    if len(span) > 1 or folded_name(candidate.text) not in people:
        return False
    ranked = get_gazetteer().rank(candidate.text)
    top = ranked[0][1] if ranked else None
    return not (top and top.entry.kind in ("country", "admin1") and top.primary)


# --- unknown names and demonyms -------------------------------------------------------------


def _street(candidate: _Candidate, article_id: str) -> Place:
    evidence = Evidence(article_id, candidate.start, candidate.end, candidate.text)
    return Place(name=candidate.text, precision="unknown", note="a street's name",
                 evidence=evidence)


def _street_pair(candidate: _Candidate, doc: Doc) -> bool:
    """"at Elm and Lancaster streets", "near Market streets": a name before a street word in
    the plural, or coordinated with a name before one, is a street's (rule street_pair)."""
    span = expanded_span(doc, candidate.start, candidate.end)
    if span is None:
        return False
    if span.start >= 2 and doc[span.start - 1].lower_ in ("and", "&"):
        # "at Elm Street and Lancaster": coordinated with a named street (rule street_corner)
        head = doc[span.start - 2]
        if (head.lower_.rstrip(".") in _words("street_words") and head.text[:1].isupper()
                and "street_corner" not in _OFF.get()):
            return True
    if span.end >= len(doc):
        return False
    plural = _words("street_plurals")
    after = doc[span.end : span.end + 6]
    if after[0].lower_ in plural:
        return True
    if after[0].lower_ in ("and", "&"):  # "Elm and Lancaster streets"
        for token in after[1:]:
            if token.lower_ in plural:
                return True
            if token.lower_.rstrip(".") in _words("street_words") and token.text[:1].isupper():
                # "Lancaster and Elm Street" (rule street_corner)
                return "street_corner" not in _OFF.get()
            if not (token.text[:1].isupper() or token.like_num):
                return False
    return False


def _block_street(candidate: _Candidate, doc: Doc) -> bool:
    """"the 400 block of Toledo", "the intersection of Kingman and Elm": a name after an
    address noun and "of" (``block_nouns``), or coordinated with one, is a street's (rule
    block_street)."""
    span = expanded_span(doc, candidate.start, candidate.end)
    if span is None:
        return False
    i = span.start - 1
    while i >= 0 and doc[i].lower_ in _COMPASS:  # "the 1800 block of North Sorrel"
        i -= 1
    if i >= 1 and doc[i].lower_ in ("and", "&"):  # "the corner of Kingman and Elm"
        i -= 1
        while i >= 0 and (doc[i].text[:1].isupper() or doc[i].text == "."):
            i -= 1
    return i >= 1 and doc[i].lower_ == "of" and doc[i - 1].lower_ in _words("block_nouns")


def _site_name(candidate: _Candidate, doc: Doc, gazetteer: Gazetteer) -> bool:
    """"the Fairview Apartments", "the Jamaica Breeze motel": a name before a capitalized kind of
    site (``site_heads``), or before more capitalized words and a kind of site, is part of the
    site's name, not a town, unless it names a region, a country or a big town, where the site
    lies ("Madras High Court"). A lowercase site word straight after a name the gazetteer knows
    whole leaves the town ("their Riverside neighborhood", "a Houston motel"; rule site_name)."""
    span = expanded_span(doc, candidate.start, candidate.end)
    if span is None:
        return False
    end, limit = span.end, span.end + int(_rules()["site_name"]["max_words_between"])
    heads = _words("site_heads")
    sentence_end = sentence_of(doc[span.start]).end  # span.sent: its first token's sentence
    while end < sentence_end and end <= limit and _capitalized(doc[end]) and (
            doc[end].lower_ not in heads):
        end += 1
    if end >= sentence_end or end > limit or doc[end].lower_.rstrip(".") not in heads:
        return False
    if end == span.end and not doc[end].text[:1].isupper() and candidate.text in gazetteer:
        return False  # "their Riverside neighborhood"; not "the Jamaica Breeze motel"
    return not _big_place(candidate.text, gazetteer)


def _big_place(name: str, gazetteer: Gazetteer) -> bool:
    """The best reading of ``name`` is a region, a country or a town of at least
    ``site_name.min_population`` people."""
    ranked = gazetteer.rank(name)
    if not ranked:
        return False
    entry = ranked[0][1].entry
    return entry.kind != "city" or entry.population >= int(_rules()["site_name"]["min_population"])


def _site(candidate: _Candidate) -> bool:
    """"Orange Street", "Kencom bus stop": a name ending in a kind of site is an address."""
    words = candidate.text.lower().split()
    return len(words) > 1 and words[-1] in _words("site_heads")


def _locate_unknown(places: list[Place], doc: Doc) -> list[Place]:
    """A street, site or quarter the gazetteer doesn't know ("Orange Street", "Kencom bus stop")
    is located at the nearest town of its sentence, else the article's most named town, its
    name kept as the address."""
    # the article's first-level regions: a town outside them is a mention, not its setting
    regions = {p.admin1 for p in places if p.precision == "admin1" and p.admin1}
    towns: dict[int, list[Place]] = {}
    for level in ("point", "region", "admin1"):
        for place in places:
            inside = not regions or place.admin1 in regions
            if place.precision == level and place.geonames_id is not None and inside:
                towns.setdefault(place.geonames_id, []).append(place)
        if towns:
            break  # the finest level the article names
    if not towns:
        return places
    most = max(len(mentions) for mentions in towns.values())
    homes = [mentions[0] for mentions in towns.values() if len(mentions) == most]
    located = []
    for place in places:
        if place.precision != "unknown" or place.lat is not None:
            located.append(place)
            continue
        local = _same_sentence(doc, place, [t for m in towns.values() for t in m])
        home = min(local or homes, key=lambda town: _char_distance(town, place))
        where = "its sentence's" if local else "the article's most named"
        note = f"not in the gazetteer; located at {where} place, {home.canonical}"
        located.append(
            replace(
                place,
                canonical=home.canonical,
                country=home.country,
                admin1=home.admin1,
                lat=home.lat,
                lon=home.lon,
                precision="region",
                note=note,
            )
        )
    return located


def _same_sentence(doc: Doc, place: Place, towns: Sequence[Place]) -> list[Place]:
    def sentence(p: Place) -> int | None:
        if p.evidence is None:
            return None
        span = expanded_span(doc, p.evidence.start, p.evidence.end)
        return None if span is None else sentence_of(doc[span.start]).start

    own = sentence(place)
    return [t for t in towns if own is not None and sentence(t) == own]


def _primary_name(name: str, gazetteer: Gazetteer) -> bool:
    """The best reading of ``name`` is a place's own name, not an alternate ("Canal" is one of
    Violet, Louisiana's)."""
    ranked = gazetteer.rank(name)
    return bool(ranked) and ranked[0][1].primary


def _located_at(site: Place, town: Place) -> Place:
    """The site's name and evidence at the town's pin."""
    return replace(
        site,
        canonical=town.canonical,
        geonames_id=None,
        country=town.country,
        admin1=town.admin1,
        lat=town.lat,
        lon=town.lon,
        precision="region",
        note=f"a site named after {town.canonical}: located there",
    )


def _char_distance(a: Place, b: Place) -> int:
    return abs((a.evidence.start if a.evidence else 0) - (b.evidence.start if b.evidence else 0))


def _demonym_places(
    doc: Doc, article_id: str, gazetteer: Gazetteer, places: Sequence[Place]
) -> list[Place]:
    """"Russian", "South Korean", "Europeans": the country or region a demonym names."""
    taken = {i for p in places if p.evidence for i in range(p.evidence.start, p.evidence.end)}
    table = demonym_places()
    found = []
    i = 0
    while i < len(doc):
        for size in (2, 1):
            span = doc[i : i + size]
            if len(span) < size or not span[0].text[:1].isupper() or span.start_char in taken:
                continue
            target = table.get(folded_name(span.text))
            if target is None or _inside_longer_name(span):
                continue
            evidence = Evidence(article_id, span.start_char, span.end_char, span.text)
            place = _demonym_place(target, gazetteer, evidence)
            if place is not None:
                found.append(place)
                i += size - 1
                break
        i += 1
    return found


def _inside_longer_name(span: Span) -> bool:
    """"Italian Market", "German International School": a demonym opening a longer name."""
    return any(
        ent.label_ in ("ORG", "FAC", "LOC", "GPE")
        and ent.start <= span.start
        and span.end < ent.end
        for ent in entities(span.doc)
    )


def _demonym_place(
    target: tuple[str | None, str | None], gazetteer: Gazetteer, evidence: Evidence
) -> Place | None:
    country, name = target
    entry = gazetteer.country_entry(country) if country else None
    if entry is not None:
        return gazetteer.to_place(entry, evidence.text, evidence, "demonym")
    return gazetteer.resolve(name, evidence=evidence) if name else None


# --- rules ----------------------------------------------------------------------------------


@functools.cache
def _rules() -> Mapping[str, Any]:
    return load_rules()


@functools.cache
def _words(key: str, section: str | None = None) -> frozenset[str]:
    table = _rules()[section] if section else _rules()
    return frozenset(str(w).lower() for w in table[key])


# --- candidates -----------------------------------------------------------------------------


def _ner_candidates(doc: Doc) -> list[_Candidate]:
    found = []
    for ent in entities(doc):
        if ent.label_ not in _PLACE_LABELS:
            continue
        span = _strip_determiners(ent)
        if len(span) == 0:
            continue
        span = _with_suffix(span)
        found.append(_Candidate(span.start_char, span.end_char, span.text, "ner"))
    return found


def _dateline_candidates(doc: Doc) -> list[_Candidate]:
    """"ATLANTA (AP) —", "KABUL, Afghanistan —": the capitalized words opening the article, closed
    by the wire's mark, name where it was filed (the model often tags them ORG)."""
    words: list[Token] = []
    for token in doc[:5]:
        # "MT. JULIET, Tenn. —": the period of an abbreviated first word (rule dateline_abbrev)
        abbrev = (token.text == "." and len(words) == 1 and len(words[0]) <= 3
                  and not words[0].whitespace_ and "dateline_abbrev" not in _OFF.get())
        if not (token.is_alpha and token.is_upper) and not abbrev:
            break
        words.append(token)
    if not words or len(words) == len(doc):
        return []
    after = doc[words[-1].i + 1 : words[-1].i + 8].text[:24].lstrip(" ,")
    name = doc[words[0].i : words[-1].i + 1]
    closed = any(after.startswith(mark.strip()) for mark in _DATELINE_END) or (
        _region_after_comma(doc, name.end_char) is not None  # "ERIE, Pa. —"
    )
    if not closed or name.text not in get_gazetteer():
        return []
    return [_Candidate(name.start_char, name.end_char, name.text, "ner")]


def _site_candidates(doc: Doc) -> list[_Candidate]:
    """Entities the model calls organizations or people whose last word is a kind of site."""
    found = []
    for ent in entities(doc):
        if ent.label_ in _PLACE_LABELS:
            continue
        span = _strip_determiners(ent)
        if len(span) < 2 or not span[0].text[:1].isupper():
            continue
        candidate = _Candidate(span.start_char, span.end_char, span.text, "ner")
        if _site(candidate):
            found.append(candidate)
    return found


def _strip_determiners(span: Span) -> Span:
    """"the Ivory Coast's" -> "Ivory Coast": drop articles, possessives, stray punctuation."""
    doc, start, end = span.doc, span.start, span.end
    while start < end and (doc[start].lower_ in ("the", "a", "an") or doc[start].is_punct):
        start += 1
    while end > start and (
        doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct or doc[end - 1].is_lower
    ):
        end -= 1
    return doc[start:end]


def _with_suffix(span: Span) -> Span:
    """Extend "Panjshir" to "Panjshir province" when the next word fixes the kind."""
    doc = span.doc
    if span.end < len(doc):
        word = doc[span.end].lower_
        if word in _words("admin1_suffixes") or word in _words("city_suffixes"):
            return doc[span.start : span.end + 1]
    return span


def _scan_candidates(doc: Doc, gazetteer: Gazetteer, embedded: bool = False) -> list[_Candidate]:
    """Longest gazetteer names over capitalized token n-grams, one per starting token."""
    found: list[_Candidate] = []
    longest = min(int(_rules()["scan"]["max_tokens"]), gazetteer.max_name_words * 3)
    sentence_end = [0] * len(doc)  # token.sent walks the sentences on every call: once here
    for sent in doc.sents:
        sentence_end[sent.start : sent.end] = [sent.end] * len(sent)
    # Per-token arrays built once: an n-gram's text is a slice of the Doc's text, not a Span
    text, (starts, ends) = doc_text(doc), token_bounds(doc)
    # _capitalized per token, from the Doc's arrays (a Token object per word cost more)
    capital = [bool(alpha) and text[start].isupper()
               for alpha, start in zip(doc.to_array("IS_ALPHA").tolist(), starts, strict=True)]
    i = 0
    while i < len(doc):
        if not capital[i]:  # no name starts here (_longest_match's first test, without a call)
            i += 1
            continue
        end = _longest_match(text, starts, ends, capital, i, min(longest, sentence_end[i] - i),
                             gazetteer)
        if end is None:
            i += 1
            continue
        candidate = _vet_scan_hit(doc[i:end], embedded)
        if candidate is not None:
            found.append(candidate)
        i = end
    return found


def _longest_match(
    text: str, starts: Sequence[int], ends: Sequence[int], capital: Sequence[bool], i: int,
    longest: int, gazetteer: Gazetteer,
) -> int | None:
    """The end token of the longest capitalized n-gram from token ``i`` naming a place."""
    if not capital[i]:
        return None
    for end in range(i + longest, i, -1):
        if capital[end - 1] and _scan_name(gazetteer, text[starts[i] : ends[end - 1]]):
            return end
    return None


@functools.lru_cache(maxsize=1 << 16)
def _scan_name(gazetteer: Gazetteer, name: str) -> bool:
    """``name`` is in the gazetteer and not blocked (the same n-grams recur across articles)."""
    return name in gazetteer and not is_blocked(name)


def _capitalized(token: Token) -> bool:
    return token.is_alpha and token.text[0].isupper()


def _vet_scan_hit(span: Span, embedded: bool = False) -> _Candidate | None:
    """Keep a scan hit only if it reads as a name; ORG/PERSON/NORP entities only when exact."""
    if len(folded_name(span.text)) < int(_rules()["scan"]["min_chars"]) and not _curated_acronym(
        span
    ):
        return None
    if PROPN not in token_pos(span.doc)[span.start : span.end]:
        return None  # a capitalized common word ("Reports", a sentence-initial noun)
    named = _curated_acronym(span, ("country", "feature", "admin1"))  # "WALES"
    if _short_capitals(span) and not (named or _opens_dateline(span)):
        return None  # "SWAT", "WALB": an acronym or call sign, not Swat district
    if _glued_hyphen(span):
        return None  # "Shan" of "Shan-e-Mustafa": part of a longer hyphenated name
    source: Source = "scan"
    for ent in overlapping_entities(span.doc, span.start, span.end):
        if ent.label_ in _PLACE_LABELS:
            continue
        core = _strip_determiners(ent)
        exact = (core.start, core.end) == (span.start, span.end)
        # "Hindu Kush" holding a NORP "Hindu": the longer name explains the shorter tag
        covers = ent.label_ != "PERSON" and span.start <= core.start and core.end <= span.end
        if ent.label_ in _GUARDED_LABELS and (exact or covers):
            # "in Riverdale", "Boise, Idaho": the words around make the ORG/PERSON tag a slip
            source = "ner" if exact and _place_cue(span) else "guarded"
            continue
        if ent.label_ == "ORG" and core.start == span.start and _agency_after(span):
            # "the Dover Police Department": a public agency is named after its town
            source = "ner" if _primary_name(span.text, get_gazetteer()) else "guarded"
            continue
        if embedded and ent.label_ == "ORG" and _major_place(span.text):
            continue  # "Heart Society of Canada": Canada is named all the same
        return None  # part of a person's name, an organization, a date...
    span = _with_suffix(span)
    return _Candidate(span.start_char, span.end_char, span.text, source)


def _place_cue(span: Span) -> bool:
    """A locative word before the name ("in", "near", "outside") or a first-level region after
    its comma, and the name a place's own name."""
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    cued = before in _words("place_cues") or _region_after_comma(doc, span.end_char) is not None
    return (cued or _agency_after(span)) and _primary_name(span.text, get_gazetteer())


def _agency_after(span: Span) -> bool:
    """"Kingman police", "Dover Police Department": the name of a public agency's town."""
    doc = span.doc
    return span.end < len(doc) and doc[span.end].lower_ in _words("agency_words")


def _major_place(name: str) -> bool:
    """A country or first-level region under its own name, or a big town."""
    ranked = get_gazetteer().rank(name)
    if not ranked:
        return False
    top = ranked[0][1]
    if top.entry.kind in ("country", "admin1"):
        return top.primary
    return top.entry.population >= int(_rules()["scan"]["min_population_alias"])


def _opens_dateline(span: Span) -> bool:
    """"ERIE, Pa. —": the article's first words, or a name before its region's."""
    return span.start < 3 or _region_after_comma(span.doc, span.end_char) is not None


def _short_capitals(span: Span) -> bool:
    """One word of at most ``scan.max_acronym_chars`` capitals ("SWAT", "WALB")."""
    word = span.text.replace(".", "")
    longest = int(_rules()["scan"]["max_acronym_chars"])
    return len(span) == 1 and word.isupper() and len(word) <= longest


def _curated_acronym(span: Span, kinds: tuple[str, ...] = ("country", "feature")) -> bool:
    """"EU", "UAE": short capitals that name a country or curated region (not a town's code)."""
    if not span.text.replace(".", "").isupper():
        return False
    return any(c.primary and c.entry.kind in kinds for c in get_gazetteer().candidates(span.text))


def _glued_hyphen(span: Span) -> bool:
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.text == "-" and not span[-1].whitespace_:
        return True
    return before is not None and before.text == "-" and not before.whitespace_


def _merge(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, the longer winning (scanned "Mazar-i-Sharif" over "Mazar")."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.source != "ner", c.start))
    kept: list[_Candidate] = []
    # the kept spans' (start, end), sorted: disjoint, so their ends ascend too, and a candidate
    # overlaps one of them exactly when it overlaps the last starting before its end
    spans: list[tuple[int, int]] = []
    for candidate in ordered:
        before = bisect.bisect_left(spans, (candidate.end, -1)) - 1
        if before < 0 or spans[before][1] <= candidate.start:
            kept.append(candidate)
            bisect.insort(spans, (candidate.start, candidate.end))
    return sorted(kept, key=lambda c: c.start)


# --- resolution -----------------------------------------------------------------------------


def _resolve(
    candidate: _Candidate,
    doc: Doc,
    article_id: str,
    gazetteer: Gazetteer,
    hint: str | None,
    context: Context | None = None,
) -> Place | None:
    text = candidate.text
    if is_blocked(text):
        return None
    evidence = Evidence(article_id, candidate.start, candidate.end, text)
    code = abbreviations().get(text)
    region = gazetteer.admin1_entry(code) if code else None
    if region is not None:
        return gazetteer.to_place(region, text, evidence, "written abbreviation of the region")
    # rule namesake_state: a town its context did not settle over a namesake in another
    # state is noted ambiguous, so fusion's place vote lets another report's settled reading win
    gap = None if "namesake_state" in _OFF.get() else float(_rules()["namesake_state"]["max_gap"])
    place = gazetteer.resolve(text, hint, candidate.kind, evidence, context, gap)
    if place is None:
        return _unresolved(candidate, evidence)
    if not _plausible(candidate, place, hint, gazetteer) or _agency_abroad(candidate, doc, place,
                                                                           hint):
        if candidate.source != "ner":
            return None
        # spaCy says it is a place, the gazetteer only knows a small namesake elsewhere
        note = f"uncertain: only a small namesake known ({place.canonical}, {place.country})"
        return Place(name=text, precision="unknown", note=note, evidence=evidence)
    return _with_vicinity(place, doc, candidate)


def _agency_abroad(candidate: _Candidate, doc: Doc, place: Place, hint: str | None) -> bool:
    """"Metro police", "Summit police": a name before an agency word is the agency's town, and
    a local agency lies in the article's country; a town of that name abroad is not meant
    (rule agency_abroad)."""
    if hint is None or place.country in (None, hint) or place.precision == "country":
        return False
    if "agency_abroad" in _OFF.get():
        return False
    span = expanded_span(doc, candidate.start, candidate.end)
    return span is not None and _agency_after(span)


def _unresolved(candidate: _Candidate, evidence: Evidence) -> Place | None:
    """An NER place name the gazetteer doesn't know: kept, but without a pin."""
    if candidate.source != "ner" or not _looks_like_name(candidate.text):
        return None
    return Place(name=candidate.text, precision="unknown", note="not in the gazetteer",
                 evidence=evidence)


def _looks_like_name(text: str) -> bool:
    """Capitalized words (with "of", "and"...), no brackets: not "Free Trade Agreement (" debris."""
    words = text.split()
    return all(w[0].isupper() or w in ("of", "and", "the", "de", "al", "el") for w in words) and (
        not any(c in text for c in "()[]{}")
    )


def _plausible(candidate: _Candidate, place: Place, hint: str | None, gazetteer: Gazetteer) -> bool:
    """In the article's country, a country/curated feature, or a town big enough to be meant.

    A single word read outside the article's country must belong to a big place; NER-tagged
    names get a lower bar (spaCy already thinks they are places).
    """
    if place.precision == "country":
        return True
    if hint is not None and place.country == hint:
        return not _small_alias(candidate, place, gazetteer)
    ranked = gazetteer.rank(candidate.text, hint, candidate.kind)
    if not ranked:
        return False
    best = ranked[0][1]
    if place.precision == "region":
        # a curated feature, or a district abroad under a longer name ("Swat" alone is more
        # often the police unit than Pakistan's district)
        single = candidate.source != "ner" and " " not in folded_name(candidate.text)
        return best.entry.kind == "feature" or place.country is None or not single
    if candidate.source == "guarded":
        return False  # an ORG/PERSON reading outside the article's country: trust spaCy
    if place.precision == "admin1":
        return best.primary or candidate.source == "ner"
    scan = _rules()["scan"]
    big = best.entry.population >= int(scan["min_population_primary"])
    if candidate.source == "ner" or " " in folded_name(candidate.text):
        return big or (hint is None and best.primary)
    needed = scan["min_population_primary"] if best.primary else scan["min_population_alias"]
    return best.entry.population >= int(needed)


def _small_alias(candidate: _Candidate, place: Place, gazetteer: Gazetteer) -> bool:
    """A lone word the scan found that is only an alternate name of a small town ("Park" for
    an Indiana town): in the article's country too it needs ``scan.min_population_alias``
    people (rule alias_scan)."""
    if candidate.source != "scan" or " " in folded_name(candidate.text):
        return False
    if place.precision != "point" or "alias_scan" in _OFF.get():
        return False
    readings = [c for c in gazetteer.candidates(candidate.text)
                if c.entry.geonames_id == place.geonames_id]
    return bool(readings) and not any(c.primary for c in readings) and max(
        c.entry.population for c in readings) < int(_rules()["scan"]["min_population_alias"])


def _with_vicinity(place: Place, doc: Doc, candidate: _Candidate) -> Place:
    """"near Kabul", "north of Kabul": a region around the pin, said in the note."""
    phrase = _vicinity_phrase(doc, candidate.start)
    if phrase is None or place.precision not in ("point", "admin1"):
        return place
    note = f"{phrase} {place.canonical or place.name}: somewhere around the pin"
    notes = "; ".join(n for n in (note, place.note) if n)
    return replace(place, precision="region", note=notes)


def _vicinity_phrase(doc: Doc, start_char: int) -> str | None:
    span = expanded_span(doc, start_char, start_char + 1)
    if span is None:
        return None
    before = doc[max(span.start - 3, 0) : span.start]
    words = [t.lower_ for t in before if t.lower_ != "the"]
    for size in (2, 1):
        phrase = " ".join(words[-size:])
        if len(words) >= size and phrase in _words("vicinity_words"):
            return phrase
    return None


def _capital_phrases(
    doc: Doc, article_id: str, gazetteer: Gazetteer, places: Sequence[Place]
) -> list[Place]:
    """"the Afghan capital" (with no name after it) -> that country's capital city."""
    named = {p.evidence.start for p in places if p.evidence}
    found = []
    for i, lower in enumerate(token_lowers(doc)):
        if lower != "capital" or i == 0:
            continue
        token = doc[i]
        if any(child.idx in named for child in token.children if child.dep_ == "appos"):
            continue  # "the Afghan capital Kabul": Kabul is found by name
        if token.i + 1 < len(doc) and doc[token.i + 1].idx in named:
            continue
        country = load_demonyms().get(folded_name(doc[token.i - 1].text))
        capital = gazetteer.capital_of(country) if country else None
        if capital is None:
            continue
        start, end = doc[token.i - 1].idx, token.idx + len(token)
        evidence = Evidence(article_id, start, end, doc[token.i - 1 : token.i + 1].text)
        note = f"read as the capital of {country} from the phrase"
        found.append(gazetteer.to_place(capital, evidence.text, evidence, note))
    return found


# --- event location -------------------------------------------------------------------------


def document_location(doc: Doc, places: Sequence[Place]) -> Place | None:
    """Where an article's happening took place when its own sentence names nowhere: the
    dateline ("ATLANTA (AP) —"), else the most specific place of the lead sentence."""
    return document_location_from(doc, places)[0]


def document_location_from(doc: Doc, places: Sequence[Place]) -> tuple[Place | None, str]:
    """``document_location`` and where it comes from: "dateline" or "first sentence"."""
    dateline = _dateline(doc, places)
    if dateline is not None:
        return dateline, "dateline"
    lead = next(iter(doc.sents), None)
    return (None if lead is None else event_location(lead, lead.root, places)), "first sentence"


_DATELINE_END = ("(", "—", "–", " - ", "--", ":")


def _dateline(doc: Doc, places: Sequence[Place]) -> Place | None:
    text = doc_text(doc)
    previous: Place | None = None
    for place in places:
        ev = place.evidence
        if ev is None or ev.start > int(_rules()["location"]["dateline_chars"]):
            continue
        after = text[ev.end : ev.end + 24]
        # "ATLANTA (AP) —", "KABUL, Afghanistan —": the first place, closed by the wire's mark
        if any(after.lstrip(" ,").startswith(mark.strip()) for mark in _DATELINE_END) or (
            "—" in after and ev.text.isupper()
        ):
            # "ERIE, Pa. -": the town before its region's name
            paired = previous is not None and previous.evidence is not None and _within(
                previous, place
            ) and text[previous.evidence.end : ev.start].strip() == ","
            return previous if paired and previous is not None else place
        previous = place
    return None


def event_address(sent: Span, places: Sequence[Place]) -> str | None:
    """The street or site of the sentence the gazetteer doesn't pin ("937 Euharlee Road",
    "Kencom bus stop"): the event's address text, located at its town."""
    pinned = {
        i
        for p in places
        if p.evidence and p.geonames_id is not None
        for i in range(p.evidence.start, p.evidence.end)
    }
    heads = _words("site_heads")
    for token in sent:
        if token.lower_ not in heads or not token.text[:1].isupper() or token.idx in pinned:
            continue
        start = token.i
        while start > sent.start and _address_word(sent.doc[start - 1]):
            start -= 1
        if start < token.i:
            return sent.doc[start : token.i + 1].text
    return None


def _address_word(token: Token) -> bool:
    """A word of a street or site name: capitalized, or the house number before it."""
    return (token.text[:1].isupper() and token.is_alpha) or token.like_num


def _location_score(sent: Span, trigger: Token | None, place: Place) -> float | None:
    """How likely ``place`` is where the trigger's happening took place; None when excluded."""
    assert place.evidence is not None
    span = expanded_span(sent.doc, place.evidence.start, place.evidence.end)
    if span is None:
        return None
    rules = _rules()["location"]
    weights = rules["score"]
    head = _phrase_head(span.root)
    if _origin(span.root, head):
        return None  # "a man from Ohio", "an Ohio man", "his home in Ohio": who, not where
    role = _role(head, place)
    if role is None:
        return None
    score = float(weights[role])
    if trigger is not None:
        if _in_another_clause(head, trigger):
            return None  # "airstrikes ... emerged after the envoy arrived in Kabul"
        score += _clause_bonus(head, trigger, weights)
        score -= weights["distance_penalty"] * abs(span.root.i - trigger.i)
    # a continent, sea or union (a region of no country) is no finer than a country
    level = "country" if place.precision == "region" and place.country is None else place.precision
    return score + float(weights["precision"].get(level, 0.0))


def _phrase_head(token: Token) -> Token:
    """Climb from a name to the head of its phrase: "Kabul" in "in the capital Kabul" -> capital."""
    climb = _words("climb_dependencies", "location")
    seen = 0
    while token.dep_ in climb and token.head.i != token.i and seen < 8:
        token, seen = token.head, seen + 1
    return token


def _origin(name: Token, head: Token) -> bool:
    """The place says where someone is from or lives, not where the happening was."""
    origins = _words("origin_nouns", "location")
    if name.dep_ in ("compound", "amod", "nmod") and name.head.lemma_.lower() in origins:
        return True
    if head.dep_ == "pobj" and head.head.dep_ == "prep":
        governor = head.head.head
        return governor.pos_ in ("NOUN", "PROPN") and governor.lemma_.lower() in origins
    return False


def _role(head: Token, place: Place) -> str | None:
    if head.dep_ == "pobj" and head.head.dep_ in ("prep", "agent", "dative"):
        word = head.head.lower_
        if word in _words("locative_prepositions", "location"):
            return "locative"
        if word in _words("excluded_prepositions", "location") or head.head.dep_ == "agent":
            return None
        return "neutral"
    if head.dep_ in _words("actor_dependencies", "location"):
        return None if place.precision == "country" else "weak"
    return "neutral"


def _finite_clause(token: Token) -> Token:
    """The nearest verb at or above ``token`` that has its own subject (or the sentence root)."""
    for node in (token, *token.ancestors):
        if node.pos_ in ("VERB", "AUX") and any(c.dep_ in _SUBJECTS for c in node.children):
            return node
    return sentence_of(token).root


_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})


def _in_another_clause(head: Token, trigger: Token) -> bool:
    """The place hangs on a clause with its own subject that is not, nor contains, the trigger's."""
    place_clause = _finite_clause(head)
    trigger_clause = _finite_clause(trigger)
    return place_clause.i != trigger_clause.i and place_clause not in trigger_clause.ancestors


def _clause_bonus(head: Token, trigger: Token, weights: Mapping[str, Any]) -> float:
    governor = head.head.head if head.dep_ == "pobj" else head.head
    if governor.i == trigger.i:
        return float(weights["governed_by_trigger"])
    if trigger in governor.ancestors or governor in trigger.subtree:
        return float(weights["in_trigger_clause"])
    return 0.0

"""The pairwise score: how likely two mentions report one happening.

Each feature gives a value in [0, 1] or None when a mention lacks the field (then it neither
helps nor hurts). Some differences are decisive rather than graded: two point places with
different GeoNames ids, two countries, or dates further apart than the window make the pair
"cannot-link", whatever the other features say: two similar events are not one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.features import MentionFeatures
from eventfuse.fuse.learned import feature_vector
from eventfuse.fuse.text import cosine
from eventfuse.records import Mention, Place, When


@dataclass(frozen=True, slots=True)
class PairScore:
    score: float
    cannot_link: bool = False
    reason: str = ""  # why cannot-link, for explanations and tests


def pair_score(
    a: MentionFeatures, b: MentionFeatures, config: FusionConfig, window_days: int
) -> PairScore:
    veto = _veto(a, b, config, window_days)
    if veto:
        return PairScore(0.0, cannot_link=True, reason=veto)
    values = feature_values(a, b, config, window_days)
    model = config.model
    if model is not None:
        inputs = feature_vector(values, a, b, model.lemma_pairs, model.defaults, model.metric)
        return PairScore(model.probability(inputs))
    total = weight = 0.0
    for name, value in values.items():
        w = config.weights.get(name, 0.0)
        if value is not None and w > 0:
            total += w * value
            weight += w
    score = total / weight if weight else 0.0
    if _same_article_other_sentence(a.mention, b.mention):
        score -= config.same_article_penalty
    return PairScore(max(score, 0.0))


def place_blind_score(
    a: MentionFeatures, b: MentionFeatures, config: FusionConfig, window_days: int
) -> PairScore:
    """The pair's score with both places set aside (cannot-link on other grounds only)."""
    blind = [replace(f, mention=replace(f.mention, location=None)) for f in (a, b)]
    return pair_score(blind[0], blind[1], config, window_days)


def feature_values(
    a: MentionFeatures, b: MentionFeatures, config: FusionConfig, window_days: int
) -> dict[str, float | None]:
    """Each feature's value in [0, 1], None where a mention lacks the field. The weighted mean
    reads the names of ``config.weights``; a trained model reads them all."""
    trigger = trigger_score(a, b, config)
    scores = config.trigger_scores
    return {
        "type": type_score(a.mention, b.mention, config),
        "trigger": trigger,
        "place": None
        if place_veto(a, b, config) and story_vouches(a, b, config)
        else place_score(a.mention.location, b.mention.location, config),
        "time": time_score(a, b, config, window_days),
        "actors": actor_score(a.mention, b.mention, config),
        "lexical": cosine(a.sentence_vector, b.sentence_vector) if a.sentence_vector else None,
        "story": 1.0 if a.story == b.story else 0.0,
        "compound": 1.0 if trigger == scores["compound"] else 0.0,
        "same_kind": 1.0 if trigger == scores["same_kind"] else 0.0,
        "same_sentence": 1.0 if _same_sentence(a.mention, b.mention) else 0.0,
    }


def _veto(a: MentionFeatures, b: MentionFeatures, config: FusionConfig, window: int) -> str:
    if a.group != b.group:
        return "incompatible types"
    if a.mention.type != b.mention.type and _same_sentence(a.mention, b.mention):
        # The extractor keeps one mention per category and sentence: two categories in one
        # sentence are two happenings ("took Panjshir, which mobilized under Massoud").
        return "two happenings of one sentence"
    place = place_veto(a, b, config)
    if place and not story_vouches(a, b, config):
        return place
    if a.days is not None and b.days is not None:
        gap = max(a.days[0], b.days[0]) - min(a.days[1], b.days[1])
        if gap > window + _slack(a.mention.when, config) + _slack(b.mention.when, config):
            return f"dates {gap} days apart"
        if (
            config.distinct_days_apart
            and gap > 0
            and _two_days(a.mention, b.mention, config.unknown_mode_matches)
        ):
            return f"two happenings on two different days ({gap} apart)"
    return ""


def place_veto(a: MentionFeatures, b: MentionFeatures, config: FusionConfig) -> str:
    """Why the two reports' places say two happenings ("" when they do not)."""
    pa, pb = a.mention.location, b.mention.location
    if pa is None or pb is None:
        return ""
    if pa.country and pb.country and pa.country.upper() != pb.country.upper():
        return "different countries"
    if _different_points(pa, pb):
        return "different point places"
    km = distance_km(pa, pb)
    if km is not None and km > config.far_km:
        return f"places {km:.0f} km apart"
    return ""


def story_vouches(a: MentionFeatures, b: MentionFeatures, config: FusionConfig) -> bool:
    """Two articles of one story (alike as whole texts) each name a day for their reports, at
    most ``story_day_gap`` days apart: their places disagreeing is then the geoparser's doubt,
    not two happenings (gva-dev: of the principal events of one story's articles dated within a
    day of each other, 206 pairs were one incident though placed > 50 km apart, none two). Two
    reports of one article are never vouched for this way: a round-up tells two shootings of
    one night in two towns."""
    gap = config.story_day_gap
    if gap is None or a.story != b.story or a.days is None or b.days is None:
        return False
    if a.mention.article_id == b.mention.article_id or not _named_days(a.mention, b.mention):
        return False
    return max(a.days[0], b.days[0]) - min(a.days[1], b.days[1]) <= gap


def _named_days(a: Mention, b: Mention) -> bool:
    """Both reports name a day themselves (day precision, not dated by fusion)."""
    return all(
        w is not None and w.precision == "day" and w.anchor != "fusion" for w in (a.when, b.when)
    )


def _two_days(a: Mention, b: Mention, unknown_mode_matches: bool = False) -> bool:
    """Both reports name a day (not the same one, checked by the caller), and either they
    report different kinds of happening (Monday's march, Tuesday's arrests) or one outlet
    wrote both (an outlet dating two reports to two days reports two days; two outlets giving
    one march two dates is a disagreement to show, not two marches). With
    ``unknown_mode_matches`` a report without a mode is of the other's kind ("the shooting" and
    "was shot dead", one typed firearms and one not)."""
    if not _named_days(a, b):
        return False
    same_outlet = a.outlet is not None and a.outlet == b.outlet
    if unknown_mode_matches:  # a report giving no mode names no other kind
        return same_outlet or a.type != b.type or bool(a.mode and b.mode and a.mode != b.mode)
    return same_outlet or a.type != b.type or (a.mode or "") != (b.mode or "")


def _different_points(a: Place, b: Place) -> bool:
    if a.precision != "point" or b.precision != "point":
        return False
    if a.geonames_id is not None and b.geonames_id is not None:
        return a.geonames_id != b.geonames_id
    return False


def _slack(when: When | None, config: FusionConfig) -> int:
    return config.precision_slack_days.get(when.precision if when else "unknown", 0)


def _same_sentence(a: Mention, b: Mention) -> bool:
    return (
        a.article_id == b.article_id
        and a.sentence is not None
        and b.sentence is not None
        and (a.sentence.start, a.sentence.end) == (b.sentence.start, b.sentence.end)
    )


def _same_article_other_sentence(a: Mention, b: Mention) -> bool:
    if a.article_id != b.article_id:
        return False
    if a.sentence is None or b.sentence is None:
        return True
    return (a.sentence.start, a.sentence.end) != (b.sentence.start, b.sentence.end)


def type_score(a: Mention, b: Mention, config: FusionConfig) -> float:
    scores = config.type_scores
    if a.type != b.type:
        return scores["compatible_type"]
    if a.mode and b.mode and a.mode != b.mode:
        return scores["other_mode"]
    return scores["same_mode"]


def trigger_score(a: MentionFeatures, b: MentionFeatures, config: FusionConfig) -> float | None:
    if not a.trigger_lemmas or not b.trigger_lemmas:
        return None
    scores = config.trigger_scores
    if a.trigger_lemmas & b.trigger_lemmas:
        return scores["same_lemma"]
    shortest = (int(scores["min_head_chars"]), int(scores["min_prefix_chars"]))
    compound = any(
        _compound_of(x, y, shortest) or _compound_of(y, x, shortest)
        for x in a.trigger_lemmas
        for y in b.trigger_lemmas
    )
    if compound:
        return scores["compound"]
    if any(x == f"re{y}" or y == f"re{x}" for x in a.trigger_lemmas for y in b.trigger_lemmas):
        return 0.0  # a reversal ("recapture" / "capture") is another happening of the same kind
    # Different words for one kind of happening ("overran" / "captured", "airstrikes" / "air
    # support"): the extractor's mode or ACLED sub-event type says they are the same kind.
    same_kind = _same_known(a.mention.mode, b.mention.mode) or _same_known(
        a.mention.acled_sub_event_type, b.mention.acled_sub_event_type
    )
    return scores["same_kind"] if same_kind else 0.0


def _same_known(x: str | None, y: str | None) -> bool:
    return x is not None and x == y


def _compound_of(whole: str, head: str, shortest: tuple[int, int]) -> bool:
    min_head, min_prefix = shortest
    return len(head) >= min_head and len(whole) - len(head) >= min_prefix and whole.endswith(head)


def place_score(a: Place | None, b: Place | None, config: FusionConfig) -> float | None:
    if a is None or b is None:
        return None
    scores = config.place_scores
    if a.geonames_id is not None and a.geonames_id == b.geonames_id:
        return scores[_SAME_ID_SCORE[_coarser(a.precision, b.precision)]]
    if _contains(a, b) or _contains(b, a):
        return scores["contained"]
    km = distance_km(a, b)
    if km is not None and km <= config.nearby_km:
        return scores["nearby"]
    if _name(a) == _name(b):
        return scores["same_name"]
    return scores["unrelated"]


_GEO_ORDER = ("point", "region", "admin1", "country", "unknown")
_SAME_ID_SCORE = {
    "point": "same_id",
    "region": "same_region",
    "admin1": "same_admin1",
    "country": "same_country",
    "unknown": "same_admin1",
}


def _coarser(a: str, b: str) -> str:
    return max(a, b, key=lambda p: _GEO_ORDER.index(p) if p in _GEO_ORDER else len(_GEO_ORDER))


def _name(place: Place) -> str:
    return (place.canonical or place.name).strip().lower()


def _contains(outer: Place, inner: Place) -> bool:
    """Is ``inner`` inside ``outer`` by the gazetteer's admin1/country fields?"""
    if outer.precision == "country":
        return bool(outer.country) and outer.country == inner.country
    if outer.precision == "admin1" and outer.admin1 and outer.country == inner.country:
        return outer.admin1 == inner.admin1 or _name(outer) == (inner.admin1 or "").lower()
    return False


def sibling_places(a: Place | None, b: Place | None, config: FusionConfig) -> bool:
    """Two places one local story may well hold two happenings in: one country, at most
    ``far_km`` apart (further, one of them is more likely a misread place)."""
    if a is None or b is None or not a.country or a.country.upper() != (b.country or "").upper():
        return False
    km = distance_km(a, b)
    return km is not None and km <= config.far_km


def distance_km(a: Place, b: Place) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def time_score(
    a: MentionFeatures, b: MentionFeatures, config: FusionConfig, window_days: int
) -> float | None:
    """Overlapping day ranges score high; unresolved relative dates are compatible with anything
    in the window (None: no evidence either way)."""
    wa, wb = a.mention.when, b.mention.when
    scores = config.time_scores
    if a.days is None or b.days is None:
        if wa is not None and wb is not None and wa.text and wa.text.lower() == wb.text.lower():
            return scores["same_text"]
        return None
    overlap = min(a.days[1], b.days[1]) >= max(a.days[0], b.days[0])
    precise = wa is not None and wb is not None and wa.precision == wb.precision == "day"
    if overlap:
        return scores["exact"] if precise else scores["coarse_overlap"]
    return scores["in_window"]


def actor_score(a: Mention, b: Mention, config: FusionConfig) -> float | None:
    """Share of the smaller side's named actors that the other side names too (roles pooled:
    extraction swaps them; a source naming more actors does not contradict one naming fewer)."""
    na, nb = named_actors(a, config), named_actors(b, config)
    if not na or not nb:
        return None
    small, large = sorted((na, nb), key=len)
    return sum(any(same_actor(x, y) for y in large) for x in small) / len(small)


def named_actors(mention: Mention, config: FusionConfig, role: str | None = None) -> set[str]:
    return {
        (x.canonical or x.name).lower()
        for x in mention.actors
        if (role is None or x.role == role)
        and not x.generic
        and not config.is_unidentified(x.canonical or x.name)
    }


def same_actor(a: str, b: str) -> bool:
    """One name's words contain the other's ("Afghan civilians" / "civilians")."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return bool(wa and wb) and (wa <= wb or wb <= wa)

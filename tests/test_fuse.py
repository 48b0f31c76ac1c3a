"""Fusion on hand-built articles and mentions (the sentences are written for these tests)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from eventfuse.fuse import fuse, new_event_id
from eventfuse.fuse.blocking import candidate_pairs, story_clusters
from eventfuse.fuse.config import load_config
from eventfuse.fuse.features import MentionFeatures, build_features
from eventfuse.fuse.match import pair_score
from eventfuse.fuse.principal import join_principals, principal_link
from eventfuse.fuse.quotes_align import align_quotes
from eventfuse.records import (
    Actor,
    Article,
    Event,
    Evidence,
    Mention,
    Place,
    Quantity,
    Quote,
    When,
)
from eventfuse.settings import Options

FRIDAY = dt.date(2023, 3, 10)
HERAT = Place("Herat", "Herat", 1140026, "AF", "Herat", 34.348, 62.199, "point")
KANDAHAR = Place("Kandahar", "Kandahar", 1138336, "AF", "Kandahar", 31.613, 65.710, "point")
HELMAND = Place("Helmand", "Helmand", 1140043, "AF", "Helmand", 31.0, 64.0, "admin1")
LASHKAR_GAH = Place("Lashkar Gah", "Lashkar Gah", 1147290, "AF", "Helmand", 31.593, 64.371, "point")


def article(
    aid: str, text: str, outlet: str, published: dt.date | None = FRIDAY, **kw: object
) -> Article:
    return Article(id=aid, text=text, outlet=outlet, published=published, **kw)  # type: ignore[arg-type]


def span(art: Article, snippet: str) -> Evidence:
    start = art.text.index(snippet)
    return Evidence(art.id, start, start + len(snippet), snippet)


def mention(
    mid: str,
    art: Article,
    sentence: str,
    trigger: str,
    type_: str,
    *,
    mode: str | None = None,
    where: Place | None = None,
    when: When | None = None,
    actors: tuple[Actor, ...] = (),
    quantities: tuple[tuple[str, int, int | None, str], ...] = (),
    quotes: tuple[Quote, ...] = (),
    status: str = "reported",
) -> Mention:
    sent = span(art, sentence)
    trig_start = art.text.index(trigger, sent.start)
    trig = Evidence(art.id, trig_start, trig_start + len(trigger), trigger)
    return Mention(
        id=mid,
        article_id=art.id,
        type=type_,
        mode=mode,
        trigger=trig,
        sentence=sent,
        actors=actors,
        location=where,
        when=when,
        quantities=tuple(Quantity(k, lo, hi, txt) for k, lo, hi, txt in quantities),  # type: ignore[arg-type]
        quotes=quotes,
        status=status,  # type: ignore[arg-type]
        outlet=art.outlet,
        published=art.published,
    )


def day(date: dt.date, text: str = "on Friday") -> When:
    return When(text, date, date, "day", anchor="text")


def actor(name: str, role: str = "actor") -> Actor:
    return Actor(role, name, name)  # type: ignore[arg-type]


# --- two reports of one protest; a second city's protest the same night --------------------

PROTEST_A = (
    "Hundreds of residents marched through Herat on Friday evening against the new water tariff. "
    "In Kandahar, a separate crowd rallied the same night against the tariff as well."
)
PROTEST_B = (
    "Dozens of demonstrators gathered in Herat on Friday to protest the water tariff increase."
)


@pytest.fixture(scope="module")
def protests() -> tuple[list[Mention], list[Article]]:
    a = article("art-a", PROTEST_A, "Outlet A")
    b = article("art-b", PROTEST_B, "Outlet B")
    mentions = [
        mention(
            "m-a1",
            a,
            PROTEST_A.split(". ")[0],
            "marched",
            "PROTEST",
            mode="demo",
            where=HERAT,
            when=day(FRIDAY),
            quantities=(("size", 200, 999, "hundreds"),),
        ),
        mention(
            "m-a2",
            a,
            "In Kandahar, a separate crowd rallied",
            "rallied",
            "PROTEST",
            mode="demo",
            where=KANDAHAR,
            when=day(FRIDAY, "the same night"),
        ),
        mention(
            "m-b1",
            b,
            PROTEST_B[:-1],
            "protest",
            "PROTEST",
            mode="demo",
            where=HERAT,
            when=day(FRIDAY),
            quantities=(("size", 24, 99, "dozens"),),
        ),
    ]
    return mentions, [a, b]


def event_of(events: tuple[Event, ...], mention_id: str) -> Event:
    return next(e for e in events if mention_id in e.mention_ids)


def test_two_reports_of_one_protest_fuse_with_a_size_disagreement(protests):
    mentions, articles = protests
    events = fuse(mentions, articles).events
    herat = event_of(events, "m-a1")
    assert herat.mention_ids == ("m-a1", "m-b1")
    assert herat.independent_sources == 2
    [size] = [d for d in herat.disagreements if d.field == "size"]
    assert size.reason == "size: hundreds [200-999] (Outlet A) vs dozens [24-99] (Outlet B)"
    assert {v.article_id for v in herat.fields["size"]} == {"art-a", "art-b"}
    assert herat.quantities[0].text == "dozens"  # conflicting ranges: the conservative one


def test_same_night_protests_in_two_cities_are_two_events(protests):
    mentions, articles = protests
    events = fuse(mentions, articles).events
    assert len(events) == 2
    assert event_of(events, "m-a2").mention_ids == ("m-a2",)
    assert event_of(events, "m-a2").location == KANDAHAR


def test_different_point_places_are_cannot_link(protests):
    mentions, _ = protests
    config = load_config()
    features = build_features(mentions, {}, config)
    verdict = pair_score(features[0], features[1], config, window_days=3)
    assert verdict.cannot_link and verdict.reason == "different point places"


def test_dates_beyond_the_window_are_never_paired(protests):
    mentions, articles = protests
    later = dataclasses.replace(mentions[2], id="m-b9", when=day(FRIDAY + dt.timedelta(days=9)))
    config = load_config()
    features = build_features([mentions[0], later], {}, config)
    assert candidate_pairs(features, window_days=3) == set()
    assert len(fuse([mentions[0], later], articles).events) == 2


# --- airstrike: a named perpetrator against "unidentified" --------------------------------

STRIKE_A = "Airstrikes by Russian jets hit the town of Lashkar Gah on Friday, officials said."
STRIKE_B = "Unidentified aircraft carried out airstrikes on Lashkar Gah on Friday, residents said."


def strikes() -> tuple[list[Mention], list[Article]]:
    a = article("strike-a", STRIKE_A, "Outlet A")
    b = article("strike-b", STRIKE_B, "Outlet B")
    return [
        mention(
            "s-a",
            a,
            STRIKE_A,
            "Airstrikes",
            "ASSAULT",
            mode="aerial",
            where=LASHKAR_GAH,
            when=day(FRIDAY),
            actors=(actor("Russia"),),
            quantities=(("killed", 3, 3, "three"),),
        ),
        mention(
            "s-b",
            b,
            STRIKE_B,
            "airstrikes",
            "ASSAULT",
            mode="aerial",
            where=LASHKAR_GAH,
            when=day(FRIDAY),
            actors=(actor("Unidentified"),),
        ),
    ], [a, b]


def test_airstrike_named_perpetrator_vs_unidentified_is_an_actor_disagreement():
    mentions, articles = strikes()
    [event] = fuse(mentions, articles).events
    [conflict] = [d for d in event.disagreements if d.field == "actor"]
    assert conflict.reason == "actor: Russia (Outlet A) vs Unidentified (Outlet B)"
    assert [a.canonical for a in event.actors] == ["Russia"]
    assert {v.value for v in event.fields["actor"]} == {"Russia", "Unidentified"}
    assert event.mode == "aerial" and event.location == LASHKAR_GAH


# --- claims and counter-claims ------------------------------------------------------------

CLAIM_A = "The rebels said on Friday they had captured the whole of Helmand province."
CLAIM_B = "Government forces claimed they had recaptured several districts of Helmand on Friday."


def test_claim_and_counter_claim_make_the_events_contested():
    a = article("claim-a", CLAIM_A, "Outlet A")
    b = article("claim-b", CLAIM_B, "Outlet B")
    mentions = [
        mention(
            "c-a",
            a,
            CLAIM_A,
            "captured",
            "ASSAULT",
            where=HELMAND,
            when=day(FRIDAY),
            actors=(actor("Rebels"),),
            status="claimed",
        ),
        mention(
            "c-b",
            b,
            CLAIM_B,
            "recaptured",
            "COERCE",
            where=HELMAND,
            when=day(FRIDAY),
            actors=(actor("Government forces"),),
            status="claimed",
        ),
    ]
    events = fuse(mentions, [a, b]).events
    assert {e.status for e in events} == {"contested"}
    for event in events:
        [status] = [d for d in event.disagreements if d.field == "status"]
        assert "Rebels" in status.reason and "Government forces" in status.reason


def test_a_denial_fused_with_the_claim_contests_it():
    a = article("claim-a", CLAIM_A, "Outlet A")
    denial_text = "The army denied on Friday that the rebels had captured Helmand province."
    b = article("deny-b", denial_text, "Outlet B")
    claim = mention(
        "c-a",
        a,
        CLAIM_A,
        "captured",
        "ASSAULT",
        where=HELMAND,
        when=day(FRIDAY),
        actors=(actor("Rebels"),),
        status="claimed",
    )
    denial = mention(
        "d-b",
        b,
        denial_text,
        "captured",
        "ASSAULT",
        where=HELMAND,
        when=day(FRIDAY),
        actors=(actor("Rebels"),),
        status="denied",
    )
    [event] = fuse([claim, denial], [a, b]).events
    assert event.status == "contested"
    [status] = [d for d in event.disagreements if d.field == "status"]
    assert status.reason == "status: claimed by Rebels (Outlet A) vs denied by Rebels (Outlet B)"


def test_a_lone_claim_stays_claimed():
    a = article("claim-a", CLAIM_A, "Outlet A")
    lone = mention(
        "c-a",
        a,
        CLAIM_A,
        "captured",
        "ASSAULT",
        where=HELMAND,
        when=day(FRIDAY),
        actors=(actor("Rebels"),),
        status="claimed",
    )
    [event] = fuse([lone], [a]).events
    assert event.status == "claimed" and not event.disagreements


# --- wire copies, anchoring, ids ----------------------------------------------------------


def test_a_wire_copy_counts_once():
    mentions, articles = strikes()
    copy = article("strike-copy", STRIKE_A, "Outlet C", copy_of="strike-a")
    copied = dataclasses.replace(
        mentions[0], id="s-copy", article_id="strike-copy", outlet="Outlet C"
    )
    [event] = fuse([*mentions, copied], [*articles, copy]).events
    assert [s.article_id for s in event.sources] == ["strike-a", "strike-b", "strike-copy"]
    assert event.independent_sources == 2


def test_one_outlet_twice_counts_once():
    mentions, articles = strikes()
    again = article("strike-again", STRIKE_A, "Outlet A")
    follow = dataclasses.replace(mentions[0], id="s-again", article_id="strike-again")
    [event] = fuse([*mentions, follow], [*articles, again]).events
    assert len(event.sources) == 3 and event.independent_sources == 2


def test_story_clusters_join_wire_copies_and_same_story_articles():
    mentions, articles = strikes()
    copy = article("strike-copy", STRIKE_A, "Outlet C", copy_of="strike-a")
    other = article("other", "A new bridge opened in Mazar on Friday.", "Outlet D")
    stories = story_clusters([*articles, copy, other], mentions, load_config(), 3)
    assert stories["strike-copy"] == stories["strike-a"] == stories["strike-b"] == "strike-a"
    assert stories["other"] == "other"


UNDATED = "Crowds marched in Herat on Friday night against the water tariff, witnesses said."


def test_an_undated_relative_mention_is_anchored_by_fusion(protests):
    mentions, articles = protests
    c = article("art-c", UNDATED, "Outlet C", published=None)
    relative = When("on Friday night", precision="day", relative="weekday:Friday")
    undated = mention(
        "m-c1", c, UNDATED, "marched", "PROTEST", mode="demo", where=HERAT, when=relative
    )
    result = fuse([*mentions, undated], [*articles, c])
    herat = event_of(result.events, "m-c1")
    assert "m-a1" in herat.mention_ids
    [value] = [v for v in herat.fields["date"] if v.article_id == "art-c"]
    assert value.value["anchor"] == "fusion" and value.value["start"] == "2023-03-10"
    assert value.value["anchored_by"] == ("art-a", "art-b")  # values are frozen: lists are tuples
    [stored] = result.anchored_mentions
    assert stored.id == "m-c1" and stored.when is not None
    assert (stored.when.start, stored.when.anchor) == (FRIDAY, "fusion")


def test_an_anchor_contradicting_the_weekday_is_refused(protests):
    mentions, articles = protests
    c = article("art-c", UNDATED, "Outlet C", published=None)
    wrong = When("on Tuesday", relative="weekday:Tuesday")
    undated = mention("m-c1", c, UNDATED, "marched", "PROTEST", where=HERAT, when=wrong)
    result = fuse([*mentions, undated], [*articles, c])
    assert result.anchored_mentions == ()


def test_ids_are_stable_across_reruns_and_hash_the_members(protests):
    mentions, articles = protests
    first = fuse(mentions, articles)
    second = fuse(list(reversed(mentions)), list(reversed(articles)))
    assert first.events == second.events
    herat = event_of(first.events, "m-a1")
    assert herat.id == new_event_id(["m-b1", "m-a1"])
    assert herat.id.startswith("ev-") and len(herat.id) == 15


def test_incremental_addition_keeps_the_id_and_adds_the_source(protests):
    mentions, articles = protests
    first = fuse(mentions, articles)
    herat_id = event_of(first.events, "m-a1").id
    c = article("art-c", UNDATED, "Outlet C")
    late = mention(
        "m-c1",
        c,
        UNDATED,
        "marched",
        "PROTEST",
        mode="demo",
        where=HERAT,
        when=day(FRIDAY, "on Friday night"),
    )
    second = fuse([*mentions, late], [*articles, c], previous_events=first.events)
    herat = event_of(second.events, "m-c1")
    assert herat.id == herat_id
    assert [s.article_id for s in herat.sources] == ["art-a", "art-b", "art-c"]
    assert second.removed_event_ids == ()
    kandahar = event_of(first.events, "m-a2")
    assert kandahar in second.events  # an untouched block is returned unchanged


def test_a_threshold_of_one_keeps_every_report_apart(protests):
    mentions, articles = protests
    events = fuse(mentions, articles, options=Options(match_threshold=1.01)).events
    assert len(events) == 3


# --- quotes -------------------------------------------------------------------------------

QUOTE_A = 'The governor said: "We ask every family to stay calm and keep the roads open."'
QUOTE_B = 'The governor said: "Families must remain calm and leave the roads clear."'


def test_two_renderings_of_one_statement_are_one_quote_group():
    a = article("q-a", QUOTE_A, "Outlet A")
    b = article("q-b", QUOTE_B, "Outlet B")
    qa = Quote(QUOTE_A.split(": ")[1].strip('"'), "The governor", "Jane Doe", "said")
    qb = Quote(QUOTE_B.split(": ")[1].strip('"'), "The governor", "Jane Doe", "said")
    mentions = [
        mention(
            "q-1",
            a,
            QUOTE_A,
            "ask",
            "REQUEST",
            where=HERAT,
            when=day(FRIDAY),
            actors=(actor("Jane Doe"),),
            quotes=(qa,),
        ),
        mention(
            "q-2",
            b,
            QUOTE_B,
            "remain calm",
            "REQUEST",
            where=HERAT,
            when=day(FRIDAY),
            actors=(actor("Jane Doe"),),
            quotes=(qb,),
        ),
    ]
    [event] = fuse(mentions, [a, b]).events
    [group] = event.quotes
    assert group.speaker == "Jane Doe"
    assert [q.text for q in group.renderings] == [qa.text, qb.text]  # verbatim, both kept


def test_quotes_outside_one_event_need_lexical_overlap():
    near = Quote("We will rebuild the school before winter", speaker_canonical="Jane Doe")
    same = Quote("we will rebuild the school before the winter", speaker_canonical="Jane Doe")
    other = Quote("Taxes stay unchanged this year", speaker_canonical="Jane Doe")
    groups = align_quotes([("x", near), ("y", same), ("z", other)], 0.3, same_event=False)
    assert sorted(len(g.renderings) for g in groups) == [1, 2]


# --- blocking and same-article mentions ---------------------------------------------------


def test_blocking_pairs_grow_with_the_window_not_with_all_pairs():
    text = "Residents marched in Herat against the tariff."
    art = article("many", text, "Outlet A")
    base = mention("p-000", art, text, "marched", "PROTEST", where=HERAT, when=day(FRIDAY))
    mentions = [
        dataclasses.replace(
            base,
            id=f"p-{i:03d}",
            article_id=f"a-{i:03d}",
            when=day(FRIDAY + dt.timedelta(days=2 * i)),
        )
        for i in range(120)
    ]
    config = load_config()
    stories = {f"a-{i:03d}": f"a-{i:03d}" for i in range(120)}
    pairs = candidate_pairs(build_features(mentions, stories, config), window_days=3)
    # each mention only meets the next one (2 days later): 119 pairs, not 120 * 119 / 2
    assert len(pairs) == 119


def test_two_happenings_in_one_article_stay_apart():
    text = (
        "A roadside bomb hit a police convoy near Lashkar Gah on Friday. "
        "Later, gunmen attacked a checkpoint outside Lashkar Gah."
    )
    art = article("one", text, "Outlet A")
    bomb = mention(
        "x-1",
        art,
        text.split(". ")[0],
        "bomb",
        "ASSAULT",
        mode="explosives",
        where=LASHKAR_GAH,
        when=day(FRIDAY),
    )
    raid = mention(
        "x-2",
        art,
        "Later, gunmen attacked a checkpoint outside Lashkar Gah.",
        "attacked",
        "ASSAULT",
        mode="firearms",
        where=LASHKAR_GAH,
        when=day(FRIDAY),
    )
    assert len(fuse([bomb, raid], [art]).events) == 2


def test_anchored_mentions_helper_applies_fusion_dates(protests):
    from eventfuse.fuse import anchored_mentions

    mentions, articles = protests
    c = article("art-c", UNDATED, "Outlet C", published=None)
    undated = mention(
        "m-c1",
        c,
        UNDATED,
        "marched",
        "PROTEST",
        where=HERAT,
        when=When("on Friday night", relative="weekday:Friday"),
    )
    everything = [*mentions, undated]
    result = fuse(everything, [*articles, c])
    stored = anchored_mentions(result, everything)
    assert stored[:3] == tuple(mentions)
    assert stored[3].when is not None and stored[3].when.start == FRIDAY


def test_a_shared_province_and_day_alone_do_not_make_one_event():
    strike_text = "Jets bombed villages across Helmand province on Friday, killing four people."
    a = article("prov-a", strike_text, "Outlet A")
    b = article("claim-a", CLAIM_A, "Outlet B")
    strike = mention(
        "v-1",
        a,
        strike_text,
        "bombed",
        "ASSAULT",
        mode="aerial",
        where=HELMAND,
        when=day(FRIDAY),
        actors=(actor("Russia"),),
    )
    claim = mention(
        "v-2",
        b,
        CLAIM_A,
        "captured",
        "ASSAULT",
        where=HELMAND,
        when=day(FRIDAY),
        actors=(actor("Rebels"),),
        status="claimed",
    )
    assert len(fuse([strike, claim], [a, b]).events) == 2


def test_dates_differing_beyond_their_precision_are_a_disagreement(protests):
    mentions, articles = protests
    saturday = FRIDAY + dt.timedelta(days=1)
    text = "Hundreds of residents marched through Herat on Saturday against the water tariff."
    b = article("art-b", text, "Outlet B")
    moved = mention(
        "m-b1",
        b,
        text,
        "marched",
        "PROTEST",
        mode="demo",
        where=HERAT,
        when=day(saturday, "on Saturday"),
    )
    herat = event_of(fuse([mentions[0], moved], [articles[0], b]).events, "m-a1")
    assert herat.mention_ids == ("m-a1", "m-b1")
    [conflict] = [d for d in herat.disagreements if d.field == "date"]
    assert conflict.reason == ("date: 2023-03-10 (day) (Outlet A) vs 2023-03-11 (day) (Outlet B)")
    week = When("that week", FRIDAY - dt.timedelta(days=4), FRIDAY + dt.timedelta(days=2), "week")
    vague = dataclasses.replace(mentions[2], when=week)
    herat = event_of(fuse([mentions[0], vague], articles).events, "m-a1")
    assert not [d for d in herat.disagreements if d.field == "date"]
    assert herat.when is not None and herat.when.precision == "day"


def test_another_outlet_vouches_for_two_mentions_of_one_article():
    # r-b1 and r-b2 (one article) score 0.35 together; r-a (another outlet) matches both, so
    # the cross-article pairs decide. A plain average (0.5 + 0.35) / 2 would leave r-b2 out.
    text_a = "The governor asked residents to leave the flooded quarter of Herat on Friday."
    text_b = (
        "On Friday the Herat governor appealed to families to evacuate the flooded area. "
        "Officials also urged people to go before nightfall."
    )
    a = article("ask-a", text_a, "Outlet A")
    b = article("ask-b", text_b, "Outlet B")
    governor = (actor("Jane Doe"),)
    asked = mention(
        "r-a", a, text_a, "asked", "REQUEST", where=HERAT, when=day(FRIDAY), actors=governor
    )
    appealed = mention(
        "r-b1",
        b,
        text_b.split(". ")[0],
        "appealed",
        "REQUEST",
        where=HERAT,
        when=day(FRIDAY),
        actors=governor,
    )
    urged = mention("r-b2", b, text_b.split(". ")[1], "urged", "REQUEST", where=HERAT)
    [event] = fuse([asked, appealed, urged], [a, b]).events
    assert event.mention_ids == ("r-a", "r-b1", "r-b2")
    assert event.independent_sources == 2


def test_compound_triggers_match_their_head_but_not_a_reversal():
    from eventfuse.fuse.match import trigger_score

    config = load_config()
    mentions, _ = strikes()
    features = build_features(mentions, {}, config, lemmas={"s-a": frozenset({"airstrike"})})
    as_head = dataclasses.replace(features[1], trigger_lemmas=frozenset({"strike"}))
    assert trigger_score(features[0], as_head, config) == config.trigger_scores["compound"]
    capture = dataclasses.replace(features[0], trigger_lemmas=frozenset({"capture"}))
    recapture = dataclasses.replace(features[1], trigger_lemmas=frozenset({"recapture"}))
    assert trigger_score(capture, recapture, config) == 0.0


def test_one_source_repeating_a_figure_is_listed_once(protests):
    mentions, articles = protests
    again = dataclasses.replace(mentions[2], id="m-b2")
    herat = event_of(fuse([*mentions, again], articles).events, "m-a1")
    [size] = [d for d in herat.disagreements if d.field == "size"]
    assert size.reason == "size: hundreds [200-999] (Outlet A) vs dozens [24-99] (Outlet B)"


# --- one story vouches for the place ----------------------------------------------------------

SHOT_A = "A man was shot dead in Herat on Friday night outside a bakery, police said."
SHOT_B = "Police said a man was shot and killed outside a bakery in Kandahar on Friday night."


def _shooting_pair(
    same_story: bool, second_day: dt.date = FRIDAY, one_article: bool = False
) -> bool:
    """Whether the two shootings' reports are cannot-link."""
    a = article("shot-a", SHOT_A + (" " + SHOT_B if one_article else ""), "Outlet A")
    b = a if one_article else article("shot-b", SHOT_B, "Outlet B")
    first = mention("s-1", a, SHOT_A, "shot", "ASSAULT", where=HERAT, when=day(FRIDAY))
    second = mention("s-2", b, SHOT_B, "shot", "ASSAULT", where=KANDAHAR, when=day(second_day))
    stories = {"shot-a": "story", "shot-b": "story" if same_story else "other"}
    lemmas = {"s-1": frozenset({"shoot"}), "s-2": frozenset({"shoot"})}
    config = load_config()
    fa, fb = build_features([first, second], stories, config, lemmas)
    return pair_score(fa, fb, config, 3).cannot_link


def test_one_story_on_one_named_day_is_not_kept_apart_by_two_towns():
    # The geoparser placing two reports of one shooting in two towns is doubt, not two shootings,
    # when both articles tell one story and name the same day.
    assert not _shooting_pair(same_story=True)


def test_two_towns_stay_apart_in_two_stories_on_two_days_or_in_one_article():
    assert _shooting_pair(same_story=False)
    assert _shooting_pair(same_story=True, second_day=FRIDAY + dt.timedelta(days=3))
    # A round-up telling both towns' shootings reports two shootings.
    assert _shooting_pair(same_story=True, one_article=True)


def _principal_features(
    second_day: dt.date, second_type: str = "ASSAULT", one_story: bool = True
) -> dict[str, MentionFeatures]:
    a = article("shot-a", SHOT_A, "Outlet A")
    b = article("shot-b", SHOT_B, "Outlet B")
    first = mention("s-1", a, SHOT_A, "shot", "ASSAULT", where=HERAT, when=day(FRIDAY))
    second = mention("s-2", b, SHOT_B, "shot", second_type, where=KANDAHAR, when=day(second_day))
    stories = {"shot-a": "story", "shot-b": "story" if one_story else "other"}
    lemmas = {"s-1": frozenset({"shoot"}), "s-2": frozenset({"shoot"})}
    features = build_features([first, second], stories, load_config(), lemmas)
    return {f.id: f for f in features}


def test_the_principal_events_of_one_story_join_within_the_window():
    config = load_config()
    link = principal_link(config, 3, 0.2)
    saturday = FRIDAY + dt.timedelta(days=1)
    joined = join_principals([("s-1",), ("s-2",)], _principal_features(saturday), 3, link)
    assert joined == [("s-1", "s-2")]
    # Two stories, two days beyond the window, or two kinds on two days stay two.
    for features in (
        _principal_features(saturday, one_story=False),
        _principal_features(FRIDAY + dt.timedelta(days=5)),
        _principal_features(saturday, second_type="COERCE"),
    ):
        assert join_principals([("s-1",), ("s-2",)], features, 3, link) == [("s-1",), ("s-2",)]


def test_one_article_tells_two_towns_apart_but_not_a_place_abroad():
    text = f"{SHOT_A} {SHOT_B}"
    a = article("shot-a", text, "Outlet A")
    lemmas = {"s-1": frozenset({"shoot"}), "s-2": frozenset({"shoot"})}
    # two towns 400 km apart: told apart as far_km allows, with principal_apart_km off (its
    # own test in test_fuse_principal.py)
    config = load_config().without_rules(frozenset({"principal_apart_km"}))
    link = principal_link(config, 3, 0.2)
    abroad = Place("Herat", "Herat", 1, "US", "Texas", 29.4, -98.5, "point")
    for second_place, expected in ((KANDAHAR, False), (abroad, None)):
        first = mention("s-1", a, SHOT_A, "shot", "ASSAULT", where=HERAT, when=day(FRIDAY))
        second = mention("s-2", a, SHOT_B, "shot", "ASSAULT", where=second_place, when=day(FRIDAY))
        fa, fb = build_features([first, second], {"shot-a": "story"}, config, lemmas)
        assert link(fa, fb) is expected


def test_only_two_named_doers_keep_one_storys_principal_events_apart():
    a = article("shot-a", SHOT_A, "Outlet A")
    b = article("shot-b", SHOT_B, "Outlet B")
    config = load_config()
    link = principal_link(config, 3, 0.2)
    lemmas = {"s-1": frozenset({"shoot"}), "s-2": frozenset({"shoot"})}
    cases = (
        ((actor("Peter Vance"),), (actor("Officer Whitlock", "recipient"),), True),
        ((actor("Peter Vance"),), (actor("Leon Marsh"),), None),
    )
    for first_actors, second_actors, expected in cases:
        first = mention(
            "s-1", a, SHOT_A, "shot", "ASSAULT", where=HERAT, when=day(FRIDAY), actors=first_actors
        )
        second = mention(
            "s-2", b, SHOT_B, "shot", "ASSAULT", where=HERAT, when=day(FRIDAY), actors=second_actors
        )
        fa, fb = build_features([first, second], {"shot-a": "s", "shot-b": "s"}, config, lemmas)
        assert link(fa, fb) is expected


def test_conflicting_counts_take_the_one_most_reports_agree_with_ties_the_lowest() -> None:
    from eventfuse.fuse.consensus import consensus_quantities

    texts = {
        "a": "Two people were killed in a shooting on Friday.",
        "b": "Police said two people died in Friday's shooting.",
        "c": "One person was killed in the shooting, an early report said.",
    }
    counts = {"a": (2, "Two"), "b": (2, "two"), "c": (1, "One")}
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    reports = [
        mention(f"m-{k}", arts[k], texts[k], "shooting", "ASSAULT",
                quantities=(("killed", counts[k][0], counts[k][0], counts[k][1]),))
        for k in texts
    ]
    [killed] = consensus_quantities(reports)
    assert (killed.low, killed.high) == (2, 2)  # two reports against one
    [tied] = consensus_quantities([reports[0], reports[2]])
    assert (tied.low, tied.high) == (1, 1)  # one against one: the conservative count


def test_a_date_after_the_first_report_does_not_date_the_happening() -> None:
    from eventfuse.fuse.consensus import consensus_when

    saturday = FRIDAY + dt.timedelta(days=1)
    sunday = FRIDAY + dt.timedelta(days=2)
    texts = {
        "a": "A man was shot outside a bakery on Friday night.",
        "b": "The man shot outside the bakery died in hospital on Sunday.",
        "c": "The bakery shooting victim died on Sunday, his family said.",
    }
    arts = {
        "a": article("art-a", texts["a"], "Outlet a", published=saturday),
        "b": article("art-b", texts["b"], "Outlet b", published=sunday),
        "c": article("art-c", texts["c"], "Outlet c", published=sunday),
    }
    reports = [
        mention("m-a", arts["a"], texts["a"], "shot", "ASSAULT", when=day(FRIDAY, "on Friday")),
        mention("m-b", arts["b"], texts["b"], "died", "ASSAULT", when=day(sunday, "on Sunday")),
        mention("m-c", arts["c"], texts["c"], "died", "ASSAULT", when=day(sunday, "on Sunday")),
    ]
    # two follow-ups dated Sunday, after the Saturday report of the Friday shooting
    when, supporting = consensus_when(reports)
    assert when is not None and when.start == FRIDAY and supporting == ("art-a",)
    # date_first_report off (only date_by_report on): the two follow-ups outvote the report
    off, _ = consensus_when(reports, frozenset({"date_by_report"}))
    assert off is not None and off.start == sunday


def test_a_date_after_the_first_report_counts_when_no_report_gives_another() -> None:
    from eventfuse.fuse.consensus import consensus_when

    texts = {
        "a": "Police said a woman was wounded in a shooting.",
        "b": "A woman was wounded in a shooting on Monday, police said.",
    }
    monday = FRIDAY + dt.timedelta(days=3)
    arts = {
        "a": article("art-a", texts["a"], "Outlet a", published=FRIDAY),
        "b": article("art-b", texts["b"], "Outlet b", published=monday),
    }
    reports = [
        mention("m-a", arts["a"], texts["a"], "wounded", "ASSAULT"),
        mention("m-b", arts["b"], texts["b"], "wounded", "ASSAULT", when=day(monday, "on Monday")),
    ]
    when, _ = consensus_when(reports)
    assert when is not None and when.start == monday


def test_a_dates_support_counts_reports_not_mentions() -> None:
    from eventfuse.fuse.consensus import consensus_when

    thursday = FRIDAY - dt.timedelta(days=1)
    texts = {
        "a": "Two men were shot on Friday. The Friday shooting left one dead. "
        "Friday's shooting was the third this month.",
        "b": "Two men were shot on Thursday, police said.",
        "c": "A shooting on Thursday wounded two men.",
    }
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    sentences = ["Two men were shot on Friday.", "The Friday shooting left one dead.",
                 "Friday's shooting was the third this month."]
    reports = [
        mention(f"m-a{n}", arts["a"], s, "shoot", "ASSAULT", when=day(FRIDAY, "Friday"))
        for n, s in enumerate(sentences)
    ] + [
        mention("m-b", arts["b"], texts["b"], "shot", "ASSAULT", when=day(thursday, "Thursday")),
        mention("m-c", arts["c"], texts["c"], "shooting", "ASSAULT",
                when=day(thursday, "Thursday")),
    ]
    when, supporting = consensus_when(reports)
    assert when is not None and when.start == thursday and supporting == ("art-b", "art-c")
    # date_by_report off: three mentions of one article outvote two reports
    off, _ = consensus_when(reports, frozenset({"date_first_report"}))
    assert off is not None and off.start == FRIDAY


def test_an_event_no_report_dates_takes_the_day_it_was_first_reported() -> None:
    texts = {
        "a": "A woman was wounded in a shooting outside a pharmacy in Herat, police said.",
        "b": "Police said a woman was wounded when shots were fired outside a pharmacy in Herat.",
    }
    arts = {
        "a": article("art-a", texts["a"], "Outlet a", published=FRIDAY),
        "b": article("art-b", texts["b"], "Outlet b", published=FRIDAY + dt.timedelta(days=1)),
    }
    reports = [
        mention("m-a", arts["a"], texts["a"], "wounded", "ASSAULT", where=HERAT),
        mention("m-b", arts["b"], texts["b"], "wounded", "ASSAULT", where=HERAT),
    ]
    [event] = fuse(reports, list(arts.values())).events
    assert event.when is not None and event.when.start == FRIDAY
    assert event.when.anchor == "fusion" and event.when.anchored_by == ("art-a",)
    off = Options(disabled_rules="date_first_reported")
    [undated] = fuse(reports, list(arts.values()), options=off).events
    assert undated.when is None

def test_tied_counts_of_the_wounded_take_the_highest() -> None:
    from eventfuse.fuse.consensus import consensus_quantities

    texts = {
        "a": "Five people were wounded in a shooting at a party on Friday.",
        "b": "Two of the wounded were taken to a hospital in critical condition.",
    }
    counts = {"a": (5, "Five"), "b": (2, "Two")}
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    reports = [
        mention(f"m-{k}", arts[k], texts[k], "wounded", "ASSAULT",
                quantities=(("injured", counts[k][0], counts[k][0], counts[k][1]),))
        for k in texts
    ]
    [injured] = consensus_quantities(reports)
    assert (injured.low, injured.high) == (5, 5)  # one against one: the partial count loses


def test_a_month_votes_for_the_days_it_holds_but_a_day_dates_the_event() -> None:
    from eventfuse.fuse.consensus import consensus_when

    saturday = FRIDAY + dt.timedelta(days=1)
    later = FRIDAY + dt.timedelta(days=20)
    texts = {
        "a": "A cyclist was shot near the river path on Friday night.",
        "b": "The cyclist shot near the river path on Saturday is recovering.",
        "c": "Police made an arrest in the river path shooting earlier this month.",
    }
    arts = {
        "a": article("art-a", texts["a"], "Outlet a", published=saturday),
        "b": article("art-b", texts["b"], "Outlet b", published=saturday),
        "c": article("art-c", texts["c"], "Outlet c", published=later),
    }
    month = When("earlier this month", FRIDAY.replace(day=1), later, "month", anchor="publication")
    reports = [
        mention("m-a", arts["a"], texts["a"], "shot", "ASSAULT", when=day(FRIDAY, "on Friday")),
        mention("m-b", arts["b"], texts["b"], "shot", "ASSAULT",
                when=day(saturday, "on Saturday")),
        mention("m-c", arts["c"], texts["c"], "shooting", "ASSAULT", when=month),
    ]
    # each day has two reports (itself and the month); the month had three
    when, supporting = consensus_when(reports)
    assert when is not None and when.start == FRIDAY and supporting == ("art-a", "art-c")
    off, _ = consensus_when(reports, frozenset({"date_first_report", "date_by_report"}))
    assert off is not None and off.precision == "month"


def test_a_report_from_before_the_death_counted_the_dead_among_the_hurt() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_quantities

    saturday = FRIDAY + dt.timedelta(days=1)
    texts = {
        "a": "A delivery driver was wounded in a shooting and is in critical condition.",
        "b": "The delivery driver wounded in Friday's shooting has died.",
    }
    arts = {
        "a": article("art-a", texts["a"], "Outlet a", published=FRIDAY),
        "b": article("art-b", texts["b"], "Outlet b", published=saturday),
    }
    reports = [
        mention("m-a", arts["a"], texts["a"], "wounded", "ASSAULT",
                quantities=(("injured", 1, 1, "A delivery driver was wounded"),)),
        mention("m-b", arts["b"], texts["b"], "died", "ASSAULT",
                quantities=(("killed", 1, 1, "The delivery driver ... has died"),)),
    ]
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports)}
    assert counts == {"killed": (1, 1), "injured": (0, 0)}  # one victim, not two
    off = consensus_quantities(reports, frozenset({"toll_silent_dead"}))
    assert {q.kind: (q.low, q.high) for q in off} == {"killed": (1, 1), "injured": (1, 1)}
    # the same two told the same day: toll_died_later does not apply; the tie between one hurt
    # and none (toll_silent_hurt) goes to none only by toll_hurt_was_dead
    same_day = [reports[0], dataclasses.replace(reports[1], published=FRIDAY)]
    assert {q.kind: q.low for q in consensus_quantities(same_day)}["injured"] == 0
    rules = frozenset(DATE_RULES) - {"toll_hurt_was_dead"}
    assert {q.kind: q.low for q in consensus_quantities(same_day, rules)}["injured"] == 1


def test_reports_counting_the_hurt_outvote_an_open_ended_death() -> None:
    from eventfuse.fuse.consensus import consensus_quantities

    texts = {
        "a": "Three people were wounded in a shooting at a bowling alley, police said.",
        "b": "Three were hurt at the bowling alley; detectives who handle homicide cases "
        "are investigating.",
    }
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    reports = [
        mention("m-a", arts["a"], texts["a"], "wounded", "ASSAULT",
                quantities=(("injured", 3, 3, "Three people were wounded"),)),
        mention("m-b", arts["b"], texts["b"], "hurt", "ASSAULT",
                quantities=(("injured", 3, 3, "Three were hurt"), ("killed", 1, None, "homicide"))),
    ]
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports)}
    assert counts == {"injured": (3, 3), "killed": (0, 0)}
    off = consensus_quantities(reports, frozenset({"toll_died_later"}))
    assert {q.kind: (q.low, q.high) for q in off}["killed"] == (1, None)
    # a numbered death anywhere keeps the open-ended count standing
    numbered = [*reports, dataclasses.replace(reports[0], id="m-c", quantities=(
        Quantity("killed", 1, 1, "one man died"),))]
    assert {q.kind: q.low for q in consensus_quantities(numbered)}["killed"] == 1


def test_a_report_of_the_death_alone_says_no_one_else_was_hurt() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_quantities

    texts = {
        "a": "A toddler was shot at a home on Birch Lane and is in critical condition.",
        "b": "The toddler shot at a home on Birch Lane has died, the coroner said.",
        "c": "A 2-year-old boy died after being shot at a Birch Lane home.",
    }
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    reports = [
        mention("m-a", arts["a"], texts["a"], "shot", "ASSAULT",
                quantities=(("injured", 1, 1, "A toddler was shot"),)),
        mention("m-b", arts["b"], texts["b"], "died", "ASSAULT",
                quantities=(("killed", 1, 1, "The toddler ... has died"),)),
        mention("m-c", arts["c"], texts["c"], "died", "ASSAULT",
                quantities=(("killed", 1, 1, "A 2-year-old boy died"),)),
    ]
    # all published the same day (toll_died_later does not apply): the two reports of the
    # death tell no one hurt and outvote the lone "one hurt"
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports)}
    assert counts == {"killed": (1, 1), "injured": (0, 0)}
    off = consensus_quantities(reports, frozenset(DATE_RULES) - {"toll_silent_hurt"})
    assert {q.kind: (q.low, q.high) for q in off}["injured"] == (1, 1)
    # an open-ended death ("a homicide") says nothing of the hurt
    open_ended = [reports[0], dataclasses.replace(reports[1], quantities=(
        Quantity("killed", 1, None, "a homicide"),))]
    assert {q.kind: q.low for q in consensus_quantities(open_ended)}["injured"] == 1


def test_one_death_and_a_tie_over_one_hurt_is_the_dead_one_told_twice() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_quantities
    from eventfuse.records import Evidence

    texts = {
        "a": "A teen was shot on Birch Lane and is in critical condition, police said.",
        "b": "The teen shot on Birch Lane on Friday has died, the coroner said.",
    }
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    reports = [
        mention("m-a", arts["a"], texts["a"], "shot", "ASSAULT",
                quantities=(("injured", 1, 1, "A teen ... is in critical condition"),)),
        mention("m-b", arts["b"], texts["b"], "died", "ASSAULT",
                quantities=(("killed", 1, 1, "The teen ... has died"),)),
    ]
    # one vote for one hurt, one (toll_silent_hurt) for none: the tie went to the highest
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports)}
    assert counts == {"killed": (1, 1), "injured": (0, 0)}
    off = consensus_quantities(reports, frozenset(DATE_RULES) - {"toll_hurt_was_dead"})
    assert {q.kind: (q.low, q.high) for q in off}["injured"] == (1, 1)
    # a headline telling a death and someone hurt tells two people
    headline = Evidence("art-a", 0, 0, "Teen dies, child hurt on Birch Lane")
    told = dataclasses.replace(reports[0], quantities=(
        Quantity("killed", 1, 1, "Teen dies", headline),
        Quantity("injured", 1, 1, "child hurt", headline)))
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities([told, reports[1]])}
    assert counts == {"killed": (1, 1), "injured": (1, 1)}


def test_a_later_report_counting_only_the_hurt_says_no_one_died() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_quantities

    saturday = FRIDAY + dt.timedelta(days=1)
    texts = {
        "a": "A man was killed in a shooting outside a bar on Cedar Street.",
        "b": "Two men were wounded in a shooting outside a bar on Cedar Street.",
    }
    arts = {
        "a": article("art-a", texts["a"], "Outlet a", published=FRIDAY),
        "b": article("art-b", texts["b"], "Outlet b", published=saturday),
    }
    reports = [
        mention("m-a", arts["a"], texts["a"], "killed", "ASSAULT",
                quantities=(("killed", 1, 1, "A man was killed"),)),
        mention("m-b", arts["b"], texts["b"], "wounded", "ASSAULT",
                quantities=(("injured", 2, 2, "Two men were wounded"),)),
    ]
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports)}
    assert counts["killed"] == (0, 0)  # the later report knows more; the tie goes to the lowest
    off = consensus_quantities(reports, frozenset(DATE_RULES) - {"toll_later_no_death"})
    assert {q.kind: (q.low, q.high) for q in off}["killed"] == (1, 1)
    # told the same day: silence is no answer
    same_day = [reports[0], dataclasses.replace(reports[1], published=FRIDAY)]
    assert {q.kind: q.low for q in consensus_quantities(same_day)}["killed"] == 1


def test_a_roundup_headline_counts_several_happenings() -> None:
    from eventfuse.fuse.roundup import RoundupWords, is_roundup_headline

    words = load_config().roundup
    assert is_roundup_headline("1 dead, 5 hurt in pair of shootings on east side", words)
    assert is_roundup_headline("Teen wounded, one of 7 shootings across Riverton overnight", words)
    assert is_roundup_headline("Three shootings leave four wounded in Maple Falls", words)
    assert is_roundup_headline("Police look for links in weekend shootings", words)
    assert not is_roundup_headline("Man charged in shootings at Birch Lane bar", words)
    assert not is_roundup_headline("Two wounded in Birch Lane shooting", words)
    assert not is_roundup_headline(None, words)
    assert not is_roundup_headline("pair of shootings", RoundupWords())


def test_a_roundups_count_of_the_hurt_yields_to_a_report_of_the_one_shooting() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_quantities
    from eventfuse.records import Evidence

    texts = {
        "a": "Two men were wounded outside a bar on Cedar Street late Friday.",
        "b": "Five people were wounded in two shootings on Friday night, one outside a bar "
        "on Cedar Street.",
    }
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    reports = [
        mention("m-a", arts["a"], texts["a"], "wounded", "ASSAULT",
                quantities=(("injured", 2, 2, "Two men were wounded"),)),
        mention("m-b", arts["b"], texts["b"], "wounded", "ASSAULT", quantities=(
            ("injured", 5, 5, "Five people were wounded"), ("killed", 0, 0, "no one died"))),
    ]
    roundups = frozenset({"art-b"})
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports, roundups=roundups)}
    assert counts == {"injured": (2, 2), "killed": (0, 0)}
    off = frozenset(DATE_RULES) - {"toll_roundup"}
    assert {q.kind: q.low for q in consensus_quantities(reports, off, roundups)}["injured"] == 5
    # the roundup alone counts the hurt: its count stands
    alone = [dataclasses.replace(reports[0], quantities=(
        Quantity("killed", 0, 0, "no one died", Evidence("art-a", 0, 9, "no one died")),)),
        reports[1]]
    assert {q.kind: q.low for q in consensus_quantities(alone, roundups=roundups)}[
        "injured"] == 5


def test_tied_counts_of_the_hurt_go_to_the_headlines() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_quantities
    from eventfuse.records import Evidence

    texts = {
        "a": "Four shot, one killed near Elm Park. Three men were taken to a hospital.",
        "b": "A shooting near Elm Park on Friday night left one man dead; four people were "
        "wounded, police said.",
    }
    arts = {k: article(f"art-{k}", t, f"Outlet {k}") for k, t in texts.items()}
    headline = Evidence("art-a", 0, 0, "Four shot, one killed near Elm Park")
    reports = [
        mention("m-a", arts["a"], texts["a"], "shot", "ASSAULT", quantities=(
            ("killed", 1, 1, "one killed"), ("injured", 3, 3, "Four shot"))),
        mention("m-b", arts["b"], texts["b"], "wounded", "ASSAULT", quantities=(
            ("killed", 1, 1, "one man dead"), ("injured", 4, 4, "four people were wounded"))),
    ]
    reports[0] = dataclasses.replace(reports[0], quantities=tuple(
        dataclasses.replace(q, evidence=headline) for q in reports[0].quantities))
    counts = {q.kind: (q.low, q.high) for q in consensus_quantities(reports)}
    assert counts == {"killed": (1, 1), "injured": (3, 3)}
    off = consensus_quantities(reports, frozenset(DATE_RULES) - {"toll_headline_tie"})
    assert {q.kind: q.low for q in off}["injured"] == 4  # the tie to the highest
    # a vote for silence is told by no headline: "no one hurt" beside a headline's death
    # does not win the tie for none
    silent = Quantity("injured", 0, 0, "no one hurt told beside 'one killed'", headline)
    assert not _headline_vote(silent) and _headline_vote(reports[0].quantities[1])


def _headline_vote(q: Quantity) -> bool:
    from eventfuse.fuse.consensus import _headline_count

    return _headline_count(q)


# --- the place vote: a namesake one report left ambiguous -------------------------------------

CHESTER_GB = Place("Chester", "Chester", 2653228, "GB", "England", 53.19, -2.89, "point",
                   note="ambiguous name; also Chester (US)")
CHESTER_PA = Place("Chester", "Chester", 5184082, "US", "Pennsylvania", 39.85, -75.36, "point")


def _located(mid: str, where: Place) -> Mention:
    return Mention(id=mid, article_id=mid, type="ASSAULT", location=where)


def test_ambiguous_namesake_votes_for_the_sure_reading_of_its_name() -> None:
    from eventfuse.fuse.consensus import consensus_location

    members = [_located("a", CHESTER_GB), _located("b", CHESTER_GB), _located("c", CHESTER_PA)]
    assert consensus_location(members) == CHESTER_PA
    # rule namesake_vote off: two reports outvote one
    off = frozenset({"date_precise"})
    assert consensus_location(members, off) == CHESTER_GB
    # an ambiguous reading with no sure reading of its name keeps its own vote
    assert consensus_location([_located("a", CHESTER_GB), _located("b", HERAT),
                               _located("c", CHESTER_GB)]) == CHESTER_GB


def test_equal_places_go_to_the_one_the_sentences_also_name() -> None:
    from eventfuse.fuse.consensus import consensus_location

    # two reports, two readings: Kandahar is also named beside the other report's place
    members = [_located("a", KANDAHAR),
               dataclasses.replace(_located("b", HERAT), places=(KANDAHAR,))]
    assert consensus_location(members) == KANDAHAR
    # rule place_support off: the first by name
    assert consensus_location(members, frozenset({"namesake_vote"})) == HERAT


def test_equal_places_go_to_the_reading_its_article_settled() -> None:
    from eventfuse.fuse.consensus import consensus_location

    # rule sure_reading: one report each, the same precision, no other support
    members = [_located("a", CHESTER_GB), _located("b", KANDAHAR)]
    assert consensus_location(members) == KANDAHAR
    assert consensus_location(members, frozenset({"namesake_vote"})) == CHESTER_GB


ALBANY_NY = Place("Albany", "Albany", 5106834, "US", "New York", 42.65, -73.76, "point",
                  note="ambiguous name; also Albany (Georgia, US)")
ALBANY_GA = Place("Albany", "Albany", 4179320, "US", "Georgia", 31.58, -84.16, "point")


def test_a_town_left_open_between_two_states_votes_for_the_settled_reading() -> None:
    from eventfuse.fuse.consensus import consensus_location

    # extraction's namesake_state notes New York's Albany as ambiguous where nothing settled
    # it; the one report whose article named Georgia settles the event's place
    members = [_located("a", ALBANY_NY), _located("b", ALBANY_NY), _located("c", ALBANY_GA)]
    assert consensus_location(members) == ALBANY_GA
    unnoted = [_located(m.id, dataclasses.replace(ALBANY_NY, note=None)) for m in members[:2]]
    assert consensus_location([*unnoted, members[2]]).admin1 == "New York"


TROY_NY = Place("Troy", "Troy", 5141502, "US", "New York", 42.73, -73.69, "point")
BROOKLYN_NY = Place("Brooklyn", "Brooklyn", 5110302, "US", "New York", 40.65, -73.95, "point")
WATERVLIET_NY = Place("Watervliet", "Watervliet", 5144040, "US", "New York", 42.73, -73.70,
                      "point")


def test_equal_places_go_to_the_reading_the_others_lie_near() -> None:
    from eventfuse.fuse.consensus import consensus_location

    # rule near_reading: one report each; Troy and Watervliet lie side by side, Brooklyn far
    members = [_located("a", BROOKLYN_NY), _located("b", WATERVLIET_NY), _located("c", TROY_NY)]
    assert consensus_location(members) == TROY_NY
    # off: the name's spelling decides
    from eventfuse.date_rules import DATE_RULES

    off = frozenset(DATE_RULES) - {"near_reading"}
    assert consensus_location(members, off) == BROOKLYN_NY
    # no reading lies near another: the spelling still decides
    far = [_located("a", CHESTER_PA), _located("b", TROY_NY), _located("c", BROOKLYN_NY)]
    assert consensus_location(far) == BROOKLYN_NY


DAYTON_OH = Place("Dayton", "Dayton", 4509884, "US", "Ohio", 39.76, -84.19, "point")
KETTERING_OH = Place("Kettering", "Kettering", 4515843, "US", "Ohio", 39.69, -84.17, "point")
ABINGDON_IL = Place("Abingdon", "Abingdon", 4887000, "US", "Illinois", 40.80, -90.40, "point")


def test_a_town_outside_the_outlets_home_does_not_outvote_one_inside_it() -> None:
    from eventfuse.date_rules import DATE_RULES
    from eventfuse.fuse.consensus import consensus_location

    # rule outlet_outlier: two reports of an Ohio outlet; one read a street named like an
    # Illinois village, the other the Ohio town
    members = [_located("a", ABINGDON_IL), _located("b", DAYTON_OH)]
    homes = {"a": ("US", "Ohio"), "b": ("US", "Ohio")}
    assert consensus_location(members, homes=homes) == DAYTON_OH
    off = frozenset(DATE_RULES) - {"outlet_outlier"}
    assert consensus_location(members, off, homes=homes) == ABINGDON_IL  # by name
    # no home known: the name decides
    assert consensus_location(members) == ABINGDON_IL
    # no report reads a town inside the home: the far town keeps its vote
    far = [_located("a", ABINGDON_IL), _located("b", ABINGDON_IL), _located("c", KETTERING_OH)]
    assert consensus_location(far, homes={"a": ("US", "Texas"), "b": ("US", "Texas"),
                                          "c": ("US", "Texas")}) == ABINGDON_IL

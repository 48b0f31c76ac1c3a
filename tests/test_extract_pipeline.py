"""The extraction components on short articles written for these tests: what each drops, merges
or changes, and the trace it leaves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eventfuse.errors import ConfigError
from eventfuse.extract import explain_article, extract_mentions
from eventfuse.extract.pipeline import COMPONENTS, RULES, credit_lines, extraction_pipeline
from eventfuse.extract.victims import casualties, victim_statements
from eventfuse.nlp import get_nlp
from eventfuse.records import Article, Mention
from eventfuse.settings import Options, load_options

pytestmark = pytest.mark.slow


def _article(text: str, title: str | None = None, published: dt.date | None = None) -> Article:
    return Article(id="t1", text=text, title=title, published=published or dt.date(2024, 3, 9))


def mentions_of(text: str, title: str | None = None, options: Options | None = None,
                published: dt.date | None = None) -> list[Mention]:
    article = _article(text, title, published)
    return extract_mentions(article, get_nlp()(text), options or load_options())


def trace_of(text: str, options: Options | None = None) -> list[tuple[str, str]]:
    article = _article(text)
    _, trace = explain_article(article, get_nlp()(text), options or load_options())
    return [(r.rule, r.action) for r in trace]


def test_components_are_named_spacy_components_in_order() -> None:
    nlp = extraction_pipeline(load_options())
    assert tuple(nlp.pipe_names) == COMPONENTS
    assert "eventfuse_typing" in COMPONENTS
    meta = nlp.get_pipe_meta("eventfuse_filters")
    assert "doc._.ef_candidates" in meta.assigns


@pytest.mark.parametrize(
    "text",
    [
        "No arrests were made after the shooting on Elm Street.",
        "Police made no arrests in the case.",
        "No one was hurt when the shots were fired.",
    ],
)
def test_negated_participants_report_no_happening(text: str) -> None:
    kinds = [m.type for m in mentions_of(text)]
    assert "COERCE" not in kinds
    assert ("negated", "dropped") in trace_of(text)


def test_credit_lines_give_no_event_and_no_actor() -> None:
    text = "By Maria Olsen\n\nRiot police detained twelve students in Lyon on Friday."
    assert credit_lines(text)[0][1] > len("By Maria Olsen")
    found = mentions_of(text)
    assert found
    assert all("Olsen" not in a.name for m in found for a in m.actors)


def test_background_history_is_not_a_new_event() -> None:
    text = (
        "Nurses marched through Leeds on Friday to demand higher pay. "
        "The union first staged a strike in March 2015, when thousands walked out."
    )
    found = mentions_of(text, published=dt.date(2024, 3, 9))
    assert all(m.when is None or m.when.start is None or m.when.start.year == 2024
               for m in found)
    assert ("background_date", "dropped") in trace_of(text)


def test_one_happening_told_three_times_is_one_mention() -> None:
    text = (
        "A man was shot and killed outside a bar in Dayton on Friday night, police said.\n\n"
        "The shooting happened just after 11 p.m., according to police.\n\n"
        "Officers found the victim with a gunshot wound. The gunman fired several shots "
        "before fleeing."
    )
    found = [m for m in mentions_of(text, title="Man killed in Dayton bar shooting")
             if m.type == "ASSAULT"]
    assert len(found) == 1
    assert found[0].coreferent, "the other mentions' evidence is kept"
    killed = [q for q in found[0].quantities if q.kind == "killed"]
    assert killed and (killed[0].low, killed[0].high) == (1, 1)


def test_two_places_far_apart_stay_two_happenings() -> None:
    text = (
        "Protesters marched in Paris on Saturday against the pension reform. "
        "Thousands also marched in Marseille on Saturday."
    )
    protests = [m for m in mentions_of(text) if m.type == "PROTEST"]
    assert len({m.location.name for m in protests if m.location}) == 2


def test_ablating_a_rule_switches_it_off() -> None:
    text = "No arrests were made after the shooting on Elm Street."
    options = load_options({"disabled_rules": "negated"})
    assert ("negated", "dropped") not in trace_of(text, options)
    with pytest.raises(ConfigError, match="unknown extraction rule"):
        extraction_pipeline(load_options({"disabled_rules": "no_such_rule"}))
    assert set(RULES) >= {"negated", "irrealis", "habitual", "same_happening", "salience",
                          "named_party", "reported_claim", "stated_violence"}


@pytest.mark.parametrize(
    ("text", "killed", "injured"),
    [
        ("A 17-year-old boy died at the hospital. Two other teens were wounded.", 1, 2),
        ("The gunman shot and killed two men outside the store.", 2, None),
        ("Three people were shot, and one of them was pronounced dead at the scene.", 1, 2),
        ("Five people were shot early Sunday. None of the injuries are life-threatening.",
         None, 5),
        ("Kessler was pronounced dead at the scene.", 1, None),
        ("He was charged with assault with a deadly weapon.", None, None),
        ("The gunman tried to kill the clerk but missed.", None, None),
        ("Four soldiers and three militiamen were killed in the fighting.", 7, None),
        # victim_described: the fate told by a participle or adjective on the victims
        ("A shooting left one woman dead and four people wounded on Thursday night.", 1, 4),
        # victim_condition: a condition is told of the living; a wound only says hurt
        ("All four were taken to local hospitals and listed in stable condition.", None, 4),
        ("Officers found a man suffering from a gunshot wound. He was pronounced dead at the "
         "hospital.", 1, None),
        # victim_multiple
        ("Detectives are investigating a triple homicide on Elm Street.", 3, None),
        # victim_fatal: a fate word makes a wound or a shot a death
        ("A clerk was fatally wounded during the robbery.", 1, None),
        ("Two brothers were shot to death outside their home.", 2, None),
    ],
)
def test_victims_are_counted_wherever_described(
    text: str, killed: int | None, injured: int | None
) -> None:
    counts = {q.kind: q.low for q in casualties(victim_statements(get_nlp()(text), "t"))}
    assert counts.get("killed") == killed
    assert counts.get("injured") == injured


def test_attempted_murder_tells_no_death() -> None:
    doc = get_nlp()("The man was charged with attempted murder after a clerk was shot.")
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t"))] == [("injured", 1)]
    off = frozenset({"victim_attempt"})
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t", off=off))] == [
        ("killed", 1), ("injured", 1)]


@pytest.mark.parametrize(
    ("text", "rule", "on", "off"),
    [
        # victim_self: the shooter who shot himself is a victim too
        ("The boy accidentally shot himself in the leg.", "victim_self",
         [("injured", 1)], []),
        ("He shot a clerk and then himself.", "victim_self", [("injured", 2)], [("injured", 1)]),
        # victim_list: a list adds up along its chain
        ("Two men, three women and a child were killed.", "victim_list",
         [("killed", 6)], [("killed", 5)]),
    ],
)
def test_reflexive_and_listed_victims_count(
    text: str, rule: str, on: list[tuple[str, int]], off: list[tuple[str, int]]
) -> None:
    doc = get_nlp()(text)
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t"))] == on
    rules = frozenset({rule})
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t", off=rules))] == off


@pytest.mark.parametrize(
    ("text", "rule", "on", "off"),
    [
        # victim_tally: a count over a period or over many happenings is no one happening's
        ("So far this year, the north side has seen 61 people shot, the police said.",
         "victim_tally", [], [("injured", 61)]),
        ("In 2009, 14 died and 8 were hurt.", "victim_tally", [],
         [("killed", 14), ("injured", 8)]),
        ("A guard was killed on Friday, March 3, 2017.", "victim_tally", [("killed", 1)],
         [("killed", 1)]),
        ("A 6-year-old was wounded on the porch.", "victim_tally", [("injured", 1)],
         [("injured", 1)]),
        # victim_same: one hurt told as already known, in an article telling one death
        ("A delivery driver died on Tuesday. The driver was in critical condition at first.",
         "victim_same", [("killed", 1)], [("killed", 1), ("injured", 1)]),
        ("A delivery driver died on Tuesday. The clerk was also in critical condition.",
         "victim_same", [("killed", 1), ("injured", 1)], [("killed", 1), ("injured", 1)]),
        # victim_thing: a number on a thing counts no one
        ("A neighbor returned fire, shooting at least four rounds at the van.", "victim_thing",
         [], [("injured", 4)]),
    ],
)
def test_tallies_things_and_the_same_victim(
    text: str, rule: str, on: list[tuple[str, int]], off: list[tuple[str, int]]
) -> None:
    doc = get_nlp()(text)
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t"))] == on
    rules = frozenset({rule})
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t", off=rules))] == off


def test_victim_fatal_can_be_switched_off() -> None:
    doc = get_nlp()("A clerk was fatally wounded during the robbery.")
    off = frozenset({"victim_fatal"})
    assert [(q.kind, q.low) for q in casualties(victim_statements(doc, "t", off=off))] == [
        ("injured", 1)]


@pytest.mark.parametrize(
    ("title", "killed", "injured"),
    [
        ("1 dead, 2 hurt in Elm Street shooting", 1, 2),
        ("Two killed, three wounded at block party", 2, 3),
        ("5 hurt as patron fires back at gunman", 2, 5),  # killed: the body's
        ("Gunman kills six in Dayton bar", 6, 1),
        # a headline's "teen shot" says who, not how many: the body's count stands
        ("Teen shot near Dayton park", 2, 1),
    ],
)
def test_the_headline_counts_the_articles_own_shooting(
    title: str, killed: int | None, injured: int | None
) -> None:
    from eventfuse.extract.victims import article_statements

    # the body also tells of an earlier shooting with more victims (a roundup paragraph)
    text = ("A man was shot on Elm Street on Friday night, police said.\n\nIn March, two men were "
            "killed and one woman was wounded in a shooting on the same block.")
    doc = get_nlp()(text)
    counts = {q.kind: q.low for q in casualties(article_statements(doc, "t", text, title))}
    assert (counts.get("killed"), counts.get("injured")) == (killed, injured)
    off = frozenset({"victim_headline"})
    counts = {q.kind: q.low
              for q in casualties(article_statements(get_nlp()(text), "t", text, title, off))}
    assert (counts.get("killed"), counts.get("injured")) == (2, 1)


def test_headline_counts_reach_the_mention_with_a_trace() -> None:
    text = ("A man was shot on Elm Street in Dayton on Friday night, police said.\n\nIn March, "
            "two men were killed in a shooting on the same block.")
    title = "1 dead, 3 wounded in Dayton shooting"
    article = _article(text, title)
    mentions, trace = explain_article(article, get_nlp()(text), load_options())
    main = next(m for m in mentions if m.trigger is not None and m.trigger.text == "shot")
    counts = {q.kind: (q.low, q.evidence) for q in main.quantities}
    assert counts["killed"][0] == 1 and counts["injured"][0] == 3
    evidence = counts["injured"][1]
    assert evidence is not None and (evidence.start, evidence.end) == (0, 0)
    assert "wounded" in evidence.text
    assert any(r.rule == "victim_headline" for r in trace)


def test_page_furniture_addressed_to_the_reader_is_no_happening() -> None:
    text = (
        "Whenever George Smith posts new content, you will get an email delivered to your "
        "inbox.\n\nSign in using your account.\n\nGunmen attacked a police post in Dayton "
        "on Monday.\n"
    )
    assert [m.type for m in mentions_of(text)] == ["ASSAULT"]
    assert trace_of(text).count(("reader_address", "dropped")) == 2
    off = load_options({"disabled_rules": "reader_address"})
    assert ("reader_address", "dropped") not in trace_of(text, off)


def test_a_polite_imperative_addresses_the_reader() -> None:
    text = (
        "Please allow scripts in your browser to play the clip.\n\nIf no letter comes within "
        "a day, please check your inbox and confirm your account.\n\nGunmen attacked a "
        "police post in Dayton on Monday.\n"
    )
    assert [m.type for m in mentions_of(text)] == ["ASSAULT"]
    assert trace_of(text).count(("polite_imperative", "dropped")) == 2
    off = load_options({"disabled_rules": "polite_imperative"})
    assert ("polite_imperative", "dropped") not in trace_of(text, off)


def test_a_follow_up_reports_the_violent_happening_its_victims_belong_to() -> None:
    text = (
        "A Dayton man was arrested on Monday, police said. The suspect appeared in court on "
        "Tuesday, where a judge set his bond at $1 million.\n\nHis lawyer declined to comment."
        "\n\nThe victim died at the hospital after he was shot.\n"
    )
    assault = [m for m in mentions_of(text) if m.type == "ASSAULT"]
    assert [(q.kind, q.low) for m in assault for q in m.quantities] == [("killed", 1)]
    assert ("victim_anchor", "reported") in trace_of(text)
    off = load_options({"disabled_rules": "victim_anchor"})
    assert not [m for m in mentions_of(text, options=off) if m.type == "ASSAULT"]


def test_extract_explain_prints_the_trace(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eventfuse.cli import main

    article = tmp_path / "a.txt"
    article.write_text(
        "By Maria Olsen\n\nNo arrests were made after gunmen shot two men in Dayton on Friday.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["extract", str(article), "--published", "2024-03-09",
                                       "--explain"])
    assert result.exit_code == 0, result.output
    assert "eventfuse_filters/negated" in result.output
    assert "MENTION" in result.output and "ASSAULT" in result.output


def test_eval_incidents_refuses_an_unknown_rule(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from eventfuse.cli import main

    result = CliRunner().invoke(main, ["eval", "incidents", str(tmp_path), "--ablate", "nope"])
    assert result.exit_code != 0
    assert "unknown rule" in result.output and "salience" in result.output


def test_a_town_and_its_own_state_are_not_apart() -> None:
    from eventfuse.extract.pipeline import _far
    from eventfuse.records import Place

    state = Place("Virginia", country="US", admin1="Virginia", lat=37.5, lon=-78.8,
                  precision="admin1")
    town = Place("Suffolk", country="US", admin1="Virginia", lat=36.73, lon=-76.58,
                 precision="point")
    other = Place("Reno", country="US", admin1="Nevada", lat=39.53, lon=-119.81,
                  precision="point")
    assert not _far(state, town, 25.0)  # one happening may be told at both levels
    assert _far(town, other, 25.0)


def test_a_page_stamp_dates_no_happening() -> None:
    text = ("Teen wounded in park shooting Posted: Monday, March 11, 2024 9:15 AM EDT\n\n"
            "A 16-year-old boy was shot in the leg at a city park, police said. The boy was "
            "taken to a hospital late Saturday night.")
    published = dt.date(2024, 3, 11)

    def dates(options: Options) -> list[dt.date | None]:
        return [m.when.start if m.when else None
                for m in mentions_of(text, options=options, published=published)
                if m.type == "ASSAULT"]

    assert dates(load_options()) == [dt.date(2024, 3, 9)]
    # without the rule the stamp dates the headline's shooting
    assert dates(load_options({"disabled_rules": "page_stamp"})) == [dt.date(2024, 3, 11)]


def test_a_statement_day_dates_no_happening() -> None:
    text = ("A man was shot in the leg outside a bakery on Elm Street in Millbrook, police said "
            "Thursday. Officers found him on the sidewalk on Tuesday night.")
    published = dt.date(2024, 3, 14)  # a Thursday

    def dates(options: Options) -> list[dt.date | None]:
        return [m.when.start if m.when else None
                for m in mentions_of(text, options=options, published=published)
                if m.type == "ASSAULT"]

    assert dates(load_options()) == [dt.date(2024, 3, 12)]  # the shooting's own Tuesday
    # without the rule the statement's day dates the shooting
    assert dates(load_options({"disabled_rules": "statement_day"})) == [published]


def test_a_follow_up_dates_its_undated_shooting_by_its_lead() -> None:
    title = "Man arrested after neighbor is wounded"
    text = ("Police arrested a 25-year-old man on Tuesday.\n\nOfficers said the man shot his "
            "neighbor in the arm during an argument over a parked car. The neighbor is expected "
            "to recover.")
    published = dt.date(2024, 3, 13)

    def shooting(options: Options) -> Mention:
        # the text's shooting (the headline's is reported beside it: headline_report)
        [found] = [m for m in mentions_of(text, title, options, published)
                   if m.type == "ASSAULT" and m.trigger is not None and m.trigger.end > 0]
        return found

    dated = shooting(load_options())
    assert dated.when is not None and dated.when.start == dt.date(2024, 3, 12)
    assert shooting(load_options({"disabled_rules": "violent_lead_date"})).when is None


def test_a_month_day_without_a_year_is_not_months_ahead() -> None:
    text = "A man was shot on February 1 outside a store, police said."
    published = dt.date(2024, 8, 19)

    def day_of(options: Options) -> dt.date | None:
        [found] = [m for m in mentions_of(text, None, options, published) if m.type == "ASSAULT"]
        return found.when.start if found.when else None

    assert day_of(load_options()) == dt.date(2024, 2, 1)
    assert day_of(load_options({"disabled_rules": "month_day_past"})) == dt.date(2025, 2, 1)


def test_unplaced_happening_takes_the_town_the_article_names_most() -> None:
    # neither the shooting's sentence nor the lead names a place; the article's town is named
    # twice further down (rule article_town, through document_place)
    text = (
        "A man was shot and wounded early Saturday, police said. The victim was taken to a "
        "hospital with injuries that were not life-threatening. Officers are still searching "
        "for the gunman. Neighbors in Mesquite said the street is usually quiet. Mesquite "
        "police ask anyone with information to call."
    )
    [shooting] = mentions_of(text)
    assert shooting.location is not None and shooting.location.canonical == "Mesquite"
    off = load_options({"disabled_rules": "article_town"})
    assert mentions_of(text, options=off)[0].location is None


def test_a_place_read_as_a_name_leaves_a_trace() -> None:
    text = (
        "Two people were wounded in a shooting in Dearborn on Saturday, Michigan State Police "
        "said. Witnesses told Detroit police that Tuttle fled on foot."
    )
    assert ("region_outlier", "changed") in trace_of(text)
    off = load_options({"disabled_rules": "region_outlier"})
    assert ("region_outlier", "changed") not in trace_of(text, off)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Police said the man killed his brother and his aunt at the farm, then killed "
         "himself.", None),
        ("Police said the man killed his brother and his aunt at the farm. He died of a "
         "self-inflicted gunshot wound.", None),
        ("Police said the man killed his brother and his aunt at the farm.",
         "Millbrook man kills 2 relatives, self"),
    ],
)
def test_a_murder_suicide_told_without_the_word_is_one_more_dead(
    text: str, title: str | None
) -> None:
    from eventfuse.extract.victims import article_statements

    doc = get_nlp()(text)

    def killed(off: frozenset[str] = frozenset()) -> int:
        found = casualties(article_statements(doc, "t", text, title, off))
        return max(q.low for q in found if q.kind == "killed")

    assert killed() == 3
    # victim_doer_dead counts a reflexive death in the body too: both off to see it missed
    assert killed(frozenset({"victim_self_dead", "victim_doer_dead"})) == 2


def test_one_who_killed_only_himself_is_one_dead() -> None:
    from eventfuse.extract.victims import article_statements

    text = "Officers found the man at the farm; the coroner said he shot himself."
    title = "Millbrook man takes own life, kills self at farm"
    found = casualties(article_statements(get_nlp()(text), "t", text, title))
    assert [(q.kind, q.low) for q in found if q.kind == "killed"] == [("killed", 1)]


def test_the_one_who_killed_then_himself_is_one_more_dead() -> None:
    from eventfuse.extract.victims import article_statements

    text = ("Police said the man killed his brother and his aunt at the farm. "
            "Investigators called it a murder-suicide.")
    doc = get_nlp()(text)

    def killed(off: frozenset[str] = frozenset()) -> int:
        found = casualties(article_statements(doc, "t", text, None, off))
        return next(q.low for q in found if q.kind == "killed")

    assert killed() == 3  # the two he killed, and himself
    assert killed(frozenset({"victim_suicide"})) == 2
    # the dead told alone ("three dead") may hold him: left as told
    alone = "Three people died at the farm in an apparent murder-suicide."
    found = casualties(article_statements(get_nlp()(alone), "t", alone, None))
    assert [(q.kind, q.low) for q in found] == [("killed", 3)]


@pytest.mark.parametrize(
    ("title", "on", "off"),
    [
        ("Grandfather, nephew killed in shooting at a car wash", 2, 1),
        # the first has a fate of its own: not counted twice
        ("Clerk killed in robbery; customer, guard hurt", 1, 1),
    ],
)
def test_a_headline_comma_joins_two_victims(title: str, on: int, off: int) -> None:
    from eventfuse.extract.victims import headline_statements

    def killed(rules: frozenset[str]) -> int:
        found = headline_statements(get_nlp()(title), "t", rules)
        return max(s.count for s in found if s.kind == "killed")

    assert killed(frozenset()) == on
    assert killed(frozenset({"victim_headline_pair"})) == off


def test_part_of_a_town_leaves_a_trace_and_places_the_happening() -> None:
    text = "A man was shot and wounded in west Charlotte on Friday night, police said."
    assert ("compass_part", "changed") in trace_of(text)
    [shooting] = mentions_of(text)
    assert shooting.location is not None and shooting.location.admin1 == "North Carolina"
    off = load_options({"disabled_rules": "compass_part"})
    assert ("compass_part", "changed") not in trace_of(text, off)


@pytest.mark.parametrize(
    ("title", "found"),
    [
        ("3 Shot, 1 Killed Outside Elm Street Diner", [("shot", 3), ("killed", 1)]),
        ("Two Dead, Five Wounded at Dayton Block Party", [("killed", 2), ("injured", 5)]),
        ("4 people hurt in Oak Park shooting", [("injured", 4)]),
        ("2 teens shot dead near school", [("killed", 2)]),
        # a list before the number adds up; not a part with a fate of its own, nor an age
        ("2 adults, 3 children killed in house fire shooting", [("killed", 5)]),
        ("Woman, 2 children dead in Elm Street home", [("killed", 3)]),
        ("Parents, 3 children dead in Elm Street home", [("killed", 5)]),  # pair_nouns
        ("Father of 3 killed on Elm Street", []),  # victim_partitive
        ("4 shot to death in Elm Street home", [("killed", 4)]),  # victim_fatal
        ("Man, 20, and 2 teens shot at park", [("shot", 2)]),
        # a list of people with no number before the fate word; one person alone is the parse's
        ("Mother, son dead after Elm Street shooting", [("killed", 2)]),
        ("2 guards, gunman dead at Dayton mall", [("killed", 3)]),
        ("Teen shot on Elm Street", []),
        # a tally is no one happening's toll
        ("4 killed, 9 wounded in weekend shootings across Dayton", []),
        # an age is set off by commas; "10-year-old" is no count; two words apart is too far
        ("Girl, 6, Dies After Shooting", []),
        ("10-year-old shot on porch", []),
        ("5 Dayton police officers wounded", []),
        # victim_headline_others: the shot told after the dead, or as others, are the hurt
        ("2 dead, 5 shot outside Elm Street diner", [("killed", 2), ("injured", 5)]),
        ("Man killed, three others shot at Dayton party", [("injured", 3)]),
        ("Woman killed, another hurt near Elm Park", [("injured", 1)]),
        ("Another man shot on Elm Street", []),  # "another" first: no part before it
    ],
)
def test_a_headlines_number_before_its_fate_word_counts(
    title: str, found: list[tuple[str, int]]
) -> None:
    from eventfuse.extract.victims import headline_numbers

    assert [(s.kind, s.count) for s in headline_numbers(title, "t")] == found


def test_the_shot_after_the_dead_in_a_headline_are_not_the_dead_among_them() -> None:
    from eventfuse.extract.victims import headline_numbers

    title = "2 dead, 5 shot outside Elm Street diner"
    assert [(s.kind, s.count) for s in headline_numbers(title, "t", others=False)] == [
        ("killed", 2), ("shot", 5)]
    # the shot first: the dead are among them
    assert [(s.kind, s.count) for s in headline_numbers("3 shot, 1 dead outside diner", "t")] == [
        ("shot", 3), ("killed", 1)]


def test_the_headline_pattern_counts_what_title_case_hides_from_the_parser() -> None:
    from eventfuse.extract.victims import article_statements

    text = "Police were called to a bar on Elm Street on Friday night. Officers found victims."
    title = "1 Dead, 4 Wounded In Elm Street Bar Shooting"
    counts = {q.kind: q.low for q in casualties(
        article_statements(get_nlp()(text), "t", text, title))}
    assert counts == {"killed": 1, "injured": 4}
    off = frozenset({"victim_headline_number"})
    counts = {q.kind: q.low for q in casualties(
        article_statements(get_nlp()(text), "t", text, title, off))}
    assert counts.get("killed") is None  # the parse reads "1 Dead" as no one's fate


@pytest.mark.parametrize(
    ("text", "title", "rule", "on", "off"),
    [
        # victim_age: a number between commas is an age, in a headline and in the text
        ("Officers were called to the house on Maple Lane.", "Boy, 6, Dies After Accidental "
         "Shooting In Millbrook", "victim_age", {}, {"killed": 6}),
        # victim_partitive: the part is the count; a noun's "of 4" is not the victims'
        ("One of three people hit by gunfire on Friday has died.", None, "victim_partitive",
         {"killed": 1}, {"killed": 3}),
        ("Officers were called to the house on Maple Lane.", "Father Of 3 Killed In Millbrook",
         "victim_partitive", {}, {"killed": 3}),
        ("Officers were called to the house on Maple Lane.", "Teen Who Was 1 Of 6 Hurt In "
         "Millbrook Shooting Speaks", "victim_partitive", {"injured": 6}, {"injured": 6}),
        # victim_fatal in the headline's pattern: "shot to death" are killed, not shot
        ("Officers were called to the house on Maple Lane.", "3 Shot To Death In Millbrook "
         "Home", "victim_fatal", {"killed": 3}, {"killed": 1, "injured": 3}),
        # victim_noun_list: a list after a death noun adds up
        ("Police are investigating the deaths of a woman and her two sons in Millbrook.", None,
         "victim_noun_list", {"killed": 3}, {"killed": 1}),
        # victim_other_death: a state told beside someone else's death
        ("An 8-year-old girl died on Sunday and her mother remains in the hospital.", None,
         "victim_other_death", {"killed": 1, "injured": 1}, {"killed": 1}),
        ("Two men died at the scene, and a third man was listed in critical condition.", None,
         "victim_other_death", {"killed": 2, "injured": 1}, {"killed": 2}),
        ("A man was taken to a hospital in critical condition, where he died.", None,
         "victim_other_death", {"killed": 1}, {"killed": 1}),
    ],
)
def test_ages_parts_and_lists_in_the_victims_count(
    text: str, title: str | None, rule: str, on: dict[str, int], off: dict[str, int]
) -> None:
    from eventfuse.extract.victims import article_statements

    def counts(rules: frozenset[str]) -> dict[str, int]:
        doc = get_nlp()(text)
        return {q.kind: q.low for q in casualties(article_statements(doc, "t", text, title,
                                                                      rules))}

    assert counts(frozenset()) == on
    assert counts(frozenset({rule})) == off

@pytest.mark.parametrize(
    ("text", "on"),
    [
        ("Two men were found on Maple Lane. Both remain hospitalized.", {}),  # no count on "both"
        ("A man was killed on Maple Lane. A teenage girl remains hospitalized.",
         {"killed": 1, "injured": 1}),
        ("Shots were fired on Maple Lane. The four victims have been hospitalized.",
         {"injured": 4}),
        ("Shots were fired on Maple Lane. A 9-year-old boy is recovering at a hospital.",
         {"injured": 1}),
        ("Shots were fired on Maple Lane. Her brother is fighting for his life.",
         {"injured": 1}),
        ("Shots were fired on Maple Lane. The driver was treated and released from the hospital.",
         {"injured": 1}),
        ("Shots were fired on Maple Lane. The woman is still in the hospital.", {"injured": 1}),
        # a visit is no stay, a thing recovered is no one, a death in the sentence tells a death
        ("Shots were fired on Maple Lane. Her uncle was at the hospital on Sunday.", {}),
        ("Shots were fired on Maple Lane. A rifle was recovered behind the house.", {}),
        ("A man was taken to a hospital in Millbrook, where he died.", {"killed": 1}),
    ],
)
def test_someone_kept_in_a_hospital_is_hurt(text: str, on: dict[str, int]) -> None:
    # victim_hospital: a stay in a hospital tells someone hurt and alive
    from eventfuse.extract.victims import article_statements

    def counts(rules: frozenset[str]) -> dict[str, int]:
        doc = get_nlp()(text)
        return {q.kind: q.low for q in casualties(article_statements(doc, "t", text, None,
                                                                      rules))}

    assert counts(frozenset()) == on
    assert "injured" not in counts(frozenset({"victim_hospital"}))


@pytest.mark.parametrize(
    ("text", "on", "off"),
    [
        # a wound that does not threaten life: alive, besides the dead (off: the shot, the dead
        # among them)
        ("A man was killed on Maple Lane. A woman was treated for "
         "non-life-threatening injuries.", {"killed": 1, "injured": 1}, {"killed": 1}),
        ("Two men died on Maple Lane. A teenager was treated for minor wounds.",
         {"killed": 2, "injured": 1}, {"killed": 2}),
        ("A driver died in Millbrook on Sunday. His passenger was treated for injuries that "
         "were not life-threatening.", {"killed": 1, "injured": 1}, {"killed": 1}),
        # an expectation to live
        ("One man died at the scene on Maple Lane. A second man is expected to survive.",
         {"killed": 1, "injured": 1}, {"killed": 1}),
        ("Shots were fired on Maple Lane. Three teenagers are expected to be okay.",
         {"injured": 3}, {}),
        # not when the expectation is denied
        ("A man was killed on Maple Lane. His cousin is not expected to survive.",
         {"killed": 1}, {"killed": 1}),
    ],
)
def test_a_hurt_person_told_to_live_is_hurt_besides_the_dead(
    text: str, on: dict[str, int], off: dict[str, int]
) -> None:
    # victim_survives
    from eventfuse.extract.victims import article_statements

    def counts(rules: frozenset[str]) -> dict[str, int]:
        doc = get_nlp()(text)
        return {q.kind: q.low for q in casualties(article_statements(doc, "t", text, None,
                                                                      rules))}

    assert counts(frozenset()) == on
    assert counts(frozenset({"victim_survives"})) == off


def test_a_count_read_by_a_named_rule_leaves_its_name_in_the_trace() -> None:
    text = ("A man was killed on Maple Lane. A woman was treated for "
            "non-life-threatening injuries.")
    assert ("victim_survives", "changed") in trace_of(text)
    off = load_options({"disabled_rules": "victim_survives"})
    assert ("victim_survives", "changed") not in trace_of(text, off)


def test_happening_without_a_place_takes_the_headline_place() -> None:
    # rule headline_place: the text names no town, the headline's outlet line does
    text = "Three men were shot at an apartment complex on Wednesday night, police said."
    title = "Three shot at apartments - WXYZ News - Akron, Ohio"
    [shooting] = mentions_of(text, title)
    assert shooting.location is not None and shooting.location.admin1 == "Ohio"
    evidence = shooting.location.evidence
    assert evidence is not None and (evidence.start, evidence.end) == (0, 0)
    off = load_options({"disabled_rules": "headline_place"})
    [unplaced] = mentions_of(text, title, off)
    assert unplaced.location is None or unplaced.location.lat is None

def test_a_follow_ups_day_does_not_date_the_shooting_it_names() -> None:
    # Published Saturday 9 March: the arrest was Tuesday the 5th, the shooting the Saturday
    # before (2 March). Read with the sentence's nearest time the shooting took the arrest's day
    # and stayed apart from the clerk's shooting told below.
    text = (
        "A 30-year-old man was arrested Tuesday in the shooting of a store clerk in Millbrook."
        "\n\nThe clerk was shot last Saturday night outside the shop on Elm Street, police said."
        " She is recovering."
    )
    on = [m for m in mentions_of(text) if m.type == "ASSAULT"]
    assert [m.when.start if m.when else None for m in on] == [dt.date(2024, 3, 2)]
    assert ("follow_up_date", "changed") in trace_of(text)
    off = load_options({"disabled_rules": "follow_up_date"})
    days = {m.when.start if m.when else None for m in mentions_of(text, options=off)
            if m.type == "ASSAULT"}
    assert dt.date(2024, 3, 5) in days


def test_a_comma_ends_the_phrase_a_fate_adjective_describes() -> None:
    # "dead" hangs on "others" in the parse; the dead one is the 9-year-old, not the three
    from eventfuse.extract.victims import article_statements

    text = "Officers were called to the house on Maple Lane."
    title = "9-year-old dead, three others wounded in east side shooting"
    counts = {q.kind: q.low for q in casualties(
        article_statements(get_nlp()(text), "t", text, title))}
    assert counts == {"injured": 3}


@pytest.mark.parametrize(
    ("text", "referred"),
    [
        ("Police charged a Newbury man on Monday with killing his neighbor.", True),
        ("The teen was arrested Friday in the fatal shooting of a cab driver.", True),
        ("Officers arrested him on Friday after the shooting at the mall.", False),
        ("A hearing Wednesday in the shooting of a Millbrook teen was delayed.", True),
    ],
)
def test_back_references_follow_the_follow_ups_phrase(text: str, referred: bool) -> None:
    from eventfuse.extract.events import detect_events
    from eventfuse.extract.followups import back_references
    from eventfuse.extract.victims import victim_event_types

    candidates = detect_events(get_nlp()(text), keep_presupposed=True)
    assert bool(back_references(candidates, victim_event_types())) is referred


def test_a_page_without_the_story_reports_the_headlines_happening() -> None:
    text = ("Sign in to comment. Thank you for registering! Please check your email to "
            "activate your account.")
    title = "Two men wounded in shooting in Oakdale"
    [told] = [m for m in mentions_of(text, title) if m.type == "ASSAULT"]
    assert told.location is not None and told.location.name == "Oakdale"
    assert told.trigger is not None and (told.trigger.start, told.trigger.end) == (0, 0)
    assert ("headline_happening", "reported") in trace_of_titled(text, title)
    off = load_options({"disabled_rules": "headline_happening"})
    assert not [m for m in mentions_of(text, title, off) if m.type == "ASSAULT"]


def test_the_headline_adds_nothing_when_the_text_tells_the_shooting() -> None:
    text = "Two men were wounded in a shooting outside a bar in Oakdale on Friday night."
    title = "Two men wounded in shooting outside Oakdale bar"
    assaults = [m for m in mentions_of(text, title) if m.type == "ASSAULT"]
    assert len(assaults) == 1 and assaults[0].trigger is not None
    assert assaults[0].trigger.start > 0


def trace_of_titled(text: str, title: str) -> list[tuple[str, str]]:
    _, trace = explain_article(_article(text, title), get_nlp()(text), load_options())
    return [(r.rule, r.action) for r in trace]


def test_a_follow_up_led_article_reports_its_headlines_happening_too() -> None:
    text = ("Police arrested a 22-year-old man in Millbrook on Tuesday and charged him with "
            "assault.\n\nOfficers said he shot a neighbor during an argument last week. The "
            "neighbor is recovering.")
    title = "Man arrested in Millbrook shooting"
    told = [m for m in mentions_of(text, title) if m.trigger is not None and m.trigger.end == 0]
    assert [(m.type, m.location.name if m.location else None) for m in told] == [
        ("ASSAULT", "Millbrook")]
    assert ("headline_report", "reported") in trace_of_titled(text, title)
    off = load_options({"disabled_rules": "headline_report"})
    assert not [m for m in mentions_of(text, title, off)
                if m.trigger is not None and m.trigger.end == 0]


def test_the_headlines_report_beside_the_texts_takes_its_date() -> None:
    text = ("Police arrested a 22-year-old man in Millbrook on Tuesday and charged him with "
            "assault.\n\nOfficers said he shot a neighbor in Fairview on Saturday during an "
            "argument. The neighbor is recovering.")
    title = "Man arrested in Millbrook shooting"
    published = dt.date(2024, 3, 14)
    mentions = mentions_of(text, title, published=published)
    told = [m for m in mentions if m.trigger is not None and m.trigger.end == 0]
    shot = [m for m in mentions if m.type == "ASSAULT" and m not in told]
    assert len(told) == 1 and len(shot) == 1
    assert told[0].when == shot[0].when
    assert shot[0].when is not None and shot[0].when.start == dt.date(2024, 3, 9)
    off = load_options({"disabled_rules": "headline_joins_violent"})
    alone = [m for m in mentions_of(text, title, off, published)
             if m.trigger is not None and m.trigger.end == 0]
    assert alone and alone[0].when != shot[0].when

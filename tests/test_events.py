"""Event detection and typing on sentences written for these tests."""

from __future__ import annotations

import pytest

from eventfuse.extract.events import (
    EventCandidate,
    detect_events,
    main_event,
    normalize_category,
    stated_category,
)
from eventfuse.nlp import get_nlp


def events(text: str, include_unreal: bool = False) -> list[EventCandidate]:
    return detect_events(get_nlp()(text), include_unreal=include_unreal)


def only(text: str) -> EventCandidate:
    found = events(text)
    assert found, f"no event in {text!r}"
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "mode"),
    [
        ("Thousands of nurses marched through the city centre on Friday.", "PROTEST", "demo"),
        ("Workers went on a general strike across the country.", "PROTEST", "strike"),
        ("The foreign minister visited Nairobi on Tuesday.", "CONSULT", "visit"),
        ("The opposition leader called for early elections.", "REQUEST", None),
        ("The two presidents held talks in Geneva.", "CONSULT", "negotiate"),
        ("The ministry condemned the decision in a statement.", "ACCUSE", "disapprove"),
        ("Police detained four journalists at the airport.", "COERCE", "arrest"),
        ("Gunmen kidnapped two aid workers near the border.", "ASSAULT", "abduct"),
        ("The government rejected the proposal on Monday.", "REJECT", None),
        ("Fighter jets carried out airstrikes on the rebel base.", "ASSAULT", "aerial"),
    ],
)
def test_types_and_modes(text: str, kind: str, mode: str | None) -> None:
    event = only(text)
    assert (event.type, event.mode) == (kind, mode)


def test_call_alone_is_not_an_event_but_call_for_is() -> None:
    assert events("She called her brother last night.") == []
    assert only("The union called on members to stop work.").type == "REQUEST"


@pytest.mark.parametrize(
    "text",
    [
        "The army did not attack the village.",  # negation
        "The minister will visit Lagos next month.",  # future plan
        "The president plans to visit Paris in May.",  # plan
        "Officials said the deal could help the economy recover.",  # hypothetical
        "The opposition has long accused the government of fraud.",  # habitual
    ],
)
def test_what_did_not_happen_is_left_out(text: str) -> None:
    assert events(text) == []


def test_unreal_clauses_keep_what_they_state_for_evaluation() -> None:
    visit = main_event(events("The minister will visit Lagos next month.", include_unreal=True))
    boycott = main_event(events("The party said it would boycott the vote.", include_unreal=True))
    assert visit is not None and visit.type == "AGREE" and visit.unreal == "intent"
    assert boycott is not None and boycott.type == "THREATEN"
    assert stated_category("CONSULT", "negated") == "REJECT"
    assert stated_category("ASSAULT", None) == "ASSAULT"


def test_one_protest_per_sentence() -> None:
    found = events(
        "Hundreds rallied in the square, chanting slogans as they marched to the palace."
    )
    assert [e.type for e in found] == ["PROTEST"]


def test_quoted_speech_is_not_an_event_of_the_article() -> None:
    text = "“We will attack them everywhere and we demand justice,” the commander said."
    assert [e for e in events(text) if e.type in ("ASSAULT", "REQUEST")] == []


def test_claim_attribution_and_status() -> None:
    claimed = only("The rebels claimed that they had captured the airport.")
    assert claimed.status == "claimed" and claimed.attribution == "The rebels"
    alleged = only("Local media reports, citing anonymous sources, said troops shelled the town.")
    assert alleged.status == "alleged"
    assert alleged.attribution is not None and "citing anonymous sources" in alleged.attribution
    plain = only("Police arrested three men in the market, according to the state news agency.")
    assert plain.attribution == "according to the state news agency"
    assert plain.status == "reported"


@pytest.mark.parametrize(
    ("text", "sub_event"),
    [
        ("A drone strike hit a car near the village on Tuesday.", "Air/drone strike"),
        (
            "Government forces shelled the northern districts with artillery.",
            "Shelling/artillery/missile attack",
        ),
        ("A roadside bomb exploded next to a police vehicle.", "Remote explosive/landmine/IED"),
        ("A suicide bomber blew himself up at a checkpoint.", "Suicide bomb"),
        ("Unknown assailants threw a grenade into a market.", "Grenade"),
        ("Heavy clashes broke out between the army and rebel fighters.", "Armed clash"),
        (
            "Insurgents captured the district headquarters after an assault.",
            "Non-state actor overtakes territory",
        ),
        ("The army recaptured the town from the militants.", "Government regains territory"),
        ("Police fired tear gas to disperse hundreds of protesters.", "Protest with intervention"),
        (
            "Security forces opened fire on demonstrators, killing five protesters.",
            "Excessive force against protesters",
        ),
        ("Rioters torched several cars and vandalized shops.", "Violent demonstration"),
        ("An angry mob lynched a man in the village.", "Mob violence"),
        ("Gunmen abducted a local journalist from his home.", "Abduction/forced disappearance"),
        ("Unidentified gunmen killed three farmers in their fields.", "Attack"),
        ("Police arrested twelve opposition activists.", "Arrests"),
        ("The two sides signed a ceasefire agreement on Wednesday.", "Agreement"),
        ("Looters ransacked government offices.", "Looting/property destruction"),
        ("Students staged a sit-in outside the ministry.", "Peaceful protest"),
        ("Fighters of two rival militias exchanged fire near the market.", "Armed clash"),
        (
            "Residents gathered peacefully outside the town hall to demand water.",
            "Peaceful protest",
        ),
        ("Riot police detained dozens of protesters during a march.", "Protest with intervention"),
        ("Soldiers defused a bomb planted near the school.", "Disrupted weapons use"),
    ],
)
def test_acled_crosswalk(text: str, sub_event: str) -> None:
    assert only(text).acled_sub_event_type == sub_event


def test_old_plover_names_map_to_current_ones() -> None:
    assert normalize_category("DEMAND") == ("REQUEST", None)
    assert normalize_category("INVESTIGATE") == ("ACCUSE", "investigate")
    assert normalize_category("FIGHT", "heavy-weapons") == ("ASSAULT", "heavy-weapons")
    assert normalize_category("protest", "demo") == ("PROTEST", "demo")


def test_trigger_offsets_index_the_text() -> None:
    doc = get_nlp()("Yesterday rebels conducted airstrikes on the town.")
    event = detect_events(doc)[0]
    start, end = event.trigger_span
    assert doc.text[start:end] == "conducted airstrikes"


# --- assembly (extract_mentions) on an article written for the test ----------------------------


def test_extract_mentions_assembles_fields() -> None:
    import datetime as dt

    from eventfuse.extract import ExtractError, extract_mentions
    from eventfuse.records import Article

    text = (
        "Hundreds of teachers marched in Nairobi and Mombasa on Monday to demand higher pay.\n\n"
        "The union leader called for a national strike amid clashes in Kisumu.\n\n"
        "The minister will visit Mombasa next week."
    )
    article = Article(id="a1", text=text, published=dt.date(2024, 3, 6), outlet="Test Daily")
    mentions = extract_mentions(article, get_nlp()(text))
    protests = [m for m in mentions if m.type == "PROTEST"]
    assert {m.location.name for m in protests if m.location} == {"Nairobi", "Mombasa"}
    assert len({m.id for m in mentions}) == len(mentions)
    assert all(m.when and m.when.start == dt.date(2024, 3, 4) for m in protests)
    assert all({q.text.lower() for q in m.quantities} == {"hundreds"} for m in protests)
    request = next(m for m in mentions if m.type == "REQUEST")
    assert request.location is None  # Kisumu is where the clashes are, not where he spoke
    assert request.quantities == ()  # a crowd size is not the size of a call
    assert not any(m.type in ("CONSULT", "AGREE") for m in mentions)  # a planned visit
    assert all(m.outlet == "Test Daily" and m.published == dt.date(2024, 3, 6) for m in mentions)
    with pytest.raises(ExtractError):
        extract_mentions(article, get_nlp()(text + " Extra."))

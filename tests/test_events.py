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
    from eventfuse.extract import explain_article
    from eventfuse.settings import load_options

    article = Article(id="a1", text=text, published=dt.date(2024, 3, 6), outlet="Test Daily")
    # The union leader's call has no place, date or named party of its own: salience leaves it
    # unreported (in the trace); with salience off, its arguments are still read right.
    _, trace = explain_article(article, get_nlp()(text))
    assert any(r.type == "REQUEST" and r.rule == "salience" for r in trace)
    mentions = extract_mentions(article, get_nlp()(text),
                                load_options({"disabled_rules": "salience"}))
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


def test_a_denied_happening_is_kept_with_status_denied() -> None:
    found = events("The army denied that its soldiers had shelled the village.")
    shelling = next(e for e in found if e.type == "ASSAULT")
    assert shelling.status == "denied" and shelling.attribution == "The army"
    assert any(e.type == "REJECT" for e in found)


# --- generalization: sentences written for these checks, never tuned on one by one ---------

OWN_PLOVER = [
    ("AGREE", "The two governments agreed on Thursday to expand trade links."),
    ("AGREE", "Japan pledged to double its development assistance to Kenya."),
    ("AGREE", "The rebels promised to free all prisoners by the end of the month."),
    ("CONSULT", "The Indian prime minister met his Chinese counterpart in Beijing on Monday."),
    ("CONSULT", "Egypt hosted talks between Israeli and Palestinian negotiators."),
    ("CONSULT", "The German chancellor telephoned the French president to discuss the crisis."),
    ("SUPPORT", "The European Union praised Ghana for its peaceful elections."),
    ("SUPPORT", "Brazil recognized the new government in Bolivia on Friday."),
    ("SUPPORT", "The Pope apologized to indigenous communities for abuses."),
    ("COOPERATE", "Colombia and Peru agreed to share intelligence on drug traffickers."),
    ("AID", "The World Food Programme delivered food to 20,000 refugees in Chad."),
    ("AID", "Norway donated 10 million dollars to the flood relief effort."),
    ("CONCEDE", "The junta eased restrictions on political parties on Sunday."),
    ("CONCEDE", "The government lifted the ban on opposition newspapers."),
    ("RETREAT", "Rebel forces withdrew from the northern town after weeks of fighting."),
    ("RETREAT", "The militia released 40 hostages on Saturday."),
    ("REQUEST", "The UN Secretary-General urged both sides to exercise restraint."),
    ("REQUEST", "Opposition leaders demanded the resignation of the interior minister."),
    ("REQUEST", "The families appealed to the government to find the missing miners."),
    ("ACCUSE", "Human rights groups accused the police of torturing detainees."),
    ("ACCUSE", "The foreign ministry criticized the decision as provocative."),
    ("ACCUSE", "Prosecutors launched an investigation into the minister's finances."),
    ("REJECT", "The president rejected calls for his resignation."),
    ("REJECT", "Iran refused to allow inspectors into the site."),
    ("REJECT", "The army denied the charges on Monday."),
    ("THREATEN", "The government threatened to expel foreign journalists."),
    ("THREATEN", "North Korea warned it would respond with force to any attack."),
    ("PROTEST", "Hundreds of students demonstrated outside the embassy on Tuesday."),
    ("PROTEST", "Taxi drivers went on strike to protest fuel prices."),
    ("PROTEST", "Inmates began a hunger strike over prison conditions."),
    ("PROTEST", "Farmers blocked the main highway with tractors."),
    ("SANCTION", "The United States imposed sanctions on three senior officials."),
    ("SANCTION", "Canada expelled two Russian diplomats on Wednesday."),
    ("SANCTION", "The EU suspended aid to the government after the coup."),
    ("MOBILIZE", "The army deployed thousands of troops along the border."),
    ("MOBILIZE", "The government mobilized its reserves as tensions rose."),
    ("COERCE", "Police arrested the opposition leader at his home."),
    ("COERCE", "Authorities imposed a curfew in the capital after the riots."),
    ("COERCE", "The government banned all public gatherings."),
    ("ASSAULT", "Militants attacked a military convoy, killing nine soldiers."),
    ("ASSAULT", "Gunmen kidnapped a foreign engineer in the oil region."),
    ("ASSAULT", "Artillery shells hit residential areas of the city overnight."),
    ("ASSAULT", "A car bomb exploded outside a hotel in the capital."),
]

OWN_ACLED = [
    (
        "Armed clash",
        "On 3 March, two rival militias exchanged fire outside the town, leaving two dead.",
    ),
    (
        "Armed clash",
        "Soldiers and suspected jihadists fought for several hours near the village on Friday.",
    ),
    ("Armed clash", "Government troops ambushed an armed group near the river, killing four."),
    (
        "Air/drone strike",
        "A US drone struck a vehicle carrying suspected militants in the district.",
    ),
    (
        "Air/drone strike",
        "Military helicopters bombed insurgent hideouts in the mountains on Sunday.",
    ),
    (
        "Shelling/artillery/missile attack",
        "Rebels fired rockets at the airport late on Monday, damaging a runway.",
    ),
    (
        "Shelling/artillery/missile attack",
        "Mortar rounds landed in a residential neighbourhood, wounding three children.",
    ),
    (
        "Remote explosive/landmine/IED",
        "An IED detonated as a military patrol passed on the main road.",
    ),
    (
        "Remote explosive/landmine/IED",
        "A landmine killed two shepherds grazing their animals near the border.",
    ),
    (
        "Suicide bomb",
        "A suicide attacker detonated an explosive vest at a mosque during Friday prayers.",
    ),
    ("Grenade", "Assailants hurled a hand grenade at a police station, injuring two officers."),
    ("Attack", "Armed men attacked a village and killed seven civilians on Tuesday night."),
    ("Attack", "Unknown gunmen shot dead a local councillor outside his home."),
    (
        "Abduction/forced disappearance",
        "Armed bandits kidnapped 15 passengers from a bus on the highway.",
    ),
    ("Sexual violence", "Soldiers raped two women in the village during a search operation."),
    (
        "Peaceful protest",
        "Residents gathered peacefully in front of the governor's office to demand clean water.",
    ),
    ("Peaceful protest", "Hundreds of workers rallied in the capital against the new labour law."),
    (
        "Protest with intervention",
        "Police dispersed a demonstration by opposition supporters with water cannon.",
    ),
    (
        "Protest with intervention",
        "Riot police detained dozens of protesters during a march in the city centre.",
    ),
    (
        "Excessive force against protesters",
        "Troops shot dead three demonstrators during a protest against the coup.",
    ),
    (
        "Violent demonstration",
        "Protesters threw stones at police and set tyres on fire in the town.",
    ),
    ("Violent demonstration", "Demonstrators stormed the parliament building and smashed windows."),
    ("Mob violence", "A mob attacked a man suspected of witchcraft and beat him to death."),
    ("Arrests", "Security forces detained a prominent journalist at the airport on Wednesday."),
    ("Agreement", "The government and the rebel group signed a peace deal in the capital."),
    (
        "Looting/property destruction",
        "Militants burned down a school and several houses in the village.",
    ),
    (
        "Non-state actor overtakes territory",
        "Jihadist fighters seized control of the town after government forces fled.",
    ),
    (
        "Government regains territory",
        "The national army retook control of the district from insurgents on Saturday.",
    ),
    (
        "Headquarters or base established",
        "The armed group established a new base in the forest near the border.",
    ),
    (
        "Non-violent transfer of territory",
        "Rebels handed over control of the town to government forces without fighting.",
    ),
    (
        "Disrupted weapons use",
        "Soldiers defused an explosive device planted on the road to the market.",
    ),
]


def test_plover_typing_generalizes_to_own_sentences() -> None:
    docs = get_nlp().pipe(text for _, text in OWN_PLOVER)
    chosen = [main_event(detect_events(doc, include_unreal=True)) for doc in docs]
    right = sum(
        c is not None and c.type == gold for (gold, _), c in zip(OWN_PLOVER, chosen, strict=True)
    )
    assert right / len(OWN_PLOVER) >= 0.9  # 42/43 when written


def test_acled_crosswalk_generalizes_to_own_snippets() -> None:
    docs = get_nlp().pipe(text for _, text in OWN_ACLED)
    firsts = [next(iter(detect_events(doc)), None) for doc in docs]
    right = sum(
        f is not None and f.acled_sub_event_type == gold
        for (gold, _), f in zip(OWN_ACLED, firsts, strict=True)
    )
    assert right / len(OWN_ACLED) >= 0.9  # 30/31 when written


@pytest.mark.parametrize(
    "text",
    [
        "Rebel groups have staged many raids in the northern province in recent years.",
        "The movement has fought for decades to overthrow the monarchy.",
        "It has carried out frequent ambushes in the hill districts.",
        "The rebels have been attacking army posts since 2012.",
        "The militia repeatedly shelled the town's outskirts.",
    ],
)
def test_background_statements_are_not_happenings(text: str) -> None:
    assert events(text) == []


def test_a_dated_happening_is_still_real() -> None:
    assert only("Rebels attacked an army post near the border on Monday.").type == "ASSAULT"


def test_a_fallback_verb_modifying_a_noun_is_no_happening() -> None:
    text = (
        "Grain shipments bound for Juba and Kampala left the depot, with lorries serving the route."
    )
    assert {c.trigger.lower_ for c in events(text)} & {"bound", "serving"} == set()


def test_a_present_tense_clause_set_next_week_has_not_happened() -> None:
    text = (
        "Opposition leaders will decide on a boycott after the electoral board meets next Tuesday."
    )
    assert all(c.trigger.lower_ != "meets" for c in events(text))
    kept = [c for c in events(text, include_unreal=True) if c.trigger.lower_ == "meets"]
    assert kept and kept[0].unreal == "future"
    assert any(c.trigger.lower_ == "met" for c in events("The electoral board met on Tuesday."))


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("The terminal handled four thousand containers in May.", "handled"),
        ("Customers were buying bread at the bakery on Friday.", "buying"),
        ("Residents locked their doors as the rally approached the square.", "approached"),
        ("A teacher who helped organise the boycott spoke to reporters.", "helped"),
    ],
)
def test_a_fallback_verb_of_a_thing_a_shopper_or_an_event_is_no_happening(
    text: str, trigger: str
) -> None:
    assert all(c.trigger.lower_ != trigger for c in events(text))


def test_a_fallback_verb_of_a_political_actor_or_its_own_event_is_kept() -> None:
    assert [c.type for c in events("The minister joined the delegation in Cairo.")] == ["CONSULT"]
    hit = events("A roadside blast hit the convoy near the river.")
    assert [(c.trigger.lower_, c.type) for c in hit] == [("hit", "ASSAULT")]
    assert any(c.type == "PROTEST" for c in events("A teacher helped organise the boycott."))


def test_a_thing_as_active_subject_reports_no_happening_but_a_passive_one_does() -> None:
    eased = events("Congestion on the ring road eased after the new bridge opened.")
    assert all(c.trigger.lower_ != "eased" for c in eased)
    destroyed = events("Two markets were destroyed in the shelling on Sunday.")
    assert any(c.trigger.lower_ == "destroyed" and c.type == "COERCE" for c in destroyed)


@pytest.mark.parametrize(
    ("text", "trigger"),
    [
        ("Nurses walked out of the hospital, joining a week of action in the region.", "joining"),
        ("The clinic received forty injured people after the crash.", "received"),
    ],
)
def test_a_circumstance_or_a_clinic_receiving_patients_is_no_happening(
    text: str, trigger: str
) -> None:
    assert all(c.trigger.lower_ != trigger for c in events(text))


def test_a_visitor_received_is_still_hosted() -> None:
    hosted = events("The president received the Chinese envoy at the palace.")
    assert [(c.type, c.mode) for c in hosted] == [("CONSULT", "host")]


def test_a_fallback_verb_in_a_relative_clause_describes_its_noun() -> None:
    found = events("The minister met the envoy who handled the file.")
    assert [(c.trigger.lower_, c.type) for c in found] == [("met", "CONSULT")]



def _unreal_of(text: str, lemma: str) -> EventCandidate:
    found = [c for c in events(text, include_unreal=True) if c.trigger.lemma_ == lemma]
    assert found, f"no {lemma!r} candidate in {text!r}"
    return found[0]


@pytest.mark.parametrize(
    ("text", "lemma", "reason", "kind"),
    [
        # rule irrealis_scope: a purpose clause under a required or intended act is one too
        (
            "The council said the army must secure the road to allow aid convoys to pass.",
            "allow",
            "obligation",
            "REQUEST",
        ),
        (
            "Ruritania is ready to send engineers to help rebuild the bridge.",
            "help",
            "intent",
            "AGREE",
        ),
        # ... and only then: under a real happening an infinitival clause stays one
        (
            "Troops arrived in the town to help evacuate residents.",
            "help",
            "infinitival complement",
            "AID",
        ),
    ],
)
def test_irrealis_scope_over_purpose_clauses(text: str, lemma: str, reason: str, kind: str) -> None:
    cand = _unreal_of(text, lemma)
    assert (cand.unreal, cand.type) == (reason, kind)


def test_irrealis_scope_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from eventfuse.extract import status

    cues = replace(status.get_cues(), irrealis_scope=frozenset())
    monkeypatch.setattr(status, "get_cues", lambda: cues)
    text = "The council said the army must secure the road to allow aid convoys to pass."
    assert _unreal_of(text, "allow").unreal == "infinitival complement"

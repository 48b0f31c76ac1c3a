"""Gazetteer resolution, toponym finding and event location, on sentences written here."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc, Span, Token

from conftest import needs_shared
from eventfuse.extract.gazetteer import (
    Gazetteer,
    get_gazetteer,
    is_demonym,
    normalize_name,
    same_place,
)
from eventfuse.extract.places import (
    article_town,
    document_location,
    event_address,
    event_location,
    find_places,
    finer_place,
    headline_region,
)
from eventfuse.geo import AMBIGUOUS_NOTE
from eventfuse.nlp import get_nlp
from eventfuse.records import Place

MAZAR = 1133616
KABUL = 1138958
PANJSHIR = 6957555
ISLAMABAD = 1176615
HERAT_AF = 1140026

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return get_gazetteer()


def parse(text: str) -> Doc:
    return get_nlp()(text)


def places_of(text: str) -> tuple[Doc, list[Place]]:
    doc = parse(text)
    return doc, find_places(doc, "t")


def trigger(doc: Doc, word: str) -> tuple[Span, Token]:
    token = next(t for t in doc if t.text == word)
    return token.sent, token


# --- names and the gazetteer ----------------------------------------------------------------


def test_normalize_name_folds_diacritics_hyphens_and_apostrophes() -> None:
    assert normalize_name("Mazār-e Sharīf") == "mazar e sharif"
    assert normalize_name("Mazar-e-Sharif") == "mazar e sharif"
    assert normalize_name("Ra’s al  Khaymah") == "ras al khaymah"


@pytest.mark.parametrize("name", ["Mazar-i-Sharif", "Mazar-e-Sharif", "Mazar-e Sharif"])
def test_mazar_spellings_are_one_point(gazetteer: Gazetteer, name: str) -> None:
    place = gazetteer.resolve(name)
    assert place is not None
    assert (place.geonames_id, place.precision, place.country) == (MAZAR, "point", "AF")
    assert place.lat is not None and 36 < place.lat < 37.5


@pytest.mark.parametrize("name", ["Panjshir province", "Panjshir", "Panjshir Province"])
def test_panjshir_is_a_province(gazetteer: Gazetteer, name: str) -> None:
    place = gazetteer.resolve(name, "AF")
    assert place is not None
    assert (place.geonames_id, place.precision, place.country) == (PANJSHIR, "admin1", "AF")
    assert place.lat is not None and place.note  # pinned on its main town, and says so


def test_kabul_is_the_city_not_the_province(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Kabul")
    assert place is not None and place.geonames_id == KABUL and place.precision == "point"
    province = gazetteer.resolve("Kabul province")
    assert province is not None and province.precision == "admin1"


@pytest.mark.parametrize("hint", [None, "AF", "BD"])
def test_islamabad_stays_pakistans_capital(gazetteer: Gazetteer, hint: str | None) -> None:
    # GeoNames also lists "Islamabad" as an alternate name of Chattogram (BD) and Anantnag (IN).
    place = gazetteer.resolve("Islamabad", hint)
    assert place is not None and place.geonames_id == ISLAMABAD and place.country == "PK"


def test_country_hint_breaks_ties_between_homonyms(gazetteer: Gazetteer) -> None:
    afghan = gazetteer.resolve("Herat", "AF")
    assert afghan is not None and afghan.geonames_id == HERAT_AF
    # Andarab: a small Iranian village by primary name, an Afghan district by alias
    andarab = gazetteer.resolve("Andarab", "AF")
    assert andarab is not None and andarab.country == "AF"


def test_big_city_alias_beats_tiny_primary_namesake(gazetteer: Gazetteer) -> None:
    # "Basra" is the primary name of a Pakistani village and an alias of Iraq's Basrah
    place = gazetteer.resolve("Basra")
    assert place is not None and place.country == "IQ" and place.precision == "point"


def test_province_word_without_such_province_gives_a_region(gazetteer: Gazetteer) -> None:
    place = gazetteer.resolve("Tyumen region")
    assert place is not None and place.precision in ("admin1", "region") and place.note


def test_countries_resolve_at_country_precision(gazetteer: Gazetteer) -> None:
    for name, code in [("Afghanistan", "AF"), ("Pakistan", "PK"), ("U.S.", "US"), ("US", "US")]:
        place = gazetteer.resolve(name)
        assert place is not None and (place.country, place.precision) == (code, "country"), name


@pytest.mark.parametrize("word", ["Afghan", "Afghans", "Pakistani", "Pakistanis", "Taliban"])
def test_demonyms_and_stopwords_are_not_places(gazetteer: Gazetteer, word: str) -> None:
    assert gazetteer.resolve(word) is None


def test_demonym_table() -> None:
    assert is_demonym("Afghans") and is_demonym("Pakistani") and not is_demonym("Kabul")


def test_same_place_by_id_region_and_distance(gazetteer: Gazetteer) -> None:
    kabul, mazar = gazetteer.resolve("Kabul"), gazetteer.resolve("Mazar-i-Sharif")
    mazar2 = gazetteer.resolve("Mazar-e-Sharif")
    bazarak, panjshir = gazetteer.resolve("Bazarak", "AF"), gazetteer.resolve("Panjshir", "AF")
    assert kabul and mazar and mazar2 and bazarak and panjshir
    assert same_place(mazar, mazar2)
    assert not same_place(kabul, mazar)
    assert same_place(bazarak, panjshir)


# --- finding places in text -----------------------------------------------------------------


def test_finds_hyphenated_names_the_model_splits() -> None:
    doc, places = places_of(
        "Crowds gathered in Mazar-i-Sharif on Monday, and later in Mazar-e Sharif's old town."
    )
    mazars = [p for p in places if p.geonames_id == MAZAR]
    assert [p.name for p in mazars] == ["Mazar-i-Sharif", "Mazar-e Sharif"]
    for place in places:
        assert place.evidence is not None
        assert doc.text[place.evidence.start : place.evidence.end] == place.evidence.text


def test_province_word_makes_a_first_level_region() -> None:
    _, places = places_of("Heavy fighting was reported in Panjshir province on Sunday.")
    assert [(p.name, p.geonames_id, p.precision) for p in places] == [
        ("Panjshir province", PANJSHIR, "admin1")
    ]


def test_demonyms_are_skipped_in_text() -> None:
    _, places = places_of("Afghans and Pakistanis marched together in Kabul.")
    assert [p.geonames_id for p in places] == [KABUL]


def test_article_country_disambiguates() -> None:
    pakistani = (
        "Traders shut their shops in Karachi and Lahore on Friday. "
        "Police later dispersed a rally in Hyderabad."
    )
    indian = "Students marched in Mumbai and Chennai. Police later dispersed a rally in Hyderabad."
    for text, country in [(pakistani, "PK"), (indian, "IN")]:
        _, places = places_of(text)
        hyderabad = [p for p in places if p.name == "Hyderabad"]
        assert len(hyderabad) == 1 and hyderabad[0].country == country, text


def test_near_a_town_is_a_region_with_a_note() -> None:
    _, places = places_of("Militants ambushed a convoy near Kunduz late on Tuesday.")
    kunduz = [p for p in places if p.canonical == "Kunduz"]
    assert len(kunduz) == 1
    assert kunduz[0].precision == "region" and "near" in (kunduz[0].note or "")


def test_curated_features_are_found() -> None:
    _, places = places_of("Fighters hid in the valleys of the Hindu Kush and in Andarab.")
    found = {p.canonical: p.precision for p in places}
    assert found.get("Hindu Kush") == "region" and found.get("Andarab") == "region"


def test_possessive_and_partial_hyphenated_names() -> None:
    _, places = places_of("North Korea's envoy met officials at the Shan-e-Punjab hotel.")
    assert [(p.name, p.precision) for p in places] == [("North Korea", "country")]


def test_person_names_do_not_become_places() -> None:
    # "Ahmad" is an alternate name of a Kuwaiti city; here it is a first name.
    _, places = places_of("Ahmad Karimi, a shopkeeper, said the Taliban had left.")
    assert places == []


def test_demonym_capital_resolves_to_the_capital() -> None:
    _, places = places_of("Hundreds rallied in the Afghan capital on Monday.")
    assert [(p.geonames_id, p.precision) for p in places] == [(KABUL, "point")]
    assert places[0].note


# --- event location -------------------------------------------------------------------------


def test_location_is_the_locative_place_not_the_origin() -> None:
    doc, places = places_of("Delegates from Pakistan met tribal elders in Kandahar on Sunday.")
    sent, verb = trigger(doc, "met")
    location = event_location(sent, verb, places)
    assert location is not None and location.name == "Kandahar"


def test_country_as_actor_is_not_the_location() -> None:
    doc, places = places_of("Pakistan provided air support to the militants in Panjshir province.")
    sent, verb = trigger(doc, "provided")
    location = event_location(sent, verb, places)
    assert location is not None and location.geonames_id == PANJSHIR


def test_possessor_country_is_not_the_location() -> None:
    doc, places = places_of("Pakistan's army chief flew into Kabul on Saturday.")
    sent, verb = trigger(doc, "flew")
    location = event_location(sent, verb, places)
    assert location is not None and location.geonames_id == KABUL


def test_only_a_country_actor_gives_no_location() -> None:
    doc, places = places_of("Pakistan denied the accusations on Monday.")
    sent, verb = trigger(doc, "denied")
    assert event_location(sent, verb, places) is None


def test_town_inside_a_named_country_wins() -> None:
    doc, places = places_of("Residents of Herat, in western Afghanistan, protested on Friday.")
    sent, verb = trigger(doc, "protested")
    location = event_location(sent, verb, places)
    assert location is not None and location.geonames_id == HERAT_AF


def test_place_of_another_clause_is_not_the_location() -> None:
    text = "News of the shelling spread quickly after the minister landed in Quetta."
    doc, places = places_of(text)
    sent, noun = trigger(doc, "shelling")
    assert event_location(sent, noun, places) is None
    sent, verb = trigger(doc, "landed")
    location = event_location(sent, verb, places)
    assert location is not None and location.name == "Quetta"


def test_participle_clause_shares_the_main_clause_place() -> None:
    doc, places = places_of("Thousands marched in Jalalabad, chanting slogans against the mayor.")
    sent, verb = trigger(doc, "chanting")
    location = event_location(sent, verb, places)
    assert location is not None and location.name == "Jalalabad"


def test_places_outside_the_sentence_are_ignored() -> None:
    doc, places = places_of("Talks opened in Doha. Nobody commented.")
    second = list(doc.sents)[1]
    assert event_location(second, second.root, places) is None


# --- the seed articles (read, not copied) ---------------------------------------------------


@needs_shared(SEEDS)
def test_seed_articles_yield_kabul_mazar_and_panjshir() -> None:
    found: list[Place] = []
    for path in sorted(SEEDS.glob("*.txt")):
        found += places_of(path.read_text(encoding="utf-8"))[1]
    ids = [p.geonames_id for p in found]
    assert KABUL in ids and PANJSHIR in ids
    mazar_names = {normalize_name(p.name).removesuffix(" city") for p in found
                   if p.geonames_id == MAZAR}
    assert {"mazar i sharif", "mazar e sharif"} <= mazar_names
    assert all(p.precision == "admin1" for p in found if p.geonames_id == PANJSHIR)
    assert not any(normalize_name(p.name) in ("afghan", "afghans") for p in found)


# --- the on-disk index cache ----------------------------------------------------------------


def _tiny_gazetteer() -> Gazetteer:
    from eventfuse.extract.gazetteer import Entry, ScoreWeights, load_rules

    town = Entry("city", 1, "Testville", "AF", "AF.01", 1.0, 2.0, 5000)
    weights = ScoreWeights(**load_rules()["score"])
    return Gazetteer([town], {"testville": (1,)}, {"AF.01": "Testshire"}, weights)


def test_cache_round_trip_and_corrupt_file_fallback(tmp_path: Path) -> None:
    from eventfuse.extract.gazetteer import _load_cached, _store_cached

    path = tmp_path / "gazetteer.pickle.gz"
    _store_cached(path, _tiny_gazetteer())
    loaded = _load_cached(path)
    assert loaded is not None
    place = loaded.resolve("Testville")
    assert place is not None and (place.geonames_id, place.admin1) == (1, "Testshire")
    path.write_bytes(b"not a pickle")
    assert _load_cached(path) is None  # a broken cache means a rebuild, not a crash


# --- ambiguity kinds (issue 13) -------------------------------------------------------------


def _by_name(places: list[Place]) -> dict[str, Place]:
    return {p.name: p for p in places}


def test_region_abbreviation_after_a_town_settles_the_town() -> None:
    # Bartow is a Georgia town and a Florida city: "Ga." after the comma decides
    _, places = places_of("A fire destroyed two homes in Bartow, Ga., on Sunday night.")
    found = _by_name(places)
    assert found["Bartow"].country == "US" and found["Bartow"].admin1 == "Georgia"
    assert found["Ga."].precision == "admin1" and found["Ga."].admin1 == "Georgia"


def test_state_named_elsewhere_in_the_article_settles_the_town() -> None:
    text = (
        "Deputies from the Broward County sheriff's office arrived within minutes. "
        "Students at the school in Parkland were led out by police."
    )
    found = _by_name(places_of(text)[1])
    assert found["Parkland"].admin1 == "Florida"  # not Parkland, Washington (bigger)
    assert found["Broward County"].precision == "region"
    lat = found["Broward County"].lat
    assert lat is not None and 25.5 < lat < 27  # pinned among its towns


def test_county_name_is_a_second_level_area() -> None:
    _, places = places_of("Flooding closed roads across Morris County, N.J., on Tuesday.")
    county = _by_name(places)["Morris County"]
    assert county.admin1 == "New Jersey" and county.lat is not None and 40.5 < county.lat < 41.3


def test_surname_used_for_a_person_elsewhere_is_not_a_town() -> None:
    text = (
        "Officer Dana Price said the suspect fled on foot. "
        "Price said the investigation was continuing in Springfield, Ill."
    )
    names = {p.name for p in places_of(text)[1]}
    assert "Price" not in names  # Price, Utah is a town
    assert "Springfield" in names


def test_title_makes_a_person_not_a_place() -> None:
    names = {p.name for p in places_of("Mr. Kelly spoke to reporters in Denver.")[1]}
    assert "Kelly" not in names and "Denver" in names


def test_street_is_located_at_the_article_town() -> None:
    text = "Shots were fired near Canal Street in New Orleans late on Friday."
    doc, places = places_of(text)
    assert _by_name(places)["Canal Street"].precision == "unknown"  # the address, unpinned
    street = _by_name(find_places(doc, "t", sites=True))["Canal Street"]
    assert street.canonical == "New Orleans" and street.precision == "region"
    assert street.note is not None and "not in the gazetteer" in street.note


def test_site_named_after_its_town_is_located_there() -> None:
    doc = parse("Volunteers met at the Sligo Town Hall on Monday.")
    hall = _by_name(find_places(doc, "t", sites=True))["Sligo Town Hall"]
    assert hall.canonical == "Sligo" and hall.country == "IE"


def test_site_names_are_not_split_into_towns() -> None:
    text = "Crowds gathered on Padre Island, in Jackson Township and on Orange Street."
    names = {p.name for p in places_of(text)[1]}
    assert not names & {"Island", "Orange", "Jackson"}


def test_continents_and_unions_are_regions() -> None:
    found = _by_name(places_of("Leaders from Europe and Africa met EU officials.")[1])
    assert found["Europe"].precision == "region" and found["Africa"].geonames_id == 6255146
    assert found["EU"].canonical == "European Union"


def test_demonyms_become_places_only_when_asked() -> None:
    doc = parse("Russian troops crossed the border, South Korean officials said.")
    assert find_places(doc, "t") == []
    found = _by_name(find_places(doc, "t", demonyms=True))
    assert found["Russian"].country == "RU" and found["Russian"].precision == "country"
    assert found["South Korean"].country == "KR"


def test_country_name_is_not_a_same_named_town() -> None:
    # Mexico, Missouri and Mexico, Maine exist; the state named beside them does not make
    # "Mexico" in a separate sentence the town
    text = "Farmers in Columbia, Mo., protested. Mexico raised tariffs on corn."
    assert _by_name(places_of(text)[1])["Mexico"].precision == "country"


def test_region_after_the_comma_overrides_an_org_tag() -> None:
    # the small model tags "Boise" here as an organization; ", Idaho" says it is the town
    doc, places = places_of("The council praised Boise, Idaho, for its bike lanes.")
    assert any(e.text == "Boise" and e.label_ != "GPE" for e in doc.ents)
    boise = _by_name(places)["Boise"]
    assert boise.precision == "point" and boise.admin1 == "Idaho"


def test_full_region_name_after_a_town_picks_the_town_there() -> None:
    # Parkland, Washington is bigger; the state after the comma decides
    found = _by_name(places_of("A school shooting in Parkland, Florida shocked the country.")[1])
    assert found["Parkland"].admin1 == "Florida"


def test_a_list_of_towns_is_not_a_town_state_pair() -> None:
    found = _by_name(places_of("After stops in Washington, New York and Boston, he left.")[1])
    assert found["Washington"].country == "US" and found["Washington"].admin1 != "New York"


def test_region_named_after_its_town_or_beside_a_region() -> None:
    tacoma = _by_name(places_of("A potter in Tacoma, Washington opens a studio.")[1])
    assert tacoma["Washington"].precision == "admin1"  # not the capital
    listed = _by_name(places_of("Workers moved from California or Washington to Utah.")[1])
    assert listed["Washington"].precision == "admin1"


def located(text: str, verb: str) -> str | None:
    """The name of the place :func:`event_location` gives the happening of ``verb``."""
    doc, places = places_of(text)
    sent, token = trigger(doc, verb)
    location = event_location(sent, token, places)
    return None if location is None else location.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A man from Ohio was arrested in Tampa after the robbery.", "Tampa"),
        ("An Ohio man was arrested in Tampa after the robbery.", "Tampa"),
        ("A native of Ohio was arrested in Tampa after the robbery.", "Tampa"),
        ("Police arrested him in Tampa, far from his home in Ohio.", "Tampa"),
        ("An Ohio man was arrested after the robbery.", None),
    ],
)
def test_origin_or_home_is_never_the_event_location(text: str, expected: str | None) -> None:
    assert located(text, "arrested") == expected


def test_dateline_is_the_document_location() -> None:
    doc, places = places_of("ATLANTA (AP) — Two men were shot on Friday, police said.")
    location = document_location(doc, places)
    assert location is not None and location.canonical == "Atlanta"


def test_lead_sentence_gives_the_document_location() -> None:
    doc, places = places_of("Protesters marched through Macon, Ga., on Sunday. Police watched.")
    location = document_location(doc, places)
    assert location is not None and location.name == "Macon"


def test_event_address_keeps_the_street_with_its_number() -> None:
    doc, places = places_of("The car crashed at 937 Euharlee Road in Cartersville on Monday.")
    sent = next(iter(doc.sents))
    assert event_address(sent, places) == "937 Euharlee Road"


def test_outlet_home_region_settles_an_open_name() -> None:
    doc = parse("Students in Parkland walked out of class on Wednesday.")
    assert _by_name(find_places(doc, "t"))["Parkland"].admin1 == "Washington"  # the bigger one
    assert _by_name(find_places(doc, "t", home="US.FL"))["Parkland"].admin1 == "Florida"


def test_continent_is_no_finer_than_a_country() -> None:
    assert located("In Europe, farmers protested in France on Monday.", "protested") == "France"


def test_town_naming_a_police_force_is_a_place() -> None:
    # the small model tags the town PERSON or takes it into an ORG; its police say it is a town
    found = _by_name(places_of("Kingman police are looking into the death of a teenager.")[1])
    assert found["Kingman"].admin1 == "Arizona"
    _, places = places_of("The Tulsa Police Department answered a call on Monday.")
    assert _by_name(places)["Tulsa"].admin1 == "Oklahoma"


def test_title_word_and_short_capitals_are_no_places() -> None:
    text = "Officer Dan Reyes said a SWAT team reached the house in Denver, Colo., at noon."
    names = {p.name for p in places_of(text)[1]}
    assert not names & {"Officer", "SWAT"}  # Officer, Victoria; Swat district, Pakistan
    assert "Denver" in names


def test_short_capitals_opening_a_dateline_stay_a_place() -> None:
    doc, places = places_of("ERIE, Pa. - A man was shot outside a bar on Friday, police said.")
    location = document_location(doc, places)
    assert location is not None and location.canonical == "Erie"
    assert location.admin1 == "Pennsylvania"


def test_abbreviated_first_word_is_looked_up_written_out(gazetteer: Gazetteer) -> None:
    found = {c.entry.admin1_code for c in gazetteer.candidates("Mt. Pleasant")}
    assert {"US.SC", "US.MI"} <= found  # GeoNames spells them "Mount Pleasant"
    # in an American article the written-out towns outrank "Mt Pleasant", British Columbia
    assert gazetteer.rank("Mt. Pleasant", "US")[0][1].entry.country == "US"
    assert "Ft. Lauderdale" in gazetteer


def test_state_most_other_names_lie_in_settles_an_open_town() -> None:
    # Harlem, New York is far bigger; the article's other towns are in Florida
    text = (
        "Shots rang out in the Harlem neighborhood on Tuesday. Deputies from Clewiston "
        "and Fort Myers searched the area."
    )
    assert _by_name(places_of(text)[1])["Harlem"].admin1 == "Florida"


def test_finer_place_inside_a_state_replaces_it() -> None:
    _, places = places_of("SUFFOLK, Va. - Four people were shot on Sunday in Virginia.")
    found = _by_name(places)
    state, town = found["Virginia"], found["SUFFOLK"]
    assert finer_place(state, [town]) is town
    assert finer_place(town, [state]) is town  # a town is never made coarser
    far = _by_name(places_of("Two men were shot in Reno, Nev.")[1])["Reno"]
    assert finer_place(state, [far]) is state  # not inside Virginia


def test_small_town_outside_the_article_state_is_not_a_place() -> None:
    # the article's names lie in Michigan; a lone word that only a small town in Oklahoma answers
    # to is someone's name (rule region_outlier)
    doc = parse(
        "Two people were wounded in a shooting in Dearborn on Saturday, Michigan State Police "
        "said. Witnesses told Detroit police that Tuttle fled on foot."
    )
    assert "Tuttle" in _by_name(find_places(doc, "t", off=frozenset({"region_outlier"})))
    found = _by_name(find_places(doc, "t"))
    assert "Tuttle" not in found or found["Tuttle"].lat is None
    assert found["Dearborn"].admin1 == "Michigan"
    # with its region named after it, the town is meant, however small and far
    paired = _by_name(places_of(
        "A man was shot outside a bar in Lansing on Sunday. The suspect drove to Tuttle, "
        "Oklahoma, where he was arrested."
    )[1])
    assert paired["Tuttle"].admin1 == "Oklahoma" and paired["Tuttle"].lat is not None
    # two words as well: a neighbourhood named like a small town of another state
    two = parse(
        "Three men were shot in the Pine Knot area of Tulsa on Sunday, Oklahoma State "
        "Police said. Norman officers helped."
    )
    assert _by_name(find_places(two, "t", off=frozenset({"region_outlier"})))["Pine Knot"].lat
    found = _by_name(find_places(two, "t"))
    assert "Pine Knot" not in found or found["Pine Knot"].lat is None


def test_county_gives_way_to_a_town_inside_it() -> None:
    _, places = places_of("SAN ANTONIO (AP) - A man was shot in Bexar County on Sunday.")
    found = _by_name(places)
    county, town = found["Bexar County"], found["SAN ANTONIO"]
    assert finer_place(county, [town]) is county  # counties only when asked (finer_county)
    assert finer_place(county, [town], counties=True) is town
    _, elsewhere = places_of(
        "Deputies in Travis County said a woman was hurt. Dallas police helped."
    )
    found = _by_name(elsewhere)
    # Dallas is not inside Travis County
    assert finer_place(found["Travis County"], [found["Dallas"]], True) is found["Travis County"]


def test_town_the_article_names_most_often() -> None:
    _, places = places_of(
        "Deputies said a woman was hurt in Harris County on Friday. Officers from Dallas "
        "helped, and Dallas police later said the man was from Houston. Houston police and "
        "Houston firefighters came."
    )
    town = article_town(places)
    assert town is not None and town.name == "Houston"
    assert finer_place(_by_name(places)["Harris County"], [None, None, town], True) is town
    assert article_town([p for p in places if p.precision != "point"]) is None


def test_namesake_counties_weigh_by_the_people_of_their_towns(gazetteer: Gazetteer) -> None:
    # no state named: of the counties of that name, the one with the most people in its towns
    _, places = places_of("A boy was wounded in Harris County on Sunday, deputies said.")
    assert _by_name(places)["Harris County"].admin1 == "Texas"
    ranked = gazetteer.rank("Stafford County", "US")
    assert ranked[0][1].entry.admin1_code == "US.VA"
    # a state the article names still settles it
    _, paired = places_of("A boy was wounded in Harris County, Georgia, on Sunday.")
    assert _by_name(paired)["Harris County"].admin1 == "Georgia"



def test_compass_word_and_town_is_a_part_of_that_town() -> None:
    # rule compass_part: not the far hamlet named "West Charlotte", nor an unknown name
    doc = parse("A man was shot in west Charlotte on Friday, police said.")
    off = _by_name(find_places(doc, "t", off=frozenset({"compass_part"})))
    assert off["west Charlotte"].admin1 == "Vermont"
    found = _by_name(find_places(doc, "t"))["west Charlotte"]
    assert found.admin1 == "North Carolina" and found.precision == "point"
    doc = parse("A woman was wounded in Central Seattle on Monday, police said.")
    assert _by_name(find_places(doc, "t", off=frozenset({"compass_part"})))[
        "Central Seattle"].lat is None
    assert _by_name(find_places(doc, "t"))["Central Seattle"].admin1 == "Washington"
    # a suburb of its own beside the town keeps its reading
    near = _by_name(places_of("Two men were shot in North Las Vegas on Sunday.")[1])
    assert near["North Las Vegas"].canonical == "North Las Vegas"


def test_postal_code_after_a_town_names_its_state() -> None:
    # rule postal_state: "COLUMBUS, GA (WXYZ)" is Georgia's Columbus, not Ohio's bigger one
    doc = parse("COLUMBUS, GA (WXYZ) - A man was shot late Friday on Elm Street.")
    assert _by_name(find_places(doc, "t"))["COLUMBUS"].admin1 == "Georgia"
    off = find_places(doc, "t", off=frozenset({"postal_state"}))
    assert _by_name(off)["COLUMBUS"].admin1 == "Ohio"


def test_headline_names_the_region_the_body_is_read_in() -> None:
    # rule headline_region: the outlet's place after the headline ("- WXYZ News - Macon, GA")
    assert headline_region("Teen shot on Elm Street - WXYZ News - Columbus, GA") == "US.GA"
    assert headline_region("Two wounded in shooting in Macon, Ga.") == "US.GA"
    assert headline_region("Man shot in Ohio") == "US.OH"
    assert headline_region("Man shot in Columbus") is None  # a town alone settles nothing
    assert headline_region("Shootings in Ohio and Texas") is None  # two regions: none
    off = frozenset({"headline_region"})
    assert headline_region("Teen shot - WXYZ - Columbus, GA", off) is None



def test_agency_town_lies_in_the_article_country() -> None:
    # rule agency_abroad: "Metro police" in a Tennessee story is no Indonesian city
    doc = parse("NASHVILLE, TN (WXYZ) - Metro police said two men were shot in Nashville.")
    assert all(p.country != "ID" for p in find_places(doc, "t"))
    off = find_places(doc, "t", off=frozenset({"agency_abroad"}))
    assert _by_name(off)["Metro"].country == "ID"


def test_region_after_a_comma_counts_as_named() -> None:
    # rule pair_country: the dateline's state is one the article names, so it leads the
    # regions and a small town of another state ("near Wheaton") is no place of the story
    doc = parse("DAYTON, OH (WXYZ) - A girl was hurt near Wheaton on Sunday; her uncle drove "
                "in from Tulsa.")
    assert _by_name(find_places(doc, "t"))["Wheaton"].lat is None
    off = find_places(doc, "t", off=frozenset({"pair_country"}))
    assert _by_name(off)["Wheaton"].admin1 == "Illinois"


def test_street_kinds_make_a_site_not_a_town() -> None:
    # a trail or parkway named after a town is a street, not that town
    doc = parse("Deputies were called to a home near Coral Gables Trail in Tampa.")
    found = _by_name(find_places(doc, "t"))
    assert "Coral Gables" not in found and found["Tampa"].admin1 == "Florida"


def test_names_before_plural_street_words_are_streets() -> None:
    # rule street_pair: "near Hamilton and Lancaster streets" names two streets, not towns
    text = "Four people were shot near Hamilton and Lancaster streets in Columbus on Sunday."
    doc = parse(text)
    assert [p.name for p in find_places(doc, "t")] == ["Columbus"]
    off = _by_name(find_places(doc, "t", off=frozenset({"street_pair"})))
    assert "Hamilton" in off


def test_compass_part_of_a_big_town_is_no_outlier() -> None:
    # region_outlier weighs compass_part's reading by its town's people: West Philadelphia
    # beside a Massachusetts town stays Philadelphia's
    doc = parse("Two boys were shot in West Philadelphia on Saturday, police in Worcester said.")
    assert _by_name(find_places(doc, "t"))["West Philadelphia"].canonical == "Philadelphia"


def test_lone_word_that_is_only_a_small_town_alias_is_no_place() -> None:
    # rule alias_scan: "the Park" is an alternate name of a small Indiana town, not a place
    doc = parse("INDIANAPOLIS, IN (WXYZ) - A man was shot in the Park on Friday, Indianapolis "
                "police said.")
    assert "Park" not in _by_name(find_places(doc, "t"))
    off = _by_name(find_places(doc, "t", off=frozenset({"alias_scan"})))
    assert off["Park"].admin1 == "Indiana"


def test_name_at_a_corner_with_a_named_street_is_a_street() -> None:
    # rule street_corner: "at Elm Street and Broadway" is a corner, not a Virginia town
    doc = parse("Two men were shot at Elm Street and Broadway in Tucson on Sunday.")
    assert "Broadway" not in _by_name(find_places(doc, "t"))
    off = _by_name(find_places(doc, "t", off=frozenset({"street_corner"})))
    assert "Broadway" in off


def test_name_after_block_of_is_a_street() -> None:
    # rule block_street: "the 300 block of Toledo" is a street in the article's town
    doc = parse("A man was shot in the 300 block of Toledo on Friday, Tucson police said.")
    assert "Toledo" not in _by_name(find_places(doc, "t"))
    off = _by_name(find_places(doc, "t", off=frozenset({"block_street"})))
    assert "Toledo" in off


def test_names_at_an_intersection_are_streets() -> None:
    doc = parse("Officers found him near the intersection of Kingman and Elm in Tucson.")
    found = _by_name(find_places(doc, "t"))
    assert "Kingman" not in found and found["Tucson"].admin1 == "Arizona"


def test_small_town_name_before_a_site_word_is_the_site_s() -> None:
    # rule site_name: "the Summit Homes" is no New Jersey town
    doc = parse("Officers found the victim at the Summit Homes on Friday.")
    assert "Summit" not in _by_name(find_places(doc, "t"))
    off = _by_name(find_places(doc, "t", off=frozenset({"site_name"})))
    assert "Summit" in off
    # under ``sites`` the name is kept, located at the article's town
    doc = parse("Officers found the victim at the Summit Homes in Tulsa on Friday.")
    assert "Summit" not in _by_name(find_places(doc, "t"))
    located = _by_name(find_places(doc, "t", sites=True))
    assert located["Summit"].canonical == "Tulsa"


def test_big_town_before_a_site_word_keeps_its_reading() -> None:
    doc = parse("A man was shot at a Houston motel on Friday.")
    assert _by_name(find_places(doc, "t"))["Houston"].admin1 == "Texas"


def test_country_name_before_a_state_is_that_state_s_town() -> None:
    # rule pair_town: "LEBANON, Pa." is the Pennsylvania town, not the country
    doc = parse("LEBANON, Pa. - A man was charged on Monday after a shooting.")
    assert _by_name(find_places(doc, "t"))["LEBANON"].admin1 == "Pennsylvania"
    off = _by_name(find_places(doc, "t", off=frozenset({"pair_town"})))
    assert off["LEBANON"].precision == "country"


def test_dateline_may_open_with_an_abbreviated_word() -> None:
    # rule dateline_abbrev: "MT. JULIET, Tenn. —" is Mount Juliet's dateline (the model tags
    # its words ORG and PERSON)
    doc = parse("MT. JULIET, Tenn. — A man was shot on Sunday.")
    assert _by_name(find_places(doc, "t"))["MT. JULIET"].canonical == "Mount Juliet"
    off = _by_name(find_places(doc, "t", off=frozenset({"dateline_abbrev"})))
    assert "MT. JULIET" not in off


def test_one_word_name_written_as_a_person_s_is_no_place() -> None:
    # rule person_shape: a name before a middle initial and a surname, or owning a relative
    doc = parse("(Photo: Regina M. Talbot/Staff) A man was shot on Sunday.")
    assert "Regina" not in _by_name(find_places(doc, "t"))
    assert "Regina" in _by_name(find_places(doc, "t", off=frozenset({"person_shape"})))
    doc = parse("Officers said Hayden's grandmother called them from a cabin near Hayden Lake.")
    assert "Hayden" not in _by_name(find_places(doc, "t"))
    assert "Hayden" in _by_name(find_places(doc, "t", off=frozenset({"person_shape"})))


def test_town_alone_beside_a_namesake_in_another_state_is_noted_ambiguous() -> None:
    # rule namesake_state: nothing in the article favours New York's Albany over Georgia's
    doc = parse("A man was shot in Albany on Friday night, police said.")
    alone = _by_name(find_places(doc, "t"))["Albany"]
    assert alone.note is not None and alone.note.startswith(AMBIGUOUS_NOTE)
    assert "Georgia" in alone.note
    off = _by_name(find_places(doc, "t", off=frozenset({"namesake_state"})))["Albany"]
    assert off.note is None
    # a state after the comma settles it: no doubt noted
    settled = _by_name(places_of("A man was shot in Albany, Ga., on Friday night.")[1])
    assert settled["Albany"].admin1 == "Georgia" and settled["Albany"].note is None
    # a town with no namesake of its size elsewhere in the country is not ambiguous
    big = _by_name(places_of("A man was shot in Chicago on Friday night.")[1])["Chicago"]
    assert big.note is None

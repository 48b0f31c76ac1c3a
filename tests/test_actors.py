"""Actors from the parse, normalization within and across articles, the user dictionary."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require_shared
from eventfuse.extract.actors import (
    actor_matches,
    build_actor_context,
    find_acronym_definitions,
    find_actors,
    load_actor_dictionary,
    normalize_actor,
    strip_titles,
)
from eventfuse.nlp import get_nlp

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    return get_nlp()


def _actors(nlp, text: str, trigger_text: str):  # type: ignore[no-untyped-def]
    doc = nlp(text)
    context = build_actor_context(doc, "a1")
    trigger = next(t for t in doc if t.text == trigger_text)
    return {(a.role, a.canonical) for a in find_actors(trigger.sent, trigger, context)}, doc


def test_titles_are_stripped() -> None:
    assert strip_titles("Lieutenant General Faiz Hameed") == "Faiz Hameed"
    assert strip_titles("Gen. Faiz Hameed") == "Faiz Hameed"
    assert normalize_actor("Gen. Faiz Hameed").canonical == "Faiz Hameed"


def test_acronyms_defined_in_text() -> None:
    text = (
        "fighters of the Kurdish Freedom Council (KFC) and the "
        "Inter-Services Intelligence (ISI) unit"
    )
    assert find_acronym_definitions(text) == {
        "KFC": "Kurdish Freedom Council",
        "ISI": "Inter-Services Intelligence",
    }


def test_dictionary_aliases_and_countries() -> None:
    isi = normalize_actor("ISI").canonical
    assert isi == normalize_actor("Inter-Services Intelligence").canonical
    pakistan = normalize_actor("Pakistan")
    assert (pakistan.canonical, pakistan.type, pakistan.country) == ("Pakistan", "state", "PAK")
    assert normalize_actor("Islamabad").country == "PAK"
    assert normalize_actor("NRF").canonical == "National Resistance Front"
    afghans = normalize_actor("Afghans")
    assert (afghans.type, afghans.country) == ("civilians", "AFG")
    assert normalize_actor("Afghan protesters").type == "protesters"
    assert normalize_actor("unknown gunmen").canonical == "Unidentified"
    assert normalize_actor("Pakistan's army").canonical == "Pakistan military"


def test_surname_resolves_to_dominant_full_name(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Rebel commander Yusuf Karimov spoke in Tashkent. Karimov is the son of the late "
        "Ilyas Yusuf Karimov. Yusuf Karimov later said the talks had failed. Karimov left."
    )
    context = build_actor_context(nlp(text), "a1")
    assert normalize_actor("Karimov", context).canonical == "Yusuf Karimov"
    assert normalize_actor("Ilyas Yusuf Karimov", context).canonical == "Ilyas Yusuf Karimov"


def test_subject_and_object(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "Hamas fighters attacked Israeli soldiers near the border.", "attacked")
    assert ("actor", "Hamas") in found
    assert any(role == "recipient" and "military" in canonical for role, canonical in found)


def test_passive_voice(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "The convoy was attacked by Taliban militants on Sunday.", "attacked")
    assert ("actor", "Taliban") in found
    assert ("recipient", "Taliban") not in found


def test_possessive_country_and_person(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Iran's foreign minister Javad Zarif visited Baghdad on Monday."
    _, doc = _actors(nlp, text, "visited")
    context = build_actor_context(doc, "a1")
    trigger = next(t for t in doc if t.text == "visited")
    actor = next(a for a in find_actors(trigger.sent, trigger, context) if a.role == "actor")
    assert actor.canonical == "Javad Zarif"
    assert actor.country == "IRN"
    assert actor.evidence is not None
    assert doc.text[actor.evidence.start : actor.evidence.end] == actor.evidence.text


def test_unidentified_planes(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "Unidentified planes bombed the valley overnight.", "bombed")
    assert ("actor", "Unidentified") in found


def test_conjuncts_expand(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "Russia and China condemned the sanctions.", "condemned")
    assert {("actor", "Russia"), ("actor", "China")} <= found


def test_pronoun_subject_resolves(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(
        nlp, "Opposition leader Maria Sanchez arrived in Lima. She denounced the government.",
        "denounced",
    )
    assert ("actor", "Maria Sanchez") in found


def test_user_dictionary_overrides(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text(
        "mine:\n"
        "  - {canonical: Pakistani state, type: government, country: PAK, aliases: [Pakistan]}\n"
        "  - {canonical: Blue Brigade, type: rebel, country: FRA, aliases: [BB, Les Bleus]}\n"
    )
    dictionary = load_actor_dictionary(user)
    assert dictionary.lookup("Pakistan").canonical == "Pakistani state"  # type: ignore[union-attr]
    assert dictionary.lookup("BB").type == "rebel"  # type: ignore[union-attr]
    csv_file = tmp_path / "mine.csv"
    csv_file.write_text("canonical,type,country,aliases\nGreen Hand,ngo,,GH|Green Hands\n")
    entry = load_actor_dictionary(csv_file).lookup("Green Hands")
    assert entry is not None
    assert entry.canonical == "Green Hand"


def test_actor_matches() -> None:
    assert actor_matches("Pakistan", "Islamabad", None)
    assert actor_matches("Inter-Services Intelligence", None, "PAKSPY")
    assert actor_matches("Afghan protesters", "protesters", None)
    assert not actor_matches("Russia", "Brazil", "BRA")
    assert not actor_matches(None, "Brazil", "BRA")


def test_seed_actors_resolve() -> None:
    seeds = require_shared(SHARED / "seeds")
    doc = get_nlp()(sorted(seeds.glob("000_*.txt"))[0].read_text(encoding="utf-8"))
    context = build_actor_context(doc, "s0")
    assert normalize_actor("Massoud", context).canonical == "Ahmad Massoud"
    assert normalize_actor("Ahmad Shah Massoud", context).canonical == "Ahmad Shah Massoud"
    assert normalize_actor("ISI", context).canonical == "Inter-Services Intelligence"
    assert normalize_actor("NRF", context).canonical == "National Resistance Front"


def _mentions(nlp, text: str):  # type: ignore[no-untyped-def]
    from eventfuse.extract import extract_mentions
    from eventfuse.records import Article

    doc = nlp(text)
    return extract_mentions(Article(id="a1", text=doc.text), doc)


def _doers(mention) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.canonical for a in mention.actors if a.role == "actor"}


def test_an_attack_claimed_by_a_group_has_that_group_as_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    (mention,) = _mentions(
        nlp,
        "Gunmen stormed a hotel in Bamako on Friday, killing four guards, in an attack "
        "claimed by the Taliban.",
    )
    assert "Taliban" in _doers(mention)
    assert mention.status == "claimed" and mention.attribution is not None


def test_a_later_claim_of_responsibility_credits_the_told_happening(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "A truck bomb exploded outside a police station in Kandahar on Monday, killing nine "
        "people, officials said.\n\nThe Taliban claimed responsibility for the bombing in a "
        "statement.\n\nThe blast also wounded 25 people, most of them passers-by."
    )
    (mention,) = _mentions(nlp, text)
    assert "Taliban" in _doers(mention)
    assert {q.kind for q in mention.quantities} == {"killed", "injured"}


def test_unattributed_attackers_stay_unidentified(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Unidentified attackers detonated a bomb near a checkpoint in Kabul on Friday."
    (mention,) = _mentions(nlp, text)
    assert _doers(mention) == {"Unidentified"}
    text = "No group has claimed responsibility for the bombing of the checkpoint in Kabul."
    assert all("group" not in _doers(m) for m in _mentions(nlp, text))



def test_fighters_of_a_named_group_are_that_group(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Afghan soldiers clashed with fighters of the ISKP militia near Kandahar on Sunday."
    found, _ = _actors(nlp, text, "clashed")
    assert ("actor", "Islamic State Khorasan Province") in found
    assert ("actor", "Armed group") not in found


def test_the_other_side_of_a_clash_is_a_co_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "Malian troops clashed with fighters of the ISKP group near Gao.",
                       "clashed")
    assert ("actor", "Islamic State Khorasan Province") in found
    assert any(role == "actor" and "military" in name.lower() for role, name in found)
    assert not any(role == "recipient" for role, _ in found)
    found, _ = _actors(nlp, "Police exchanged fire with gunmen in Lagos on Tuesday.", "exchanged")
    assert {role for role, _ in found} == {"actor"} and len(found) == 2
    found, _ = _actors(nlp, "Heavy fighting between the army and Taliban fighters erupted.",
                       "fighting")
    assert ("actor", "Taliban") in found and not any(r == "recipient" for r, _ in found)


def test_a_one_sided_attack_keeps_its_recipient(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "Soldiers attacked fighters of the ISKP group near Gao.", "attacked")
    assert ("recipient", "Islamic State Khorasan Province") in found


def test_a_dateline_never_gives_an_actor(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("KANDAHAR, Afghanistan (Eastern Wire) — Afghan police clashed with fighters of the "
            "ISKP group near Spin Boldak on Friday, officials said.")
    found, _ = _actors(nlp, text, "clashed")
    assert found == {("actor", "Afghanistan police"),
                     ("actor", "Islamic State Khorasan Province")}
    found, _ = _actors(nlp, "NATO-led troops clashed with Taliban fighters on Friday.", "clashed")
    assert ("actor", "Taliban") in found and len(found) == 2


def test_a_bare_city_is_a_place_unless_listed_as_a_government(nlp) -> None:  # type: ignore[no-untyped-def]
    found, _ = _actors(nlp, "Islamabad rejected the accusation on Monday.", "rejected")
    assert ("actor", "Pakistan") in found
    found, _ = _actors(nlp, "Kandahar rejected the accusation on Monday.", "rejected")
    assert not any(role == "actor" for role, _ in found)
    found, _ = _actors(nlp, "The United States rejected the accusation on Monday.", "rejected")
    assert any(role == "actor" for role, _ in found)  # a listed name of more than one word

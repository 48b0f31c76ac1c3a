"""Quantities: amounts as ranges, what they count, and which happening they belong to."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from conftest import require_shared
from eventfuse.extract.quantities import (
    find_quantities,
    get_lexicon,
    parse_amount,
    quantities_for,
)
from eventfuse.nlp import get_nlp

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return get_nlp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dozens", (24, 99)),
        ("Dozens", (24, 99)),
        ("hundreds of", (200, 999)),
        ("several hundred", (300, 900)),
        ("thousands", (2000, 9999)),
        ("tens of thousands", (20000, 99999)),
        ("a few", (3, 5)),
        ("scores", (40, 199)),
        ("a dozen", (12, 12)),
        ("more than 50", (51, None)),
        ("more than a dozen", (13, None)),
        ("at least 12", (12, None)),
        ("nearly 100", (90, 99)),
        ("about 40", (36, 44)),
        ("some 300", (270, 330)),
        ("five", (5, 5)),
        ("two thousand", (2000, 2000)),
        ("twenty-five", (25, 25)),
        ("one hundred and fifty", (150, 150)),
        ("1,500", (1500, 1500)),
        ("1.5 million", (1500000, 1500000)),
        ("between 20 and 30", (20, 30)),
        ("30-20", (20, 30)),
        ("banana", None),
        ("", None),
        ("at least", None),
    ],
)
def test_parse_amount(text: str, expected: tuple[int, int | None] | None) -> None:
    assert parse_amount(text) == expected


def _found(nlp: Language, text: str) -> list[tuple[str, int, int | None, str]]:
    return [(q.kind, q.low, q.high, q.text) for q in find_quantities(nlp(text), "a1")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dozens rallied outside the ministry.", [("size", 24, 99, "Dozens")]),
        ("Hundreds of villagers took to the streets.", [("size", 200, 999, "Hundreds")]),
        ("Tens of thousands marched.", [("size", 20000, 99999, "Tens of thousands")]),
        ("Thousands of nurses gathered.", [("size", 2000, 9999, "Thousands")]),
        ("Some 300 demonstrators gathered at the gate.", [("size", 270, 330, "Some 300")]),
        (
            "At least 12 people were killed and 30 injured in the blast.",
            [("killed", 12, None, "At least 12"), ("injured", 30, 30, "30")],
        ),
        ("Police arrested more than 50 protesters.", [("arrested", 51, None, "more than 50")]),
        ("Guards detained a dozen students.", [("arrested", 12, 12, "a dozen")]),
        ("The bodies of 14 fishermen were found.", [("killed", 14, 14, "14")]),
        ("Nearly 100 people died in the floods.", [("killed", 90, 99, "Nearly 100")]),
        (
            "One farmer was shot dead and two were wounded.",
            [("killed", 1, 1, "One"), ("injured", 2, 2, "two")],
        ),
        ("About two thousand workers walked out.", [("size", 1800, 2200, "About two thousand")]),
        ("The march drew several hundred people.", [("size", 300, 900, "several hundred")]),
        (
            "Two guards were shot dead and 15 others wounded at the gate.",
            [("killed", 2, 2, "Two"), ("injured", 15, 15, "15")],
        ),
        ("The clashes have left one policeman dead.", [("killed", 1, 1, "one")]),
        ("She spoke to a rally of about 5,000 farmers.", [("size", 4500, 5500, "about 5,000")]),
    ],
)
def test_find_quantities_kinds(
    nlp: Language, text: str, expected: list[tuple[str, int, int | None, str]]
) -> None:
    assert _found(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The talks were held on 6 September 2021 at 5 pm.",  # dates and times
        "A 25-year-old farmer spoke to reporters.",  # an age
        "The council paid $500 to the owners.",  # money
        "Turnout fell by 5 percent in 1999.",  # a percentage and a year
        "She finished 3rd in the race.",  # an ordinal
        "Two officials said the road was closed.",  # a count, but of speakers: no kind
        "No one was hurt.",  # "one" as a pronoun
    ],
)
def test_numbers_that_are_not_head_counts(nlp: Language, text: str) -> None:
    assert _found(nlp, text) == []


def test_agents_of_a_killing_are_not_the_killed(nlp: Language) -> None:
    assert _found(nlp, "Twelve gunmen killed three guards.") == [("killed", 3, 3, "three")]


def test_evidence_points_into_the_text(nlp: Language) -> None:
    doc = nlp("Witnesses said at least 40 people marched.")
    (quantity,) = find_quantities(doc, "a1")
    assert quantity.evidence is not None
    assert doc.text[quantity.evidence.start : quantity.evidence.end] == "at least 40"
    assert quantity.evidence.article_id == "a1"


def _attached(nlp: Language, text: str, trigger: str) -> list[str]:
    doc = nlp(text)
    quantities = find_quantities(doc, "a1")
    sent = next(iter(doc.sents))
    token = next(t for t in doc if t.text == trigger)
    return [q.text for q in quantities_for(sent, token, quantities)]


def test_quantities_for_separates_happenings_in_one_sentence(nlp: Language) -> None:
    text = "Hundreds of people marched in the capital while police in the north arrested 12 men."
    assert _attached(nlp, text, "marched") == ["Hundreds"]
    assert _attached(nlp, text, "arrested") == ["12"]


def test_quantities_for_noun_trigger_and_linked_clause(nlp: Language) -> None:
    text = "A rally of thousands of supporters was held after five people were killed."
    assert _attached(nlp, text, "rally") == ["thousands"]
    assert _attached(nlp, text, "killed") == ["five"]
    text = "Thousands of nurses took to the streets, protesting against the cuts."
    assert _attached(nlp, text, "protesting") == ["Thousands"]


def test_quantities_for_without_trigger_takes_the_sentence(nlp: Language) -> None:
    doc = nlp("Dozens rallied. Police detained five men.")
    quantities = find_quantities(doc, "a1")
    first, second = list(doc.sents)
    assert [q.text for q in quantities_for(first, None, quantities)] == ["Dozens"]
    assert [q.text for q in quantities_for(second, None, quantities)] == ["five"]


def test_seed_sizes_disagree() -> None:
    require_shared(SEEDS)
    nlp = get_nlp()
    dated, undated = sorted(SEEDS.glob("*.txt"))
    first = find_quantities(nlp(dated.read_text(encoding="utf-8")), "s0")
    second = find_quantities(nlp(undated.read_text(encoding="utf-8")), "s1")
    assert ("size", 200, 999) in [(q.kind, q.low, q.high) for q in first]
    assert ("size", 24, 99) in [(q.kind, q.low, q.high) for q in second]


# --- properties -----------------------------------------------------------------------------

_LEX = get_lexicon()
_AMOUNTS = st.one_of(
    st.integers(0, 10**9).map(str),
    st.integers(1000, 10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(sorted(_LEX.vague)),
    st.sampled_from(sorted([*_LEX.units, *_LEX.tens])),
)
_MODIFIED = st.builds(
    lambda modifier, amount: f"{modifier} {amount}".strip(),
    st.sampled_from(["", *sorted(_LEX.modifiers)]),
    _AMOUNTS,
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=40), _MODIFIED))
def test_parse_amount_never_raises_and_ranges_are_ordered(text: str) -> None:
    result = parse_amount(text)
    if result is not None:
        low, high = result
        assert low >= 0
        assert high is None or low <= high


@settings(max_examples=200, deadline=None)
@given(text=_MODIFIED)
def test_modified_amounts_always_parse(text: str) -> None:
    assert parse_amount(text) is not None


def test_coordinated_participles_share_the_happening(nlp: Language) -> None:
    text = (
        "A truck bomb went off outside the depot in Kandahar on Monday, killing at least 9 "
        "people and wounding 25 others, officials said."
    )
    assert _attached(nlp, text, "went") == ["at least 9", "25"]
    # a coordinated clause with its own subject is another happening
    text = "Troops shelled the village, and the rebels later captured 40 soldiers."
    assert _attached(nlp, text, "shelled") == []


def test_a_casualty_count_told_apart_joins_and_narrows_the_attack() -> None:
    from eventfuse.extract import extract_mentions
    from eventfuse.nlp import parse_one
    from eventfuse.records import Article

    text = (
        "A roadside bomb exploded near a checkpoint in Kandahar on Friday, wounding at least 9 "
        "people.\n\nDoctors at the city hospital later treated 9 wounded people and recorded "
        "two bodies."
    )
    article = Article(id="stray", text=text)
    [attack] = [m for m in extract_mentions(article, parse_one(text)) if m.type == "ASSAULT"]
    counts = {q.kind: (q.low, q.high) for q in attack.quantities}
    assert counts["injured"] == (9, 9)  # "at least 9", then exactly 9
    assert counts["killed"] == (2, 2)

"""Time expressions: relative forms against a publication date, kept codes without one, ranges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

from conftest import require_shared
from eventfuse.extract.times import (
    anchor_when,
    event_when,
    find_times,
    resolve_relative,
    resolve_time,
    statement_time,
)
from eventfuse.nlp import get_nlp
from eventfuse.records import When

TUESDAY = dt.date(2021, 9, 7)
D = dt.date
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return get_nlp()


# (text, start, end, precision, anchor) for a paper published Tuesday 2021-09-07.
RESOLVED = [
    ("Monday night", D(2021, 9, 6), D(2021, 9, 6), "day", "publication"),
    ("on Monday night", D(2021, 9, 6), D(2021, 9, 6), "day", "publication"),
    ("on Saturday", D(2021, 9, 4), D(2021, 9, 4), "day", "publication"),
    ("Saturday", D(2021, 9, 4), D(2021, 9, 4), "day", "publication"),
    ("early on Saturday", D(2021, 9, 4), D(2021, 9, 4), "day", "publication"),
    ("Sunday morning", D(2021, 9, 5), D(2021, 9, 5), "day", "publication"),
    ("yesterday", D(2021, 9, 6), D(2021, 9, 6), "day", "publication"),
    ("yesterday afternoon", D(2021, 9, 6), D(2021, 9, 6), "day", "publication"),
    ("today", TUESDAY, TUESDAY, "day", "publication"),
    ("tonight", TUESDAY, TUESDAY, "day", "publication"),
    ("last night", D(2021, 9, 6), D(2021, 9, 6), "day", "publication"),
    ("this morning", TUESDAY, TUESDAY, "day", "publication"),
    ("last Thursday", D(2021, 9, 2), D(2021, 9, 2), "day", "publication"),
    ("two days ago", D(2021, 9, 5), D(2021, 9, 5), "day", "publication"),
    ("two weeks ago", D(2021, 8, 23), D(2021, 8, 29), "week", "publication"),
    # Same weekday as the publication: "on Tuesday" is the day itself, "last Tuesday" a week back.
    ("on Tuesday", TUESDAY, TUESDAY, "day", "publication"),
    ("last Tuesday", D(2021, 8, 31), D(2021, 8, 31), "day", "publication"),
    ("until the early hours of Tuesday", D(2021, 9, 6), TUESDAY, "day", "publication"),
    # Announced plans point forward only when the text says so.
    ("next Monday", D(2021, 9, 13), D(2021, 9, 13), "day", "publication"),
    ("next Tuesday", D(2021, 9, 14), D(2021, 9, 14), "day", "publication"),
    ("tomorrow", D(2021, 9, 8), D(2021, 9, 8), "day", "publication"),
    ("next week", D(2021, 9, 13), D(2021, 9, 19), "week", "publication"),
    ("until Sunday", D(2021, 9, 4), D(2021, 9, 5), "day", "publication"),
    ("late August", D(2021, 8, 21), D(2021, 8, 31), "month", "text"),
    ("in August", D(2021, 8, 1), D(2021, 8, 31), "month", "text"),
    ("early September", D(2021, 9, 1), TUESDAY, "month", "text"),  # not past publication
    ("this month", D(2021, 9, 1), TUESDAY, "month", "publication"),
    ("earlier in the week", D(2021, 9, 6), D(2021, 9, 6), "week", "publication"),
    ("this week", D(2021, 9, 6), TUESDAY, "week", "publication"),
    ("last week", D(2021, 8, 30), D(2021, 9, 5), "week", "publication"),
    ("over the weekend", D(2021, 9, 4), D(2021, 9, 5), "week", "publication"),
    ("last month", D(2021, 8, 1), D(2021, 8, 31), "month", "publication"),
    ("last year", D(2020, 1, 1), D(2020, 12, 31), "year", "publication"),
    ("September 6, 2021", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("Monday, September 6, 2021", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("6 September", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("Sept. 6", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("2021-09-06", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("6th of September 2021", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("Sept. 6, 2021", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),
    ("9/6/2021", D(2021, 9, 6), D(2021, 9, 6), "day", "text"),  # dateparser, month first
    ("August 2021", D(2021, 8, 1), D(2021, 8, 31), "month", "text"),
    ("in 2020", D(2020, 1, 1), D(2020, 12, 31), "year", "text"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "anchor"), RESOLVED)
def test_resolve_time_against_publication(
    text: str, start: dt.date, end: dt.date, precision: str, anchor: str
) -> None:
    when = resolve_time(text, TUESDAY)
    assert (when.start, when.end, when.precision, when.anchor) == (start, end, precision, anchor)
    assert when.text == text


def test_late_month_after_publication_month_is_last_year() -> None:
    when = resolve_time("late November", TUESDAY)
    assert (when.start, when.end) == (D(2020, 11, 21), D(2020, 11, 30))


def test_month_day_picks_the_year_nearest_publication() -> None:
    assert resolve_time("28 December", D(2022, 1, 3)).start == D(2021, 12, 28)


@pytest.mark.parametrize(
    ("text", "relative", "precision"),
    [
        ("Monday night", "weekday:Monday", "day"),
        ("on Saturday", "weekday:Saturday", "day"),
        ("yesterday", "offset:-1", "day"),
        ("last night", "offset:-1", "day"),
        ("today", "offset:0", "day"),
        ("last Thursday", "lastweekday:Thursday", "day"),
        ("until the early hours of Tuesday", "until:weekday:Tuesday", "day"),
        ("late August", "month:8:late", "month"),
        ("earlier in the week", "weekpast:0", "week"),
        ("6 September", "monthday:9-6", "day"),
        ("earlier in the day", "sameday", "day"),
    ],
)
def test_relative_kept_without_publication(text: str, relative: str, precision: str) -> None:
    when = resolve_time(text, None)
    assert (when.start, when.end, when.anchor) == (None, None, None)
    assert (when.relative, when.precision) == (relative, precision)


@pytest.mark.parametrize("text", [t for t, *_ in RESOLVED])
def test_anchor_when_matches_direct_resolution(text: str) -> None:
    kept = resolve_time(text, None)
    direct = resolve_time(text, TUESDAY)
    anchored = anchor_when(kept, TUESDAY, anchor="fusion")
    assert (anchored.start, anchored.end, anchored.precision) == (
        direct.start,
        direct.end,
        direct.precision,
    )
    if kept.relative is not None:
        assert anchored.anchor == "fusion"


def test_explicit_date_is_resolved_without_publication_and_not_reanchored() -> None:
    when = resolve_time("September 6, 2021", None)
    assert (when.start, when.anchor, when.relative) == (D(2021, 9, 6), "text", None)
    assert anchor_when(when, D(2030, 1, 1)) == when


@pytest.mark.parametrize(
    "text",
    [
        "hours after",
        "shortly after",
        "5 pm",
        "night",
        "25-year-old",
        "the 25th",
        "",
        "may",
        "February 30, 2021",
    ],
)
def test_not_dates(text: str) -> None:
    when = resolve_time(text, TUESDAY)
    assert (when.start, when.relative, when.precision) == (None, None, "unknown")


def test_malformed_relative_code_is_none() -> None:
    assert resolve_relative("weekday:Funday", TUESDAY) is None
    assert resolve_relative("nonsense", TUESDAY) is None
    assert anchor_when(When("x", relative="offset:abc"), TUESDAY).start is None


# --- in documents -----------------------------------------------------------------------------


def _times(nlp: Language, text: str, published: dt.date | None) -> tuple[Doc, list[When]]:
    doc = nlp(text)
    return doc, find_times(doc, "a1", published)


def test_find_times_evidence_and_resolution(nlp: Language) -> None:
    text = (
        "Crowds gathered in the square on Sunday night, hours after the vote. They left yesterday."
    )
    doc, times = _times(nlp, text, TUESDAY)
    assert [w.evidence.text for w in times if w.evidence] == ["on Sunday night", "yesterday"]
    assert [w.start for w in times] == [D(2021, 9, 5), D(2021, 9, 6)]
    for when in times:
        assert when.evidence is not None
        assert doc.text[when.evidence.start : when.evidence.end] == when.evidence.text


def test_until_range_starts_on_the_other_date_of_the_sentence(nlp: Language) -> None:
    text = "Jets bombed the valley from Sunday night until the early hours of Tuesday."
    _, times = _times(nlp, text, TUESDAY)
    until = [w for w in times if w.relative and w.relative.startswith("until:")]
    assert len(until) == 1
    assert (until[0].start, until[0].end) == (D(2021, 9, 5), TUESDAY)


def test_until_range_without_other_date_starts_the_day_before(nlp: Language) -> None:
    _, times = _times(nlp, "Jets bombed the valley until the early hours of Tuesday.", TUESDAY)
    assert [(w.start, w.end) for w in times] == [(D(2021, 9, 6), TUESDAY)]


def test_earlier_in_the_day_takes_the_previous_date(nlp: Language) -> None:
    text = (
        "Posted by a reporter on September 3, 2021\n\nEarlier in the day, the army left the town."
    )
    _, times = _times(nlp, text, TUESDAY)
    same = [w for w in times if w.relative == "sameday"]
    assert len(same) == 1 and same[0].start == D(2021, 9, 3)
    assert same[0].evidence is not None and same[0].evidence.text == "Earlier in the day"


def test_earlier_in_the_day_without_publication_inherits_the_relative_code(
    nlp: Language,
) -> None:
    text = "Students marched on Friday. Earlier in the day, teachers had walked out."
    _, times = _times(nlp, text, None)
    assert [w.relative for w in times] == ["weekday:Friday", "weekday:Friday"]
    assert all(w.start is None for w in times)


def test_undated_article_keeps_relative_expressions(nlp: Language) -> None:
    _, times = _times(nlp, "Dozens marched on Monday night and again yesterday.", None)
    assert [(w.relative, w.start) for w in times] == [("weekday:Monday", None), ("offset:-1", None)]


def test_event_when_nearest_by_parse(nlp: Language) -> None:
    doc, times = _times(
        nlp, "Police said on Monday that the protest took place on Saturday.", TUESDAY
    )
    sent = next(iter(doc.sents))
    took = next(t for t in doc if t.lower_ == "took")
    said = next(t for t in doc if t.lower_ == "said")
    chosen_took, chosen_said = event_when(sent, took, times), event_when(sent, said, times)
    assert chosen_took is not None and chosen_took.start == D(2021, 9, 4)
    assert chosen_said is not None and chosen_said.start == D(2021, 9, 6)


def test_event_when_skips_a_possessive_time_of_another_noun(nlp: Language) -> None:
    doc, times = _times(
        nlp, "The minister condemned yesterday's attack on the border post.", TUESDAY
    )
    condemned = next(t for t in doc if t.lower_ == "condemned")
    attack = next(t for t in doc if t.lower_ == "attack")
    sent = next(iter(doc.sents))
    assert event_when(sent, condemned, times) is None
    chosen = event_when(sent, attack, times)
    assert chosen is not None and chosen.start == D(2021, 9, 6)


def test_event_when_none_and_no_trigger(nlp: Language) -> None:
    doc, times = _times(nlp, "The army left the town. Crowds cheered on Sunday.", TUESDAY)
    first, second = list(doc.sents)
    assert event_when(first, first.root, times) is None
    chosen = event_when(second, None, times)
    assert chosen is not None and chosen.start == D(2021, 9, 5)


def test_seeds_times() -> None:
    require_shared(SEEDS)
    nlp = get_nlp()
    dated, undated = sorted(SEEDS.glob("*.txt"))
    times = find_times(nlp(dated.read_text(encoding="utf-8")), "s0", TUESDAY)
    by_text = {w.evidence.text: w for w in times if w.evidence}
    assert by_text["Monday night"].start == D(2021, 9, 6)
    assert by_text["on Saturday"].start == D(2021, 9, 4)
    undated_times = find_times(nlp(undated.read_text(encoding="utf-8")), "s1", None)
    assert all(w.start is None for w in undated_times)
    until = [w for w in undated_times if w.relative == "until:weekday:Tuesday"]
    assert len(until) == 1
    anchored = anchor_when(until[0], TUESDAY)
    assert (anchored.start, anchored.end) == (D(2021, 9, 6), TUESDAY)


# --- properties -----------------------------------------------------------------------------

_PHRASES = st.sampled_from([t for t, *_ in RESOLVED] + ["hours after", "the 25th", "5 pm"])


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(st.text(max_size=40), _PHRASES),
    published=st.one_of(st.none(), st.dates(D(1950, 1, 1), D(2090, 12, 31))),
)
def test_resolve_time_never_raises_and_ranges_are_ordered(
    text: str, published: dt.date | None
) -> None:
    when = resolve_time(text, published)
    assert when.text == text
    if when.start is not None and when.end is not None:
        assert when.start <= when.end
    if published is None and when.start is not None:
        assert when.anchor == "text"


@settings(max_examples=200, deadline=None)
@given(text=_PHRASES, anchor=st.dates(D(1950, 1, 1), D(2090, 12, 31)))
def test_relative_resolution_is_not_in_the_future_of_the_anchor(text: str, anchor: dt.date) -> None:
    kept = resolve_time(text, None)
    future = ("monthday:", "sameday", "nextweekday:", "offset:1", "week:1")
    if kept.relative is None or kept.relative.startswith(future):
        return
    resolved = anchor_when(kept, anchor)
    assert resolved.start is not None and resolved.end is not None
    assert resolved.start <= resolved.end <= anchor


def test_a_month_day_ahead_of_publication_is_a_plan_only_within_a_month() -> None:
    from eventfuse.extract.times import past_month_day

    summer = D(2024, 8, 19)
    winter = resolve_time("February 1", summer)
    assert winter.start == D(2025, 2, 1)  # the nearest reading
    assert past_month_day(winter, summer).start == D(2024, 2, 1)
    hearing = resolve_time("September 3", summer)
    assert past_month_day(hearing, summer).start == D(2024, 9, 3)  # an announced date
    assert past_month_day(resolve_time("August 2", summer), summer).start == D(2024, 8, 2)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("A man was wounded by gunfire in Millbrook, police said Thursday.", ["Thursday"]),
        ("Deputies on Friday said a woman was shot near the river.", ["on Friday"]),
        ("The sheriff announced Monday that a clerk had been shot.", ["Monday"]),
        # the happening's own time is not the statement's
        ("A boy was shot Sunday night in Dayton, police said Monday.", ["Monday"]),
        ("Two people were killed on Saturday in Columbus.", []),
        # a time before the speaker frames what is told
        ("On Monday night, neighbors say, a car was hit by gunfire.", []),
    ],
)
def test_a_time_on_a_verb_of_saying_dates_the_statement(
    nlp: Language, text: str, said: list[str]
) -> None:
    doc, times = _times(nlp, text, TUESDAY)
    assert [w.evidence.text for w in times if w.evidence and statement_time(doc, w)] == said

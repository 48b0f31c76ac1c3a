"""victim_doer_dead: the one who did it and died in the happening counts among its dead, once.
Sentences written for these tests."""

from __future__ import annotations

import pytest

from eventfuse.extract.victims import article_statements, casualties
from eventfuse.nlp import get_nlp

pytestmark = pytest.mark.slow

OFF = frozenset({"victim_doer_dead"})


def killed(text: str, title: str | None = None, off: frozenset[str] = frozenset()) -> int | None:
    found = casualties(article_statements(get_nlp()(text), "t", text, title, off))
    return next((q.low for q in found if q.kind == "killed"), None)


@pytest.mark.parametrize(
    ("text", "title", "on", "off"),
    [
        # his death told without a death verb, besides his victim's
        ("A gunman killed a clerk at the store on Monday, then turned the gun on himself, "
         "police said.", None, 2, 1),
        ("A robber killed a clerk at the store. Deputies said he later took his own life in "
         "a field near Millbrook.", None, 2, 1),
        # shot dead by officers
        ("Two women were killed at the bar on Friday. Officers shot and killed the suspect "
         "in the parking lot.", None, 3, 2),
        # his own hand, told of a noun naming him
        ("A clerk was killed on Saturday. The shooter killed himself a few minutes "
         "later.", None, 2, 1),
        # a pronoun right after the doer's statement is him again, not one more victim
        ("An attacker killed a nurse at the clinic. He shot himself in the parking lot and "
         "died at the scene.", None, 2, 1),
    ],
)
def test_the_doer_who_died_is_one_more_dead(
    text: str, title: str | None, on: int, off: int
) -> None:
    assert killed(text, title) == on
    assert killed(text, title, OFF) == off


@pytest.mark.parametrize(
    ("text", "title", "count"),
    [
        # a count naming him holds him already
        ("Two people, including the gunman, died in the shooting at the mall.", None, 2),
        # a story told as a murder-suicide: its dead mostly hold him (left to victim_suicide)
        ("Two people died in what police called a murder-suicide. The man shot his wife "
         "before turning the gun on himself.", None, 2),
        # one dead beside a suspect shot by officers is mostly the suspect himself
        ("A man was killed in the shooting on Elm Street. The suspect was shot dead by "
         "officers.", None, 1),
        # a child who shot himself is the one who died
        ("A 4-year-old boy died on Sunday after he shot himself with a handgun he found.",
         None, 1),
        # the dead alone may hold him
        ("Three people are dead after the shooting. The gunman killed himself.", None, 3),
        # his death alone
        ("Officers shot and killed a suspect who had fired at them.", None, 1),
        # a threat is no death; nor is a note
        ("A clerk was killed. The man had threatened to take his own life, a friend said.",
         None, 1),
        ("A clerk was killed. Detectives found a suicide note in the car.", None, 1),
    ],
)
def test_the_doer_is_not_counted_twice_nor_when_he_lived(
    text: str, title: str | None, count: int
) -> None:
    assert killed(text, title) == count


def test_the_rule_leaves_a_trace() -> None:
    from eventfuse.extract import explain_article
    from eventfuse.records import Article
    from eventfuse.settings import load_options

    text = ("A gunman killed a clerk at the Millbrook store on Monday, then turned the gun on "
            "himself, police said.")
    article = Article(id="t1", text=text)
    _, trace = explain_article(article, get_nlp()(text), load_options())
    assert ("victim_doer_dead", "changed") in [(r.rule, r.action) for r in trace]

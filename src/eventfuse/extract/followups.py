"""Follow-ups and the happening they refer back to.

A later arrest, charge, hearing or funeral is a happening of its own that names the one it
follows up: "was arrested Tuesday in the shooting of three men", "charged Monday with killing
his neighbour". The sentence's time dates the follow-up (the arrest was Tuesday), not the
shooting, which the sentence names only as what the arrest is about. Read with the sentence's
nearest time, such a back-reference took the follow-up's day, and a follow-up article's report of
the shooting no longer met the shooting's other reports (gva-dev, issue 12 item 3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spacy.tokens import Span, Token

from eventfuse.extract.events import EventCandidate
from eventfuse.extract.status import get_cues
from eventfuse.nlp import token_lemmas
from eventfuse.records import When

# Edges along which a noun or a gerund is what a word is about: "in [the shooting]", "with
# [killing]", "in connection with [the death]".
_ABOUT_EDGES = frozenset({"pobj", "pcomp", "prep"})
# How many edges up the follow-up's word may lie ("in connection with the death of": four).
_MAX_EDGES = 6


def referred_from(
    trigger: Token, others: Mapping[int, str], kind: str
) -> Token | None:
    """The trigger of another happening (``others``: token index -> category) whose
    prepositional phrase names this one (``kind``): "arrested Tuesday in the *shooting*",
    "charged with *killing*", "arrested in connection with the *death* of". Prepositions of
    sequence ("arrested after the shooting", cues ``sequence_preps``) tell another time, not
    what the follow-up is about. None when there is no such happening."""
    sequence = get_cues().sequence_preps
    child = trigger
    for _ in range(_MAX_EDGES):
        if child.dep_ not in _ABOUT_EDGES or child.head.i == child.i:
            return None
        head = child.head
        if child.dep_ == "prep" and child.lower_ in sequence:
            return None
        if child.dep_ == "prep" and head.i in others and others[head.i] != kind:
            return head
        child = head
    return None


def own_when(sent: Span, trigger: Token, times: Sequence[When]) -> When | None:
    """The time told inside the trigger's own phrase ("the Sept. 3 shooting", "the shooting
    on Saturday"), the first such; None when its phrase tells none."""
    low, high = trigger.left_edge.idx, trigger.right_edge.idx + len(trigger.right_edge)
    inside = [
        w for w in times
        if w.evidence is not None and sent.start_char <= w.evidence.start < sent.end_char
        and low <= w.evidence.start < high
    ]
    return min(inside, key=lambda w: w.evidence.start if w.evidence else 0, default=None)


def back_references(
    candidates: Sequence[EventCandidate], kinds: frozenset[str]
) -> dict[int, Token]:
    """Trigger index of each candidate of ``kinds`` (the violent ones) that another happening's
    phrase names -> that happening's trigger (:func:`referred_from`)."""
    others = {c.trigger.i: c.type for c in candidates}
    words = get_cues().follow_up_words
    found = {}
    for cand in candidates:
        if cand.type not in kinds:
            continue
        # words of a follow-up the lexicon types as no happening ("a vigil", "the trial")
        sent, lemmas = cand.sentence, token_lemmas(cand.sentence.doc)
        heads = {**{i: "" for i in range(sent.start, sent.end) if lemmas[i] in words}, **others}
        head = referred_from(cand.trigger, heads, cand.type)
        if head is not None:
            found[cand.trigger.i] = head
    return found


"""Casualties counted from the victims an article describes, wherever it describes them.

A toll is rarely one phrase: "a 17-year-old boy died", "was pronounced dead at the hospital",
"shot and killed two men", "three others were wounded". Each clause whose verb tells death or
injury (data/quantities.yaml ``victims``) and whose victim is a person phrase is a statement with a
count (its number word, or one for a singular person or a name). Statements repeat the same
victims, so a kind's count is the largest single statement, not the sum; people "shot" and not
said to have died are the injured ("three people were shot, one fatally": 1 killed, 2 injured).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc, Token

from eventfuse.extract.quantities import parse_amount
from eventfuse.extract.status import unreal_reason
from eventfuse.records import Evidence, Quantity, QuantityKind

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True, slots=True)
class VictimLexicon:
    death_verbs: frozenset[str]
    injury_verbs: frozenset[str]
    shot_verbs: frozenset[str]
    fatal_words: frozenset[str]
    person_nouns: frozenset[str]
    none_words: frozenset[str]
    death_nouns: frozenset[str]
    fatal_modifiers: frozenset[str]
    event_types: frozenset[str]
    fatal_heads: frozenset[str]


@dataclass(frozen=True, slots=True)
class VictimStatement:
    kind: str  # killed | injured | shot
    count: int
    evidence: Evidence


@functools.cache
def get_lexicon() -> VictimLexicon:
    raw: Mapping[str, Any] = yaml.safe_load(
        (DATA_DIR / "quantities.yaml").read_text(encoding="utf-8")
    )["victims"]
    return VictimLexicon(
        death_verbs=frozenset(raw["death_verbs"]),
        injury_verbs=frozenset(raw["injury_verbs"]),
        shot_verbs=frozenset(raw["shot_verbs"]),
        fatal_words=frozenset(raw["fatal_words"]),
        person_nouns=frozenset(raw["person_nouns"]),
        none_words=frozenset(raw["none_words"]),
        death_nouns=frozenset(raw["death_nouns"]),
        fatal_modifiers=frozenset(raw["fatal_modifiers"]),
        event_types=frozenset(raw["event_types"]),
        fatal_heads=frozenset(raw["fatal_heads"]),
    )


def casualty_verbs() -> frozenset[str]:
    """Verbs telling only what befell people (die, kill, wound, shoot...)."""
    lex = get_lexicon()
    return lex.death_verbs | lex.injury_verbs | lex.shot_verbs


def victim_event_types() -> frozenset[str]:
    """Categories whose happening the victims' counts belong to (ASSAULT)."""
    return get_lexicon().event_types


def victim_statements(doc: Doc, article_id: str, text: str | None = None) -> list[
    VictimStatement
]:
    """Every clause of ``doc`` telling people died, were hurt or were shot, with the count it
    gives. ``text``: the Doc's text when the caller has it (spaCy rebuilds Doc.text per access)."""
    lex = get_lexicon()
    text = doc.text if text is None else text
    found = []
    for token in doc:
        if token.pos_ == "NOUN":
            statement = _noun_statement(token, lex, article_id, text)
        elif token.pos_ in ("VERB", "AUX", "ADJ"):
            statement = _statement(token, lex, article_id, text)
        else:
            continue
        if statement is not None:
            found.append(statement)
    return found


def casualties(statements: Sequence[VictimStatement]) -> tuple[Quantity, ...]:
    """Killed and injured as exact counts from the statements (see the module docstring)."""
    best: dict[str, VictimStatement] = {}
    for s in statements:
        if s.kind not in best or s.count > best[s.kind].count:
            best[s.kind] = s
    result = []
    killed = best.get("killed")
    if killed is not None:
        result.append(_quantity("killed", killed.count, killed.evidence))
    elif "fatal" in best:  # "a deadly shooting", "the shooting death": one or more
        fatal = best["fatal"].evidence
        result.append(Quantity("killed", 1, None, fatal.text, fatal))
    injured = best.get("injured")
    shot = best.get("shot")
    shot_alive = shot.count - (killed.count if killed else 0) if shot else 0
    if injured is not None and injured.count >= shot_alive:
        result.append(_quantity("injured", injured.count, injured.evidence))
    elif shot is not None and shot_alive > 0:
        result.append(_quantity("injured", shot_alive, shot.evidence))
    return tuple(result)


def _quantity(kind: QuantityKind, count: int, evidence: Evidence) -> Quantity:
    return Quantity(kind=kind, low=count, high=count, text=evidence.text, evidence=evidence)


def _statement(
    verb: Token, lex: VictimLexicon, article_id: str, text: str
) -> VictimStatement | None:
    lemma = verb.lemma_.lower()
    kind: str | None
    if lemma == "dead" and verb.dep_ == "acomp":
        verb, lemma, kind = verb.head, "be", "killed"  # "a toddler is dead"
    else:
        kind = _verb_kind(verb, lemma, lex)
    if kind is None or _negated(verb) or unreal_reason(verb, verb.sent) is not None:
        return None  # "did not die", "tried to kill", "could have been killed"
    victim = _victim(verb, lemma)
    if victim is None:
        return None
    count = _count(victim, lex)
    if count is None:
        return None
    # "four soldiers and three militiamen were killed": the parts add up
    parts = [_count(c, lex) for c in victim.children if c.dep_ == "conj"]
    if parts and all(p is not None for p in parts):
        count += sum(p for p in parts if p is not None)
    start = min(victim.left_edge.idx, verb.idx)
    end = max(verb.idx + len(verb), victim.right_edge.idx + len(victim.right_edge))
    return VictimStatement(kind, count, Evidence(article_id, start, end, text[start:end]))


def _noun_statement(
    noun: Token, lex: VictimLexicon, article_id: str, text: str
) -> VictimStatement | None:
    """"the death of a 4-year-old" (one), "a fatal shooting" (at least one): told by a noun."""
    lemma = noun.lemma_.lower()
    fatal = lemma in lex.death_nouns or (lemma in lex.fatal_heads and any(
        c.dep_ in ("amod", "compound") and c.lemma_.lower() in lex.fatal_modifiers | lex.death_nouns
        for c in noun.children
    ))
    if not fatal:
        return None
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    victim = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
    count = _count(victim, lex) if victim is not None else None
    end_token = victim.right_edge if victim is not None and count is not None else noun
    start = noun.left_edge.idx
    end = end_token.idx + len(end_token)
    evidence = Evidence(article_id, start, end, text[start:end])
    if count is None:
        return VictimStatement("fatal", 1, evidence)
    return VictimStatement("killed", count, evidence)


def _verb_kind(verb: Token, lemma: str, lex: VictimLexicon) -> str | None:
    children = {c.lower_ for c in verb.children}
    if lemma in lex.death_verbs:
        return "killed"
    if lemma == "pronounce" and children & {"dead"}:
        return "killed"
    if lemma in lex.shot_verbs:
        # "fatally shot", "shot dead", "shot and killed": death; plain "shot": hurt, or worse
        fatal = children & lex.fatal_words or any(
            c.dep_ == "conj" and c.lemma_.lower() in lex.death_verbs for c in verb.children
        )
        return "killed" if fatal else "shot"
    if lemma in lex.injury_verbs and (verb.tag_ == "VBN" or _has(verb, "dobj")):
        return "injured"
    return None


def _has(verb: Token, dep: str) -> bool:
    return any(c.dep_ == dep for c in verb.children)


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _victim(verb: Token, lemma: str) -> Token | None:
    """Who died or was hurt: the object of an active verb ("killed two men"), else the subject
    ("a boy died", "two were wounded"); an object shared with a conjoined verb ("shot and killed
    two men") counts too."""
    active_object = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if active_object is None and verb.dep_ == "conj":
        active_object = next((c for c in verb.head.children if c.dep_ == "dobj"), None)
    if active_object is None:
        for conj in (c for c in verb.children if c.dep_ == "conj"):
            active_object = next((c for c in conj.children if c.dep_ == "dobj"), None)
            if active_object is not None:
                break
    if active_object is not None:
        return active_object
    subject = next((c for c in verb.children if c.dep_ in ("nsubjpass", "nsubj")), None)
    if subject is None and verb.dep_ in ("conj", "xcomp") and verb.head.pos_ in ("VERB", "AUX"):
        subject = next((c for c in verb.head.children if c.dep_ in ("nsubjpass", "nsubj")), None)
    return subject


def _count(victim: Token, lex: VictimLexicon) -> int | None:
    """How many people the phrase names: its number ("two men", "three others"), one for a
    singular person or a name, none for what is not a person."""
    if victim.lower_ in lex.none_words or any(
        c.dep_ == "det" and c.lower_ == "no" for c in victim.children
    ):
        return 0
    number = next((c for c in victim.children if c.dep_ == "nummod"), None)
    if victim.pos_ == "NUM":
        number = victim
    if number is not None:
        amount = parse_amount(number.text)
        if amount is not None and amount[1] is not None and amount[0] == amount[1]:
            return amount[0] if amount[0] < 1000 else None
        return None
    if victim.ent_type_ == "PERSON" or victim.lower_ in ("he", "she"):
        return 1
    if victim.pos_ == "PROPN" and victim.ent_type_ in ("", "PERSON") and victim.tag_ == "NNP":
        return 1  # a name the tagger knows as a name and NER missed
    lemma = victim.lemma_.lower()
    if lemma not in lex.person_nouns and not lemma.endswith("-old"):
        return None
    if victim.tag_ in ("NNS", "NNPS"):
        return None  # "victims", "people": how many is not said here
    return 1

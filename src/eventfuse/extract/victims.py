"""Casualties counted from the victims an article describes, wherever it describes them.

A toll is rarely one phrase: "a 17-year-old boy died", "was pronounced dead at the hospital",
"shot and killed two men", "three others were wounded". Each clause whose verb tells death or
injury (data/quantities.yaml ``victims``) and whose victim is a person phrase is a statement with a
count (its number word, or one for a singular person or a name). Statements repeat the same
victims, so a kind's count is the largest single statement, not the sum; people "shot" and not
said to have died are the injured ("three people were shot, one fatally": 1 killed, 2 injured).
The fate may also be told by a participle or adjective on the victims ("four people wounded",
"left one man dead"), by a state ("listed in critical condition": hurt and alive; "suffering
from a gunshot wound": shot), or by a multiple ("a triple homicide"); each way is a rule of
:data:`RULES` that ``--ablate`` switches off.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

from eventfuse.extract.headline_parse import headline_doc
from eventfuse.extract.quantities import parse_amount
from eventfuse.extract.status import unreal_reason
from eventfuse.nlp import (
    doc_text,
    expanded_span,
    sentence_of,
    token_lemmas,
    token_lowers,
)
from eventfuse.records import Evidence, Quantity, QuantityKind
from eventfuse.yamlfile import load_yaml

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
    multiples: Mapping[str, int]
    condition_nouns: frozenset[str]
    condition_words: frozenset[str]
    wound_nouns: frozenset[str]
    wound_verbs: frozenset[str]
    tally_period_words: frozenset[str] = frozenset()
    tally_happenings: frozenset[str] = frozenset()
    thing_nouns: frozenset[str] = frozenset()
    # headline fate words by kind ("dead": killed, "hurt": injured, "shot": shot) and how many
    # plain words may stand between a headline's number and its fate word (victim_headline_number)
    headline_fates: Mapping[str, str] = dataclasses.field(default_factory=dict)
    headline_gap: int = 3
    # plural person nouns naming two people ("parents", "couple"): a headline list's part
    pair_nouns: frozenset[str] = frozenset()
    # words telling people besides those already counted ("4 others shot";
    # victim_headline_others)
    other_words: frozenset[str] = frozenset()
    # a headline's word for one more person after a part with a fate ("Woman killed, another
    # hurt"; victim_headline_others)
    another_words: frozenset[str] = frozenset()
    # being in a hospital or kept there tells someone hurt and alive ("remains hospitalized",
    # "is fighting for his life"; victim_hospital): verbs telling it alone, verbs telling it with
    # a hospital noun after a preposition, those nouns, and the noun of "fighting for his life"
    hospital_verbs: frozenset[str] = frozenset()
    hospital_place_verbs: frozenset[str] = frozenset()
    hospital_stay_verbs: frozenset[str] = frozenset()
    hospital_nouns: frozenset[str] = frozenset()
    life_verbs: frozenset[str] = frozenset()
    # the one who did it, whose own death counts among the dead (victim_doer_dead): nouns
    # naming him, and his death told without a death verb ("turned the gun on himself", "took
    # his own life", "died by suicide")
    doer_nouns: frozenset[str] = frozenset()
    doer_weapons: frozenset[str] = frozenset()
    doer_turn_verbs: frozenset[str] = frozenset()
    doer_life_verbs: frozenset[str] = frozenset()
    suicide_nouns: frozenset[str] = frozenset()
    # a hurt person told to live (victim_survives): words before a wound noun ("minor injuries",
    # "non-life-threatening wounds") or in its clause after it ("injuries that were not
    # life-threatening"), kept as letters only (the tokenizer splits "non-life-threatening" in
    # several ways); verbs of living under an expectation ("is expected to survive") and the
    # states of "is expected to be okay"
    survival_before: frozenset[str] = frozenset()
    survival_after: frozenset[str] = frozenset()
    survival_verbs: frozenset[str] = frozenset()
    survival_states: frozenset[str] = frozenset()
    expect_verbs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class VictimStatement:
    kind: str  # killed | injured | shot | fatal
    count: int
    evidence: Evidence
    # the victim is told as someone already named: "she", "the girl" (victim_same)
    definite: bool = False
    # the victims are the object of someone's act ("he killed his wife and son"): the doer is
    # not among them (victim_suicide)
    by_doer: bool = False
    # the victims are, or include, the one who did it (victim_doer_dead): "noun" when a noun
    # names him ("the gunman was killed", "two people, including the shooter"), "self" when
    # his own hand did it ("killed himself", "his wife and then himself", "a self-inflicted
    # wound", "took his own life"), "own" for that told of a noun naming him ("the gunman
    # killed himself"), "" for anyone else
    doer: str = ""
    # a count of the dead alone, by a bare number or "people" ("two dead", "three people
    # died"): it may hold the doer
    total: bool = False
    # the victim's personal pronoun ("he died": "he"), which may stand for the doer told
    # before; "" for a noun or a name
    pronoun: str = ""
    # the rule of :data:`RULES` that read this statement when it is not the plain clause
    # reading (shown in the extraction trace when its count is the article's)
    rule: str = ""


@functools.cache
def get_lexicon() -> VictimLexicon:
    raw: Mapping[str, Any] = load_yaml(
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
        multiples={str(k): int(v) for k, v in raw["multiples"].items()},
        condition_nouns=frozenset(raw["condition_nouns"]),
        condition_words=frozenset(raw["condition_words"]),
        wound_nouns=frozenset(raw["wound_nouns"]),
        wound_verbs=frozenset(raw["wound_verbs"]),
        tally_period_words=frozenset(raw["tally_period_words"]),
        tally_happenings=frozenset(raw["tally_happenings"]),
        thing_nouns=frozenset(raw["thing_nouns"]),
        headline_fates={str(word): str(kind) for kind, words in raw["headline_fates"].items()
                        for word in words},
        headline_gap=int(raw["headline_gap"]),
        pair_nouns=frozenset(raw.get("pair_nouns", ())),
        other_words=frozenset(raw.get("other_words", ())),
        another_words=frozenset(raw.get("another_words", ())),
        hospital_verbs=frozenset(raw.get("hospital_verbs", ())),
        hospital_place_verbs=frozenset(raw.get("hospital_place_verbs", ())),
        hospital_stay_verbs=frozenset(raw.get("hospital_stay_verbs", ())),
        hospital_nouns=frozenset(raw.get("hospital_nouns", ())),
        life_verbs=frozenset(raw.get("life_verbs", ())),
        doer_nouns=frozenset(raw.get("doer_nouns", ())),
        doer_weapons=frozenset(raw.get("doer_weapons", ())),
        doer_turn_verbs=frozenset(raw.get("doer_turn_verbs", ())),
        doer_life_verbs=frozenset(raw.get("doer_life_verbs", ())),
        suicide_nouns=frozenset(raw.get("suicide_nouns", ())),
        survival_before=frozenset(_letters(w) for w in raw.get("survival_before", ())),
        survival_after=frozenset(_letters(w) for w in raw.get("survival_after", ())),
        survival_verbs=frozenset(raw.get("survival_verbs", ())),
        survival_states=frozenset(raw.get("survival_states", ())),
        expect_verbs=frozenset(raw.get("expect_verbs", ())),
    )


def _letters(text: str) -> str:
    """``text`` lower-cased, letters only: "non-life threatening" and "nonlife-threatening" as
    one word."""
    return re.sub(r"[^a-z]", "", text.lower())


def casualty_verbs() -> frozenset[str]:
    """Verbs telling only what befell people (die, kill, wound, shoot...)."""
    lex = get_lexicon()
    return lex.death_verbs | lex.injury_verbs | lex.shot_verbs


def victim_event_types() -> frozenset[str]:
    """Categories whose happening the victims' counts belong to (ASSAULT)."""
    return get_lexicon().event_types


# The ways of telling a victim that can be switched off (pipeline rules, ``--ablate``).
RULES = {
    "victim_described": "a participle or adjective on the victims tells their fate ('four people "
    "wounded', 'left one man dead', 'an injured girl')",
    "victim_condition": "a state tells someone hurt: 'in critical condition' (alive), 'suffered "
    "a gunshot wound' (shot)",
    "victim_multiple": "'a triple homicide' is three killed, 'a quadruple shooting' four shot",
    "victim_fatal": "a fate word makes a hurt fatal: 'fatally wounded', 'shot to death'",
    "victim_attempt": "'attempted murder' tells no death (a charge for a shooting the victim "
    "survived)",
    "victim_self": "a reflexive victim is one person: 'shot himself', 'killed his wife, then "
    "himself'",
    "victim_list": "a list of victims adds up along its whole chain: 'his wife, son and daughter'",
    "victim_headline": "a kind the headline counts ('3 dead, 2 hurt in ...') takes the "
    "headline's count, not the body's largest (which may tell of other shootings)",
    "victim_tally": "a count told over a period or over many happenings ('52 people shot so "
    "far this year', 'in 2012, 13 died', 'hurt in nine shootings across the city') is a "
    "tally, not this happening's toll",
    "victim_same": "in an article telling a death, one person hurt who is told as someone "
    "already named ('she was wounded', 'the girl is in critical condition') is the one who "
    "died, not one more",
    "victim_suicide": "in an article telling a murder-suicide, the dead told as someone's "
    "victims ('he killed his wife and son') leave out the one who then killed himself: one more",
    "victim_headline_pair": "a headline's comma stands for 'and': 'Mother, toddler killed' is "
    "two killed",
    "victim_thing": "a number on a noun naming a thing or a measure ('shooting five rounds', "
    "'shot three more times') counts no one",
    "victim_headline_number": "a headline's number followed, at most a plain word apart, by a "
    "fate word ('5 Hurt, 1 Killed', 'Seven People Wounded') counts that kind before the "
    "headline's parse does (title case misleads the tagger: 'Shot' read as a name)",
    "victim_noun_list": "a list after a death noun adds up: 'the deaths of a woman and her "
    "daughter' are two killed",
    "victim_age": "a number standing for the victim set off by commas is an age, no count: "
    "'Girl, 9, dies', 'Voss, 32, and Lund, 41, died'",
    "victim_headline_others": "a headline's shot told after its dead or as 'others' ('2 dead, "
    "5 shot', 'Man killed, 4 others shot') are hurt besides the dead, not the dead among them "
    "('5 shot, 2 killed'); 'another' after a part counts one ('Woman killed, another hurt')",
    "victim_self_dead": "a murder-suicide told without the word: 'then killed himself', a "
    "self-inflicted wound, a headline's 'kills 3, self' (victim_suicide's one more)",
    "victim_partitive": "a part of a number counts the part: 'one of three people shot has died' "
    "is one killed; a number after 'of' belongs to the noun before ('father of 4 killed')",
    "victim_hospital": "someone kept in a hospital is hurt and alive: 'remains hospitalized', "
    "'is recovering at a hospital', 'was treated and released', 'is fighting for her life'",
    "victim_doer_dead": "the one who did it and died in the happening (killed himself, turned "
    "the gun on himself, was shot dead by officers) is one more among the dead his victims' "
    "counts leave out, unless a count names him or the story is told as a murder-suicide",
    "victim_other_death": "a hurt person's state ('remains in the hospital', 'in critical "
    "condition') in a sentence that also tells a death counts when the death is told of someone "
    "else by noun or name ('a girl died and her mother remains in the hospital'); one told of "
    "a pronoun may be the same person ('taken to a hospital, where he died')",
    "victim_survives": "a hurt person told to live is hurt and alive, not one of the shot who "
    "may be the dead: a wound that does not threaten life ('suffered non-life-threatening "
    "injuries', 'taken to a hospital with minor wounds') and 'is expected to survive'",
}


def victim_statements(
    doc: Doc, article_id: str, text: str | None = None, off: frozenset[str] = frozenset(),
    telegraphic: bool = False,
) -> list[VictimStatement]:
    """Every clause of ``doc`` telling people died, were hurt or were shot, with the count it
    gives. ``text``: the Doc's text when the caller has it (spaCy rebuilds Doc.text per access);
    ``off``: the ids of :data:`RULES` switched off; ``telegraphic``: a headline, whose "2 dead,
    3 hurt" has no verb "be" and hangs the number on the fate word."""
    lex = get_lexicon()
    text = doc_text(doc) if text is None else text
    found = []
    starts = _statement_lemmas(lex)
    for i, lemma in enumerate(token_lemmas(doc)):
        if lemma not in starts:
            continue  # no kind of statement starts from this word: its Token is not made
        token = doc[i]
        if token.pos_ == "NOUN":
            statement = _noun_statement(token, lex, article_id, text, off)
            if statement is None and "victim_condition" not in off:
                statement = _condition_statement(token, lex, article_id, text,
                                                 "victim_survives" not in off,
                                                 "victim_other_death" not in off)
        elif token.pos_ in ("VERB", "AUX", "ADJ"):
            statement = _statement(token, lex, article_id, text, off, telegraphic)
            if statement is None and "victim_hospital" not in off:
                statement = _hospital_statement(token, lex, article_id, text,
                                                "victim_other_death" not in off)
            if statement is None and "victim_survives" not in off:
                statement = _survival_statement(token, lex, article_id, text)
        else:
            continue
        if statement is None and "victim_doer_dead" not in off:
            statement = _doer_death(token, lex, article_id, text)
        if statement is not None:
            found.append(statement)
    if "victim_doer_dead" not in off:
        found = _pronoun_doers(found)
    deaths = [s.count for s in found if s.kind in ("killed", "fatal")]
    if "victim_same" not in off and deaths and max(deaths) == 1:
        # "A boy has died. ... the boy was in critical condition": the one hurt, told as
        # someone already named, is the one who died, not one more
        found = [s for s in found if not (s.kind == "injured" and s.definite and s.count == 1)]
    return found


def _statement_lemmas(lex: VictimLexicon) -> frozenset[str]:
    """Every lemma a statement of :func:`victim_statements` can start from: each kind of
    statement tells nothing of a token whose lemma is none of its own."""
    return (lex.death_nouns | lex.fatal_heads  # _noun_statement
            | lex.condition_nouns | lex.wound_nouns  # _condition_statement
            | {"dead", "pronounce"} | lex.death_verbs | lex.shot_verbs | lex.injury_verbs
            | lex.hospital_verbs | lex.hospital_place_verbs | lex.hospital_stay_verbs
            | lex.life_verbs  # _hospital_statement
            | lex.survival_verbs | {"be"}  # _survival_statement
            | lex.doer_turn_verbs | lex.doer_life_verbs | lex.suicide_nouns)  # _doer_death


def headline_statements(
    title: Doc, article_id: str, off: frozenset[str] = frozenset()
) -> list[VictimStatement]:
    """The statements of a parsed headline, their evidence a zero-width span at the article
    text's start holding the headline's words. A headline's "teen shot" names who, not how many
    nor whether they lived: a shot statement counts only with a number ("four people shot")."""
    lex = get_lexicon()
    found = []
    for s in victim_statements(title, article_id, title.text, off, telegraphic=True):
        if s.kind == "shot" and not _numbered(title, s.evidence, lex):
            continue
        found.append(dataclasses.replace(s, evidence=Evidence(article_id, 0, 0, s.evidence.text)))
    return found


_HEADLINE_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")


def headline_numbers(
    title: str, article_id: str, partitive: bool = True, fatal: bool = True,
    others: bool = True,
) -> list[VictimStatement]:
    """``victim_headline_number``: a headline read as a pattern, not a parse: a number (digits or
    a number word) followed, within :attr:`VictimLexicon.headline_gap` plain words and no
    punctuation, by a fate word ("5 Hurt, 1 Killed", "Seven People Wounded", "2 teens shot
    dead": killed). An age ("Girl, 6, Dies") has a comma between; "10-year-old" is no number.
    Per kind, the first such count; evidence as for :func:`headline_statements`. ``partitive``
    (victim_partitive): a number after a noun's "of" is passed over ("Mother of 3 killed");
    ``fatal`` (victim_fatal): "4 shot to death" are killed; ``others`` (victim_headline_others):
    the shot told after the dead or as "others" ("2 dead, 5 shot", "Man killed, 4 others shot")
    are the hurt besides the dead, not the dead among them ("5 shot, 2 killed"); "another"
    after the headline's first word counts one ("Woman killed, another hurt")."""
    lex = get_lexicon()
    tokens = _HEADLINE_TOKEN.findall(title)
    words = {t.lower() for t in tokens}
    if words & lex.tally_period_words or any(
            w.endswith("s") and w[:-1] in lex.tally_happenings for w in words):
        return []  # "3 killed, 9 wounded in weekend shootings", "so far this year": a tally
    found: dict[str, VictimStatement] = {}
    for n, token in enumerate(tokens):
        if partitive and n > 1 and tokens[n - 1].lower() == "of" and tokens[n - 2].isalpha() \
                and parse_amount(tokens[n - 2]) is None:
            continue  # "Mother of 3 killed": her children, not the dead ("1 of 6 hurt" counts)
        amount = parse_amount(token) if token[0].isalnum() else None
        if amount is None and others and n > 0 and token.lower() in lex.another_words:
            amount = (1, 1)  # "Woman killed, another hurt": one more (victim_headline_others)
        if amount is None or amount[1] != amount[0] or not 0 < amount[0] < 1000:
            continue
        for m in range(n + 1, min(n + 2 + lex.headline_gap, len(tokens))):
            word = tokens[m].lower()
            kind = lex.headline_fates.get(word)
            if kind is not None:
                after = tokens[m + 1].lower() if m + 1 < len(tokens) else ""
                then = tokens[m + 2].lower() if m + 2 < len(tokens) else ""
                if kind == "shot" and (after in ("dead", "fatally") or (
                        fatal and after == "to" and then in lex.death_nouns)):
                    kind = "killed"  # "2 shot dead", "4 shot to death" (victim_fatal)
                elif kind == "shot" and others and "injured" not in found and (
                        "killed" in found or tokens[m - 1].lower() in lex.other_words):
                    kind = "injured"  # "2 dead, 5 shot", "4 others shot": besides the dead
                if kind not in found:
                    first, listed = _headline_list(tokens, n, lex)
                    said = " ".join(tokens[first:m + 1])
                    evidence = Evidence(article_id, 0, 0, said)
                    found[kind] = VictimStatement(
                        kind, amount[0] + listed, evidence,
                        doer=_headline_doer(tokens, first, m, lex),
                        total=kind == "killed" and word in ("dead", "die", "dies", "died")
                        and not listed and all(t.lower() in ("people", "persons")
                                               for t in tokens[n + 1:m]))
                break
            if not word.isalpha() or parse_amount(word) is not None:
                break  # punctuation or another number: this number counts nothing here
    for n in range(1, len(tokens)):
        # a list of people with no number at its end: "Man, woman dead", "2 bailiffs, shooter
        # dead" (one person alone, "Teen shot", says who, not how many: left to the parse)
        kind = lex.headline_fates.get(tokens[n].lower())
        if kind is None or kind in found or tokens[n - 1].lower() not in lex.person_nouns:
            continue
        first, listed = _headline_list(tokens, n - 1, lex)
        if listed:
            said = " ".join(tokens[first:n + 1])
            found[kind] = VictimStatement(kind, 1 + listed, Evidence(article_id, 0, 0, said),
                                          doer=_headline_doer(tokens, first, n, lex))
    return list(found.values())


def _headline_doer(tokens: Sequence[str], first: int, fate: int, lex: VictimLexicon) -> str:
    """"noun" when a headline's counted list names the doer ("2 bailiffs, shooter dead") or
    its count goes on "including" him ("3 dead, including gunman"); else "" (victim_doer_dead)."""
    words = [t.lower() for t in tokens[first:fate]]
    after = [t.lower() for t in tokens[fate + 1:fate + 5]]
    if "including" in after:
        words += after[after.index("including") + 1:]
    return "noun" if any(w in lex.doer_nouns for w in words) else ""


def _headline_list(tokens: Sequence[str], n: int, lex: VictimLexicon) -> tuple[int, int]:
    """The parts of a list ending at the headline's number ``tokens[n]`` ("2 adults, 2 children
    killed", "Woman, 2 children dead"): the index where the list starts and the people its
    earlier parts add (a number, with at most one word after it, or one person noun)."""
    first, added = n, 0
    while first >= 2 and tokens[first - 1].lower() in (",", "and", "&"):
        before = first - 2
        word = tokens[before].lower()
        if word in lex.headline_fates:
            break  # "5 Hurt, 1 Killed": that part has a fate of its own
        amount = parse_amount(word) if word.isalnum() else None
        if amount is not None and before >= 1 and tokens[before - 1] == ",":
            break  # "Man, 20, and 2 teens": an age set off by commas
        if amount is None and before >= 1:
            number = parse_amount(tokens[before - 1]) if tokens[before - 1].isalnum() else None
            if number is not None and number[0] == number[1] and word.isalpha():
                amount, before = number, before - 1  # "2 adults"
        if amount is not None and amount[0] == amount[1] and 0 < amount[0] < 1000:
            added += amount[0]
        elif word in lex.person_nouns:
            added += 1  # "Woman, 2 children dead"
        elif word in lex.pair_nouns:
            added += 2  # "Parents, 3 children dead"
        else:
            break
        first = before
    return first, added


def _numbered(doc: Doc, evidence: Evidence, lex: VictimLexicon) -> bool:
    span = expanded_span(doc, evidence.start, evidence.end)
    return span is not None and any(t.like_num or t.lower_ in lex.multiples for t in span)


def with_headline(
    body: Sequence[VictimStatement], headline: Sequence[VictimStatement]
) -> list[VictimStatement]:
    """The body's statements with each kind the headline tells replaced by the headline's."""
    told = {s.kind for s in headline}
    return [s for s in body if s.kind not in told] + list(headline)


def article_statements(
    doc: Doc, article_id: str, text: str, title: str | None, off: frozenset[str] = frozenset()
) -> list[VictimStatement]:
    """The statements the article's counts come from: the body's, and the headline's where it
    tells a kind (``victim_headline``). Kept on the Doc: salience and mentions both ask."""
    key = f"eventfuse.victims\0{title}\0{','.join(sorted(off))}"
    cached: list[VictimStatement] | None = doc.user_data.get(key)
    if cached is not None:
        return cached
    found = victim_statements(doc, article_id, text, off)
    told = list(found)
    if title and title.strip() and "victim_headline" not in off:
        headline = headline_statements(headline_doc(title), article_id, off)
        told += headline
        if "victim_headline_number" not in off:
            pattern = headline_numbers(title, article_id, "victim_partitive" not in off,
                                       "victim_fatal" not in off,
                                       "victim_headline_others" not in off)
            kinds = {s.kind for s in pattern}
            headline = pattern + [s for s in headline if s.kind not in kinds]
        found = with_headline(found, headline)
    if "victim_suicide" not in off:
        found = _with_doer_dead(doc, title, found, "victim_self_dead" not in off)
    if "victim_doer_dead" not in off:
        found = _with_doer_counted(doc, title, told, found)
    doc.user_data[key] = found
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
    verb: Token, lex: VictimLexicon, article_id: str, text: str, off: frozenset[str],
    telegraphic: bool = False,
) -> VictimStatement | None:
    lemma = verb.lemma_.lower()
    kind: str | None
    victim: Token | None = None
    if telegraphic and lemma == "dead" and verb.dep_ not in ("oprd", "amod"):
        kind = "killed"  # "2 dead in ...": the headline's fate word heads its number
        victim = _headline_number(verb)
    elif lemma == "dead" and verb.dep_ == "acomp":
        verb, lemma, kind = verb.head, "be", "killed"  # "a toddler is dead"
    elif "victim_described" not in off and lemma == "dead" and verb.dep_ in ("oprd", "amod"):
        kind = "killed"  # "left one man dead", "a dead man"
        victim = _described(verb)
    else:
        kind = _verb_kind(verb, lemma, lex, off)
    if kind is None or _negated(verb) or unreal_reason(verb, sentence_of(verb)) is not None:
        return None  # "did not die", "tried to kill", "could have been killed"
    if "victim_tally" not in off and _tally(verb, lex):
        return None  # "52 people shot so far this year": a tally of many happenings
    if victim is None:
        victim = _victim(verb, lemma)
    described = "victim_described" not in off and verb.dep_ in ("acl", "amod")
    if victim is None and described and verb.tag_ == "VBN":
        victim = _described(verb)  # "four people wounded", "an injured girl"
    if victim is None and telegraphic:
        victim = _headline_number(verb)  # "5 hurt as ..."
    if victim is None:
        return None
    # a headline's "1 of 6 hurt" counts the whole: its fate word tells of all six
    count = _count(victim, lex, off, part=not telegraphic)
    if count is None:
        return None
    # "four soldiers and three militiamen were killed": the parts add up, but not a part with a
    # fate of its own ("one woman dead and four people wounded")
    parts = [_count(c, lex, off) for c in _conjuncts(victim, off)
             if not _own_fate(c, lex)]
    if parts and all(p is not None for p in parts):
        count += sum(p for p in parts if p is not None)
    if telegraphic and "victim_headline_pair" not in off:
        pair = _headline_pair(victim, lex)
        if pair is not None:
            count += pair[1]
            victim = pair[0]
    start = min(victim.left_edge.idx, verb.idx)
    end = max(verb.idx + len(verb), victim.right_edge.idx + len(victim.right_edge))
    reflexive = any(t.lower_ in ("himself", "herself") for t in (victim, *_conjuncts(victim, off)))
    by_doer = (victim.dep_ == "dobj" and victim.head.i == verb.i and not reflexive
               and any(c.dep_ == "nsubj" for c in verb.children))
    # the doer among the victims: a flag only, which the victim_doer_* rules read
    doer = _names_doer(victim, lex, off) or (
        "self" if kind == "killed" and _self_inflicted(verb) else "")
    if doer == "self" and _doer_subject(verb, lex):
        doer = "own"  # "the gunman killed himself": his own hand, and named the doer
    total = kind == "killed" and lemma in ("die", "dead", "be") and (
        victim.pos_ == "NUM" or victim.lemma_.lower() in ("people", "person"))
    return VictimStatement(kind, count, Evidence(article_id, start, end, text[start:end]),
                           _definite(victim, verb), by_doer, doer=doer,
                           pronoun=_pronoun(victim), total=total)


def _headline_pair(victim: Token, lex: VictimLexicon) -> tuple[Token, int] | None:
    """A headline's comma stands for "and": in "Mother, toddler killed" the parser hangs the
    second person on the first as an apposition; the first is a victim too. Not an age ("Boy,
    4, dies": a number is no person)."""
    if victim.dep_ != "appos" or victim.pos_ == "NUM" or victim.head.pos_ not in ("NOUN", "PROPN"):
        return None
    first = victim.head
    if first.lemma_.lower() not in lex.person_nouns or first.tag_ not in ("NN", "NNP"):
        return None
    if _own_fate(first, lex) or any(t.lower_ in ("dead", "killed") for t in first.head.children
                                    if first.dep_ != "ROOT"):
        return None  # "Toddler killed; 2 adults hurt": the first has a fate of its own
    return first, 1


def _with_doer_dead(
    doc: Doc, title: str | None, found: list[VictimStatement], self_dead: bool = True,
) -> list[VictimStatement]:
    """In an article telling a murder-suicide, the largest count of the dead told as someone's
    victims ("he killed his wife and son") leaves out the one who killed them and then himself:
    one more. A count told of the dead alone ("three dead") may hold him and is left.
    ``self_dead`` (victim_self_dead): the doer's own death told without the word "suicide"
    tells it too: a death verb on a reflexive ("then killed himself"), a self-inflicted wound,
    a headline's "..., self" or "then himself"."""
    killed = [s for s in found if s.kind == "killed"]
    lemmas = token_lemmas(doc)
    told = any(lemma == "suicide"
               and not any(c.lemma_.lower() == "attempt" for c in doc[i].children)
               for i, lemma in enumerate(lemmas))
    headline = (title or "").lower()
    if self_dead and not told:
        lex = get_lexicon()
        words = set(_HEADLINE_TOKEN.findall(headline))
        told = any(_self_death(doc[i], lex) for i, (lemma, lower)
                   in enumerate(zip(lemmas, token_lowers(doc), strict=True))
                   if lemma in lex.death_verbs or lower in _SELF_DEATH_WORDS
                   ) or bool(words & _SELF_WORDS)
    if not killed or not (told or ("suicide" in headline and "attempt" not in headline)):
        return found
    best = max(killed, key=lambda s: s.count)
    if not best.by_doer or any(s.count > best.count for s in killed):
        return found
    if self_dead and best.count == 1 and set(
            _HEADLINE_TOKEN.findall(best.evidence.text.lower())) & _SELF_WORDS:
        return found  # a lone "... kills self": the one death is the doer's own
    return [*found, VictimStatement("killed", best.count + 1, best.evidence, doer="self",
                                    rule="victim_suicide")]


def _with_doer_counted(
    doc: Doc, title: str | None, told: Sequence[VictimStatement],
    found: list[VictimStatement],
) -> list[VictimStatement]:
    """``victim_doer_dead``: the one who did it and died in the happening (any statement of the
    body or the headline whose dead are him: "the gunman was killed by officers", "then killed
    himself", "turned the gun on himself") is one more than the largest count of the dead that
    leaves him out. A count naming him ("two people, including the gunman") holds him already;
    a story told as a murder-suicide is left to ``victim_suicide`` (its "two dead" mostly holds
    him)."""
    doers = [s for s in told if s.kind == "killed" and s.doer and s.count == 1]
    if not any(s.doer in ("noun", "own") for s in doers):
        # one dead by his own hand is the only one unless someone is told as his victims: a
        # child who shot himself is the boy who died, not one more
        doers = doers if any(s.by_doer for s in told) else []
    if not doers:
        return found
    if _told_murder_suicide(doc, title):
        return found
    killed = [s for s in found if s.kind == "killed"]
    victims = max((s.count for s in killed if not s.doer and not s.total
                   and not _SELF_WORDS & set(_HEADLINE_TOKEN.findall(s.evidence.text.lower()))),
                  default=0)
    if victims == 1 and not any(s.doer in ("self", "own") for s in doers):
        return found  # one dead beside a suspect killed by officers is mostly the suspect
    total = victims + 1
    # a count naming him ("two bailiffs and the gunman"), or the dead alone ("three dead"),
    # as large holds him
    if any(s.count >= total for s in killed) or any(
            s.kind == "killed" and s.doer and s.count >= total for s in told):
        return found
    return [*found, VictimStatement("killed", total, doers[0].evidence, doer=doers[0].doer,
                                    rule="victim_doer_dead")]


def _told_murder_suicide(doc: Doc, title: str | None) -> bool:
    """The article names its happening a murder-suicide (body or headline)."""
    lex = get_lexicon()
    if any(lemma in lex.suicide_nouns and _murder_suicide(doc[i])
           for i, lemma in enumerate(token_lemmas(doc))):
        return True
    words = _HEADLINE_TOKEN.findall((title or "").lower())
    return any((w in lex.suicide_nouns and n > 0 and words[n - 1] in ("murder", "homicide"))
               or w in ("murder-suicide", "homicide-suicide") for n, w in enumerate(words))


_SELF_WORDS = frozenset({"himself", "herself", "self"})
# the forms _self_death reads besides a death verb (a token with neither is not asked)
_SELF_DEATH_WORDS = frozenset({"self-inflicted", "inflicted"})


def _self_death(token: Token, lex: VictimLexicon) -> bool:
    """The doer's own death: a death verb whose object is a reflexive ("killed himself"), or a
    wound told self-inflicted."""
    if token.lower_ == "self-inflicted" or (
            token.lower_ == "inflicted" and token.i > 0 and token.doc[token.i - 1].lower_ in (
                "self", "-")):
        return True
    return token.lemma_.lower() in lex.death_verbs and any(
        c.dep_ == "dobj" and c.lower_ in ("himself", "herself") for c in token.children)


def _definite(victim: Token, verb: Token) -> bool:
    """One person told as already known: a pronoun ("she was wounded") or a noun with "the"
    ("the girl is in critical condition", "the wounded boy"); not one said to be another
    ("the woman was also shot")."""
    if any(c.lower_ in ("also", "too") for c in (*verb.children, *victim.children)):
        return False
    if victim.lower_ in ("he", "she", "him", "her"):
        return True
    return victim.tag_ in ("NN", "NNP") and any(
        c.dep_ == "det" and c.lower_ == "the" for c in victim.children)


def _noun_statement(
    noun: Token, lex: VictimLexicon, article_id: str, text: str, off: frozenset[str]
) -> VictimStatement | None:
    """"the death of a 4-year-old" (one), "a fatal shooting" (at least one): told by a noun."""
    lemma = noun.lemma_.lower()
    fatal = lemma in lex.death_nouns or (lemma in lex.fatal_heads and any(
        c.dep_ in ("amod", "compound") and c.lemma_.lower() in lex.fatal_modifiers | lex.death_nouns
        for c in noun.children
    ))
    if fatal and "victim_attempt" not in off and _attempted(noun):
        return None  # "charged with attempted murder": no one died
    times = next((lex.multiples[c.lower_] for c in noun.children
                  if c.dep_ in ("amod", "compound") and c.lower_ in lex.multiples), None)
    if "victim_multiple" not in off and times is not None and (fatal or lemma in lex.fatal_heads):
        # "a triple homicide": three killed; "a quadruple shooting": four shot
        start, end = noun.left_edge.idx, noun.idx + len(noun)
        return VictimStatement("killed" if fatal else "shot", times,
                               Evidence(article_id, start, end, text[start:end]))
    if not fatal:
        return None
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    victim = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
    count = _count(victim, lex, off) if victim is not None else None
    if count is not None and victim is not None and "victim_noun_list" not in off:
        # "the deaths of a woman and her daughter": the list adds up, as a verb's victims do
        parts = [_count(c, lex, off) for c in _conjuncts(victim, off)]
        if parts and all(p is not None for p in parts):
            count += sum(p for p in parts if p is not None)
    end_token = victim.right_edge if victim is not None and count is not None else noun
    start = noun.left_edge.idx
    end = end_token.idx + len(end_token)
    evidence = Evidence(article_id, start, end, text[start:end])
    if count is None:
        return VictimStatement("fatal", 1, evidence)
    doer = _names_doer(victim, lex, off) if victim is not None else ""
    return VictimStatement("killed", count, evidence, doer=doer)


def _names_doer(victim: Token, lex: VictimLexicon, off: frozenset[str]) -> str:
    """How the victims name the one who did it: "noun" ("the gunman", "two people, including
    the shooter"), "self" ("himself", "his wife and then himself"), else "" (victim_doer_dead)."""
    named = [victim, *_conjuncts(victim, off)]
    named += [g for c in victim.children if c.dep_ == "prep" and c.lower_ == "including"
              for g in c.children if g.dep_ == "pobj"]
    if any(t.lemma_.lower() in lex.doer_nouns or t.lower_ in lex.doer_nouns for t in named):
        return "noun"
    return "self" if any(t.lower_ in _SELF_WORDS for t in named) else ""


def _self_inflicted(verb: Token) -> bool:
    """A death told "of" or "from" a self-inflicted wound: the one who died is the doer."""
    return any(_self_death_word(t) for c in verb.children if c.dep_ == "prep"
               for t in c.subtree)


def _self_death_word(token: Token) -> bool:
    return token.lower_ == "self-inflicted" or (
        token.lower_ == "inflicted" and token.i > 0
        and token.doc[token.i - 1].lower_ in ("self", "-"))


def _doer_death(
    token: Token, lex: VictimLexicon, article_id: str, text: str
) -> VictimStatement | None:
    """The doer's own death told without a death verb (victim_doer_dead): "turned the gun on
    himself", "took his own life", "died by suicide", "in an apparent suicide"; not a
    murder-suicide (its counts of the dead may hold him), an attempt or a suicide bomber."""
    lemma = token.lemma_.lower()
    if lemma in lex.doer_turn_verbs and token.pos_ == "VERB":
        told = any(c.dep_ == "dobj" and c.lemma_.lower() in lex.doer_weapons
                   for c in token.children) and any(
            c.dep_ == "prep" and c.lower_ == "on" and any(
                g.dep_ == "pobj" and g.lower_ in _SELF_WORDS for g in c.children)
            for c in token.children)
    elif lemma in lex.doer_life_verbs and token.pos_ == "VERB":
        told = any(c.dep_ == "dobj" and c.lemma_.lower() == "life" and any(
            g.lower_ == "own" for g in c.children) for c in token.children)
    elif lemma in lex.suicide_nouns and token.pos_ == "NOUN":
        # "a suicide note", "suicide prevention": it names another thing
        told = token.dep_ != "compound" and not _murder_suicide(token) and not any(
            c.lemma_.lower() == "attempt" for c in token.children)
    else:
        return None
    if not told or _negated(token) or unreal_reason(token, sentence_of(token)) is not None:
        return None  # "threatened to take his own life", "did not turn the gun on himself"
    start, last = token.left_edge.idx if token.pos_ == "NOUN" else token.idx, token
    for c in token.children:
        if c.dep_ in ("dobj", "prep") and c.right_edge.i > last.i:
            last = c.right_edge
    end = last.idx + len(last)
    return VictimStatement("killed", 1, Evidence(article_id, start, end, text[start:end]),
                           doer="own" if _doer_subject(token, lex) else "self")


def _doer_subject(verb: Token, lex: VictimLexicon) -> bool:
    """The verb's subject is a noun naming the doer ("the gunman turned the gun on himself")."""
    heads = [verb] + ([verb.head] if verb.dep_ in ("conj", "xcomp", "advcl") else [])
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in lex.doer_nouns
               for h in heads for c in h.children)


def _murder_suicide(noun: Token) -> bool:
    """ "murder-suicide", "murder suicide" (the parser splits the hyphen)."""
    doc = noun.doc
    before = [doc[i] for i in range(max(noun.i - 2, 0), noun.i)]
    murders = ("murder", "homicide")
    return (any(t.lemma_.lower() in murders for t in before)
            or any(c.lemma_.lower() in murders for c in noun.children)
            or (noun.dep_ == "conj" and noun.head.lemma_.lower() in murders))


def _pronoun(victim: Token) -> str:
    return victim.lower_ if victim.lower_ in ("he", "she") else ""


def _pronoun_doers(found: list[VictimStatement]) -> list[VictimStatement]:
    """A victim told by a pronoun right after a statement of the doer ("the gunman shot himself;
    he died at the scene") is the doer, told again; not one of the other sex ("shot himself;
    she died")."""
    out: list[VictimStatement] = []
    for s in found:
        if s.pronoun and not s.doer and out and out[-1].doer:
            words = set(_HEADLINE_TOKEN.findall(out[-1].evidence.text.lower()))
            other = {"he": "herself", "she": "himself"}[s.pronoun]
            if other not in words:
                s = dataclasses.replace(s, doer=out[-1].doer)
        out.append(s)
    return out


def _attempted(noun: Token) -> bool:
    """"attempted murder", "an attempted homicide", "the attempt of murder": a charge for
    someone who lived."""
    if any(c.dep_ in ("amod", "compound") and c.lemma_.lower() == "attempt"
           for c in noun.children):
        return True
    return noun.dep_ == "pobj" and noun.head.head.lemma_.lower() == "attempt"


def _headline_number(word: Token) -> Token | None:
    """The number a headline hangs on its fate word ("2 dead", "5 hurt"), before it."""
    return next((c for c in word.children
                 if c.pos_ == "NUM" and c.i < word.i and c.dep_ in ("nummod", "meta", "nsubj",
                                                                     "npadvmod")), None)


def _described(word: Token) -> Token | None:
    """The person a participle or adjective describes: its noun ("four people wounded"), or
    the object of the verb it completes ("left one man dead")."""
    if word.dep_ == "oprd":
        return next((c for c in word.head.children if c.dep_ == "dobj"), None)
    if word.head.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "ADJ") and word.head.i != word.i:
        doc = word.doc
        if word.i < word.head.i and any(t.text == "," for t in doc[word.i + 1:word.head.i]):
            return None  # "9-year-old dead, three others wounded": a comma ends the phrase
        return word.head
    return None


def _conjuncts(victim: Token, off: frozenset[str]) -> list[Token]:
    """The other parts of a list of victims: "his wife, son and daughter" (a chain of conj)."""
    direct = [c for c in victim.children if c.dep_ == "conj"]
    if "victim_list" in off:
        return direct
    found, todo = [], direct
    while todo:
        c = todo.pop(0)
        found.append(c)
        todo.extend(g for g in c.children if g.dep_ == "conj")
    return found


def _own_fate(noun: Token, lex: VictimLexicon) -> bool:
    """The phrase carries its own death or injury word ("four people wounded")."""
    return any(
        c.dep_ in ("acl", "amod") and (c.lemma_.lower() in casualty_verbs() or c.lower_ == "dead")
        for c in noun.children
    )


def _condition_statement(
    noun: Token, lex: VictimLexicon, article_id: str, text: str, survives: bool = True,
    other_death: bool = True,
) -> VictimStatement | None:
    """Someone hurt and alive, told by their state: "listed in critical condition", "recovering
    with non-life-threatening injuries", "suffered a gunshot wound". A sentence that also tells a
    death ("taken to the hospital in critical condition, where he died") is left to that.
    ``survives`` (victim_survives): a wound told not to threaten life is someone hurt and
    alive, not someone shot who may be the dead. ``other_death``: as for
    :func:`_hospital_statement`."""
    lemma = noun.lemma_.lower()
    if lemma not in lex.condition_nouns and lemma not in lex.wound_nouns:
        return None  # neither a condition nor a wound: no children read
    modifiers = {c.lower_ for c in noun.children if c.dep_ in ("amod", "compound")}
    # a wound told not to threaten life is someone alive ("non-fatal wounds" is no death)
    alive = lemma in lex.wound_nouns and survives and _survivable(noun, lex)
    if lemma in lex.condition_nouns:
        if not modifiers & lex.condition_words:
            return None
    elif lemma not in lex.wound_nouns or (
            not alive and modifiers & (lex.fatal_modifiers | lex.fatal_words)):
        return None  # "died of his wounds", "a fatal wound": told as deaths
    if noun.dep_ == "pobj" and noun.head.dep_ == "prep":
        holder = noun.head.head
    elif noun.dep_ == "dobj":
        holder = noun.head
    else:
        return None
    if holder.pos_ in ("VERB", "AUX"):
        if holder.lemma_.lower() not in lex.wound_verbs or _negated(holder):
            return None
        if unreal_reason(holder, sentence_of(holder)) is not None:
            return None
        victim = _victim(holder, holder.lemma_.lower())
    else:
        victim = holder if holder.pos_ in ("NOUN", "PROPN", "PRON") else None
    if victim is None or victim.i == noun.i:
        return None
    # someone alive: a death in the sentence is another's (victim_survives); so is one told of
    # someone else by name or noun (victim_other_death: "two died and another is in critical
    # condition")
    deaths = [t for t in sentence_of(noun)
              if t.lemma_.lower() in lex.death_verbs or t.lower_ == "dead"]
    besides = other_death and bool(deaths) and all(_death_of_another(t, victim) for t in deaths)
    if deaths and not alive and not besides:
        return None
    count = _count(victim, lex)
    if not count:
        return None
    start = min(victim.left_edge.idx, noun.left_edge.idx)
    end = max(noun.idx + len(noun), victim.idx + len(victim))
    # a wound tells someone was hurt, not that they lived ("found suffering from a gunshot wound"
    # and pronounced dead later): counted as shot; a condition is told of the living
    if alive:
        # "suffered non-life-threatening injuries": alive, so not the one who died (not
        # definite: victim_same leaves them) and not lowered by the dead as the shot are
        return VictimStatement("injured", count,
                               Evidence(article_id, start, end, text[start:end]),
                               rule="victim_survives")
    # told beside another's death: hurt besides the dead, not the one who died (victim_same
    # leaves them; a wound is not lowered by the dead as the shot are)
    kind = "injured" if lemma in lex.condition_nouns or besides else "shot"
    return VictimStatement(kind, count, Evidence(article_id, start, end, text[start:end]),
                           _definite(victim, holder) and not besides,
                           doer=_names_doer(victim, lex, frozenset()), pronoun=_pronoun(victim),
                           rule="victim_other_death" if besides else "")


def _survivable(noun: Token, lex: VictimLexicon) -> bool:
    """The wound is told not to threaten life: a word before it ("minor injuries",
    "non-life-threatening wounds") or its own clause after it, negated ("injuries that did not
    appear life-threatening"); compared as letters only."""
    doc = noun.doc
    before = _letters(doc[noun.left_edge.i:noun.i].text)
    clause = doc[noun.i + 1:noun.right_edge.i + 1]
    after = _letters(clause.text)
    return any(w in before for w in lex.survival_before) or (
        any(t.dep_ == "neg" for t in clause) and any(w in after for w in lex.survival_after))


def _survival_statement(
    verb: Token, lex: VictimLexicon, article_id: str, text: str
) -> VictimStatement | None:
    """Someone hurt and alive, told by an expectation that they live: "is expected to
    survive", "are expected to be okay" (victim_survives). Not "is not expected to survive";
    a death elsewhere in the sentence is another person's ("one man died and another is
    expected to survive")."""
    lemma = verb.lemma_.lower()
    okay = lemma == "be" and any(c.dep_ == "acomp" and c.lower_ in lex.survival_states
                                 for c in verb.children)
    if lemma not in lex.survival_verbs and not okay:
        return None
    expect = verb.head
    if verb.dep_ != "xcomp" or expect.lemma_.lower() not in lex.expect_verbs:
        return None
    if _negated(verb) or _negated(expect):
        return None
    victim = next((c for c in expect.children if c.dep_ == "nsubjpass"), None)
    if victim is None or not _person(victim, lex):
        return None
    count = _count(victim, lex)
    if not count:
        return None
    return VictimStatement("injured", count, _told_alive(victim, verb, article_id, text),
                           rule="victim_survives")


def _hospital_statement(
    verb: Token, lex: VictimLexicon, article_id: str, text: str, other_death: bool = True,
) -> VictimStatement | None:
    """Someone hurt and alive, told by their stay in a hospital: "remains hospitalized", "is
    recovering at a hospital", "was treated and released", "is fighting for her life". A
    sentence that also tells a death ("taken to a hospital, where he died") is left to that,
    unless (``other_death``, victim_other_death) the death is told of someone else: "a girl
    died and her mother remains in the hospital"."""
    lemma = verb.lemma_.lower()
    if (lemma not in lex.hospital_verbs and lemma not in lex.hospital_place_verbs
            and lemma not in lex.hospital_stay_verbs and lemma not in lex.life_verbs):
        return None  # told by none of the verbs below: no children read
    preps = [c for c in verb.children if c.dep_ == "prep"]
    if lemma in lex.hospital_stay_verbs:
        preps = [c for c in preps if c.lower_ == "in"]  # "in the hospital", not a visit "at" it
    objects = [g for c in preps for g in c.children if g.dep_ == "pobj"]
    if lemma in lex.hospital_verbs:
        # "remains hospitalized", "is recovering"; not "a gun was recovered"
        told = lemma != "recover" or not (_has(verb, "dobj") or _has(verb, "nsubjpass"))
    elif lemma in lex.hospital_place_verbs | lex.hospital_stay_verbs:
        told = any(o.lemma_.lower() in lex.hospital_nouns for o in objects)
    elif lemma in lex.life_verbs:
        told = any(o.lemma_.lower() == "life" and any(
            c.dep_ == "poss" for c in o.children) for o in objects)
    else:
        return None
    if not told or _negated(verb) or unreal_reason(verb, sentence_of(verb)) is not None:
        return None
    holders = [verb, *(c for c in verb.children if c.dep_ in ("aux", "auxpass"))]
    if verb.dep_ in ("acomp", "xcomp", "oprd", "conj") and verb.head.pos_ in ("VERB", "AUX"):
        holders.append(verb.head)  # "remained hospitalized"
    # the subject; the parser may hang it on "remains" read as an auxiliary
    victim = next((c for h in holders for c in h.children if c.dep_ in ("nsubjpass", "nsubj")),
                  None)
    if victim is None or not _person(victim, lex):
        return None
    deaths = [t for t in sentence_of(verb)
              if t.lemma_.lower() in lex.death_verbs or t.lower_ in ("dead", "death", "deceased")]
    besides = other_death and bool(deaths) and all(_death_of_another(t, victim) for t in deaths)
    if deaths and not besides:
        return None
    count = _count(victim, lex)
    if not count:
        return None
    # told beside another's death: not the one who died (victim_same leaves them)
    return VictimStatement("injured", count, _told_alive(victim, verb, article_id, text),
                           _definite(victim, verb) and not besides,
                           doer=_names_doer(victim, lex, frozenset()), pronoun=_pronoun(victim),
                           rule="victim_other_death" if besides else "")


def _told_alive(victim: Token, verb: Token, article_id: str, text: str) -> Evidence:
    """The evidence of a statement that someone lives: from the victim's phrase to the verb
    (or the verb to the victim's head word, when the verb comes first)."""
    start = min(victim.left_edge.idx, verb.idx)
    end = max(verb.idx + len(verb), victim.idx + len(victim))
    return Evidence(article_id, start, end, text[start:end])


def _death_of_another(word: Token, victim: Token) -> bool:
    """The death ``word`` tells ("died", "killed", "dead") is told of a noun or name other than
    ``victim``: its subject, or an active verb's object ("killed his wife"), or the noun "dead"
    describes. A pronoun may be the victim itself ("taken to a hospital, where he died"), and a
    death noun does not say whose: neither counts as another's."""
    if word.lower_ == "dead":
        if word.dep_ == "acomp":
            dead = _child(word.head, ("nsubj", "nsubjpass"))
        elif word.dep_ == "oprd":  # "left two men dead", "were found dead"
            dead = _child(word.head, ("dobj",)) or _child(word.head, ("nsubjpass",))
        else:
            dead = word.head if word.dep_ == "amod" else None
    elif word.pos_ in ("VERB", "AUX"):
        dead = _child(word, ("dobj",)) or _child(word, ("nsubj", "nsubjpass"))
    else:
        dead = None
    return dead is not None and dead.pos_ in ("NOUN", "PROPN", "NUM") and dead.i != victim.i


def _child(token: Token, deps: tuple[str, ...]) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def _person(token: Token, lex: VictimLexicon) -> bool:
    """The phrase names people: a person noun ("two teens", "the victims"), a name, a pronoun or
    a bare number ("two were hospitalized"), not a thing ("a rifle was recovered")."""
    lemma = token.lemma_.lower()
    return (lemma in lex.person_nouns or lemma in ("victim", "people") or lemma.endswith("-old")
            or token.ent_type_ == "PERSON" or token.pos_ in ("PRON", "PROPN", "NUM")
            or (lemma == "old" and any(c.lemma_ == "year" for c in token.children)))


def _tally(verb: Token, lex: VictimLexicon) -> bool:
    """The statement's clause is told over a period or over many happenings: a date with a
    period word ("so far this year", "in recent weeks", "since May"), a bare year ("in 2012"),
    or a plural happening noun ("in nine shootings"), attached to the verb, a verb conjoined
    with it, or the clause it completes ("has seen 52 people shot this year")."""
    heads = [verb, *(c for c in verb.children if c.dep_ == "conj")]
    if verb.dep_ in ("ccomp", "acl", "amod", "conj", "oprd", "xcomp", "relcl"):
        heads.append(verb.head)
    for head in heads:
        for child in head.children:
            if child.dep_ not in ("npadvmod", "advmod", "prep"):
                continue  # not the victims themselves ("a 17-year-old" is a DATE to spaCy)
            attached = [child] if child.dep_ != "prep" else [
                g for g in child.children if g.dep_ == "pobj"]
            if child.dep_ == "prep" and child.lower_ == "since":
                return True
            if any(_tally_word(t, lex) for t in attached):
                return True
    return False


def _tally_word(token: Token, lex: VictimLexicon) -> bool:
    lemma = token.lemma_.lower()
    if token.tag_ == "NNS" and lemma in lex.tally_happenings:
        return True  # "in nine shootings"
    if token.ent_type_ != "DATE":
        return False
    words = [t for t in token.subtree if t.ent_type_ == "DATE"] or [token]
    lowers = {t.lower_ for t in words}
    if "old" in lowers or token.head.lower_ == "old":
        return False  # an age: "a 3-year-old"
    if lowers & lex.tally_period_words:
        return True  # "so far this year", "in recent weeks", "since May"
    # a bare year: "in 2012" (a day or a month with it dates one happening)
    return len(words) == 1 and token.like_num and len(token.text) == 4


def _verb_kind(
    verb: Token, lemma: str, lex: VictimLexicon, off: frozenset[str] = frozenset()
) -> str | None:
    if (lemma not in lex.shot_verbs and lemma not in lex.injury_verbs
            and lemma not in lex.death_verbs and lemma != "pronounce"):
        return None  # none of the tests below can hold (the survival rule's "be"): no children
    children = {c.lower_ for c in verb.children}
    if "victim_fatal" not in off and lemma in lex.shot_verbs | lex.injury_verbs and (
        children & lex.fatal_words or _to_death(verb, lex)
    ):
        return "killed"  # "fatally wounded", "shot to death", "stabbed to death"
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


def _to_death(verb: Token, lex: VictimLexicon) -> bool:
    """"shot to death", "beaten to death": the verb's "to" takes a death noun."""
    return any(
        c.dep_ == "prep" and c.lower_ == "to"
        and any(g.dep_ == "pobj" and g.lemma_.lower() in lex.death_nouns for g in c.children)
        for c in verb.children
    )


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


def _set_off(token: Token) -> bool:
    """The token stands between commas ("Girl, 9, dies"): an apposition, for a number an age."""
    doc = token.doc
    return 0 < token.i < len(doc) - 1 and doc[token.i - 1].text == "," and doc[
        token.i + 1].text == ","


def _part(number: Token) -> Token:
    """The part a partitive names ("one of three people": one), else ``number`` itself."""
    of = next((c for c in number.children if c.lower_ == "of" and c.i < number.i), None)
    if of is None:
        return number
    return next((c for c in number.children if c.i < of.i and c.like_num), number)


def _count(
    victim: Token, lex: VictimLexicon, off: frozenset[str] = frozenset(), part: bool = True
) -> int | None:
    """How many people the phrase names: its number ("two men", "three others"), one for a
    singular person or a name, none for what is not a person. ``part``: a partitive counts its
    part ("one of three people": one; victim_partitive)."""
    if victim.lower_ in lex.none_words or any(
        c.dep_ == "det" and c.lower_ == "no" for c in victim.children
    ):
        return 0
    # a count comes before its noun; a number after it is an age ("Dale Voss, 32,") or a date
    number = next((c for c in victim.children if c.dep_ == "nummod" and c.i < victim.i), None)
    if victim.pos_ == "NUM":
        if "victim_age" not in off and _set_off(victim):
            return None  # "Girl, 9, dies": an age
        if ("victim_partitive" not in off and victim.dep_ == "pobj" and victim.head.lower_ == "of"
                and victim.head.head.pos_ in ("NOUN", "PROPN")):
            return None  # "father of 4 killed": the 4 are his children, not the dead
        number = victim
    elif (number is not None and "victim_thing" not in off
          and victim.lemma_.lower() in lex.thing_nouns):
        return None  # "five rounds", "three more times": no one
    if number is not None and part and "victim_partitive" not in off:
        number = _part(number)
    if number is not None:
        amount = parse_amount(number.text)
        if amount is not None and amount[1] is not None and amount[0] == amount[1]:
            return amount[0] if amount[0] < 1000 else None
        return None
    if victim.ent_type_ == "PERSON" or victim.lower_ in ("he", "she"):
        return 1
    if victim.lower_ in ("himself", "herself", "self") and "victim_self" not in off:
        return 1  # "shot himself"; "killed his wife, then himself": the shooter is one more
    if victim.pos_ == "PROPN" and victim.ent_type_ in ("", "PERSON") and victim.tag_ == "NNP":
        return 1  # a name the tagger knows as a name and NER missed
    lemma = victim.lemma_.lower()
    if lemma == "old" and any(c.lemma_ == "year" for c in victim.children):
        return 1  # "a 3-year-old"
    if lemma not in lex.person_nouns and not lemma.endswith("-old"):
        return None
    if victim.tag_ in ("NNS", "NNPS"):
        return None  # "victims", "people": how many is not said here
    return 1

"""Head-counts of a happening (crowd size, killed, injured, arrested) as ranges with their words.

"dozens" is [24, 99], "at least 12" is [12, unbounded), "two thousand" is [2000, 2000]: the
ranges, modifiers, number words and the nouns/verbs that tell what is counted live in
data/quantities.yaml. The kind comes from the dependency parse: the counted noun ("12 *bodies*",
"hundreds of *protesters*") and the verb that governs the count ("were *killed*", "*took to the
streets*"). A number with no such reading (a date, an age, money, "two officials said") is not a
quantity.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from spacy.tokens import Doc, Span, Token

from eventfuse.extract import times
from eventfuse.extract.wordscan import WordScan, word_scan
from eventfuse.nlp import (
    doc_text,
    expanded_span,
    sentence_of,
    strict_span,
    token_lemmas,
    token_lowers,
)
from eventfuse.records import Evidence, Quantity, QuantityKind
from eventfuse.yamlfile import load_yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# Entity labels whose numbers are not head-counts.
NOT_COUNT_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"})
# Larger "counts" are not head-counts of a happening (and keep arithmetic bounded).
MAX_COUNT = 10**10
# How many edges below the counted noun a describing verb may sit ("dozens of residents rallying").
DESCRIBING_DEPTH = 3
_MONTHS = frozenset((*times.MONTHS, *times.MONTH_ABBREVIATIONS))
_KIND_ORDER: tuple[QuantityKind, ...] = ("killed", "injured", "arrested", "size")


@dataclass(frozen=True, slots=True)
class Modifier:
    mode: str  # min | above | below | upto | band (see data/quantities.yaml)
    factor: float = 0.0


@dataclass(frozen=True, slots=True)
class QuantityLexicon:
    vague: Mapping[str, tuple[int, int]]
    modifiers: Mapping[str, Modifier]
    units: Mapping[str, int]
    tens: Mapping[str, int]
    scales: Mapping[str, int]
    kind_nouns: Mapping[QuantityKind, frozenset[str]]
    kind_verbs: Mapping[QuantityKind, tuple[tuple[str, ...], ...]]
    people: frozenset[str]
    crowd_events: frozenset[str]
    reporting_verbs: frozenset[str]
    not_counts: frozenset[str]


@functools.cache
def get_lexicon() -> QuantityLexicon:
    raw: dict[str, Any] = load_yaml((DATA_DIR / "quantities.yaml").read_text(encoding="utf-8"))
    kinds = cast(dict[QuantityKind, dict[str, list[str]]], raw["kinds"])
    return QuantityLexicon(
        vague={str(k): (int(v[0]), int(v[1])) for k, v in raw["vague"].items()},
        modifiers={str(k): Modifier(**v) for k, v in raw["modifiers"].items()},
        units=dict(raw["units"]),
        tens=dict(raw["tens"]),
        scales=dict(raw["scales"]),
        kind_nouns={k: frozenset(v["nouns"]) for k, v in kinds.items()},
        kind_verbs={k: tuple(tuple(p.split()) for p in v["verbs"]) for k, v in kinds.items()},
        people=frozenset(raw["people"]),
        crowd_events=frozenset(raw["crowd_events"]),
        reporting_verbs=frozenset(raw["reporting_verbs"]),
        not_counts=frozenset(str(w) for w in raw["not_counts"]),
    )


# --- amounts ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 14)
def parse_amount(text: str) -> tuple[int, int | None] | None:
    """The [low, high] range an amount names; high None is unbounded. None if not an amount.
    Kept per text (a pure reading; headlines and counts repeat the same words).

    >>> parse_amount("dozens"), parse_amount("at least 12"), parse_amount("two thousand")
    ((24, 99), (12, None), (2000, 2000))
    """
    norm = re.sub(r"\s+", " ", text.lower().replace("–", "-")).strip(" .,;:!?()\"'")
    norm = re.sub(r"\s+of$", "", norm)  # "hundreds of" (before the counted noun)
    if not norm:
        return None
    if _exact(norm) is not None:  # before ranges: "twenty-five", "one hundred and fifty"
        return _base_amount(norm)
    between = re.fullmatch(r"(?:between )?(.+?) ?(?: and | to |-) ?(.+)", norm)
    if between:
        low, high = _exact(between.group(1)), _exact(between.group(2))
        if low is not None and high is not None:
            return (min(low, high), max(low, high))
    lex = get_lexicon()
    for phrase in sorted(lex.modifiers, key=len, reverse=True):
        if norm.startswith(phrase + " "):
            base = _base_amount(norm[len(phrase) + 1 :])
            return None if base is None else _apply(lex.modifiers[phrase], base)
    return _base_amount(norm)


def _base_amount(text: str) -> tuple[int, int] | None:
    vague = get_lexicon().vague.get(text)
    if vague is not None:
        return vague
    exact = _exact(text)
    return None if exact is None else (exact, exact)


def _apply(modifier: Modifier, base: tuple[int, int]) -> tuple[int, int | None]:
    low, high = base
    if modifier.mode == "min":
        return low, None
    if modifier.mode == "above":
        return (low + 1 if low == high else low), None
    if modifier.mode == "below":
        top = max(0, high - 1) if low == high else high
        return min(math.floor(low * modifier.factor), top), top
    if modifier.mode == "upto":
        return math.floor(low * modifier.factor), high
    # band: an approximate amount spreads both ways
    return math.floor(low * (1 - modifier.factor)), math.ceil(high * (1 + modifier.factor))


def _exact(text: str) -> int | None:
    """An exact count written in digits ("1,500", "1.5 million") or words ("two thousand")."""
    lex = get_lexicon()
    digits = re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?: (\w+))?", text)
    if digits:
        scale = lex.scales.get(digits.group(2) or "", 1 if digits.group(2) is None else 0)
        if not scale or len(digits.group(1)) > 16:  # keeps float() exact enough
            return None
        value = float(digits.group(1).replace(",", "")) * scale
        return int(value) if value.is_integer() and value <= MAX_COUNT else None
    return _number_words(text)


def _number_words(text: str) -> int | None:
    lex = get_lexicon()
    words = [w for w in re.split(r"[ -]+", text) if w != "and"]
    if not words or words[0] in ("and",):
        return None
    total = current = 0
    for index, word in enumerate(words):
        if word in ("a", "an") and index == 0 and len(words) > 1:
            current = 1
        elif word in lex.units:
            current += lex.units[word]
        elif word in lex.tens:
            current += lex.tens[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in lex.scales:
            total += max(current, 1) * lex.scales[word]
            current = 0
        else:
            return None
    value = total + current
    return value if value <= MAX_COUNT else None


# --- finding quantities in a document ----------------------------------------------------------


@functools.cache
def _finder() -> WordScan:
    lex = get_lexicon()

    def alternatives(words: Sequence[str]) -> str:
        ordered = sorted(words, key=len, reverse=True)
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)

    word = alternatives([*lex.units, *lex.tens, *lex.scales])
    digits = (
        rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s+(?:{alternatives(list(lex.scales))}))?"
    )
    words = rf"(?:{word})(?:(?:\s+|-)(?:and\s+)?(?:{word}))*"
    number = rf"(?:{digits}|{words})\b"
    amount = rf"(?:{alternatives(list(lex.vague))})\b|{number}"
    modifier = rf"(?:(?:{alternatives(list(lex.modifiers))})\s+)?"
    between = rf"(?:between\s+)?{number}\s*(?:and|to|-|–)\s*{number}"
    lookbehind = r"(?<![\w$€£#.,:/-])"
    pattern = re.compile(
        rf"{lookbehind}(?:{between}|{modifier}(?:{amount}))(?![\w%]|[.,:/]\d)",
        re.IGNORECASE,
    )
    # every match opens with "between", a modifier, a vague amount, a number word or a digit
    opening = ["between", *lex.modifiers, *lex.vague, *lex.units, *lex.tens, *lex.scales]
    return word_scan(pattern, lookbehind, opening)


def find_quantities(doc: Doc, article_id: str) -> list[Quantity]:
    """Every head-count in ``doc`` whose kind the parse tells, in text order, with evidence."""
    found: list[Quantity] = []
    for match in _finder().matches(doc_text(doc)):
        span = expanded_span(doc, match.start(), match.end())
        amount = parse_amount(match.group())
        if span is None or len(span) == 0 or amount is None or not _is_count(span, match.group()):
            continue
        kind = quantity_kind(span)
        if kind is None:
            continue
        evidence = Evidence(article_id, match.start(), match.end(), match.group())
        found.append(Quantity(kind, amount[0], amount[1], match.group(), evidence))
    return found


def _is_count(span: Span, text: str) -> bool:
    """False for numbers that are dates, times, ages, money, percentages, years or ordinals."""
    doc = span.doc
    if any(token.ent_type_ in NOT_COUNT_LABELS for token in span):
        return False
    after = doc[span.end] if span.end < len(doc) else None
    before = doc[span.start - 1] if span.start > 0 else None
    lex = get_lexicon()
    if after is not None and (
        after.lower_ in lex.not_counts or after.lower_.rstrip(".") in _MONTHS
    ):
        return False
    if (after is not None and after.lower_.startswith("-year")) or re.search(r"-year", text):
        return False
    if before is not None and (
        before.lower_.rstrip(".") in _MONTHS or before.lower_ in ("no", "no.", "#", "number")
    ):
        return False
    bare = text.strip().lower()
    if re.fullmatch(r"(?:1[89]|20)\d\d", bare):
        return False  # a year, even where the model did not tag it DATE
    # "one" is a pronoun unless it counts a noun ("one protester").
    return not (bare == "one" and span.root.dep_ != "nummod")


# --- what is counted ---------------------------------------------------------------------------


def quantity_kind(span: Span) -> QuantityKind | None:
    """What the amount in ``span`` counts, from its noun and governing verb; None if unknown."""
    lex = get_lexicon()
    root = span.root
    noun = _counted_noun(root)
    argument = (
        root.head
        if root.dep_ in ("nummod", "quantmod") and noun is not None and noun.i == root.head.i
        else root
    )
    after = span.doc[span.end] if span.end < len(span.doc) else None
    # "the bodies of 14 civilians", "a rally of 5,000": the noun governing "of <count>".
    counted = noun if noun is not None else root
    governor = counted.head.head if counted.head.lower_ == "of" else None
    verbs = _governing_verbs(argument, noun)
    # "left one policeman dead": the verb's predicate adjective names the kind.
    predicates = [c for v in verbs[:2] for c in v.children if c.dep_ in ("oprd", "acomp")]
    for token in (noun, after, governor, *predicates):
        kind = _noun_kind(token, exclude="size")
        if kind is not None:
            return kind
    if governor is not None and {governor.lemma_.lower(), governor.lower_} & lex.crowd_events:
        return "size"
    upward = _upward_verb(argument)
    agent_of_transitive = (
        argument.dep_ == "nsubj"
        and upward is not None
        and any(c.dep_ == "dobj" for c in upward.children)
    )
    for verb in verbs:
        if verb.lemma_.lower() in lex.reporting_verbs and argument in verb.children:
            return None
        kind = _verb_kind(verb)
        if kind is None:
            continue
        if kind != "size" and agent_of_transitive:
            return None  # "12 militants killed 3 soldiers": the 12 did the killing
        if kind != "size" or _is_people(noun):
            return kind
    return _noun_kind(noun, exclude=None) if noun is not None else None


def _counted_noun(root: Token) -> Token | None:
    """The noun an amount counts ("12 *people*", "hundreds of *Afghans*"), else None."""
    if root.dep_ in ("nummod", "quantmod", "amod") and root.head.pos_ in ("NOUN", "PROPN", "ADJ"):
        return root.head
    for prep in root.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            objects = [c for c in prep.children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _governing_verbs(argument: Token, noun: Token | None) -> list[Token]:
    """The verb whose argument the count is, then verbs describing the counted noun."""
    # A past participle right on the counted noun comes first ("15 others *wounded*").
    verbs: list[Token] = [
        c
        for holder in (noun, argument)
        if holder is not None
        for c in holder.children
        if c.dep_ == "acl" and c.tag_ == "VBN"
    ]
    upward = _upward_verb(argument)
    if upward is not None:
        verbs.append(upward)
    # Verbs that describe the counted people ("protesters *who marched*", "residents
    # *rallying*"); the small model often hangs a participle under "of", so look a few edges down.
    for holder in (argument, noun):
        if holder is None:
            continue
        verbs.extend(
            d
            for d in holder.subtree
            if d.pos_ == "VERB" and d.i != holder.i and _depth_below(d, holder) <= DESCRIBING_DEPTH
        )
    return verbs


def _upward_verb(argument: Token) -> Token | None:
    """The nearest verb above the count: the one it is an argument of."""
    for head in argument.ancestors:
        if head.pos_ in ("VERB", "AUX"):
            return head
    return None


def _depth_below(token: Token, ancestor: Token) -> int:
    depth = 0
    while token.i != ancestor.i and token.head.i != token.i:
        token, depth = token.head, depth + 1
    return depth


def _noun_kind(token: Token | None, exclude: str | None) -> QuantityKind | None:
    if token is None:
        return None
    forms = {token.lemma_.lower(), token.lower_}
    for kind in _KIND_ORDER:
        if kind != exclude and forms & get_lexicon().kind_nouns.get(kind, frozenset()):
            return kind
    return None


def _verb_kind(verb: Token) -> QuantityKind | None:
    # the Doc's lemma and form lists (built once per Doc), not a Span per phrase
    lemmas, lowers, i = token_lemmas(verb.doc), token_lowers(verb.doc), verb.i
    phrases, by_first = _kind_phrases()
    # only the phrases whose first word the verb is, in the table's order (kind, then phrase)
    for n in sorted({*by_first.get(lemmas[i], ()), *by_first.get(lowers[i], ()),
                     *by_first.get("", ())}):
        kind, phrase = phrases[n]
        # each word of the phrase is the lemma or the lower-case form of the next token
        if i + len(phrase) <= len(lemmas) and all(
            w in (lemmas[i + k], lowers[i + k]) for k, w in enumerate(phrase)
        ):
            return kind
    return None


@functools.cache
def _kind_phrases() -> tuple[tuple[tuple[QuantityKind, tuple[str, ...]], ...],
                             Mapping[str, tuple[int, ...]]]:
    """Every (kind, verb phrase) in the order they are tried, and their positions by first
    word."""
    lex = get_lexicon()
    phrases = tuple((kind, phrase) for kind in _KIND_ORDER
                    for phrase in lex.kind_verbs.get(kind, ()))
    by_first: dict[str, list[int]] = {}
    for n, (_kind, phrase) in enumerate(phrases):  # an empty phrase ("") holds for any verb
        by_first.setdefault(phrase[0] if phrase else "", []).append(n)
    return phrases, {w: tuple(ns) for w, ns in by_first.items()}


def _is_people(noun: Token | None) -> bool:
    """True for a crowd or people noun, or no noun at all ("Dozens rallied")."""
    if noun is None:
        return True
    lex = get_lexicon()
    forms = {noun.lemma_.lower(), noun.lower_}
    # With a crowd verb, any plural counted noun is taken for people ("thousands of nurses").
    return (
        bool(forms & (lex.people | lex.kind_nouns["size"]))
        or noun.ent_type_ == "NORP"
        or noun.tag_ in ("NNS", "NNPS")
    )


# --- the quantities of one happening -------------------------------------------------------


def quantities_for(
    sent: Span, trigger: Token | None, quantities: Sequence[Quantity]
) -> list[Quantity]:
    """The quantities in ``sent`` attached to the happening around ``trigger``.

    Attached: the count and the trigger share their clause, or one clause directly governs the
    other ("took to the streets, *protesting*"), or the count sits under a noun trigger ("a rally
    of thousands"). Without a trigger, every quantity of the sentence.
    """
    doc = sent.doc
    inside = [
        q
        for q in quantities
        if q.evidence is not None and sent.start_char <= q.evidence.start < sent.end_char
    ]
    if trigger is None:
        return inside
    attached = []
    for quantity in inside:
        assert quantity.evidence is not None
        # strict alignment, as it always was: a count inside a token ("2-0") is not looked up
        # (the call once passed "expand" positionally, where char_span takes a label)
        span = strict_span(doc, quantity.evidence.start, quantity.evidence.end)
        if span is not None and len(span) > 0 and _attached(span.root, trigger):
            attached.append(quantity)
    return attached


def _attached(count: Token, trigger: Token) -> bool:
    count_clause, trigger_clause = _shared_clause(_clause(count)), _shared_clause(_clause(trigger))
    if count_clause.i == trigger_clause.i:
        return True
    if not _verb_like(trigger) and trigger in count.ancestors:
        return True  # inside the trigger's noun phrase: "a rally of thousands"
    # A directly linked clause without its own subject continues the same happening ("took to the
    # streets, protesting"); one with a subject ("while police arrested 12") is another happening.
    linked = (count_clause.head.i == trigger_clause.i and not _has_subject(count_clause)) or (
        trigger_clause.head.i == count_clause.i and not _has_subject(trigger_clause)
    )
    return linked or (count in trigger.ancestors and not _has_subject(trigger_clause))


def _shared_clause(verb: Token) -> Token:
    """The first of coordinated clauses sharing one subject: "killing 12 and *wounding* 30" goes
    on about the same happening as "killing"; "and police arrested 5" has its own subject."""
    for _ in range(5):
        if verb.dep_ != "conj" or _has_subject(verb) or not _verb_like(verb.head):
            break
        verb = verb.head
    return verb


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in verb.children)


def _verb_like(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX")


def _clause(token: Token) -> Token:
    """The verb heading the clause a token is in (the sentence root if none)."""
    for candidate in (token, *token.ancestors):
        if candidate.pos_ in ("VERB", "AUX"):
            return candidate
    return sentence_of(token).root

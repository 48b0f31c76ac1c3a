"""Event detection and typing: which clauses report a happening, its PLOVER category and mode,
its ACLED-style crosswalk, status and attribution.

Triggers are spaCy lemmas looked up in data/plover_lexicon.yaml: a curated table first, then a
fallback derived from the PETRARCH2 CAMEO verb dictionary (lower confidence). A verb's particle,
preposition or object can override its type ("call for" is a REQUEST, bare "call" is nothing);
light verbs take their object's type ("held talks", "conducted airstrikes").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from spacy.symbols import NOUN, PROPN, VERB
from spacy.tokens import Doc, Span, Token

from eventfuse.extract.status import (
    attribution,
    get_cues,
    load_lexicon,
    stance_reason,
    unreal_reason,
)
from eventfuse.nlp import (
    doc_text,
    sentence_of,
    token_ent_types,
    token_lemmas,
    token_lowers,
    token_pos,
)
from eventfuse.ontology import get_ontology
from eventfuse.records import Status
from eventfuse.yamlfile import load_yaml

# Confidence of a trigger by where its entry came from.
_STRENGTH = {"verb": 0.8, "noun": 0.65, "light": 0.8, "cameo": 0.5}
_NAME_ENTS = frozenset({"DATE", "TIME", "ORG", "PERSON", "WORK_OF_ART", "LAW", "EVENT", "NORP"})
_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod"})
# Clauses that background a happening (participial/relative modifiers) rank after main clauses.
_BACKGROUND_DEPS = frozenset({"acl", "relcl", "advcl", "pcomp"})
_QUOTE_PAIRS = re.compile(r"“[^”]*”|\"[^\"\n]*\"|‘[^’\n]{12,}’")


@dataclass(frozen=True, slots=True)
class Entry:
    type: str | None
    mode: str | None = None
    with_: Mapping[str, tuple[str | None, str | None]] = field(default_factory=dict)
    bare: bool = True
    military_context: tuple[str | None, str | None] | None = None


@dataclass(frozen=True, slots=True)
class Lexicon:
    verbs: Mapping[str, Entry]
    nouns: Mapping[str, Entry]
    cameo_verbs: Mapping[str, tuple[str | None, str | None]]
    cameo_particles: Mapping[str, Mapping[str, tuple[str | None, str | None]]]
    light_verbs: frozenset[str]
    military_cues: frozenset[str]
    non_agent_things: frozenset[str] = frozenset()
    fallback_private_people: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class EventCandidate:
    """A clause reporting (or, with ``unreal``, only mentioning) a happening."""

    trigger: Token
    sentence: Span
    type: str
    mode: str | None
    source: str  # "verb", "noun", "light" (light verb + event noun) or "cameo"
    object: Token | None = None  # the event noun of a light verb ("conducted *airstrikes*")
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    status: Status = "reported"
    attribution: str | None = None
    attribution_span: tuple[int, int] | None = None
    unreal: str | None = None  # why it did not happen (negated, modal, habitual...), None if real
    confidence: float = 0.5

    @property
    def trigger_span(self) -> tuple[int, int]:
        """Character span of the trigger words (verb through its event noun when adjacent)."""
        start, end = self.trigger.idx, self.trigger.idx + len(self.trigger.text)
        if self.object is not None and 0 < self.object.i - self.trigger.i <= 3:
            end = self.object.idx + len(self.object.text)
        return start, end


# --- lexicon --------------------------------------------------------------------------------


def _code(value: Any) -> tuple[str | None, str | None]:
    """Parse "ASSAULT/aerial" -> ("ASSAULT", "aerial"); "NONE"/null -> (None, None): no event."""
    if value is None or str(value).upper() == "NONE":
        return None, None
    kind, _, mode = str(value).partition("/")
    return kind.strip().upper(), (mode.strip() or None)


def _word(key: Any) -> str:
    """A YAML key as a word: YAML 1.1 reads bare on/off/yes/no as booleans."""
    if key is True:
        return "on"
    if key is False:
        return "off"
    return str(key).lower()


def _entry(raw: Mapping[str, Any]) -> Entry:
    kind, _ = _code(raw.get("type"))
    extra = {**raw.get("with", {}), **raw.get("compounds", {})}
    military = raw.get("military_context")
    return Entry(
        type=kind,
        mode=raw.get("mode"),
        with_={_word(k): _code(v) for k, v in extra.items()},
        bare=bool(raw.get("bare", True)),
        military_context=_code(military) if military else None,
    )


@functools.cache
def get_lexicon() -> Lexicon:
    raw = load_lexicon()
    return Lexicon(
        verbs={str(k): _entry(v) for k, v in raw["verbs"].items()},
        nouns={str(k): _entry(v) for k, v in raw["nouns"].items()},
        cameo_verbs={str(k): _code(v) for k, v in raw.get("cameo_verbs", {}).items()},
        cameo_particles={
            str(k): {_word(p): _code(c) for p, c in v.items()}
            for k, v in raw.get("cameo_particles", {}).items()
        },
        light_verbs=frozenset(raw.get("light_verbs", ())),
        military_cues=frozenset(raw.get("military_context_cues", ())),
        non_agent_things=frozenset(str(w) for w in raw.get("non_agent_things", ())),
        fallback_private_people=frozenset(
            str(w) for w in raw.get("fallback_private_people", ())
        ),
    )


@functools.cache
def get_crosswalk() -> tuple[Mapping[str, Any], ...]:
    path = resources.files("eventfuse.data").joinpath("acled_crosswalk.yaml")
    rules: list[Mapping[str, Any]] = load_yaml(path.read_text(encoding="utf-8"))["rules"]
    return tuple(rules)


def quantity_kinds(kind: str) -> frozenset[str]:
    """The count kinds (size, killed...) a mention of category ``kind`` can carry."""
    return frozenset(get_ontology().get("quantity_kinds", {}).get(kind, ()))


def normalize_category(name: str, mode: str | None = None) -> tuple[str, str | None]:
    """Current PLOVER name for an old one: DEMAND -> REQUEST, INVESTIGATE -> ACCUSE/investigate."""
    old = get_ontology().get("old_names", {}).get(name.upper())
    if old is None:
        return name.upper(), mode or None
    return str(old[0]), (mode or old[1] or None)


def stated_category(kind: str, unreal: str | None) -> str:
    """What a clause that did not happen still states: "will visit" is AGREE (intent to
    cooperate), "would boycott" THREATEN, "must drop" REQUEST, "would not meet" REJECT."""
    if unreal is None:
        return kind
    onto = get_ontology()
    stance = "cooperative" if kind in onto.get("cooperative", ()) else None
    stance = stance or ("hostile" if kind in onto.get("hostile", ()) else None)
    if stance is None:
        return kind
    return str(onto.get("stated", {}).get(unreal, {}).get(stance, kind))


# --- typing one token -------------------------------------------------------------------------


def _keys(token: Token) -> list[str]:
    modifiers = [c for c in token.children if c.dep_ in ("compound", "amod")]
    keys = []  # most specific first: "air support" before "support"
    for child in modifiers:
        keys.append(f"{child.lemma_.lower()} {token.lemma_.lower()}")
        keys.append(f"{child.lower_} {token.lower_}")
    keys += [token.lemma_.lower(), token.lower_]
    if token.ent_type_:
        keys.append(f"@{token.ent_type_}")  # "captured @GPE": territory, whatever its name
    keys.extend(c.lemma_.lower() for c in modifiers if c.dep_ == "compound")  # "ceasefire deal"
    for prep in token.children:  # "700 kg of medicine", "a series of bombs": the "of" object
        if prep.dep_ == "prep" and prep.lower_ == "of":
            keys.extend(g.lemma_.lower() for g in prep.children if g.dep_ == "pobj")
    return keys


def _argument_keys(verb: Token) -> list[str]:
    """Words a `with` table can name, most telling first: objects, then prepositional objects,
    then particles and prepositions, then "@ccomp" when the verb reports a clause."""
    objects: list[str] = []
    pobjs: list[str] = []
    particles: list[str] = []
    for child in verb.children:
        if child.dep_ in ("prt", "prep", "agent"):
            particles.append(child.lower_)
            pobjs.extend(k for g in child.children if g.dep_ == "pobj" for k in _keys(g))
        elif child.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "dative"):
            objects.extend(_keys(child))
        elif child.dep_ == "ccomp":
            particles.append("@ccomp")
        elif child.dep_ in ("advcl", "xcomp", "advmod"):
            particles.append(f"@{child.lemma_.lower()}")  # "gathered peacefully to demand"
    return objects + pobjs + particles


def _verb_type(token: Token, lex: Lexicon) -> tuple[str, str | None, str] | None:
    lemma = token.lemma_.lower()
    entry = lex.verbs.get(lemma) or lex.verbs.get(token.lower_)  # lemmatizer misses: "retook"
    # the argument keys are read only where a table can name one (most verbs have none)
    if entry is not None:
        for key in _argument_keys(token) if entry.with_ else ():
            if key in entry.with_:
                kind, mode = entry.with_[key]
                return (kind, mode, "verb") if kind else None
        if entry.type and entry.bare:
            return entry.type, entry.mode, "verb"
        return None
    particles = lex.cameo_particles.get(lemma, {})
    for key in _argument_keys(token) if particles else ():
        kind, mode = particles.get(key, (None, None))
        if kind:
            return kind, mode, "cameo"
    kind, mode = lex.cameo_verbs.get(lemma, (None, None))
    return (kind, mode, "cameo") if kind else None


def _hyphenated(token: Token) -> str:
    """The whole word when the tokenizer split it at a hyphen ("sit-in" is sit, -, in; the parser
    makes "in" the head)."""
    doc, i = token.doc, token.i
    if i >= 2 and doc[i - 1].text == "-" and doc[i - 2].is_alpha:
        return f"{doc[i - 2].lower_}-{token.lower_}"
    return token.lower_


def _noun_type(
    token: Token, lex: Lexicon, sentence_words: frozenset[str]
) -> tuple[str, str | None] | None:
    entry = (
        lex.nouns.get(_hyphenated(token))
        or lex.nouns.get(token.lemma_.lower())
        or lex.nouns.get(token.lower_)
    )
    if entry is None:
        return None
    for key in _keys(token):
        modifier = key.split(" ")[0]
        if " " in key and modifier in entry.with_:
            kind, mode = entry.with_[modifier]
            return (kind, mode) if kind else None
    if not entry.bare or entry.type is None:
        return None
    if entry.military_context and entry.military_context[0] and sentence_words & lex.military_cues:
        return entry.military_context[0], entry.military_context[1]
    return entry.type, entry.mode


def noun_category(token: Token) -> str | None:
    """The PLOVER category an event noun names ("attack", "bombing"), or None."""
    lex = get_lexicon()
    typed = _noun_type(token, lex, frozenset(t.lower_ for t in sentence_of(token)))
    return typed[0] if typed else None


# --- detection ------------------------------------------------------------------------------


def detect_events(
    doc: Doc, include_unreal: bool = False, include_quoted: bool = False,
    keep_presupposed: bool = False,
) -> list[EventCandidate]:
    """Every clause of ``doc`` that reports a happening, in text order.

    Triggers inside direct quotes are left out (the quote is attached to its speaker's mention)
    unless ``include_quoted``; so are negated, hypothetical, future, habitual and infinitival
    clauses unless ``include_unreal`` (the ``eventfuse_filters`` component drops those with a
    reason; evaluation keeps intents, which still get their category). ``keep_presupposed``: a
    violent happening that an accusation or investigation is about ("investigating the shooting
    death of a child") is reported too, not only the investigation.
    """
    quoted = quoted_ranges(doc_text(doc))
    found: list[EventCandidate] = []
    for sent in doc.sents:
        for candidate in _sentence_events(sent, keep_presupposed):
            if not include_quoted and _inside(candidate.trigger.idx, quoted):
                continue
            if candidate.unreal and not include_unreal:
                continue
            found.append(candidate)
    return found


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of the direct quotes of ``text``."""
    return _quoted_ranges(text)


def inside_ranges(offset: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return _inside(offset, ranges)


def main_event(candidates: Sequence[EventCandidate]) -> EventCandidate | None:
    """The sentence's main happening: curated before CAMEO triggers, main clauses before
    modifiers, verbs before nouns, then the first."""
    if not candidates:
        return None
    return min(candidates, key=_main_rank)


def _main_rank(c: EventCandidate) -> tuple[bool, bool, bool, int]:
    # Curated triggers before CAMEO fallbacks; main clauses before modifiers. No "nearest the
    # root" step: its depth compared Token objects (new on every access), so it never ranked;
    # made to work it left PLOVER dev unchanged and cost gva-dev B3 0.002, place 0.003 and date
    # exact 0.003 (killed +0.005), so it is not kept (docs/quality.md).
    background = c.trigger.dep_ in _BACKGROUND_DEPS and c.trigger.head.dep_ != "ROOT"
    return (c.source == "cameo", background, c.source == "noun", c.trigger.i)


def _sentence_events(sent: Span, keep_presupposed: bool = False) -> list[EventCandidate]:
    lex = get_lexicon()
    words = frozenset(token_lowers(sent.doc)[sent.start : sent.end])
    raw = _typed_tokens(sent, lex, words)
    kept = _drop_content_and_duplicates(raw, keep_presupposed)
    return [_finish(c, sent) for c in kept]


_NOUN_POS = frozenset({NOUN, PROPN})
_VERB_POS = frozenset({VERB, PROPN})  # a lower-case participle may be tagged PROPN: _verb_like


def _typed_tokens(sent: Span, lex: Lexicon, words: frozenset[str]) -> list[EventCandidate]:
    # Token objects only for the nouns and verbs (read off the Doc's part-of-speech array)
    doc, pos, span = sent.doc, token_pos(sent.doc), range(sent.start, sent.end)
    nouns: dict[int, tuple[str, str | None]] = {}
    for i in span:
        if pos[i] in _NOUN_POS:
            token = doc[i]
            if _noun_can_report(token):
                noun_typed = _noun_type(token, lex, words)
                if noun_typed:
                    nouns[i] = noun_typed
    found: list[EventCandidate] = []
    light_objects: set[int] = set()
    for i in span:
        if pos[i] not in _VERB_POS:
            continue
        token = doc[i]
        if not _verb_like(token):
            continue
        obj = _event_object(token, nouns, lex)
        if obj is not None:
            kind, mode = nouns[obj.i]
            light_objects.add(obj.i)
            found.append(EventCandidate(token, sent, kind, mode, "light", object=obj))
            continue
        typed = _verb_type(token, lex)
        if typed and _thing_subject(token, lex):
            continue
        if typed and typed[2] == "cameo" and (
            _weak_fallback(token) or _describes_no_happening(token, typed[0], nouns, lex)
        ):
            continue
        if typed:
            found.append(EventCandidate(token, sent, typed[0], typed[1], typed[2]))
    for i, (kind, mode) in nouns.items():
        if i not in light_objects:
            found.append(EventCandidate(doc[i], sent, kind, mode, "noun"))
    return sorted(found, key=lambda c: c.trigger.i)


def _weak_fallback(verb: Token) -> bool:
    """A CAMEO-fallback verb used as a noun modifier ("cargo bound for Uganda", "troops serving
    with the mission", "a position guarding the camp") describes the noun, not a happening.
    (Requiring a political participant as well cost PLOVER dev accuracy: 0.845 -> 0.839.)"""
    return verb.dep_ in ("acl", "amod") and verb.tag_ in ("VBN", "VBG")


def _describes_no_happening(
    verb: Token, kind: str, nouns: Mapping[int, tuple[str, str | None]], lex: Lexicon
) -> bool:
    """A CAMEO-fallback verb whose subject is a thing or a private person ("the port handled
    cargo", "shoppers were buying bread": data lists) or an event ("as the
    march approached"), or whose object is an event ("joined the rally", "helped organise the
    march": the rally is the happening), says nothing political of its own."""
    def other_event(token: Token) -> bool:  # "the blast hit" is the blast itself: kept
        return token.i in nouns and nouns[token.i][0] != kind

    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and not _has_subject(verb):
        return True  # "said X, addressing the crowd": a circumstance of the head clause
    if verb.dep_ == "relcl":
        return True  # "the alliance, which organised the marches": describes the noun
    subject = _clause_subject(verb)
    if subject is not None and (
        other_event(subject)
        or subject.lemma_.lower() in lex.non_agent_things | lex.fallback_private_people
    ):
        return True
    verbs = [verb, *(c for c in verb.children if c.dep_ == "xcomp")]
    return any(c.dep_ == "dobj" and other_event(c) for v in verbs for c in v.children)


def _thing_subject(verb: Token, lex: Lexicon) -> bool:
    """Any verb whose subject is a thing ("congestion at the terminal eased"): no happening."""
    subject = _clause_subject(verb)
    return subject is not None and subject.lemma_.lower() in lex.non_agent_things


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _clause_subject(verb: Token) -> Token | None:
    """The verb's active subject (a passive one is what the happening befell); a subjectless
    participle or conjunct borrows its head's ("volumes rose, helped by ...")."""
    for token in (verb, verb.head) if verb.dep_ in ("advcl", "conj") else (verb,):
        for child in token.children:
            if child.dep_ == "nsubj":
                return child
    return None


def _noun_can_report(token: Token) -> bool:
    # "Ceasefire Violations Committee", "in March": a name part or a date, not a happening.
    if token.dep_ in ("compound", "punct") or token.ent_type_ in _NAME_ENTS:
        return False
    return not (token.pos_ == "PROPN" and token.ent_type_)


def _verb_like(token: Token) -> bool:
    # The small model sometimes tags a lower-case participle as PROPN ("have overrun Panjshir").
    if token.pos_ == "PROPN":
        return token.text.islower() and token.is_alpha
    # "the ousted president", "the besieged town": a modifier, not a clause
    return token.pos_ == "VERB" and token.dep_ not in _MODIFIER_DEPS


def _event_object(
    verb: Token, nouns: Mapping[int, tuple[str, str | None]], lex: Lexicon
) -> Token | None:
    if verb.lemma_.lower() not in lex.light_verbs:
        return None
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.i in nouns:
            return child
    return None


def _drop_content_and_duplicates(
    candidates: list[EventCandidate], keep_presupposed: bool = False
) -> list[EventCandidate]:
    """Drop what a speech act governs ("called for an uprising": one REQUEST, not a PROTEST too)
    and keep one candidate per category in a sentence (real before unreal, verbs before
    nouns), folding a more specific mode from the dropped one ("killed ... in an airstrike":
    aerial)."""
    cues = get_cues()
    by_token = {c.trigger.i: c for c in candidates}
    kept = [
        c
        for c in candidates
        if not _is_content(c, by_token, cues.content_types, cues.content_preps)
        or (keep_presupposed and _presupposed(c, by_token, cues.presupposing_types,
                                             cues.presupposed_types))
    ]
    best: dict[str, EventCandidate] = {}
    for cand in kept:
        other = best.get(cand.type)
        if other is None:
            best[cand.type] = cand
            continue
        winner, loser = (cand, other) if _rank(cand) < _rank(other) else (other, cand)
        if winner.mode is None and loser.mode is not None:
            winner = replace(winner, mode=loser.mode)
        best[cand.type] = winner
    return sorted(best.values(), key=lambda c: c.trigger.i)


def _rank(c: EventCandidate) -> tuple[bool, bool, int]:
    # Real happenings beat unreal ones; verbs before nouns (no depth step: see _main_rank).
    return (
        unreal_reason(c.trigger, c.sentence) is not None,
        c.source == "noun",
        c.trigger.i,
    )


def _is_content(
    cand: EventCandidate,
    by_token: Mapping[int, EventCandidate],
    content_types: frozenset[str],
    content_preps: frozenset[str],
) -> bool:
    child, token = cand.trigger, cand.trigger.head
    for _ in range(10):
        if token.i == child.i:
            return False
        head = by_token.get(token.i)
        if head is not None and head.type.lower() in content_types:
            if child.dep_ == "ccomp" and token.lemma_.lower() in get_cues().deny_verbs:
                return False  # "denied that troops shelled the village": kept, status denied
            return _content_edge(child, content_preps)
        child, token = token, token.head
    return False


def _presupposed(
    cand: EventCandidate,
    by_token: Mapping[int, EventCandidate],
    presupposing: frozenset[str],
    presupposed: frozenset[str],
) -> bool:
    """A happening an accusation or investigation is about took place ("charged in the shooting",
    "investigating the killing"): what is presupposed is reported, unlike what a request asks."""
    if cand.type.lower() not in presupposed:
        return False
    heads = [by_token.get(t.i) for t in cand.trigger.ancestors]
    return any(h is not None and h.type.lower() in presupposing for h in heads[:4])


def _content_edge(child: Token, content_preps: frozenset[str]) -> bool:
    if child.dep_ in ("ccomp", "xcomp", "dobj", "attr", "oprd", "pcomp", "nsubjpass", "acl"):
        return True
    return child.dep_ in ("prep", "mark") and child.lower_ in content_preps


def _finish(cand: EventCandidate, sent: Span) -> EventCandidate:
    said = attribution(cand.trigger, sent)
    event_type, sub_type = acled_for(cand.type, cand.mode, sent, cand.trigger)
    unreal = (
        unreal_reason(cand.object or cand.trigger, sent)
        or unreal_reason(cand.trigger, sent)
        or stance_reason(cand.trigger, cand.type)
    )
    span = (said.start, said.end) if said.start is not None and said.end is not None else None
    return replace(
        cand,
        type=stated_category(cand.type, unreal),
        acled_event_type=event_type,
        acled_sub_event_type=sub_type,
        status=said.status,
        attribution=said.text,
        attribution_span=span,
        unreal=unreal,
        confidence=_confidence(cand),
    )


def _confidence(cand: EventCandidate) -> float:
    score = _STRENGTH[cand.source]
    if cand.trigger.dep_ == "ROOT":
        score += 0.1
    if any(c.dep_ in ("nsubj", "nsubjpass") for c in cand.trigger.children):
        score += 0.05
    return round(min(score, 1.0), 2)


def _quoted_ranges(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _QUOTE_PAIRS.finditer(text)]


def _inside(offset: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(start < offset < end for start, end in ranges)


# --- ACLED-style crosswalk ------------------------------------------------------------------


def acled_for(
    kind: str, mode: str | None, sent: Span, trigger: Token | None
) -> tuple[str | None, str | None]:
    """ACLED event_type / sub_event_type for a PLOVER category + mode in its sentence, or Nones."""
    rule = acled_rule(kind, mode, sent, trigger)
    return (rule["event_type"], rule["sub_event_type"]) if rule else (None, None)


def acled_rule(
    kind: str, mode: str | None, sent: Span, trigger: Token | None
) -> Mapping[str, Any] | None:
    """The first crosswalk rule that holds (``default: true`` when only the category decided);
    kept on the Doc (detection, then typing twice, ask for the same candidate)."""
    known: dict[tuple[str, str | None, int, int, int], Mapping[str, Any] | None] = (
        sent.doc.user_data.setdefault(_ACLED_KEY, {}))
    key = (kind, mode, sent.start, sent.end, -1 if trigger is None else trigger.i)
    if key not in known:
        known[key] = _first_rule(kind, mode, sent, trigger)
    return known[key]


_ACLED_KEY = "eventfuse.acled_rule"


def _first_rule(
    kind: str, mode: str | None, sent: Span, trigger: Token | None
) -> Mapping[str, Any] | None:
    words = _cue_words(sent)
    # The trigger's subject and target words, read only when a rule of this category asks.
    arguments: dict[str, _CueWords] = {}
    for rule, checks in _rules_for(kind, mode):
        for where, cues, wanted in checks:
            if where == "text":
                seen = words
            else:  # a single-word cue of the subject or target is matched as a word, not a lemma
                said = arguments.get(where)
                seen = said if said is not None else arguments.setdefault(
                    where, _argument_words(where, trigger))
            # one answer per cue list and words (lists are compiled once: equal lists, one id)
            found = seen.hits.get(id(cues))
            if found is None:
                found = seen.hits[id(cues)] = cues.found(seen.text, seen.lemmas, seen.pieces)
            if found != wanted:
                break
        else:
            return rule
    return None


def _argument_words(where: str, trigger: Token | None) -> _CueWords:
    """The trigger's subject or target words, space-padded, and their pieces (no lemmas);
    kept on the Doc per trigger (detection and typing ask again for other categories)."""
    if trigger is None:
        return _CueWords(" ", frozenset(), frozenset(), {})
    known: dict[tuple[str, int], _CueWords] = trigger.doc.user_data.setdefault(
        _ARGUMENT_WORDS_KEY, {})
    key = (where, trigger.i)
    cached = known.get(key)
    if cached is None:
        text = _subject_text(trigger) if where == "subject" else _target_text(trigger)
        cached = known[key] = _CueWords(text, frozenset(), _pieces(text), {})
    return cached


_ARGUMENT_WORDS_KEY = "eventfuse.argument_words"


@dataclass(frozen=True, slots=True)
class _CueWords:
    """A sentence's words as cues are matched in them: lower case, space-joined and padded,
    their lemmas, the text's space-separated pieces, and the answers of the cue lists tried on
    them so far (by the list's id: the compiled lists live as long as the process)."""

    text: str
    lemmas: frozenset[str]
    pieces: frozenset[str]
    hits: dict[int, bool]


def _cue_words(sent: Span) -> _CueWords:
    """The sentence's cue words, built once per sentence (several candidates and typing ask
    again) from the Doc's per-token lists."""
    per_sentence: dict[tuple[int, int], _CueWords] = sent.doc.user_data.setdefault(
        _CUE_WORDS_KEY, {})
    cached = per_sentence.get((sent.start, sent.end))
    if cached is None:
        doc = sent.doc
        lowers, lemmas, ents = token_lowers(doc), token_lemmas(doc), token_ent_types(doc)
        # A date is no cue: "12 March" is not a march.
        words = [i for i in range(sent.start, sent.end) if ents[i] not in _NO_CUE_ENTITIES]
        text = " " + " ".join(lowers[i] for i in words) + " "
        cached = per_sentence[sent.start, sent.end] = _CueWords(
            text, frozenset(lemmas[i] for i in words), _pieces(text), {})
    return cached


def _pieces(text: str) -> frozenset[str]:
    """The runs of ``text`` with a space on both sides (a word cue occurs as " cue " exactly when
    it is one of them)."""
    return frozenset(text.split(" ")[1:-1])


_CUE_WORDS_KEY = "eventfuse.cue_words"


@functools.cache
def acled_fallback_event_types() -> Mapping[str, tuple[str, ...]]:
    """PLOVER category -> the ACLED event types the typing classifier may choose among when
    only a category default gave the sub-type (none when ``refine_defaults`` is off)."""
    path = resources.files("eventfuse.data").joinpath("acled_crosswalk.yaml")
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not data.get("refine_defaults", True):
        return {}
    raw = data.get("fallback_event_types", {})
    return {str(k): tuple(str(v) for v in values) for k, values in raw.items()}


_NO_CUE_ENTITIES = frozenset({"DATE", "TIME"})

# Which words each cue list of a crosswalk rule is matched in, and whether it must match.
_CUE_CHECKS = (
    ("cues", "text", True),
    ("also", "text", True),
    ("also_any", "text", True),
    ("territory_cues", "text", True),
    ("not_cues", "text", False),
    ("actor_cues", "subject", True),
    ("not_actor_cues", "subject", False),
    ("target_cues", "target", True),
    ("not_target_cues", "target", False),
)


@dataclass(frozen=True, slots=True)
class _Cues:
    """One cue list, compiled: a cue occurs as words of a space-joined text (a hyphenated cue,
    "sit-in", also as the tokenizer splits it) or, a single word, as a lemma. A cue without a
    space occurs in the padded text exactly when it is one of the text's space-separated
    pieces: a set look-up, not a substring search per cue. A phrase " w ... " can occur only
    where its first word ``w`` is one of the pieces: only those phrases are searched."""

    phrases: Mapping[str, tuple[str, ...]]  # padded cues with spaces, by their first word
    firsts: frozenset[str]  # the phrases' first words (a set: intersected from the smaller)
    loose: tuple[str, ...]  # padded phrases without a first word: always searched
    pieces: frozenset[str]  # cues without spaces, matched against the text's pieces
    words: frozenset[str]  # single-word cues, also matched as lemmas

    def found(self, text: str, lemmas: frozenset[str], pieces: frozenset[str]) -> bool:
        return (not self.pieces.isdisjoint(pieces) or not self.words.isdisjoint(lemmas)
                or any(p in text for p in self.loose)
                or any(p in text for first in pieces & self.firsts
                       for p in self.phrases[first]))


@functools.cache
def _interned_cues(listed: tuple[str, ...]) -> _Cues:
    """One compiled object per distinct cue list (the crosswalk's rules share lists: the
    answers kept per list's id then serve them all)."""
    return _compile_cues(listed)


def _compile_cues(listed: Iterable[str]) -> _Cues:
    cues, phrases, pieces = list(listed), [], set()
    for cue in cues:
        if cue and " " not in cue:
            pieces.add(cue)
        else:
            phrases.append(f" {cue} ")
        if "-" in cue:
            phrases.append(f" {cue.replace('-', ' - ')} ")
    by_first: dict[str, list[str]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase.split(" ")[1], []).append(phrase)
    loose = tuple(by_first.pop("", ()))
    return _Cues({w: tuple(p) for w, p in by_first.items()}, frozenset(by_first), loose,
                 frozenset(pieces),
                 frozenset(c for c in cues if " " not in c))


@functools.cache
def _rules_for(
    kind: str, mode: str | None
) -> tuple[tuple[Mapping[str, Any], tuple[tuple[str, _Cues, bool], ...]], ...]:
    """The crosswalk rules, in order, that a category and mode admit (``types``,
    ``require_type``, ``modes``): only their cue checks are left to try per candidate."""
    return tuple(
        (rule, checks) for rule, checks in _compiled_crosswalk()
        if kind in rule.get("types", (kind,)) and kind in rule.get("require_type", (kind,))
        and ("modes" not in rule or mode in rule["modes"])
    )


@functools.cache
def _compiled_crosswalk() -> tuple[tuple[Mapping[str, Any], tuple[tuple[str, _Cues, bool], ...]],
                                   ...]:
    """Each crosswalk rule with its cue checks compiled once (not a string built per cue, rule
    and candidate)."""
    return tuple(
        (rule, tuple((where, _interned_cues(tuple(rule[key])), wanted)
                     for key, where, wanted in _CUE_CHECKS if key in rule))
        for rule in get_crosswalk()
    )


_TARGET_PREPS = frozenset({"on", "against", "at", "into", "with", "upon"})


def _target_text(trigger: Token) -> str:
    """What the trigger acts on: its object or passive subject, or the object of on/against/
    at/into/with ("fired on crowds", "clashed with the army"), lower case."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    parts = []
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass", "dative"):
            parts.append(child)
        elif child.dep_ == "prep" and child.lower_ in _TARGET_PREPS:
            parts.extend(g for g in child.children if g.dep_ == "pobj")
    words = [t.lower_ for part in parts for t in part.subtree]
    return " " + " ".join(words) + " " if words else " "


# Verbs whose subject suffers the happening ("a protester died"): it is no actor.
_VICTIM_SUBJECT_VERBS = frozenset({"die", "perish", "succumb", "drown"})


def _subject_text(trigger: Token) -> str:
    """Who acts: the subject (or passive agent) of the trigger's verb; a participle or
    infinitive without its own ("..., injuring five") takes the subject of the verb it hangs on.
    Lower case, space-padded; a single space when there is none."""
    verb = trigger if trigger.pos_ in ("VERB", "AUX") else trigger.head
    for _ in range(3):
        if verb.lemma_.lower() in _VICTIM_SUBJECT_VERBS:
            return " "
        for child in verb.children:
            if child.dep_ in ("nsubj", "agent"):
                words = [t.lower_ for t in child.subtree]
                if any(_national_force(t) for t in child.subtree):
                    words.append(STATE_MARK)
                return " " + " ".join(words) + " "
        if verb.dep_ not in ("advcl", "xcomp", "conj") or verb.head.i == verb.i:
            break
        verb = verb.head
    return " "


# Added to a subject's words when a country's own forces act ("Ukrainian forces"), so that the
# crosswalk's state vocabulary can name them (data/acled_crosswalk.yaml).
STATE_MARK = "@state"


def _national_force(token: Token) -> bool:
    """A force noun ("forces", "troops") qualified by a nationality or country ("Ukrainian
    forces", "Russia's army"), not part of an organisation's name ("the Arakan Army")."""
    return (
        token.lower_ in _force_nouns()
        and token.ent_type_ != "ORG"
        and any(
            c.ent_type_ in ("NORP", "GPE") and c.dep_ in ("amod", "compound", "poss")
            for c in token.children
        )
    )


@functools.cache
def _force_nouns() -> frozenset[str]:
    path = resources.files("eventfuse.data").joinpath("acled_crosswalk.yaml")
    data = load_yaml(path.read_text(encoding="utf-8"))
    return frozenset(str(w) for w in data.get("national_force_nouns", ()))

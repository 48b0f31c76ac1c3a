"""Is a clause a real, specific happening, and who says so? (irrealis, attribution, status).

Cues come from the ``cues`` table of data/plover_lexicon.yaml so a user can extend them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from spacy.tokens import Span, Token

from eventfuse.nlp import token_lemmas, token_lowers
from eventfuse.records import Status
from eventfuse.yamlfile import load_yaml

# Dependency labels that put a clause under its head's scope (complements, not adjuncts).
_COMPLEMENT_DEPS = frozenset({"xcomp", "ccomp", "pcomp", "conj"})
# An infinitival clause under these edges serves its head's clause (rule irrealis_scope).
_PURPOSE_DEPS = frozenset({"xcomp", "advcl"})


# Why a clause is not a real happening. A stated intent, possibility or obligation still says
# something (PLOVER codes "will withdraw unless" as THREATEN); see plover_ontology.yaml.
NEGATED = "negated"
INTENT = "intent"
POSSIBLE = "possibility"
OBLIGATION = "obligation"
CONDITIONAL = "conditional"
HABITUAL = "habitual"
INFINITIVE = "infinitival complement"
STANCE = "standing position"
FUTURE = "future"
_MODAL_CLASS = {"must": OBLIGATION, "should": OBLIGATION, "could": POSSIBLE, "might": POSSIBLE}
_MODAL_CLASS |= {"may": POSSIBLE, "can": POSSIBLE, "ca": POSSIBLE}


@dataclass(frozen=True, slots=True)
class Cues:
    modals: frozenset[str]
    habitual_adverbs: frozenset[str]
    habitual_quantifiers: frozenset[str]
    habitual_periods: frozenset[str]
    habitual_period_modifiers: frozenset[str]
    perfect_since_preps: frozenset[str]
    negations: frozenset[str]
    condition_marks: frozenset[str]
    intent_heads: frozenset[str]
    speech_verbs: frozenset[str]
    claim_verbs: frozenset[str]
    deny_verbs: frozenset[str]
    responsibility_verbs: frozenset[str]
    responsibility_nouns: frozenset[str]
    anonymous_cues: frozenset[str]
    content_types: frozenset[str]
    content_preps: frozenset[str]
    presupposing_types: frozenset[str]
    presupposed_types: frozenset[str]
    stance_types: frozenset[str]
    sequence_connectives: frozenset[str]
    # Rule irrealis_scope: the reasons that also hold for an infinitival clause under their
    # clause ("must ensure security to allow supplies in": the allowing is required too).
    irrealis_scope: frozenset[str]
    sequence_preps: frozenset[str]
    follow_up_words: frozenset[str]
    future_modifiers: frozenset[str]
    future_words: frozenset[str]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who the sentence attributes the happening to, and the status that follows."""

    text: str | None
    start: int | None
    end: int | None
    status: Status


@dataclass(frozen=True, slots=True)
class ResponsibilityClaim:
    """An author claims an act: "an *attack* claimed by X", "X claimed responsibility for the
    *attack*". ``claimant`` heads the author's phrase, ``act`` is the claimed happening's noun."""

    claimant: Token
    act: Token
    span: Span  # the words of the claim, as evidence

    @property
    def anaphoric(self) -> bool:
        """The act is named as one already told ("the attack"), with no place or time of its
        own: the claim is about an earlier mention of the article, not a new happening."""
        definite = any(c.dep_ in ("det", "poss") and c.lower_ != "a" for c in self.act.children)
        own = any(t.ent_type_ in _PLACE_TIME_ENTS for t in self.act.subtree)
        return definite and not own


_PLACE_TIME_ENTS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME"})


def responsibility_claims(sent: Span) -> list[ResponsibilityClaim]:
    """Every claim of responsibility in ``sent``."""
    cues = get_cues()
    found = []
    lemmas, doc = token_lemmas(sent.doc), sent.doc
    for i in range(sent.start, sent.end):
        if lemmas[i] not in cues.responsibility_verbs:
            continue  # most words: no Token made
        token = doc[i]
        if token.pos_ != "VERB":
            continue
        if token.dep_ in ("acl", "relcl") and token.head.pos_ == "NOUN":  # "attack claimed by X"
            for agent in (c for c in token.children if c.dep_ == "agent"):
                for claimant in (g for g in agent.children if g.dep_ == "pobj"):
                    end = claimant.right_edge.i + 1
                    found.append(ResponsibilityClaim(claimant, token.head, sent.doc[token.i : end]))
            continue
        subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
        if subject is None or subject.pos_ == "PRON" or _own_irrealis(token, cues, True):
            continue
        if any(c.lower_ in cues.negations for c in subject.children):
            continue  # "No group has claimed responsibility"
        for obj in token.children:
            if obj.dep_ != "dobj" or obj.lemma_.lower() not in cues.responsibility_nouns:
                continue
            preps = [p for p in (*obj.children, *token.children) if p.dep_ == "prep"]
            for prep in (p for p in preps if p.lower_ == "for"):
                for act in (g for g in prep.children if g.dep_ == "pobj"):
                    span = sent.doc[subject.left_edge.i : act.i + 1]
                    found.append(ResponsibilityClaim(subject, act, span))
    return found


@functools.cache
def load_lexicon() -> Mapping[str, Any]:
    """The trigger lexicon file (parsed once)."""
    path = resources.files("eventfuse.data").joinpath("plover_lexicon.yaml")
    data: Mapping[str, Any] = load_yaml(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def get_cues() -> Cues:
    raw = load_lexicon()["cues"]
    return Cues(**{name: frozenset(_word(w) for w in raw[name]) for name in Cues.__slots__})


def _word(value: Any) -> str:
    """YAML 1.1 reads bare on/off/yes/no as booleans; a cue list means the words."""
    if isinstance(value, bool):
        return {True: "on", False: "off"}[value]
    return str(value).lower()


def stance_reason(trigger: Token, kind: str) -> str | None:
    """A stance category ("a charge Islamabad denies") in the simple present, with no
    time word, is a standing position rather than a happening."""
    if kind.lower() not in get_cues().stance_types or trigger.tag_ not in ("VBZ", "VBP"):
        return None
    if any(
        c.dep_ in ("aux", "npadvmod") or c.ent_type_ in ("DATE", "TIME") for c in trigger.children
    ):
        return None
    return STANCE


def continues_previous(sent: Span) -> bool:
    """The sentence opens with a sequence connective ("After which, ...", "Later, ...")."""
    opening = " ".join(t.lower_ for t in sent[:4] if not t.is_punct)
    return any(opening == c or opening.startswith(c + " ") for c in get_cues().sequence_connectives)


_UNREAL_KEY = "eventfuse.unreal_reason"


def unreal_reason(trigger: Token, sent: Span) -> str | None:
    """Why the clause of ``trigger`` does not report a real happening, or None when it does.

    Looks at the trigger's own verb and then up through complement edges to the first reporting
    verb: "said X could help" is hypothetical, "said X attacked" is not. Kept on the Doc per
    token and sentence: detection, its ranking and the victim rules ask again."""
    known: dict[tuple[int, int, int], str | None] = trigger.doc.user_data.setdefault(
        _UNREAL_KEY, {})
    key = (trigger.i, sent.start, sent.end)
    if key not in known:
        known[key] = _unreal_reason(trigger, sent)
    return known[key]


def _unreal_reason(trigger: Token, sent: Span) -> str | None:
    cues = get_cues()
    verb = _governing_verb(trigger)
    token: Token | None = verb
    infinitive: str | None = None  # an infinitival clause seen on the way up (irrealis_scope)
    while token is not None and sent.start <= token.i < sent.end:
        reason = _own_irrealis(token, cues, is_trigger_clause=token.i == verb.i)
        if reason == INFINITIVE and cues.irrealis_scope and token.dep_ in _PURPOSE_DEPS:
            # Rule irrealis_scope: an infinitival (purpose) clause is as real as the clause it
            # serves: "willing to send aid to help defend" states an intent to defend too.
            infinitive = reason
            token = token.head if token.head.i != token.i else None
            continue
        if reason:
            return reason if infinitive is None or reason in cues.irrealis_scope else infinitive
        if token.lemma_.lower() in cues.speech_verbs or token.dep_ not in _COMPLEMENT_DEPS:
            return infinitive
        token = token.head if token.head.i != token.i else None
    return infinitive


def _governing_verb(token: Token) -> Token:
    """A noun trigger's clause is that of the verb it depends on ("launch a national uprising")."""
    current = token
    for _ in range(6):
        if current.pos_ in ("VERB", "AUX") or current.head.i == current.i:
            return current
        current = current.head
    return current


def _own_irrealis(token: Token, cues: Cues, is_trigger_clause: bool) -> str | None:
    children = list(token.children)
    if any(
        c.dep_ == "neg" or (c.lower_ in cues.negations and c.dep_ == "advmod") for c in children
    ):
        return NEGATED
    modal = next((c.lower_ for c in children if c.dep_ == "aux" and c.lower_ in cues.modals), None)
    if modal is not None:
        return _MODAL_CLASS.get(modal, INTENT)
    if any(c.dep_ == "mark" and c.lower_ in cues.condition_marks for c in children):
        return CONDITIONAL
    if _subjunctive(token, children):
        return OBLIGATION  # "demanded that Israel ease restrictions": a mandate, not a fact
    if _habitual(token, children, cues):
        return HABITUAL
    if _scheduled(token, children, cues):
        return FUTURE  # "when the committee meets next week": not yet
    if is_trigger_clause and token.dep_ == "relcl" and token.tag_ in ("VBZ", "VBP"):
        return HABITUAL
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in children)
    head = token.head.lemma_.lower()
    complement = token.dep_ in ("xcomp", "ccomp") or (infinitive and token.dep_ == "advcl")
    if complement and head in cues.intent_heads:
        return INTENT  # "plans to visit", "is ready to contribute", "has sworn to fight"
    if infinitive and token.dep_ in ("xcomp", "ccomp", "advcl", "acl", "relcl", "pcomp", "conj"):
        return INFINITIVE
    return None


def _habitual(token: Token, children: list[Token], cues: Cues) -> bool:
    """Background rather than a happening: "often attacks", "carried out many bombings",
    "has fought for years", "in recent years", "has been fighting since 2007"."""
    if any(c.dep_ == "advmod" and c.lower_ in cues.habitual_adverbs for c in children):
        return True
    perfect = any(c.dep_ == "aux" and c.lemma_.lower() == "have" for c in children)
    for child in children:
        plural = child.dep_ in ("dobj", "nsubjpass") and child.tag_ in ("NNS", "NNPS")
        if plural and any(m.lower_ in cues.habitual_quantifiers for m in child.children):
            return True
        if child.dep_ != "prep":
            continue
        for period in (g for g in child.children if g.dep_ == "pobj"):
            if period.lower_ in cues.habitual_periods and (
                child.lower_ == "for"
                or any(m.lower_ in cues.habitual_period_modifiers for m in period.children)
            ):
                return True
            if perfect and child.lower_ in cues.perfect_since_preps:
                return True
    return False


def _scheduled(token: Token, children: list[Token], cues: Cues) -> bool:
    """A present-tense clause placed in the future by a time expression ("votes on it next
    week", "meets tomorrow"): a schedule, not a happening."""
    if token.tag_ not in ("VBZ", "VBP", "VB"):
        return False
    times = [c for c in children if c.dep_ in ("npadvmod", "advmod", "tmod", "obl")]
    times += [g for c in children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
    return any(t.lower_ in cues.future_words
               or any(m.lower_ in cues.future_modifiers for m in t.children if m.dep_ == "amod")
               for t in times)


def _subjunctive(token: Token, children: list[Token]) -> bool:
    """A base-form verb with its own subject and no auxiliary in a that-clause."""
    if token.tag_ != "VB" or token.dep_ not in ("ccomp", "acl"):
        return False
    has_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in children)
    return has_subject and not any(c.dep_ in ("aux", "auxpass") for c in children)


def attribution(trigger: Token, sent: Span) -> Attribution:
    """The reporting frame around ``trigger``: "according to X", "X said that", "X claimed"."""
    cues = get_cues()
    reporter = _reporting_verb(trigger, sent, cues)
    according = _according_to(sent)
    if reporter is None and according is None:
        return Attribution(None, None, None, "reported")
    if reporter is not None:
        subject = next((c for c in reporter.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        span = _source_span(reporter, subject, sent) or according
        status = _status_of(reporter, subject, trigger, span, cues)
        return _attribution_of(span, status)
    assert according is not None
    status = "alleged" if _anonymous(according, cues) else "reported"
    return _attribution_of(according, status)


def _attribution_of(span: Span | None, status: Status) -> Attribution:
    if span is None:
        return Attribution(None, None, None, status)
    return Attribution(span.text, span.start_char, span.end_char, status)


def _status_of(
    reporter: Token, subject: Token | None, trigger: Token, span: Span | None, cues: Cues
) -> Status:
    lemma = reporter.lemma_.lower()
    if lemma in cues.deny_verbs:
        return "denied"
    if lemma in cues.claim_verbs and (lemma == "claim" or _same_party(subject, trigger)):
        return "claimed"
    if span is not None and _anonymous(span, cues):
        return "alleged"
    if subject is not None and subject.lemma_.lower() in cues.anonymous_cues:
        return "alleged"
    if lemma in ("claim", "allege"):
        return "claimed" if lemma == "claim" else "alleged"
    return "reported"


def _same_party(subject: Token | None, trigger: Token) -> bool:
    """The announcer reports its own act, a claim ("The Taliban announced it had captured")."""
    if subject is None:
        return False
    own = next(
        (c for c in _governing_verb(trigger).children if c.dep_ in ("nsubj", "nsubjpass")), None
    )
    if own is None:
        return False
    if own.pos_ == "PRON" and own.lower_ in ("it", "they", "we", "he", "she"):
        return True
    return own.lemma_.lower() == subject.lemma_.lower()


def _reporting_verb(trigger: Token, sent: Span, cues: Cues) -> Token | None:
    """The nearest speech verb whose complement holds the trigger's clause."""
    token = _governing_verb(trigger)
    for _ in range(8):
        head = token.head
        if head.i == token.i or not sent.start <= head.i < sent.end:
            return None
        if head.lemma_.lower() in cues.speech_verbs and token.dep_ in (
            "ccomp",
            "xcomp",
            "parataxis",
        ):
            return head
        if head.lemma_.lower() in cues.speech_verbs and token.dep_ == "acl" and _has_that(token):
            return head  # "reports claim that ...", parsed as a noun with a clause
        if token.dep_ not in _COMPLEMENT_DEPS and token.dep_ not in ("advcl", "parataxis"):
            return None
        token = head
    return None


def _source_span(reporter: Token, subject: Token | None, sent: Span) -> Span | None:
    """Who reports: the subject with a "citing ..." clause ("Regional media reports, citing
    anonymous sources"), or for a reporting noun ("reports claim that") the words up to it."""
    doc = sent.doc
    if subject is None:
        if reporter.pos_ != "NOUN":
            return None
        first = next((t for t in sent if not (t.is_punct or t.dep_ in ("advmod", "cc"))), reporter)
        return doc[first.i : reporter.i + 1] if first.i <= reporter.i else None
    tokens = list(subject.subtree)
    end = tokens[-1].i + 1
    for child in reporter.children:
        if child.dep_ == "advcl" and child.lemma_.lower() == "cite" and child.i < reporter.i:
            end = max(end, list(child.subtree)[-1].i + 1)
    return doc[tokens[0].i : end]


def _according_to(sent: Span) -> Span | None:
    lowers = token_lowers(sent.doc)
    for i in range(sent.start, sent.end):
        if lowers[i] == "according" and i + 1 < sent.end and lowers[i + 1] == "to":
            tokens = list(sent.doc[i].subtree)
            return sent.doc[tokens[0].i : tokens[-1].i + 1]
    return None


def _has_that(token: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in token.children)


def _anonymous(span: Span, cues: Cues) -> bool:
    return any(
        t.lower_ in cues.anonymous_cues or t.lemma_.lower() in cues.anonymous_cues for t in span
    )

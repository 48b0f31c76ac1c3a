"""Arguments of event candidates: who, where, when, how many, quotes -> Mention records.

The ``eventfuse_arguments`` component (pipeline.py) calls these; they assemble the extractors of
actors (actors.py), places (places.py), times (times.py), quantities (quantities.py) and quotes
(quotes.py).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from eventfuse.extract.actors import (
    UNIDENTIFIED,
    ActorContext,
    claimant_actor,
    find_actors,
)
from eventfuse.extract.events import EventCandidate, noun_category, quantity_kinds
from eventfuse.extract.followups import own_when
from eventfuse.extract.places import event_location, find_places, headline_region
from eventfuse.extract.quantities import find_quantities, quantities_for
from eventfuse.extract.quotes import find_quotes
from eventfuse.extract.status import ResponsibilityClaim, continues_previous, responsibility_claims
from eventfuse.extract.times import event_when, find_times
from eventfuse.nlp import expanded_span, sentence_of, token_bounds
from eventfuse.records import (
    Actor,
    Article,
    Evidence,
    Mention,
    MentionKey,
    Place,
    Quantity,
    Quote,
    When,
    as_category,
)

# Categories whose mentions are statements: a speaker's quotes attach to them.
STATEMENT_TYPES = frozenset({"REQUEST", "ACCUSE", "THREATEN", "REJECT", "SUPPORT", "AGREE"})


# Edges into what a statement says rather than where it was made.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "pcomp", "acl", "relcl", "advcl"})


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """Everything found once per article, before it is shared out among its mentions."""

    places: list[Place]
    times: list[When]
    quantities: list[Quantity]
    quotes: list[Quote]


def find_facts(
    article: Article,
    doc: Doc,
    context: ActorContext,
    off: frozenset[str] = frozenset(),
    rejected: list[tuple[Place, str]] | None = None,
) -> ArticleFacts:
    """Places, times, counts and quotes of the whole article, found once; ``off``: the rule ids
    switched off; ``rejected``: place readings a rule dropped, with its id (for the trace)."""
    return ArticleFacts(
        places=find_places(doc, article.id, off=off, rejected=rejected,
                           home=headline_region(article.title, off)),
        times=find_times(doc, article.id, article.published),
        quantities=find_quantities(doc, article.id),
        quotes=find_quotes(doc, article.id, context),
    )


def mentions_from_candidates(
    article: Article,
    candidates: Sequence[EventCandidate],
    facts: ArticleFacts,
    context: ActorContext,
    back_refs: Collection[int] = frozenset(),
) -> list[tuple[EventCandidate, Mention]]:
    """Each kept candidate's mention(s) with its arguments, in text order; claims of
    responsibility and retold happenings fold into the mention they are about. A candidate
    whose trigger index is in ``back_refs`` is a happening a follow-up refers back to
    (extract/followups.py): only a time of its own phrase dates it."""
    mentions: list[Mention] = []
    origin: list[EventCandidate] = []
    previous: tuple[int, str, When | None] | None = (
        None  # paragraph, type, when of the last mention
    )
    for cand in candidates:
        # article.text, not doc.text: spaCy rebuilds Doc.text on every access.
        paragraph = article.text.count("\n\n", 0, cand.sentence.start_char)
        back = cand.trigger.i in back_refs
        when = (own_when(cand.sentence, cand.trigger, facts.times) if back
                else event_when(cand.sentence, cand.trigger, facts.times))
        if when is None and previous is not None and not back:
            when = _inherited_when(cand, paragraph, previous)
        claims = _claims_for(cand)
        if _claim_of_earlier(claims, cand) and _credit_earlier(mentions, cand, claims, context):
            continue  # "X claimed responsibility for the attack": told already, now with its author
        actors = find_actors(cand.sentence, _participant_anchor(cand.trigger), context)
        actors = _with_claimants(actors, claims, context)
        if _retold(cand, facts) and _fold_into_earlier(
            mentions, cand, actors, facts
        ):
            continue  # "The blast also wounded 14": more about the happening told before
        previous = (paragraph, cand.type, when)
        if claims and cand.attribution is None:
            claim = claims[0].span
            cand = replace(cand, status="claimed", attribution=claim.text,
                           attribution_span=(claim.start_char, claim.end_char))
        made = _mentions_for(article, cand, facts, when, actors)
        mentions.extend(made)
        origin.extend(cand for _ in made)
    mentions = _attach_stray_casualties(mentions, facts.quantities)
    return list(zip(origin, _attach_quotes(mentions, facts.quotes), strict=True))


# --- casualty counts told apart ("carried five bodies and 14 injured people from the scene") ---

CASUALTY_KINDS = ("killed", "injured")


def _attach_stray_casualties(
    mentions: list[Mention], quantities: Sequence[Quantity]
) -> list[Mention]:
    """Casualty counts in sentences that report no happening belong to the article's first
    violent happening: added when it has no count of that kind, or narrowing its count when
    they agree ("at least 14 wounded", then "14 injured people" -> 14)."""
    first = next((n for n, m in enumerate(mentions) if m.type == "ASSAULT"), None)
    if first is None:
        return mentions
    told = [(m.sentence.start, m.sentence.end) for m in mentions if m.sentence is not None]
    mention = mentions[first]
    counts = list(mention.quantities)
    for q in quantities:
        if q.kind not in CASUALTY_KINDS or q.evidence is None:
            continue
        if any(start <= q.evidence.start < end for start, end in told):
            continue  # its sentence reports a happening: quantities_for decided there
        same = [n for n, c in enumerate(counts) if c.kind == q.kind]
        if not same:
            counts.append(q)
        elif len(same) == 1 and _narrows(q, counts[same[0]]):
            counts[same[0]] = q
    mentions[first] = replace(mention, quantities=tuple(counts))
    return mentions


def _narrows(q: Quantity, known: Quantity) -> bool:
    """``q`` lies within ``known`` and is a narrower range."""
    inside = q.low >= known.low and (
        known.high is None or (q.high is not None and q.high <= known.high)
    )
    wider = known.high is None or (q.high is not None and q.high - q.low < known.high - known.low)
    return inside and wider and (q.low, q.high) != (known.low, known.high)


# --- a happening told again ("the blast", "the attack") -----------------------------------------


def _retold(cand: EventCandidate, facts: ArticleFacts) -> bool:
    """The clause goes on about a happening already told: its event noun is definite ("the
    blast wounded 14", "the attack was carried out by ...") and it gives no place of its own."""
    sent, trigger = cand.sentence, cand.trigger
    if _location(cand, facts.places) or event_when(sent, trigger, facts.times):
        return False
    trigger = cand.trigger
    nouns = [trigger] if trigger.pos_ == "NOUN" else []
    nouns += [
        c for c in trigger.children if c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.pos_ == "NOUN"
    ]
    return any(_definite(n) and noun_category(n) == cand.type for n in nouns)


def _location(cand: EventCandidate, places: Sequence[Place]) -> Place | None:
    """``event_location`` of the candidate among ``places``, kept on the Doc: _retold and
    _mentions_for both ask."""
    known: dict[tuple[int, int], tuple[Sequence[Place], Place | None]] = (
        cand.sentence.doc.user_data.setdefault(_LOCATION_KEY, {}))
    key = (cand.sentence.start, cand.trigger.i)
    hit = known.get(key)
    if hit is not None and hit[0] is places:
        return hit[1]
    found = event_location(cand.sentence, cand.trigger, places)
    known[key] = (places, found)
    return found


_LOCATION_KEY = "eventfuse.event_location"


def _definite(noun: Token) -> bool:
    return any(
        (c.dep_ == "det" and c.lower_ in ("the", "this", "that")) or c.dep_ == "poss"
        for c in noun.children
    )


def _fold_into_earlier(
    mentions: list[Mention], cand: EventCandidate, actors: tuple[Actor, ...], facts: ArticleFacts
) -> bool:
    """Give the article's first mention of the category the counts and participants it lacks."""
    first = next((n for n, m in enumerate(mentions) if m.type == cand.type), None)
    if first is None:
        return False
    mention = mentions[first]
    kinds = quantity_kinds(cand.type)
    have = {q.kind for q in mention.quantities}
    extra = tuple(
        q
        for q in quantities_for(cand.sentence, cand.trigger, facts.quantities)
        if q.kind in kinds and q.kind not in have
    )
    named_roles = {a.role for a in mention.actors if not a.generic}
    known = {(a.role, a.canonical) for a in mention.actors}
    more = tuple(
        a for a in actors if a.role not in named_roles and (a.role, a.canonical) not in known
    )
    mentions[first] = replace(
        mention, quantities=mention.quantities + extra, actors=mention.actors + more
    )
    return True


# --- claims of responsibility ------------------------------------------------------------------


def _claims_for(cand: EventCandidate) -> list[ResponsibilityClaim]:
    """Claims in the candidate's sentence about its happening: the claimed noun is the trigger,
    or names the same category ("tore through a market ... in an attack claimed by X")."""
    own = {cand.trigger.i, cand.object.i if cand.object is not None else -1}
    return [
        c
        for c in responsibility_claims(cand.sentence)
        if c.act.i in own or noun_category(c.act) == cand.type
    ]


def _claim_of_earlier(claims: list[ResponsibilityClaim], cand: EventCandidate) -> bool:
    return any(c.anaphoric for c in claims)


def _with_claimants(
    actors: tuple[Actor, ...], claims: list[ResponsibilityClaim], context: ActorContext
) -> tuple[Actor, ...]:
    """The claimant is the actor; it replaces an actor the text left unidentified ("gunmen")."""
    claimed = [a for a in (claimant_actor(c.claimant, context) for c in claims) if a is not None]
    if not claimed:
        return actors
    names = {a.canonical for a in claimed}
    kept = tuple(
        a
        for a in actors
        if not (a.role == "actor" and (a.canonical == UNIDENTIFIED or a.canonical in names))
    )
    return (*claimed[:1], *kept)


def _credit_earlier(
    mentions: list[Mention],
    cand: EventCandidate,
    claims: list[ResponsibilityClaim],
    context: ActorContext,
) -> bool:
    """Give the claimant to the article's first mention of the same category (the happening the
    article is about); False when there is none to credit."""
    first = next((m for m in mentions if m.type == cand.type), None)
    if first is None:
        return False
    base = MentionKey.parse(first.id).base
    for n, mention in enumerate(mentions):
        if MentionKey.parse(mention.id).base == base:
            mentions[n] = replace(mention, actors=_with_claimants(mention.actors, claims, context))
    return True


def _participant_anchor(trigger: Token) -> Token:
    """The token whose dependents name the participants: the trigger, or for a verb the tagger
    took for a proper noun ("have overrun Panjshir") the verb above it."""
    if trigger.pos_ != "PROPN":
        return trigger
    return next((t for t in trigger.ancestors if t.pos_ in ("VERB", "AUX")), trigger)


def _inherited_when(
    cand: EventCandidate, paragraph: int, previous: tuple[int, str, When | None]
) -> When | None:
    """A sentence without a time continues the previous mention's time when it goes on about the
    same happening in the same paragraph (same category), or opens with "After which", "Later"..."""
    last_paragraph, last_type, last_when = previous
    if continues_previous(cand.sentence):
        return last_when
    return last_when if last_paragraph == paragraph and last_type == cand.type else None


# --- one candidate -> mentions ----------------------------------------------------------------


def _mentions_for(
    article: Article,
    cand: EventCandidate,
    facts: ArticleFacts,
    when: When | None,
    actors: tuple[Actor, ...],
) -> list[Mention]:
    """One mention per place when the happening is reported in coordinated places ("took to the
    streets in Kabul and Mazar-i-Sharif": two protests); otherwise one."""
    sent = cand.sentence
    in_sentence = [
        p
        for p in facts.places
        if p.evidence and sent.start_char <= p.evidence.start < sent.end_char
    ]
    location = _location(cand, facts.places)
    if location is not None and cand.type in STATEMENT_TYPES:
        location = location if _said_at(location, cand.trigger) else None
    locations: list[Place | None] = [location]
    if location is not None:
        locations += _coordinated_with(location, in_sentence, sent)
    kinds = quantity_kinds(cand.type)
    quantities = tuple(
        q for q in quantities_for(sent, cand.trigger, facts.quantities) if q.kind in kinds
    )
    base = MentionKey(article.id, cand.trigger.idx)
    result = []
    for n, place in enumerate(locations):
        mention_id = str(
            base
            if n == 0
            else replace(base, place=place.evidence.start if place and place.evidence else n)
        )
        others = tuple(p for p in in_sentence if p is not place)
        result.append(_mention(article, cand, mention_id, place, others, when, actors, quantities))
    return result


def _mention(
    article: Article,
    cand: EventCandidate,
    mention_id: str,
    place: Place | None,
    others: tuple[Place, ...],
    when: When | None,
    actors: tuple[Actor, ...],
    quantities: tuple[Quantity, ...],
) -> Mention:
    start, end = cand.trigger_span
    sent = cand.sentence
    text = article.text
    return Mention(
        id=mention_id,
        article_id=article.id,
        type=as_category(cand.type),
        mode=cand.mode,
        acled_event_type=cand.acled_event_type,
        acled_sub_event_type=cand.acled_sub_event_type,
        trigger=Evidence(article.id, start, end, text[start:end]),
        # the article's text is the Doc's (checked): a slice, not Span.text joining the tokens
        sentence=Evidence(article.id, sent.start_char, sent.end_char,
                          text[sent.start_char : sent.end_char]),
        actors=actors,
        location=place,
        places=others,
        when=when,
        quantities=quantities,
        attribution=cand.attribution,
        status=cand.status,
        confidence=_confidence(cand, actors, place, when, quantities),
        source_id=article.source_id,
        outlet=article.outlet,
        published=article.published,
        trigger_lemmas=_trigger_lemmas(sent, start, end),
    )


def _trigger_lemmas(sent: Span, start: int, end: int) -> tuple[str, ...]:
    """Lemmas of the content words in the trigger's span, as fusion reads them (saves fusion a
    second spaCy parse of every sentence)."""
    doc, (starts, ends) = sent.doc, token_bounds(sent.doc)
    # only the tokens overlapping the span: those after the last ending by ``start`` and
    # before the first starting at ``end`` (both ascending), within the sentence
    first = max(sent.start, bisect.bisect_right(ends, start))
    last = min(sent.end, bisect.bisect_left(starts, end))
    return tuple(sorted({
        t.lemma_.lower()
        for t in (doc[i] for i in range(first, last))
        if not t.is_stop and not t.is_punct
    }))


def _confidence(
    cand: EventCandidate,
    actors: tuple[Actor, ...],
    place: Place | None,
    when: When | None,
    quantities: tuple[Quantity, ...],
) -> float:
    """Trigger strength and parse support (from detection) blended with the fields found."""
    filled = sum((bool(actors), place is not None, when is not None, bool(quantities))) / 4
    penalty = 0.1 if cand.status in ("alleged", "claimed") else 0.0
    return round(max(0.05, min(1.0, 0.7 * cand.confidence + 0.3 * filled - penalty)), 2)


def _coordinated_with(location: Place, in_sentence: Sequence[Place], sent: Span) -> list[Place]:
    """Places of the sentence coordinated with ``location`` ("in Kabul and Mazar-i-Sharif")."""
    anchor = _root_of(location, sent)
    if anchor is None:
        return []
    found = []
    for place in in_sentence:
        root = _root_of(place, sent)
        if (
            place is location
            or root is None
            or root.i == anchor.i
            or place.geonames_id == location.geonames_id
        ):
            continue
        if _conjoined(anchor, root):
            found.append(place)
    return found


def _said_at(place: Place, trigger: Token) -> bool:
    """A statement's place is where it was made ("said in Kabul"), not a place of its content
    ("called for an uprising amid fighting in Panjshir"): the place hangs from the trigger
    through one preposition."""
    root = _root_of(place, sentence_of(trigger))
    if root is None:
        return False
    path = [root, *root.ancestors]
    if trigger not in path:
        return False
    below = path[: path.index(trigger)]
    preps = [t for t in below if t.dep_ == "prep"]
    verbs = [t for t in below if t.pos_ in ("VERB", "AUX") or t.dep_ in _CONTENT_DEPS]
    return len(preps) == 1 and preps[0].head == trigger and not verbs


def _root_of(place: Place, sent: Span) -> Token | None:
    if place.evidence is None:
        return None
    span = expanded_span(sent.doc, place.evidence.start, place.evidence.end)
    return span.root if span is not None and len(span) else None


def _conjoined(a: Token, b: Token) -> bool:
    """Two place words joined by "and"/"," in one phrase (conj edge between their noun heads)."""

    def phrase_head(token: Token) -> Token:
        while token.dep_ in ("compound", "amod", "appos", "nmod") and token.head.i != token.i:
            token = token.head
        return token

    ha, hb = phrase_head(a), phrase_head(b)
    pairs = ((ha, hb), (hb, ha), (a, hb), (b, ha))
    return any(
        x.dep_ == "conj" and (x.head.i == y.i or phrase_head(x.head).i == y.i) for x, y in pairs
    )


# --- quotes -----------------------------------------------------------------------------------


def _attach_quotes(mentions: list[Mention], quotes: Sequence[Quote]) -> list[Mention]:
    """Each quote with a speaker goes to the nearest statement mention (REQUEST, ACCUSE...) whose
    actor is that speaker."""
    attached: dict[int, list[Quote]] = {}
    for quote in quotes:
        target = _quote_target(mentions, quote)
        if target is not None:
            attached.setdefault(target, []).append(quote)
    if not attached:
        return mentions
    return [
        replace(m, quotes=m.quotes + tuple(attached.get(n, ()))) for n, m in enumerate(mentions)
    ]


def _quote_target(mentions: Sequence[Mention], quote: Quote) -> int | None:
    speaker = (quote.speaker_canonical or quote.speaker or "").lower()
    if not speaker or quote.evidence is None:
        return None
    where = quote.evidence.start
    best: tuple[int, int] | None = None
    for n, mention in enumerate(mentions):
        if mention.type not in STATEMENT_TYPES or mention.sentence is None:
            continue
        if not any(a.role == "actor" and _same_speaker(a, speaker) for a in mention.actors):
            continue
        distance = abs(mention.sentence.start - where)
        if best is None or distance < best[0]:
            best = (distance, n)
    return best[1] if best else None


def _same_speaker(actor: Actor, speaker: str) -> bool:
    names = {actor.canonical.lower(), actor.name.lower()}
    if speaker in names:
        return True
    # "Massoud" said it, "Ahmad Massoud" is the actor: same surname.
    return any(name.split()[-1:] == speaker.split()[-1:] for name in names if name)

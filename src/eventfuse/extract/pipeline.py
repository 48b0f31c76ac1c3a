"""Extraction as named spaCy components, run after the parser on each article's Doc.

``eventfuse_triggers`` -> ``eventfuse_filters`` -> ``eventfuse_typing`` -> ``eventfuse_arguments``
-> ``eventfuse_coref``
-> ``eventfuse_salience`` -> ``eventfuse_mentions``. Each reads and assigns ``Doc._`` attributes
(declared in its factory) and appends a :class:`TraceRecord` for every candidate it drops, merges
or changes, naming the rule. Rules are switched off by id through the ``disabled_rules`` setting
(``eventfuse eval ... --ablate RULE``) to show what each is worth.
"""

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token

from eventfuse.date_rules import FUSION_SWITCHES  # fusion's rules share the switch
from eventfuse.errors import ConfigError
from eventfuse.extract.actors import UNIDENTIFIED, ActorContext, build_actor_context
from eventfuse.extract.arguments import (
    STATEMENT_TYPES,
    ArticleFacts,
    find_facts,
    mentions_from_candidates,
)
from eventfuse.extract.events import EventCandidate, detect_events, inside_ranges
from eventfuse.extract.events import quoted_ranges as find_quoted
from eventfuse.extract.followups import back_references
from eventfuse.extract.gazetteer import same_place
from eventfuse.extract.headline import headline_mention
from eventfuse.extract.headline_parse import headline_lemmas
from eventfuse.extract.places import (
    PLACE_RULES,
    article_town,
    document_location_from,
    finer_place,
    headline_place,
)
from eventfuse.extract.times import page_stamp, past_month_day, statement_time
from eventfuse.extract.typing import type_candidates
from eventfuse.extract.victims import RULES as VICTIM_RULES
from eventfuse.extract.victims import (
    article_statements,
    casualties,
    casualty_verbs,
    victim_event_types,
)
from eventfuse.nlp import sentence_of
from eventfuse.records import Article, Mention, Place, When
from eventfuse.settings import Options

COMPONENTS = (
    "eventfuse_triggers",
    "eventfuse_filters",
    "eventfuse_typing",
    "eventfuse_arguments",
    "eventfuse_coref",
    "eventfuse_salience",
    "eventfuse_mentions",
)

# Every rule a component applies, by id: what `--ablate` takes and the trace names.
RULES = {
    "classifier": "the trained typing head (extract/typing.py) may retype a sentence's main "
    "candidate",
    "classifier_keeps_mentions": "the main candidate keeps its category when the typing head "
    "chose another candidate's of the sentence: that candidate is a mention of its own",
    "presupposed_content": "a violent happening an accusation or investigation is about took "
    "place: reported too",
    "quoted": "a trigger inside a direct quote is the speaker's words, attached as a quote",
    "negated": "negated clause ('did not attack', 'no arrests were made', 'no one was hurt')",
    "irrealis": "modal, intended, conditional, future or infinitival clause (could, plans to, if)",
    "habitual": "habitual or generic statement ('has long accused', 'often attacks')",
    "stance": "a standing position, not a happening",
    "credit_line": "bylines, photo credits and 'Courtesy ...' lines report nothing",
    "reader_address": "a clause addressed to the reader (imperative, or 'you' as its subject: "
    "'Sign in to comment', 'you'll get an email delivered') is page furniture, not news",
    "polite_imperative": "with reader_address: an imperative after a word of politeness or an "
    "interjection ('Please allow scripts to play the clip', 'if no letter comes, please check "
    "your inbox') addresses the reader too",
    "background_date": "the clause is dated only to a month or year well before publication: "
    "background history",
    "same_happening": "same category in one article, no conflicting place, date or party: one "
    "happening",
    "salience": "a happening neither in the headline or lead nor repeated nor specific is "
    "background, not reported",
    "named_party": "a happening whose actor is named (a person, group or state, not 'police' or "
    "'a gunman') at a place or date of its own is reported, whatever its rank",
    "reported_claim": "a claim, denial or contested report is reported, whatever its rank, for "
    "the analyst to weigh",
    "stated_violence": "violence of a stated kind (aerial, firearms...) at a place of its own is "
    "reported, whatever its rank",
    "document_place": "no place in the happening's sentences, or only a street the gazetteer "
    "cannot pin: the dateline's place, else the lead's",
    "finer_place": "a happening placed only at a state or country takes the dateline's or "
    "lead's town inside it",
    "finer_county": "a happening placed only at a county takes the dateline's or lead's town "
    "inside it (with article_town: the article's most named town)",
    "article_town": "after the dateline's and the lead's place, the town the article names "
    "most often: for a happening with no place (document_place) or placed only at a state, "
    "country or county lying around it (finer_place)",
    "document_date": "no date in the happening's sentences: the lead's date",
    "violent_lead_date": "the article's most salient violent happening, when another one leads "
    "the article (an arrest, a charge, an investigation), takes the lead's date too if its own "
    "sentences give none: the follow-up's lead dates what it follows up",
    "month_day_past": "a month and day without a year ('February 1st') read more than a month "
    "after publication is the latest such day before it: news reports what has happened (the "
    "nearest reading put a winter's happening told in a summer report in the next year)",
    "page_stamp": "a time right after 'Posted:', 'Updated:' or 'Published' stamps the web page, "
    "it dates no happening",
    "statement_day": "a time on a verb of saying ('police said Thursday', 'announced Monday') "
    "dates the statement, not the happening it reports: the happening takes another report's "
    "date, else the day it was first reported",
    "follow_up_date": "a violent happening a follow-up's phrase names ('arrested Tuesday in the "
    "shooting', 'charged with killing') is dated only by a time of its own phrase: the "
    "sentence's time dates the follow-up",
    "headline_happening": "an article whose text reports no violent happening (a page without "
    "the story, a follow-up telling the charge) reports the headline's, placed where the "
    "headline says",
    "headline_report": "with headline_happening: in an article a follow-up leads (an arrest, a "
    "charge), the headline's violent happening is reported beside the text's too: the "
    "headline says what the article is about",
    "headline_joins_violent": "with headline_report: the headline's violent happening, reported "
    "beside a follow-up-led text's own violent report, takes that report's date: the headline "
    "and the text tell one happening, which the article is about (dated to the publication week "
    "it stood as an event of its own)",
    "victim_count": "killed and injured counted from the victims described anywhere",
    "victim_anchor": "an article telling victims but reporting no violent happening (a "
    "follow-up: arrest, charge, funeral) reports the most salient violent one it refers back to",
    **VICTIM_RULES,
    **PLACE_RULES,
}

# Reasons of events.unreal_reason -> rule ids.
_UNREAL_RULES = {
    "negated": "negated",
    "habitual": "habitual",
    "standing position": "stance",
}


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """What one component did to one candidate, and why."""

    component: str
    rule: str
    action: str  # dropped | merged | changed | unreported | reported
    trigger: str
    start: int
    type: str
    reason: str


@dataclass(frozen=True, slots=True)
class Happening:
    """Mentions of one happening within one article (within-document coreference)."""

    mentions: tuple[Mention, ...]
    salience: float = 0.0
    reported: bool = True

    @property
    def head(self) -> Mention:
        return self.mentions[0]


def _register_extensions() -> None:
    for name in ("ef_article", "ef_candidates", "ef_context", "ef_facts", "ef_raw_mentions",
                 "ef_happenings", "ef_mentions"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("ef_trace"):
        Doc.set_extension("ef_trace", getter=_trace_of)


def _trace_of(doc: Doc) -> list[TraceRecord]:
    trace = doc.user_data.get("ef_trace_list")
    if trace is None:
        trace = doc.user_data["ef_trace_list"] = []
    return trace


_register_extensions()


def _record(doc: Doc, component: str, rule: str, action: str, cand: EventCandidate | Mention,
            reason: str) -> None:
    if isinstance(cand, Mention):
        trigger = cand.trigger.text if cand.trigger else ""
        start = cand.trigger.start if cand.trigger else -1
        kind: str = cand.type
    else:
        trigger, start, kind = cand.trigger.text, cand.trigger.idx, cand.type
    doc._.ef_trace.append(TraceRecord(component, rule, action, trigger, start, kind, reason))


class _Component:
    """Shared by the components: the rule switches."""

    name = ""

    def __init__(self, disabled_rules: Sequence[str]) -> None:
        self.disabled = frozenset(disabled_rules)

    def on(self, rule: str) -> bool:
        return rule not in self.disabled


# --- triggers ---------------------------------------------------------------------------------


@Language.factory(
    "eventfuse_triggers",
    assigns=["doc._.ef_candidates"],
    requires=["token.dep", "token.lemma", "token.pos"],
    default_config={"disabled_rules": []},
)
def make_triggers(nlp: Language, name: str, disabled_rules: list[str]) -> Callable[[Doc], Doc]:
    return Triggers(disabled_rules)


class Triggers(_Component):
    """Every clause whose trigger the lexicon types, real or not, quoted or not."""

    name = "eventfuse_triggers"

    def __call__(self, doc: Doc) -> Doc:
        doc._.ef_candidates = detect_events(
            doc, include_unreal=True, include_quoted=True,
            keep_presupposed=self.on("presupposed_content"),
        )
        return doc


# --- filters ----------------------------------------------------------------------------------


@Language.factory(
    "eventfuse_filters",
    assigns=["doc._.ef_candidates", "doc._.ef_trace"],
    requires=["doc._.ef_candidates"],
    default_config={"disabled_rules": []},
)
def make_filters(nlp: Language, name: str, disabled_rules: list[str]) -> Callable[[Doc], Doc]:
    return Filters(disabled_rules)


class Filters(_Component):
    """Drop what reports no real happening: quotes, negation, irrealis, habits, credit lines."""

    name = "eventfuse_filters"

    def __call__(self, doc: Doc) -> Doc:
        text = doc._.ef_article.text  # the article's: spaCy rebuilds Doc.text on every access
        quoted = find_quoted(text)
        credits = credit_lines(text)
        kept = []
        for cand in doc._.ef_candidates:
            rule, reason = self._drop_reason(cand, quoted, credits)
            if rule is None or not self.on(rule):
                kept.append(cand)
            else:
                _record(doc, self.name, rule, "dropped", cand, reason)
        doc._.ef_candidates = kept
        return doc

    def _drop_reason(
        self, cand: EventCandidate, quoted: list[tuple[int, int]], credits: list[tuple[int, int]]
    ) -> tuple[str | None, str]:
        if inside_ranges(cand.trigger.idx, quoted):
            return "quoted", RULES["quoted"]
        if inside_ranges(cand.trigger.idx + 1, credits):
            return "credit_line", RULES["credit_line"]
        if cand.unreal:
            return _UNREAL_RULES.get(cand.unreal, "irrealis"), cand.unreal
        if _addresses_reader(cand.trigger, polite=self.on("polite_imperative")):
            return (
                ("reader_address", RULES["reader_address"])
                if _addresses_reader(cand.trigger)
                else ("polite_imperative", RULES["polite_imperative"])
            )
        if _no_participant(cand.trigger) or (
            cand.object is not None and _no_participant(cand.object)
        ):
            return "negated", "its participant is 'no one' / 'no ...'"
        return None, ""


def _addresses_reader(trigger: Token, polite: bool = False) -> bool:
    """The trigger's clause speaks to the reader: its nearest subject is "you", or it is an
    imperative (a sentence-initial base-form verb without a subject). ``polite`` (rule
    ``polite_imperative``): so is a subjectless base-form verb an interjection hangs on,
    wherever it stands ("Please allow scripts ...", "if no letter comes, please check
    ..."): video players' and sign-in pages' requests to the reader."""
    for token in (trigger, *trigger.ancestors):
        subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            return subject.lower_ in ("you", "ya")
        if token.dep_ == "ROOT":
            if token.tag_ != "VB":
                return False
            first = next((t for t in sentence_of(token) if not t.is_punct and not t.is_space),
                         None)
            if first is not None and first.i == token.i:
                return True
            return polite and any(c.dep_ == "intj" or c.tag_ == "UH" for c in token.children)
    return False


def _no_participant(trigger: Token) -> bool:
    """"no arrests were made", "made no arrests", "no one was hurt", "nobody was injured"."""
    if any(c.dep_ == "det" and c.lower_ == "no" for c in trigger.children):
        return True
    for child in trigger.children:
        if child.dep_ not in ("nsubj", "nsubjpass", "dobj"):
            continue
        if child.lower_ in ("nobody", "none") or any(
            g.dep_ == "det" and g.lower_ == "no" for g in child.children
        ):
            return True
    return False


_CREDIT_STARTS = ("by ", "photo", "image", "courtesy", "credit", "file photo", "(ap photo",
                  "copyright", "©", "posted by", "written by", "reporting by", "editing by")


def credit_lines(text: str) -> list[tuple[int, int]]:
    """Character ranges of short lines that credit a writer or a picture ("By Rodney Thrash",
    "Courtesy Image", "Photo: ...", "(AP Photo/...)"): they report no happening."""
    ranges = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip().lower()
        if stripped and len(stripped) <= 80 and (
            stripped.startswith(_CREDIT_STARTS) or "courtesy" in stripped
        ):
            ranges.append((offset - 1, offset + len(line) + 1))
        offset += len(line) + 1
    return ranges


# --- typing -----------------------------------------------------------------------------------


@Language.factory(
    "eventfuse_typing",
    assigns=["doc._.ef_candidates", "doc._.ef_trace"],
    requires=["doc._.ef_candidates"],
    default_config={"disabled_rules": []},
)
def make_typing(nlp: Language, name: str, disabled_rules: list[str]) -> Callable[[Doc], Doc]:
    return Typing(disabled_rules)


class Typing(_Component):
    """The lexicon's types with the trained classifier's say (docs/typing.md)."""

    name = "eventfuse_typing"

    def __call__(self, doc: Doc) -> Doc:
        if not self.on("classifier"):
            return doc
        before = doc._.ef_candidates
        after = type_candidates(before, keep_mentions=self.on("classifier_keeps_mentions"))
        for old, new in zip(before, after, strict=True):
            if (old.type, old.mode) != (new.type, new.mode):
                _record(doc, self.name, "classifier", "changed", new,
                        f"{old.type}/{old.mode} -> {new.type}/{new.mode}")
        doc._.ef_candidates = after
        return doc


# --- arguments --------------------------------------------------------------------------------


@Language.factory(
    "eventfuse_arguments",
    assigns=["doc._.ef_context", "doc._.ef_facts", "doc._.ef_raw_mentions", "doc._.ef_trace"],
    requires=["doc._.ef_article", "doc._.ef_candidates"],
    default_config={"disabled_rules": [], "background_days": 60},
)
def make_arguments(
    nlp: Language, name: str, disabled_rules: list[str], background_days: int
) -> Callable[[Doc], Doc]:
    return Arguments(disabled_rules, background_days)


class Arguments(_Component):
    """Actors, places, times, counts and quotes of each candidate, as mentions."""

    name = "eventfuse_arguments"

    def __init__(self, disabled_rules: Sequence[str], background_days: int) -> None:
        super().__init__(disabled_rules)
        self.background_days = background_days

    def __call__(self, doc: Doc) -> Doc:
        article: Article = doc._.ef_article
        context: ActorContext = build_actor_context(doc, article.id)
        rejected: list[tuple[Place, str]] = []
        facts = find_facts(article, doc, context, self.disabled, rejected)
        for place, rule in rejected:
            start = place.evidence.start if place.evidence else -1
            doc._.ef_trace.append(TraceRecord(
                self.name, rule, "changed", place.name, start, "PLACE",
                f"{place.canonical}, {place.admin1 or place.country}: {PLACE_RULES[rule]}",
            ))
        if self.on("page_stamp"):
            facts = _without_page_stamps(doc, article, facts)
        if self.on("statement_day"):
            facts = _without_statement_times(doc, facts)
        if self.on("month_day_past") and article.published is not None:
            facts = replace(facts, times=[past_month_day(w, article.published)
                                          for w in facts.times])
        credits = credit_lines(article.text)
        back_refs: dict[int, Token] = {}
        if self.on("follow_up_date"):
            back_refs = back_references(doc._.ef_candidates, victim_event_types())
            for cand in doc._.ef_candidates:
                if cand.trigger.i in back_refs:
                    _record(doc, self.name, "follow_up_date", "changed", cand,
                            f"named by {back_refs[cand.trigger.i].text!r}@"
                            f"{back_refs[cand.trigger.i].idx}: dated by its own phrase only")
        pairs = mentions_from_candidates(article, doc._.ef_candidates, facts, context,
                                         frozenset(back_refs))
        mentions = []
        for _cand, mention in pairs:
            if self.on("background_date") and self._background(mention, article):
                _record(doc, self.name, "background_date", "dropped", mention,
                        f"dated {mention.when.start if mention.when else '?'}, published "
                        f"{article.published}")
                continue
            if self.on("credit_line"):
                mention = _without_credited_actors(mention, credits)
            mentions.append(mention)
        doc._.ef_context, doc._.ef_facts, doc._.ef_raw_mentions = context, facts, mentions
        return doc

    def _background(self, mention: Mention, article: Article) -> bool:
        when = mention.when
        if when is None or when.end is None or article.published is None:
            return False
        if when.anchor not in ("text", None):
            return False
        # A day-exact date names one happening, which a follow-up ("sentenced for the March 1
        # shooting") reports again; only a month or a year long past is background history.
        if when.precision not in ("month", "year"):
            return False
        return (article.published - when.end).days > self.background_days


def _without_page_stamps(doc: Doc, article: Article, facts: ArticleFacts) -> ArticleFacts:
    stamps = [w for w in facts.times if page_stamp(article.text, w)]
    if not stamps:
        return facts
    for w in stamps:
        assert w.evidence is not None
        doc._.ef_trace.append(TraceRecord("eventfuse_arguments", "page_stamp", "dropped",
                                          w.text, w.evidence.start, "TIME", RULES["page_stamp"]))
    return replace(facts, times=[w for w in facts.times if w not in stamps])


def _without_statement_times(doc: Doc, facts: ArticleFacts) -> ArticleFacts:
    said = [w for w in facts.times if statement_time(doc, w)]
    if not said:
        return facts
    for w in said:
        assert w.evidence is not None
        doc._.ef_trace.append(TraceRecord("eventfuse_arguments", "statement_day", "dropped",
                                          w.text, w.evidence.start, "TIME",
                                          RULES["statement_day"]))
    return replace(facts, times=[w for w in facts.times if w not in said])


def _without_credited_actors(mention: Mention, credits: list[tuple[int, int]]) -> Mention:
    kept = tuple(
        a for a in mention.actors
        if a.evidence is None or not inside_ranges(a.evidence.start + 1, credits)
    )
    return mention if len(kept) == len(mention.actors) else replace(mention, actors=kept)


# --- within-document coreference --------------------------------------------------------------


@Language.factory(
    "eventfuse_coref",
    assigns=["doc._.ef_happenings", "doc._.ef_trace"],
    requires=["doc._.ef_raw_mentions"],
    default_config={"disabled_rules": [], "max_km": 25.0, "max_days": 1},
)
def make_coref(
    nlp: Language, name: str, disabled_rules: list[str], max_km: float, max_days: int
) -> Callable[[Doc], Doc]:
    return Coref(disabled_rules, max_km, max_days)


class Coref(_Component):
    """Mentions of one category in one article are one happening unless their places lie apart,
    their dates differ, or they name different parties."""

    name = "eventfuse_coref"

    def __init__(self, disabled_rules: Sequence[str], max_km: float, max_days: int) -> None:
        super().__init__(disabled_rules)
        self.max_km, self.max_days = max_km, max_days

    def __call__(self, doc: Doc) -> Doc:
        groups: list[list[Mention]] = []
        for mention in doc._.ef_raw_mentions:
            target = None
            if self.on("same_happening"):
                target = next((g for g in groups if self._same(g, mention)), None)
            if target is None:
                groups.append([mention])
            else:
                target.append(mention)
                _record(doc, self.name, "same_happening", "merged", mention,
                        f"one happening with {target[0].trigger.text if target[0].trigger else ''}"
                        f"@{target[0].trigger.start if target[0].trigger else -1}")
        doc._.ef_happenings = [Happening(tuple(g)) for g in groups]
        return doc

    def _same(self, group: list[Mention], mention: Mention) -> bool:
        if group[0].type != mention.type:
            return False
        return not any(self._conflict(m, mention) for m in group)

    def _conflict(self, a: Mention, b: Mention) -> bool:
        if _far(a.location, b.location, self.max_km):
            return True
        claims = ("claimed", "denied", "contested")
        if (a.status in claims or b.status in claims) and (
            a.status != b.status or a.attribution != b.attribution
        ):
            return True  # a claim, a counter-claim and a report: three things to weigh
        if a.mode and b.mode and a.mode != b.mode:
            return True  # "airstrikes" (aerial) and "overran" (ground) are two happenings
        if (a.acled_sub_event_type and b.acled_sub_event_type
                and a.acled_sub_event_type != b.acled_sub_event_type
                and not (_outcome(a) or _outcome(b))):
            return True  # an air strike and an armed clash; "killed" fits either
        if (a.when and b.when and a.when.start and b.when.start
                and abs((a.when.start - b.when.start).days) > self.max_days):
            return True
        # Two named parties acting apart are two happenings ("X accused ..., Y accused ...").
        named_a, named_b = _named_actors(a), _named_actors(b)
        return bool(named_a and named_b and not named_a & named_b)


def _outcome(m: Mention) -> bool:
    """A trigger telling only what befell people ("killed", "wounded", "shot"): it belongs to
    whatever kind of violent happening caused it."""
    return bool(m.trigger_lemmas) and set(m.trigger_lemmas) <= casualty_verbs()


def _named_actors(m: Mention) -> set[str]:
    """Actors the dictionary or NER knows by name (a typed, specific party)."""
    return {x.canonical for x in m.actors
            if x.role == "actor" and not x.generic and x.canonical != UNIDENTIFIED
            and x.type not in (None, "unknown")}


def _far(a: Place | None, b: Place | None, max_km: float) -> bool:
    if a is None or b is None or None in (a.lat, a.lon, b.lat, b.lon):
        return False
    # "in Virginia" and "in Suffolk" are not apart: a town lies inside its first-level region
    return not same_place(a, b, max_km)


# --- salience ---------------------------------------------------------------------------------


@Language.factory(
    "eventfuse_salience",
    assigns=["doc._.ef_happenings", "doc._.ef_trace"],
    requires=["doc._.ef_happenings", "doc._.ef_article"],
    default_config={"disabled_rules": [], "threshold": 0.4, "lead_sentences": 3},
)
def make_salience(
    nlp: Language, name: str, disabled_rules: list[str], threshold: float, lead_sentences: int
) -> Callable[[Doc], Doc]:
    return Salience(disabled_rules, threshold, lead_sentences)


class Salience(_Component):
    """Rank happenings by headline, lead, repetition and specificity; report the first and those
    above the threshold. What is not reported stays in the trace."""

    name = "eventfuse_salience"

    def __init__(self, disabled_rules: Sequence[str], threshold: float,
                 lead_sentences: int) -> None:
        super().__init__(disabled_rules)
        self.threshold, self.lead_sentences = threshold, lead_sentences

    def __call__(self, doc: Doc) -> Doc:
        article: Article = doc._.ef_article
        title = self._title_lemmas(article.title)
        lead_end = lead_end_char(doc, self.lead_sentences)
        scored = [
            replace(h, salience=salience(h, title, lead_end)) for h in doc._.ef_happenings
        ]
        ranked = sorted(scored, key=lambda h: -h.salience)
        top = ranked[0] if ranked else None
        result = []
        for h in scored:
            reported = (h is top or h.salience >= self.threshold or not self.on("salience")
                        or self._specific(h))
            if not reported:
                _record(doc, self.name, "salience", "unreported", h.head,
                        f"salience {h.salience:.2f} < {self.threshold}")
            result.append(replace(h, reported=reported))
        if self.on("victim_anchor"):
            result = self._anchor(doc, article, result)
        doc._.ef_happenings = result
        return doc

    def _anchor(self, doc: Doc, article: Article, happenings: list[Happening]) -> list[Happening]:
        """An article telling victims but reporting no violent happening (an arrest, a charge,
        a funeral) reports its most salient violent one too: the happening the follow-up refers
        back to, which the victims' counts belong to."""
        violent = [h for h in happenings if h.head.type in victim_event_types()]
        if not violent or any(h.reported for h in violent):
            return happenings
        if not casualties(article_statements(doc, article.id, article.text, article.title,
                                             self.disabled)):
            return happenings
        anchor = max(violent, key=lambda h: h.salience)
        _record(doc, self.name, "victim_anchor", "reported", anchor.head,
                "the violent happening the article's victims belong to")
        return [replace(h, reported=True) if h is anchor else h for h in happenings]

    def _specific(self, h: Happening) -> bool:
        """Specific enough to report whatever its rank (three rules, each switchable)."""
        return ((self.on("reported_claim") and _claim(h))
                or (self.on("named_party") and _named_and_placed(h))
                or (self.on("stated_violence") and _stated_violence(h)))

    def _title_lemmas(self, title: str | None) -> frozenset[str]:
        return headline_lemmas(title) if title else frozenset()


def _claim(h: Happening) -> bool:
    """A claim is reported as a claim, for the analyst to weigh."""
    return any(m.status in ("claimed", "denied", "contested") for m in h.mentions)


def _named_and_placed(h: Happening) -> bool:
    """A named party at a place or on a date of its own."""
    if not any(_named_actors(m) for m in h.mentions):
        return False
    return (any(m.location is not None for m in h.mentions)
            or any(not _undated(m.when) for m in h.mentions))


def _stated_violence(h: Happening) -> bool:
    """Violence of a stated kind (aerial, firearms...) at a place of its own."""
    violent = h.head.type in victim_event_types() and any(m.mode for m in h.mentions)
    return violent and any(m.location is not None for m in h.mentions)


def lead_end_char(doc: Doc, sentences: int) -> int:
    """Where the lead (the first ``sentences`` sentences) ends."""
    end = 0
    for n, sent in enumerate(doc.sents):
        if n >= sentences:
            break
        end = sent.end_char
    return end


# The headline's share of salience; also all a happening told in the headline only gets.
HEADLINE_WEIGHT = 0.3


def salience(h: Happening, title: frozenset[str], lead_end: int) -> float:
    """Headline 0.3, lead 0.3, repetition up to 0.15, specificity (own place, date, count,
    named party) up to 0.25."""
    lemmas = {lemma for m in h.mentions for lemma in m.trigger_lemmas}
    in_title = bool(lemmas & title)
    in_lead = any(m.trigger is not None and m.trigger.start < lead_end for m in h.mentions)
    repeated = min(len(h.mentions) - 1, 2) / 2
    head = h.head
    specific = sum((
        any(m.location is not None for m in h.mentions),
        any(m.when is not None and m.when.start is not None for m in h.mentions),
        any(m.quantities for m in h.mentions),
        any(not a.generic for m in h.mentions for a in m.actors),
    )) / 4
    score = HEADLINE_WEIGHT * in_title + 0.3 * in_lead + 0.15 * repeated + 0.25 * specific
    return round(score * (0.5 if head.status == "alleged" else 1.0), 3)


# --- mentions ---------------------------------------------------------------------------------


@Language.factory(
    "eventfuse_mentions",
    assigns=["doc._.ef_mentions", "doc._.ef_trace"],
    requires=["doc._.ef_happenings", "doc._.ef_facts"],
    default_config={"disabled_rules": [], "lead_sentences": 3},
)
def make_mentions(
    nlp: Language, name: str, disabled_rules: list[str], lead_sentences: int
) -> Callable[[Doc], Doc]:
    return Mentions(disabled_rules, lead_sentences)


class Mentions(_Component):
    """One mention per reported happening, carrying every coreferent mention's evidence; what
    its own sentences lack comes from the article (lead, dateline, victims told elsewhere)."""

    name = "eventfuse_mentions"

    def __init__(self, disabled_rules: Sequence[str], lead_sentences: int) -> None:
        super().__init__(disabled_rules)
        self.lead_sentences = lead_sentences

    def __call__(self, doc: Doc) -> Doc:
        article: Article = doc._.ef_article
        facts: ArticleFacts = doc._.ef_facts
        reported = [h for h in doc._.ef_happenings if h.reported]
        violent = [h for h in reported if h.head.type in victim_event_types()]
        headline = self._headline_happening(doc, article, reported, violent)
        # the headline's report beside the text's own violent report (headline_report)
        beside = headline is not None and bool(violent) and self.on("headline_joins_violent")
        if headline is not None:
            violent = violent or [headline]
            reported = [*reported, headline]
        main = max(reported, key=lambda h: h.salience, default=None)
        main_violent = max(violent, key=lambda h: h.salience, default=None)
        lead_end = lead_end_char(doc, self.lead_sentences)
        # The article's own places (dateline, else lead; the lead's), found once per article.
        located, source = document_location_from(doc, facts.places) if reported else (None, "")
        found = (located, lead_place(facts.places, lead_end)) if reported else (None, None)
        sources = (source, "lead", "town the article names most")
        # then the town the article names most often: for an unplaced or coarsely placed happening
        town = article_town(facts.places) if reported and self.on("article_town") else None
        inside = (*found, town)
        # last, the headline's own place (the headline is not in the text the places come from)
        if any(p is not None and p.lat is not None for p in inside) or not reported:
            headline_at = None
        else:
            headline_at = headline_place(article.title, article.id, self.disabled)
        mentions = []
        told: Mention | None = None  # the text's most salient violent report, as reported
        for h in reported:
            mention = merged(h)
            unplaced = mention.location is None or mention.location.lat is None
            # a statement keeps its own place only (a placed statement wins its article's
            # evidence from the happening it is about: measured, docs/quality.md)
            if unplaced and self.on("document_place") and mention.type not in STATEMENT_TYPES:
                found_at = next(((p, where) for p, where in zip((*inside, headline_at),
                                                                 (*sources, "headline"),
                                                                 strict=True)
                                 if p is not None and p.lat is not None), None)
                if found_at is not None:
                    place, where = found_at
                    mention = replace(mention, location=place)
                    rule = "headline_place" if place is headline_at else "document_place"
                    _record(doc, self.name, rule, "changed", mention,
                            f"place {place.name!r} from the {where}")
            elif mention.location is not None and self.on("finer_place"):
                coarse = mention.location
                finer = finer_place(coarse, inside, self.on("finer_county"))
                if finer is not coarse:
                    mention = replace(mention, location=finer)
                    _record(doc, self.name, "finer_place", "changed", mention,
                            f"place {finer.name!r} inside {coarse.name!r}")
            dating = ("document_date" if h is main else
                      "violent_lead_date" if h is main_violent else None)
            if dating is not None and self.on(dating) and _undated(mention.when):
                when = lead_date(facts.times, lead_end)
                if when is not None:
                    mention = replace(mention, when=when)
                    _record(doc, self.name, dating, "changed", mention,
                            f"date {when.text!r} from the lead")
            if h is main_violent and self.on("victim_count"):
                mention = _with_victims(doc, article, mention, self.disabled)
            if h is main_violent:
                told = mention
            elif beside and h is headline and told is not None:
                mention = replace(mention, when=told.when)
                _record(doc, self.name, "headline_joins_violent", "changed", mention,
                        "the date of the text's violent report")
            mentions.append(replace(mention, salience=h.salience))
        doc._.ef_mentions = mentions
        return doc

    def _headline_happening(self, doc: Doc, article: Article, reported: list[Happening],
                            violent: list[Happening]) -> Happening | None:
        """The headline's violent happening, to report beside the text's: when the text
        reports none (``headline_happening``), or a follow-up leads it (``headline_report``;
        then placed by the text's dateline or lead, not the headline's words)."""
        lead = max(reported, key=lambda h: h.salience, default=None)
        rule = "headline_happening" if not violent else "headline_report"
        follow_up = lead is not None and lead.head.type not in victim_event_types()
        if not (self.on("headline_happening") and self.on(rule) and (not violent or follow_up)):
            return None
        told = headline_mention(article, victim_event_types(), self.disabled)
        if told is None or told.id in {m.id for h in reported for m in h.mentions}:
            return None
        _record(doc, self.name, rule, "reported", told,
                f"the headline's happening: {article.title!r}")
        if violent:
            told = replace(told, location=None)
        return Happening((told,), salience=HEADLINE_WEIGHT)




def merged(h: Happening) -> Mention:
    """The head mention with what its coreferent mentions add: actors, place, date, counts."""
    head, rest = h.head, h.mentions[1:]
    if not rest:
        return head
    actors = list(head.actors)
    known = {(a.role, a.canonical) for a in actors}
    for m in rest:
        for a in m.actors:
            if (a.role, a.canonical) not in known:
                known.add((a.role, a.canonical))
                actors.append(a)
    location = head.location or next((m.location for m in rest if m.location), None)
    when = head.when if not _undated(head.when) else next(
        (m.when for m in rest if not _undated(m.when)), head.when
    )
    kinds = {q.kind for q in head.quantities}
    quantities = list(head.quantities)
    for m in rest:
        for q in m.quantities:
            if q.kind not in kinds:
                kinds.add(q.kind)
                quantities.append(q)
    quotes = tuple(q for m in h.mentions for q in m.quotes)
    coreferent = tuple(m.trigger for m in rest if m.trigger is not None)
    return replace(head, actors=tuple(actors), location=location, when=when,
                   quantities=tuple(quantities), quotes=quotes, coreferent=coreferent)


def _undated(when: When | None) -> bool:
    return when is None or when.start is None


def lead_place(places: Sequence[Place], lead_end: int) -> Place | None:
    """The first located place of the lead, a town before a region before a country."""
    rank = {"point": 0, "region": 1, "admin1": 2, "country": 3}
    in_lead = [
        p for p in places
        if p.evidence is not None and p.evidence.start < lead_end and p.lat is not None
    ]
    if not in_lead:
        return None
    return min(in_lead, key=lambda p: (rank.get(p.precision, 4), p.evidence.start
                                       if p.evidence else 0))


def lead_date(times: Sequence[When], lead_end: int) -> When | None:
    """The first date of the lead resolved to a day, else the first resolved at all."""
    resolved = [w for w in times
                if w.start is not None and w.evidence is not None and w.evidence.start < lead_end]
    return next((w for w in resolved if w.precision == "day"), resolved[0] if resolved else None)


def _with_victims(doc: Doc, article: Article, mention: Mention, off: frozenset[str]) -> Mention:
    statements = article_statements(doc, article.id, article.text, article.title, off)
    counts = casualties(statements)
    if not counts:
        return mention
    for q in counts:
        # the named reading behind a count (victim_survives...), for --explain
        ruled = next((s for s in statements if s.rule and s.evidence == q.evidence), None)
        if ruled is not None:
            _record(doc, "eventfuse_mentions", ruled.rule, "changed", mention,
                    f"{q.kind} {q.low} from {ruled.evidence.text!r}")
    headline = [q.kind for q in counts if q.evidence is not None and q.evidence.end == 0]
    if headline:
        _record(doc, "eventfuse_mentions", "victim_headline", "changed", mention,
                f"{', '.join(headline)} counted from the headline")
    kinds = {q.kind for q in counts}
    kept = tuple(q for q in mention.quantities if q.kind not in kinds)
    before = {q.kind: (q.low, q.high) for q in mention.quantities}
    after = {q.kind: (q.low, q.high) for q in counts}
    if any(before.get(k) != v for k, v in after.items()):
        _record(doc, "eventfuse_mentions", "victim_count", "changed", mention,
                f"counts {before} -> {after} from the victims described")
    return replace(mention, quantities=kept + counts)


# --- the pipeline -----------------------------------------------------------------------------


@functools.cache
def _pipeline(disabled: tuple[str, ...], background_days: int, threshold: float) -> Language:
    """A Language holding only the extraction components, sharing the model's vocab: the
    model parses (in as many processes as asked), these run on the parsed Docs."""
    import spacy

    from eventfuse.nlp import get_nlp

    nlp = spacy.blank("en", vocab=get_nlp().vocab)
    config: dict[str, dict[str, Any]] = {name: {"disabled_rules": list(disabled)}
                                          for name in COMPONENTS}
    config["eventfuse_arguments"]["background_days"] = background_days
    config["eventfuse_salience"]["threshold"] = threshold
    for name in COMPONENTS:
        nlp.add_pipe(name, config=config[name])
    return nlp


def extraction_pipeline(options: Options) -> Language:
    """The model with the extraction components configured from ``options``."""
    disabled = {r.strip() for r in options.disabled_rules.split(",") if r.strip()}
    unknown = disabled - set(RULES) - set(FUSION_SWITCHES)
    if unknown:
        raise ConfigError(f"unknown extraction rule(s) {sorted(unknown)}; known: {sorted(RULES)}")
    return _pipeline(tuple(sorted(disabled - set(FUSION_SWITCHES))), options.background_days,
                     options.salience_threshold)


def run_components(doc: Doc, article: Article, options: Options) -> Doc:
    """Run the extraction components on a parsed ``doc`` of ``article``."""
    doc._.ef_article = article
    for _name, component in extraction_pipeline(options).pipeline:
        doc = component(doc)
    return doc

"""Actors: who did it and to whom, read from the dependency parse, with names normalized.

Normalization works at two levels. Within an article, :func:`build_actor_context` learns what the
text introduced: full names for surnames ("Massoud" -> "Ahmad Massoud"), acronyms defined in text
("National Resistance Front (NRF)"), and the country a person belongs to ("Pakistan's spy chief
Faiz Hameed"). Across articles, a dictionary (data/actors.yaml, derived from PETRARCH2's Phoenix
dictionaries, overridable by the user) maps aliases to one canonical name with a type and an ISO
alpha-3 country, so "ISI" in one outlet and "Inter-Services Intelligence" in another agree.
"""

from __future__ import annotations

import bisect
import csv
import functools
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token

from eventfuse.errors import ConfigError
from eventfuse.nlp import doc_text, entities, sentence_of, span_entities, token_bounds
from eventfuse.records import Actor, Evidence, Role
from eventfuse.yamlfile import load_yaml

ENV_ACTORS = "EVENTFUSE_ACTORS"
UNIDENTIFIED = "Unidentified"
# Vague counts that head a noun phrase without naming who ("Hundreds of Afghans", "Dozens rallied").
_COUNT_WORDS = frozenset({"hundreds", "dozens", "thousands", "scores", "tens", "millions", "many",
                          "several", "some", "few", "dozen", "hundred", "thousand", "crowds"})
_SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
_PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
_OBJECT_DEPS = frozenset({"dobj", "dative", "obj"})
# Prepositions whose object is the target of the happening ("protest against X", "strikes on X").
_RECIPIENT_PREPS = frozenset({"against", "on", "upon", "with", "at", "into", "toward", "towards"})
_FUNCTION_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "al", "el", "e", "ul"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC", "LOC"})


# --- the dictionary ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DictionaryEntry:
    canonical: str
    type: str | None
    country: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorDictionary:
    """Alias -> entry. Short all-capital aliases ("IS", "WHO") only match in that exact case."""

    by_alias: Mapping[str, DictionaryEntry]
    by_acronym: Mapping[str, DictionaryEntry]
    # Country code -> demonym ("AFG" -> "Afghan"), to name generic groups ("Afghan protesters").
    demonyms: Mapping[str, str]
    country_names: Mapping[str, str]

    def lookup(self, name: str) -> DictionaryEntry | None:
        text = _clean_name(name)
        if not text:
            return None
        if text in self.by_acronym:
            return self.by_acronym[text]
        return self.by_alias.get(text.lower())


def _is_acronym(alias: str) -> bool:
    letters = alias.replace(".", "").replace("-", "")
    return letters.isupper() and len(letters) <= 5 and " " not in alias


def _entries_from_yaml(data: Any, source: str) -> list[DictionaryEntry]:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: an actor dictionary is a mapping of sections to lists")
    entries = []
    for section in data.values():
        for item in section or ():
            entries.append(_entry(item, source))
    return entries


def _entry(item: Any, source: str) -> DictionaryEntry:
    if not isinstance(item, Mapping) or not item.get("canonical"):
        raise ConfigError(f"{source}: every actor needs a 'canonical' name: {item!r}")
    aliases = item.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = [a.strip() for a in re.split(r"[|;]", aliases) if a.strip()]
    country = item.get("country") or None
    return DictionaryEntry(
        canonical=str(item["canonical"]).strip(),
        type=(str(item["type"]).strip() or None) if item.get("type") else None,
        country=str(country).strip().upper() if country else None,
        aliases=tuple(str(a) for a in aliases),
    )


def _entries_from_csv(text: str, source: str) -> list[DictionaryEntry]:
    rows = csv.DictReader(text.splitlines())
    return [_entry(row, source) for row in rows if any((v or "").strip() for v in row.values())]


def _read_entries(path: Path) -> list[DictionaryEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read actor dictionary ({exc.strerror})") from exc
    if path.suffix.lower() == ".csv":
        return _entries_from_csv(text, str(path))
    try:
        return _entries_from_yaml(load_yaml(text), str(path))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML in actor dictionary") from exc


def build_dictionary(entries: Iterable[DictionaryEntry]) -> ActorDictionary:
    """Index entries; a later entry wins an alias, so user entries override built-ins."""
    by_alias: dict[str, DictionaryEntry] = {}
    by_acronym: dict[str, DictionaryEntry] = {}
    demonyms: dict[str, str] = {}
    country_names: dict[str, str] = {}
    for entry in entries:
        for alias in (entry.canonical, *entry.aliases):
            if _is_acronym(alias):
                by_acronym[alias] = entry
                by_acronym[alias.replace(".", "")] = entry
            else:
                by_alias[alias.lower()] = entry
        if entry.type == "state" and entry.country:
            country_names[entry.country] = entry.canonical
            demonym = _demonym(entry)
            if demonym:
                demonyms[entry.country] = demonym
    return ActorDictionary(by_alias, by_acronym, demonyms, country_names)


def _demonym(entry: DictionaryEntry) -> str | None:
    stem = entry.canonical[:3].lower()
    for alias in entry.aliases:
        if " " not in alias and alias.lower().startswith(stem) and alias != entry.canonical:
            return alias
    return None


def _builtin_entries() -> list[DictionaryEntry]:
    text = resources.files("eventfuse").joinpath("data/actors.yaml").read_text(encoding="utf-8")
    return _entries_from_yaml(load_yaml(text), "data/actors.yaml")


def load_actor_dictionary(path: str | os.PathLike[str] | None = None) -> ActorDictionary:
    """The built-in dictionary, overridden by a user YAML/CSV file (``path`` or $EVENTFUSE_ACTORS).

    YAML: sections (any names) of ``{canonical, type, country, aliases: [...]}``; CSV: columns
    ``canonical,type,country,aliases`` with aliases separated by ``|``.
    """
    entries = _builtin_entries()
    user = path if path is not None else os.environ.get(ENV_ACTORS)
    if user:
        entries += _read_entries(Path(user))
    return build_dictionary(entries)


@functools.cache
def get_actor_dictionary() -> ActorDictionary:
    """The process-wide dictionary (built-ins plus $EVENTFUSE_ACTORS), loaded once."""
    return load_actor_dictionary()


@dataclass(frozen=True, slots=True)
class AgentLexicon:
    """Role words -> types, honorifics, and the words that mark unattributed actors."""

    types: Mapping[str, str]
    titles: frozenset[str]
    unidentified_modifiers: frozenset[str]
    unattributed_agents: frozenset[str]
    civilian_words: frozenset[str]
    person_pronouns: frozenset[str]
    # Happenings whose "with"/"between" parties are co-actors ("clash", "exchange fire").
    mutual_happenings: frozenset[str] = frozenset()


@functools.cache
def get_agents() -> AgentLexicon:
    text = resources.files("eventfuse").joinpath("data/agents.yaml").read_text(encoding="utf-8")
    data = load_yaml(text)
    types = {word: kind for kind, words in data["types"].items() for word in words}
    return AgentLexicon(
        types=types,
        titles=frozenset(data["titles"]),
        unidentified_modifiers=frozenset(data["unidentified_modifiers"]),
        unattributed_agents=frozenset(data["unattributed_agents"]),
        civilian_words=frozenset(data["civilian_words"]),
        person_pronouns=frozenset(data["person_pronouns"]),
        mutual_happenings=frozenset(data.get("mutual_happenings") or ()),
    )


# --- names ---------------------------------------------------------------------------------------


_SPACES = re.compile(r"\s+")
_POSSESSIVE_END = re.compile(r"(?:'s|’s|'|’)$")
_ARTICLE_START = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 14)
def _clean_name(name: str) -> str:
    # cached: the same names are cleaned for every candidate of an article
    text = _SPACES.sub(" ", name).strip(" \t\n,.;:\"'“”‘’()")
    text = _POSSESSIVE_END.sub("", text)
    return _ARTICLE_START.sub("", text)


def strip_titles(name: str) -> str:
    """"Lieutenant General Faiz Hameed" -> "Faiz Hameed"; keeps at least one word."""
    words = _clean_name(name).split()
    titles = get_agents().titles
    while len(words) > 1 and words[0].lower().rstrip(".") in titles:
        words.pop(0)
    return " ".join(words)


# --- the per-article context ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActorContext:
    """What one article introduced; built once per article, read by every mention."""

    article_id: str
    # Full person names (titles stripped) in order of introduction, with their mention counts.
    persons: tuple[str, ...] = ()
    # Lower-case surface form (surname, full name, first+last) -> canonical full name.
    person_aliases: Mapping[str, str] = field(default_factory=dict)
    # Person canonical -> ISO alpha-3 country learned from "Pakistan's spy chief X".
    person_countries: Mapping[str, str] = field(default_factory=dict)
    # Acronym defined in the text -> its expansion ("NRF" -> "National Resistance Front").
    acronyms: Mapping[str, str] = field(default_factory=dict)
    dictionary: ActorDictionary | None = None


@dataclass(frozen=True, slots=True)
class ActorInfo:
    """A normalized actor before it gets a role: what :func:`normalize_actor` returns."""

    name: str
    canonical: str
    type: str | None = None
    country: str | None = None
    generic: bool = False

    def as_actor(self, role: Role, evidence: Evidence | None = None) -> Actor:
        return Actor(
            role, self.name, self.canonical, self.type, self.country, evidence, self.generic
        )


_ACRONYM_DEF = re.compile(r"\(([A-Z][A-Za-z&.-]{1,9})\)")


def find_acronym_definitions(text: str) -> dict[str, str]:
    """"National Resistance Front (NRF)" -> {"NRF": "National Resistance Front"}."""
    found: dict[str, str] = {}
    for match in _ACRONYM_DEF.finditer(text):
        acronym = match.group(1)
        words = text[: match.start()].split()[-12:]
        expansion = _expansion(acronym, words)
        if expansion and acronym not in found:
            found[acronym] = expansion
    return found


def _expansion(acronym: str, words: Sequence[str]) -> str | None:
    target = re.sub(r"[^A-Za-z]", "", acronym).upper()
    for size in range(1, len(words) + 1):
        tail = words[-size:]
        if tail[0].lower() in _FUNCTION_WORDS or not tail[0][:1].isupper():
            continue
        for initials in _initials(tail):
            if initials == target:
                return " ".join(tail).strip(",;:")
    return None


def _initials(words: Sequence[str]) -> Iterator[str]:
    content = [w for w in words if w.lower() not in _FUNCTION_WORDS]
    yield "".join(w[0] for w in content).upper()
    yield "".join(p[0] for w in content for p in w.split("-") if p).upper()


def build_actor_context(
    doc: Doc, article_id: str, dictionary: ActorDictionary | None = None
) -> ActorContext:
    """Who the article introduced: full names for surnames, acronyms, persons' countries."""
    dictionary = dictionary or get_actor_dictionary()
    acronyms = find_acronym_definitions(doc_text(doc))
    counts: Counter[str] = Counter()
    order: list[str] = []
    countries: dict[str, str] = {}
    for ent in entities(doc):
        if ent.label_ != "PERSON":
            continue
        name = strip_titles(ent.text)
        if len(name.split()) < 2 or dictionary.lookup(name) or name in acronyms.values():
            continue
        if name not in counts:
            order.append(name)
        counts[name] += 1
        country = _possessor_country(ent, dictionary)
        if country and name not in countries:
            countries[name] = country
    return ActorContext(
        article_id=article_id,
        persons=tuple(order),
        person_aliases=_person_aliases(order, counts),
        person_countries=countries,
        acronyms=acronyms,
        dictionary=dictionary,
    )


def _person_aliases(order: Sequence[str], counts: Counter[str]) -> dict[str, str]:
    """Surname -> the most frequent full name with that surname, ties to the first introduced.

    Distinct full names ("Ahmad Massoud", "Ahmad Shah Massoud") stay distinct; only the bare
    surname is shared, and it goes to the dominant one.
    """
    aliases: dict[str, str] = {}
    rank = {name: (-counts[name], i) for i, name in enumerate(order)}
    for name in sorted(order, key=rank.__getitem__):
        words = name.split()
        aliases.setdefault(name.lower(), name)
        aliases.setdefault(words[-1].lower(), name)
        aliases.setdefault(f"{words[0]} {words[-1]}".lower(), name)
    return aliases


def _possessor_country(span: Span, dictionary: ActorDictionary) -> str | None:
    """Country named in the same noun phrase before a person: "Pakistan's spy chief X"."""
    head = span.root
    for token in head.subtree:
        if token.i >= span.start:
            break
        if token.dep_ in ("poss", "compound", "amod", "nmod"):
            entry = dictionary.lookup(token.text)
            if entry and entry.type == "state":
                return entry.country
    left = span.doc[max(span.start - 6, sentence_of(span.doc[span.start]).start) : span.start]
    for token in reversed(left):
        if token.dep_ == "poss" or token.tag_ == "NNP":
            entry = dictionary.lookup(token.text)
            if entry and entry.type == "state":
                return entry.country
        if token.pos_ in ("VERB", "AUX", "ADP") or token.is_punct:
            break
    return None


# --- normalization ------------------------------------------------------------------------------


def normalize_actor(name: str, context: ActorContext | None = None) -> ActorInfo:
    """Canonical name, type and country for an actor phrase, using the article context first."""
    dictionary = (context.dictionary if context else None) or get_actor_dictionary()
    cleaned = _clean_name(name)
    words = cleaned.split()
    agents = get_agents()
    if any(w.lower() in agents.unidentified_modifiers for w in words):
        return ActorInfo(cleaned, UNIDENTIFIED, "unknown", None)
    direct = _lookup_named(cleaned, context, dictionary)
    if direct:
        return direct
    bare = strip_titles(cleaned)
    if bare != cleaned:
        direct = _lookup_named(bare, context, dictionary)
        if direct:
            return ActorInfo(cleaned, direct.canonical, direct.type, direct.country)
        if _looks_like_name(bare):  # "Gen. Faiz Hameed": a title before a proper name
            return ActorInfo(cleaned, bare, "person", _title_country(cleaned, bare, dictionary))
    return _generic(cleaned, context, dictionary) or ActorInfo(cleaned, bare or cleaned, None, None)


def _lookup_named(
    text: str, context: ActorContext | None, dictionary: ActorDictionary
) -> ActorInfo | None:
    if context:
        expansion = context.acronyms.get(text)
        if expansion:
            entry = dictionary.lookup(expansion)
            if entry:
                return ActorInfo(text, entry.canonical, entry.type, entry.country)
            return ActorInfo(text, expansion, None, None)
        person = context.person_aliases.get(text.lower())
        if person:
            return ActorInfo(text, person, "person", context.person_countries.get(person))
    entry = dictionary.lookup(text)
    if entry:
        return ActorInfo(text, entry.canonical, entry.type, entry.country)
    if context:
        # An expansion used without its acronym: "National Resistance Front" after "(NRF)".
        for acronym, expansion in context.acronyms.items():
            if expansion.lower() == text.lower():
                by_acronym = dictionary.lookup(acronym)
                canonical = by_acronym.canonical if by_acronym else expansion
                return ActorInfo(text, canonical, by_acronym.type if by_acronym else None,
                                 by_acronym.country if by_acronym else None)
    return None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return len(words) >= 2 and all(w[:1].isupper() and w.lower() not in _FUNCTION_WORDS
                                   for w in words)


def _title_country(cleaned: str, bare: str, dictionary: ActorDictionary) -> str | None:
    """"Pakistani General X" -> PAK: a country word among the titles."""
    for word in cleaned[: len(cleaned) - len(bare)].split():
        entry = _lookup_word(word.rstrip("'’s"), dictionary)
        if entry and entry.type == "state":
            return entry.country
    return None


def _generic(
    text: str, context: ActorContext | None, dictionary: ActorDictionary
) -> ActorInfo | None:
    """Groups named by role: "Afghan protesters", "Pakistan's army", "residents", "Afghans"."""
    words = [w for w in re.split(r"[\s]+", text) if w]
    country = None
    named = None
    for word in words:
        entry = _lookup_word(word, dictionary)
        if entry and entry.type == "state":
            country = country or entry.country
        elif entry and named is None:
            named = entry
    named = named or _named_subphrase(words, context, dictionary)
    if named:  # "Taliban rule", "NRF fighters": the named group is the actor.
        return ActorInfo(text, named.canonical, named.type, named.country)
    if context:
        for word in words:
            resolved = _lookup_named(word, context, dictionary)
            if resolved and resolved.type not in ("state", "person"):
                return ActorInfo(text, resolved.canonical, resolved.type, resolved.country)
    kind = _agent_type(words)
    if kind is None and country and len(words) == 1:
        # A demonym used as a noun: "Afghans" are the country's people.
        kind = "civilians" if _is_demonym_plural(words[0], dictionary) else None
        if kind is None:
            entry = _lookup_word(words[0], dictionary)
            return ActorInfo(text, entry.canonical, entry.type, entry.country) if entry else None
    if kind is None:
        return None
    if kind == "unattributed":
        return ActorInfo(text, UNIDENTIFIED, "unknown", None)
    specific = country is not None and kind in _STATE_BODIES
    return ActorInfo(text, _group_name(kind, country, dictionary), kind, country, not specific)


def _named_subphrase(
    words: Sequence[str], context: ActorContext | None, dictionary: ActorDictionary
) -> DictionaryEntry | None:
    """The longest run of words that names a non-state actor ("National Resistance Front")."""
    for size in range(len(words) - 1, 1, -1):
        for i in range(len(words) - size + 1):
            info = _lookup_named(" ".join(words[i : i + size]), context, dictionary)
            # A person's name inside a longer one is another person ("Ahmad Shah Massoud").
            if info and info.type not in ("state", "person"):
                return DictionaryEntry(info.canonical, info.type, info.country)
    return None


def _lookup_word(word: str, dictionary: ActorDictionary) -> DictionaryEntry | None:
    entry = dictionary.lookup(word)
    if entry is None and word.lower().endswith("s") and len(word) > 3:
        entry = dictionary.lookup(word[:-1])  # "Afghans" -> "Afghan"
    return entry


def _is_demonym_plural(word: str, dictionary: ActorDictionary) -> bool:
    return word.lower().endswith("s") and dictionary.lookup(word) is None


def _agent_type(words: Sequence[str]) -> str | None:
    agents = get_agents()
    lowered = [w.lower() for w in words]
    for size in (2, 1):
        for i in range(len(lowered) - size, -1, -1):
            phrase = " ".join(_singular(w) for w in lowered[i : i + size])
            if phrase in agents.types:
                return agents.types[phrase]
    head = _singular(lowered[-1]) if lowered else ""
    if head in agents.civilian_words or (lowered and lowered[-1] in agents.civilian_words):
        return "civilians"
    if head in agents.unattributed_agents and len(lowered) == 1:
        return "unattributed"
    return None


def _singular(word: str) -> str:
    for plural, singular in (("men", "man"), ("ies", "y"), ("ces", "ce"), ("ses", "s"), ("s", "")):
        if word.endswith(plural) and len(word) > len(plural) + 2:
            return word[: -len(plural)] + singular
    return word


# A country's own institutions name a definite actor ("Pakistan military"); other role groups
# ("Afghan civilians", "Armed group") do not.
_STATE_BODIES = ("government", "military", "police", "intelligence", "legislature", "judiciary")


def _group_name(kind: str, country: str | None, dictionary: ActorDictionary) -> str:
    if country is None:
        return kind.capitalize()
    if kind in _STATE_BODIES:
        return f"{dictionary.country_names.get(country, country)} {kind}"
    demonym = dictionary.demonyms.get(country)
    return f"{demonym} {kind}" if demonym else f"{kind.capitalize()} ({country})"


# --- from the parse -------------------------------------------------------------------------


def find_actors(sent: Span, trigger: Token, context: ActorContext) -> tuple[Actor, ...]:
    """Actor (who did it) and recipient (to whom) of the happening reported around ``trigger``."""
    doers, targets = _participants(trigger)
    actors: list[Actor] = []
    seen: set[tuple[str, str]] = set()
    for role, tokens in (("actor", doers), ("recipient", targets)):
        for token in tokens:
            actor = _actor_for(token, role, context)  # type: ignore[arg-type]
            if actor and (role, actor.canonical) not in seen:
                seen.add((role, actor.canonical))
                actors.append(actor)
    return tuple(actors)


def claimant_actor(claimant: Token, context: ActorContext) -> Actor | None:
    """The author of a claimed act ("claimed by the Islamist group al-Shabaab"): a name in
    apposition to a role word ("the group X") is the actor, not the role word."""
    named = [c for c in claimant.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
    for token in (*named, claimant):
        actor = _actor_for(token, "actor", context)
        if actor is not None and not actor.generic and actor.canonical != UNIDENTIFIED:
            return actor
    return None


def _participants(trigger: Token) -> tuple[list[Token], list[Token]]:
    doers: list[Token] = []
    targets: list[Token] = []
    for child in trigger.children:
        if child.dep_ in _SUBJECT_DEPS:
            doers.append(child)
        elif child.dep_ in _PASSIVE_SUBJECT_DEPS:
            targets.append(child)
        elif child.dep_ == "agent":
            doers += [g for g in child.children if g.dep_ == "pobj"]
        elif child.dep_ in _OBJECT_DEPS and trigger.pos_ in ("VERB", "AUX"):
            targets.append(child)
        elif child.dep_ == "prep" and child.lower_ in _RECIPIENT_PREPS:
            targets += [g for g in child.children if g.dep_ == "pobj"]
        elif child.dep_ == "prep" and child.lower_ == "by" and trigger.pos_ in ("NOUN", "PROPN"):
            doers += [g for g in child.children if g.dep_ == "pobj"]
        elif child.dep_ == "poss" and trigger.pos_ in ("NOUN", "PROPN"):
            doers.append(child)
        elif child.dep_ == "advcl" and child.tag_ == "VBG" and not targets:
            # "protesting against Taliban rule" hangs off the main verb.
            targets += [g for p in child.children if p.dep_ == "prep"
                        and p.lower_ in _RECIPIENT_PREPS for g in p.children if g.dep_ == "pobj"]
    if not doers:
        doers = _clause_subject_in_prep(trigger) or _inherited_subjects(trigger)
    if _is_mutual(trigger):
        # "clashed with militiamen", "fighting between troops and rebels": both sides act.
        partners = _mutual_partners(trigger)
        doers += [t for t in partners if t not in doers]
        targets = [t for t in targets if t not in partners]
    return _with_conjuncts(doers), _with_conjuncts(targets)


def _is_mutual(trigger: Token) -> bool:
    mutual = get_agents().mutual_happenings
    if trigger.lemma_.lower() in mutual or trigger.lower_ in mutual:
        return True
    objects = [c for c in trigger.children if c.dep_ in _OBJECT_DEPS or c.dep_ == "compound"]
    objects += [g for p in trigger.children if p.dep_ == "prep" and p.lower_ == "of"
                for g in p.children if g.dep_ == "pobj"]  # "exchange of fire"
    head = trigger.head  # the trigger may be the object: "exchanged fire"
    if trigger.dep_ in _OBJECT_DEPS:
        objects.append(trigger)
        trigger = head
    return any(f"{trigger.lemma_.lower()} {o.lemma_.lower()}" in mutual
               or f"{trigger.lemma_.lower()} of {o.lemma_.lower()}" in mutual for o in objects)


def _mutual_partners(trigger: Token) -> list[Token]:
    """The parties after "with" or in "between X and Y", on the trigger or (for "exchanged fire
    with") on the verb whose object it is."""
    holders = [trigger]
    if trigger.dep_ in _OBJECT_DEPS:
        holders.append(trigger.head)
    holders += [c for c in trigger.children if c.dep_ in _OBJECT_DEPS]
    partners: list[Token] = []
    for holder in holders:
        for prep in holder.children:
            if prep.dep_ == "prep" and prep.lower_ in ("with", "between", "among", "amongst"):
                for obj in (g for g in prep.children if g.dep_ == "pobj"):
                    # "between the army and ADF rebels" is often parsed with "army" as a
                    # modifier of "rebels": a coordinated modifier is a party too.
                    partners += [m for m in obj.lefts if m.dep_ == "nmod"
                                 and any(c.dep_ == "cc" for c in m.children)]
                    partners.append(obj)
    return partners


def _inherited_subjects(trigger: Token) -> list[Token]:
    """Subjects a trigger shares with the verb it hangs from ("planes conducted airstrikes")."""
    token = trigger
    for _ in range(3):
        head = token.head
        if head.i == token.i:
            return []
        if token.dep_ in ("relcl", "acl") and head.pos_ in ("NOUN", "PROPN", "PRON"):
            return [head]
        if token.dep_ in ("dobj", "xcomp", "conj", "advcl", "ccomp", "pobj", "prep"):
            subjects = [c for c in head.children if c.dep_ in _SUBJECT_DEPS]
            if subjects:
                return subjects
            token = head
            continue
        return []
    return []


def _clause_subject_in_prep(trigger: Token) -> list[Token]:
    """"hours after Ahmad Massoud ... called": the parser hangs the subject on "after"."""
    if trigger.dep_ != "advcl" or trigger.pos_ != "VERB":
        return []
    for sibling in trigger.head.children:
        if sibling.dep_ == "prep" and sibling.i < trigger.i and sibling.lower_ in _CLAUSE_PREPS:
            objects = [g for g in sibling.children if g.dep_ == "pobj" and g.pos_ == "PROPN"]
            if objects:
                return objects[:1]
    return []


_CLAUSE_PREPS = frozenset({"after", "before", "since", "until", "as", "when"})


def _with_conjuncts(tokens: Sequence[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out += [c for c in token.conjuncts if c not in out]
    return out


def _actor_for(token: Token, role: Role, context: ActorContext) -> Actor | None:
    token = _descend_count(token)
    if token.pos_ == "PRON":
        return _pronoun_actor(token, role, context)
    counted = token.lower_ in _COUNT_WORDS
    if token.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ") or (
        token.ent_type_ in _NOT_ACTOR_LABELS and not counted
    ):
        return None
    if role == "recipient" and _is_mere_place(token, context):
        return None  # "flew into Kabul": a destination, which the places stage reports
    if _in_dateline(token) or (role == "actor" and _is_unlisted_place(token, context)):
        return None  # "BUNIA, Congo (Wire) —" says where the story was filed, not who acted
    group = _named_member_of(token)
    if group is not None:
        token = group  # "fighters of the CODECO militia": the named group acts
    span = _phrase(token)
    if counted:  # "Dozens rallied": people, nothing more is known
        info: ActorInfo | None = ActorInfo(span.text, "Civilians", "civilians", None)
    else:
        info = _normalize_span(span, context)
    person = _appositive_person(token)
    if info is not None and person is not None and info.type != "person":
        named = normalize_actor(person.text, context)
        country = named.country or info.country
        span = token.doc[span.start : person.end]
        info = ActorInfo(span.text, named.canonical, "person", country)
    if info is None:
        return None
    evidence = Evidence(context.article_id, span.start_char, span.end_char, span.text)
    return info.as_actor(role, evidence)


_NOT_ACTOR_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT",
                               "QUANTITY"})


def _is_mere_place(token: Token, context: ActorContext) -> bool:
    if token.ent_type_ not in ("GPE", "LOC", "FAC"):
        return False
    dictionary = context.dictionary or get_actor_dictionary()
    entry = dictionary.lookup(token.text)
    return entry is None or entry.type != "state" or entry.canonical != token.text


def _is_unlisted_place(token: Token, context: ActorContext) -> bool:
    """A place name the actor dictionary does not list: a city is where, not who (capitals that
    stand for their governments, "Islamabad said", are listed there as aliases)."""
    if token.ent_type_ not in ("GPE", "LOC", "FAC") or token.pos_ != "PROPN":
        return False
    dictionary = context.dictionary or get_actor_dictionary()
    # The whole name, not its head word: "United States", "South Korea", "U.S."
    entity = next((e for e in entities(token.doc) if e.start <= token.i < e.end), None)
    names = {token.text, _phrase(token).text, entity.text if entity is not None else token.text}
    names |= {n.replace(".", "") for n in names}
    return all(dictionary.lookup(n) is None and dictionary.lookup(n.title()) is None
               for n in names)


_DATELINE_DASHES = frozenset({"—", "–", "--", "-"})
_DATELINE_MAX_TOKENS = 16


def _in_dateline(token: Token) -> bool:
    """Whether ``token`` lies in a dateline opening its sentence: "BUNIA, Congo (Wire) —" or
    "KABUL (Reuters) -": a capitalized place, optionally a source in parentheses, then a dash."""
    dash = _dateline_dash(sentence_of(token))
    return dash is not None and token.i < dash


_DATELINE_KEY = "eventfuse.dateline_dash"


def _dateline_dash(sent: Span) -> int | None:
    """The index of the dash closing the dateline that opens ``sent``, None when it opens with
    none; kept on the Doc per sentence (the actor rules ask per token)."""
    known: dict[int, int | None] = sent.doc.user_data.setdefault(_DATELINE_KEY, {})
    if sent.start not in known:
        known[sent.start] = _find_dateline_dash(sent)
    return known[sent.start]


def _find_dateline_dash(sent: Span) -> int | None:
    head = list(sent[:_DATELINE_MAX_TOKENS])
    # A free-standing dash: "NATO-led" or "al-Shabaab" are words, not datelines.
    dash = next((t for t in head if t.text in _DATELINE_DASHES and t.i > sent.start
                 and t.doc[t.i - 1].whitespace_), None)
    if dash is None:
        return None
    prefix = sent.doc[sent.start : dash.i]
    first = prefix[0]
    shouting = first.is_alpha and first.is_upper and len(first) > 2
    sourced = any(t.text == "(" for t in prefix)
    dated = (shouting or sourced) and not any(t.pos_ == "VERB" for t in prefix)
    return dash.i if dated else None


def _named_member_of(token: Token) -> Token | None:
    """The organization a generic role word belongs to ("members of Hamas", "fighters of the
    XYZ militia"): a named (ORG/NORP or all-capital) "of" object or its compound."""
    if token.pos_ != "NOUN" or _agent_type([token.text]) is None:
        return None
    for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"):
        for obj in (g for g in prep.children if g.dep_ == "pobj"):
            for name in (obj, *(c for c in obj.children if c.dep_ == "compound")):
                if name.ent_type_ in ("ORG", "NORP") or (name.is_upper and len(name.text) > 1):
                    return name
    return None


def _appositive_person(token: Token) -> Span | None:
    """"Pakistan's spy chief, Gen. Faiz Hameed": the person named in apposition."""
    for child in token.children:
        if child.dep_ == "appos" and child.ent_type_ == "PERSON":
            for ent in entities(token.doc):
                if ent.start <= child.i < ent.end:
                    return ent
    return None


def _descend_count(token: Token) -> Token:
    """"Hundreds of Afghans" -> "Afghans"; a bare count stays ("Dozens rallied")."""
    if token.lower_ in _COUNT_WORDS or token.like_num:
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                objects = [g for g in prep.children if g.dep_ == "pobj"]
                if objects:
                    return objects[0]
    return token


def _phrase(token: Token) -> Span:
    """The noun phrase up to its head: left modifiers, compounds, flat names; no clauses."""
    doc = token.doc
    start = token.i
    for left in reversed(list(token.lefts)):
        if left.dep_ in ("det", "predet") and left.lower_ in ("the", "a", "an"):
            continue
        if left.dep_ in ("compound", "amod", "poss", "nmod", "nummod", "quantmod", "det", "case"):
            start = min(start, left.left_edge.i)
    end = token.i + 1
    while end < len(doc) and doc[end].dep_ in ("flat", "compound") and doc[end].head.i < end:
        end += 1
    if start < token.i and doc[start].lower_ in ("the", "a", "an"):
        start += 1
    return doc[start:end]


def _normalize_span(span: Span, context: ActorContext) -> ActorInfo | None:
    """Prefer a named person or organization inside the phrase; else the phrase as a group."""
    dictionary = context.dictionary or get_actor_dictionary()
    agents = get_agents()
    if any(t.lower_ in agents.unidentified_modifiers for t in span):
        return ActorInfo(span.text, UNIDENTIFIED, "unknown", None)
    country = None
    for ent in span_entities(span):
        if ent.label_ == "PERSON" or (ent.label_ in _NAME_LABELS and ent.root == span.root):
            info = normalize_actor(ent.text, context)
            if info.type == "state" and ent.root != span.root:
                country = info.country
                continue
            if ent.label_ == "PERSON" and info.type is None:
                info = ActorInfo(info.name, strip_titles(info.canonical), "person", None)
            if info.type == "person" and info.country is None:
                country = country or _possessor_country(ent, dictionary)
                return ActorInfo(span.text, info.canonical, "person", country)
            if ent.root == span.root or info.type not in (None, "state"):
                return ActorInfo(span.text, info.canonical, info.type, info.country)
    info = normalize_actor(span.text, context)
    if info.type is None and span.root.pos_ != "PROPN" and span.root.ent_type_ == "":
        return None  # a common noun we cannot type ("rule", "areas") is no actor
    return info


def last_named_person(doc: Doc, before: int, context: ActorContext) -> Span | None:
    """The last person named before character ``before``, preferring grammatical subjects.

    Resolves "he"/"she" for actors and quote speakers; looks back at most three sentences.
    """
    candidates = [e for e in entities(doc) if e.end_char <= before and _is_person(e, context)]
    if not candidates:
        return None
    horizon = _sentence_start_back(doc, before, 3)
    recent = [e for e in candidates if e.start_char >= horizon] or candidates[-1:]
    subjects = [e for e in recent if e.root.dep_ in _SUBJECT_DEPS | _PASSIVE_SUBJECT_DEPS]
    return (subjects or recent)[-1]


def _sentence_start_back(doc: Doc, before: int, count: int) -> int:
    """Start of the ``count``-th last sentence starting at or before character ``before`` (0 when
    there are fewer). Walks back from the token at ``before``: iterating ``doc.sents`` for every
    pronoun was a tenth of extraction time (profiled in bench/)."""
    last = bisect.bisect_right(token_bounds(doc)[0], before) - 1
    if last < 0:
        return 0
    sent = sentence_of(doc[last])
    for _ in range(count - 1):
        if sent.start == 0:
            return 0
        sent = sentence_of(doc[sent.start - 1])
    return int(sent.start_char)


def _is_person(ent: Span, context: ActorContext) -> bool:
    if ent.label_ == "PERSON":
        return True
    return strip_titles(ent.text).lower() in context.person_aliases


def _pronoun_actor(token: Token, role: Role, context: ActorContext) -> Actor | None:
    if token.lower_ in ("it", "they") and token.dep_ in _SUBJECT_DEPS:
        # "the Taliban announced it had captured ...": the group that reports is the group.
        clause = token.head
        if clause.dep_ == "ccomp":
            for subject in clause.head.children:
                if subject.dep_ in _SUBJECT_DEPS and subject.pos_ != "PRON":
                    return _actor_for(subject, role, context)
        return None
    if token.lower_ not in get_agents().person_pronouns:
        return None
    person = last_named_person(token.doc, token.idx, context)
    if person is None:
        return None
    info = normalize_actor(person.text, context)
    evidence = Evidence(context.article_id, token.idx, token.idx + len(token), token.text)
    return ActorInfo(token.text, info.canonical, info.type or "person", info.country).as_actor(
        role, evidence
    )


# --- evaluation ---------------------------------------------------------------------------------


def actor_matches(predicted: str | None, gold_text: str | None, gold_code: str | None) -> bool:
    """Lenient actor match for evaluation: same canonical, same country code, or shared words."""
    if predicted is None:
        return gold_text is None and gold_code is None
    if gold_text is None and gold_code is None:
        return False
    pred = normalize_actor(predicted)
    if gold_text:
        gold = normalize_actor(gold_text)
        if pred.canonical.lower() == gold.canonical.lower():
            return True
        if _content_words(predicted) & _content_words(gold_text):
            return True
    code = (gold_code or "")[:3].upper()
    return bool(code) and pred.country == code


def _content_words(text: str) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)}
    return {_singular(w) for w in words if w not in _FUNCTION_WORDS and len(w) > 2}

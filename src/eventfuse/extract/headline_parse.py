"""Each headline parsed once, with the full pipeline, and shared: salience reads its lemmas and
the victim count its statements (they parsed it twice, once per article: 14% of the rules' time
on gva-dev, bench/hotspots.py). A batch's headlines go through one ``nlp.pipe`` call
(``extract/workers.py``); a headline not fetched ahead is parsed alone, with the same result."""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

# Headline -> its parse; bounded: cleared when full (headlines repeat only within a run's batches).
_HEADLINES: dict[str, Doc] = {}
_CACHE_SIZE = 4096


def headline_docs(titles: Sequence[str]) -> dict[str, Doc]:
    """The parse of each title; the ones not parsed yet go through ``nlp.pipe`` together."""
    from eventfuse.nlp import get_nlp

    missing = list(dict.fromkeys(t for t in titles if t not in _HEADLINES))
    if missing:
        if len(_HEADLINES) + len(missing) > _CACHE_SIZE:
            _HEADLINES.clear()
        for title, doc in zip(missing, get_nlp().pipe(missing), strict=True):
            _HEADLINES[title] = doc
    return {t: _HEADLINES[t] for t in titles}


def headline_doc(title: str) -> Doc:
    return headline_docs([title])[title]


def headline_lemmas(title: str) -> frozenset[str]:
    """The lower-case lemmas of the title's alphabetic words."""
    return frozenset(t.lemma_.lower() for t in headline_doc(title) if t.is_alpha)

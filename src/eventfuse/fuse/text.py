"""Lexical similarity: content-word TF-IDF vectors and their cosine, no model download needed."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from spacy.lang.en.stop_words import STOP_WORDS

Vector = Mapping[str, float]

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


# A word as written -> its content form, or "" for a stop word: a fusion reads every article of
# its scope (twice: story profiles and similarities), and the same few thousand words recur.
_CONTENT_FORMS: dict[str, str] = {}
_CONTENT_FORMS_MAX = 500_000  # cleared when full: a server's vocabulary grows without end


def content_words(text: str) -> list[str]:
    """Lower-cased words that carry content (stop words and numbers dropped)."""
    forms = _CONTENT_FORMS
    if len(forms) > _CONTENT_FORMS_MAX:
        forms.clear()
    words = _WORD.findall(text)
    try:  # mapped in C: most texts hold only words seen before
        return list(filter(None, map(forms.__getitem__, words)))
    except KeyError:
        for word in set(words).difference(forms):
            forms[word] = _content_form(word)
        return list(filter(None, map(forms.__getitem__, words)))


def _content_form(word: str) -> str:
    lower = word.lower().replace("’", "'")
    return _fold(lower) if lower not in STOP_WORDS and len(lower) > 1 else ""


def _fold(word: str) -> str:
    # A light plural fold so "airstrikes" meets "airstrike" without a lemmatizer.
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tfidf_vectors(texts: Sequence[str]) -> list[Vector]:
    """Unit-length TF-IDF vectors (smoothed idf over ``texts``), one per text, in order."""
    bags = [Counter(content_words(t)) for t in texts]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(bags)
    idf = {w: math.log((1 + n) / (1 + d)) + 1.0 for w, d in df.items()}
    return [_unit({w: (1 + math.log(c)) * idf[w] for w, c in bag.items()}) for bag in bags]


def _unit(vector: dict[str, float]) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {w: v / norm for w, v in vector.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(w, 0.0) for w, v in a.items())


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0

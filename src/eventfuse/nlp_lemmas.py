"""The model's rule lemmatizer, its answers remembered per (word, part of speech, morphology).

spaCy's rule lemmatizer caches only the lemmas it reaches by its suffix rules: a word it takes
as a base form (a singular noun, an infinitive, a positive adjective: most tokens of news) or a
proper noun is worked out again at every occurrence, reading the token's morphology as a dict
each time. Its answer depends on the token's text, part of speech and morphology alone
(``Lemmatizer.rule_lemmatize``, ``EnglishLemmatizer.is_base_form``), so it is asked once per
distinct (orth, pos, morph) key and the lemma set from memory after that: the same lemmas,
token for token (tests/test_nlp_lemmas.py compares them on gva-dev texts).
"""

# No `from __future__ import annotations`: spaCy reads the factory's annotations at run time.
from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

NAME = "eventfuse_lemma_memo"
# Distinct keys kept: news vocabulary keeps adding words, memory must not grow without bound.
_KEYS_KEPT = 200_000


class MemoizedLemmatizer:
    """Runs a rule-mode :class:`Lemmatizer`, asking it once per (orth, pos, morph) key."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self._lemmas: dict[tuple[int, int, int], int] = {}

    @property
    def lookups(self) -> Any:
        """The wrapped lemmatizer's tables (the first pass reads them)."""
        return self.lemmatizer.lookups

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer = self.lemmatizer
        if not lemmatizer._validated:  # its first Doc checks its tables, as its own call does
            return lemmatizer(doc)
        strings, lemmas, overwrite = doc.vocab.strings, self._lemmas, lemmatizer.overwrite
        for token in doc:
            if overwrite or token.lemma == 0:  # a lemma the attribute ruler set stays
                key = (token.orth, token.pos, token.morph.key)  # type: ignore[attr-defined]
                lemma = lemmas.get(key)
                if lemma is None:
                    lemma = strings.add(lemmatizer.lemmatize(token)[0])
                    if len(lemmas) >= _KEYS_KEPT:
                        lemmas.clear()
                    lemmas[key] = lemma
                token.lemma = lemma
        return doc


@Language.factory(NAME)
def make_memoized_lemmatizer(nlp: Language, name: str) -> MemoizedLemmatizer:
    """Built from the pipeline's ``lemmatizer``, which must be there."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, Lemmatizer)
    return MemoizedLemmatizer(lemmatizer)


def with_memoized_lemmas(nlp: Language) -> Language:
    """The pipeline with its rule lemmatizer asked once per key, under the same name."""
    if "lemmatizer" not in nlp.pipe_names:
        return nlp
    lemmatizer = nlp.get_pipe("lemmatizer")
    if not isinstance(lemmatizer, Lemmatizer) or lemmatizer.mode != "rule":
        return nlp
    nlp.add_pipe(NAME, after="lemmatizer")
    nlp.remove_pipe("lemmatizer")
    nlp.rename_pipe(NAME, "lemmatizer")
    return nlp


__all__: Sequence[str] = ("NAME", "MemoizedLemmatizer", "with_memoized_lemmas")

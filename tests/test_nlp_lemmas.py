"""The memoized lemmatizer gives the model's own lemmatizer's lemmas, token for token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from eventfuse.nlp import MODEL, get_nlp
from eventfuse.nlp_lemmas import MemoizedLemmatizer, with_memoized_lemmas

GVA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gva-dev" / "articles.jsonl"

WRITTEN = [
    "Y'all gonna see it: there's a man who ain't leaving, and let's say he gets paid.",
    "The Smiths' dogs were barking; the better runners ran faster than the best ones ran.",
    "Police said the suspect, 24, was shot while fleeing; no one else was hurt. Police said so.",
    "",
    "   ",
]


def _lemmas(nlp: spacy.Language, texts: list[str]) -> list[list[tuple[str, str, str]]]:
    return [[(t.text, t.pos_, t.lemma_) for t in doc] for doc in nlp.pipe(texts)]


@pytest.fixture(scope="module")
def models() -> tuple[spacy.Language, spacy.Language]:
    return spacy.load(MODEL), with_memoized_lemmas(spacy.load(MODEL))


def test_the_shared_pipeline_remembers_lemmas() -> None:
    nlp = get_nlp()
    assert isinstance(nlp.get_pipe("lemmatizer"), MemoizedLemmatizer)
    assert nlp.get_pipe("lemmatizer").lookups.get_table("lemma_rules")  # the first pass reads


def test_same_lemmas_on_written_text(models: tuple[spacy.Language, spacy.Language]) -> None:
    spacy_lemmas, memoized = models
    # twice: the second pass is answered from memory
    assert _lemmas(memoized, WRITTEN * 2) == _lemmas(spacy_lemmas, WRITTEN * 2)
    assert memoized.get_pipe("lemmatizer")._lemmas  # it remembered


@pytest.mark.skipif(not GVA.exists(), reason="../shared/data not beside the checkout")
def test_same_lemmas_on_real_news(models: tuple[spacy.Language, spacy.Language]) -> None:
    spacy_lemmas, memoized = models
    with GVA.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line, _ in zip(lines, range(120), strict=False)]
    assert _lemmas(memoized, texts) == _lemmas(spacy_lemmas, texts)

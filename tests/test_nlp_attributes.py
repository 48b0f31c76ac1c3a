"""The indexed attribute ruler gives the model's own ruler's annotations, token for token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from eventfuse.nlp import MODEL, get_nlp
from eventfuse.nlp_attributes import NAME, with_indexed_attributes

GVA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gva-dev" / "articles.jsonl"

WRITTEN = [
    "Y'all gonna see it: there's a man who ain't leaving, and let's say he gets paid.",
    "C'mon, that was something else!  The crowd, which gathered at 9 a.m., got louder.",
    "Police said the suspect, 24, was shot while fleeing; no one else was hurt.",
    "",
    "   ",
]


def _annotations(nlp: spacy.Language, texts: list[str], **kwargs: object) -> list[list[tuple]]:
    return [[(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]
            for doc in nlp.pipe(texts, **kwargs)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def models() -> tuple[spacy.Language, spacy.Language]:
    return spacy.load(MODEL), with_indexed_attributes(spacy.load(MODEL))


def test_the_shared_pipeline_runs_the_look_up() -> None:
    assert NAME in get_nlp().pipe_names
    assert "attribute_ruler" not in get_nlp().pipe_names


def test_same_annotations_on_written_text(models: tuple[spacy.Language, spacy.Language]) -> None:
    spacy_ruler, indexed = models
    assert _annotations(indexed, WRITTEN) == _annotations(spacy_ruler, WRITTEN)
    # the two-token patterns fire on these sentences: their lemmas come from the ruler
    lemmas = [t.lemma_ for t in indexed(WRITTEN[0])]
    assert "be" in lemmas and "go" in lemmas


def test_same_annotations_without_parser(models: tuple[spacy.Language, spacy.Language]) -> None:
    spacy_ruler, indexed = models
    off = {"disable": ["parser", "ner"]}
    assert _annotations(indexed, WRITTEN, **off) == _annotations(spacy_ruler, WRITTEN, **off)


@pytest.mark.skipif(not GVA.exists(), reason="../shared/data not beside the checkout")
def test_same_annotations_on_real_news(models: tuple[spacy.Language, spacy.Language]) -> None:
    spacy_ruler, indexed = models
    with GVA.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line, _ in zip(lines, range(120), strict=False)]
    assert _annotations(indexed, texts) == _annotations(spacy_ruler, texts)


def test_first_token_index_tries_every_pattern_that_can_match() -> None:
    """The index's matches are the brute force's on every value a pattern names (and a word
    none names), for the single-token and the longer patterns."""
    from eventfuse.nlp_attributes import _FirstTokenIndex, _spec_holds

    ruler = get_nlp().get_pipe(NAME)
    for alternatives in (ruler.single, ruler.multi):
        index = _FirstTokenIndex(alternatives)
        firsts = [specs[0] for _, specs, _ in alternatives]
        lowers = {s["LOWER"] for s in firsts if isinstance(s.get("LOWER"), str)} | {"zyzzyva"}
        tags = {s["TAG"] for s in firsts if isinstance(s.get("TAG"), str)} | {"XX"}
        deps = {"ROOT", "aux", "neg", "nsubj", ""}
        for lower in lowers:
            for tag in tags:
                for dep in deps:
                    for space in (False, True):
                        values = {"TAG": tag, "LOWER": lower, "DEP": dep, "IS_SPACE": space}
                        brute = [k for k, s in enumerate(firsts) if _spec_holds(s, values)]
                        assert index.holding(values) == brute, values


def test_words_no_pattern_names_share_a_key() -> None:
    """The look-up keys every word no LOWER spec names alike; a REGEX on LOWER, which can
    tell any two words apart, keeps every word its own key."""
    from spacy.lang.en import English

    from eventfuse.nlp_attributes import IndexedAttributeRuler, named_lowers

    nlp = English()
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "howdy"}]], {"LEMMA": "hello"})
    ruler.add([[{"LOWER": {"IN": ["ya", "yall"]}}, {"TAG": "NN"}]], {"LEMMA": "you"})
    ruler.add([[{"LOWER": {"NOT_IN": ["ok"]}, "IS_SPACE": True}]], {"TAG": "_SP"})
    assert named_lowers(ruler) == {"howdy", "ya", "yall", "ok"}
    indexed = IndexedAttributeRuler(ruler)
    doc = indexed(nlp.make_doc("howdy see howdy walk ya ok"))
    assert [t.lemma_ for t in doc] == ["hello", "", "hello", "", "", ""]
    keys = {key[1] for key in indexed._by_key}
    assert nlp.vocab.strings["howdy"] in keys and nlp.vocab.strings["ok"] in keys
    assert nlp.vocab.strings["see"] not in keys and 0 in keys  # "see" and "walk": one key
    ruler.add([[{"LOWER": {"REGEX": "^wal"}}]], {"LEMMA": "stroll"})
    assert named_lowers(ruler) is None
    regex = IndexedAttributeRuler(ruler)
    assert [t.lemma_ for t in regex(nlp.make_doc("see walk"))] == ["", "stroll"]

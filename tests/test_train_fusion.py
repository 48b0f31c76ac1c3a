"""The pair model's trainer: its data hash and its cached feature rows."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from eventfuse.extract.embedding import DIMENSIONS
from eventfuse.fuse.config import load_config
from eventfuse.fuse.features import build_features
from eventfuse.fuse.learned import feature_vector
from eventfuse.fuse.match import feature_values
from eventfuse.fuse.metric import PairMetric
from eventfuse.records import Evidence, Mention

ROOT = Path(__file__).resolve().parents[1]


def trainer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_fusion", ROOT / "scripts/train_fusion.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_hash_follows_train_topics_only(tmp_path: Path) -> None:
    (tmp_path / "ECBplus_coreference_sentences.csv").write_text("Topic,File,Sentence\n")
    for topic in ("1", "2"):
        (tmp_path / topic).mkdir()
        (tmp_path / topic / f"{topic}_1ecb.xml").write_text("<Document/>")
    data_sha256 = trainer().data_sha256
    before = data_sha256(tmp_path, (1,))
    (tmp_path / "2" / "2_1ecb.xml").write_text("<Document>other</Document>")
    assert data_sha256(tmp_path, (1,)) == before  # a topic training does not read
    (tmp_path / "1" / "1_1ecb.xml").write_text("<Document>other</Document>")
    assert data_sha256(tmp_path, (1,)) != before
    (tmp_path / "1" / "1_1ecb.xml").write_text("<Document/>")
    assert data_sha256(tmp_path, (1,)) == before


def test_shipped_weights_name_their_data() -> None:
    raw = (ROOT / "src/eventfuse/data/fusion_weights.json").read_text(encoding="utf-8")
    entry = json.loads(raw)["models"]["ecbplus"]
    assert len(entry["training_data_sha256"]) == 64
    assert entry["format"] == 2 and entry["scorer"] in ("logistic", "logistic+crosses", "mlp")


def _mention(key: str, text: str, trigger: str, lemma: str) -> Mention:
    start = text.index(trigger)
    return Mention(
        id=f"m-{key}",
        article_id=key,
        type="ACTION",
        trigger=Evidence(key, start, start + len(trigger), trigger),
        sentence=Evidence(key, 0, len(text), text),
        trigger_lemmas=(lemma,),
    )


def test_matrix_fills_the_lemma_pair_columns_per_table() -> None:
    t = trainer()
    config = load_config("ecbplus", with_model=False)
    mentions = [
        _mention("a", "A strong quake shook Lorvik on Monday.", "quake", "quake"),
        _mention("b", "The temblor hit Lorvik on Monday.", "temblor", "temblor"),
        _mention("c", "Another quake was felt in Lorvik.", "quake", "quake"),
    ]
    features = build_features(mentions, {}, config, embed=False)
    pairs = [(0, 1), (0, 2), (1, 2)]
    values = [feature_values(features[i], features[j], config, 3) for i, j in pairs]
    keys = tuple(t.lemma_pair_keys(features[i], features[j]) for i, j in pairs)
    topic = _topic(t, features, pairs, values, keys)
    table = {"quake|temblor": (3, 4)}
    expected = t._rows(features, pairs, values, table)
    assert (t.matrix(topic, table) == expected).all()
    assert t.matrix(topic, table)[0, t.LEMMA_PAIR] == (3 + 1) / (4 + 2)
    assert t.matrix(topic, {})[0, t.LEMMA_PAIR_SEEN] == 0.0


def _topic(t: ModuleType, features, pairs, values, keys):  # type: ignore[no-untyped-def]
    return t.Topic(
        None,
        features,
        tuple(pairs),
        (),
        tuple(values),
        keys,
        None,
        {},
        t._rows(features, pairs, values, {}),
        np.array([i for i, _ in pairs], dtype=np.intp),
        np.array([j for _, j in pairs], dtype=np.intp),
        *t._vectors(features),
    )


def test_matrix_fills_the_metric_column_as_the_scorer_reads_it() -> None:
    t = trainer()
    config = load_config("ecbplus", with_model=False)
    mentions = [
        _mention("a", "A strong quake shook Lorvik on Monday.", "quake", "quake"),
        _mention("b", "The temblor hit Lorvik on Monday.", "temblor", "temblor"),
        _mention("c", "Another quake was felt in Lorvik.", "quake", "quake"),
    ]
    plain = build_features(mentions, {}, config, embed=False)
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(3, DIMENSIONS)).astype(np.float32)
    features = [
        dataclasses.replace(f, trigger_embedding=v, sentence_embedding=v)
        for f, v in zip(plain, vectors, strict=True)
    ]
    features[2] = dataclasses.replace(features[2], trigger_embedding=None)  # no trigger vector
    pairs = [(0, 1), (0, 2), (1, 2)]
    values = [feature_values(features[i], features[j], config, 3) for i, j in pairs]
    keys = tuple(t.lemma_pair_keys(features[i], features[j]) for i, j in pairs)
    topic = _topic(t, features, pairs, values, keys)
    metric = PairMetric(rng.normal(size=(DIMENSIONS, 4)) * 0.1, np.ones(4), -0.5)
    x = t.matrix(topic, {}, metric, 0.25)
    for row, (i, j) in enumerate(pairs):
        scored = feature_vector(
            values[row], features[i], features[j], {}, {"trigger_metric": 0.25}, metric
        )
        assert x[row, t.METRIC] == pytest.approx(scored[t.METRIC])
    assert x[1, t.METRIC] == x[2, t.METRIC] == 0.25  # the default where a vector is missing
    assert 0.0 < x[0, t.METRIC] < 1.0 and x[0, t.METRIC] != 0.25
    assert (t.matrix(topic, {})[:, t.METRIC] == 0.0).all()  # no metric: the column is 0


def test_the_default_scorer_is_the_logistic_fit_and_crosses_add_columns() -> None:
    t = trainer()
    rng = np.random.default_rng(4)
    x = rng.uniform(size=(300, len(t.FEATURES)))
    y = (x[:, 0] * x[:, 8] + 0.1 * rng.normal(size=300) > 0.3).astype(float)
    weights, bias, crosses, layer = t.fit_scorer(x, y, t.SCORER)
    plain = t.fit(x, y)
    assert (weights == plain[0]).all() and bias == plain[1] and crosses == () and layer is None
    settings = t.ScorerSettings(crosses=t.parse_crosses("same_lemma*time"))
    weights, _, crosses, layer = t.fit_scorer(x, y, settings)
    assert len(weights) == len(t.FEATURES) and layer is None
    assert [c[:2] for c in crosses] == [("same_lemma", "time")] and crosses[0][2] > 0
    with pytest.raises(SystemExit):
        t.parse_crosses("same_lemma*nope")
    weights, _, crosses, layer = t.fit_scorer(x, y, t.ScorerSettings(units=4, max_iter=30))
    assert layer is not None and layer.weights.shape == (4, len(t.FEATURES)) and crosses == ()


def test_out_of_fold_encoder_vectors_are_read_by_mention_id(tmp_path: Path) -> None:
    """--coref-oof (scripts/train_encoder.py's file): one vector per train mention; without it
    no mention has one (the coref_embedding column stays 0); a missing file stops training."""
    module = trainer()
    path = tmp_path / "oof.npz"
    vectors = np.eye(2, DIMENSIONS, dtype=np.float16)
    np.savez_compressed(path, ids=np.array(["t1-a#1", "t1-b#2"]), vectors=vectors)
    oof = module.read_oof(path)
    assert set(oof) == {"t1-a#1", "t1-b#2"} and oof["t1-b#2"].dtype == np.float32
    assert float(oof["t1-a#1"] @ oof["t1-b#2"]) == 0.0
    assert module.read_oof(None) == {}
    with pytest.raises(SystemExit, match="make train-encoder"):
        module.read_oof(tmp_path / "none.npz")

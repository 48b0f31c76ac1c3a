"""The pair model's hidden layer and feature crosses: fitted, scored and stored."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from eventfuse.fuse.hidden import HiddenLayer, fit_hidden, hidden_from_dict, hidden_to_dict
from eventfuse.fuse.learned import FEATURES, PairModel, model_from_dict, model_to_dict


def xor_rows(n: int = 400, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two binary features whose label is their exclusive or: no linear form separates them."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n, 2)).astype(float)
    noise = rng.normal(0.0, 0.05, size=(n, 2))
    return bits + noise, (bits[:, 0] != bits[:, 1]).astype(float)


def accuracy(weights: np.ndarray, bias: float, layer: HiddenLayer, x, y) -> float:  # type: ignore[no-untyped-def]
    z = x @ weights + bias + layer.logits(x)
    return float(((z > 0) == (y > 0)).mean())


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_hidden_layer_learns_an_interaction_the_linear_part_cannot(activation: str) -> None:
    x, y = xor_rows()
    weights, bias, layer = fit_hidden(x, y, 8, 1.0, 1e-4, activation, max_iter=300)
    assert accuracy(weights, bias, layer, x, y) > 0.97
    # Strong L2 on the layer leaves the linear part alone: about chance on the same rows.
    weights, bias, layer = fit_hidden(x, y, 8, 1.0, 1e3, activation, max_iter=300)
    assert np.abs(layer.out).max() < 1e-3
    assert accuracy(weights, bias, layer, x, y) < 0.8


def test_the_fit_is_deterministic_and_standardises_constant_columns() -> None:
    x, y = xor_rows()
    x = np.column_stack([x, np.ones(len(x))])  # a constant column: scale 1, not a division by 0
    first = fit_hidden(x, y, 4, 1.0, 1e-3, max_iter=50)
    second = fit_hidden(x, y, 4, 1.0, 1e-3, max_iter=50)
    assert first[2] == second[2] and (first[0] == second[0]).all()
    assert first[2].scale[2] == 1.0 and np.isfinite(first[2].logits(x)).all()
    with pytest.raises(ValueError, match="activation"):
        fit_hidden(x, y, 4, 1.0, 1e-3, "sigmoid")


def _layer(units: int = 3, seed: int = 2) -> HiddenLayer:
    rng = np.random.default_rng(seed)
    n = len(FEATURES)
    return HiddenLayer(
        rng.normal(size=n),
        rng.uniform(0.5, 2.0, n),
        rng.normal(size=(units, n)),
        rng.normal(size=units),
        rng.normal(size=units),
    )


def _model(**changes: object) -> PairModel:
    # Weights of both signs: the logits stay moderate (not saturated at 1) however many
    # features there are, so a hidden layer's change shows in the probabilities.
    weights = tuple((k % 5 - 2) / 4 for k in range(len(FEATURES)))
    base = PairModel(weights, -0.4, 0.6, "synthetic")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_model_with_a_hidden_layer_scores_one_pair_as_a_whole_topic() -> None:
    model = _model(hidden=_layer())
    rows = np.random.default_rng(5).uniform(size=(6, len(FEATURES)))
    many = model.probabilities(rows)
    one = [model.probability(list(r)) for r in rows]
    assert many == pytest.approx(one, abs=1e-12)
    plain = _model()
    assert not np.allclose(many, plain.probabilities(rows))  # the layer moves the scores
    assert plain.probabilities(rows) == pytest.approx([plain.probability(list(r)) for r in rows])


def test_crosses_add_the_product_of_two_features() -> None:
    model = _model(crosses=(("same_lemma", "time", 1.5),))
    plain = _model()
    values = [0.0] * len(FEATURES)
    values[FEATURES.index("same_lemma")], values[FEATURES.index("time")] = 1.0, 0.8
    logit = np.log(model.probability(values) / (1 - model.probability(values)))
    plain_logit = np.log(plain.probability(values) / (1 - plain.probability(values)))
    assert logit - plain_logit == pytest.approx(1.5 * 0.8)
    assert model.scorer == "logistic+crosses" and plain.scorer == "logistic"


def test_the_data_file_records_the_scorer_and_its_layer() -> None:
    model = _model(hidden=_layer())
    entry = model_to_dict(model)
    assert entry["format"] == 2 and entry["scorer"] == "mlp"
    assert model_from_dict(entry) == model
    crossed = _model(crosses=(("same_story", "lexical", -0.5),))
    assert model_from_dict(model_to_dict(crossed)) == crossed
    with pytest.raises(ValueError, match="scorer"):
        model_from_dict({**entry, "scorer": "logistic"})
    with pytest.raises(ValueError, match="newer"):
        model_from_dict({**entry, "format": 3})
    with pytest.raises(ValueError, match="a cross is"):
        model_from_dict({**model_to_dict(crossed), "crosses": [["same_story", 1.0]]})
    with pytest.raises(ValueError, match="unknown features"):
        model_from_dict({**model_to_dict(crossed), "crosses": [["same_story", "nope", 1.0]]})
    old = {k: v for k, v in model_to_dict(_model()).items() if k not in ("format", "scorer")}
    assert model_from_dict(old) == _model()  # format 1: a logistic model without the keys


def test_a_stored_layer_must_read_the_model_features() -> None:
    entry = hidden_to_dict(_layer())
    assert hidden_from_dict(entry, len(FEATURES)) == _layer()
    with pytest.raises(ValueError, match="does not read"):
        hidden_from_dict(entry, len(FEATURES) - 1)
    with pytest.raises(ValueError, match="activation"):
        hidden_from_dict({**entry, "activation": "sigmoid"}, len(FEATURES))

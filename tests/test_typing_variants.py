"""bench/typing_variants.py: the views around the trigger and the weighted head it measures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from eventfuse.train.typing import _logistic

VARIANTS_PY = Path(__file__).resolve().parents[1] / "bench" / "typing_variants.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_typing_variants", VARIANTS_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_trigger_views_keep_the_happening_not_who_reports_it() -> None:
    views = _bench().trigger_views(
        [
            "The mayor said on Monday that the rebels shelled two villages near the river.",
            "Blue skies are expected over the valley.",
        ]
    )
    assert views["predicate"][0] == "shelled two villages near the river"
    assert "said" not in views["subtree"][0]
    assert views["w3"][0].split()[3] == "shelled"
    # no trigger: every view is the whole sentence
    assert {v[1] for v in views.values()} == {"Blue skies are expected over the valley."}


def test_fit_weighted_equals_the_training_script_with_equal_weights() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 5))
    tied = rng.integers(0, 2, size=(2, 40, 3)).astype(float)
    labels = rng.integers(0, 3, size=40)
    w, a = _bench().fit_weighted(x, tied, labels, np.ones(40), 10.0, 3)
    w0, a0 = _logistic(x, tied, labels, 3, 10.0, 5)
    assert np.allclose(w, w0, atol=1e-3) and np.allclose(a, a0, atol=1e-3)


def test_class_balance_weights_lift_a_rare_class() -> None:
    bench = _bench()
    # one feature: a rare class (4 of 40) among the common one's upper values
    x = np.concatenate([np.linspace(-1, 1, 36), [0.2, 0.6, 1.0, 0.8]])[:, None]
    labels = np.array([0] * 36 + [1] * 4)
    with_bias = np.hstack([x, np.ones((40, 1))])
    tied = np.zeros((0, 40, 2))
    balanced = np.where(labels == 1, 9.0, 1.0)  # each class weighs the same
    w_plain, _ = bench.fit_weighted(with_bias, tied, labels, np.ones(40), 0.0, 2)
    w_bal, _ = bench.fit_weighted(with_bias, tied, labels, balanced, 0.0, 2)
    top = np.array([[1.0, 1.0]])
    assert (top @ w_plain).argmax() == 0
    assert (top @ w_bal).argmax() == 1


def test_knn_votes_share_of_the_nearest_and_never_itself() -> None:
    pool = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 1])
    votes = _bench().knn_votes(pool, pool, labels, 2, 2, own=True)
    # row 0's two nearest others: row 1 (class 0) and row 3 (class 1)
    assert votes.shape == (1, 4, 2)
    assert np.allclose(votes[0, 0], [0.5, 0.5])
    outside = _bench().knn_votes(pool[:1], pool, labels, 2, 2, own=False)
    assert np.allclose(outside[0, 0], [1.0, 0.0])

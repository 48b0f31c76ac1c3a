"""The trigger vectors' learned metric (fuse/metric.py): it learns, it round-trips, it scores."""

from __future__ import annotations

import numpy as np
import pytest

from eventfuse.fuse.learned import load_model, model_from_dict, model_to_dict
from eventfuse.fuse.metric import PairMetric, fit_metric, metric_from_dict, metric_to_dict


def _synthetic(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors of four "happenings" that differ only in two of twelve dimensions, the
    rest noise that the plain cosine weighs alike: pairs corefer when their happening is one."""
    rng = np.random.default_rng(seed)
    happening = rng.integers(0, 4, 200)
    centres = np.zeros((4, 12))
    centres[np.arange(4), [0, 0, 1, 1]] = 1.0
    centres[np.arange(4), [2, 3, 2, 3]] = 1.0
    vectors = 0.45 * centres[happening] + rng.normal(0.0, 0.2, (200, 12))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    left, right = rng.integers(0, 200, 3000), rng.integers(0, 200, 3000)
    y = (happening[left] == happening[right]).astype(float)
    return vectors, left, right, y


def _accuracy(scores: np.ndarray, y: np.ndarray) -> float:
    """Balanced accuracy at the best cut of ``scores``."""
    cuts = np.quantile(scores, np.linspace(0.05, 0.95, 19))
    return max(
        0.5 * (((scores >= c) & (y > 0)).sum() / (y > 0).sum())
        + 0.5 * (((scores < c) & (y == 0)).sum() / (y == 0).sum())
        for c in cuts
    )


def test_the_metric_learns_which_directions_tell_happenings_apart() -> None:
    vectors, left, right, y = _synthetic(0)
    metric = fit_metric(vectors, left, right, y, rank=4, l2=1e-4)
    test, tl, tr, ty = _synthetic(1)  # other vectors and pairs of the same kind
    learned = _accuracy(metric.logits(test[tl], test[tr]), ty)
    cosine = _accuracy((test[tl] * test[tr]).sum(axis=1), ty)
    assert learned > 0.8 and learned > cosine + 0.05, (learned, cosine)


def test_one_pair_scores_as_its_row_in_a_batch_and_the_file_keeps_it() -> None:
    vectors, left, right, y = _synthetic(0)
    metric = fit_metric(vectors, left, right, y, rank=2, l2=1e-3, max_iter=50)
    batch = metric.logits(vectors[left[:5]], vectors[right[:5]])
    one = metric.probability(vectors[left[0]], vectors[right[0]])
    assert one == pytest.approx(1.0 / (1.0 + np.exp(-batch[0])))
    again = metric_from_dict(metric_to_dict(metric))
    assert np.allclose(
        again.logits(vectors[left], vectors[right]),
        metric.logits(vectors[left], vectors[right]),
        atol=1e-4,
    )
    assert fit_metric(vectors, left, right, y, rank=2, l2=1e-3, max_iter=50) == metric


def test_a_pair_model_carries_its_metric_through_the_data_file() -> None:
    metric = PairMetric(np.full((3, 2), 0.5), np.array([1.0, -1.0]), 0.25)
    model = load_model("ecbplus")
    with_metric = model_from_dict({**model_to_dict(model), "metric": metric_to_dict(metric)})
    assert with_metric.metric == metric
    without = model_from_dict({k: v for k, v in model_to_dict(model).items() if k != "metric"})
    assert without.metric is None


def test_an_anchored_metric_under_strong_l2_falls_back_to_the_cosine() -> None:
    """L2 on the correction only: pulled hard, the anchored metric is a scaled cosine (it ranks
    pairs as the cosine does), where the plain low-rank form is pulled to a constant."""
    vectors, left, right, y = _synthetic(0)
    anchored = fit_metric(vectors, left, right, y, rank=2, l2=10.0, max_iter=100, anchored=True)
    assert anchored.cosine > 1.0
    assert np.abs(anchored.scales).max() < 0.05
    cosine = (vectors[left] * vectors[right]).sum(axis=1)
    logits = anchored.logits(vectors[left], vectors[right])
    assert np.corrcoef(logits, cosine)[0, 1] > 0.99
    plain = fit_metric(vectors, left, right, y, rank=2, l2=10.0, max_iter=100)
    assert plain.cosine == 0.0
    assert np.ptp(plain.logits(vectors[left], vectors[right])) < 0.1
    again = metric_from_dict(metric_to_dict(anchored))
    assert again.cosine == pytest.approx(anchored.cosine, abs=1e-6)

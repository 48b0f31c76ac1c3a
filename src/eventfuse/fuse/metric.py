"""A learned similarity of two mentions' trigger-in-context vectors (issue 15 part 3).

The pair model reads the plain cosine of the two MiniLM trigger vectors, which weighs every
direction of the frozen vectors alike. Most links it misses join one happening named by other
words, so a metric learned from the vectors themselves is fitted on training pairs: a low-rank
symmetric bilinear form

    logit(a, b) = bias + cosine * cos(a, b) + sum_k scale_k (u_k . a) (u_k . b)

(rank ``r``: ``r`` projections ``u_k`` of the 384 dimensions, each with a signed scale), by
class-balanced logistic loss with L2 on the projections and scales only. The cosine term
(``anchored``; else its weight stays 0) lets L2 pull the metric toward the plain cosine rather
than toward a constant, so it cannot drop directions the training topics did not need. Its
probability is one feature of the pair model; the trainer fits it with folds inside training, so
the pair model weighs it on pairs it did not see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.sparse import csr_matrix

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class PairMetric:
    projection: Array  # (dimensions, rank)
    scales: Array  # (rank,)
    bias: float
    # The mention vectors it reads, joined in this order (fuse/features.py: MentionFeatures).
    inputs: tuple[str, ...] = ("trigger_embedding",)
    cosine: float = 0.0  # weight of the plain cosine (0: the low-rank form alone)

    def logits(self, a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]]) -> Array:
        """One logit per row pair of ``a`` and ``b`` (each (pairs, dimensions) or one vector)."""
        za = np.asarray(a, dtype=np.float64) @ self.projection
        zb = np.asarray(b, dtype=np.float64) @ self.projection
        out: Array = self.bias + (za * zb) @ self.scales
        if self.cosine:
            out = out + self.cosine * _cosines(a, b)
        return out

    def probability(self, a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]]) -> float:
        z = float(self.logits(a, b))
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0))))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PairMetric)
            and self.bias == other.bias
            and self.cosine == other.cosine
            and self.inputs == other.inputs
            and np.array_equal(self.projection, other.projection)
            and np.array_equal(self.scales, other.scales)
        )

    def __hash__(self) -> int:
        return hash((self.bias, self.projection.shape))


def _cosines(a: NDArray[np.floating[Any]], b: NDArray[np.floating[Any]]) -> Array:
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a64, axis=-1) * np.linalg.norm(b64, axis=-1)
    out: Array = np.sum(a64 * b64, axis=-1) / np.maximum(norms, 1e-12)
    return out


def fit_metric(
    vectors: NDArray[np.floating[Any]],
    left: NDArray[np.intp],
    right: NDArray[np.intp],
    y: NDArray[np.float64],
    rank: int,
    l2: float,
    max_iter: int = 200,
    seed: int = 0,
    inputs: tuple[str, ...] = ("trigger_embedding",),
    anchored: bool = False,
) -> PairMetric:
    """The metric over ``vectors`` (one row per mention) fitted on the pairs (``left[p]``,
    ``right[p]``) with labels ``y``; positives weighted to balance the classes, as the pair
    model is. Deterministic for a given seed (the start is random: a zero start has no
    gradient). ``anchored``: the cosine's weight is fitted too, without L2."""
    e = np.asarray(vectors, dtype=np.float64)
    n, d = e.shape
    unit = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
    cos = np.sum(unit[left] * unit[right], axis=1) if anchored else np.zeros(len(y))
    positive = max(float(y.sum()), 1.0)
    weight = np.where(y > 0, (len(y) - positive) / positive, 1.0) / len(y)
    start = np.random.default_rng(seed).normal(0.0, 0.1, d * rank)
    # theta: projection, scales, then the unpenalised cosine weight and bias.
    theta0 = np.concatenate([start, np.ones(rank), [0.0, 0.0]])
    fixed = slice(0, len(theta0) - 2)

    def unpack(theta: Array) -> tuple[Array, Array, float, float]:
        u = theta[: d * rank].reshape(d, rank)
        return u, theta[d * rank : -2], float(theta[-2]), float(theta[-1])

    def loss(theta: Array) -> tuple[float, Array]:
        u, scales, weight_cos, bias = unpack(theta)
        z = e @ u
        za, zb = z[left], z[right]
        logit = bias + weight_cos * cos + (za * zb) @ scales
        p = 1.0 / (1.0 + np.exp(-np.clip(logit, -40, 40)))
        eps = 1e-12
        value = -np.sum(weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        g = weight * (p - y)  # d loss / d logit
        grad_scales = (za * zb).T @ g
        s = csr_matrix((g, (left, right)), shape=(n, n))
        grad_z = ((s @ z) + (s.T @ z)) * scales
        grad_u = e.T @ grad_z
        value += 0.5 * l2 * float(theta[fixed] @ theta[fixed])
        grad = np.concatenate([grad_u.ravel(), grad_scales, [g @ cos, g.sum()]])
        grad[fixed] += l2 * theta[fixed]
        return float(value), grad

    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    u, scales, weight_cos, bias = unpack(result.x)
    return PairMetric(u.copy(), scales.copy(), bias, inputs, weight_cos)


def metric_input(mention: object, inputs: Sequence[str]) -> NDArray[np.float32] | None:
    """The vector ``inputs`` name for a mention's features (None when one is missing)."""
    parts = [getattr(mention, name) for name in inputs]
    if any(p is None for p in parts):
        return None
    joined: NDArray[np.float32] = np.concatenate(parts)
    return joined


def metric_to_dict(metric: PairMetric) -> dict[str, object]:
    """One string of numbers per input dimension: the data file stays one line per row."""
    return {
        "inputs": list(metric.inputs),
        "bias": round(metric.bias, 6),
        "cosine": round(metric.cosine, 6),
        "scales": [round(float(s), 6) for s in metric.scales],
        "projection": [" ".join(f"{v:.7g}" for v in row) for row in metric.projection],
    }


def metric_from_dict(entry: Mapping[str, object]) -> PairMetric:
    rows: Sequence[str] = entry["projection"]  # type: ignore[assignment]
    projection = np.array([[float(v) for v in row.split()] for row in rows], dtype=np.float64)
    scales = np.array(entry["scales"], dtype=np.float64)
    if projection.ndim != 2 or projection.shape[1] != len(scales):
        raise ValueError(f"metric projection {projection.shape} and {len(scales)} scales")
    inputs = tuple(str(n) for n in entry.get("inputs", ["trigger_embedding"]))  # type: ignore[attr-defined]
    cosine = float(entry.get("cosine", 0.0))  # type: ignore[arg-type]
    return PairMetric(projection, scales, float(entry["bias"]), inputs, cosine)  # type: ignore[arg-type]

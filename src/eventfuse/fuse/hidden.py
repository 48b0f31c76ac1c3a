"""A hidden layer beside the pair model's logistic weights (issue 15 part 3).

The pair model is a logistic regression over ~20 pair features, and each linear feature added
to it moved the train-topic CV by at most 0.002: the linear form looks saturated. A small
one-hidden-layer network over the same rows can weigh a feature by another (the same trigger
word counts for more when the time and place agree, less across two stories) without a hand
product per pair of features. It is added to the linear part rather than replacing it:

    logit(x) = bias + w . x + sum_k out_k act(weights_k . (x - mean) / scale + biases_k)

so strong L2 on the hidden weights gives back the logistic model, not a constant. Fitted by
class-balanced logistic loss (as the logistic model is) with scipy's L-BFGS, NumPy only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

Array = NDArray[np.float64]
ACTIVATIONS = ("tanh", "relu")


@dataclass(frozen=True, slots=True, eq=False)
class HiddenLayer:
    mean: Array  # (features,): the training rows' mean, subtracted before the weights
    scale: Array  # (features,): their standard deviation (1 where a column is constant)
    weights: Array  # (units, features)
    biases: Array  # (units,)
    out: Array  # (units,): each unit's weight in the logit
    activation: str = "tanh"

    def logits(self, x: NDArray[np.floating[Any]]) -> Array:
        """The layer's part of the logit for each row of ``x`` (or one row)."""
        pre = self._pre(x)
        out: Array = _activate(pre, self.activation) @ self.out
        return out

    def _pre(self, x: NDArray[np.floating[Any]]) -> Array:
        standard = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        pre: Array = standard @ self.weights.T + self.biases
        return pre

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, HiddenLayer)
            and self.activation == other.activation
            and all(
                np.array_equal(a, b) for a, b in zip(self._arrays(), other._arrays(), strict=True)
            )
        )

    def __hash__(self) -> int:
        return hash((self.activation, self.weights.shape))

    def _arrays(self) -> tuple[Array, ...]:
        return (self.mean, self.scale, self.weights, self.biases, self.out)


def _activate(pre: Array, activation: str) -> Array:
    if activation == "tanh":
        return np.tanh(pre)
    if activation == "relu":
        return np.maximum(pre, 0.0)
    raise ValueError(f"unknown activation {activation!r} (one of {ACTIVATIONS})")


def _slope(pre: Array, h: Array, activation: str) -> Array:
    """d act / d pre, from the pre-activation and the activation's value."""
    if activation == "tanh":
        return 1.0 - h * h
    return (pre > 0.0).astype(np.float64)


def fit_hidden(
    x: NDArray[np.floating[Any]],
    y: NDArray[np.float64],
    units: int,
    l2: float,
    l2_hidden: float,
    activation: str = "tanh",
    max_iter: int = 500,
    seed: int = 0,
) -> tuple[Array, float, HiddenLayer]:
    """Linear weights, bias and a hidden layer fitted together on the rows ``x`` with labels
    ``y``; positives weighted to balance the classes. ``l2`` is the linear weights' penalty as
    the trainer's logistic fit applies it (summed loss + l2/2 |w|², over the row count);
    ``l2_hidden`` the hidden weights' and output weights' penalty per row. Deterministic for a
    given seed (the start is random: a zero start has no gradient through the layer)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r} (one of {ACTIVATIONS})")
    xx = np.asarray(x, dtype=np.float64)
    n, d = xx.shape
    mean = xx.mean(axis=0)
    scale = xx.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    standard = (xx - mean) / scale
    positive = max(float(y.sum()), 1.0)
    weight = np.where(y > 0, (n - positive) / positive, 1.0)
    rng = np.random.default_rng(seed)
    # theta: linear weights (d), bias, hidden weights (units x d), hidden biases, output weights.
    theta0 = np.concatenate(
        [
            np.zeros(d + 1),
            rng.normal(0.0, 1.0 / np.sqrt(d), units * d),
            np.zeros(units),
            rng.normal(0.0, 0.1, units),
        ]
    )
    hidden = np.zeros(len(theta0), dtype=bool)
    hidden[d + 1 :] = True
    hidden[d + 1 + units * d : d + 1 + units * d + units] = False  # unit biases: no penalty

    def unpack(theta: Array) -> tuple[Array, float, Array, Array, Array]:
        w, b = theta[:d], float(theta[d])
        rest = theta[d + 1 :]
        return (
            w,
            b,
            rest[: units * d].reshape(units, d),
            rest[units * d : units * d + units],
            rest[units * d + units :],
        )

    def loss(theta: Array) -> tuple[float, Array]:
        w, b, weights, biases, out = unpack(theta)
        pre = standard @ weights.T + biases
        h = _activate(pre, activation)
        z = xx @ w + b + h @ out
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        eps = 1e-12
        value = -np.sum(weight * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
        g = weight * (p - y)  # d loss / d logit
        grad_pre = (g[:, None] * out[None, :]) * _slope(pre, h, activation)
        grad = np.concatenate(
            [xx.T @ g, [g.sum()], (grad_pre.T @ standard).ravel(), grad_pre.sum(axis=0), h.T @ g]
        )
        value += 0.5 * l2 * float(w @ w)
        grad[:d] += l2 * w
        value, grad = value / n, grad / n
        value += 0.5 * l2_hidden * float(theta[hidden] @ theta[hidden])
        grad[hidden] += l2_hidden * theta[hidden]
        return float(value), grad

    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    w, b, weights, biases, out = unpack(result.x)
    layer = HiddenLayer(mean, scale, weights.copy(), biases.copy(), out.copy(), activation)
    return w.copy(), b, layer


def hidden_to_dict(layer: HiddenLayer) -> dict[str, object]:
    """One string of numbers per unit: the data file stays one line per row."""

    def line(values: Array) -> str:
        return " ".join(repr(float(v)) for v in values)  # exact: the scores are the fitted ones

    return {
        "activation": layer.activation,
        "mean": line(layer.mean),
        "scale": line(layer.scale),
        "weights": [line(row) for row in layer.weights],
        "biases": line(layer.biases),
        "out": line(layer.out),
    }


def hidden_from_dict(entry: Mapping[str, object], features: int) -> HiddenLayer:
    def numbers(value: object) -> Array:
        return np.array([float(v) for v in str(value).split()], dtype=np.float64)

    rows: Sequence[str] = entry["weights"]  # type: ignore[assignment]
    weights = np.array([numbers(r) for r in rows], dtype=np.float64).reshape(len(rows), -1)
    layer = HiddenLayer(
        numbers(entry["mean"]),
        numbers(entry["scale"]),
        weights,
        numbers(entry["biases"]),
        numbers(entry["out"]),
        str(entry.get("activation", "tanh")),
    )
    units = len(layer.out)
    if (
        weights.shape != (units, features)
        or layer.mean.shape != (features,)
        or layer.scale.shape != (features,)
        or layer.biases.shape != (units,)
    ):
        raise ValueError(f"hidden layer of {units} units does not read {features} features")
    if layer.activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {layer.activation!r}")
    return layer

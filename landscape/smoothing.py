"""The smoothing view of Kleinberg, Li and Yuan (THEORY.md 7).

SGD with step x -> x - phi_b(eta (f'(x) - Z)) behaves like gradient descent on
the convolved loss g(x) = E[f(x - W)], W = phi_b(eta Z) the step's (clipped)
noise. g is one-point convex toward x* where <-g'(x), x* - x> > 0, i.e.
g'(x) (x - x*) > 0.

Without clipping and with heavy-tailed Z the expectation exists only if |f|
grows slower than |w|^alpha; for the polynomial losses of this app it does
not, so g is defined for the clipped step only (``TheoryError`` otherwise).

The expectation is a quadrature over the quantile of |Z|: with
P(|Z| > x_t) = e^-t, |W| = min(b, eta x_t), an atom of mass H(b/eta) at |W| = b, and
composite Gauss-Legendre in t on [0, -log H(b/eta)].
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import config
from .errors import TheoryError
from .tails import abs_quantile, noise_parameters, tail_index, tail_probability
from .theory import clip_threshold

#: Gauss-Legendre panels and nodes per panel of the expectation.
PANELS, NODES = 24, 8


@dataclass(kw_only=True, frozen=True)
class SmoothedLoss:
    """g(x) = E[f(x - W)] and g'(x) on a grid ``x``."""

    x: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    slopes: np.ndarray = field(repr=False)
    eta: float = math.nan
    b: float = math.inf
    note: str = ("g(x) = E[f(x - W)], W = phi_b(eta Z) the clipped step noise "
                 "(Kleinberg, Li, Yuan 2018)")


def _step_noise_nodes(eta: float, b: float, noise) -> tuple[np.ndarray, np.ndarray]:
    """Points |w| >= 0 and weights of the law of |W| = min(b, eta |Z|) (weights sum to 1)."""
    family, alpha, scale = noise_parameters(noise)
    if family == "none" or scale == 0:
        return np.zeros(1), np.ones(1)
    if math.isinf(b) and tail_index(family, alpha) is not None:
        raise TheoryError(
            f"without clipping E[f(x - W)] exists only if |f| grows slower than |w|^{alpha:g} "
            f"({family} noise is heavy tailed); choose a finite b to see the smoothed loss")
    atom = float(tail_probability(family, alpha, scale, b / eta)) if math.isfinite(b) else 0.0
    t_end = config.SMOOTHING_T_MAX if atom <= math.exp(-config.SMOOTHING_T_MAX) else -math.log(atom)
    base, base_weights = np.polynomial.legendre.leggauss(NODES)
    edges = np.linspace(0.0, t_end, PANELS + 1)
    half = 0.5 * np.diff(edges)
    t = ((edges[:-1] + edges[1:]) * 0.5)[:, None] + half[:, None] * base[None, :]
    weights = (half[:, None] * base_weights[None, :]) * np.exp(-t)
    magnitudes = np.minimum(b, eta * abs_quantile(family, alpha, scale, np.exp(-t)))
    points = np.append(magnitudes.ravel(), b if math.isfinite(b) else 0.0)
    weights = np.append(weights.ravel(), atom)
    return points, weights / weights.sum()


def smoothed_loss(f: Callable[[np.ndarray], np.ndarray], x, eta: float, b, noise,
                  df: Callable[[np.ndarray], np.ndarray] | None = None) -> SmoothedLoss:
    """g(x) = E[f(x - W)] and g'(x) = E[f'(x - W)] for the step noise W = phi_b(eta Z).

    Parameters
    ----------
    f, df : callable
        f and f', vectorised; without ``df`` the slope is ``numpy.gradient`` of g.
    x : array
        Grid.
    eta : float
    b : float or None
        Clipping threshold (None / inf: none; then heavy-tailed noise raises).
    noise : (family, alpha, scale) or an object with those attributes

    Raises
    ------
    TheoryError
        Heavy-tailed noise without clipping (the expectation does not exist).
    """
    b = clip_threshold(b)
    xs = np.asarray(x, dtype=np.float64)
    points, weights = _step_noise_nodes(float(eta), b, noise)
    shifted = xs[:, None] + np.concatenate((-points, points))[None, :]
    both = np.concatenate((weights, weights)) * 0.5
    values = f(shifted.ravel()).reshape(shifted.shape) @ both
    if df is not None:
        slopes = df(shifted.ravel()).reshape(shifted.shape) @ both
    elif xs.size >= 2:
        slopes = np.gradient(values, xs)
    else:
        slopes = np.full(xs.shape, np.nan)
    return SmoothedLoss(x=xs, values=values, slopes=slopes, eta=float(eta), b=b)


def one_point_convex_region(x, slopes, target: float) -> tuple[tuple[float, float], ...]:
    """Intervals of the grid where g is one-point convex toward x* = ``target``.

    That is where -g'(x) points toward x*: g'(x) (x - x*) > 0 (the point x*
    itself counts). Returns closed intervals [x_a, x_b] of consecutive grid points.
    """
    xs = np.asarray(x, dtype=np.float64)
    inside = (np.asarray(slopes) * (xs - target) > 0) | (xs == target)
    padded = np.concatenate(([False], inside, [False])).astype(np.int8)
    starts = np.flatnonzero(np.diff(padded) == 1)
    stops = np.flatnonzero(np.diff(padded) == -1) - 1
    return tuple((float(xs[a]), float(xs[z])) for a, z in zip(starts, stops, strict=True))

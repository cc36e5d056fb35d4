"""Tails of the noise families: H(x) = P(|Z| > x), the heavy-tail test, |Z|'s quantile.

The families are those of ``simulate.config`` (with the same parameters):

* ``"pareto"``    Z = scale * U * W, W ~ Lomax(alpha), U = +-1: H(x) = (1 + x/scale)^-alpha
* ``"pareto1"``   Z = scale * U * W, W ~ Pareto type I (W >= 1):
                  H(x) = (x/scale)^-alpha for x >= scale, 1 below
* ``"student-t"`` Z = scale * T, T ~ Student-t with alpha degrees of freedom
* ``"stable"``    Z = scale * S, S symmetric alpha-stable, E exp(i t S) = exp(-|t|^alpha)
                  (scipy's ``levy_stable`` with beta = 0; for x/scale above
                  ``config.STABLE_ASYMPTOTIC_FROM`` the first two terms of its tail series
                  (2/pi)[Gamma(a) sin(pi a/2) z^-a - Gamma(2a)/2 sin(pi a) z^-2a],
                  z = x/scale, relative error below 1e-4 there; scipy's numerical
                  integration is slow and returns 0 far out)
* ``"gaussian"``  Z ~ N(0, scale^2);  ``"uniform"`` Z ~ U(-scale, scale);  ``"none"`` Z = 0

All families are symmetric, so p_+ = p_- = 1/2 (Assumption 2).
"""

from __future__ import annotations

import math

import numpy as np

from . import config
from .errors import AnalysisError

#: Families whose tail is regularly varying (heavy) for admissible alpha.
HEAVY_FAMILIES = ("pareto", "pareto1", "student-t", "stable")
#: Every family the tail functions know.
FAMILIES = ("pareto", "pareto1", "gaussian", "student-t", "stable", "uniform", "none")


def noise_parameters(noise) -> tuple[str, float | None, float]:
    """(family, alpha, scale) of a noise given as an object or a tuple.

    Accepts ``simulate.Noise``, ``landscape.presets.NoiseDefaults`` or any
    object with ``family``, ``alpha`` and ``scale``, or a tuple
    ``(family, alpha, scale)``.
    """
    if isinstance(noise, tuple):
        family, alpha, scale = noise
    else:
        family, alpha, scale = noise.family, noise.alpha, noise.scale
    if family not in FAMILIES:
        raise AnalysisError(f"unknown noise family {family!r}; choose one of "
                            f"{', '.join(FAMILIES)}")
    return family, (None if alpha is None else float(alpha)), float(scale)


def tail_index(family: str, alpha: float | None) -> float | None:
    """Index alpha of regular variation of H (Assumption 2), or None for a light tail.

    Heavy (with alpha > 1, a finite mean): pareto, pareto1, student-t, and
    stable with alpha < 2 (alpha = 2 is Gaussian).
    """
    if family not in HEAVY_FAMILIES or alpha is None:
        return None
    alpha = float(alpha)
    if not math.isfinite(alpha) or alpha <= 1:
        return None
    if family == "stable" and alpha >= 2:
        return None
    return alpha


def is_heavy_tailed(family: str, alpha: float | None) -> bool:
    """The single "is heavy tailed" test: H regularly varying with index -alpha, alpha > 1."""
    return tail_index(family, alpha) is not None


def tail_balance(family: str) -> tuple[float, float]:
    """(p_+, p_-) = lim H_+-(x)/H(x); (1/2, 1/2) for every (symmetric) family."""
    return 0.5, 0.5


def _stable_far_tail(alpha: float, z: np.ndarray) -> np.ndarray:
    """P(|S| > z) for the standard symmetric alpha-stable S, two terms of its tail series."""
    first = math.gamma(alpha) * math.sin(math.pi * alpha / 2.0) * z ** -alpha
    second = 0.5 * math.gamma(2 * alpha) * math.sin(math.pi * alpha) * z ** (-2 * alpha)
    return 2.0 / math.pi * (first - second)


def tail_probability(family: str, alpha: float | None, scale: float, x):
    """H(x) = P(|Z| > x) of a noise family (exact; stable far out: asymptotic, see module).

    Parameters
    ----------
    family, alpha, scale
        As in ``simulate.Noise``.
    x : float or array
        Points >= 0.

    Returns
    -------
    float or ndarray
    """
    xs = np.asarray(x, dtype=np.float64)
    z = xs / scale if scale > 0 else np.full_like(xs, np.inf)
    if family == "pareto":
        out = (1.0 + z) ** -alpha
    elif family == "pareto1":
        out = np.where(z >= 1.0, np.maximum(z, 1.0) ** -alpha, 1.0)
    elif family == "gaussian":
        from scipy.special import erfc

        out = erfc(z / math.sqrt(2.0))
    elif family == "student-t":
        from scipy.stats import t as student

        out = 2.0 * student.sf(z, alpha)
    elif family == "stable":
        out = _stable_tail(alpha, z)
    elif family == "uniform":
        out = np.clip(1.0 - z, 0.0, 1.0)
    elif family == "none":
        out = np.zeros_like(z)
    else:
        raise AnalysisError(f"unknown noise family {family!r}")
    out = np.where(xs < 0, 1.0, out)
    return float(out) if np.ndim(x) == 0 else out


def _stable_tail(alpha: float, z: np.ndarray) -> np.ndarray:
    if alpha >= 2:
        from scipy.special import erfc

        return erfc(z / 2.0)            # S ~ N(0, 2) at alpha = 2
    far = z >= config.STABLE_ASYMPTOTIC_FROM
    out = np.empty_like(z)
    out[far] = _stable_far_tail(alpha, z[far])
    if (~far).any():
        from scipy.stats import levy_stable

        out[~far] = 2.0 * levy_stable.sf(z[~far], alpha, 0.0)
    return out


def abs_quantile(family: str, alpha: float | None, scale: float, tail):
    """The x with P(|Z| > x) = ``tail`` (the quantile of |Z| at 1 - tail), tail in (0, 1].

    Written in the tail probability so that far quantiles stay accurate.
    The stable family interpolates its tail on a log grid (scipy) and inverts
    the two-term tail series far out.
    """
    u = np.asarray(tail, dtype=np.float64)
    if family == "pareto":
        out = scale * (u ** (-1.0 / alpha) - 1.0)
    elif family == "pareto1":
        out = scale * u ** (-1.0 / alpha)
    elif family == "gaussian":
        from scipy.stats import norm

        out = scale * norm.isf(0.5 * u)
    elif family == "student-t":
        from scipy.stats import t as student

        out = scale * student.isf(0.5 * u, alpha)
    elif family == "stable":
        out = scale * _stable_abs_quantile(alpha, u)
    elif family == "uniform":
        out = scale * np.clip(1.0 - u, 0.0, 1.0)
    elif family == "none":
        out = np.zeros_like(u)
    else:
        raise AnalysisError(f"unknown noise family {family!r}")
    return out


def _stable_abs_quantile(alpha: float, u: np.ndarray) -> np.ndarray:
    grid = np.logspace(-4, math.log10(config.STABLE_ASYMPTOTIC_FROM), 80)
    tails = _stable_tail(alpha, grid)
    out = np.empty_like(u)
    far = u < tails[-1]
    # far out: invert the two-term series by fixed-point iteration from the first term
    first = math.gamma(alpha) * math.sin(math.pi * alpha / 2.0) * 2.0 / math.pi
    z = (first / u[far]) ** (1.0 / alpha)
    for _ in range(20):
        z = z * (_stable_far_tail(alpha, z) / u[far]) ** (1.0 / alpha)
    out[far] = z
    near = ~far
    order = np.argsort(tails)                    # tails decrease with the grid
    out[near] = np.exp(np.interp(np.log(u[near]), np.log(tails[order]), np.log(grid[order])))
    return out

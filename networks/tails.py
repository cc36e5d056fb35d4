"""Tail-index estimators for samples of a heavy-tailed law.

Two estimators of the index alpha of P(|X| > x) ~ x^-alpha:

* :func:`hill` — the Hill estimator on the magnitudes |x| (on the norms
  of vectors): alpha_hat = k / sum_{i<k} log(|x|_(i) / |x|_(k)), with the k
  largest order statistics; the default k is ``round(hill_fraction * n)``
  (``HILL_FRACTION`` = 1 %), stated in every result. Its confidence interval
  is the asymptotic normal one, alpha_hat (1 +- z / sqrt(k)).
* :func:`mohammadi` — the block-sum estimator of Mohammadi, Mohammadpour and
  Ogata (2015) that Simsekli, Sagun and Gurbuzbalaban (2019) use on gradient
  noise: the n = K1 K2 centred samples are cut into K2 blocks of K1,
  Y_i = sum of block i, and
  1/alpha_hat = (mean log|Y_i| - mean log|X_j|) / log K1 (samples taken as
  centred, as g_SB - g_GD is),
  K1 = ``round(sqrt(n))``. Meant for symmetric alpha-stable samples (alpha in
  (0, 2]; 2 for a finite variance) and laws in their domain of attraction.
  Its confidence interval is a bootstrap (``BOOTSTRAP`` resamples).

Vector samples (a 2-D array, one vector a row) are reduced to their norms by
:func:`samples_from_array`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

ESTIMATORS = ("hill", "mohammadi")
#: Hill's k as a share of the samples.
HILL_FRACTION = 0.01
#: Bootstrap resamples of the block-sum estimator's interval.
BOOTSTRAP = 100
#: Two-sided normal quantile of a 95 % interval.
Z95 = 1.959963984540054
#: Fewest samples an estimate is made from.
MIN_SAMPLES = 50


class TailIndexError(ValueError):
    """Samples an estimator cannot use (too few, not finite, all zero)."""


@dataclass(frozen=True)
class TailIndex:
    """An estimate of alpha with its 95 % confidence interval."""

    alpha: float
    ci: tuple[float, float]
    estimator: str
    n: int
    k: int | None = None  # Hill: the order statistics used

    def to_json(self) -> dict:
        out = asdict(self)
        out["ci"] = list(self.ci)
        if self.k is None:
            out.pop("k")
        return out


def samples_from_array(array) -> np.ndarray:
    """1-D samples from an array: itself (1-D) or the row norms (2-D)."""
    data = np.asarray(array)
    if data.dtype.kind not in "fiu":
        raise TailIndexError(f"samples must be numbers, got an array of {data.dtype}")
    data = data.astype(np.float64)
    if data.ndim == 2:
        data = np.linalg.norm(data, axis=1)
    elif data.ndim != 1:
        raise TailIndexError(f"samples must be a 1-D or 2-D array, got {data.ndim}-D")
    if not np.all(np.isfinite(data)):
        raise TailIndexError("samples must be finite (found nan or inf)")
    if data.size < MIN_SAMPLES:
        raise TailIndexError(f"at least {MIN_SAMPLES} samples are needed, got {data.size}")
    return data


def _hill_alpha(magnitudes_sorted_desc: np.ndarray, k: int) -> float:
    top = magnitudes_sorted_desc[: k + 1]
    if top[k] <= 0:
        raise TailIndexError("too many zero samples for the Hill estimator")
    mean_log = float(np.mean(np.log(top[:k] / top[k])))
    if mean_log <= 0:
        raise TailIndexError("the largest samples are all equal; no tail to estimate")
    return 1.0 / mean_log


def hill(samples, k: int | None = None) -> TailIndex:
    """Hill's estimate of alpha from the k largest magnitudes.

    Parameters
    ----------
    samples : array
        1-D samples (their absolute values are used) or 2-D (row norms).
    k : int, optional
        Order statistics used; default ``round(HILL_FRACTION * n)`` (at least 10).
    """
    data = np.abs(samples_from_array(samples))
    n = data.size
    k = max(10, round(HILL_FRACTION * n)) if k is None else int(k)
    if not 2 <= k < n:
        raise TailIndexError(f"Hill's k must be in [2, {n - 1}], got {k}")
    ordered = np.sort(data)[::-1]
    alpha = _hill_alpha(ordered, k)
    half = Z95 / math.sqrt(k)
    return TailIndex(alpha, (alpha * max(1.0 - half, 0.0), alpha * (1.0 + half)), "hill", n, k)


def _block_sum_alpha(data: np.ndarray, block: int) -> float:
    blocks = data.size // block
    used = data[: blocks * block]
    sums = used.reshape(blocks, block).sum(axis=1)
    with np.errstate(divide="ignore"):
        log_x = np.log(np.abs(used))
        log_y = np.log(np.abs(sums))
    log_x = log_x[np.isfinite(log_x)]
    log_y = log_y[np.isfinite(log_y)]
    if log_x.size == 0 or log_y.size == 0:
        raise TailIndexError("the samples are all zero")
    inverse = (log_y.mean() - log_x.mean()) / math.log(block)
    return 1.0 / max(inverse, 0.5)       # alpha in (0, 2]: 1/alpha >= 1/2


def mohammadi(samples, seed: int = 0, bootstrap: int = BOOTSTRAP) -> TailIndex:
    """Block-sum estimate of alpha (Mohammadi et al. 2015), as in Simsekli et al. 2019.

    Parameters
    ----------
    samples : array
        1-D samples (centred here; symmetric laws expected) or 2-D (row norms,
        then centred: only a rough index).
    seed : int
        Seed of the bootstrap of the confidence interval.
    """
    data = samples_from_array(samples)
    n = data.size
    block = max(2, round(math.sqrt(n)))
    alpha = _block_sum_alpha(data, block)
    if bootstrap == 0:                    # no interval asked for (curves along training)
        return TailIndex(alpha, (math.nan, math.nan), "mohammadi", n)
    rng = np.random.default_rng(seed)
    draws = [_block_sum_alpha(data[rng.integers(0, n, n)], block) for _ in range(bootstrap)]
    lo, hi = np.quantile(draws, [0.025, 0.975])
    return TailIndex(alpha, (float(min(lo, alpha)), float(max(hi, alpha))), "mohammadi", n)


def estimate(samples, estimator: str = "hill", **options) -> TailIndex:
    """The tail index of ``samples`` by the named estimator ("hill" or "mohammadi")."""
    if estimator == "hill":
        return hill(samples, **options)
    if estimator == "mohammadi":
        return mohammadi(samples, **options)
    raise TailIndexError(f"unknown estimator {estimator!r}; choose hill or mohammadi")

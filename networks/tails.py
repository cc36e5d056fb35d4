"""Tail-index estimators for samples of a heavy-tailed law.

Two estimators of the index alpha of P(|X| > x) ~ x^-alpha, each in a
bias-corrected form (the default) and in its classical form
(``corrected=False``):

* :func:`hill` — the Hill estimator on the magnitudes |x| (on the norms of
  vectors), from the k largest order statistics, k stated in every result.

  - classical (``HILL_FRACTION`` = 1 %): alpha_hat = 1 / H_k,
    H_k = mean_{i<k} log(|x|_(i) / |x|_(k)) = mean_{j<=k} Z_j with the
    log-spacings Z_j = j log(|x|_(j) / |x|_(j+1)).
  - corrected (the default): Hill's mean minus its bias, the reduced-bias
    estimator of the exponential regression model of the log-spacings
    (Beirlant, Dierckx, Goegebeur and Matthys 1999; Feuerverger and Hall
    1999): Z_j ~ (1/alpha + b_1 u_j + b_2 u_j^2 + b_3 u_j^3) Exp(1),
    u_j = j / k1, fitted by maximum likelihood on the k1 largest magnitudes;
    the model's mean of the b terms over j <= k is taken off H_k, with
    k = k1 / 2 (the bias fitted on more order statistics than the mean uses,
    as in the reduced-bias estimators of Caeiro, Gomes and Pestana 2005).
    The powers of u are those of the second-order index rho = -1 of symmetric
    stable laws, P(|X| > x) = C x^-alpha (1 + D x^-alpha + E x^-2 alpha + ...);
    Student-t (rho = -2/alpha) and Lomax (rho = -1/alpha) are near enough.
    k1 is chosen from the sample: the largest of ``HILL_FIT_SHARES`` times n
    (80 %, 57 %, 40 %, ... of n, down to ``MIN_HILL_FIT``) whose fit passes
    two goodness-of-fit checks: a fourth term does not improve it
    (likelihood-ratio test at 5 %, ``CHI2_1_95``), and its 1/alpha agrees
    with those of the next two smaller fit sizes (a Hausman-type test: the
    difference within ``PLATEAU_Z`` = 2 standard errors, its variance that
    of the smaller fit minus that of the larger, as for an efficient and a
    consistent estimator). The k used is
    stated in every result. Measured (``bench/bench_tails.py``, 20 seeds a
    law): at 20,000 samples standard deviations of 0.05-0.10 against
    0.08-0.20 for the former fixed k = 3 %, 0-3 of 20 estimates off by more
    than 0.15. A symmetric stable law near alpha = 2 is beyond any estimator
    of this kind at that size: its power tail starts only in the largest
    1 % or so (the terms D x^-alpha, E x^-2 alpha ... are large), and the
    estimate of alpha = 1.8 spreads over 1.7-2.5 (mean +0.17, 11 of 20 off
    by more than 0.15); at 107,200 samples it is within 0.06. The classical
    estimator reads it as 2.0-2.4 at k = 1 %.

  The 95 % interval inverts the normal one of 1/alpha: H_k +- z H_k / sqrt(k)
  (classical), or +- z times the corrected estimate's standard error, the
  delta-method one of a linear function of independent Exp(1)-scaled Z_j.

* :func:`mohammadi` — the block-sum estimator of Mohammadi, Mohammadpour and
  Ogata (2015) that Simsekli, Sagun and Gurbuzbalaban (2019) use on gradient
  noise. The samples are centred at their median (the sample mean of a law
  with alpha near 1 wanders far); Y = a sum of K of them; for a symmetric
  alpha-stable law E log|Y| = (1/alpha) log K + E log|X| exactly.

  - classical: one block size K1 = ``round(sqrt(n))``,
    1/alpha_hat = (mean log|Y_i| - mean log|X_j|) / log K1.
  - corrected: the identity at every block size K = 1, 2, 4, ... with at
    least ``MIN_BLOCKS`` blocks (mean log|Y| averaged over ``PERMUTATIONS``
    seeded shuffles), fitted by weighted least squares as
    m(K) = c + (1/alpha) log K + A K^-r with r fixed at
    ``CORRECTION_EXPONENT`` = 0.45. The term A K^-r is the finite-block
    effect of laws that are only in the stable law's domain of attraction
    (Lomax, Student-t): their block sums approach a stable law slowly, as
    K^(1 - 2/alpha) (the t^2 term of their characteristic function) and
    K^(-1/alpha) (Lomax's second-order tail), and the classical estimator
    reads Lomax 1.2 as about 1.05. A = 0 for stable laws: the term is kept
    only where A is ``CORRECTION_T`` = 2 standard errors from 0 (a pretest;
    on stable samples the standard deviation falls from 0.05 to 0.02-0.04).
    Profiling r as well (the former default) leaves r nearly collinear with
    log K near alpha = 2 and about doubled the spread (standard deviations
    0.07-0.14 against 0.02-0.08 at 20,000 samples); a fixed r between the
    two effects' exponents keeps the bias within 0.07 except on Student-t
    near alpha = 2, read 0.14 low at 20,000 samples (9 of 20 off by more
    than 0.15) and at 107,200 (where the profiled form read it well but
    Lomax 1.8 0.14 low; ``tests/networks/test_tails.py``,
    ``bench/bench_tails.py``).

  Meant for symmetric laws (alpha in (0, 2]; 2 for a finite variance; the
  estimate is capped at 2).
  Its confidence interval is a bootstrap (``BOOTSTRAP`` resamples; one
  shuffle per resample).

Vector samples (a 2-D array, one vector a row) are reduced to their norms by
:func:`samples_from_array`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache

import numpy as np

ESTIMATORS = ("hill", "mohammadi")
#: Classical Hill's k as a share of the samples.
HILL_FRACTION = 0.01
#: The corrected Hill estimator's candidate fit sizes k1, shares of n (80 % / sqrt(2)^i).
HILL_FIT_SHARES = 0.8 / np.sqrt(2.0) ** np.arange(20)
#: Fewest order statistics the corrected Hill estimator fits its bias on.
MIN_HILL_FIT = 40
#: Order statistics of Hill's mean per order statistic of the bias fit (k = k1 / 2).
HILL_MEAN_SHARE = 0.5
#: Degree of the corrected Hill estimator's bias polynomial in j / k1 (rho = -1).
BIAS_DEGREE = 3
#: The likelihood-ratio test of a further bias term that chooses k1: the 95 % quantile
#: of chi-square with one degree of freedom (a test at 5 %).
CHI2_1_95 = 3.841458820694124
#: The fit size k1 must also agree with the next ``PLATEAU_CHECKS`` smaller ones: their
#: 1/alpha within ``PLATEAU_Z`` standard errors of the difference (module docstring).
PLATEAU_CHECKS = 2
PLATEAU_Z = 2.0
#: Bootstrap resamples of the block-sum estimator's interval.
BOOTSTRAP = 100
#: Two-sided normal quantile of a 95 % interval.
Z95 = 1.959963984540054
#: Fewest samples an estimate is made from.
MIN_SAMPLES = 50
#: Fewest blocks of the largest block size of the corrected block-sum estimator.
MIN_BLOCKS = 20
#: Seeded shuffles whose block sums are averaged (corrected block-sum estimator).
PERMUTATIONS = 4
#: Exponent r of the finite-block term A K^-r of the corrected block-sum estimator.
CORRECTION_EXPONENT = 0.45
#: The term A K^-r is kept where A is this many standard errors from 0 (a pretest).
CORRECTION_T = 2.0


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
    corrected: bool = True  # the bias-corrected form (module docstring)

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


def hill_fit_sizes(n: int) -> list[int]:
    """The corrected Hill estimator's candidate fit sizes k1, largest first: ``HILL_FIT_SHARES``
    times n, at least ``MIN_HILL_FIT`` (all of them below n)."""
    sizes = [min(round(share * n), n - 1) for share in HILL_FIT_SHARES]
    kept = [size for size in dict.fromkeys(sizes) if size >= MIN_HILL_FIT]
    return kept or [min(MIN_HILL_FIT, n - 1)]


def default_hill_k(n: int, corrected: bool = True) -> int:
    """Hill's k: ``HILL_FRACTION`` n (classical, at least 10); corrected, the largest k the
    sample-driven choice tries (``HILL_MEAN_SHARE`` times the largest fit size, module
    docstring), which it takes when the bias model fits that far."""
    if corrected:
        return max(2, round(HILL_MEAN_SHARE * hill_fit_sizes(n)[0]))
    return max(10, round(HILL_FRACTION * n))


def _check_hill_k(n: int, k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k < n:
        raise TailIndexError(f"Hill's k must be an integer in [2, {n - 1}], got {k!r}")
    return int(k)


def _log_spacings(magnitudes_sorted_desc: np.ndarray, k: int) -> np.ndarray:
    """Z_j = j log(|x|_(j) / |x|_(j+1)), j = 1..k (their mean is Hill's 1/alpha)."""
    top = magnitudes_sorted_desc[: k + 1]
    if top[k] <= 0:
        raise TailIndexError("too many zero samples for the Hill estimator")
    logs = np.log(top)
    spacings = np.arange(1, k + 1) * (logs[:-1] - logs[1:])
    if spacings.sum() <= 0:
        raise TailIndexError("the largest samples are all equal; no tail to estimate")
    return spacings


def regression_fit(spacings: np.ndarray, degree: int = BIAS_DEGREE):
    """ML fit of Z_j ~ (gamma + b_1 u_j + ... + b_d u_j^d) Exp(1), u_j = j / k, j = 1..k
    (iteratively reweighted least squares): the fitted means, the linear map Z -> (gamma, b)
    and the log-likelihood."""
    k = spacings.size
    design = (np.arange(1, k + 1) / k)[:, None] ** np.arange(degree + 1)
    coef = np.linalg.lstsq(design, spacings, rcond=None)[0]
    floor = 1e-3 * spacings.mean()
    for _ in range(50):
        weights = 1.0 / np.maximum(design @ coef, floor) ** 2
        solver = np.linalg.solve(design.T @ (design * weights[:, None]), (design * weights[:, None]).T)
        step = solver @ spacings
        done = np.allclose(step, coef, rtol=1e-10, atol=0.0)
        coef = step
        if done:
            break
    means = np.maximum(design @ coef, floor)
    return means, solver, float(-np.sum(np.log(means) + spacings / means))


def corrected_hill_gamma(spacings: np.ndarray, k: int) -> tuple[float, float, float]:
    """1/alpha by Hill's mean of Z_1..Z_k minus the fitted bias mean_{j<=k} sum_p b_p u_j^p,
    the model fitted on all k1 = ``spacings.size`` spacings; its standard error; and the
    likelihood-ratio statistic of one more bias term (module docstring)."""
    k1 = spacings.size
    means, solver, loglik = regression_fit(spacings)
    lr = 2.0 * (regression_fit(spacings, BIAS_DEGREE + 1)[2] - loglik)
    powers = np.arange(1, solver.shape[0])
    bias_means = np.mean((np.arange(1, k + 1) / k1)[:, None] ** powers, axis=0)
    weights = np.where(np.arange(k1) < k, 1.0 / k, 0.0) - bias_means @ solver[1:]
    gamma = float(weights @ spacings)
    return gamma, float(np.sqrt(np.sum(weights ** 2 * means ** 2))), lr


def _corrected_hill(ordered: np.ndarray, k: int | None) -> tuple[float, float, int]:
    """gamma, its standard error and k: with k given, the fit on min(k / ``HILL_MEAN_SHARE``,
    n - 1) order statistics; else the largest fit size whose fit passes both checks of the
    module docstring (the smallest if none does)."""
    n = ordered.size
    if k is not None:
        gamma, se, _ = corrected_hill_gamma(_log_spacings(ordered, min(max(round(k / HILL_MEAN_SHARE), k), n - 1)), k)
        return _positive(gamma), se, k
    nonzero = int(np.count_nonzero(ordered))
    sizes = [size for size in hill_fit_sizes(n) if size < nonzero] or [min(MIN_HILL_FIT, n - 1)]

    @cache
    def fit(i: int) -> tuple[float, float, float, int]:
        """(gamma, se, lr, k) of fit size i, made only when a check reads it (the
        largest size usually passes, and then the smaller ones past the next
        ``PLATEAU_CHECKS`` are never fitted)."""
        k_mean = max(2, round(HILL_MEAN_SHARE * sizes[i]))
        return (*corrected_hill_gamma(_log_spacings(ordered, sizes[i]), k_mean), k_mean)

    for i in range(len(sizes)):
        gamma, se, lr, k_mean = fit(i)
        smaller = range(i + 1, min(i + 1 + PLATEAU_CHECKS, len(sizes)))
        if lr < CHI2_1_95 and all(abs(gamma - fit(j)[0]) <= PLATEAU_Z * math.sqrt(max(fit(j)[1] ** 2 - se ** 2, 0.0))
                                  for j in smaller):
            break
    return _positive(gamma), se, k_mean


def _positive(gamma: float) -> float:
    if gamma <= 0:
        raise TailIndexError("no power tail found in the largest samples (the fitted 1/alpha <= 0)")
    return gamma


def hill(samples, k: int | None = None, corrected: bool = True) -> TailIndex:
    """Hill's estimate of alpha from the k largest magnitudes (module docstring).

    Parameters
    ----------
    samples : array
        1-D samples (their absolute values are used) or 2-D (row norms).
    k : int, optional
        Order statistics of Hill's mean. Default: classical, :func:`default_hill_k`;
        corrected, chosen from the sample (module docstring).
    corrected : bool
        Remove the bias, fitted on k / ``HILL_MEAN_SHARE`` (with k given) or on a
        tested number of the largest magnitudes (exponential regression, rho = -1).
    """
    data = np.abs(samples_from_array(samples))
    n = data.size
    if k is not None or not corrected:
        k = _check_hill_k(n, default_hill_k(n, False) if k is None else k)
    ordered = np.sort(data)[::-1]
    if corrected:
        gamma, se, k = _corrected_hill(ordered, k)
        half = Z95 * se / gamma
    else:
        gamma, half = float(_log_spacings(ordered, k).mean()), Z95 / math.sqrt(k)
    alpha = 1.0 / gamma
    ci = (alpha / (1.0 + half), alpha / max(1.0 - half, 1e-12))
    return TailIndex(alpha, ci, "hill", n, k, corrected)


def _log_abs_mean(values: np.ndarray) -> tuple[float, float]:
    """Mean and variance of log|values| over the non-zero values."""
    with np.errstate(divide="ignore"):
        logs = np.log(np.abs(values))
    logs = logs[np.isfinite(logs)]
    if logs.size == 0:
        raise TailIndexError("the samples are all zero")
    return float(logs.mean()), float(logs.var())


def _block_sums(data: np.ndarray, block: int) -> np.ndarray:
    blocks = data.size // block
    return data[: blocks * block].reshape(blocks, block).sum(axis=1)


def _classical_block_alpha(data: np.ndarray) -> float:
    block = max(2, round(math.sqrt(data.size)))
    inverse = (_log_abs_mean(_block_sums(data, block))[0] - _log_abs_mean(data)[0]) / math.log(block)
    return 1.0 / max(inverse, 0.5)       # alpha in (0, 2]: 1/alpha >= 1/2


def block_log_means(data: np.ndarray, rng, permutations: int = PERMUTATIONS):
    """Block sizes K = 1, 2, 4, ... (at least ``MIN_BLOCKS`` blocks), mean log|sum of K|
    (averaged over ``permutations`` seeded shuffles: samples in a given order, such as
    the coordinates of gradient vectors one after another, need not be exchangeable)
    and its variance (one shuffle's, conservative)."""
    sizes = 2.0 ** np.arange(int(math.log2(data.size / MIN_BLOCKS)) + 1)
    means = np.zeros((permutations, sizes.size))
    variances = np.zeros(sizes.size)
    for p in range(permutations):
        sums = rng.permutation(data)
        for level in range(sizes.size):
            if level:                     # sums of 2K from the sums of K
                pairs = sums.size // 2
                sums = sums[0:2 * pairs:2] + sums[1:2 * pairs:2]
            means[p, level], variance = _log_abs_mean(sums)
            if p == 0:
                variances[level] = max(variance, 1e-12) / sums.size
    return sizes, means.mean(axis=0), variances


def fit_block_identity(sizes, means, variances) -> float:
    """1/alpha: the slope of m(K) = c + (1/alpha) log K + A K^-r, r = ``CORRECTION_EXPONENT``
    (weighted least squares), or of the line c + (1/alpha) log K where A is not
    ``CORRECTION_T`` standard errors from 0 (the errors of the weights, inflated by the
    residuals where they exceed them) or with fewer than 4 sizes."""
    logs, weights = np.log(sizes), 1.0 / np.sqrt(variances)
    design = np.column_stack([np.ones_like(logs), logs, np.exp(-CORRECTION_EXPONENT * logs)]) * weights[:, None]
    target = means * weights
    if sizes.size >= 4:
        coef = np.linalg.lstsq(design, target, rcond=None)[0]
        scale = np.sum((design @ coef - target) ** 2) / (sizes.size - 3)
        covariance = np.linalg.pinv(design.T @ design) * max(scale, 1.0)
        if abs(coef[2]) >= CORRECTION_T * math.sqrt(covariance[2, 2]):
            return float(coef[1])
    return float(np.linalg.lstsq(design[:, :2], target, rcond=None)[0][1])


def _corrected_block_alpha(data: np.ndarray, rng, permutations: int = PERMUTATIONS) -> float:
    sizes, means, variances = block_log_means(data, rng, permutations)
    if sizes.size < 2:
        raise TailIndexError(f"at least {2 * MIN_BLOCKS} samples are needed for block sums")
    return 1.0 / max(fit_block_identity(sizes, means, variances), 0.5)   # alpha in (0, 2]


def mohammadi(samples, seed: int = 0, bootstrap: int = BOOTSTRAP, corrected: bool = True) -> TailIndex:
    """Block-sum estimate of alpha (Mohammadi et al. 2015), as in Simsekli et al. 2019.

    Parameters
    ----------
    samples : array
        1-D samples (centred here at their median; symmetric laws expected)
        or 2-D (row norms, then centred: only a rough index).
    seed : int
        Seed of the shuffles and of the bootstrap of the confidence interval.
    bootstrap : int
        Resamples of the interval (0: no interval, ``ci`` is (nan, nan)).
    corrected : bool
        Fit the identity over block sizes with the finite-block term
        (module docstring); False: the classical single block size sqrt(n).
    """
    data = samples_from_array(samples)
    data = data - np.median(data)
    n = data.size
    rng = np.random.default_rng(seed)

    def alpha_of(values, permutations):
        if corrected:
            return _corrected_block_alpha(values, rng, permutations)
        return _classical_block_alpha(values)

    alpha = alpha_of(data, PERMUTATIONS)
    if bootstrap == 0:                    # no interval asked for (curves along training)
        return TailIndex(alpha, (math.nan, math.nan), "mohammadi", n, None, corrected)
    draws = [alpha_of(data[rng.integers(0, n, n)], 1) for _ in range(bootstrap)]
    lo, hi = np.quantile(draws, [0.025, 0.975])
    return TailIndex(alpha, (float(min(lo, alpha)), float(max(hi, alpha))), "mohammadi", n, None, corrected)


def estimate(samples, estimator: str = "hill", **options) -> TailIndex:
    """The tail index of ``samples`` by the named estimator ("hill" or "mohammadi")."""
    if estimator == "hill":
        return hill(samples, **options)
    if estimator == "mohammadi":
        return mohammadi(samples, **options)
    raise TailIndexError(f"unknown estimator {estimator!r}; choose hill or mohammadi")

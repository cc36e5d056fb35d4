"""One policy for exit-time studies: step caps, censored means and the log-log slope.

The Exit times pages (1-D and 2-D), ``python -m simulate exit-study`` and the
TOML studies all size their caps and fit their slopes here, so that a study
gives the same numbers wherever it is run.

* Step cap (per sample): the user's when given; else ``config.EXIT_CAP_FACTOR`` times the
  theory's predicted mean exit time 1/(q_i lambda_i(eta)) (THEORY 9), within
  [``config.MIN_AUTO_CAP``, ``config.MAX_AUTO_CAP``]: an exponential exit time passes 25
  means with probability e^-25. When q_i is unknown (Assumption 1 fails, or
  l* is beyond the quadrature) the time scale 1/lambda_i(eta) stands in for
  the mean (q taken as 1). Light-tailed noise has no prediction (exit times
  grow like exp(c/eta)): ``config.NO_PREDICTION_CAP``.
* Mean of censored samples: the exponential model's estimate, steps run /
  exits seen (the plain mean when nothing is censored).
* Slope: least squares of log(mean) on log(1/eta) over the etas with at least
  one exit; an eta whose every sample hit the cap is left out and named.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from . import config


@dataclass(frozen=True, kw_only=True)
class StepCap:
    """The per-sample step cap of one eta, and where it came from.

    Attributes
    ----------
    steps : int
    source : str
        ``"user"`` (given), ``"theory"`` (config.EXIT_CAP_FACTOR x the predicted mean) or
        ``"default"`` (no prediction: ``config.NO_PREDICTION_CAP``).
    predicted_mean : float or None
        The mean exit time (steps) the cap was sized from, if any.
    """

    steps: int
    source: str
    predicted_mean: float | None


def step_cap(predicted_mean: float | None, override: int | None = None) -> StepCap:
    """The step cap of one eta (see the module docstring).

    Parameters
    ----------
    predicted_mean : float or None
        The theory's mean exit time in steps, 1/(q lambda(eta)); None (or not a
        positive finite number) when there is none.
    override : int, optional
        The user's cap; it wins.
    """
    usable = predicted_mean is not None and math.isfinite(predicted_mean) and predicted_mean > 0
    mean = float(predicted_mean) if usable else None
    if override is not None:
        return StepCap(steps=int(override), source="user", predicted_mean=mean)
    if mean is None:
        return StepCap(steps=config.NO_PREDICTION_CAP, source="default", predicted_mean=None)
    steps = min(config.MAX_AUTO_CAP,
                max(config.MIN_AUTO_CAP, math.ceil(config.EXIT_CAP_FACTOR * mean)))
    return StepCap(steps=int(steps), source="theory", predicted_mean=mean)


def predicted_exit_means(land, L: float, b, noise, field: int, etas) -> list[float | None]:
    """The theory's mean exit time 1/(q lambda(eta)) from a 1-D field, per eta.

    Falls back to the time scale 1/lambda(eta) (q taken as 1) when q cannot be
    computed (Assumption 1 fails, l* beyond the quadrature); None for each eta
    with light-tailed noise.

    Parameters
    ----------
    land : landscape.Landscape
    L, b : float
        Wall and clipping threshold (inf: no clipping).
    noise : simulate.Noise or (family, alpha, scale)
    field : int
        0-based start field.
    etas : sequence of float
    """
    from landscape.tails import noise_parameters, tail_index, tail_probability
    from landscape.theory import mean_exit_steps

    family, alpha, scale = noise_parameters(noise)
    if tail_index(family, alpha) is None:
        return [None] * len(etas)
    q, l_star = _rate_of_field(land, float(L), float(b), (family, alpha, scale), int(field))
    return [mean_exit_steps(q, l_star, float(tail_probability(family, alpha, scale, 1.0 / e)), e)
            for e in etas]


@functools.lru_cache(maxsize=64)
def _rate_of_field(land, L: float, b: float, noise: tuple, field: int) -> tuple[float, int]:
    """(q_i, l*_i) of a field; (1, l*_i) when the theory's q is not available."""
    import landscape
    from landscape.theory import jumps

    try:
        analysis = landscape.analyze(land, L, b, noise[1])
    except ValueError:
        return 1.0, 1
    l_star = analysis.fields[field].l_star if field < len(analysis.fields) else 1
    if math.isinf(b) or l_star < 1:
        l_star = 1 if math.isinf(b) else max(1, jumps(analysis.fields[field].width, b))
    try:
        rates = landscape.predict(analysis, land, noise).rates
    except ValueError:
        return 1.0, l_star
    return float(rates.q[field]), int(rates.l_star[field])


def censored_mean(times: np.ndarray, censored: np.ndarray) -> float:
    """Mean exit time from possibly censored samples (exponential model): steps run / exits.

    The plain mean when nothing is censored; NaN when no sample exited (then
    only a lower bound, the cap, is known).
    """
    exits = int(np.size(times) - np.sum(censored))
    return float(np.sum(times)) / exits if exits else math.nan


@dataclass(frozen=True, kw_only=True)
class SlopeFit:
    """log(mean exit) = slope * log(1/eta) + intercept, fitted by least squares.

    ``used[k]`` says whether eta k entered the fit; ``slope`` is NaN with fewer
    than two usable etas.
    """

    slope: float
    intercept: float
    r_value: float
    used: np.ndarray

    @property
    def points(self) -> int:
        """How many etas the fit used."""
        return int(np.sum(self.used))


def fit_exit_slope(etas, means, censored=None, samples=None) -> SlopeFit:
    """Fit the exit study's log-log slope (paper Fig. 4).

    Parameters
    ----------
    etas, means : array_like
        Learning rates and their mean exit times (steps).
    censored, samples : array_like, optional
        Censored and total samples per eta; an eta whose every sample was
        censored is left out (its mean is only a lower bound).
    """
    from scipy.stats import linregress

    etas = np.asarray(etas, dtype=float)
    means = np.asarray(means, dtype=float)
    used = np.isfinite(means) & (means > 0) & np.isfinite(etas) & (etas > 0)
    if censored is not None and samples is not None:
        used &= np.asarray(censored) < np.asarray(samples)
    slope = intercept = r_value = math.nan
    if used.sum() >= 2 and np.ptp(etas[used]) > 0:
        fit = linregress(np.log(1.0 / etas[used]), np.log(means[used]))
        slope, intercept, r_value = float(fit.slope), float(fit.intercept), float(fit.rvalue)
    return SlopeFit(slope=slope, intercept=intercept, r_value=r_value, used=used)


__all__ = [
    "SlopeFit",
    "StepCap",
    "censored_mean",
    "fit_exit_slope",
    "predicted_exit_means",
    "step_cap",
]

"""First exits from an attraction field and the exit-time study (THEORY 5, Fig. 4)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from landscape.theory import effective_width, exit_exponent, jumps, structure_for_widths

from . import _common as C
from . import config
from .errors import SimulationError
from .exit_caps import StepCap, censored_mean, fit_exit_slope, predicted_exit_means, step_cap
from .gradient import compile_gradient
from .noise import as_noise
from .rng import FAMILY_CODES, seed_states
from .table import choose_gradient, kinks_of

Progress = Callable[[float, str], object]


@dataclass(frozen=True)
class ExitTimes:
    """First-exit samples from the field of x0.

    Attributes
    ----------
    times : ndarray of int64
        Exit step sigma of every sample (max_steps if censored).
    destinations : ndarray of int64
        0-based field the iterate landed in; -1 if censored (or stopped by
        a non-finite gradient).
    censored : ndarray of bool
        True where the sample reached max_steps without leaving.
    field : int
        0-based field of x0.
    error : str or None
        Set if the gradient became NaN/inf (those samples are censored).
    gradient : str
        The f' the kernels used: "polynomial", "tabulated", "generic" or
        "specialised" (``simulate.table.GradientChoice.method``).
    gradient_note : str
        One line saying which f' and, for a table, its measured error.
    """

    eta: float
    x0: float
    field: int
    max_steps: int
    times: np.ndarray
    destinations: np.ndarray
    censored: np.ndarray
    error: str | None = None
    seconds: float = 0.0
    gradient: str = ""
    gradient_note: str = ""

    @property
    def n_censored(self) -> int:
        return int(self.censored.sum())

    @property
    def mean(self) -> float:
        """Mean exit time, censored samples included: steps run / exits (``censored_mean``).

        The plain mean when nothing is censored; NaN when no sample exited.
        """
        return censored_mean(self.times, self.censored)

    def destination_counts(self) -> dict[int, int]:
        """{0-based destination field: count} over uncensored samples."""
        d = self.destinations[self.destinations >= 0]
        vals, cnt = np.unique(d, return_counts=True)
        return {int(v): int(c) for v, c in zip(vals, cnt)}

    def to_json(self) -> dict:
        """The ``python -m simulate exit-times`` JSON (1-based fields)."""
        out = {
            "exit_times": [int(t) for t in self.times],
            "mean": _num(self.mean),
            "destinations": {str(k + 1): v for k, v in self.destination_counts().items()},
            "censored": self.n_censored,
            "field": self.field + 1,
            "max_steps": self.max_steps,
            "gradient": self.gradient,
        }
        if self.error:
            out["error"] = self.error
        return out


def exit_times(land, L, eta, noise, *, b=None, x0, samples, seed=0,
               max_steps: int | None = None, boundaries=None,
               progress: Progress | None = None, stream: int = 0, tabulate: bool = True,
               _progress_span=(0.0, 1.0), _kernels=None) -> ExitTimes:
    """First-exit times from the field of ``x0``, ``samples`` independent runs.

    Each sample runs until the iterate leaves its start field (or
    ``max_steps``, then it is censored). Sample j uses the random stream
    (seed, stream, j). ``progress(fraction, message)`` is called between
    segments of ``config.EXIT_SEGMENT_STEPS`` steps. ``tabulate``: use the
    tabulated f' when it passes its check (``simulate.table``; the result's
    ``gradient`` says which f' ran), False: always the exact f'.
    ``max_steps`` default: ``simulate.exit_caps.step_cap`` of the theory's
    predicted mean exit time (the one cap policy of pages, command line and
    studies).

    Raises
    ------
    SimulationError
        On bad parameters (see :class:`~simulate.Simulation`).
    """
    L = C.positive("L", L)
    eta = C.positive("eta (learning rate)", eta)
    noise = as_noise(noise)
    b = C.clip_threshold(b)
    samples = C.count("samples", samples, 1, config.MAX_SAMPLES)
    if max_steps is not None:
        max_steps = C.count("max_steps", max_steps, 1, config.MAX_STEPS_PER_ADVANCE)
    seed = C.seed_value(seed)
    grad = compile_gradient(land)
    choice = choose_gradient(grad, L, tabulate=tabulate, kinks=kinks_of(land, L))
    bounds = C.boundaries_for(land, L, boundaries)
    x = C.start_points(x0, samples, L)
    if np.ptp(x) != 0:
        raise SimulationError("exit_times needs a single start point x0")
    x0f = float(x[0])
    f0 = int(C.field_of(bounds, x0f))
    ext = C.extended(bounds)
    lo, hi = float(ext[f0]), float(ext[f0 + 1])
    if lo <= -L and hi > L:
        raise SimulationError("the start field is all of [-L, L]: there is nothing to exit "
                              "(the landscape has a single field)")
    if max_steps is None:
        predicted = (predicted_exit_means(land, L, b, noise, f0, [eta])[0]
                     if hasattr(land, "expr") else None)
        max_steps = min(step_cap(predicted).steps, config.MAX_STEPS_PER_ADVANCE)

    state = seed_states(seed, samples, stream=stream)
    t = np.zeros(samples, dtype=np.int64)
    dest = np.full(samples, -1, dtype=np.int64)
    err_step = np.full(samples, -1, dtype=np.int64)
    err_x = np.full(samples, np.nan)
    import time as _time
    t0 = _time.perf_counter()
    limit = done_limit = 0
    a0, a1 = _progress_span
    while limit < max_steps:
        limit = min(max_steps, limit + config.EXIT_SEGMENT_STEPS)
        kernels = _kernels or choice.kernels(samples * (limit - done_limit))
        done_limit = limit
        with C.launch_guard():
            kernels.exit_kernel(*choice.args(), FAMILY_CODES[noise.family], noise.alpha_or_nan, noise.scale, eta, b,
                        L, ext, lo, hi, x, t, dest, state, limit, err_step, err_x)
        running = int(((dest < 0) & (err_step < 0)).sum())
        if progress is not None:
            frac = 1.0 - running / samples
            progress(a0 + (a1 - a0) * frac,
                     f"eta={eta:g}: {samples - running}/{samples} samples exited "
                     f"({limit:,} steps so far)")
        if running == 0:
            break
    error = None
    bad = np.flatnonzero(err_step >= 0)
    if bad.size:
        p = int(bad[0])
        error = (f"the gradient f'(x) is not finite at x = {err_x[p]:.17g} "
                 f"(sample {p + 1}, step {int(err_step[p]):,}); that sample stopped there")
    censored = dest < 0
    return ExitTimes(eta=eta, x0=x0f, field=f0, max_steps=max_steps, times=t,
                     destinations=dest, censored=censored, error=error,
                     seconds=_time.perf_counter() - t0, gradient=choice.method,
                     gradient_note=choice.note)


@dataclass(frozen=True)
class ExitStudy:
    """Mean first-exit time against eta and the log-log slope (paper Fig. 4).

    ``slope`` is the least-squares slope of log(mean exit) against
    log(1/eta); ``predicted_slope`` is beta = alpha + (alpha - 1)(l* - 1)
    for the start field (None for light-tailed noise, where exit times grow
    like exp(c / eta)).
    """

    etas: np.ndarray
    mean_exit_times: np.ndarray
    slope: float
    intercept: float
    r_value: float
    predicted_slope: float | None
    field: int
    l_star: int
    alpha: float | None
    censored: np.ndarray
    caps: tuple[StepCap, ...] = ()
    results: tuple[ExitTimes, ...] = field(repr=False, default=())

    def to_json(self) -> dict:
        """The ``python -m simulate exit-study`` JSON."""
        return {
            "etas": [float(e) for e in self.etas],
            "mean_exit_times": [float(m) for m in self.mean_exit_times],
            "slope": _num(self.slope),
            "predicted_slope": _num(self.predicted_slope),
            "intercept": _num(self.intercept),
            "r_value": _num(self.r_value),
            "field": self.field + 1,
            "l_star": self.l_star,
            "censored": [int(c) for c in self.censored],
            "max_steps": [c.steps for c in self.caps],
            "max_steps_source": [c.source for c in self.caps],
            "predicted_mean_exit_times": [_num(c.predicted_mean) for c in self.caps],
        }


def _num(v):
    return None if v is None or not math.isfinite(v) else float(v)


def exit_study(land, L, etas: Sequence[float], noise, *, b=None, x0, samples, seed=0,
               alpha=None, progress: Progress | None = None,
               max_steps: int | None = None, boundaries=None) -> ExitStudy:
    """Exit-time study over a list of learning rates.

    Runs :func:`exit_times` for every eta (stream i + 1 for the i-th eta),
    fits log(mean exit) = slope * log(1/eta) + c by least squares over the
    etas with at least one uncensored sample, and gives the theory's slope
    beta = alpha + (alpha - 1)(l* - 1) (THEORY 5) for the start field.

    Parameters
    ----------
    alpha : float, optional
        Tail index for the prediction; default the noise's own.
    progress : callable(fraction, message), optional
        Called as the study goes (fraction in [0, 1]).
    max_steps : int, optional
        Step cap per sample for every eta. Default: sized per eta from the
        theory's predicted mean exit time (``simulate.exit_caps``, the policy
        of the Exit times page and of the TOML studies).
    """
    noise = as_noise(noise)
    try:
        etas = np.array([float(e) for e in etas], dtype=float)
    except (TypeError, ValueError):
        raise SimulationError(f"etas must be numbers, got {etas!r}") from None
    if etas.size < 2:
        raise SimulationError("an exit study needs at least two learning rates")
    for e in etas:
        C.positive("eta (learning rate)", e)
    L = C.positive("L", L)
    bval = C.clip_threshold(b)
    bounds = C.boundaries_for(land, L, boundaries)
    f0 = int(C.field_of(bounds, float(x0)))
    predicted = [None] * etas.size
    if max_steps is None and hasattr(land, "expr"):
        predicted = predicted_exit_means(land, L, bval, noise, f0, etas)
    caps = [step_cap(m, max_steps) for m in predicted]
    results = []
    k = len(etas)
    for i, (eta, cap) in enumerate(zip(etas, caps)):
        results.append(exit_times(land, L, eta, noise, b=bval, x0=x0, samples=samples,
                                  seed=seed, max_steps=cap.steps, boundaries=bounds,
                                  progress=progress, stream=i + 1,
                                  _progress_span=(i / k, (i + 1) / k)))
    means = np.array([r.mean for r in results])
    cens = np.array([r.n_censored for r in results])
    fit = fit_exit_slope(etas, means, cens, [r.times.size for r in results])
    slope, intercept, r_value = fit.slope, fit.intercept, fit.r_value
    f0 = results[0].field
    a = alpha if alpha is not None else noise.tail_index
    lstar = l_star_for(land, L, bval, bounds, f0)
    pred = None if a is None else float(exit_exponent(a, lstar))
    if progress is not None:
        progress(1.0, "exit study done")
    return ExitStudy(etas=etas, mean_exit_times=means, slope=slope, intercept=intercept,
                     r_value=r_value, predicted_slope=pred, field=f0, l_star=lstar,
                     alpha=a, censored=cens, caps=tuple(caps), results=tuple(results))


def l_star_for(land, L: float, b: float, bounds: np.ndarray, f: int) -> int:
    """l*_f = ceil(r_f / b) of field f (1 when unclipped), by ``landscape.theory``.

    The minima come from ``landscape.critical_points`` when ``land`` is a
    Landscape whose maxima match ``bounds``; otherwise the field's minimum is
    located from the sign change of f'.
    """
    b = C.clip_threshold(b)
    points = C.critical_points_for(land, L)
    if points is not None and len(points.maxima) == len(bounds) and \
            np.allclose(points.maxima, bounds) and len(points.minima) == len(bounds) + 1:
        return structure_for_widths(points.minima, points.maxima, b).l_star[f]
    ext = C.extended(bounds)
    m = field_minimum(compile_gradient(land), max(ext[f], -L), min(ext[f + 1], L))
    left = float(ext[f]) if math.isfinite(ext[f]) else None
    right = float(ext[f + 1]) if math.isfinite(ext[f + 1]) else None
    width = effective_width(m, left, right)
    return jumps(2 * L if math.isinf(width) else width, b)


def field_minimum(grad, lo: float, hi: float) -> float:
    """A zero of f' in (lo, hi) where f' goes from - to + (the field's minimum)."""
    xs = np.linspace(lo, hi, 4001)[1:-1]
    g = grad(xs)
    idx = np.flatnonzero((g[:-1] < 0) & (g[1:] >= 0))
    if idx.size == 0:
        return float(xs[np.argmin(np.abs(g))])
    from scipy.optimize import brentq

    i = int(idx[0])
    if g[i + 1] == 0:
        return float(xs[i + 1])
    return float(brentq(lambda v: float(grad(v)), xs[i], xs[i + 1]))

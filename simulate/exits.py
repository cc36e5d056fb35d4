"""First exits from an attraction field and the exit-time study (THEORY 5, Fig. 4)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from landscape.theory import effective_width, jumps, structure_for_widths

from . import _common as C
from . import config
from .errors import SimulationError
from .exit_caps import predicted_exit_means, step_cap
from .gradient import compile_gradient
from .noise import as_noise
from .protocols import ExitSamples, ExitStudy, Progress, assemble_study, study_etas
from .rng import FAMILY_CODES, seed_states
from .table import choose_gradient, kinks_of


@dataclass(frozen=True, kw_only=True, eq=False)
class ExitTimes(ExitSamples):
    """First-exit samples from the field of x0 on a 1-D landscape (:class:`ExitSamples`)."""


def exit_times(land, L, eta, noise, *, b=math.inf, x0, samples, seed=0,
               max_steps: int | None = None, boundaries=None,
               progress: Progress | None = None, stream: int = 0, tabulate: bool = True,
               progress_span=(0.0, 1.0), kernels=None) -> ExitTimes:
    """First-exit times from the field of ``x0``, ``samples`` independent runs.

    Each sample runs until the iterate leaves its start field (or
    ``max_steps``, then it is censored). Sample j uses the random stream
    (seed, stream, j). ``progress(fraction, message)`` is called between
    segments of ``config.EXIT_SEGMENT_STEPS`` steps, with fractions mapped into
    ``progress_span`` (a study's share for this eta). ``kernels``: a kernels module
    to use instead of the gradient's choice (tests, warm-up). ``tabulate``: use the
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
    a0, a1 = progress_span
    while limit < max_steps:
        limit = min(max_steps, limit + config.EXIT_SEGMENT_STEPS)
        module = kernels or choice.kernels(samples * (limit - done_limit))
        done_limit = limit
        with C.launch_guard():
            module.exit_kernel(*choice.args(), FAMILY_CODES[noise.family], noise.alpha_or_nan, noise.scale, eta, b,
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
    return ExitTimes(eta=eta, x0=x0f, field=f0, max_steps=max_steps, exit_steps=t,
                     destinations=dest, censored=censored, error=error,
                     seconds=_time.perf_counter() - t0, gradient=choice.method,
                     gradient_note=choice.note)


def exit_study(land, L, etas: Sequence[float], noise, *, b=math.inf, x0, samples, seed=0,
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
    etas = study_etas(etas)
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
                                  progress_span=(i / k, (i + 1) / k)))
    f0 = results[0].field
    return assemble_study(etas, results, caps, field=f0,
                          l_star=l_star_for(land, L, bval, bounds, f0),
                          alpha=alpha if alpha is not None else noise.tail_index,
                          progress=progress)


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

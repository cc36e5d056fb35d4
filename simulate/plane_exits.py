"""First exits from a field of a 2-D landscape (the 2-D counterpart of ``simulate.exits``).

* :func:`plane_exit_times`: first-exit samples from one field at one eta;
* :func:`plane_exit_study`: those for several eta, each capped by the one
  policy of ``simulate.exit_caps`` (the theory's mean exit time
  1/(q_i lambda_i(eta)) from :func:`predicted_plane_exit_means`, THEORY.md 11),
  with the censored means and the log-log slope of ``simulate.exit_caps``;
  ``simulate.protocols.ExitStudy`` holds the result, as in 1-D (same JSON).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from cachetools import LRUCache

from . import _common as C
from . import config
from .errors import SimulationError
from .exit_caps import step_cap
from .noise import as_noise
from .plane import PlaneGrids, checked_dynamics, start_points
from .plane_gradient import as_plane_gradient, choose_plane_gradient
from .protocols import ExitSamples, ExitStudy, Progress, assemble_study, study_etas
from .rng import FAMILY_CODES, seed_states


@dataclass(frozen=True, kw_only=True, eq=False)
class PlaneExitTimes(ExitSamples):
    """First-exit samples from one field of a 2-D landscape (:class:`ExitSamples`);
    unpacks as ``(exit_steps, destinations, censored)``."""

    def __iter__(self):
        return iter((self.exit_steps, self.destinations, self.censored))


def plane_exit_times(gradient, grids: PlaneGrids, *, field: int, R, eta, b, family, alpha=None,
                     scale=None, x0, samples: int, seed: int = 0,
                     max_steps: int = config.DEFAULT_MAX_EXIT_STEPS, stream: int = 0,
                     progress: Progress | None = None) -> PlaneExitTimes:
    """First-exit steps from field ``field`` (0-based) starting at ``x0``, ``samples`` runs.

    A sample exits at the first step whose iterate's nearest cell (of
    ``grids.kernel_grids(R)``) has a field label >= 0 other than ``field``;
    cells labelled -1 (no field) do not end it (the iterate has not reached
    another field). Sample j uses the streams (seed, 2 stream, j) and
    (seed, 2 stream + 1, j), as path j of :func:`simulate.plane.simulate_plane`.

    Raises
    ------
    SimulationError
        On bad parameters, a start in another field, or a single field.
    """
    R, eta, b, noise, seed, stream = checked_dynamics(R, eta, b, family, alpha, scale, seed, stream)
    samples = C.count("samples", samples, 1, config.MAX_SAMPLES)
    max_steps = C.count("max_steps", max_steps, 1, config.MAX_STEPS_PER_ADVANCE)
    if not isinstance(grids, PlaneGrids):
        raise SimulationError(f"grids must be PlaneGrids, got {type(grids).__name__}")
    m = grids.n_fields
    field = C.count("field", field, 0, m - 1)
    labels, _ = grids.kernel_grids(R)
    if not np.any((labels >= 0) & (labels != field)):
        raise SimulationError(f"there is no other field to exit to from field {field + 1}")
    xy = start_points(x0, samples, R)
    if np.ptp(xy, axis=0).any():
        raise SimulationError("plane_exit_times needs a single start point x0")
    x0 = (float(xy[0, 0]), float(xy[0, 1]))          # xy moves with the samples
    start = int(grids.field_of(xy[0, 0], xy[0, 1], R))
    if start >= 0 and start != field:
        raise SimulationError(f"the start ({xy[0, 0]:g}, {xy[0, 1]:g}) is in field {start + 1}, "
                              f"not in field {field + 1}")
    grad = as_plane_gradient(gradient)
    mod = grad.kernels()
    wst = seed_states(seed, samples, stream=2 * stream)
    dst = seed_states(seed, samples, stream=2 * stream + 1)
    t = np.zeros(samples, dtype=np.int64)
    dest = np.full(samples, -1, dtype=np.int64)
    err_step = np.full(samples, -1, dtype=np.int64)
    err_xy = np.full((samples, 2), np.nan)
    geo = np.array(grids.geometry())
    t0 = time.perf_counter()
    limit = 0
    while limit < max_steps:
        limit = min(max_steps, limit + config.EXIT_SEGMENT_STEPS)
        with C.launch_guard():
            mod.exit_plane_kernel(FAMILY_CODES[noise.family], noise.alpha_or_nan, noise.scale,
                                  eta, b, R, xy, wst, dst, labels, geo, field, t, dest, limit,
                                  err_step, err_xy)
        running = int(((dest < 0) & (err_step < 0)).sum())
        if progress is not None:
            progress(1.0 - running / samples, f"{samples - running}/{samples} samples exited "
                     f"({limit:,} steps so far)")
        if running == 0:
            break
    choice = choose_plane_gradient(grad, R)     # what grad.kernels() ran (for the record)
    error = None
    bad = np.flatnonzero(err_step >= 0)
    if bad.size:
        p = int(bad[0])
        error = (f"the gradient is not finite at (x, y) = ({err_xy[p, 0]:.17g}, "
                 f"{err_xy[p, 1]:.17g}) (sample {p + 1}, step {int(err_step[p]):,}); "
                 "that sample stopped there")
    return PlaneExitTimes(eta=eta, x0=x0, field=field,
                          max_steps=max_steps, exit_steps=t, destinations=dest,
                          censored=dest < 0, error=error, seconds=time.perf_counter() - t0,
                          gradient=choice.method, gradient_note=choice.note)


_RATES: LRUCache = LRUCache(maxsize=8)


def _plane_rates(analysis, noise: tuple):
    """``landscape.rates_plane`` rates of an analysis (a few kept), or the reason they fail."""
    from landscape.predict import predict_plane

    key = (analysis.landscape.text, analysis.R, analysis.b, analysis.label_grid.shape, noise)
    hit = _RATES.get(key)
    if hit is None:
        try:
            hit = predict_plane(analysis, noise).rates
        except ValueError as exc:
            hit = str(exc)
        _RATES[key] = hit
    return hit


def predicted_plane_exit_means(analysis, noise, field: int, etas) -> list[float | None]:
    """The theory's mean exit time 1/(q_i lambda_i(eta)) from a 2-D field, per eta.

    q_i from ``landscape.rates_plane`` (a segment: the mean over its points);
    when it cannot be computed (l* > 2, ...) the time scale 1/lambda_i(eta)
    stands in (q taken as 1), as in 1-D; None for light-tailed noise.
    """
    from landscape.tails import noise_parameters, tail_index, tail_probability
    from landscape.theory import mean_exit_steps

    family, alpha, scale = noise_parameters(noise)
    if tail_index(family, alpha) is None:
        return [None] * len(etas)
    rates = _plane_rates(analysis, (family, float(alpha), float(scale)))
    l_star = int(analysis.fields[field].l_star)
    q = 1.0 if isinstance(rates, str) else float(rates.q[field])
    return [mean_exit_steps(q, l_star, float(tail_probability(family, alpha, scale, 1.0 / e)), e)
            for e in etas]


def plane_exit_study(land, analysis, etas, noise, *, x0, samples: int, seed: int = 0,
                     max_steps: int | None = None, progress: Progress | None = None) -> ExitStudy:
    """Exit-time study of a 2-D field over several learning rates (1-D ``exit_study``'s twin).

    Parameters
    ----------
    land : PlaneLandscape (or a 2-D gradient)
    analysis : landscape.plane_analysis.PlaneAnalysis
        Fields, R and b (its b is the clipping threshold of the runs).
    etas : sequence of float
        At least two.
    noise : simulate.Noise
    x0 : (x, y)
        Start; its field is the one left.
    max_steps : int, optional
        Per-sample cap for every eta; default ``exit_caps.step_cap`` of the
        predicted mean exit time (the caps record that mean either way).
    progress : callable(fraction, message), optional

    Returns
    -------
    simulate.protocols.ExitStudy
        ``results`` holds one ``PlaneExitTimes`` per eta; an eta whose every
        sample hit its cap is left out of the slope (``censored`` says which).
    """
    noise = as_noise(noise)
    etas = study_etas(etas)
    grids = PlaneGrids.from_analysis(analysis)
    R, b = float(analysis.R), float(analysis.b)
    start = start_points(x0, 1, R)[0]
    field = int(grids.field_of(start[0], start[1], R))
    if field < 0:
        raise SimulationError(f"the start ({start[0]:g}, {start[1]:g}) is in no field")
    predicted = predicted_plane_exit_means(analysis, noise, field, etas)
    caps = [step_cap(m, max_steps) for m in predicted]
    results = []
    k = etas.size
    for i, (eta, cap) in enumerate(zip(etas, caps, strict=True)):
        def report(share, message, i=i, eta=eta, cap=cap):
            if progress is not None:
                progress((i + min(1.0, max(0.0, share))) / k,
                         f"eta = {eta:g} ({i + 1} of {k}, cap {cap.steps:,} steps): {message}")

        results.append(plane_exit_times(land, grids, field=field, R=R, eta=float(eta), b=b,
                                        family=noise, x0=tuple(start), samples=samples,
                                        seed=seed, stream=i + 1, max_steps=cap.steps,
                                        progress=report))
    return assemble_study(etas, results, caps, field=field,
                          l_star=int(analysis.fields[field].l_star), alpha=noise.tail_index,
                          progress=progress)

"""First exits from a field of a 2-D landscape (the 2-D counterpart of ``simulate.exits``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _common as C
from . import config
from .errors import SimulationError
from .plane import PlaneGrids, _checked_dynamics, _start_points
from .plane_gradient import as_plane_gradient
from .rng import FAMILY_CODES, seed_states


@dataclass(frozen=True, eq=False)
class PlaneExitTimes:
    """First-exit samples from one field; unpacks as ``(exit_steps, destinations, censored)``.

    Attributes
    ----------
    exit_steps : int64 (samples,)
        Step of the exit (max_steps if censored).
    destinations : int64 (samples,)
        0-based field entered; -1 if censored (or stopped by a non-finite gradient).
    censored : bool (samples,)
        True where the sample reached max_steps without leaving.
    """

    exit_steps: np.ndarray
    destinations: np.ndarray
    censored: np.ndarray
    field: int = 0
    max_steps: int = 0
    error: str | None = None
    seconds: float = 0.0

    def __iter__(self):
        return iter((self.exit_steps, self.destinations, self.censored))

    @property
    def mean(self) -> float:
        """Mean exit step; censored samples count as max_steps (then a lower bound)."""
        return float(self.exit_steps.mean()) if self.exit_steps.size else float("nan")

    def destination_counts(self) -> dict[int, int]:
        d = self.destinations[self.destinations >= 0]
        vals, cnt = np.unique(d, return_counts=True)
        return {int(v): int(c) for v, c in zip(vals, cnt)}

    def to_json(self) -> dict:
        """As ``python -m simulate exit-times`` (1-based fields)."""
        out = {"exit_times": [int(t) for t in self.exit_steps], "mean": self.mean,
               "destinations": {str(k + 1): v for k, v in self.destination_counts().items()},
               "censored": int(self.censored.sum()), "field": self.field + 1,
               "max_steps": self.max_steps}
        if self.error:
            out["error"] = self.error
        return out


def plane_exit_times(gradient, grids: PlaneGrids, *, field: int, R, eta, b, family, alpha=None,
                     scale=None, x0, samples: int, seed: int = 0,
                     max_steps: int = config.DEFAULT_MAX_EXIT_STEPS, stream: int = 0,
                     progress: Callable[[float, str], object] | None = None) -> PlaneExitTimes:
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
    R, eta, b, noise, seed, stream = _checked_dynamics(R, eta, b, family, alpha, scale, seed, stream)
    samples = C.count("samples", samples, 1, config.MAX_SAMPLES)
    max_steps = C.count("max_steps", max_steps, 1, config.MAX_STEPS_PER_ADVANCE)
    if not isinstance(grids, PlaneGrids):
        raise SimulationError(f"grids must be PlaneGrids, got {type(grids).__name__}")
    m = grids.n_fields
    field = C.count("field", field, 0, m - 1)
    labels, _ = grids.kernel_grids(R)
    if not np.any((labels >= 0) & (labels != field)):
        raise SimulationError(f"there is no other field to exit to from field {field + 1}")
    xy = _start_points(x0, samples, R)
    if np.ptp(xy, axis=0).any():
        raise SimulationError("plane_exit_times needs a single start point x0")
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
    error = None
    bad = np.flatnonzero(err_step >= 0)
    if bad.size:
        p = int(bad[0])
        error = (f"the gradient is not finite at (x, y) = ({err_xy[p, 0]:.17g}, "
                 f"{err_xy[p, 1]:.17g}) (sample {p + 1}, step {int(err_step[p]):,}); "
                 "that sample stopped there")
    return PlaneExitTimes(exit_steps=t, destinations=dest, censored=dest < 0, field=field,
                          max_steps=max_steps, error=error, seconds=time.perf_counter() - t0)

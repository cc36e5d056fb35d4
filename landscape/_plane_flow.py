"""Gradient flow in the ball from a grid: where each start ends (helper of plane_analysis).

The projected gradient flow x' = -grad f(x), kept in the ball |x| <= R (the
iterates of the algorithm are projected onto it, THEORY.md section 10), is
followed from every grid cell at once with NumPy: each point takes a descent
step of its own adaptive length (longer after a decrease of f, halved after a
failure: backtracking with an Armijo test), capped at a few grid spacings so
that the discrete path stays close to the flow line. A point stops when its
step has shrunk far below the grid spacing. The end points are then grouped:
end points in touching grid cells are one group (a connected set of
minimisers, such as a segment, is one group).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from . import config
from .errors import AnalysisError

_GROW = 1.6           # step factor after a successful step
_SHRINK = 0.4         # step factor after a failed one
_ARMIJO = 1e-4


@dataclass(kw_only=True, frozen=True, eq=False)
class FlowResult:
    """End points of the flow from the in-ball grid cells.

    ``end`` (N, 2), ``converged`` (N,) and ``cells`` (N, 2) the (row, col) of
    each start; ``groups`` (N,) the group of each converged end point
    (-1 if not converged); ``group_count``; ``iterations``.
    """

    end: np.ndarray
    converged: np.ndarray
    cells: np.ndarray
    groups: np.ndarray
    group_count: int
    iterations: int


def _finite_gradient(land, x, y):
    gx, gy = land.gradient(x, y)
    bad = ~(np.isfinite(gx) & np.isfinite(gy))
    if bad.any():
        gx = np.where(bad, 0.0, gx)
        gy = np.where(bad, 0.0, gy)
    return gx, gy


def descend(land, start_x: np.ndarray, start_y: np.ndarray, R: float, spacing: float,
            deadline: float, capture=None, progress=None,
            max_iterations: int | None = None):
    """Projected adaptive gradient descent from every start, vectorised.

    Parameters
    ----------
    progress : callable, optional
        Called every 10 iterations with the share of starts that have stopped.
    max_iterations : int, optional
        Descent steps at most (default ``config.PLANE_MAX_ITERATIONS``).
    capture : (grid, levels), optional
        ``grid`` (n, n) int: a minimiser set's index i on the cells of a
        sublevel component {f < levels[i]} that holds that set alone (-1
        elsewhere). f decreases along the flow, so a point in such a cell
        with f < levels[i] ends at set i: it stops there.

    Returns
    -------
    (x, y, converged, iterations, captured)
        ``captured[k]`` is the set that captured start k, or -1.

    Raises
    ------
    AnalysisError
        If f is undefined at most starts.
    """
    x = start_x.astype(np.float64).copy()
    y = start_y.astype(np.float64).copy()
    value = land.f(x, y)
    if np.mean(np.isfinite(value)) < 0.5:
        raise AnalysisError("f is undefined (NaN or infinite) on most of the ball; "
                            "choose another formula or a smaller R")
    value = np.where(np.isfinite(value), value, np.inf)
    gx, gy = _finite_gradient(land, x, y)
    norm = np.hypot(gx, gy)
    cap = config.PLANE_STEP_CAP * spacing
    typical = float(np.median(norm[norm > 0])) if np.any(norm > 0) else 1.0
    step = np.full(x.size, spacing / typical)    # time step per point: length t |grad f|
    tolerance = config.PLANE_STOP_FRACTION * spacing
    converged = np.zeros(x.size, dtype=bool)
    failed = np.zeros(x.size, dtype=bool)
    captured = np.full(x.size, -1, dtype=np.int64)
    converged[norm == 0] = True
    if capture is not None:
        captured = _captured(capture, x, y, value, R)
        converged |= captured >= 0
    active = np.flatnonzero(~converged)
    iterations = 0
    limit = config.PLANE_MAX_ITERATIONS if max_iterations is None else max_iterations
    while active.size and iterations < limit:
        iterations += 1
        if progress is not None and iterations % 10 == 0:
            progress(1.0 - active.size / x.size)
        if time.thread_time() > deadline:
            break                # the starts still moving are labelled by their neighbours
        ax, ay = x[active], y[active]
        agx, agy = _wall_tangent(ax, ay, gx[active], gy[active], R)
        anorm = np.hypot(agx, agy)
        length = np.minimum(step[active] * anorm, cap)
        scale = length / np.where(anorm > 0, anorm, 1.0)
        nx, ny = ax - scale * agx, ay - scale * agy
        radius = np.hypot(nx, ny)
        outside = radius > R
        if outside.any():
            shrink = R / radius[outside]
            nx[outside] *= shrink
            ny[outside] *= shrink
        new_value = land.f(nx, ny)
        moved = np.hypot(nx - ax, ny - ay)
        decrease = agx * (ax - nx) + agy * (ay - ny)
        accept = np.isfinite(new_value) & \
            (new_value <= value[active] - _ARMIJO * np.maximum(decrease, 0.0))
        accepted = active[accept]
        x[accepted], y[accepted], value[accepted] = nx[accept], ny[accept], new_value[accept]
        if accepted.size:
            gx[accepted], gy[accepted] = _finite_gradient(land, x[accepted], y[accepted])
        # the step grows after a success, shrinks after a failure, and never asks for
        # more than twice the cap (no overflow where the gradient is tiny)
        step[active] = np.minimum(step[active] * np.where(accept, _GROW, _SHRINK),
                                  2 * cap / np.maximum(anorm, 1e-300))
        failed[active[~accept]] = True
        # stopped: an accepted step that barely moved once the step length has met the
        # curvature (a failure so far) or the wall, or a failed step already tiny
        settled = failed[active] | outside
        done = np.where(accept, (moved < tolerance) & settled, length < tolerance)
        done |= anorm == 0
        if capture is not None and accepted.size:
            caught = _captured(capture, nx, ny, new_value, R)
            caught[~accept] = -1
            captured[active[caught >= 0]] = caught[caught >= 0]
            done |= caught >= 0
        converged[active[done]] = True
        active = active[~done]
    return x, y, converged, iterations, captured


def _wall_tangent(x, y, gx, gy, R):
    """The gradient, less its outward part at points on the wall where f decreases outwards.

    The projected flow slides along the wall there: stepping along the full
    gradient and projecting back would move a point sideways by only a small
    part of each step (thousands of steps near a point where the wall's
    tangential slope is small).
    """
    radius2 = x * x + y * y
    outward = x * gx + y * gy            # < 0: descent points out of the ball
    on_wall = (radius2 >= (R * (1 - 1e-9)) ** 2) & (outward < 0)
    if not on_wall.any():
        return gx, gy
    along = np.where(on_wall, outward / np.maximum(radius2, 1e-300), 0.0)
    return gx - along * x, gy - along * y


def _captured(capture, x, y, value, R):
    grid, levels = capture
    n = grid.shape[0]
    spacing = 2 * R / (n - 1)
    cols = np.clip(np.rint((x + R) / spacing).astype(np.int64), 0, n - 1)
    rows = np.clip(np.rint((y + R) / spacing).astype(np.int64), 0, n - 1)
    sets = grid[rows, cols].astype(np.int64)
    below = value < levels[np.maximum(sets, 0)]
    return np.where((sets >= 0) & below, sets, -1)


def group_ends(x: np.ndarray, y: np.ndarray, converged: np.ndarray, R: float,
               n: int) -> tuple[np.ndarray, int]:
    """Group converged end points whose grid cells touch (8-neighbours).

    Returns
    -------
    (groups, count)
        ``groups[k]`` in 0..count-1, or -1 for an end point that did not converge.
    """
    spacing = 2 * R / (n - 1)
    cols = np.clip(np.rint((x + R) / spacing).astype(np.int64), 0, n - 1)
    rows = np.clip(np.rint((y + R) / spacing).astype(np.int64), 0, n - 1)
    occupied = np.zeros((n, n), dtype=bool)
    occupied[rows[converged], cols[converged]] = True
    labels, count = ndimage.label(occupied, structure=np.ones((3, 3), dtype=bool))
    groups = np.where(converged, labels[rows, cols] - 1, -1)
    return groups, int(count)


def follow_flow(land, grid_x: np.ndarray, grid_y: np.ndarray, inside: np.ndarray, R: float,
                deadline: float, capture=None, progress=None,
                max_iterations: int | None = None) -> FlowResult:
    """Descend from every in-ball cell of the grid and group the end points.

    With ``capture`` (see :func:`descend`), ``groups`` of captured starts are
    ``-2 - set`` (the set that captured them).
    """
    n = grid_x.shape[0]
    spacing = 2 * R / (n - 1)
    cells = np.argwhere(inside)
    x, y, converged, iterations, captured = descend(land, grid_x[inside], grid_y[inside], R,
                                                    spacing, deadline, capture, progress,
                                                    max_iterations)
    free = converged & (captured < 0)
    groups, count = group_ends(x, y, free, R, n)
    groups = np.where(captured >= 0, -2 - captured, groups)
    return FlowResult(end=np.column_stack([x, y]), converged=converged, cells=cells,
                      groups=groups, group_count=count, iterations=iterations)

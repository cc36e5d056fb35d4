"""The b-independent part of a 2-D analysis: minimiser sets, fields on a grid, distances.

The flow is followed from every cell of an n x n grid over [-R, R]^2
(:mod:`landscape._plane_flow`), the end points grouped into minimiser sets
(:mod:`landscape._plane_sets`), each cell labelled with the field it flows to;
distances to a field are measured to the midpoints between neighbouring cells
of different fields. Saddles and maxima come from ``scipy.optimize.root`` of
the gradient, classified by the Hessian. :func:`plane_geometry` caches the
result per (formula, R, n, near); ``landscape.plane_analysis`` adds b.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from . import config
from ._plane_fields import (
    assign_free_ends,
    capture_grid,
    cell_lower_bound,
    field_distances,
    fill_unresolved,
    wall_saddles,
)
from ._plane_flow import follow_flow
from ._plane_points import MinimiserSet, critical_points, degenerate_warnings, extend_segment
from ._plane_sets import minimiser_sets
from .errors import AnalysisError
from .plane import PlaneLandscape


@dataclass(frozen=True, eq=False, kw_only=True)
class PlaneGeometry:
    """The b-independent part of an analysis (cached)."""

    sets: tuple[MinimiserSet, ...]
    distances: np.ndarray
    label_grid: np.ndarray
    near_grid: np.ndarray
    area_shares: tuple[float, ...]
    saddles: np.ndarray
    maxima: np.ndarray
    warnings: tuple[str, ...]
    seconds: float


def _geometry(land: PlaneLandscape, R: float, n: int, near: float, progress) -> PlaneGeometry:
    started = time.perf_counter()
    report = progress if progress is not None else (lambda share, stage: None)
    report(0.0, "critical points")
    cpu_started = time.thread_time()           # budgets in CPU time: one core, whatever the load
    deadline = cpu_started + config.PLANE_TIME_BUDGET
    axis_values = np.linspace(-R, R, n)
    grid_x, grid_y = np.meshgrid(axis_values, axis_values)
    inside = grid_x ** 2 + grid_y ** 2 <= R * R * (1 + 1e-12)
    spacing = 2 * R / (n - 1)
    f_grid = land.f(grid_x, grid_y)
    points, kinds, warnings = critical_points(land, grid_x, grid_y, inside, R,
                                              cpu_started + config.PLANE_ROOT_TIME_BUDGET)
    # 1. a coarse pass finds the minimiser sets
    m = min(n, config.PLANE_COARSE_GRID)
    coarse_axis = np.linspace(-R, R, m)
    coarse_x, coarse_y = np.meshgrid(coarse_axis, coarse_axis)
    coarse_spacing = 2 * R / (m - 1)
    report(0.1, "gradient flow from a coarse grid")
    coarse = follow_flow(land, coarse_x, coarse_y,
                         coarse_x ** 2 + coarse_y ** 2 <= R * R * (1 + 1e-12), R, deadline,
                         max_iterations=config.PLANE_COARSE_MAX_ITERATIONS)
    finite = f_grid[inside & np.isfinite(f_grid)]
    scale = float(np.ptp(finite)) if finite.size else 1.0
    sets, _, notes = minimiser_sets(land, coarse, R, coarse_spacing, scale)
    warnings.extend(notes)
    sets = [extend_segment(land, s, R, scale) if s.is_segment else s for s in sets]
    # 2. the full grid, each start stopped once it surely ends at a known set
    on_sets = [min((s.distance(*p) for s in sets), default=np.inf) <= 2 * coarse_spacing
               for p in points]
    barriers = [p for p, k, on in zip(points, kinds, on_sets, strict=True)
                if k in ("saddle", "max") or (k in ("degenerate", "min") and not on)]
    barriers = np.concatenate([np.reshape(barriers, (-1, 2)), wall_saddles(land, R, 8 * n)])
    capture = capture_grid(sets, barriers, cell_lower_bound(land, grid_x, grid_y, f_grid),
                           inside, R)
    report(0.2, f"gradient flow from {int(inside.sum())} grid cells")
    fine = follow_flow(land, grid_x, grid_y, inside, R, deadline, capture,
                       lambda share: report(0.2 + 0.7 * share, "gradient flow"))
    report(0.9, "widths and distances")
    start_set = assign_free_ends(land, fine, sets, R, spacing, coarse_spacing, scale,
                                  warnings)
    if not sets:
        raise AnalysisError("no minimum of f found in the ball: the gradient flow ends "
                            "nowhere (is f unbounded below or undefined there?)")
    if len(sets) > config.PLANE_MAX_FIELDS:
        raise AnalysisError(f"{len(sets)} minimiser sets in the ball (limit "
                            f"{config.PLANE_MAX_FIELDS}); choose a smaller R or a smoother f")
    order = sorted(range(len(sets)), key=lambda k: tuple(sets[k].points[0]))
    rank = np.empty(len(sets) + 1, dtype=np.int64)
    rank[order] = np.arange(len(sets))
    rank[-1] = -1
    sets = [sets[k] for k in order]
    labels = np.full((n, n), -1, dtype=np.int16)
    labels[fine.cells[:, 0], fine.cells[:, 1]] = rank[start_set]
    unconverged = 1.0 - float(np.mean(fine.converged))
    if unconverged > config.PLANE_UNCONVERGED_WARN:
        warnings.append(f"{unconverged:.0%} of the grid starts had not converged after "
                        f"{fine.iterations} descent steps (slow valleys); they are labelled by "
                        "their neighbours")
    fill_unresolved(labels, inside)
    distances = field_distances(sets, labels, axis_values)
    near_grid = np.full((n, n), -1, dtype=np.int16)
    closest = np.full((n, n), np.inf)
    for i, minimiser in enumerate(sets):
        d = minimiser.distance(grid_x, grid_y)
        better = inside & (d < near) & (d < closest)
        near_grid[better] = i
        closest[better] = d[better]
    counts = np.bincount(labels[inside].astype(np.int64), minlength=len(sets))
    shares = tuple(float(c) / max(1, int(inside.sum())) for c in counts)
    for minimiser in sets:
        if minimiser.at_wall:
            where = " to ".join(f"({x:.4g}, {y:.4g})" for x, y in minimiser.points)
            warnings.append(f"f decreases towards the wall |x| = R at {where}: iterates "
                            "pile up there (not a minimum of f)")
    degenerate = []
    for point, kind in zip(points, kinds, strict=True):
        on_set = min(s.distance(*point) for s in sets) <= 2 * spacing
        if kind == "min" and not on_set:
            warnings.append(f"a minimum at ({point[0]:.4g}, {point[1]:.4g}) has no grid start "
                            "flowing to it (its field is smaller than a grid cell); use a "
                            "larger grid")
        elif kind == "degenerate" and not on_set:
            degenerate.append(point)
    warnings.extend(degenerate_warnings(degenerate))
    saddles = points[[k == "saddle" for k in kinds]].reshape(-1, 2)
    maxima = points[[k == "max" for k in kinds]].reshape(-1, 2)
    report(1.0, "done")
    return PlaneGeometry(sets=tuple(sets), distances=distances, label_grid=labels,
                         near_grid=near_grid, area_shares=shares, saddles=saddles,
                         maxima=maxima, warnings=tuple(dict.fromkeys(warnings)),
                         seconds=time.perf_counter() - started)


_cache: OrderedDict[tuple, PlaneGeometry] = OrderedDict()
_cache_lock = threading.Lock()


def clear_geometry_cache() -> None:
    """Forget every cached geometry (for timings and tests)."""
    with _cache_lock:
        _cache.clear()


def plane_geometry(land: PlaneLandscape, R: float, n: int, near: float,
                   progress=None) -> PlaneGeometry:
    """The b-independent part of ``analyze_plane`` on an n x n grid (a few kept)."""
    key = (land.text, sympy_key(land), R, n, near)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    geometry = _geometry(land, R, n, near, progress)
    with _cache_lock:
        _cache[key] = geometry
        while len(_cache) > config.PLANE_CACHE_SIZE:
            _cache.popitem(last=False)
    return geometry


def sympy_key(land: PlaneLandscape) -> str:
    """The expression's text, so two landscapes with one text but other f never share a cache."""
    return str(land.expr)

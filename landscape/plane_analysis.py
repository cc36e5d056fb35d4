"""Attraction fields, jump numbers and the transition graph of f(x, y) in a ball.

Maths (THEORY.md section 10; indices 1-based in the maths and JSON, 0-based
in Python objects)
-------------------------------------------------------------------------
The iterates live in the ball |x| <= R (projected back onto it). The
attraction field Omega_i of a minimum, or of a connected set of minimisers
(the paper's segment), is the set of starts from which the (projected)
gradient flow ends there. Then, as in 1-D,
* r_i = distance from the minimiser set to the boundary of Omega_i (the
  ball's wall does not count), l*_i = ceil(r_i / b);
* l_{i,j} = ceil(dist(minimiser set of i, Omega_j) / b);
* the typical transition graph (edge i -> j iff l_{i,j} = l*_i), its
  communicating classes and large minima come from the same functions as in
  1-D (:func:`landscape.theory.structure_from_distances`).

How: the flow is followed from every cell of an n x n grid over [-R, R]^2
(:mod:`landscape._plane_flow`, vectorised NumPy), the end points grouped into
minimiser sets (:mod:`landscape._plane_points`), each cell labelled with the
field it flows to; distances to a field are measured to the midpoints between
neighbouring cells of different fields (accurate to half a grid spacing,
2R / (n - 1) / 2). Saddles and maxima come from ``scipy.optimize.root`` of
the gradient, classified by the Hessian. The b-independent part is cached.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

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
from .analysis import _check_alpha, structure_warnings
from .errors import AnalysisError
from .plane import PlaneLandscape
from .theory import Structure, clip_threshold, exit_exponent, structure_from_distances

__all__ = ["MinimiserSet", "PlaneAnalysis", "PlaneField", "analyze_plane"]


@dataclass(frozen=True, eq=False)
class PlaneField:
    """One attraction field: its minimiser set, width r_i, l*_i and share of the ball.

    ``index`` is its 0-based number; ``sharp`` is True if its minimum is small
    (not large) in its communicating class.
    """

    minimiser: MinimiserSet
    width: float
    l_star: int
    area_share: float
    index: int = 0
    sharp: bool = False


@dataclass(frozen=True, eq=False)
class _Geometry:
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


def _json_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True, eq=False)
class PlaneAnalysis:
    """Everything the theory says about one (f(x, y), R, b, alpha); see the module docstring.

    ``jump_matrix`` holds l_{i,j} with a zero diagonal (l*_i are in ``fields``
    and on the diagonal of ``structure.jump_matrix``, as in 1-D).
    ``label_grid`` and ``near_grid`` are int16 (n, n) arrays indexed
    [row = y index, col = x index], cell centres ``numpy.linspace`` over
    ``extent``; -1 outside the ball (label) or away from every minimiser set
    (near). ``seconds`` is how long the b-independent part took.
    """

    landscape: PlaneLandscape
    R: float
    b: float
    alpha: float | None
    fields: tuple[PlaneField, ...]
    saddles: np.ndarray
    maxima: np.ndarray
    jump_matrix: np.ndarray
    structure: Structure
    extent: tuple[float, float, float, float]
    label_grid: np.ndarray
    near_grid: np.ndarray
    warnings: tuple[str, ...]
    near: float = 0.5
    seconds: float = field(default=0.0)

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        """Edges i -> j of the typical transition graph (0-based)."""
        return self.structure.edges

    @property
    def classes(self):
        """Communicating classes (``landscape.theory.CommunicatingClass``)."""
        return self.structure.classes

    @property
    def irreducible(self) -> bool:
        """True if the graph has one communicating class."""
        return self.structure.irreducible

    @property
    def minima(self) -> tuple[MinimiserSet, ...]:
        """The minimiser set of each field."""
        return tuple(f.minimiser for f in self.fields)

    @property
    def wall_points(self) -> bool:
        """True if some sets are points on the wall, not minima of f (see ``suggest_radius``)."""
        return any(f.minimiser.at_wall for f in self.fields)

    @property
    def real_minima(self) -> int:
        """How many minimiser sets are minima of f (not points on the wall)."""
        return sum(not f.minimiser.at_wall for f in self.fields)

    @property
    def exit_exponents(self) -> tuple[float, ...] | None:
        """beta_i = alpha + (alpha - 1)(l*_i - 1) if alpha was given."""
        if self.alpha is None:
            return None
        return tuple(exit_exponent(self.alpha, f.l_star) for f in self.fields)

    def field_of(self, x, y) -> int | None:
        """0-based field of the point (x, y) (its nearest grid cell); None outside the ball."""
        n = self.label_grid.shape[0]
        spacing = 2 * self.R / (n - 1)
        col = int(np.rint((float(x) + self.R) / spacing))
        row = int(np.rint((float(y) + self.R) / spacing))
        if not (0 <= row < n and 0 <= col < n) or math.hypot(x, y) > self.R * (1 + 1e-12):
            return None
        label = int(self.label_grid[row, col])
        if label < 0:      # a cell whose centre is just outside the ball
            return int(self.label_grid[_nearest_inside(self.label_grid, row, col)])
        return label

    def to_json(self) -> dict:
        """The CLI JSON object (1-based indices; b = inf as the string "inf")."""
        exponents = self.exit_exponents
        data = {
            "R": self.R,
            "b": "inf" if math.isinf(self.b) else self.b,
            "alpha": self.alpha,
            "grid": int(self.label_grid.shape[0]),
            "minima": [f.minimiser.to_json() for f in self.fields],
            "saddles": [[float(v) for v in p] for p in self.saddles],
            "maxima": [[float(v) for v in p] for p in self.maxima],
            "fields": [{"field": f.index + 1, "minimum": f.minimiser.to_json(),
                        "value": _json_float(f.minimiser.value),
                        "width": _json_float(f.width), "l_star": f.l_star,
                        "area_share": f.area_share, "at_wall": f.minimiser.at_wall}
                       for f in self.fields],
            "jump_matrix": [[int(v) for v in row] for row in self.jump_matrix],
            "edges": [[i + 1, j + 1] for i, j in self.edges],
            "classes": [{"members": [i + 1 for i in c.members], "absorbing": c.absorbing,
                         "large": [i + 1 for i in c.large]} for c in self.classes],
            "irreducible": self.irreducible,
            "wall_points": self.wall_points,
            "warnings": list(self.warnings),
        }
        if exponents is not None:
            data["exit_exponents"] = [_json_float(beta) for beta in exponents]
        return data


def _nearest_inside(labels: np.ndarray, row: int, col: int) -> tuple[int, int]:
    rows, cols = np.nonzero(labels >= 0)
    k = int(np.argmin((rows - row) ** 2 + (cols - col) ** 2))
    return int(rows[k]), int(cols[k])


# --------------------------------------------------------------------------
# parameter checks
# --------------------------------------------------------------------------
def _check_positive(name: str, value, upper: float = 1e6) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number) or number <= 0 or number > upper:
        raise AnalysisError(f"{name} must be a finite number in (0, {upper:g}], not {value!r}")
    return number


def _check_grid(grid) -> int:
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) \
            or not config.PLANE_GRID_MIN <= grid <= config.PLANE_GRID_MAX:
        raise AnalysisError(f"grid must be an integer from {config.PLANE_GRID_MIN} to "
                            f"{config.PLANE_GRID_MAX}, not {grid!r}")
    return int(grid)


# --------------------------------------------------------------------------
# the b-independent geometry
# --------------------------------------------------------------------------
def _geometry(land: PlaneLandscape, R: float, n: int, near: float, progress) -> _Geometry:
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
    return _Geometry(tuple(sets), distances, labels, near_grid, shares, saddles, maxima,
                     tuple(dict.fromkeys(warnings)), time.perf_counter() - started)


_cache: OrderedDict[tuple, _Geometry] = OrderedDict()
_cache_lock = threading.Lock()


def _cached_geometry(land: PlaneLandscape, R: float, n: int, near: float,
                     progress=None) -> _Geometry:
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


def analyze_plane(land: PlaneLandscape, R: float, b: float, alpha: float | None = None,
                  grid: int = 301, near: float = 0.5, progress=None) -> PlaneAnalysis:
    """Fields, widths, jump numbers and the typical transition graph of f(x, y).

    Parameters
    ----------
    land : PlaneLandscape
    R : float
        Radius of the ball the iterates are projected onto, in (0, 1e6].
    b : float
        Clipping threshold, > 0, or ``math.inf`` (None, "inf") for no clipping.
    alpha : float, optional
        Tail index (> 1) of the noise; gives the exit-time exponents.
    grid : int
        Cells per side of the label grid (51 to 801).
    near : float
        Radius around each minimiser set for ``near_grid`` (the paper counts
        "near Omega_i" within 0.5).
    progress : callable, optional
        ``progress(share, stage)`` with share in [0, 1] and a few words on the
        stage, called now and then while the (uncached) geometry is computed:
        for a progress bar when an analysis takes more than a moment.

    Returns
    -------
    PlaneAnalysis

    Raises
    ------
    AnalysisError
        For bad parameters, a landscape without any minimum in the ball, too
        many minima, or an analysis over the time budget.
    """
    if not isinstance(land, PlaneLandscape):
        raise AnalysisError("analyze_plane needs a 2-D landscape f(x, y) (a formula in x "
                            "and y); use landscape.analyze for f(x)")
    R = _check_positive("R", R)
    b = clip_threshold(b)
    alpha = _check_alpha(alpha)
    n = _check_grid(grid)
    near = _check_positive("near", near, upper=2 * R)
    geometry = _cached_geometry(land, R, n, near, progress)
    m = len(geometry.sets)
    structure = structure_from_distances(tuple(s.centre for s in geometry.sets), (None,) * m,
                                         (None,) * m, geometry.distances, b)
    large = {i for c in structure.classes for i in c.large}
    fields = tuple(PlaneField(s, structure.widths[i], structure.l_star[i],
                              geometry.area_shares[i], i, i not in large)
                   for i, s in enumerate(geometry.sets))
    warnings = list(geometry.warnings)
    warnings += structure_warnings(structure, b, geometry.distances)
    jump_matrix = structure.jump_matrix.copy()     # the contract's l_{i,j}: diagonal 0
    np.fill_diagonal(jump_matrix, 0)
    return PlaneAnalysis(land, R, b, alpha, fields, geometry.saddles, geometry.maxima,
                         jump_matrix, structure, (-R, R, -R, R), geometry.label_grid,
                         geometry.near_grid, tuple(dict.fromkeys(warnings)), near,
                         geometry.seconds)

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
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from . import config
from ._plane_points import MinimiserSet
from .analysis import check_alpha, structure_warnings
from .errors import AnalysisError
from .plane import PlaneLandscape
from .plane_geometry import plane_geometry
from .theory import Structure, clip_threshold, exit_exponent, structure_from_distances

__all__ = ["MinimiserSet", "PlaneAnalysis", "PlaneField", "analyze_plane"]


@dataclass(frozen=True, eq=False, kw_only=True)
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


def _json_float(value):
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True, eq=False, kw_only=True)
class PlaneAnalysis:
    """Everything the theory says about one (f(x, y), R, b, alpha); see the module docstring.

    ``jump_matrix`` holds l_{i,j} with l*_i on its diagonal, as in 1-D
    (``structure.jump_matrix``; eqs. 5, 7).
    ``label_grid`` and ``near_grid`` are int16 (n, n) arrays indexed
    [row = y index, col = x index], cell centres ``numpy.linspace`` over
    ``extent``; -1 outside the ball (label) or away from every minimiser set
    (near). ``seconds`` is how long the b-independent part took.
    """

    dimension: ClassVar[int] = 2
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
    alpha = check_alpha(alpha)
    n = _check_grid(grid)
    near = _check_positive("near", near, upper=2 * R)
    geometry = plane_geometry(land, R, n, near, progress)
    m = len(geometry.sets)
    structure = structure_from_distances(tuple(s.centre for s in geometry.sets), (None,) * m,
                                         (None,) * m, geometry.distances, b)
    large = {i for c in structure.classes for i in c.large}
    fields = tuple(PlaneField(minimiser=s, width=structure.widths[i],
                              l_star=structure.l_star[i], area_share=geometry.area_shares[i],
                              index=i, sharp=i not in large)
                   for i, s in enumerate(geometry.sets))
    warnings = list(geometry.warnings)
    warnings += structure_warnings(structure, b, geometry.distances)
    return PlaneAnalysis(landscape=land, R=R, b=b, alpha=alpha, fields=fields,
                         saddles=geometry.saddles, maxima=geometry.maxima,
                         jump_matrix=structure.jump_matrix, structure=structure,
                         extent=(-R, R, -R, R), label_grid=geometry.label_grid,
                         near_grid=geometry.near_grid, warnings=tuple(dict.fromkeys(warnings)),
                         near=near, seconds=geometry.seconds)

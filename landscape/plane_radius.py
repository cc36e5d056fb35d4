"""A ball radius R that holds the minima of f(x, y): where f grows.

A 2-D formula typed with the 1-D default L = 1.6 (Himmelblau) may have every
minimum outside the ball: the analysis then finds only points on the wall,
where f keeps decreasing outwards. :func:`suggest_radius` looks in balls of
growing radius (2R, 4R, ...) until one has no point on its wall where
iterates could pile up (every start inside ends at a critical point
inside), then proposes the smallest round radius that holds every minimum
and saddle found in it with a margin and has no such wall point either. It
is pure and cheap (a coarse grid and Newton's method per ball).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import config
from ._plane_points import critical_points
from .errors import AnalysisError
from .plane import PlaneLandscape

__all__ = ["RadiusSuggestion", "suggest_radius"]


@dataclass(frozen=True)
class RadiusSuggestion:
    """A suggested ball radius and what it holds.

    Attributes
    ----------
    R : float
        The suggested radius (a round number).
    minima : tuple of (x, y)
        The minima of f it holds (found in the search ball).
    search_radius : float
        The radius of the ball the critical points were searched in, along
        whose wall f grows outwards.
    """

    R: float
    minima: tuple[tuple[float, float], ...]
    search_radius: float

    def to_json(self) -> dict:
        """``{"R": ..., "minima": [[x, y], ...], "search_radius": ...}``."""
        return {"R": self.R, "minima": [list(p) for p in self.minima],
                "search_radius": self.search_radius}


def _round_up(value: float) -> float:
    """The next number k * 10^e with k in 1, 1.2, 1.5, 2, 2.5, 3, 3.5, ..., 5, 6, 7, 8, 9."""
    exponent = math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10):
        candidate = step * 10.0 ** exponent
        if candidate >= value * (1 - 1e-12):
            return float(f"{candidate:.6g}")
    raise AssertionError("unreachable")


def wall_attractors(land: PlaneLandscape, R: float, count: int) -> np.ndarray:
    """Points of the circle |x| = R where the projected flow piles up.

    Local minima of f along the circle (``count`` angles sampled) where f
    decreases outwards: the flow on the wall slides into them and stays.
    Without any, every start in the ball ends at a critical point inside.
    """
    angles = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    x, y = R * np.cos(angles), R * np.sin(angles)
    values = land.f(x, y)
    gx, gy = land.gradient(x, y)
    with np.errstate(invalid="ignore"):
        low = np.isfinite(values) & (values <= np.roll(values, 1)) \
            & (values <= np.roll(values, -1)) & (x * gx + y * gy < 0)
    return np.column_stack([x[low], y[low]])


def suggest_radius(land: PlaneLandscape, R: float, *, grid: int = 121,
                   max_radius: float = config.PLANE_SUGGEST_MAX_R) -> RadiusSuggestion | None:
    """The smallest round radius holding the minima of f, searched from R outwards.

    Parameters
    ----------
    land : PlaneLandscape
    R : float
        The radius now in use; the search balls have radius 2R, 4R, ...
    grid : int
        Cells per side of each search ball's grid.
    max_radius : float
        The search stops (None) past this radius.

    Returns
    -------
    RadiusSuggestion or None
        None if every search ball up to ``max_radius`` has points on its wall
        where iterates pile up, or no minimum (f unbounded below, or
        decreasing far out).
    """
    if not isinstance(land, PlaneLandscape):
        raise AnalysisError("suggest_radius needs a 2-D landscape f(x, y)")
    if not (math.isfinite(R) and R > 0):
        raise AnalysisError(f"R must be a positive number, not {R!r}")
    search = 2.0 * R
    while search <= max_radius:
        axis = np.linspace(-search, search, grid)
        grid_x, grid_y = np.meshgrid(axis, axis)
        inside = grid_x ** 2 + grid_y ** 2 <= search * search
        points, kinds, _ = critical_points(land, grid_x, grid_y, inside, search,
                                           time.thread_time() + config.PLANE_ROOT_TIME_BUDGET)
        minima = [tuple(float(v) for v in p) for p, k in zip(points, kinds, strict=True)
                  if k == "min"]
        if minima and not len(wall_attractors(land, search, 8 * grid)):
            held = [p for p, k in zip(points, kinds, strict=True) if k in ("min", "saddle")]
            reach = max(math.hypot(*p) for p in held)
            margin = config.PLANE_SUGGEST_MARGIN * max(reach, search / 3)
            radius = _round_up(reach + margin)
            while radius < search and len(wall_attractors(land, radius, 8 * grid)):
                radius = _round_up(radius * (1 + 1e-9))     # the next round number up
            return RadiusSuggestion(min(radius, _round_up(search)), tuple(minima), search)
        search *= 2.0
    return None

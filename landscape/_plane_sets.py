"""Minimiser sets from the end points of the gradient flow (helper of plane_analysis).

The flow from the grid stops where its steps become tiny; in a narrow curved
valley (Rosenbrock) that happens all along the valley floor, at end points
spread over many cells although f has one minimum. So a group of touching end
points is classified, not just measured:

* an *interior* group is polished with a quasi-Newton minimisation from its
  lowest end point (and from its two extreme end points when it is long) and
  classified by the Hessian there. A negative eigenvalue means starts on the
  stable manifold of a saddle or maximum (dropped; their cells are labelled by
  their neighbours). A long group whose polished extremes meet at one point is
  that point (an ill-conditioned minimum is a point, never a segment). A long
  group is a segment only if f stays at its value along the straight line
  between the extremes; a long group of minimisers that is not straight (a
  circle, an arc) is refused in plain words: the theory (THEORY.md section 10)
  covers isolated minima and segments of minimisers.
* a *wall* group (the flow pushes outwards, iterates pile up on |x| = R) is
  polished along the wall (the projected flow moves along the circle to a
  local minimum of f on it); a wall point where f has a maximum along the
  wall is a saddle of the projected flow (dropped); f constant along an arc of
  the wall is refused as for curves.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import ndimage
from scipy.optimize import minimize, minimize_scalar

from . import config
from ._plane_points import MinimiserSet, minimum_warnings
from .errors import AnalysisError

__all__ = ["minimiser_sets", "polish_minimum"]


class _OutOfCalls(Exception):
    """A polish used up its evaluations."""


def _where(points) -> str:
    return ", ".join(f"({x:.4g}, {y:.4g})" for x, y in points)


def polish_minimum(land, start: np.ndarray, R: float, reach: float) -> np.ndarray:
    """A quasi-Newton minimisation of f from ``start``, kept if it stays within ``reach``.

    The result must lie in the ball and not above f(start); otherwise ``start``
    is returned unchanged.
    """
    start = np.asarray(start, dtype=np.float64)
    calls = [0]

    def value(p):
        calls[0] += 1
        if calls[0] > config.PLANE_POLISH_MAX_CALLS:    # a kink: line searches never end
            raise _OutOfCalls
        return float(land.f(np.float64(p[0]), np.float64(p[1])))

    def gradient(p):
        calls[0] += 1
        if calls[0] > config.PLANE_POLISH_MAX_CALLS:
            raise _OutOfCalls
        gx, gy = land.gradient(np.float64(p[0]), np.float64(p[1]))
        return np.array([float(gx), float(gy)])

    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result = minimize(value, start, jac=gradient, method="BFGS",
                              options={"gtol": config.PLANE_POLISH_GTOL, "maxiter": 200})
    except (ValueError, ArithmeticError, _OutOfCalls):
        return start
    point = _newton_refine(land, np.asarray(result.x, dtype=np.float64))
    if not np.all(np.isfinite(point)) or np.hypot(*point) > R \
            or np.hypot(*(point - start)) > reach or not value(point) <= value(start):
        return start
    return point


def _newton_refine(land, point: np.ndarray, steps: int = 8) -> np.ndarray:
    """A few Newton steps on grad f = 0 where the Hessian is positive definite.

    BFGS stops on an absolute gradient tolerance or on lost precision; at a weakly
    curved minimum (Schaffer N.2, Easom far from (pi, pi)) that can leave it far from
    the minimum in units of its own curvature. Newton's step does not depend on the
    scale of f; a step is kept only while it shrinks |grad f|.
    """
    with np.errstate(all="ignore"):
        slope = np.array([float(g) for g in land.gradient(*point)])
        for _ in range(steps):
            hxx, hxy, hyy = (float(h) for h in land.hessian(*point))
            matrix = np.array([[hxx, hxy], [hxy, hyy]])
            if not (np.all(np.isfinite(matrix)) and np.all(np.isfinite(slope))) \
                    or np.linalg.eigvalsh(matrix)[0] <= 0:
                break
            trial = point - np.linalg.solve(matrix, slope)
            trial_slope = np.array([float(g) for g in land.gradient(*trial)])
            if not np.all(np.isfinite(trial)) or not np.hypot(*trial_slope) < np.hypot(*slope):
                break
            point, slope = trial, trial_slope
    return point


def _eigenvalues(land, point) -> tuple[float, float]:
    hxx, hxy, hyy = (float(h) for h in land.hessian(*point))
    matrix = np.array([[hxx, hxy], [hxy, hyy]])
    if not np.all(np.isfinite(matrix)):
        return np.nan, np.nan
    low, high = np.linalg.eigvalsh(matrix)
    return float(low), float(high)


def _flat_tolerance(scale: float) -> float:
    """f counts as constant on a set when it varies by less than this."""
    return 1e-6 * max(1.0, scale)


def _extremes(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """The two end points furthest apart along the main axis, that length and the spread across."""
    if len(ends) < 2:
        return ends[0], ends[0], 0.0, 0.0
    centred = ends - ends.mean(axis=0)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    projection = centred @ axes[0]
    first, last = ends[int(np.argmin(projection))], ends[int(np.argmax(projection))]
    return first, last, float(np.ptp(projection)), float(singular[1]) / np.sqrt(len(ends))


def _is_closed(ends: np.ndarray, R: float, spacing: float) -> bool:
    """True if the cells of the end points enclose a hole (a closed curve)."""
    n = round(2 * R / spacing) + 1
    cols = np.clip(np.rint((ends[:, 0] + R) / spacing).astype(np.int64), 0, n - 1)
    rows = np.clip(np.rint((ends[:, 1] + R) / spacing).astype(np.int64), 0, n - 1)
    occupied = np.zeros((n, n), dtype=bool)
    occupied[rows, cols] = True
    occupied = ndimage.binary_dilation(occupied)
    return bool((ndimage.binary_fill_holes(occupied) & ~occupied).any())


def _curve_error(ends, R, spacing, what: str) -> AnalysisError:
    closed = _is_closed(ends, R, spacing)
    first, last, _, _ = _extremes(ends)
    shape = "a closed curve" if closed else "a curve"
    return AnalysisError(
        f"{what} form {shape} through {_where([first, last])} (not isolated "
        "points or a straight segment): outside the theory, which covers isolated minima "
        "and segments of minimisers; change f or R")


def _pushed_out(land, point, R: float, spacing: float) -> bool:
    """True near the wall where f decreases outwards and ``point`` is not a critical point."""
    if np.hypot(*point) < R - 2 * spacing:
        return False
    gx, gy = (float(g) for g in land.gradient(*point))
    low, high = _eigenvalues(land, point)
    curvature = max(abs(low), abs(high)) if np.isfinite(low) else 0.0
    return point[0] * gx + point[1] * gy < 0 and np.hypot(gx, gy) > 1e-6 * spacing * curvature


def _descends_nearby(land, point, step: float, tolerance: float) -> bool:
    """True if f is lower by more than ``tolerance`` at distance ``step`` in one of 16 directions.

    A minimum (even a flat or ill-conditioned one, once polished) passes; a
    point where the flow got stuck on a kink of f (max(x, y) along x = y)
    or a degenerate critical point that is no minimum does not.
    """
    angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
    around = land.f(point[0] + step * np.cos(angles), point[1] + step * np.sin(angles))
    here = float(land.f(*point))
    return bool(np.nanmin(around, initial=np.inf) < here - tolerance)


def _interior_set(land, ends, values, R, spacing, scale, refine):
    """The minimiser set of one interior group, or None if the group is not at a minimum."""
    lowest = ends[int(np.nanargmin(values))] if np.isfinite(values).any() else ends[0]
    first, last, length, spread = _extremes(ends)
    reach = length + 3 * spacing
    point = polish_minimum(land, lowest, R, reach) if refine else lowest
    if _pushed_out(land, point, R, spacing):       # the flow was still on its way to the wall
        near = np.hypot(ends[:, 0], ends[:, 1]) >= R - 2 * spacing
        return _wall_set(land, ends[near], values[near], R, spacing, scale), None
    low, high = _eigenvalues(land, point)
    tolerance = config.PLANE_DEGENERATE_REL_TOL * max(abs(low), abs(high), 1e-300)
    step = 1e-3 * spacing
    if low < -tolerance or _descends_nearby(land, point, step, 1e-6 * step * scale / R):
        return None, None           # starts on the stable manifold of a saddle or maximum,
                                    # or stuck at a kink of f that still descends
    value = float(land.f(*point))
    short = length <= config.PLANE_SEGMENT_CELLS * spacing
    if short and abs(low) <= tolerance and _descends_nearby(
            land, point, 2 * spacing, 1e-9 * max(1.0, abs(value))):
        return None, None           # a degenerate critical point that is no minimum (x^3 + y^2)
    single = MinimiserSet(point[None, :], value)
    if short:
        return single, None
    # a long group: one ill-conditioned minimum, a segment, or a curve of minimisers
    ends_polished = [polish_minimum(land, p, R, reach) for p in (first, last)]
    if all(np.hypot(*(p - point)) <= config.PLANE_SEGMENT_CELLS * spacing
           for p in ends_polished):
        return single, None
    flat = _flat_tolerance(scale)
    chord = first + np.linspace(0.0, 1.0, 33)[:, None] * (last - first)
    along = land.f(chord[:, 0], chord[:, 1])
    finite = values[np.isfinite(values)]
    lowest_value = float(np.min(finite)) if finite.size else value
    points = np.array(sorted([tuple(first), tuple(last)]), dtype=np.float64)
    where = _where(points)
    if np.all(np.isfinite(along)) and float(np.max(along)) - lowest_value <= flat:
        note = None
        if spread > config.PLANE_SEGMENT_CELLS * spacing:
            note = (f"the minimisers near {where} form a region, not a segment; it is treated "
                    "as the segment between its extreme points")
        return MinimiserSet(points, lowest_value), note
    sample = ends[np.linspace(0, len(ends) - 1, min(len(ends), 12)).astype(np.int64)]
    polished = np.array([polish_minimum(land, p, R, 3 * spacing) for p in sample])
    levels = land.f(polished[:, 0], polished[:, 1])
    if np.all(np.isfinite(levels)) and float(np.ptp(levels)) <= flat:
        raise _curve_error(ends, R, spacing, "the minimisers of f")
    return single, (f"the gradient flow is very slow along a valley from {where}; its starts "
                    f"are counted with the valley's lowest point {_where([point])}")


def _on_wall(land, R):
    def value(theta):
        return float(land.f(R * np.cos(theta), R * np.sin(theta)))
    return value


def _wall_set(land, ends, values, R, spacing, scale):
    """The wall point of one wall group (a local minimum of f along the wall), or None."""
    along = _on_wall(land, R)
    if not len(ends):
        return None
    lowest = ends[int(np.nanargmin(values))] if np.isfinite(values).any() else ends[0]
    first, last, length, _ = _extremes(ends)
    angle = float(np.arctan2(lowest[1], lowest[0]))
    width = (length + 3 * spacing) / R
    try:
        result = minimize_scalar(along, bounds=(angle - width, angle + width),
                                 method="bounded", options={"xatol": 1e-12})
        theta = float(result.x) if along(float(result.x)) <= along(angle) else angle
    except (ValueError, ArithmeticError):
        theta = angle
    h = 1e-4
    curvature = (along(theta + h) - 2 * along(theta) + along(theta - h)) / (h * h)
    if curvature < -config.PLANE_DEGENERATE_REL_TOL * max(1.0, abs(curvature)):
        return None                  # a maximum of f along the wall: a saddle of the flow
    point = np.array([R * np.cos(theta), R * np.sin(theta)])
    if length > config.PLANE_SEGMENT_CELLS * spacing:
        span = np.linspace(0.0, 1.0, 33)
        angles = np.arctan2(first[1], first[0]) + span * _angle_between(first, last)
        levels = np.array([along(t) for t in angles])
        if np.all(np.isfinite(levels)) and np.ptp(levels) <= _flat_tolerance(scale):
            raise _curve_error(ends, R, spacing, "f decreases towards the wall |x| = R and is "
                                             "constant along it: the points where iterates "
                                             "pile up")
    return MinimiserSet(point[None, :], along(theta), True)


def _angle_between(a, b) -> float:
    turn = np.arctan2(b[1], b[0]) - np.arctan2(a[1], a[0])
    return float((turn + np.pi) % (2 * np.pi) - np.pi)


def minimiser_sets(land, flow, R: float, spacing: float, scale: float = 1.0,
                   refine: bool = True):
    """Minimiser sets from the groups of end points, and the groups that are not minima.

    ``scale`` is the range of f in the ball: f counts as constant on a set
    when it varies by less than 1e-6 of it. ``refine`` polishes points.

    Returns
    -------
    (sets, group_to_set, warnings)
        ``group_to_set[g]`` is the index in ``sets`` of group g, or -1.

    Raises
    ------
    AnalysisError
        If minimisers (or wall points) form a curve that is not a straight segment.
    """
    sets: list[MinimiserSet] = []
    group_to_set = np.full(flow.group_count, -1, dtype=np.int64)
    notes: list[str] = []
    order = np.argsort(flow.groups, kind="stable")
    sorted_groups = flow.groups[order]
    for group in range(flow.group_count):
        lo, hi = np.searchsorted(sorted_groups, [group, group + 1])
        ends = flow.end[order[lo:hi]]
        values = land.f(ends[:, 0], ends[:, 1])
        at_wall = np.mean(np.hypot(ends[:, 0], ends[:, 1]) >= R * (1 - 1e-9)) > 0.5
        if at_wall:
            found, note = _wall_set(land, ends, values, R, spacing, scale), None
        else:
            found, note = _interior_set(land, ends, values, R, spacing, scale, refine)
        if note:
            notes.append(note)
        if found is None:
            continue
        same = [k for k, s in enumerate(sets) if not s.is_segment and not found.is_segment
                and s.at_wall == found.at_wall and s.distance(*found.points[0]) <= spacing]
        if same:                     # two groups polished to one point
            group_to_set[group] = same[0]
            continue
        group_to_set[group] = len(sets)
        sets.append(found)
    notes.extend(minimum_warnings(land, sets, spacing))
    return sets, group_to_set, notes

"""Minimiser sets and critical points of f(x, y) in the ball (helper of plane_analysis).

* :class:`MinimiserSet`: a point or a segment (see :mod:`landscape._plane_sets`
  for how the groups of flow end points become sets);
* :func:`critical_points`: ``scipy.optimize.root`` of the gradient (Jacobian:
  the Hessian) from the grid cells where |grad f| is locally smallest,
  classified by the Hessian's eigenvalues.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.optimize import root

from . import config


@dataclass(frozen=True, eq=False)
class MinimiserSet:
    """An isolated minimum (one point) or a segment of minimisers (its two ends).

    Attributes
    ----------
    points : numpy.ndarray
        Shape (k, 2): k == 1 for an isolated minimum, k == 2 for a segment's
        ends (ordered by x, then y).
    value : float
        f on the set.
    at_wall : bool
        True if it is not a minimum of f but where the flow piles up against
        the wall |x| = R (f decreases outwards there).
    """

    points: np.ndarray
    value: float
    at_wall: bool = False

    @property
    def is_segment(self) -> bool:
        """True for a segment of minimisers."""
        return len(self.points) == 2

    @property
    def centre(self) -> tuple[float, float]:
        """The point (or the segment's midpoint), as a tuple."""
        middle = np.mean(self.points, axis=0)
        return float(middle[0]), float(middle[1])

    def distance(self, x, y) -> np.ndarray:
        """Distance from the points (x, y) (broadcast) to the set."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        (ax, ay) = self.points[0]
        if not self.is_segment:
            return np.hypot(x - ax, y - ay)
        (bx, by) = self.points[1]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / length2, 0.0, 1.0) if length2 > 0 \
            else np.zeros(np.broadcast(x, y).shape)
        return np.hypot(x - (ax + t * dx), y - (ay + t * dy))

    def to_json(self):
        """``[x, y]`` for a point, ``{"segment": [[x1, y1], [x2, y2]]}`` for a segment."""
        rows = [[float(v) for v in p] for p in self.points]
        return {"segment": rows} if self.is_segment else rows[0]


def hessian_kind(hxx: float, hxy: float, hyy: float) -> str:
    """"min", "max", "saddle" or "degenerate" from the Hessian's eigenvalues."""
    matrix = np.array([[hxx, hxy], [hxy, hyy]], dtype=np.float64)
    if not np.all(np.isfinite(matrix)):
        return "degenerate"
    low, high = np.linalg.eigvalsh(matrix)
    tolerance = config.PLANE_DEGENERATE_REL_TOL * max(abs(low), abs(high), 1e-300)
    if low > tolerance:
        return "min"
    if high < -tolerance:
        return "max"
    if low < -tolerance and high > tolerance:
        return "saddle"
    return "degenerate"


def _newton(land, starts: np.ndarray, spacing: float, iterations: int = 40) -> np.ndarray:
    """Newton's method on grad f = 0 from every start at once (steps at most a grid spacing).

    The Hessian is inverted on its eigenvectors with eigenvalues not near zero
    (a pseudo-inverse), so a curve of critical points does not blow a step up.
    """
    points = np.array(starts, dtype=np.float64).reshape(-1, 2)
    if not points.size:
        return points
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            gx, gy = land.gradient(points[:, 0], points[:, 1])
            hxx, hxy, hyy = land.hessian(points[:, 0], points[:, 1])
            hessian = np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)
            good = np.all(np.isfinite(hessian), axis=(1, 2)) & np.isfinite(gx) & np.isfinite(gy)
            hessian[~good] = np.eye(2)
            values, vectors = np.linalg.eigh(hessian)
            gradient = np.where(good[:, None], np.column_stack([gx, gy]), 0.0)
            along = np.einsum("kij,ki->kj", vectors, gradient)
            eigen_scale = np.max(np.abs(values), axis=1, keepdims=True)
            large = np.abs(values) > config.PLANE_DEGENERATE_REL_TOL * eigen_scale
            step = np.einsum("kij,kj->ki", vectors,
                             np.where(large, along / np.where(large, values, 1.0), 0.0))
            length = np.hypot(step[:, 0], step[:, 1])
            step *= np.minimum(1.0, spacing / np.maximum(length, 1e-300))[:, None]
            points -= step
            if np.all(length <= 1e-14 * (1.0 + np.abs(points).max())):
                break
    return points


def critical_points(land, grid_x, grid_y, inside, R: float, deadline: float):
    """Critical points of f in the ball from the grid's local minima of |grad f|.

    Returns
    -------
    (points, kinds, warnings)
        ``points`` (k, 2) sorted by x then y, ``kinds`` "min", "max", "saddle"
        or "degenerate".
    """
    gx, gy = land.gradient(grid_x, grid_y)
    magnitude = np.where(inside & np.isfinite(gx) & np.isfinite(gy), np.hypot(gx, gy), np.inf)
    local = (magnitude == ndimage.minimum_filter(magnitude, size=3, mode="nearest")) \
        & np.isfinite(magnitude)
    rows, cols = np.nonzero(local)
    spacing = 2 * R / (grid_x.shape[0] - 1)
    # a critical point within a cell of (x, y) needs |grad f| <~ |Hessian| * spacing there
    hxx, hxy, hyy = land.hessian(grid_x[rows, cols], grid_y[rows, cols])
    curvature = np.nan_to_num(np.maximum(np.maximum(np.abs(hxx), np.abs(hxy)), np.abs(hyy)),
                              nan=np.inf, posinf=np.inf)
    keep = magnitude[rows, cols] <= 2 * spacing * curvature
    rows, cols = rows[keep], cols[keep]
    order = np.argsort(magnitude[rows, cols])
    warnings: list[str] = []
    if order.size > config.PLANE_MAX_ROOT_STARTS:
        warnings.append(f"{order.size} candidate critical points; only the "
                        f"{config.PLANE_MAX_ROOT_STARTS} with the smallest gradient were "
                        "examined (saddles or maxima may be missing)")
        order = order[:config.PLANE_MAX_ROOT_STARTS]
    scale = float(np.max(magnitude[np.isfinite(magnitude)], initial=1.0))

    def equations(p):
        g = land.gradient(np.float64(p[0]), np.float64(p[1]))
        h = land.hessian(np.float64(p[0]), np.float64(p[1]))
        jacobian = np.array([[float(h[0]), float(h[1])], [float(h[1]), float(h[2])]])
        if not np.all(np.isfinite(jacobian)):
            jacobian = np.eye(2)
        return np.array([float(g[0]), float(g[1])]), jacobian

    starts = np.column_stack([grid_x[rows[order], cols[order]], grid_y[rows[order], cols[order]]])
    newton = _newton(land, starts, spacing)
    found: list[np.ndarray] = []

    def accept(point, start) -> bool:
        if not np.all(np.isfinite(point)) or np.hypot(*point) > R \
                or np.hypot(*(point - start)) > 4 * spacing:
            return False
        residual = np.hypot(*equations(point)[0])
        if not residual <= 1e-8 * max(1.0, scale):
            return False
        if not any(np.hypot(*(point - other)) <= 1e-6 * max(1.0, R) for other in found):
            found.append(point)
        return True

    for start, point in zip(starts, newton, strict=True):
        if accept(point, start) or (np.all(np.isfinite(point))
                                    and np.hypot(*(point - start)) > 4 * spacing):
            continue               # found, or Newton went to a critical point elsewhere
        if time.thread_time() > deadline:    # scipy's root for the starts Newton missed
            warnings.append("the search for saddles and maxima was cut short by the time "
                            "budget (some may be missing)")
            break
        try:
            result = root(equations, start, jac=True, method="hybr")
        except (ValueError, ArithmeticError):
            continue
        accept(np.asarray(result.x, dtype=np.float64), start)
    found.sort(key=lambda p: (p[0], p[1]))
    points = np.array(found, dtype=np.float64).reshape(-1, 2)
    kinds = [hessian_kind(*(float(h) for h in land.hessian(*p))) for p in points]
    return points, kinds, warnings


def extend_segment(land, minimiser: MinimiserSet, R: float, scale: float) -> MinimiserSet:
    """Move a segment's ends outwards along its line while f stays at the set's value.

    The ends found from grid starts lie inside the true segment (by up to a
    grid spacing); along the line f stays within a tolerance of the set's
    value up to the true end (found by bisection) or the wall.
    """
    first, last = minimiser.points
    direction = (last - first) / np.hypot(*(last - first))
    values = land.f(minimiser.points[:, 0], minimiser.points[:, 1])
    tolerance = max(10.0 * float(np.ptp(values)), 1e-9 * max(1.0, scale))
    limit = minimiser.value + tolerance

    def on_set(points):
        found = land.f(points[..., 0], points[..., 1])
        return np.isfinite(found) & (found <= limit)

    ends = []
    for end, step in ((first, -direction), (last, direction)):
        along = float(end @ step)
        t_wall = -along + np.sqrt(max(along * along - (end @ end - R * R), 0.0))
        ts = np.linspace(0.0, t_wall, 401)
        inside = on_set(end + ts[:, None] * step)
        if inside.all():
            ends.append(end + t_wall * step)
            continue
        k = int(np.argmin(inside))
        if k == 0:
            ends.append(end)
            continue
        low, high = ts[k - 1], ts[k]
        for _ in range(50):
            middle = 0.5 * (low + high)
            if on_set(end + middle * step):
                low = middle
            else:
                high = middle
        ends.append(end + low * step)
    points = np.array(sorted(tuple(p) for p in ends), dtype=np.float64)
    return MinimiserSet(points, minimiser.value, minimiser.at_wall)


def degenerate_warnings(points) -> list[str]:
    """One warning per degenerate critical point, or one for a curve of them."""
    if len(points) <= 3:
        return [f"degenerate critical point at ({x:.4g}, {y:.4g}) (the Hessian is singular "
                "there)" for x, y in points]
    radii = np.hypot(*np.transpose(points))
    shape = (f"on a circle of radius {np.mean(radii):.4g} around the origin"
             if np.ptp(radii) <= 1e-3 * max(1.0, float(np.mean(radii))) else "along a curve")
    return [(f"{len(points)} degenerate critical points (the Hessian is singular there) lie "
             f"{shape}, e.g. at ({points[0][0]:.4g}, {points[0][1]:.4g}): f has a curve of "
             "critical points (not isolated ones, outside the theory)")]


#: an isolated minimum is degenerate when f rises over a grid cell along the Hessian's
#: weakest direction more than this many times what that eigenvalue predicts
DEGENERATE_RISE = 1e3


def minimum_warnings(land, sets, spacing: float) -> list[str]:
    """One warning per isolated minimum outside Assumption 1: a kink or cusp, or degenerate.

    The 2-D counterpart of the 1-D notes "f is not C^2 at x" and "degenerate
    minimum at x": the Hessian at the point is not finite (the cone of
    sqrt(x^2 + y^2), Ackley's function at 0), or f's second difference over a grid
    cell along the Hessian's weakest direction is far above its smallest eigenvalue
    (x^4 + y^4, x^2 + y^4, abs(x) + abs(y), whose Hessian is 0 beside the kink). A
    minimum that is merely shallow (Easom far from (pi, pi)) is quadratic and passes.
    """
    notes = []
    for minimiser in sets:
        if minimiser.at_wall or minimiser.is_segment:
            continue
        x, y = (float(v) for v in minimiser.points[0])
        where = f"({x:.4g}, {y:.4g})"
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = (float(h) for h in land.hessian(np.float64(x), np.float64(y)))
            if not all(np.isfinite((hxx, hxy, hyy))):
                notes.append(f"f is not twice differentiable at the minimum {where} (a kink "
                             "or cusp: its Hessian is not finite there); the theory assumes f "
                             "is C^2 (Assumption 1), so its numbers for this field are only "
                             "indicative")
                continue
            values, vectors = np.linalg.eigh([[hxx, hxy], [hxy, hyy]])
            ux, uy = spacing * vectors[:, 0]
            here, ahead, behind = land.f(np.array([x, x + ux, x - ux]),
                                         np.array([y, y + uy, y - uy]))
            rise = float(ahead + behind - 2 * here) / spacing ** 2
        if values[0] <= 0 or rise > DEGENERATE_RISE * values[0]:
            notes.append(f"the minimum at {where} is degenerate: its Hessian's smallest "
                         f"eigenvalue {values[0]:.2g} is far below how f rises across a grid "
                         f"cell there ({rise:.2g}), as for x^4 or a kink of abs; outside "
                         "Assumption 1, which needs non-degenerate minima")
    return notes

"""Theorem 1's constants q_{i,j}, q_i for f(x, y) in a ball (THEORY.md section 11).

Maths
-----
A jump w = r theta of isotropic noise has the measure alpha r^(-alpha-1) dr
sigma(dtheta) (sigma uniform on the circle; nu(|w| > x) = x^-alpha) and moves
the iterate by phi_b(w) = min(1, b/|w|) w, after which it is projected onto
the ball |x| <= R. The l*-jump path from the minimiser m_i: jump, follow the
gradient flow dx/dt = -grad f, jump, ...; q_{i,j} = mu_i{the path ends in
Omega_j}, mu_i = nu^l x Lebesgue^(l-1), q_i = sum_j q_{i,j}.

* l* = 1 (``method "rays"``): along each direction theta, an interval (a, c)
  of the ray m_i + r theta (0 < r <= b) inside Omega_j adds a^-alpha - c^-alpha,
  the point at r = b adds the atom b^-alpha; midpoint rule over theta
  (:meth:`landscape._plane_jumps.FieldMap.ray_rates`, fields from the refined
  field map). Error stated = |n_theta rule - n_theta/2 rule| + the bound from
  placing each crossing to within half a sample step.
* l* = 2 (``method "qmc"``): q_{i,j} = int nu(dw_1) int_0^inf E_j(x(t)) dt,
  x(0) = proj(m_i + phi_b(w_1)), E_j(y) = the l* = 1 rate from y. Only jumps
  longer than r_lo (about r_i - b, checked: flows from that circle never come
  within b of another field) matter; |w_1| = r_lo u^(-1/alpha) clipped to b,
  (theta_1, u) scrambled Sobol points (``scipy.stats.qmc``), weight r_lo^-alpha;
  the time integral by RK4 along every flow with E_j bilinear in a table on a
  sub-grid of the analysis' grid. Error stated = 2 x the standard error over
  independent scramblings + the crossing bound + the table's interpolation
  error measured at random points.
* A minimiser segment has no single m_i: the rates are computed from
  ``config.PLANE_RATES_SEGMENT_POINTS`` points spread evenly along it; ``q_matrix`` holds their
  mean (a start spread uniformly along the segment), ``q_low`` / ``q_high`` the
  smallest and largest q_i over the points.

Every prediction is the eta -> 0 limit (``theory.LIMIT_NOTE``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from scipy.stats import qmc

from . import config
from ._plane_jumps import FieldMap, project
from .errors import TheoryError
from .rates import ExitRates


@dataclass(kw_only=True, frozen=True)
class PlaneExitRates(ExitRates):
    """``ExitRates`` of a 2-D landscape, with the range over a segment's points.

    Attributes
    ----------
    q_low, q_high : ndarray (n,)
        Smallest and largest q_i over the points of the field's minimiser set
        (equal to q_i for an isolated minimum); q_i itself is their mean.
    methods : tuple of str
        "rays" (l* = 1), "qmc" (l* = 2) or "none" (nothing to escape to).
    seconds : float
    """

    q_low: np.ndarray = field(default=None, repr=False)
    q_high: np.ndarray = field(default=None, repr=False)
    methods: tuple[str, ...] = ()
    seconds: float = 0.0


def plane_exit_rates(analysis, alpha: float, *, n_theta: int = config.PLANE_RATES_N_THETA,
                     qmc_points: int = config.PLANE_RATES_QMC_POINTS,
                     replicates: int = config.PLANE_RATES_QMC_REPLICATES, seed: int = 0,
                     time_budget: float = config.PLANE_RATES_TIME_BUDGET) -> PlaneExitRates:
    """q_{i,j} and q_i of every field of a ``PlaneAnalysis`` (module docstring).

    Raises
    ------
    TheoryError
        alpha <= 1, a field with l* > ``config.PLANE_RATES_MAX_L_STAR``, Assumption 3
        (r_i / b an integer), or more than ``time_budget`` seconds.
    """
    started = time.perf_counter()
    if alpha is None or not alpha > 1:
        raise TheoryError(f"the rates need a tail index alpha > 1, not {alpha!r}")
    b = float(analysis.b)
    fields = analysis.fields
    too_many = [f for f in fields if f.l_star > config.PLANE_RATES_MAX_L_STAR]
    if too_many:
        names = ", ".join(f"Omega_{f.index + 1} (l* = {f.l_star})" for f in too_many)
        raise TheoryError(f"{names} needs more than {config.PLANE_RATES_MAX_L_STAR} jumps to "
                          "leave; in two "
                          f"dimensions the constants q are computed up to l* = "
                          f"{config.PLANE_RATES_MAX_L_STAR} only (choose a larger b)")
    for f in fields:
        if f.l_star >= 2 and f.width - (f.l_star - 1) * b <= config.ASSUMPTION3_REL_TOL * b:
            raise TheoryError(f"Assumption 3 fails: r_{f.index + 1}/b = {f.width / b:.6g} is "
                              f"(almost) the integer {f.l_star - 1}; q_{f.index + 1} is "
                              "singular there")
    fmap = FieldMap(analysis, deadline=started + time_budget)
    n = len(fields)
    q_matrix, errors = np.zeros((n, n)), np.zeros(n)
    q_low, q_high = np.zeros(n), np.zeros(n)
    methods = []
    for f in fields:
        i = f.index
        if f.l_star == 0 or not (fmap.coarse != i).any():
            methods.append("none")
            continue
        starts = _start_points(f.minimiser)
        if f.l_star == 1:
            near = max(f.width - 2 * fmap.spacing, 0.0) if math.isfinite(f.width) else 0.0
            rows, errs = _one_jump(fmap, starts, i, b, alpha, n_theta, near)
            methods.append("rays")
        else:
            rows, errs = _two_jumps(fmap, f, starts, b, alpha, qmc_points, replicates, seed)
            methods.append("qmc")
        q_matrix[i] = rows.mean(axis=0)
        errors[i] = float(np.mean(errs))
        totals = rows.sum(axis=1)
        q_low[i], q_high[i] = float(totals.min()), float(totals.max())
    return PlaneExitRates(l_star=tuple(f.l_star for f in fields), q=q_matrix.sum(axis=1),
                          q_matrix=q_matrix, errors=errors, alpha=float(alpha), b=b,
                          L=float(analysis.R), q_low=q_low,
                          q_high=q_high, methods=tuple(methods),
                          seconds=time.perf_counter() - started)


def _start_points(minimiser) -> np.ndarray:
    """The minimum, or ``config.PLANE_RATES_SEGMENT_POINTS`` points spread evenly along a
    segment."""
    points = np.asarray(minimiser.points, dtype=np.float64)
    if not minimiser.is_segment:
        return points[:1]
    share = np.linspace(0.0, 1.0, config.PLANE_RATES_SEGMENT_POINTS)[:, None]
    return points[0] + share * (points[1] - points[0])


def _one_jump(fmap: FieldMap, starts: np.ndarray, i: int, b: float, alpha: float,
              n_theta: int, near: float):
    """l* = 1: the ray integral from each start, and its error (module docstring)."""
    rates, sensitivity = fmap.ray_rates(starts[:, 0], starts[:, 1], i, b, alpha, n_theta,
                                        near=near)
    coarse, _ = fmap.ray_rates(starts[:, 0], starts[:, 1], i, b, alpha, n_theta // 2,
                               offset=0.25, near=near)
    quadrature = np.abs(rates.sum(axis=1) - coarse.sum(axis=1))
    return rates, quadrature + sensitivity


def _last_jump_table(fmap: FieldMap, i: int, b: float, alpha: float, closest: float):
    """E_j (and the crossing bound) on a sub-grid of the cells of Omega_i within b of its edge.

    Only cells at least ``closest`` (less a margin) from the edge are tabulated:
    the flows never come closer.
    """
    own = fmap.coarse == i
    distance = ndimage.distance_transform_edt(own) * fmap.spacing
    band = own & (distance < b + 2 * fmap.spacing)
    stride = max(1, math.ceil(math.sqrt(band.sum() / config.PLANE_RATES_TABLE_POINTS)))
    support = band & (distance > closest - 3 * stride * fmap.spacing)
    stride = max(1, math.ceil(math.sqrt(support.sum() / config.PLANE_RATES_TABLE_POINTS)))
    sub = support[::stride, ::stride]
    rows, cols = np.nonzero(sub)
    spacing = stride * fmap.spacing
    x, y = -fmap.R + cols * spacing, -fmap.R + rows * spacing
    x, y = project(x, y, fmap.R)
    step = 0.5 * fmap.spacing
    near = np.maximum(distance[::stride, ::stride][rows, cols] - 2 * fmap.spacing, 0.0)
    rates, sensitivity = fmap.ray_rates(x, y, i, b, alpha, config.PLANE_RATES_N_THETA_TABLE,
                                        step=step, near=near)
    table = np.zeros(sub.shape + (fmap.m + 1,))
    table[rows, cols, :fmap.m] = rates
    table[rows, cols, fmap.m] = sensitivity
    # cells of other fields take their nearest tabulated value: the bilinear
    # interpolation next to the edge then uses the own field's values only
    other = ~own[::stride, ::stride]
    if other.any() and sub.any():
        _, (near_rows, near_cols) = ndimage.distance_transform_edt(~sub, return_indices=True)
        table[other] = table[near_rows[other], near_cols[other]]
    return table, stride, step, distance


def _table_error(fmap, table, stride, step, i, b, alpha, x, y) -> float:
    """Relative error of the bilinear table at the points (x, y) (where flows start)."""
    x, y = project(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), fmap.R)
    inside = fmap.lookup(x, y) == i
    if not inside.any():
        return 0.0
    exact, _ = fmap.ray_rates(x[inside], y[inside], i, b, alpha,
                              config.PLANE_RATES_N_THETA_TABLE, step=step)
    guess = fmap.bilinear(table, x[inside], y[inside], stride)[:, :fmap.m]
    scale = max(float(np.abs(exact.sum(axis=1)).mean()), 1e-300)
    return float(np.abs(exact.sum(axis=1) - guess.sum(axis=1)).mean()) / scale


def _two_jumps(fmap, fld, starts, b, alpha, qmc_points, replicates, seed):
    """l* = 2: QMC over the first jump, RK4 flows and the tabulated last jump."""
    i, width = fld.index, fld.width
    closest = max(width - b, 0.0)
    table, stride, step, _ = _last_jump_table(fmap, i, b, alpha, closest)
    minimiser = fld.minimiser
    safe = 0.5 * (width - b)

    def stop(x, y):
        return minimiser.distance(x, y) < safe

    hxx, hxy, hyy = fmap.land.hessian(starts[:, 0], starts[:, 1])
    smallest = float(np.min(0.5 * (hxx + hyy) - np.hypot(0.5 * (hxx - hyy), hxy)))
    max_time = 60.0 / max(smallest, 1e-2)

    def flows(start, radius, theta):
        x, y = project(start[0] + radius * np.cos(theta), start[1] + radius * np.sin(theta),
                       fmap.R)
        return fmap.flow_integrals(x, y, table, stop, max_time, stride)

    rows, errs = [], []
    for start in starts:
        low = max(width - b - 2 * fmap.spacing, 0.05 * b)
        ring = 2 * np.pi * np.arange(64) / 64
        for _ in range(2):          # r_lo: flows from that circle must not reach the edge band
            reach, _ = flows(start, low, ring)
            if not reach[:, :fmap.m].any() or low < 0.01 * b:
                break
            low *= 0.5
        estimates, bounds, unfinished = [], [], 0
        for rep in range(replicates):
            u = qmc.Sobol(2, scramble=True, seed=seed + 7919 * rep).random(qmc_points)
            radius = np.minimum(b, low * np.maximum(u[:, 1], 1e-300) ** (-1.0 / alpha))
            if rep == 0:        # the table's error where the flows start (E is largest there)
                few = slice(0, 128)
                table_error = _table_error(
                    fmap, table, stride, step, i, b, alpha,
                    start[0] + radius[few] * np.cos(2 * np.pi * u[few, 0]),
                    start[1] + radius[few] * np.sin(2 * np.pi * u[few, 0]))
            integrals, left = flows(start, radius, 2 * np.pi * u[:, 0])
            unfinished += left
            estimates.append(low ** -alpha * integrals[:, :fmap.m].mean(axis=0))
            bounds.append(low ** -alpha * float(integrals[:, fmap.m].mean()))
        if unfinished:
            raise TheoryError(f"{unfinished} flows in Omega_{i + 1} did not return near its "
                              f"minimum within t = {max_time:.3g}; the rates are not computed")
        estimates = np.array(estimates)
        estimates[:, i] = 0.0
        mean = estimates.mean(axis=0)
        totals = estimates.sum(axis=1)
        standard_error = float(totals.std(ddof=1) / math.sqrt(replicates)) if replicates > 1 \
            else float(totals.mean())
        rows.append(mean)
        errs.append(2 * standard_error + float(np.mean(bounds))
                    + table_error * float(mean.sum()))
    return np.array(rows), np.array(errs)

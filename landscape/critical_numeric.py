"""Critical points of a 1-D f from a fine grid: the numeric path of ``landscape.critical``.

Sign changes of f' on the grid refined by brentq (by vectorised bisection once
``config.ROOT_TIME_BUDGET`` is spent), plus touch points where |f'| reaches 0
without a sign change and runs where f' is 0 on the grid.
"""

from __future__ import annotations

import math
import time

import numpy as np

from . import config


def numeric_candidates(land, grid, slopes, curvatures):
    """Roots of f' on the grid (sign changes refined by brentq, touch points, flat runs).

    Returns
    -------
    (candidates, notes, overflow)
        ``candidates`` is a list of (x, kind, degenerate) with kind "min",
        "max" or "touch"; ``notes`` are warnings; ``overflow`` is True if there
        are too many sign changes to analyse.
    """
    from scipy.optimize import brentq, minimize_scalar  # slow import, numeric path only

    notes: list[str] = []
    finite = np.isfinite(slopes)
    signs = np.where(finite, np.sign(slopes), np.nan)
    change = (signs[:-1] * signs[1:]) < 0
    zero = finite & (slopes == 0)
    zero_runs = _runs(zero)
    if change.sum() + len(zero_runs) > config.MAX_CRITICAL_POINTS:
        return [], notes, True
    if _sign_changes(signs[::2]) != _sign_changes(signs):
        notes.append(
            "Assumption 1 may fail: f' changes sign on scales close to the grid spacing "
            f"{grid[1] - grid[0]:.2g}; critical points may be missed")

    def df_scalar(x: float) -> float:
        return float(land.df(np.array([x]))[0])

    slope_scale = float(np.max(np.abs(slopes[finite]))) if finite.any() else 1.0
    slope_scale = max(slope_scale, 1e-300)
    found: list[tuple[float, float, float]] = []   # (x, sign of f' left, sign right)
    started = time.perf_counter()
    brackets = np.flatnonzero(change)
    roots = np.empty(brackets.size)
    for k, i in enumerate(brackets):
        if time.perf_counter() - started > config.ROOT_TIME_BUDGET:
            # an expensive f': refine the rest together, one vectorised call per step
            roots[k:] = _bisect_all(land.df, grid[brackets[k:]], grid[brackets[k:] + 1])
            break
        try:
            roots[k] = brentq(df_scalar, grid[i], grid[i + 1], xtol=config.ROOT_XTOL,
                              rtol=config.ROOT_RTOL, maxiter=200)
        except (ValueError, RuntimeError):
            roots[k] = 0.5 * (grid[i] + grid[i + 1])
    residuals = np.abs(land.df(roots)) if roots.size else roots
    for root, residual, i in zip(roots, residuals, brackets, strict=True):
        if not residual <= config.JUMP_REL_TOL * slope_scale:
            notes.append(
                f"Assumption 1: f' changes sign at x = {root:.6g} without passing through 0 "
                "(a kink or a singularity); f is not C^2 there")
        found.append((float(root), signs[i], signs[i + 1]))
    for start, stop in zero_runs:
        # f' == 0 on grid[start:stop] (exactly, or by underflow as for x**100)
        if grid[stop - 1] - grid[start] > config.FLAT_FRACTION * (grid[-1] - grid[0]):
            notes.append(
                f"Assumption 1: f' = 0 on all of [{grid[start]:.6g}, {grid[stop - 1]:.6g}]: f is "
                "flat there (a continuum of critical points, like the flat side of a hinge "
                "or ReLU loss)")
        left = signs[start - 1] if start > 0 else 0.0
        right = signs[stop] if stop < grid.size else 0.0
        if start == 0 or stop == grid.size:     # on the wall: classified from inside alone
            left, right = (left, right) if left and right else (-right, right) if right \
                else (left, -left)
        found.append((float(0.5 * (grid[start] + grid[stop - 1])), left, right))

    magnitude = np.abs(np.where(finite, slopes, np.inf))
    interior = np.arange(1, grid.size - 1)
    local_min = (magnitude[interior] <= magnitude[interior - 1]) & \
                (magnitude[interior] < magnitude[interior + 1]) & \
                (signs[interior - 1] == signs[interior]) & \
                (signs[interior] == signs[interior + 1]) & \
                (magnitude[interior] <= 1e-3 * slope_scale)
    touch_indices = interior[local_min]
    if touch_indices.size > config.MAX_TOUCH_CANDIDATES:
        order = np.argsort(magnitude[touch_indices])
        touch_indices = touch_indices[order[:config.MAX_TOUCH_CANDIDATES]]
    for i in touch_indices:
        if time.perf_counter() - started > 2 * config.ROOT_TIME_BUDGET:
            notes.append("the search for touch points (f' = 0 without a sign change) was cut "
                         "short because f' is expensive to evaluate")
            break
        result = minimize_scalar(lambda x: abs(df_scalar(x)), bounds=(grid[i - 1], grid[i + 1]),
                                 method="bounded", options={"xatol": 1e-12})
        nearby = magnitude[max(0, i - config.TOUCH_WINDOW):i + config.TOUCH_WINDOW + 1]
        local_scale = float(nearby[np.isfinite(nearby)].max(initial=0.0))
        if result.fun <= config.TOUCH_REL_TOL * min(slope_scale, local_scale):
            found.append((float(result.x), signs[i], signs[i]))

    found.sort()
    merged: list[tuple[float, float, float]] = []
    tolerance = config.DUPLICATE_TOL * max(1.0, abs(grid[-1]))
    for item in found:
        if merged and item[0] - merged[-1][0] <= tolerance:
            continue
        merged.append(item)

    magnitude2 = np.abs(np.where(np.isfinite(curvatures), curvatures, 0.0))
    candidates = []
    for x, left, right in merged:
        second = float(land.d2f(np.array([x]))[0])
        centre = int(np.clip(np.searchsorted(grid, x), 0, grid.size - 1))
        window = magnitude2[max(0, centre - config.CURVATURE_WINDOW):
                            centre + config.CURVATURE_WINDOW + 1]
        local_scale = float(window.max(initial=0.0))
        degenerate = not math.isfinite(second) or \
            abs(second) <= config.DEGENERATE_REL_TOL * local_scale
        if left < 0 < right:
            kind = "min"
        elif left > 0 > right:
            kind = "max"
        else:
            kind = "touch"
            degenerate = True
        candidates.append((float(x), kind, degenerate))
    return candidates, notes, False


def _bisect_all(function, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Bisection on many sign-change brackets at once (one call of f per step)."""
    low = low.astype(np.float64)
    high = high.astype(np.float64)
    low_sign = np.sign(function(low))
    for _ in range(config.BISECTION_STEPS):
        middle = 0.5 * (low + high)
        same = np.sign(function(middle)) == low_sign
        low = np.where(same, middle, low)
        high = np.where(same, high, middle)
    return 0.5 * (low + high)


def _sign_changes(signs: np.ndarray) -> int:
    """Number of sign changes, skipping zeros and NaN."""
    nonzero = signs[np.isfinite(signs) & (signs != 0)]
    return int(np.count_nonzero(nonzero[:-1] != nonzero[1:]))


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True values in a boolean array."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _nonzero_sign(signs: np.ndarray, index: int, step: int) -> float:
    index += step
    while 0 <= index < signs.size:
        if signs[index] != 0 and not math.isnan(signs[index]):
            return float(signs[index])
        index += step
    return 0.0

"""Critical points of a one-dimensional f on [-L, L] (THEORY.md section 1).

Polynomials with rational coefficients are solved exactly (SymPy real roots, in a
time-bounded worker); everything else, and the fallback, uses sign changes of f' on a
fine grid refined by bisection, plus a search for touch points where |f'| reaches 0
without a sign change. ``landscape.analysis`` builds the fields and the graph on them.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import numpy as np
import sympy
from cachetools import LRUCache

from . import config
from ._bounded import WorkerUnavailable, run_bounded
from .errors import AnalysisError
from .loss import Landscape
from .vocabulary import X


def _check_L(L) -> float:
    try:
        value = float(L)
    except (TypeError, ValueError):
        raise AnalysisError(f"L must be a number, not {L!r}") from None
    if not math.isfinite(value) or value <= 0 or value > 1e6:
        raise AnalysisError(f"L must be a finite number in (0, 1e6], not {L!r}")
    return value


def _degree_bound(expression: sympy.Expr) -> int:
    """Upper bound of the degree of a polynomial expression, without expanding."""
    if expression.is_Number or expression.is_NumberSymbol or not expression.has(X):
        return 0
    if expression == X:
        return 1
    if expression.is_Add:
        return max(_degree_bound(term) for term in expression.args)
    if expression.is_Mul:
        return sum(_degree_bound(factor) for factor in expression.args)
    if expression.is_Pow and expression.exp.is_Integer and expression.exp >= 0:
        return int(expression.exp) * _degree_bound(expression.base)
    return 10 ** 9


def _exact_roots(derivative: sympy.Expr, L: float) -> list[tuple[float, int, int]]:
    """Real roots of a rational polynomial f' in [-L, L] (runs in the worker).

    Returns (root, multiplicity, sign of f' just right of the root). The sign
    is found without evaluating f' at algebraic numbers: right of the largest
    real root it is the sign of the leading coefficient, and it flips at every
    root of odd multiplicity.
    """
    poly = sympy.Poly(derivative, X)
    if not (poly.domain.is_ZZ or poly.domain.is_QQ):
        raise ValueError("coefficients are not rational")
    roots = [(float(root.evalf(30)), int(multiplicity))
             for root, multiplicity in sympy.real_roots(poly, multiple=False)]
    sign = 1 if poly.LC() > 0 else -1
    result = []
    for value, multiplicity in sorted(roots, reverse=True):
        if -L <= value <= L:
            result.append((value, multiplicity, sign))
        if multiplicity % 2 == 1:
            sign = -sign
    return sorted(result)


# --------------------------------------------------------------------------
# critical points
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class CriticalPoints:
    """Critical points of f on [-L, L].

    Attributes
    ----------
    L : float
    minima, maxima : tuple of float
        Local minima and maxima (sign changes of f'), increasing; they
        alternate. Degenerate extrema (f'' ~ 0, e.g. x**4 at 0) are included
        here and also listed in ``degenerate``.
    degenerate : tuple of float
        Points with f' = 0 and f'' ~ 0, including touch points where f' does
        not change sign (not extrema).
    method : str
        ``"exact"`` (SymPy real roots of a polynomial) or ``"numeric"``.
    notes : tuple of str
        Human-readable warnings about Assumption 1 (and how points were found).
    assumption1_ok : bool
        True if every condition of Assumption 1 holds on [-L, L].
    """

    L: float
    minima: tuple[float, ...]
    maxima: tuple[float, ...]
    degenerate: tuple[float, ...] = ()
    method: str = "numeric"
    notes: tuple[str, ...] = ()
    assumption1_ok: bool = True

    @property
    def assumption1_reason(self) -> str | None:
        """Why Assumption 1 fails, in words (the first of the notes that say so), or None."""
        if self.assumption1_ok:
            return None
        return next((n for n in self.notes if n.startswith("Assumption 1")),
                    "Assumption 1 fails")


_cache: LRUCache = LRUCache(maxsize=config.CACHE_SIZE)
_cache_lock = threading.Lock()


def critical_points(land: Landscape, L: float) -> CriticalPoints:
    """Find and classify the critical points of f on [-L, L].

    Polynomials of moderate degree with rational coefficients are solved
    exactly (SymPy, in a time-bounded worker); everything else, and the
    fallback, uses sign changes of f' on a fine grid refined with brentq, plus
    a search for touch points where |f'| reaches 0 without a sign change.

    Parameters
    ----------
    land : Landscape
    L : float
        Half-width of the window, > 0.

    Returns
    -------
    CriticalPoints
    """
    L = _check_L(L)
    key = (land.expr, L, config.USE_EXACT_WORKER, config.GRID_POINTS)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    result = _critical_points(land, L)
    with _cache_lock:
        _cache[key] = result
    return result


def _critical_points(land: Landscape, L: float) -> CriticalPoints:
    notes: list[str] = []
    broken = False
    half = np.linspace(0.0, L, config.GRID_POINTS // 2 + 1)
    grid = np.concatenate((-half[:0:-1], half))     # symmetric, contains 0 exactly
    values = land.f(grid)
    slopes = land.df(grid)
    curvatures = land.d2f(grid)
    for name, array in (("f", values), ("f'", slopes), ("f''", curvatures)):
        bad = ~np.isfinite(array)
        if bad.any() and name == "f" and bad.sum() > 1:  # a domain problem: say where, in words
            where = grid[bad]
            notes.append(
                f"Assumption 1: f is undefined or infinite for x between {where[0]:.6g} and "
                f"{where[-1]:.6g} ({bad.sum()} of {grid.size} grid points of [-L, L]: e.g. log or "
                "sqrt of a negative number, or a division by zero); iterates there have no "
                "gradient, so a run is meaningless there")
            broken = True
        elif bad.any():
            where = grid[bad]
            notes.append(
                f"Assumption 1: {name} is undefined or infinite at {bad.sum()} of "
                f"{grid.size} grid points of [-L, L] (first at x = {where[0]:.6g}); "
                "f is not C^2 there")
            broken = True
    kinks = land.kinks(L)
    if kinks:
        shown = ", ".join(f"{k:.6g}" for k in kinks[:5]) + (", ..." if len(kinks) > 5 else "")
        notes.append(f"Assumption 1: f is not C^2 at x = {shown} (an abs, sign, max/min "
                     "or fractional power switches there)")
        broken = True

    candidates = None
    method = "numeric"
    if (land.is_polynomial and config.USE_EXACT_WORKER
            and _degree_bound(land.dexpr) <= config.MAX_EXACT_DEGREE):
        try:
            status, payload = run_bounded(_exact_roots, (land.dexpr, L), config.EXACT_TIMEOUT)
        except WorkerUnavailable:
            status, payload = "unavailable", None
        if status == "ok":
            candidates = _classify_exact(payload)
            method = "exact"
    if candidates is None:
        candidates, numeric_notes, overflow = _numeric_candidates(land, grid, slopes,
                                                                  curvatures)
        if numeric_notes:
            notes.extend(numeric_notes)
            broken = True
        if overflow:
            notes.append(
                f"Assumption 1: f' changes sign more than {config.MAX_CRITICAL_POINTS} times "
                "on [-L, L] (too many critical points, e.g. sin(1/x)); no fields are "
                "computed and the theory panels do not apply")
            return CriticalPoints(L, (), (), (), method, tuple(notes), False)

    minima = tuple(x for x, kind, _ in candidates if kind == "min")
    maxima = tuple(x for x, kind, _ in candidates if kind == "max")
    degenerate = tuple(x for x, _, is_degenerate in candidates if is_degenerate)
    if len(minima) + len(maxima) > config.MAX_CRITICAL_POINTS:
        notes.append(f"Assumption 1: more than {config.MAX_CRITICAL_POINTS} critical points "
                     "on [-L, L]; no fields are computed and the theory panels do not apply")
        return CriticalPoints(L, (), (), (), method, tuple(notes), False)
    for x, kind, is_degenerate in candidates:
        if is_degenerate:
            what = {"min": "degenerate minimum", "max": "degenerate maximum",
                    "touch": "touch point (f' = 0 without changing sign)"}[kind]
            if kind == "min" and _curvature_blows_up(land, x):  # abs(x)^1.5: a cusp, not flat
                notes.append(f"Assumption 1: the minimum at x = {x:.6g} has f'' = +∞ (f'' grows "
                             "without bound there: a cusp, not a flat minimum)")
            else:
                notes.append(f"Assumption 1: {what} at x = {x:.6g} (f'' = 0 there)")
            broken = True
    if not minima:
        notes.append("Assumption 1: f has no local minimum in [-L, L]; iterates drift to "
                     "a wall")
        broken = True
    extrema = sorted(minima + maxima)
    slope_left = float(land.df(np.array([-L]))[0])
    slope_right = float(land.df(np.array([L]))[0])
    near_wall = extrema and min(extrema[0] + L, L - extrema[-1]) <= config.WALL_TOL * L
    if near_wall:
        notes.append("Assumption 1: a critical point lies on the wall x = +-L; choose a "
                     "larger L")
        broken = True
    if extrema and extrema[0] in maxima and extrema[0] + L > config.WALL_TOL * L:
        notes.append("Assumption 1: the leftmost critical point is a maximum; iterates left "
                     "of it pile up at the wall x = -L (not a minimum of f)")
        broken = True
    elif not extrema and slope_left > 0:
        notes.append("Assumption 1: f decreases towards the wall x = -L; iterates pile up "
                     "there (not a minimum of f)")
        broken = True
    if extrema and extrema[-1] in maxima and L - extrema[-1] > config.WALL_TOL * L:
        notes.append("Assumption 1: the rightmost critical point is a maximum; iterates "
                     "right of it pile up at the wall x = +L (not a minimum of f)")
        broken = True
    elif not extrema and slope_right < 0:
        notes.append("Assumption 1: f decreases towards the wall x = +L; iterates pile up "
                     "there (not a minimum of f)")
        broken = True
    return CriticalPoints(L, minima, maxima, degenerate, method, tuple(notes), not broken)


def _curvature_blows_up(land, x: float) -> bool:
    """True when f'' beside x is large and grows as x is approached (f'' -> +inf, e.g.
    abs(x)^1.5 at 0), so the point is no flat (f'' = 0) critical point."""
    steps = np.array([1e-4, 1e-7])
    with np.errstate(all="ignore"):
        near = np.asarray(land.d2f(np.concatenate((x - steps, x + steps))), dtype=float)
    if not np.all(np.isfinite(near)):
        return False
    far, close = np.minimum(near[[0, 1]], near[[2, 3]])
    return bool(close > 1e3 and close > 10 * far > 0)


def _classify_exact(roots: list[tuple[float, int, int]]) -> list[tuple[float, str, bool]]:
    candidates = []
    for x, multiplicity, sign in sorted(roots):  # sign of f' right of x
        if multiplicity % 2 == 0:
            candidates.append((x, "touch", True))
        else:
            candidates.append((x, "min" if sign > 0 else "max", multiplicity > 1))
    return candidates


def _numeric_candidates(land, grid, slopes, curvatures):
    """Roots of f' on the grid.

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

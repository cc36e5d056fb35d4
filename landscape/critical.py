"""Critical points of a one-dimensional f on [-L, L] (THEORY.md section 1).

Polynomials with rational coefficients are solved exactly (SymPy real roots, in a
time-bounded worker); everything else, and the fallback, uses sign changes of f' on a
fine grid refined by bisection, plus a search for touch points where |f'| reaches 0
without a sign change. ``landscape.analysis`` builds the fields and the graph on them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import sympy
from cachetools import LRUCache

from . import config
from ._bounded import WorkerUnavailable, run_bounded
from .critical_numeric import numeric_candidates
from .errors import AnalysisError
from .loss import Landscape
from .vocabulary import X


def check_L(L) -> float:
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
@dataclass(frozen=True, kw_only=True)
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
    assumption1_reason : str or None
        Why Assumption 1 fails, in words (the first note that says so), None
        when every condition holds on [-L, L].
    undefined_note : str or None
        The note that f is undefined or infinite on part of [-L, L] (log(x),
        ...), None otherwise: a page says it before a run crosses that part.
    """

    L: float
    minima: tuple[float, ...]
    maxima: tuple[float, ...]
    degenerate: tuple[float, ...] = ()
    method: str = "numeric"
    notes: tuple[str, ...] = ()
    assumption1_reason: str | None = None
    undefined_note: str | None = None

    @property
    def assumption1_ok(self) -> bool:
        """True if every condition of Assumption 1 holds on [-L, L]."""
        return self.assumption1_reason is None


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
    L = check_L(L)
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
    failures: list[str] = []          # the notes that say Assumption 1 fails
    undefined = None

    def fail(note: str) -> None:
        notes.append(note)
        failures.append(note)

    def refused(method: str) -> CriticalPoints:      # no fields: too many critical points
        return CriticalPoints(L=L, minima=(), maxima=(), degenerate=(), method=method,
                              notes=tuple(notes), assumption1_reason=failures[0],
                              undefined_note=undefined)

    half = np.linspace(0.0, L, config.GRID_POINTS // 2 + 1)
    grid = np.concatenate((-half[:0:-1], half))     # symmetric, contains 0 exactly
    values = land.f(grid)
    slopes = land.df(grid)
    curvatures = land.d2f(grid)
    for name, array in (("f", values), ("f'", slopes), ("f''", curvatures)):
        bad = ~np.isfinite(array)
        if bad.any() and name == "f" and bad.sum() > 1:  # a domain problem: say where, in words
            where = grid[bad]
            undefined = (
                f"f is undefined or infinite for x between {where[0]:.6g} and "
                f"{where[-1]:.6g} ({bad.sum()} of {grid.size} grid points of [-L, L]: e.g. log or "
                "sqrt of a negative number, or a division by zero); iterates there have no "
                "gradient, so a run is meaningless there")
            fail("Assumption 1: " + undefined)
        elif bad.any():
            where = grid[bad]
            fail(f"Assumption 1: {name} is undefined or infinite at {bad.sum()} of "
                 f"{grid.size} grid points of [-L, L] (first at x = {where[0]:.6g}); "
                 "f is not C^2 there")
    kinks = land.kinks(L)
    if kinks:
        shown = ", ".join(f"{k:.6g}" for k in kinks[:5]) + (", ..." if len(kinks) > 5 else "")
        fail(f"Assumption 1: f is not C^2 at x = {shown} (an abs, sign, max/min "
             "or fractional power switches there)")

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
        candidates, numeric_notes, overflow = numeric_candidates(land, grid, slopes,
                                                                 curvatures)
        for note in numeric_notes:
            fail(note)
        if overflow:
            fail(f"Assumption 1: f' changes sign more than {config.MAX_CRITICAL_POINTS} times "
                 "on [-L, L] (too many critical points, e.g. sin(1/x)); no fields are "
                 "computed and the theory panels do not apply")
            return refused(method)

    minima = tuple(x for x, kind, _ in candidates if kind == "min")
    maxima = tuple(x for x, kind, _ in candidates if kind == "max")
    degenerate = tuple(x for x, _, is_degenerate in candidates if is_degenerate)
    if len(minima) + len(maxima) > config.MAX_CRITICAL_POINTS:
        fail(f"Assumption 1: more than {config.MAX_CRITICAL_POINTS} critical points "
             "on [-L, L]; no fields are computed and the theory panels do not apply")
        return refused(method)
    for x, kind, is_degenerate in candidates:
        if is_degenerate:
            what = {"min": "degenerate minimum", "max": "degenerate maximum",
                    "touch": "touch point (f' = 0 without changing sign)"}[kind]
            if kind == "min" and _curvature_blows_up(land, x):  # abs(x)^1.5: a cusp, not flat
                fail(f"Assumption 1: the minimum at x = {x:.6g} has f'' = +∞ (f'' grows "
                     "without bound there: a cusp, not a flat minimum)")
            else:
                fail(f"Assumption 1: {what} at x = {x:.6g} (f'' = 0 there)")
    if not minima:
        fail("Assumption 1: f has no local minimum in [-L, L]; iterates drift to a wall")
    extrema = sorted(minima + maxima)
    slope_left = float(land.df(np.array([-L]))[0])
    slope_right = float(land.df(np.array([L]))[0])
    near_wall = extrema and min(extrema[0] + L, L - extrema[-1]) <= config.WALL_TOL * L
    if near_wall:
        fail("Assumption 1: a critical point lies on the wall x = +-L; choose a larger L")
    if extrema and extrema[0] in maxima and extrema[0] + L > config.WALL_TOL * L:
        fail("Assumption 1: the leftmost critical point is a maximum; iterates left "
             "of it pile up at the wall x = -L (not a minimum of f)")
    elif not extrema and slope_left > 0:
        fail("Assumption 1: f decreases towards the wall x = -L; iterates pile up "
             "there (not a minimum of f)")
    if extrema and extrema[-1] in maxima and L - extrema[-1] > config.WALL_TOL * L:
        fail("Assumption 1: the rightmost critical point is a maximum; iterates "
             "right of it pile up at the wall x = +L (not a minimum of f)")
    elif not extrema and slope_right < 0:
        fail("Assumption 1: f decreases towards the wall x = +L; iterates pile up "
             "there (not a minimum of f)")
    return CriticalPoints(L=L, minima=minima, maxima=maxima, degenerate=degenerate,
                          method=method, notes=tuple(notes),
                          assumption1_reason=failures[0] if failures else None,
                          undefined_note=undefined)


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

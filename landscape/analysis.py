"""Critical points, attraction fields and the typical transition graph.

Maths primer (THEORY.md sections 1, 3, 4; indices 1-based in the maths,
0-based in Python objects)
-------------------------------------------------------------------------
On [-L, L] the critical points of f are -L < m_1 < s_1 < m_2 < ... < m_n < L,
local minima m_i (f'' > 0) separated by local maxima s_i (f'' < 0).
* Attraction field: Omega_i = (s_{i-1}, s_i) with s_0 = -inf, s_n = +inf;
  gradient descent started in Omega_i ends at m_i.
* Effective width: r_i = min(|m_i - s_{i-1}|, |s_i - m_i|), infinite sides
  not counted.
* Clipped SGD moves at most b per step, so leaving Omega_i needs at least
  l*_i = ceil(r_i / b) large jumps, and reaching Omega_j needs
  l_{i,j} = ceil((s_{j-1} - m_i) / b) (j > i) or ceil((m_i - s_j) / b) (j < i).
  Without clipping (b = inf) every count is 1.
* Typical transition graph: an edge m_i -> m_j iff l_{i,j} = l*_i (the
  cheapest exits). Its strongly connected components are the communicating
  classes; a class is absorbing if no edge leaves it, the graph irreducible if
  there is one class. In a class G, m_i is large if l*_i = max_{k in G} l*_k.
* First exit from Omega_i under Pareto(alpha) noise takes ~ (1/eta)^beta_i
  steps, beta_i = alpha + (alpha - 1)(l*_i - 1).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import sympy

from . import config
from ._bounded import WorkerUnavailable, run_bounded
from .errors import AnalysisError
from .loss import Landscape
from .theory import (  # noqa: F401  (re-exported: the graph's formulas live in theory)
    CommunicatingClass,
    Structure,
    clip_threshold,
    communicating_classes,
    exit_exponent,
    field_bounds,
    jumps,
    structure_for_widths,
    surviving_minima,
    transition_distances,
)
from .vocabulary import X


# --------------------------------------------------------------------------
# parameter checks
# --------------------------------------------------------------------------
def _check_L(L) -> float:
    try:
        value = float(L)
    except (TypeError, ValueError):
        raise AnalysisError(f"L must be a number, not {L!r}") from None
    if not math.isfinite(value) or value <= 0 or value > 1e6:
        raise AnalysisError(f"L must be a finite number in (0, 1e6], not {L!r}")
    return value


def _check_b(b) -> float:
    """b as a float, every spelling of "no clipping" -> inf (``theory.clip_threshold``)."""
    return clip_threshold(b)


def _check_alpha(alpha) -> float | None:
    if alpha is None:
        return None
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise AnalysisError(f"alpha must be a number, not {alpha!r}") from None
    if not math.isfinite(value) or value <= 1:
        raise AnalysisError(f"alpha must be a finite number > 1 (heavy tails with a finite "
                            f"mean), not {alpha!r}")
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


_cache: OrderedDict = OrderedDict()
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
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = _critical_points(land, L)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > config.CACHE_SIZE:
            _cache.popitem(last=False)
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
        if bad.any():
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
    if extrema and extrema[0] in maxima:
        notes.append("Assumption 1: the leftmost critical point is a maximum; iterates left "
                     "of it pile up at the wall x = -L (not a minimum of f)")
        broken = True
    elif not extrema and slope_left > 0:
        notes.append("Assumption 1: f decreases towards the wall x = -L; iterates pile up "
                     "there (not a minimum of f)")
        broken = True
    if extrema and extrema[-1] in maxima:
        notes.append("Assumption 1: the rightmost critical point is a maximum; iterates "
                     "right of it pile up at the wall x = +L (not a minimum of f)")
        broken = True
    elif not extrema and slope_right < 0:
        notes.append("Assumption 1: f decreases towards the wall x = +L; iterates pile up "
                     "there (not a minimum of f)")
        broken = True
    return CriticalPoints(L, minima, maxima, degenerate, method, tuple(notes), not broken)


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


# --------------------------------------------------------------------------
# the full analysis
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Field:
    """One attraction field Omega_i (0-based ``index``).

    ``left``/``right`` are s_{i-1}/s_i (None for -inf/+inf), ``width`` r_i,
    ``l_star`` = ceil(r_i / b), ``curvature`` f''(m_i), and ``sharp`` is True
    if the minimum is small (not large) in its communicating class.
    """

    index: int
    minimum: float
    left: float | None
    right: float | None
    width: float
    l_star: int
    curvature: float
    sharp: bool


def _json_float(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Analysis:
    """Everything the theory says about one (f, L, b, alpha).

    See the module docstring for the terms. Indices are 0-based; ``to_json``
    gives the CLI's 1-based form. ``assumption1_ok``: the theory panels apply;
    ``assumption3_ok``: no r_i / b is (nearly) an integer; ``method``: how the
    critical points were found (``"exact"`` or ``"numeric"``).
    """

    L: float
    b: float
    alpha: float | None
    minima: tuple[float, ...]
    maxima: tuple[float, ...]
    degenerate: tuple[float, ...]
    fields: tuple[Field, ...]
    jump_matrix: np.ndarray = field(repr=False, compare=False)
    edges: tuple[tuple[int, int], ...] = ()
    classes: tuple[CommunicatingClass, ...] = ()
    irreducible: bool = False
    exit_exponents: tuple[float, ...] | None = None
    warnings: tuple[str, ...] = ()
    assumption1_ok: bool = True
    method: str = "numeric"
    assumption3_ok: bool = True

    def field_of(self, x):
        """0-based index of the field containing x (scalar or array).

        Points beyond an outer maximum count to the outermost field; -1 if
        there are no fields at all.
        """
        if not self.fields:
            return -1 if np.ndim(x) == 0 else np.full(np.shape(x), -1)
        boundaries = np.array([f.right for f in self.fields[:-1]], dtype=np.float64)
        index = np.searchsorted(boundaries, np.asarray(x, dtype=np.float64), side="right")
        if np.ndim(index) == 0:
            return int(index)
        return index

    def to_json(self) -> dict:
        """The CLI JSON object (1-based indices; b = inf as the string "inf")."""
        data = {
            "L": self.L,
            "b": "inf" if math.isinf(self.b) else self.b,
            "alpha": self.alpha,
            "minima": [float(m) for m in self.minima],
            "maxima": [float(s) for s in self.maxima],
            "degenerate": [float(d) for d in self.degenerate],
            "fields": [{"minimum": f.minimum, "left": _json_float(f.left),
                        "right": _json_float(f.right), "width": _json_float(f.width),
                        "l_star": f.l_star, "curvature": _json_float(f.curvature)}
                       for f in self.fields],
            "edges": [[i + 1, j + 1] for i, j in self.edges],
            "classes": [{"members": [i + 1 for i in c.members], "absorbing": c.absorbing,
                         "large": [i + 1 for i in c.large]} for c in self.classes],
            "irreducible": self.irreducible,
            "assumption1_ok": self.assumption1_ok,
            "assumption3_ok": self.assumption3_ok,
            "warnings": list(self.warnings),
        }
        if self.exit_exponents is not None:
            data["exit_exponents"] = [_json_float(beta) for beta in self.exit_exponents]
        return data


def structure_warnings(structure: Structure, b: float,
                       distances: np.ndarray | None = None) -> list[str]:
    """Assumption 3 (r_i / b not an integer) and nearby structure changes.

    ``distances`` are the d_{i,j} behind the structure (diagonal r_i); by
    default the 1-D ones from its minima and maxima.
    """
    warnings = []
    if math.isinf(b):
        return warnings
    if distances is None:
        distances = transition_distances(structure.minima, structure.left, structure.right)
    n = len(structure.minima)
    for i in range(n):
        for j in range(n):
            d = float(distances[i, j])
            if not math.isfinite(d):
                continue
            ratio = d / b
            nearest = round(ratio)
            if nearest >= 1 and abs(ratio - nearest) <= config.ASSUMPTION3_REL_TOL * max(1, nearest):
                if i == j:
                    warnings.append(
                        f"Assumption 3: r_{i + 1}/b = {ratio:.6g} is (almost) the integer "
                        f"{nearest}; l*_{i + 1} jumps at b = {d / nearest:.6g}, so results at "
                        "this b are fragile")
                elif structure.l_star[i] in (nearest, nearest + 1):
                    # only breakpoints that can switch the edge m_i -> m_j matter
                    warnings.append(
                        f"b is (almost) at a breakpoint of l_{{{i + 1},{j + 1}}} "
                        f"(b = {d / nearest:.6g}); the edge m_{i + 1} -> m_{j + 1} may "
                        "change")
    return warnings


def analyze(land: Landscape, L: float, b: float, alpha: float | None = None) -> Analysis:
    """Attraction fields, jump numbers, transition graph and assumption checks.

    Parameters
    ----------
    land : Landscape
    L : float
        Window half-width (iterates are truncated to [-L, L]).
    b : float
        Clipping threshold, > 0, or ``math.inf`` for no clipping.
    alpha : float, optional
        Tail index (> 1) of the noise; gives the exit-time exponents.

    Returns
    -------
    Analysis

    Raises
    ------
    AnalysisError
        For bad L, b or alpha.
    """
    if getattr(land, "dimension", 1) != 1:
        raise AnalysisError("this landscape is two-dimensional (it uses y): use "
                            "landscape.plane_analysis.analyze_plane")
    L = _check_L(L)
    b = _check_b(b)
    alpha = _check_alpha(alpha)
    points = critical_points(land, L)
    structure = structure_for_widths(points.minima, points.maxima, b)
    curvatures = land.d2f(np.array(structure.minima, dtype=np.float64))
    large = {i for c in structure.classes for i in c.large}   # small = not large in its class
    fields = tuple(
        Field(i, structure.minima[i], structure.left[i], structure.right[i],
              structure.widths[i], structure.l_star[i], float(curvatures[i]), i not in large)
        for i in range(len(structure.minima)))
    exponents = None
    if alpha is not None:
        exponents = tuple(exit_exponent(alpha, lstar) for lstar in structure.l_star)
    near_breakpoints = structure_warnings(structure, b)
    warnings = list(dict.fromkeys(list(points.notes) + near_breakpoints))
    assumption3_ok = not any(w.startswith("Assumption 3") for w in near_breakpoints)
    return Analysis(L, b, alpha, points.minima, points.maxima, points.degenerate, fields,
                    structure.jump_matrix, structure.edges, structure.classes,
                    structure.irreducible, exponents, tuple(warnings),
                    points.assumption1_ok, points.method, assumption3_ok)

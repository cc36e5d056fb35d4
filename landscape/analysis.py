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
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from . import config
from .critical import check_L, critical_points
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
    large_fields,
    structure_for_widths,
    surviving_minima,
    transition_distances,
)


# --------------------------------------------------------------------------
# parameter checks
# --------------------------------------------------------------------------
def _check_b(b) -> float:
    """b as a float, every spelling of "no clipping" -> inf (``theory.clip_threshold``)."""
    return clip_threshold(b)


def check_alpha(alpha) -> float | None:
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


# --------------------------------------------------------------------------
# the full analysis
# --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """Everything the theory says about one (f, L, b, alpha).

    See the module docstring for the terms. Indices are 0-based; ``to_json``
    gives the CLI's 1-based form. ``assumption1_ok``: the theory panels apply;
    ``assumption1_reason``: why not, in words (None when it holds);
    ``undefined_note``: where f is undefined or infinite on [-L, L], in words (None: nowhere);
    ``assumption3_ok``: no r_i / b is (nearly) an integer; ``near_breakpoints``:
    the warnings that b sits (almost) where l*_i or an edge changes; ``method``:
    how the critical points were found (``"exact"`` or ``"numeric"``).
    """

    dimension: ClassVar[int] = 1
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
    assumption1_reason: str | None = None
    undefined_note: str | None = None
    method: str = "numeric"
    assumption3_ok: bool = True
    near_breakpoints: tuple[str, ...] = ()

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


def assumption3_breaks(structure: Structure, b: float) -> tuple[int, ...]:
    """Fields whose r_i / b is (almost) an integer (Assumption 3 fails; 0-based)."""
    if math.isinf(b):
        return ()
    out = []
    for i, r in enumerate(structure.widths):
        if not math.isfinite(r):
            continue
        ratio = r / b
        nearest = round(ratio)
        if nearest >= 1 and abs(ratio - nearest) <= config.ASSUMPTION3_REL_TOL * max(1, nearest):
            out.append(i)
    return tuple(out)


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
    if land.dimension != 1:
        raise AnalysisError("this landscape is two-dimensional (it uses y): use "
                            "landscape.plane_analysis.analyze_plane")
    L = check_L(L)
    b = _check_b(b)
    alpha = check_alpha(alpha)
    points = critical_points(land, L)
    structure = structure_for_widths(points.minima, points.maxima, b)
    curvatures = land.d2f(np.array(structure.minima, dtype=np.float64))
    large = large_fields(structure.classes)
    fields = tuple(
        Field(index=i, minimum=structure.minima[i], left=structure.left[i],
              right=structure.right[i], width=structure.widths[i], l_star=structure.l_star[i],
              curvature=float(curvatures[i]), sharp=i not in large)
        for i in range(len(structure.minima)))
    exponents = None
    if alpha is not None:
        exponents = tuple(exit_exponent(alpha, lstar) for lstar in structure.l_star)
    near_breakpoints = structure_warnings(structure, b)
    warnings = list(dict.fromkeys(list(points.notes) + near_breakpoints))
    return Analysis(L=L, b=b, alpha=alpha, minima=points.minima, maxima=points.maxima,
                    degenerate=points.degenerate, fields=fields,
                    jump_matrix=structure.jump_matrix, edges=structure.edges,
                    classes=structure.classes, irreducible=structure.irreducible,
                    exit_exponents=exponents, warnings=tuple(warnings),
                    assumption1_ok=points.assumption1_ok,
                    assumption1_reason=points.assumption1_reason,
                    undefined_note=points.undefined_note, method=points.method,
                    assumption3_ok=not assumption3_breaks(structure, b),
                    near_breakpoints=tuple(near_breakpoints))

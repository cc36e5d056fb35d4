"""Ready-made landscapes with recommended settings (THEORY.md section 6).

The polynomial presets are built from their critical points with exact
rationals: f'(x) = c * prod_k (x - c_k), expanded and integrated (f(0) = 0),
and stored as formula text that :func:`landscape.parse_formula` accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from .vocabulary import X


@dataclass(frozen=True)
class NoiseDefaults:
    """Recommended noise: ``family`` as in ``simulate.Noise``, its ``alpha``, ``scale``."""

    family: str
    alpha: float | None
    scale: float


@dataclass(frozen=True)
class Preset:
    """A landscape with recommended L, b (None: no clipping), eta, x0 and noise."""

    key: str
    title: str
    description: str
    source: str
    L: float
    b: float | None
    eta: float
    x0: float
    noise: NoiseDefaults


def polynomial_from_critical_points(points: Sequence[str | Fraction], scale: int | str = 1) -> str:
    """Formula text of f with f' = scale * prod(x - c_k), f(0) = 0, exact rationals.

    Parameters
    ----------
    points : sequence of str or Fraction
        Critical points as exact decimals (``"-1.51"``) or fractions.
    scale : int or str
        The positive factor c.
    """
    factors = [X - sympy.Rational(str(Fraction(str(p)))) for p in points]
    derivative = sympy.Rational(str(Fraction(str(scale)))) * sympy.prod(factors)
    return sympy.sstr(sympy.integrate(sympy.expand(derivative), X))


PAPER_HEAVY = NoiseDefaults("pareto", 1.2, 0.1)

FIG2_CRITICAL_POINTS = ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32")
FIG3_CRITICAL_POINTS = ("-0.9", "-0.6", "0", "0.9", "1.2")
DOUBLE_WELL_CRITICAL_POINTS = ("-1.2", "-0.8", "0.8")

PRESETS: dict[str, Preset] = {
    "paper-fig2": Preset(
        "paper-fig2", "Paper, Fig. 2 (four minima)",
        "Stand-in for the landscape of Wang, Oh & Rhee (2022), Figs. 1, 2, 4, 5: minima "
        "-1.51, -0.66, 0.49, 1.32 and maxima -1.3, 0.2, 0.7; m_1 and m_3 sharp and narrow, "
        "m_2 and m_4 flat and wide. f'(x) = 5 prod(x - c_k), exact rationals.",
        polynomial_from_critical_points(FIG2_CRITICAL_POINTS, 5),
        1.6, 0.5, 0.001, 0.3, PAPER_HEAVY),
    "paper-fig3": Preset(
        "paper-fig3", "Paper, Fig. 3 (three fields)",
        "Three fields with m_2 - s_1 = 0.6 and s_2 - m_2 = 0.9 (minima -0.9, 0, 1.2; "
        "maxima -0.6, 0.9). b = 0.5 gives an irreducible graph; b = 0.4 gives the absorbing "
        "class {m_1, m_2} and the transient class {m_3}.",
        polynomial_from_critical_points(FIG3_CRITICAL_POINTS, 5),
        1.6, 0.4, 0.001, 0.0, PAPER_HEAVY),
    "asymmetric-double-well": Preset(
        "asymmetric-double-well", "Asymmetric double well",
        "A narrow well at -1.2 (r = 0.4) next to a wide one at 0.8 (r = 1.6). With b = 0.5 "
        "the narrow well needs one jump to escape, the wide one four.",
        polynomial_from_critical_points(DOUBLE_WELL_CRITICAL_POINTS, 4),
        1.6, 0.5, 0.001, -1.2, PAPER_HEAVY),
    "kleinberg-ripples": Preset(
        "kleinberg-ripples", "Wide bowl with sharp ripples",
        "In the spirit of Kleinberg, Li & Yuan (2018): a wide quadratic bowl with small, "
        "sharp ripples that create many narrow local minima. Noise that smooths over the "
        "ripples sees one bowl.",
        "x**2/2 + 0.02*sin(30*x)",
        1.5, 0.3, 0.01, 1.2, NoiseDefaults("uniform", None, 5.0)),
    "broken-assumption": Preset(
        "broken-assumption", "Breaks Assumption 1",
        "f = x^5/5 - x^3/3: f' = x^2 (x^2 - 1) has a degenerate touch point at 0 and the "
        "leftmost critical point is a maximum, so iterates left of -1 pile up at the wall "
        "-L. The app shows which conditions fail.",
        "x**5/5 - x**3/3",
        1.5, 0.3, 0.001, 0.5, PAPER_HEAVY),
}
"""Presets by key; :data:`DEFAULT_PRESET` is the paper's Fig. 2 landscape."""

DEFAULT_PRESET = "paper-fig2"

"""Ready-made landscapes with recommended settings (THEORY.md sections 6 and 7).

"paper-fig2" is the formula printed in the paper's appendix; the polynomial
presets are built from their critical points with exact rationals:
f'(x) = c * prod_k (x - c_k), expanded and integrated (f(0) = 0), and stored
as formula text that :func:`landscape.parse_formula` accepts.
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


@dataclass(kw_only=True, frozen=True)
class Preset:
    """A landscape with recommended L, b (``math.inf``: no clipping), eta, x0 and noise.

    For a 2-D preset (``dimension == 2``, :data:`landscape.plane_presets.PLANE_PRESETS`)
    L is the radius R of the ball and (x0, y0) the start.
    """

    key: str
    title: str
    description: str
    source: str
    L: float
    b: float
    eta: float
    x0: float
    noise: NoiseDefaults
    y0: float | None = None
    dimension: int = 1


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

PAPER_FIG2_FORMULA = (
    "(x + 1.6)(x + 1.3)^2 (x - 0.2)^2 (x - 0.7)^2 (x - 1.6) (0.05 abs(1.65 - x))^0.6"
    " (1 + 1/(0.01 + 4(x - 0.5)^2)) (1 + 1/(0.1 + 4(x + 1.5)^2))"
    " (1 - exp(-5(x + 0.8)^2)/4)")
"""f of the paper's Figs. 1, 2, 4, 5 as printed in its appendix A.1 (THEORY.md section 6)."""

PAPER_FIG2_MINIMA = (-1.51148364783, -0.69927305514, 0.49624453836, 1.32209374517)
"""Its local minima on [-1.6, 1.6], from a 40-digit root of f' (mpmath)."""
PAPER_FIG2_MAXIMA = (-1.3, 0.2, 0.7)
"""Its local maxima: exactly the double zeros of f."""

FIG2_CRITICAL_POINTS = ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32")
"""The paper's rounded critical points, the zeros of the stand-in's f'."""
FIG3_CRITICAL_POINTS = ("-0.9", "-0.6", "0", "0.9", "1.2")
DOUBLE_WELL_CRITICAL_POINTS = ("-1.2", "-0.8", "0.8")

KLEINBERG_FORMULA = "x^2/2 - 0.04 exp(-6(1 - cos(20x)))"
"""A wide bowl with narrow wells (width ~0.02, depth 0.04) every 2 pi/20 = 0.31."""
KLEINBERG_NOISE = 5.0
KLEINBERG_DESCRIPTION = (
    "After Kleinberg, Li & Yuan (2018), Fig. 3: a wide quadratic bowl x^2/2 with small "
    "sharp spikes, narrow wells of depth 0.04 every 0.31 that make seven local minima of "
    "small diameter. Gradient descent stops in whichever well it meets; uniform noise of "
    "half-width 5 at eta = 0.01 smooths the wells away and the iterates gather at the "
    "bottom of the bowl (THEORY.md section 7).")


PRESETS: dict[str, Preset] = {
    "paper-fig2": Preset(
        key="paper-fig2",
        title="Paper, Fig. 2 (four minima, the appendix formula)",
        description=("The landscape of Wang, Oh & Rhee (2022), Figs. 1, 2, 4, 5, as printed in their "
                     "appendix A.1. Computed critical points: minima m = -1.5115, -0.6993, 0.4962, "
                     "1.3221 and maxima s = -1.3, 0.2, 0.7 (f = 0 there); m_1 and m_3 are deep narrow "
                     "wells, m_2 and m_4 wide. The paper's text rounds these (m_2 = -0.66, "
                     "m_3 = 0.49, ...)."),
        source=PAPER_FIG2_FORMULA,
        L=1.6, b=0.5, eta=0.001, x0=0.3, noise=PAPER_HEAVY),
    "paper-fig2-standin": Preset(
        key="paper-fig2-standin",
        title="Paper, Fig. 2: polynomial stand-in",
        description=("A stand-in for the paper's Fig. 2 landscape, not the landscape itself: "
                     "f'(x) = 5 prod(x - c_k) over the text's rounded critical points -1.51, -1.3, "
                     "-0.66, 0.2, 0.49, 0.7, 1.32 (exact rationals, exact roots, the fastest kernel). "
                     "Its sharp wells are shallow bumps, unlike the paper's picture."),
        source=polynomial_from_critical_points(FIG2_CRITICAL_POINTS, 5),
        L=1.6, b=0.5, eta=0.001, x0=0.3, noise=PAPER_HEAVY),
    "paper-fig3": Preset(
        key="paper-fig3",
        title="Paper, Fig. 3 (three fields, widths 0.6 / 0.9)",
        description=("Three fields with m_2 - s_1 = 0.6 and s_2 - m_2 = 0.9 as printed in the paper's "
                     "Fig. 3 (minima -0.9, 0, 1.2; maxima -0.6, 0.9). b = 0.5 gives an irreducible "
                     "graph; b = 0.4 gives the absorbing class {m_1, m_2} and the transient class {m_3}."),
        source=polynomial_from_critical_points(FIG3_CRITICAL_POINTS, 5),
        L=1.6, b=0.4, eta=0.001, x0=0.0, noise=PAPER_HEAVY),
    "asymmetric-double-well": Preset(
        key="asymmetric-double-well",
        title="Asymmetric double well",
        description=("A narrow well at -1.2 (r = 0.4) next to a wide one at 0.8 (r = 1.6). With b = 0.5 "
                     "the narrow well needs one jump to escape, the wide one four."),
        source=polynomial_from_critical_points(DOUBLE_WELL_CRITICAL_POINTS, 4),
        L=1.6, b=0.5, eta=0.001, x0=-1.2, noise=PAPER_HEAVY),
    "kleinberg-ripples": Preset(key="kleinberg-ripples",
                                title="Wide bowl with small sharp spikes",
                                description=KLEINBERG_DESCRIPTION, source=KLEINBERG_FORMULA,
                                L=1.5, b=0.3, eta=0.01, x0=1.2,
                                noise=NoiseDefaults("uniform", None, KLEINBERG_NOISE)),
    "broken-assumption": Preset(
        key="broken-assumption",
        title="Breaks Assumption 1",
        description=("f = x^5/5 - x^3/3: f' = x^2 (x^2 - 1) has a degenerate touch point at 0 and the "
                     "leftmost critical point is a maximum, so iterates left of -1 pile up at the wall "
                     "-L. The app shows which conditions fail."),
        source="x**5/5 - x**3/3",
        L=1.5, b=0.3, eta=0.001, x0=0.5, noise=PAPER_HEAVY),
}
"""Presets by key; :data:`DEFAULT_PRESET` is the paper's Fig. 2 landscape."""

DEFAULT_PRESET = "paper-fig2"

"""Ready-made 2-D landscapes f(x, y) (THEORY.md section 10).

Kept apart from :data:`landscape.presets.PRESETS` (which the 1-D pages list)
so that nothing that iterates the 1-D presets meets a 2-D one;
:data:`ALL_PRESETS` has both. Each is a :class:`~landscape.presets.Preset`
with ``dimension == 2``, ``L`` meaning the ball's radius R and (x0, y0) the start.

The paper's modified Himmelblau (appendix A.2) leaves c_x and the placement of
a bracket in the stretch unclear; the choice made here (see
:func:`modified_himmelblau_formula` and ``landscape/README.md``):

* the stretch multiplies both coordinates by F(u) = exp(c0 (u - c_x)) + 1,
  u = x - a_x: phi(u, y) = (u F(u), y F(u)), so F > 1 squeezes the right
  half (where F is large) more than the left: the two right fields are narrow;
* c_x = 1.7216 puts the minimum of h_phi that replaces Himmelblau's
  (-3.7793, -3.2832) exactly on the cut's line y = a_y = -2.9 (F = 3.2832/2.9
  there), so the cut's segment and that minimum are one connected set of
  minimisers, not a segment plus a separate point.
"""

from __future__ import annotations

import math

from .presets import PRESETS, NoiseDefaults, Preset

HIMMELBLAU_FORMULA = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
"""Himmelblau's function: four minima with f = 0, four saddles and one maximum."""

HIMMELBLAU_MINIMA = ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126))
"""Its minima (to 6 decimals)."""

#: the printed constants of the paper's appendix A.2 (THEORY.md section 10)
PAPER_CONSTANTS = {"a_x": 1.5, "a_y": -2.9, "b_l": -5.5, "b_r": -0.5, "b_y": 2.0,
                   "c0": 0.4, "c1": 12.0}


def paper_c_x(a_y: float = -2.9, c0: float = 0.4) -> float:
    """c_x that puts h_phi's lower-left minimum on the cut's line y = a_y (4 decimals)."""
    x_min, y_min = -3.779310253377747, -3.283185991286169
    stretch = y_min / a_y                       # F at that minimum
    u = x_min / stretch
    return round(u - math.log(stretch - 1.0) / c0, 4)


def modified_himmelblau_formula(c_x: float | None = None) -> str:
    """Formula text of the paper's f = 0.1 h* (appendix A.2) with this module's choices.

    h*(x, y) = (1 - i) h_phi + i min(h_phi, c1 |y - a_y|^1.1), with
    i = 1{x in [b_l, b_r], |y - a_y| < b_y} written with ``sign`` (the parser
    has no comparisons) and h_phi(x, y) = h((x - a_x) F, y F),
    F = exp(c0 (x - a_x - c_x)) + 1.
    """
    k = PAPER_CONSTANTS
    c_x = paper_c_x() if c_x is None else c_x
    stretch = f"(exp({k['c0']:g}(x - {k['a_x']:g} - {c_x:g})) + 1)"
    u, v = f"(x - {k['a_x']:g}){stretch}", f"y {stretch}"
    h = f"(({u})^2 + {v} - 11)^2 + ({u} + ({v})^2 - 7)^2"
    shift = f"y + {-k['a_y']:g}"
    cut = (f"(1 + sign(x + {-k['b_l']:g}))(1 + sign({k['b_r']:g} - x))"
           f"(1 + sign({k['b_y']:g} - abs({shift})))/8")
    return (f"0.1 ((1 - {cut}) ({h}) + {cut} min({h}, {k['c1']:g} abs({shift})^1.1))")


PAPER_HIMMELBLAU_FORMULA = modified_himmelblau_formula()

PAPER_2D_NOISE = NoiseDefaults("pareto", 1.2, 0.75)

PAPER_HIMMELBLAU_DESCRIPTION = (
    "The modified Himmelblau function of Wang, Oh & Rhee (2022), appendix A.2: "
    "f = 0.1 h*, Himmelblau's h stretched by phi(u, y) = (u F, y F), F = exp(0.4 (u - c_x)) + 1, "
    "u = x - 1.5, and cut so that on x in [-5.5, -0.5], |y + 2.9| < 2 it is "
    "min(h_phi, 12 |y + 2.9|^1.1): the minimiser of that field is the segment y = -2.9, "
    "x from the wall to -0.5. The paper leaves c_x and a bracket unclear; here c_x = "
    f"{paper_c_x():g} (h_phi's lower-left minimum lies on the segment) and F multiplies both "
    "coordinates. Fields by x: the segment (r = 2.22), (-0.84, 2.62) (r = 2.49), "
    "(3.05, 1.03) (r = 1.00), (3.27, -0.91) (r = 0.94), so at b = 2.15 l* = 2, 2, 1, 1 as in "
    "the paper; clipped SGD avoids the two narrow fields.")

PLANE_PRESETS: dict[str, Preset] = {
    "paper-himmelblau": Preset(key="paper-himmelblau",
                               title="Paper, Fig. 3 in 2-D (modified Himmelblau)",
                               description=PAPER_HIMMELBLAU_DESCRIPTION,
                               source=PAPER_HIMMELBLAU_FORMULA, L=4.2, b=2.15, eta=5e-4, x0=2.9,
                               noise=PAPER_2D_NOISE, y0=1.0, dimension=2),
    "himmelblau": Preset(
        key="himmelblau",
        title="Himmelblau (four minima, 2-D)",
        description=("Himmelblau's function (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima with f = 0 "
                     "at (3, 2), (-2.8051, 3.1313), (-3.7793, -3.2832), (3.5844, -1.8481), four saddles "
                     "and a maximum near (-0.2708, -0.9230), all inside the ball of radius 6. At b = 2 "
                     "the two left fields need two jumps to leave, the two right ones one."),
        source=HIMMELBLAU_FORMULA,
        L=6.0, b=2.0, eta=5e-4, x0=2.9, y0=1.0, noise=PAPER_2D_NOISE, dimension=2),
    "double-well-2d": Preset(
        key="double-well-2d",
        title="Asymmetric double well (2-D)",
        description=("f = x^4 + 1.6 x^3 - 1.28 x^2 - 3.072 x + 2 y^2: f_x = 4 (x + 1.2)(x + 0.8)(x - 0.8), "
                     "a narrow well at (-1.2, 0) next to a wide one at (0.8, 0), split by the line x = -0.8 "
                     "through the saddle (-0.8, 0). Widths r = 0.4 and 1.6: with b = 0.5 the narrow well "
                     "needs one jump to escape, the wide one four."),
        source="x^4 + 1.6x^3 - 1.28x^2 - 3.072x + 2y^2",
        L=2.0, b=0.5, eta=1e-3, x0=-1.2, y0=0.0, noise=NoiseDefaults("pareto", 1.2, 0.1),
        dimension=2),
    "bowl-ripples-2d": Preset(
        key="bowl-ripples-2d",
        title="Wide bowl with sharp ripples (2-D)",
        description=("After Kleinberg, Li & Yuan (2018) in the plane: a wide bowl (x^2 + y^2)/2 with "
                     "narrow wells of depth 0.1 on a lattice of spacing 2 pi/10: nine minima in the ball of radius 1, "
                     "eight small fields (l* = 1 at b = 0.3) around the wide bottom (l* = 2). Clipped heavy-tailed noise leaves the small wells."),
        source="(x^2 + y^2)/2 - 0.1 exp(-6(2 - cos(10x) - cos(10y)))",
        L=1.0, b=0.3, eta=0.01, x0=0.6, y0=0.6, noise=NoiseDefaults("pareto", 1.2, 0.1),
        dimension=2),
}
"""2-D presets by key."""

ALL_PRESETS: dict[str, Preset] = {**PRESETS, **PLANE_PRESETS}
"""1-D and 2-D presets by key."""

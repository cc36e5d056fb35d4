"""Himmelblau (scaled by 0.1) with quadrant fields: the 2-D kernel tests' landscape."""

import numpy as np
import sympy as sp

from simulate.plane import PlaneGrids
from simulate.plane_gradient import X, Y, compile_plane_gradient

# Himmelblau scaled by 0.1 (the paper's experiment before its modification)
HIMMELBLAU = sp.Rational(1, 10) * ((X**2 + Y - 11) ** 2 + (X + Y**2 - 7) ** 2)
GRAD = compile_plane_gradient(sp.diff(HIMMELBLAU, X), sp.diff(HIMMELBLAU, Y))
MINIMA = np.array([(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                   (3.584428, -1.848126)])
R = 4.2
#: f = -x - y: a constant push along the diagonal
PUSH = (sp.Integer(-1), sp.Integer(-1))


def quadrant_grids(R=R, n=61, near=0.5):
    """Fields by quadrant (0: x >= 0, y >= 0; 1: x < 0, y >= 0; 2: x >= 0, y < 0; 3: both < 0),
    near = within ``near`` of Himmelblau's minimum of that quadrant, -1 outside the ball and,
    for labels, on the strip |x| < 0.15 (cells of no field: a pass through them between two
    fields counts as one transition)."""
    xs = np.linspace(-R, R, n)
    cx, cy = xs[None, :], xs[:, None]
    labels = ((cx < 0).astype(int) + 2 * (cy < 0)).astype(np.int16)
    nears = np.full((n, n), -1, dtype=np.int16)
    for i, q in enumerate((0, 1, 3, 2)):           # MINIMA[i] lies in quadrant q
        nears[(cx - MINIMA[i, 0]) ** 2 + (cy - MINIMA[i, 1]) ** 2 < near**2] = q
    outside = cx**2 + cy**2 > R**2
    labels[outside | (np.abs(cx) < 0.15)] = -1
    nears[outside] = -1
    return PlaneGrids((-R, R, -R, R), labels, nears, fields=4)

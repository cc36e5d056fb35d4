"""The lattice of the cells of ``simulate.plane_table``: square cells of side h, shifted per
axis so that one axis-parallel switch line of grad f lies on an edge.

A jump or kink of grad f along a line x = c (the paper's cut ``sign(-x - 1/2)``) runs
through the cells of a lattice anchored at -R, and those cells are exact (the compiled
formula, ~3 times the cost of a tabulated step). Anchored at c instead, the line is an
edge: the cells on either side are smooth and tabulate. Per axis the edges are

    e_j = a + (j - k) h,  j = 0 .. m,

with a the axis' line (``-R`` if none) and k the least integer with e_0 <= -R, so that
e_k = a exactly (and the fine lattice of ``refined``, side h / r, has e_{r k} = a too).
Without a line, a = -R, k = 0 and m = n: the plain lattice of [-R, R]^2. With a line on
either axis both axes have m = n + 1 cells (the kernels take one cell count for both), so
the edges still cover [-R, R].

The nodes of a cell on a line are evaluated a rounding step inside the cell
(:meth:`Lattice.off_lines`): each side's fit sees the limit of grad f from its side, never
the formula's value on the line itself (e.g. sign(0) = 0). A point exactly on the line
is evaluated by the exact formula (``PlaneTable.lines``, the kernels' ``tgeo[4:6]``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Lattice:
    """Edges anchor[axis] + (j - first[axis]) h, j = 0 .. count, per axis (0: x, 1: y).

    Attributes
    ----------
    h : float
        The cells' side.
    anchor : (float, float)
        A point on an edge per axis: the axis' line, or -R.
    first : (int, int)
        The index of that edge.
    count : int
        Cells an axis (both axes).
    lines : (float or None, float or None)
        The switch line on an edge per axis (None: none).
    """

    h: float
    anchor: tuple[float, float]
    first: tuple[int, int]
    count: int
    lines: tuple = (None, None)

    @classmethod
    def around(cls, R: float, n: int, lines=(None, None)) -> Lattice:
        """n cells of side 2R / n an axis over [-R, R], shifted so that each axis' line (a
        value in (-R, R), or None) is an edge (one more cell an axis if any is given)."""
        h = 2.0 * R / n
        anchor, first = [-R, -R], [0, 0]
        for axis, a in enumerate(lines):
            if a is not None:
                anchor[axis], first[axis] = a, math.ceil((a + R) / h)
                while a - first[axis] * h > -R:           # rounding: e_0 <= -R
                    first[axis] += 1
        count = n
        if any(a is not None for a in lines):
            count = n + 1
            while any(anchor[i] + (count - first[i]) * h < R for i in (0, 1)):
                count += 1
        return cls(h, tuple(anchor), tuple(first), count, tuple(lines))

    def points(self, axis: int, per: int = 1) -> np.ndarray:
        """The lattice of spacing h / per on the axis (per = 1: the edges)."""
        return self.anchor[axis] + (self.h / per) * (np.arange(per * self.count + 1)
                                                     - per * self.first[axis])

    def edges(self, axis: int) -> np.ndarray:
        return self.points(axis, 1)

    def centres(self, axis: int) -> np.ndarray:
        e = self.edges(axis)
        return 0.5 * (e[:-1] + e[1:])

    def refined(self, m: int) -> Lattice:
        """The lattice of the m x m fine cells of each cell (its edges among them)."""
        return Lattice(self.h / m, self.anchor, (m * self.first[0], m * self.first[1]),
                       m * self.count, self.lines)

    def cells_in_ball(self, R: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the cells that meet the ball of radius R."""
        near = []
        for axis in (0, 1):
            e = self.edges(axis)
            near.append(np.maximum(np.maximum(e[:-1], 0), -e[1:]))   # distance to 0
        return np.nonzero(near[0][None, :] ** 2 + near[1][:, None] ** 2 <= (R * (1 + 1e-9)) ** 2)

    def off_lines(self, v: np.ndarray, axis: int, centre: np.ndarray) -> np.ndarray:
        """v with the points on (within 1e-9 h of) the axis' line moved one rounding step
        towards ``centre`` (their cell's centre, broadcast against v): inside the cell."""
        a = self.lines[axis]
        if a is None:
            return v
        centre = np.broadcast_to(centre, np.shape(v))
        return np.where(np.abs(v - a) <= 1e-9 * self.h, np.nextafter(a, centre), v)

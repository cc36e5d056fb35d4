"""q_{i,j} for l* >= 4: the nested jump-path integral on Gauss-Legendre panels.

The same integral as ``rates._JumpPaths`` (see ``landscape.rates``), done
backwards and vectorised instead of by nested adaptive quadrature:
F_{l-1}(z) = E(z) (the one-jump rates), F_k(y) = int K(y, z) F_{k+1}(z) dz
with K(y, z) = p |z - y|^-alpha / |f'(z)| over the z that still matter, and
q_{i,j} = F_0(m_i). Each F_k is kept on Gauss-Legendre panels split at every
point where it can kink (s +- k b, m +- k b, +-L +- k b), interpolated by its
Legendre series inside a panel. The error estimate is the difference between
two resolutions.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.polynomial import legendre

#: Panels are at most this fraction of b wide; Gauss-Legendre nodes per panel.
PANEL_WIDTH, COARSE_NODES, FINE_NODES = 0.25, 12, 20


class GridPaths:
    """q_{i,j} of one field by panel quadrature (all destinations at once)."""

    def __init__(self, index, minimum, left, right, maxima, L, b, df, alpha, p_plus, l_star,
                 panel_width=PANEL_WIDTH):
        self.panel_width = panel_width
        self.index, self.m, self.left, self.right = index, minimum, left, right
        self.L, self.b, self.df, self.alpha, self.p_plus = L, b, df, alpha, p_plus
        self.l = l_star
        self.bounds = np.array([-math.inf, *maxima, math.inf])
        self.n = len(maxima) + 1
        marks = [*maxima, -L, L, minimum]
        self.marks = np.array(sorted({s + k * b for s in marks
                                      for k in range(-l_star - 1, l_star + 2)}))

    def _useful(self, k: int) -> list[tuple[float, float]]:
        """Where z_k (after k jumps) lies and still matters, split into panels."""
        reach = (self.l - k) * self.b
        pieces = []
        if self.left is not None:
            pieces.append((max(self.left, -self.L, self.m - k * self.b),
                           min(self.left + reach, self.m)))
        if self.right is not None:
            pieces.append((max(self.right - reach, self.m),
                           min(self.right, self.L, self.m + k * self.b)))
        panels = []
        for low, high in pieces:
            if not low < high:
                continue
            cuts = [low, *[x for x in self.marks if low < x < high], high]
            for a, c in itertools.pairwise(cuts):
                parts = max(1, math.ceil((c - a) / (self.panel_width * self.b)))
                edges = np.linspace(a, c, parts + 1)
                panels.extend(itertools.pairwise(edges))
        return panels

    def _last_jump(self, y: np.ndarray) -> np.ndarray:
        """E(y): one-jump rates to every field, shape (len(y), n)."""
        low, high = self.bounds[:-1][None, :], self.bounds[1:][None, :]
        y = y[:, None]
        right = low >= y
        near = np.where(right, low - y, y - high)
        far = np.where(right, high - y, y - low)
        p = np.where(right, self.p_plus, 1.0 - self.p_plus)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            mass = p * (near ** -self.alpha - np.where(far < self.b, far ** -self.alpha, 0.0))
        out = np.where((near > 0) & (near < self.b), mass, 0.0)
        out[:, self.index] = 0.0
        return out

    def _solve(self, nodes: int) -> np.ndarray:
        base, base_weights = legendre.leggauss(nodes)
        # level l - 1: E on the panels, as Legendre series per panel
        panels = self._useful(self.l - 1)
        series = self._series(panels, base, lambda z: self._last_jump(z))
        for k in range(self.l - 2, -1, -1):
            targets = self._useful(k) if k > 0 else [(self.m, self.m)]
            points = self._panel_points(targets, base)
            values = self._integrate(points, panels, series, base, base_weights)
            if k == 0:
                return values[0]
            series = self._fit(targets, values, base)
            panels = targets
        raise AssertionError("unreachable")

    @staticmethod
    def _panel_points(panels, base) -> np.ndarray:
        return np.concatenate([0.5 * (a + c) + 0.5 * (c - a) * base if c > a else
                               np.array([a]) for a, c in panels])

    def _series(self, panels, base, function):
        points = self._panel_points(panels, base)
        return self._fit(panels, function(points), base)

    @staticmethod
    def _fit(panels, values, base):
        size = base.size
        return [legendre.legfit(base, values[p * size:(p + 1) * size], size - 1)
                for p in range(len(panels))]

    def _integrate(self, y, panels, series, base, base_weights) -> np.ndarray:
        """int K(y, z) F(z) dz over the allowed z, for every y at once: shape (len(y), n)."""
        total = np.zeros((y.size, self.n))
        for (a, c), coefficients in zip(panels, series, strict=True):
            low = np.maximum(a, y - self.b)
            high = np.minimum(c, y + self.b)
            # the flow from the landing point passes everything between m and it:
            # only z beyond y (away from m) counts when y and z are on the same side
            same_right = (y > self.m) & (a >= self.m)
            same_left = (y < self.m) & (c <= self.m)
            low = np.where(same_right, np.maximum(low, y), low)
            high = np.where(same_left, np.minimum(high, y), high)
            ok = high > low
            if not ok.any():
                continue
            yy, lo, hi = y[ok], low[ok], high[ok]
            half = 0.5 * (hi - lo)
            z = (0.5 * (hi + lo))[:, None] + half[:, None] * base[None, :]
            slope = np.abs(self.df(z.ravel())).reshape(z.shape)
            p = np.where(z > yy[:, None], self.p_plus, 1.0 - self.p_plus)
            kernel = p * np.abs(z - yy[:, None]) ** -self.alpha / slope
            local = (2.0 * z - (a + c)) / (c - a)
            inner = legendre.legval(local, coefficients)          # (n, rows, nodes)
            total[ok] += np.einsum("rk,jrk,k->rj", kernel * half[:, None], inner,
                                   base_weights)
        return total

    def rates(self) -> tuple[np.ndarray, np.ndarray]:
        """(q_{i,j} for every j, error estimate = |fine - coarse|)."""
        coarse = self._solve(COARSE_NODES)
        fine = self._solve(FINE_NODES)
        return fine, np.abs(fine - coarse)

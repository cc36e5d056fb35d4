"""The field map and the jump integrals of the 2-D constants (helper of ``rates_plane``).

* :class:`FieldMap`: the field of any point of the ball, from the analysis'
  label grid (:class:`landscape.plane_analysis.PlaneAnalysis`), with the cells
  along the field boundaries split ``refine`` x ``refine`` and each sub-cell
  labelled by following its own gradient flow (projected onto the ball) until
  it reaches a cell deep inside a field. Boundaries are then placed to within
  half a sub-cell, ``spacing / refine / 2``.
* :meth:`FieldMap.ray_rates`: the last jump (THEORY.md 11, l* = 1): from y,
  along each direction theta, an interval (a, c) of the ray inside Omega_j adds
  a^-alpha - c^-alpha to q_{.,j}, the point at distance b (the clipped jumps'
  atom) adds b^-alpha; averaged over theta (midpoint rule). Samples along the
  ray every sub-cell; a crossing is put half-way between two samples.
* :meth:`FieldMap.flow_integrals`: int_0^inf E(x(t)) dt along many gradient
  flows at once (RK4), E a tabulated function of the position.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import ndimage

from . import config
from .errors import TheoryError


def project(x: np.ndarray, y: np.ndarray, R: float) -> tuple[np.ndarray, np.ndarray]:
    """The points (x, y) projected onto the ball |x| <= R (the wall of the recursion)."""
    x = np.array(x, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    outside = x * x + y * y > R * R
    if outside.any():
        shrink = R / np.hypot(x[outside], y[outside])
        x[outside] *= shrink
        y[outside] *= shrink
    return x, y


class FieldMap:
    """Field labels of the ball at sub-cell resolution near the boundaries.

    Parameters
    ----------
    analysis : PlaneAnalysis
    refine : int
        Sub-cells per cell side in the boundary band (1: the analysis' grid).
    deadline : float, optional
        ``time.perf_counter()`` value after which a ``TheoryError`` is raised.
    """

    def __init__(self, analysis, refine: int = config.PLANE_JUMPS_REFINE,
                 deadline: float | None = None):
        self.analysis = analysis
        self.land = analysis.landscape
        self.R = float(analysis.R)
        labels = np.asarray(analysis.label_grid, dtype=np.int16)
        self.n = labels.shape[0]
        self.spacing = 2 * self.R / (self.n - 1)
        self.refine = int(refine)
        self.fine_spacing = self.spacing / self.refine
        self.deadline = deadline
        self.m = len(analysis.fields)
        filled = _fill_outside(labels)
        self.coarse = filled
        big = np.where(labels >= 0, labels, np.int16(32000))
        low = ndimage.minimum_filter(big, size=5, mode="nearest")
        high = ndimage.maximum_filter(labels, size=5, mode="nearest")
        self.interior = (low == high) & (high >= 0)
        self.stiffness = self._stiffness()
        self.fine = np.repeat(np.repeat(filled, self.refine, 0), self.refine, 1)
        if self.refine > 1:
            self._refine_band()

    # -- set-up -------------------------------------------------------------
    def _stiffness(self) -> np.ndarray:
        """|fxx| + 2|fxy| + |fyy| on the grid, the largest over each cell's neighbours.

        Bounds the flow's stiffness near a point: a step dt <= 0.5 / stiffness
        keeps the explicit Runge-Kutta steps stable (kinks aside).
        """
        axis = np.linspace(-self.R, self.R, self.n)
        gx, gy = np.meshgrid(axis, axis)
        hxx, hxy, hyy = self.land.hessian(gx, gy)
        size = np.abs(hxx) + 2 * np.abs(hxy) + np.abs(hyy)
        finite = size[np.isfinite(size)]
        size = np.where(np.isfinite(size), size, finite.max() if finite.size else 1.0)
        return np.maximum(ndimage.maximum_filter(size, size=3, mode="nearest"), 1e-6)

    def time_steps(self, x, y, gx, gy, displacement: float) -> np.ndarray:
        """Per-point flow steps: stable for the local stiffness, moving at most ``displacement``."""
        row, col = self._coarse_index(x, y)
        return np.minimum(0.5 / self.stiffness[row, col],
                          displacement / np.maximum(np.hypot(gx, gy), 1e-300))

    def _refine_band(self) -> None:
        coarse = self.coarse
        low = ndimage.minimum_filter(coarse, size=3, mode="nearest")
        high = ndimage.maximum_filter(coarse, size=3, mode="nearest")
        rows, cols = np.nonzero(low != high)
        if rows.size == 0:
            return
        k, h = self.refine, self.spacing
        offsets = (np.arange(k) + 0.5) / k - 0.5
        ox, oy = np.meshgrid(offsets, offsets)
        px = (-self.R + cols * h)[:, None] + ox.ravel()[None, :] * h
        py = (-self.R + rows * h)[:, None] + oy.ravel()[None, :] * h
        px, py = project(px.ravel(), py.ravel(), self.R)
        labels = self.classify(px, py)
        fine_rows = (rows[:, None] * k + ((oy.ravel() + 0.5) * k - 0.5).round().astype(int)[None, :])
        fine_cols = (cols[:, None] * k + ((ox.ravel() + 0.5) * k - 0.5).round().astype(int)[None, :])
        self.fine[fine_rows.ravel(), fine_cols.ravel()] = labels

    # -- labels -------------------------------------------------------------
    def _coarse_index(self, x, y):
        col = np.clip(np.rint((x + self.R) / self.spacing).astype(np.int64), 0, self.n - 1)
        row = np.clip(np.rint((y + self.R) / self.spacing).astype(np.int64), 0, self.n - 1)
        return row, col

    def classify(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Field of each point, by its own projected gradient flow (see the module docstring)."""
        x = np.array(x, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        out = np.full(x.shape, -1, dtype=np.int16)
        active = np.arange(x.size)
        step_length = 0.5 * self.spacing
        for _ in range(config.PLANE_JUMPS_CLASSIFY_STEPS):
            row, col = self._coarse_index(x[active], y[active])
            done = self.interior[row, col]
            out[active[done]] = self.coarse[row[done], col[done]]
            active = active[~done]
            if active.size == 0:
                break
            self._check_time()
            ax, ay = x[active], y[active]
            gx, gy = self.land.gradient(ax, ay)
            bad = ~np.isfinite(gx) | ~np.isfinite(gy)
            dt = self.time_steps(ax, ay, gx, gy, step_length)
            mx, my = project(ax - 0.5 * dt * gx, ay - 0.5 * dt * gy, self.R)
            hx, hy = self.land.gradient(mx, my)
            nx, ny = project(ax - dt * hx, ay - dt * hy, self.R)
            ok = np.isfinite(nx) & np.isfinite(ny) & ~bad
            x[active] = np.where(ok, nx, ax)
            y[active] = np.where(ok, ny, ay)
        if active.size:
            row, col = self._coarse_index(x[active], y[active])
            out[active] = self.coarse[row, col]
        return out

    def lookup(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Field of each point of the ball (int16), from the refined map."""
        size = self.fine.shape[0]
        origin = -self.R - 0.5 * self.spacing
        col = np.clip(((x - origin) / self.fine_spacing).astype(np.int64), 0, size - 1)
        row = np.clip(((y - origin) / self.fine_spacing).astype(np.int64), 0, size - 1)
        return self.fine[row, col]

    def _check_time(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise TheoryError("the 2-D rates took longer than their time budget; try a smaller "
                              "grid or a simpler formula")

    # -- the last jump --------------------------------------------------------
    def ray_radii(self, b: float, near, step: float) -> np.ndarray:
        """Sample distances (P, S) along the rays from points whose field starts ``near``.

        From ``near`` (below it the ray surely stays in the own field) to the
        clipped jump's size b, at most ``step`` apart; past 2R (unclipped) the
        projection only moves along the wall and the samples grow geometrically.
        """
        near = np.asarray(near, dtype=np.float64)
        reach = min(b, 2 * self.R)
        near = np.minimum(near, 0.5 * reach)
        count = max(2, math.ceil(float(np.max(reach - near)) / step))
        share = np.arange(1, count + 1) / count
        radii = near[:, None] + (reach - near)[:, None] * share[None, :]
        if b > 2 * self.R:
            far = np.geomspace(2 * self.R, min(b, 1e3 * self.R), 65)[1:]
            radii = np.concatenate((radii, np.broadcast_to(far, (near.size, far.size))), axis=1)
        return radii

    def ray_rates(self, x, y, own, b: float, alpha: float, n_theta: int,
                  step: float | None = None, offset: float = 0.5, near=0.0):
        """Rates nu{w : proj(y + phi_b(w)) in Omega_j} of the points (x, y) to every field.

        Parameters
        ----------
        x, y : array of shape (P,)
        own : int
            The field whose entry is set to 0 (the small jumps that stay).
        b, alpha : float
            Clipping threshold (inf: none) and tail index.
        n_theta : int
            Directions (midpoint rule on the circle, shifted by ``offset``).
        step : float, optional
            Largest gap between samples along a ray (default: a sub-cell).
        near : float or array (P,)
            Distance below which every ray surely stays in the own field.

        Returns
        -------
        rates : ndarray (P, m)
        sensitivity : ndarray (P,)
            sum over own/other crossings of alpha a^(-alpha-1) * (step / 2),
            averaged over theta: a bound on the error of q_i from placing the
            crossings to within half a sample step.
        """
        x = np.atleast_1d(np.asarray(x, dtype=np.float64))
        y = np.atleast_1d(np.asarray(y, dtype=np.float64))
        step = self.fine_spacing if step is None else step
        near = np.broadcast_to(np.asarray(near, dtype=np.float64), x.shape)
        radii = self.ray_radii(b, near, step)
        lower = np.concatenate(((0.5 * (near[:, None] + radii[:, :1])),
                                0.5 * (radii[:, :-1] + radii[:, 1:])), axis=1)
        upper = np.concatenate((lower[:, 1:] ** -alpha, np.zeros((x.size, 1))), axis=1)
        weights = lower ** -alpha - upper
        slope = alpha * lower ** (-alpha - 1) * (0.5 * step)
        theta = 2 * np.pi * (np.arange(n_theta) + offset) / n_theta
        cos, sin = np.cos(theta), np.sin(theta)
        rates = np.zeros((x.size, self.m))
        sensitivity = np.zeros(x.size)
        chunk = max(1, config.PLANE_JUMPS_BLOCK // (n_theta * radii.shape[1]))
        for start in range(0, x.size, chunk):
            self._check_time()
            part = slice(start, start + chunk)
            r = radii[part, None, :]
            px = x[part, None, None] + r * cos[None, :, None]
            py = y[part, None, None] + r * sin[None, :, None]
            labels = self.lookup(*project(px, py, self.R)).astype(np.int64)
            count = labels.shape[0]
            w = np.broadcast_to(weights[part, None, :], labels.shape)
            index = labels + self.m * np.arange(count)[:, None, None]
            sums = np.bincount(index.ravel(), weights=w.ravel(), minlength=count * self.m)
            rates[part] = sums.reshape(count, self.m) / n_theta
            stays = labels == own
            crossing = np.empty_like(stays)
            crossing[..., 0] = ~stays[..., 0]
            crossing[..., 1:] = stays[..., 1:] != stays[..., :-1]
            sensitivity[part] = np.einsum("pts,ps->p", crossing, slope[part]) / n_theta
        rates[:, own] = 0.0
        return rates, sensitivity

    # -- flows ---------------------------------------------------------------
    def flow_integrals(self, x, y, table, stop, max_time: float, stride: int = 1):
        """int_0^T E(x(t)) dt along the flows from (x, y), E bilinear in ``table``.

        Parameters
        ----------
        table : ndarray
            E (last axis: one entry per quantity) at every ``stride``-th cell
            centre of the analysis' grid.
        stop : callable(x, y) -> bool array
            Where E is 0 for good (the flow has come close to the minimum).
        max_time : float
            The time after which a flow counts as unfinished (RK4 steps from
            ``time_steps``, each moving at most 1.5 cells).

        Returns
        -------
        integrals : ndarray (P, m)
        unfinished : int
            Flows that had not reached ``stop`` by ``max_time``.
        """
        x = np.array(x, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        total = np.zeros((x.size, table.shape[2]))
        previous = self.bilinear(table, x, y, stride)
        active = np.arange(x.size)
        clock = np.zeros(x.size)
        grad = self.land.gradient
        while active.size:
            keep = ~stop(x[active], y[active]) & (clock[active] < max_time)
            active, previous = active[keep], previous[keep]
            if active.size == 0:
                break
            self._check_time()
            ax, ay = x[active], y[active]
            k1 = grad(ax, ay)
            dt = self.time_steps(ax, ay, k1[0], k1[1], 1.5 * self.spacing)
            k2 = grad(ax - 0.5 * dt * k1[0], ay - 0.5 * dt * k1[1])
            k3 = grad(ax - 0.5 * dt * k2[0], ay - 0.5 * dt * k2[1])
            k4 = grad(ax - dt * k3[0], ay - dt * k3[1])
            nx = ax - dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
            ny = ay - dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
            nx, ny = project(nx, ny, self.R)
            ok = np.isfinite(nx) & np.isfinite(ny)
            nx, ny = np.where(ok, nx, ax), np.where(ok, ny, ay)
            current = self.bilinear(table, nx, ny, stride)
            total[active] += (0.5 * dt)[:, None] * (previous + current)
            x[active], y[active], previous = nx, ny, current
            clock[active] += np.where(ok, dt, max_time)
        unfinished = int(np.sum((clock >= max_time) & ~stop(x, y)))
        return total, unfinished

    def bilinear(self, table: np.ndarray, x, y, stride: int = 1) -> np.ndarray:
        """Bilinear interpolation at (x, y) of ``table`` (values at every ``stride``-th cell)."""
        spacing = stride * self.spacing
        size = table.shape[0]
        u = np.clip((np.asarray(x) + self.R) / spacing, 0, size - 1 - 1e-9)
        v = np.clip((np.asarray(y) + self.R) / spacing, 0, size - 1 - 1e-9)
        c0, r0 = u.astype(np.int64), v.astype(np.int64)
        fu, fv = (u - c0)[:, None], (v - r0)[:, None]
        return ((1 - fu) * (1 - fv) * table[r0, c0] + fu * (1 - fv) * table[r0, c0 + 1]
                + (1 - fu) * fv * table[r0 + 1, c0] + fu * fv * table[r0 + 1, c0 + 1])


def _fill_outside(labels: np.ndarray) -> np.ndarray:
    """The label grid with every -1 cell given its nearest labelled cell's field."""
    labels = labels.copy()
    missing = labels < 0
    if missing.any() and (~missing).any():
        _, (rows, cols) = ndimage.distance_transform_edt(missing, return_indices=True)
        labels[missing] = labels[rows[missing], cols[missing]]
    return labels

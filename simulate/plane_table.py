"""grad f of a 2-D landscape tabulated on the ball as bicubic cells, checked against the
exact gradient (the 2-D counterpart of ``simulate.table``).

A new formula needs no compile: one kernel (``simulate._kernels_plane_table``,
compiled once, ``cache=True``, warmed by ``make warmup``) evaluates any table.

* **cells**: [-R, R]^2 is cut into n x n square cells of side h = 2R / n;
  only the cells that meet the ball |X| <= R are built. On each, df/dx and
  df/dy are interpolated by tensor cubics at the 4 x 4 equispaced nodes
  (c - 3h/6 ... c + 3h/6 in each axis; neighbouring cells share their edge
  nodes, so the table is continuous), stored in powers of t = x - c_x,
  s = y - c_y. The exact values come from SymPy's ``lambdify`` of the two
  derivatives (with common-subexpression elimination): no compile.
* **checked when built**: every built cell is compared with the exact
  gradient at its 9 check points (3 x 3, where the error of interpolating a
  smooth function at these nodes peaks: 0 and +-sqrt(5) h / 6); the
  cell's error is the largest |table - grad f| there divided by the largest
  |grad f| at its nodes and check points (so a pole cannot hide an error
  behind a huge |grad f| elsewhere). A cell is *exact* (the kernels call the
  compiled formula there) if its error exceeds ``config.PLANE_TABLE_TOLERANCE``
  at the finest n of ``config.PLANE_TABLE_CELLS``, if grad f is not finite at
  one of its points, or if a kink, jump or singularity may cross it: the zero
  set of an argument of ``Abs``, ``sign``, ``Heaviside``, ``Min`` / ``Max``
  (differences), a ``Piecewise`` condition, ``log``, ``floor`` / ``ceiling``,
  or of the base of a power that is not a non-negative integer, passes
  within h / 2 of one of 3 x 3 points of the cell (by |s| / |grad s| there)
  or changes sign between them, where grad f depends on that node (see
  ``simulate.plane_kink.switch_cells``: the paper's cut ``min(h, 12 |y + 2.9|^1.1)``
  matters only inside its box).
* **kink lines** (``simulate.plane_kink``): near a line v = a where grad f has a
  term like sign(u) |u|^q, u = v - a, a cell the check refused or only that line's
  switches flag is fitted in the coordinate sign(u) |u|^q on that axis and kept if
  it passes the same check there (on more points), else it stays exact.
* **used** when the exact cells are at most ``config.PLANE_TABLE_MAX_EXACT``
  of the built ones; otherwise refused (:attr:`PlaneTable.reason`) and the
  runs use the exact gradient.

The table of a (gradient, R) is deterministic and cached in the process and
on disk (``<cache>/gradients/pt_*.npz``): a run is reproducible under a seed.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass

import numpy as np

from . import (
    _jit,  # noqa: F401  (numba cache location)
    config,
)
from ._kernels_plane_table import MODE_SHIFT, kink_coordinate_np
from .plane_kink import Exact, kink_cells, switch_cells, switch_nodes  # noqa: F401

#: bump when the table layout or the check changes
_TABLE_VERSION = "5"
#: nodes per cell and axis (tensor cubics)
NODES = 4
#: the powers of s in the order a block stores them (its own inverse)
S_ORDER = (0, 2, 1, 3)
#: local offsets of the nodes from the cell's centre, in units of h
_NODE_OFFSETS = (np.arange(NODES) - 1.5) / 3.0
#: local offsets of the check points, in units of h: where the nodes' polynomial
#: (t^2 - 9/4)(t^2 - 1/4) (t in units of h / 3) peaks, so where the error of a smooth
#: grad f is largest, in each axis
_CHECK_OFFSETS = np.array([-math.sqrt(1.25), 0.0, math.sqrt(1.25)]) / 3.0


@dataclass(frozen=True, eq=False)
class PlaneTable:
    """grad f on the ball of radius R as bicubic cells, with its measured error.

    Attributes
    ----------
    R : float
    cells : int
        n: the square [-R, R]^2 is cut into n x n cells.
    index : int32 (n, n)
        [row = y, col = x]: the cell's block in ``coefficients`` plus its mode
        << ``MODE_SHIFT`` (1: t, 2: s in the kink coordinate of that axis' line), -1 for
        an exact cell (or a cell outside the ball).
    coefficients : float64 (blocks, 32)
        Per tabulated cell, ``[8 i + 2 m + d]``: the coefficient of t^i s^j,
        j = ``S_ORDER[m]`` = (0, 2, 1, 3)[m], of component d (0: df/dx, 1: df/dy),
        t = x - c_x, s = y - c_y (the kernels' SIMD layout).
    centres : float64 (4, n)
        The cells' centres in x (row 0) and y (row 1), then in the kink coordinates.
    edges : float64 (2, n + 1)
        The cells' edges: cell j of an axis holds edges[j] <= v < edges[j + 1] (the
        first and last cells extend to -inf, inf).
    relative_error : float
        Largest error of a tabulated cell, relative to the largest |grad f| on it.
    checked_points : int
        Check points of the tabulated cells.
    exact_cells, built_cells : int
        Cells left to the exact gradient, cells that meet the ball.
    reason : str or None
        Why the table is not used (None if it is).
    failed_cells : int
        Exact cells that no switch function crosses: the check refused them.
    kinks : float64 (2, KINK_WIDTH)
        The kink line of each axis (``kink_table``; zeros: none).
    kink_cells : int
        Cells tabulated in a kink coordinate.
    """

    R: float
    cells: int
    index: np.ndarray
    coefficients: np.ndarray
    centres: np.ndarray
    edges: np.ndarray
    relative_error: float
    checked_points: int
    exact_cells: int
    built_cells: int
    reason: str | None = None
    failed_cells: int = 0
    kinks: np.ndarray | None = None
    kink_cells: int = 0

    @property
    def usable(self) -> bool:
        return self.reason is None

    @property
    def exact_share(self) -> float:
        return self.exact_cells / self.built_cells if self.built_cells else 1.0

    def geometry(self) -> np.ndarray:
        """(x_lo, y_lo, 1/h, 1/h): the kernels' ``tgeo``."""
        inv = self.cells / (2.0 * self.R)
        return np.array([-self.R, -self.R, inv, inv])

    def kernel_args(self) -> tuple:
        """(tix, tco, tgeo, tcen, tedge, tk): the table as the generic kernels take it."""
        return (self.index, self.coefficients, self.geometry(), self.centres, self.edges,
                self.kinks)

    def describe(self) -> str:
        """One line for a caption or a JSON: which gradient and how exact."""
        if not self.usable:
            return f"grad f exact (compiled formula): no table ({self.reason})"
        h = 2.0 * self.R / self.cells
        tail = (f"; {self.kink_cells:,} cells along a kink line in its kink coordinate"
                if self.kink_cells else "")
        if self.exact_cells:
            tail += (f"; {self.exact_cells:,} cells ({self.exact_share:.1%}) where grad f has a "
                    "kink, jump or singularity or the check failed use the exact formula")
        return (f"grad f tabulated (bicubic cells of side {h:.3g} on the ball of radius "
                f"{self.R:g}): max error {self.relative_error:.1e} x max|grad f| of its cell at "
                f"{self.checked_points:,} check points (tolerance "
                f"{config.PLANE_TABLE_TOLERANCE:.0e}){tail}")

    def __call__(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """The tabulated (df/dx, df/dy) at (x, y) (NaN in exact cells); NumPy, the kernels'
        formula (equal up to rounding)."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        col = np.clip(np.searchsorted(self.edges[0], x, side="right") - 1, 0, self.cells - 1)
        row = np.clip(np.searchsorted(self.edges[1], y, side="right") - 1, 0, self.cells - 1)
        raw = self.index[row, col]
        k, mode = np.where(raw < 0, -1, raw & ((1 << MODE_SHIFT) - 1)), np.maximum(raw, 0) >> 28
        blocks = self.coefficients.reshape(-1, NODES, NODES, 2)[:, :, S_ORDER]  # [., i, j, d]
        c = blocks[np.maximum(k, 0)]
        local = []
        for axis, (v, j) in enumerate(((x, col), (y, row))):
            kinked = (mode >> axis) & 1 == 1
            sig = kink_coordinate_np(v - self.kinks[axis, 0], self.kinks[axis])
            local.append(np.where(kinked, sig - self.centres[2 + axis, j],
                                  v - self.centres[axis, j])[..., None] ** np.arange(NODES))
        t, s = local
        out = np.einsum("...ijc,...i,...j->...c", c, t, s)
        out[k < 0] = np.nan
        return out[..., 0], out[..., 1]


def _aligned(a: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of a whose data starts on a 64-byte boundary (a cache line:
    the kernels load a block's rows 64 bytes at a time)."""
    buf = np.empty(a.size * a.itemsize + 64, dtype=np.uint8)
    skip = -buf.ctypes.data % 64
    out = buf[skip:skip + a.size * a.itemsize].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def _fit_matrix() -> np.ndarray:
    """(4, 4): power coefficients (in units of h) of the cubic through the 4 nodes."""
    return np.linalg.inv(np.vander(_NODE_OFFSETS, NODES, increasing=True))


def build_plane_table(gradient, R: float, cells: int, exact: Exact | None = None) -> PlaneTable:
    """Tabulate grad f on the ball of radius R with n = ``cells`` cells per axis, check it."""
    exact = exact or Exact(gradient)
    R = float(R)
    n = int(cells)
    h = 2.0 * R / n
    edge = -R + h * np.arange(n + 1)
    centres = 0.5 * (edge[:-1] + edge[1:])
    near = np.maximum(np.maximum(edge[:-1], 0), -edge[1:])      # distance to 0 per axis
    inside = near[None, :] ** 2 + near[:, None] ** 2 <= (R * (1 + 1e-9)) ** 2
    rows, cols = np.nonzero(inside)
    nc = rows.size
    # nodes: lattice x_i = -R + i h / 3, shared between neighbours (the cell's 4 x 4)
    lat = -R + (h / 3.0) * np.arange(3 * n + 1)
    used = np.zeros((3 * n + 1, 3 * n + 1), dtype=bool)
    k = np.arange(NODES)
    used[(3 * rows)[:, None, None] + k[None, :, None], (3 * cols)[:, None, None] + k[None, None, :]] = True
    ly, lx = np.nonzero(used)
    node_vals = {}
    gx, gy = exact.values(exact.grad, lat[lx], lat[ly])[:2]
    for name, v in (("gx", gx), ("gy", gy)):
        full = np.full(used.shape, np.nan)
        full[ly, lx] = v
        node_vals[name] = full[(3 * rows)[:, None, None] + k[None, :, None],
                               (3 * cols)[:, None, None] + k[None, None, :]]   # (nc, j, i)
    A = _fit_matrix() / h ** np.arange(NODES)[:, None]        # rows: powers of t
    coef = np.stack([np.einsum("ik,jl,clk->cji", A, A, node_vals[c]) for c in ("gx", "gy")],
                    axis=1)                                    # (nc, 2, j, i)
    # check points: 3 x 3 midpoints per cell
    cx = centres[cols][:, None, None] + h * _CHECK_OFFSETS[None, None, :]
    cy = centres[rows][:, None, None] + h * _CHECK_OFFSETS[None, :, None]
    cx, cy = np.broadcast_arrays(cx, cy)
    ex, ey = exact.values(exact.grad, cx.ravel(), cy.ravel())[:2]
    tp = (h * _CHECK_OFFSETS)[:, None] ** np.arange(NODES)     # (3, powers)
    with np.errstate(all="ignore"):
        tab = np.einsum("cdji,ai,bj->cdba", coef, tp, tp)      # (nc, 2, y check, x check)
        err = np.hypot(tab[:, 0].reshape(nc, -1) - ex.reshape(nc, -1),
                       tab[:, 1].reshape(nc, -1) - ey.reshape(nc, -1)).max(axis=1)
        scale = np.maximum(np.hypot(ex, ey).reshape(nc, -1).max(axis=1),
                           np.hypot(node_vals["gx"], node_vals["gy"]).reshape(nc, -1).max(axis=1))
        rel = np.where(err == 0, 0.0, err / scale)
    bad = ~np.isfinite(rel) | ~np.isfinite(coef).reshape(nc, -1).all(axis=1)
    fails = bad | (rel > config.PLANE_TABLE_TOLERANCE)
    switched = switch_cells(exact, R, n, rows, cols)
    kinked = kink_cells(exact, R, n, rows, cols, np.flatnonzero(fails | switched),
                        config.PLANE_TABLE_TOLERANCE, _fit_matrix(), _NODE_OFFSETS)
    return _assemble(R, n, rows, cols, coef, rel, fails, switched, kinked)


def _assemble(R, n, rows, cols, coef, rel, fails, switched, kinked) -> PlaneTable:
    edges = -R + (2.0 * R / n) * np.arange(n + 1)
    nc = rows.size
    cells, kcoef, krel, kmode, tk, kcentres, kchecked = kinked
    coef[cells], rel[cells] = kcoef, krel
    exact_cell = fails | switched
    exact_cell[cells] = False
    mode = np.zeros(nc, dtype=np.int64)
    mode[cells] = kmode
    index = np.full((n, n), -1, dtype=np.int32)
    keep = np.flatnonzero(~exact_cell)
    index[rows[keep], cols[keep]] = (np.arange(keep.size) | (mode[keep] << MODE_SHIFT)).astype(
        np.int32)
    ok_rel = rel[keep]
    n_exact = int(exact_cell.sum())
    reason = None
    if keep.size == 0 or n_exact > config.PLANE_TABLE_MAX_EXACT * nc:
        reason = (f"{n_exact:,} of {nc:,} cells ({n_exact / nc:.0%}) fail the check at error "
                  f"{config.PLANE_TABLE_TOLERANCE:.0e} x max|grad f| or may hold a kink, more "
                  f"than {config.PLANE_TABLE_MAX_EXACT:.0%}")
    # kernels' layout: [cell, power of t, power of s in S_ORDER, component]
    blocks = _aligned(coef[keep][:, :, S_ORDER].transpose(0, 3, 2, 1).reshape(keep.size, 32))
    centres = 0.5 * (edges[:-1] + edges[1:])
    return PlaneTable(R, n, index, blocks, np.vstack([centres, centres, kcentres]),
                      np.stack([edges, edges]), float(ok_rel.max()) if keep.size else math.inf,
                      9 * (keep.size - cells.size) + kchecked, n_exact, nc, reason,
                      int((fails & ~switched & exact_cell).sum()), tk, int(cells.size))


def _build_best(gradient, R: float) -> PlaneTable:
    """The coarsest n of ``config.PLANE_TABLE_CELLS`` that is usable with at most
    ``config.PLANE_TABLE_MAX_FAILED`` of its cells refused by the check (else the finest)."""
    exact = Exact(gradient)
    table = None
    for n in config.PLANE_TABLE_CELLS:
        table = build_plane_table(gradient, R, n, exact)
        if table.usable and table.failed_cells <= config.PLANE_TABLE_MAX_FAILED * table.built_cells:
            break
    return table


_TABLES: dict[str, PlaneTable] = {}
_LOCK = threading.Lock()


def _table_path(gradient, R: float) -> tuple[str, object]:
    ident = (f"{_TABLE_VERSION}|{gradient.key}|{float(R)!r}|{config.PLANE_TABLE_CELLS}|"
             f"{config.PLANE_TABLE_TOLERANCE!r}|{config.PLANE_TABLE_MAX_EXACT!r}|"
             f"{config.PLANE_TABLE_MAX_FAILED!r}")
    key = hashlib.sha256(ident.encode()).hexdigest()[:24]
    return key, config.cache_dir() / "gradients" / f"pt_{key}.npz"


def table_is_cached(gradient, R: float) -> bool:
    """True if the table of (gradient, R) is in the process or on disk (no build needed)."""
    key, path = _table_path(gradient, R)
    return key in _TABLES or path.exists()


def plane_table(gradient, R: float) -> PlaneTable:
    """The checked table of ``gradient`` (a ``PlaneGradient``) on the ball of radius R,
    usable or with the reason not; cached in the process and in ``<cache>/gradients``."""
    key, path = _table_path(gradient, R)
    with _LOCK:
        hit = _TABLES.get(key)
    if hit is not None:
        return hit
    table = _load(path)
    if table is None:
        table = _build_best(gradient, float(R))
        _save(path, table)
    with _LOCK:
        return _TABLES.setdefault(key, table)


_FIELDS = ("R", "cells", "index", "coefficients", "centres", "edges", "relative_error",
           "checked_points", "exact_cells", "built_cells", "failed_cells", "kinks", "kink_cells")


def _load(path) -> PlaneTable | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            vals = {f: z[f] for f in _FIELDS}
            reason = str(z["reason"]) or None
    except (OSError, KeyError, ValueError):
        return None
    return PlaneTable(float(vals["R"]), int(vals["cells"]), vals["index"].copy(),
                      _aligned(vals["coefficients"]), vals["centres"].copy(), vals["edges"].copy(),
                      float(vals["relative_error"]), int(vals["checked_points"]),
                      int(vals["exact_cells"]), int(vals["built_cells"]), reason,
                      int(vals["failed_cells"]), vals["kinks"].copy(), int(vals["kink_cells"]))


def _save(path, t: PlaneTable) -> None:
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{f: getattr(t, f) for f in _FIELDS}, reason=t.reason or "")
        os.replace(tmp, path)
    except OSError:
        pass        # no disk cache: the table is rebuilt next time

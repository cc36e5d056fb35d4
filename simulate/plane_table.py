"""grad f of a 2-D landscape tabulated on the ball as bicubic cells, checked against the
exact gradient (the 2-D counterpart of ``simulate.table``).

A new formula needs no compile: one kernel (``simulate._kernels_plane_table``,
compiled once, ``cache=True``, warmed by ``make warmup``) evaluates any table.

* **cells**: [-R, R]^2 is cut into n x n square cells of side h = 2R / n;
  only the cells that meet the ball |X| <= R are built. Where grad f has a
  switch along a line x = c or y = c (the paper's cut ``sign(-x - 1/2)``), the
  lattice of that axis is shifted so that the line is an edge, with one more cell
  an axis (``simulate.plane_lattice``, ``plane_cells.edge_lines``): the cells on
  either side are smooth and tabulate, each side fitted to its own limit; on the
  line itself the kernels call the exact formula. On each, df/dx and
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
  ``simulate.plane_cells.switch_cells``: the paper's cut ``min(h, 12 |y + 2.9|^1.1)``
  matters only inside its box).
* **kink lines** (``simulate.plane_cells``): near a line v = a where grad f has a
  term like sign(u) |u|^q, u = v - a, a cell the check refused or only that line's
  switches flag is fitted in the coordinate sign(u) |u|^q on that axis and kept if
  it passes the same check there (on more points), else it stays exact.
* **refined**: in a usable table, each exact cell is cut into ``REFINE`` x ``REFINE``
  cells built and checked the same way (``PlaneTable.sub``): only those a kink, jump
  or singularity may cross, or that fail, stay exact.
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
from ._kernels_plane_table import KINK_WIDTH, MODE_SHIFT, kink_coordinate_np
from .plane_cells import NODES, Exact, edge_lines, switch_nodes, tabulate  # noqa: F401
from .plane_lattice import Lattice

#: bump when the table layout or the check changes
_TABLE_VERSION = "8"
#: an exact cell of a usable table is cut into REFINE x REFINE cells, built as the others
REFINE = 8
#: the powers of s in the order a block stores them (its own inverse)
S_ORDER = (0, 2, 1, 3)


@dataclass(frozen=True, eq=False)
class PlaneTable:
    """grad f on the ball of radius R as bicubic cells, with its measured error.

    Attributes
    ----------
    R : float
    cells : int
        n: the cells' side is 2R / n; the lattice has m = n cells an axis, or n + 1
        where it is shifted to put a switch line on an edge (``lines``).
    index : int32 (m, m)
        [row = y, col = x]: the cell's block in ``coefficients`` plus its mode
        << ``MODE_SHIFT`` (1: t, 2: s in the kink coordinate of that axis' line), -1 for
        an exact cell (or a cell outside the ball).
    coefficients : float64 (blocks, 32)
        Per tabulated cell, ``[8 i + 2 m + d]``: the coefficient of t^i s^j,
        j = ``S_ORDER[m]`` = (0, 2, 1, 3)[m], of component d (0: df/dx, 1: df/dy),
        t = x - c_x, s = y - c_y (the kernels' SIMD layout).
    centres : float64 (4, m)
        The cells' centres in x (row 0) and y (row 1), then in the kink coordinates.
    edges : float64 (2, m + 1)
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
        Cells (of either size) tabulated in a kink coordinate.
    sub : int32 (refined, REFINE, REFINE)
        The entries (as ``index``'s) of the fine cells of refined cell r (index -2 - r).
    fine : float64 (6, REFINE m + 1)
        The fine grid's edges in x, y, then its centres in x, y and in the kink coordinates.
    refined_cells : int
        Exact cells cut into fine cells (``exact_cells`` counts what stays exact of them).
    lines : float64 (2,) or None
        The switch line x = c (entry 0), y = c (entry 1) on the cells' edges (NaN: none);
        a point on one is evaluated exactly (``locate``, the kernels' ``locate_cell``).
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
    sub: np.ndarray | None = None
    fine: np.ndarray | None = None
    refined_cells: int = 0
    lines: np.ndarray | None = None

    @property
    def usable(self) -> bool:
        return self.reason is None

    @property
    def exact_share(self) -> float:
        return self.exact_cells / self.built_cells if self.built_cells else 1.0

    def geometry(self) -> np.ndarray:
        """(x_lo, y_lo, 1/h, 1/h, line_x, line_y): the kernels' ``tgeo`` (x_lo, y_lo: the
        first edges; the lines on the edges, NaN: none)."""
        inv = self.cells / (2.0 * self.R)
        lines = (np.nan, np.nan) if self.lines is None else self.lines
        return np.array([self.edges[0, 0], self.edges[1, 0], inv, inv, *lines])

    def kernel_args(self) -> tuple:
        """(tix, tco, tgeo, tcen, tedge, tk, tsub, tfine): the table as the generic kernels
        take it."""
        return (self.index, self.coefficients, self.geometry(), self.centres, self.edges,
                self.kinks, self.sub, self.fine)

    def describe(self) -> str:
        """One line for a caption or a JSON: which gradient and how exact."""
        if not self.usable:
            return f"grad f exact (compiled formula): no table ({self.reason})"
        h = 2.0 * self.R / self.cells
        tail = (f"; {self.kink_cells:,} cells along a kink line in its kink coordinate"
                if self.kink_cells else "")
        if self.refined_cells:
            tail += (f"; {self.refined_cells:,} cells cut into {REFINE} x {REFINE} where they "
                     "are not exact")
        if self.exact_cells:
            tail += (f"; {self.exact_cells:,} cells ({self.exact_share:.1%}) where grad f has a "
                    "kink, jump or singularity or the check failed use the exact formula")
        return (f"grad f tabulated (bicubic cells of side {h:.3g} on the ball of radius "
                f"{self.R:g}): max error {self.relative_error:.1e} x max|grad f| of its cell at "
                f"{self.checked_points:,} check points (tolerance "
                f"{config.PLANE_TABLE_TOLERANCE:.0e}){tail}")

    def locate(self, x, y) -> tuple[np.ndarray, ...]:
        """(entry, col, row, fine) of each point's cell as the kernels find it: entry as
        ``index``'s (-1 exact: also on a line of ``lines``), col / row in the m x m grid
        or (where ``fine``) the fine grid of a refined cell."""
        col, row = (np.clip(np.searchsorted(self.edges[a], v, side="right") - 1, 0,
                            self.edges.shape[1] - 2) for a, v in ((0, x), (1, y)))
        raw = self.index[row, col].astype(np.int64)
        if self.lines is not None:
            raw[(x == self.lines[0]) | (y == self.lines[1])] = -1     # the formula's own value
        fine = raw <= -2
        if fine.any():
            fc, fr = (np.clip(np.searchsorted(self.fine[a], v[fine], side="right") - 1,
                              REFINE * c[fine], REFINE * c[fine] + REFINE - 1)
                      for a, v, c in ((0, x, col), (1, y, row)))
            raw[fine] = self.sub[-2 - raw[fine], fr - REFINE * row[fine], fc - REFINE * col[fine]]
            col, row = col.copy(), row.copy()
            col[fine], row[fine] = fc, fr
        return raw, col, row, fine

    def __call__(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """The tabulated (df/dx, df/dy) at (x, y) (NaN in exact cells); NumPy, the kernels'
        formula (equal up to rounding)."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        raw, col, row, fine = self.locate(x, y)
        k, mode = np.where(raw < 0, -1, raw & ((1 << MODE_SHIFT) - 1)), np.maximum(raw, 0) >> 28
        blocks = self.coefficients.reshape(-1, NODES, NODES, 2)[:, :, S_ORDER]  # [., i, j, d]
        c = blocks[np.maximum(k, 0)]
        local = []
        for axis, (v, j) in enumerate(((x, col), (y, row))):
            kinked = (mode >> axis) & 1 == 1
            jf, jc = np.where(fine, j, 0), np.where(fine, 0, j)
            plain = np.where(fine, self.fine[2 + axis, jf], self.centres[axis, jc])
            centre = np.where(fine, self.fine[4 + axis, jf], self.centres[2 + axis, jc])
            sig = kink_coordinate_np(v - self.kinks[axis, 0], self.kinks[axis])
            local.append(np.where(kinked, sig - centre, v - plain)[..., None] ** np.arange(NODES))
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


def build_plane_table(gradient, R: float, cells: int, exact: Exact | None = None) -> PlaneTable:
    """Tabulate grad f on the ball of radius R with cells of side 2R / n, n = ``cells``, on
    a lattice with a switch line of grad f on its edges per axis if it has one
    (``Lattice``, ``edge_lines``), check it; if usable, cut its exact cells into
    ``REFINE`` x ``REFINE`` cells built the same way."""
    exact = exact or Exact(gradient)
    R, n = float(R), int(cells)
    lattice = Lattice.around(R, n, edge_lines(exact, R, n))
    rows, cols = lattice.cells_in_ball(R)
    coarse = tabulate(exact, lattice, rows, cols)
    ex = np.flatnonzero(coarse[2])
    fine = None
    if ex.size and ex.size <= config.PLANE_TABLE_MAX_EXACT * rows.size:
        k = np.arange(REFINE)
        fr = ((REFINE * rows[ex])[:, None, None] + k[None, :, None]).repeat(REFINE, 2).ravel()
        fc = ((REFINE * cols[ex])[:, None, None] + k[None, None, :]).repeat(REFINE, 1).ravel()
        fine = tabulate(exact, lattice.refined(REFINE), fr, fc)
    return _assemble(R, n, lattice, rows, cols, coarse, ex, fine)


def _entries(coef, exact_cell, mode, first_block: int):
    """(kernel entries (block | mode << MODE_SHIFT, -1 exact), kept coefficients)."""
    keep = np.flatnonzero(~exact_cell)
    out = np.full(exact_cell.size, -1, dtype=np.int64)
    out[keep] = (first_block + np.arange(keep.size)) | (mode[keep] << MODE_SHIFT)
    return out.astype(np.int32), coef[keep]


def _assemble(R, n, lattice, rows, cols, coarse, ex, fine) -> PlaneTable:
    m = lattice.count
    nc = rows.size
    coef, rel, exact_cell, failed, mode, tk, kcentres, checked = coarse
    index = np.full((m, m), -1, dtype=np.int32)
    index[rows, cols], blocks = _entries(coef, exact_cell, mode, 0)
    rels = [rel[~exact_cell]]
    n_exact, n_failed, kinked = ex.size, int(failed.sum()), int((mode > 0).sum())
    reason = None
    if ex.size == nc or n_exact > config.PLANE_TABLE_MAX_EXACT * nc:
        reason = (f"{n_exact:,} of {nc:,} cells ({n_exact / nc:.0%}) fail the check at error "
                  f"{config.PLANE_TABLE_TOLERANCE:.0e} x max|grad f| or may hold a kink, more "
                  f"than {config.PLANE_TABLE_MAX_EXACT:.0%}")
    sub, fine_geo, refined = np.full((1, 1, 1), -1, np.int32), np.zeros((6, 2)), 0
    if fine is not None:
        fcoef, frel, fexact, ffailed, fmode, _, fkcentres, fchecked = fine
        m2 = REFINE * REFINE
        useful = ~fexact.reshape(ex.size, m2).all(axis=1)          # some fine cell tabulated
        refined = int(useful.sum())
        keep_fine = np.repeat(useful, m2) & ~fexact
        entries, fblocks = _entries(fcoef, ~keep_fine, fmode, blocks.shape[0])
        blocks = np.concatenate([blocks, fblocks])
        sub = entries.reshape(ex.size, REFINE, REFINE)[useful]
        index[rows[ex[useful]], cols[ex[useful]]] = -2 - np.arange(refined)
        rels.append(frel[keep_fine])
        checked += fchecked
        left = fexact.reshape(ex.size, m2)[useful].sum(), ffailed.reshape(ex.size, m2)[useful].sum()
        n_exact += -refined + -(-int(left[0]) // m2)             # a refined cell counts its share
        n_failed += -int(failed[ex][useful].sum()) + -(-int(left[1]) // m2)
        kinked += int((fmode[keep_fine] > 0).sum())
        fl = lattice.refined(REFINE)
        fine_geo = np.vstack([fl.edges(0), fl.edges(1), np.append(fl.centres(0), 0.0),
                              np.append(fl.centres(1), 0.0),
                              np.hstack([fkcentres, np.zeros((2, 1))])])
    # kernels' layout: [cell, power of t, power of s in S_ORDER, component]
    blocks = _aligned(blocks[:, :, S_ORDER].transpose(0, 3, 2, 1).reshape(-1, 32))
    ok_rel = np.concatenate(rels)
    return PlaneTable(R, n, index, blocks,
                      np.vstack([lattice.centres(0), lattice.centres(1), kcentres]),
                      np.stack([lattice.edges(0), lattice.edges(1)]),
                      float(ok_rel.max()) if ok_rel.size else math.inf,
                      checked, n_exact, nc, reason, n_failed, tk, kinked, sub, fine_geo, refined,
                      np.array([np.nan if a is None else a for a in lattice.lines]))


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
    ident = (f"{_TABLE_VERSION}|{REFINE}|{KINK_WIDTH}|{gradient.key}|{float(R)!r}|"
             f"{config.PLANE_TABLE_CELLS}|"
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
           "checked_points", "exact_cells", "built_cells", "failed_cells", "kinks", "kink_cells",
           "sub", "fine", "refined_cells", "lines")


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
                      int(vals["failed_cells"]), vals["kinks"].copy(), int(vals["kink_cells"]),
                      vals["sub"].copy(), vals["fine"].copy(), int(vals["refined_cells"]),
                      vals["lines"].copy())


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

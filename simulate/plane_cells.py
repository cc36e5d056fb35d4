"""The cells of ``simulate.plane_table``: bicubic fits of grad f checked against the exact
gradient (:func:`tabulate`), where grad f is not smooth, and the cells tabulated in a
kink coordinate across a kink line.

* **switches**: every subexpression across whose zero set grad f may have a kink,
  jump or singularity (:func:`switch_nodes`); :func:`switch_cells` flags the cells
  where one matters and its zero set may pass (those cells are exact unless below).
* **kink lines**: a line v = a (v = x or y) that is the zero set of ``Abs(v - a)``,
  ``sign(v - a)`` and of powers ``|v - a|^p`` (p not an integer) in grad f, the
  smallest positive such p being q: the paper's cut 12 |y + 2.9|^1.1 gives grad f a
  term 13.2 sign(u) |u|^0.1, u = y + 2.9, that no polynomial in y resolves at any cell
  size (its relative error does not shrink with the cell). In the kink coordinate
  sigma = sign(u) |u|^q that term is linear. A cell near the line that the plain check
  refused, or that only the line's own switches flag, is fitted in sigma on that axis
  (nodes equispaced in sigma) and kept if it passes the check in sigma: the same
  tolerance, at 15 x 15 points of the cell (the 3 x 3 of the plain check among them)
  and, where the line crosses the cell, on both sides of it (a jump there fails).
  The kernels compute sigma by ``simulate._kernels_plane_table.kink_offset``
  (the check evaluates the table with the same operations in NumPy).
"""

from __future__ import annotations

import math

import numpy as np
import sympy

from . import config
from ._kernels_plane_table import KINK_WIDTH, kink_coordinate_np, kink_table
from .plane_lattice import Lattice

#: nodes per cell and axis (tensor cubics)
NODES = 4
#: local offsets of the nodes from the cell's centre, in units of h
_NODE_OFFSETS = (np.arange(NODES) - 1.5) / 3.0
#: local offsets of the check points, in units of h: where the nodes' polynomial
#: (t^2 - 9/4)(t^2 - 1/4) (t in units of h / 3) peaks, so where the error of a smooth
#: grad f is largest, in each axis
_CHECK_OFFSETS = np.array([-math.sqrt(1.25), 0.0, math.sqrt(1.25)]) / 3.0
#: check offsets of a cell in the kink coordinate, in units of its width: the plain
#: check's 3 and 13 equispaced, ends included
_CHECK = np.union1d(_CHECK_OFFSETS, np.linspace(-0.5, 0.5, 13))
#: how far from its line (in cells) a cell may use the kink coordinate on that axis
_REACH = 64


def switch_nodes(exprs) -> list[tuple[sympy.Expr, list[sympy.Expr]]]:
    """(node, zero-set functions) for every subexpression of ``exprs`` across whose zero
    sets grad f may have a kink, jump or singularity."""
    found = {}
    for e in exprs:
        for node in sympy.preorder_traversal(e):
            if isinstance(node, sympy.Abs | sympy.sign | sympy.Heaviside | sympy.log
                          | sympy.floor | sympy.ceiling):
                zs = [node.args[0]]
            elif isinstance(node, sympy.Min | sympy.Max):
                a = node.args
                zs = [a[i] - a[j] for i in range(len(a)) for j in range(i + 1, len(a))]
            elif isinstance(node, sympy.Piecewise):
                zs = [r.lhs - r.rhs for _, cond in node.args
                      for r in cond.atoms(sympy.core.relational.Relational)]
            elif node.is_Pow and node.base.free_symbols and not (
                    node.exp.is_Integer and node.exp >= 0):
                zs = [node.base]
            else:
                continue
            zs = [z for z in zs if z.free_symbols]
            if zs:
                found.setdefault(node, zs)
    return sorted(found.items(), key=lambda item: sympy.default_sort_key(item[0]))


def _line_of(z) -> tuple[str, float] | None:
    """(axis name, a) if the zero set of z is the line v = a, else None."""
    while isinstance(z, sympy.Abs):
        z = z.args[0]
    if len(z.free_symbols) != 1:
        return None
    (v,) = z.free_symbols
    poly = sympy.Poly(z, v) if z.is_polynomial(v) else None
    if poly is None or poly.degree() != 1:
        return None
    c1, c0 = (float(c) for c in poly.all_coeffs())
    return v.name, -c0 / c1


class Exact:
    """NumPy grad f, and per switch node: the node, grad f with the node replaced by a
    free value z (to tell where grad f depends on it), its zero-set functions and their
    gradients (all lambdified once, with common-subexpression elimination) and per zero-set
    function its line ((axis, a) or None); the kink lines: {axis (0: x, 1: y): (a, q, the
    line's nodes)}; the other axis-parallel lines: {axis: {a: the line's nodes}}."""

    def __init__(self, gradient):
        X, Y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)   # as plane_gradient
        self.grad = sympy.lambdify((X, Y), list(gradient.exprs), "numpy", cse=True)
        self.switches = []
        z = sympy.Dummy("z", real=True)
        lines = {}
        for node, zeros in switch_nodes(gradient.exprs):
            with_z = sympy.lambdify((X, Y, z), [e.xreplace({node: z}) for e in gradient.exprs],
                                    "numpy", cse=True)
            fns = []
            for s in zeros:
                ds = [sympy.diff(s, v).replace(lambda e: isinstance(e, sympy.DiracDelta),
                                               lambda e: sympy.S.Zero) for v in (X, Y)]
                fns.append(sympy.lambdify((X, Y), [s, *ds], "numpy", cse=True))
            on = [_line_of(s) for s in zeros]
            self.switches.append((node, with_z, fns, [
                None if v is None else (0 if v[0] == "x" else 1, v[1]) for v in on]))
            if len(set(on)) == 1 and None not in on:
                lines.setdefault(on[0], []).append(node)
        self.lines = {}
        for (name, a), nodes in lines.items():
            powers = [float(n.exp) for n in nodes if n.is_Pow and not n.exp.is_Integer]
            q = min((p for p in powers if p > 0), default=None)
            if q is not None and min(powers) > 0:
                self.lines[0 if name == "x" else 1] = (a, q, frozenset(nodes))
        self.axis_lines = {0: {}, 1: {}}
        for node, _, _, on in self.switches:
            for v in on:
                if v is not None and (v[0] not in self.lines or self.lines[v[0]][0] != v[1]):
                    self.axis_lines[v[0]].setdefault(v[1], set()).add(node)

    @staticmethod
    def values(fn, *args) -> list[np.ndarray]:
        shape = np.broadcast_shapes(*(np.shape(a) for a in args))
        with np.errstate(all="ignore"):
            try:
                out = fn(*args)
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return [np.full(shape, np.nan) for _ in range(3)]
        return [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in out]


def _lattice(lattice: Lattice, rows, cols, per: int):
    """The points of spacing h / per of the cells (rows, cols) (``Lattice.points``), per + 1
    a side and shared between neighbours (but those on a line of the lattice: each side's
    are a rounding step inside its cells): (x, y) of the distinct points, and (nc, per + 1,
    per + 1) indices of each cell's [row, col] points into them."""
    m = per * lattice.count + 1
    k = np.arange(per + 1)
    iy = (per * rows)[:, None, None] + k[None, :, None]
    ix = (per * cols)[:, None, None] + k[None, None, :]
    lat = [lattice.points(0, per), lattice.points(1, per)]
    if lattice.lines != (None, None):            # key 2 i, and 2 i + 1 for a line's far side
        m *= 2
        ix, iy = 2 * ix, 2 * iy
        for axis, (idx, cell) in enumerate(((ix, cols), (iy, rows))):
            a, line = lattice.lines[axis], 2 * per * lattice.first[axis]
            lat[axis] = np.repeat(lat[axis], 2)
            if a is not None:
                idx += (idx == line) & (cell >= lattice.first[axis])[:, None, None]
                lat[axis][line:line + 2] = np.nextafter(a, -np.inf), np.nextafter(a, np.inf)
    used = np.zeros((m, m), dtype=bool)
    used[iy, ix] = True
    ly, lx = np.nonzero(used)
    pos = np.full(used.shape, -1)
    pos[ly, lx] = np.arange(ly.size)
    return lat[0][lx], lat[1][ly], pos[iy, ix]


def switch_cells(exact: Exact, lattice: Lattice, rows, cols, skip=frozenset()) -> np.ndarray:
    """True for the cells (rows, cols) where a switch node (but those in ``skip``) matters
    and its zero set may pass.

    Sampled on the 3 x 3 points of each cell at spacing h / 2 (corners, edge midpoints,
    centre; every point of the cell is within h / (2 sqrt 2) of one): the node
    *matters* if grad f with the node replaced by z differs for z = 0.37 and z = 1.91 at
    one of them (exactly: a node multiplied by an indicator that is 0 there does not);
    its zero set *may pass* if a zero-set function s changes sign between them or
    |s| / |grad s| <= h / 2 at one. NaN counts as both. A zero set that is a line on the
    lattice's edges (``Lattice.lines``) passes no cell."""
    flagged = np.zeros(rows.size, dtype=bool)
    h = lattice.h
    px, py, pick = _lattice(lattice, rows, cols, 2)
    pick = pick.reshape(rows.size, -1)
    for node, with_z, zeros, on in exact.switches:
        zeros = [fn for fn, v in zip(zeros, on)
                 if v is None or lattice.lines[v[0]] is None or lattice.lines[v[0]] != v[1]]
        if node in skip or not zeros:
            continue
        a = exact.values(with_z, px, py, np.full(px.shape, 0.37))[:2]
        b = exact.values(with_z, px, py, np.full(px.shape, 1.91))[:2]
        with np.errstate(all="ignore"):
            matters = ~((a[0] == b[0]) & (a[1] == b[1]))
        cells = matters[pick].any(axis=1)
        if not cells.any():
            continue
        passes = np.zeros(rows.size, dtype=bool)
        for fn in zeros:
            s, sx, sy = exact.values(fn, px, py)
            with np.errstate(all="ignore"):
                near = ~(np.abs(s) / np.hypot(sx, sy) > 0.5 * h)
                sgn = np.sign(s)[pick]
            passes |= near[pick].any(axis=1) | (sgn.max(axis=1) != sgn.min(axis=1))
        flagged |= cells & passes
    return flagged


def _axis_points(lattice, axis, lo, hi, line, offsets, extra=None):
    """Points of each cell [lo, hi] of the axis at ``offsets`` (units of its width in its
    coordinate; those on the lattice's line moved inside the cell), with ``extra`` real
    points (clipped into the cell): (real (m, k), coordinate less centre (m, k), centre (m,),
    width (m,)) -- the coordinate is the kernels' kink coordinate if ``line`` = (a, q, row
    of tk), else v."""
    if line is None:
        c, w = 0.5 * (lo + hi), hi - lo
        real = c[:, None] + w[:, None] * offsets
    else:
        a, q, _ = line
        slo, shi = [np.sign(v - a) * np.abs(v - a) ** q for v in (lo, hi)]
        c, w = 0.5 * (slo + shi), shi - slo
        sig = c[:, None] + w[:, None] * offsets
        real = a + np.sign(sig) * np.abs(sig) ** (1.0 / q)
    real = lattice.off_lines(real, axis, 0.5 * (lo + hi)[:, None])
    if extra is not None:
        real = np.concatenate([real, np.clip(extra[None, :], lo[:, None], hi[:, None])], axis=1)
    coord = real if line is None else kink_coordinate_np(real - line[0], line[2])
    return real, coord - c[:, None], c, w


def _fit(exact: Exact, lattice: Lattice, lo, hi, lines):
    """Bicubic cells (m of them; lo, hi: (2, m) edges per axis) in the coordinates of
    ``lines`` (per axis, (a, q, row) or None), checked: (coef (m, 2, j, i), relative
    error (m,), check points per cell)."""
    nodes, checks = [], []
    for axis in (0, 1):
        line = lines[axis]
        extra = None if line is None else line[0] + np.array([-1e-9, 1e-9]) * (hi - lo).max()
        real, _, _, w = _axis_points(lattice, axis, lo[axis], hi[axis], line, _NODE_OFFSETS)
        nodes.append((real, _fit_matrix()[None] / w[:, None, None] ** np.arange(4)[None, :, None]))
        checks.append(_axis_points(lattice, axis, lo[axis], hi[axis], line, _CHECK, extra))
    (nx, ax), (ny, ay) = nodes
    gx, gy = exact.values(exact.grad, nx[:, None, :], ny[:, :, None])[:2]     # (m, j, i)
    coef = np.stack([np.einsum("cik,cjl,clk->cji", ax, ay, g) for g in (gx, gy)], axis=1)
    (px, tx, _, _), (py, ty, _, _) = checks
    ex, ey = exact.values(exact.grad, px[:, None, :], py[:, :, None])[:2]     # (m, b, a)
    m = coef.shape[0]
    with np.errstate(all="ignore"):
        tab = np.einsum("cdji,cai,cbj->cdba", coef, tx[..., None] ** np.arange(4),
                        ty[..., None] ** np.arange(4))
        err = np.hypot(tab[:, 0] - ex, tab[:, 1] - ey).reshape(m, -1).max(axis=1)
        scale = np.maximum(np.hypot(ex, ey).reshape(m, -1).max(axis=1),
                           np.hypot(gx, gy).reshape(m, -1).max(axis=1))
        rel = np.where(err == 0, 0.0, err / scale)
    rel[~np.isfinite(coef).reshape(m, -1).all(axis=1)] = np.nan
    return coef, rel, tx.shape[1] * ty.shape[1]


def kink_cells(exact: Exact, lattice: Lattice, rows, cols, candidates):
    """The candidate cells (indices into rows, cols) that pass the check in the kink
    coordinate of the lines near them: (cells, coef, rel, mode (1: x, 2: y), tk (2, .),
    centres (2, n) of the columns and rows in the kink coordinates, check points)."""
    h = lattice.h
    edges = [lattice.edges(0), lattice.edges(1)]
    tk = np.zeros((2, KINK_WIDTH))
    centres = np.stack([lattice.centres(0), lattice.centres(1)])
    rows_cols = (cols, rows)
    mode = np.zeros(candidates.size, dtype=np.int64)
    rows_of = {}
    for axis, (a, q, _) in exact.lines.items():
        tk[axis] = kink_table(a, q)
        rows_of[axis] = (a, q, tk[axis])
        edge = edges[axis]
        s = np.sign(edge - a) * np.abs(edge - a) ** q
        centres[axis] = 0.5 * (s[:-1] + s[1:])
        idx = rows_cols[axis][candidates]
        mode |= np.where(np.abs(0.5 * (edge[idx] + edge[idx + 1]) - a) <= _REACH * h,
                         1 << axis, 0)
    skip = frozenset().union(*(nodes for _, _, nodes in exact.lines.values()))
    keep = mode > 0
    cand, mode = candidates[keep], mode[keep]
    if cand.size:
        keep = ~switch_cells(exact, lattice, rows[cand], cols[cand], skip)
        cand, mode = cand[keep], mode[keep]
    out_cells, out_coef, out_rel, out_mode, checked = [], [], [], [], 0
    for md in np.unique(mode):
        pick = cand[mode == md]
        lines = [rows_of[axis] if md & (1 << axis) else None for axis in (0, 1)]
        lo = np.stack([edges[0][cols[pick]], edges[1][rows[pick]]])
        hi = np.stack([edges[0][cols[pick] + 1], edges[1][rows[pick] + 1]])
        coef, rel, points = _fit(exact, lattice, lo, hi, lines)
        ok = rel <= config.PLANE_TABLE_TOLERANCE
        checked += points * int(ok.sum())
        out_cells.append(pick[ok])
        out_coef.append(coef[ok])
        out_rel.append(rel[ok])
        out_mode.append(np.full(ok.sum(), md))
    if not out_cells:
        return (np.zeros(0, int), np.zeros((0, 2, 4, 4)), np.zeros(0), np.zeros(0, int), tk,
                centres, 0)
    return (np.concatenate(out_cells), np.concatenate(out_coef), np.concatenate(out_rel),
            np.concatenate(out_mode), tk, centres, checked)


def edge_lines(exact: Exact, R: float, n: int) -> tuple:
    """Per axis the axis-parallel switch line of grad f (but a kink line: its cells are
    tabulated in its coordinate) in (-R, R) to put on the lattice's edges (``Lattice``),
    None if none: of several, the one whose nodes flag the most cells of the plain n x n
    lattice (``switch_cells``), the nearest to 0 of equals."""
    out = [None, None]
    plain = Lattice.around(R, n)
    for axis in (0, 1):
        found = {a: nodes for a, nodes in exact.axis_lines[axis].items() if -R < a < R}
        if len(found) > 1:
            rows, cols = plain.cells_in_ball(R)
            every = frozenset(node for node, *_ in exact.switches)

            def flagged(a, found=found, rows=rows, cols=cols, every=every):
                return int(switch_cells(exact, plain, rows, cols, every - found[a]).sum()), -abs(a)
            out[axis] = max(sorted(found), key=flagged)
        elif found:
            out[axis] = next(iter(found))
    return tuple(out)


def _fit_matrix() -> np.ndarray:
    """(4, 4): power coefficients (in units of h) of the cubic through the 4 nodes."""
    return np.linalg.inv(np.vander(_NODE_OFFSETS, NODES, increasing=True))


def tabulate(exact: Exact, lattice: Lattice, rows, cols) -> tuple:
    """The cells (rows, cols) of the lattice, plain (nodes on a lattice shared by
    neighbours, so the table is continuous but across the lattice's lines, where each
    side's nodes are a rounding step inside; checked at 3 x 3 points), then in a kink
    coordinate where the plain check or a kink line's switches refused them: (coef (nc, 2, j, i), relative
    error, exact, failed (exact by the check alone), mode, tk, kink centres, check points)."""
    h = lattice.h
    centres = [lattice.centres(0), lattice.centres(1)]
    nc = rows.size
    px, py, pick = _lattice(lattice, rows, cols, NODES - 1)   # the cell's 4 x 4 nodes
    gx, gy = exact.values(exact.grad, px, py)[:2]
    node_vals = [g[pick] for g in (gx, gy)]                   # (nc, j, i)
    A = _fit_matrix() / h ** np.arange(NODES)[:, None]        # rows: powers of t
    coef = np.stack([np.einsum("ik,jl,clk->cji", A, A, v) for v in node_vals], axis=1)
    # check points: 3 x 3 midpoints per cell
    cx = centres[0][cols][:, None, None] + h * _CHECK_OFFSETS[None, None, :]
    cy = centres[1][rows][:, None, None] + h * _CHECK_OFFSETS[None, :, None]
    cx, cy = np.broadcast_arrays(cx, cy)
    ex, ey = exact.values(exact.grad, cx.ravel(), cy.ravel())[:2]
    tp = (h * _CHECK_OFFSETS)[:, None] ** np.arange(NODES)     # (3, powers)
    with np.errstate(all="ignore"):
        tab = np.einsum("cdji,ai,bj->cdba", coef, tp, tp)      # (nc, 2, y check, x check)
        err = np.hypot(tab[:, 0].reshape(nc, -1) - ex.reshape(nc, -1),
                       tab[:, 1].reshape(nc, -1) - ey.reshape(nc, -1)).max(axis=1)
        scale = np.maximum(np.hypot(ex, ey).reshape(nc, -1).max(axis=1),
                           np.hypot(*node_vals).reshape(nc, -1).max(axis=1))
        rel = np.where(err == 0, 0.0, err / scale)
    bad = ~np.isfinite(rel) | ~np.isfinite(coef).reshape(nc, -1).all(axis=1)
    fails = bad | (rel > config.PLANE_TABLE_TOLERANCE)
    switched = switch_cells(exact, lattice, rows, cols)
    cells, kcoef, krel, kmode, tk, kcentres, kchecked = kink_cells(
        exact, lattice, rows, cols, np.flatnonzero(fails | switched))
    coef[cells], rel[cells] = kcoef, krel
    exact_cell = fails | switched
    exact_cell[cells] = False
    mode = np.zeros(nc, dtype=np.int64)
    mode[cells] = kmode
    checked = 9 * (int((~exact_cell).sum()) - cells.size) + kchecked
    return coef, rel, exact_cell, fails & ~switched & exact_cell, mode, tk, kcentres, checked

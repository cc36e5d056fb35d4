"""The 2-D kernels with grad f from a table (``simulate.plane_table``): compiled once.

Same steps, noise streams and bookkeeping as the per-formula kernels of
``simulate._kernels_plane`` (they share ``fill_plane_noise``, ``plane_step``,
``path_start`` / ``path_end`` and ``clipped_update``); only grad f differs:

* the square [-R, R]^2 is cut into n x n cells; ``tix[row, col]`` is the
  offset (in blocks of 32) of the cell's coefficients in ``tco``, or -1 for
  an *exact* cell (one the table's check refused, or that a kink, jump or
  singularity of grad f may cross);
* a tabulated cell holds two bicubic polynomials (df/dx, df/dy) in
  t = x - c_x, s = y - c_y (c the cell's centre), ``tco[k, 4 i + j]`` (df/dx)
  and ``tco[k, 16 + 4 i + j]`` (df/dy) the coefficients of t^i s^j: 2 x 15
  multiply-adds;
* an exact cell calls ``fn(x, y, out)``, the formula's compiled ``cfunc``
  (the very ``grad`` the specialised kernels inline), through a first-class
  function type: one compiled kernel serves every formula. A table whose
  every cell is exact (n = 1, ``tix = [[-1]]``) is the exact generic path.

Each path keeps its current cell (index, block, centre) and looks a cell up
only when the iterate leaves it (a predictable branch), so the coefficient
loads do not wait for X. The value at X depends on X only (the cell j with
edges[j] <= X < edges[j + 1] in each axis, clamped), not on the path's
history or chunking.
"""

from __future__ import annotations

import numpy as np
from numba import cfunc, njit, prange, types

from . import config
from ._jit import JIT, f64_data_pointer
from ._kernels_plane import (
    _INF,
    cell_index,
    clipped_update,
    fill_plane_noise,
    path_end,
    path_start,
    plane_step,
)

#: coefficients per tabulated cell: 16 for df/dx, then 16 for df/dy
BLOCK_SIZE = 32


@njit(inline="always")
def _bicubic(c, k, o, t, s, t2, s2):
    """sum c[k, o + 4 i + j] t^i s^j, i, j < 4: four like chains over consecutive
    coefficients (one per power of s, so they can share vector registers), then Estrin
    in s."""
    q0 = (c[k, o] + t * c[k, o + 4]) + t2 * (c[k, o + 8] + t * c[k, o + 12])
    q1 = (c[k, o + 1] + t * c[k, o + 5]) + t2 * (c[k, o + 9] + t * c[k, o + 13])
    q2 = (c[k, o + 2] + t * c[k, o + 6]) + t2 * (c[k, o + 10] + t * c[k, o + 14])
    q3 = (c[k, o + 3] + t * c[k, o + 7]) + t2 * (c[k, o + 11] + t * c[k, o + 15])
    return (q0 + s * q1) + s2 * (q2 + s * q3)


@njit(inline="always")
def _axis_cell(v, edges, inv):
    """j with edges[j] <= v < edges[j + 1] (j clamped to 0 .. n - 1), and that cell's
    bounds (-inf / inf at the ends): the first guess by arithmetic, then checked
    against the stored edges so the cell depends on v only."""
    n = edges.shape[0] - 1
    j = np.int64((v - edges[0]) * inv)
    j = min(max(j, 0), n - 1)
    while j > 0 and v < edges[j]:
        j -= 1
    while j < n - 1 and v >= edges[j + 1]:
        j += 1
    lo = edges[j] if j > 0 else -_INF
    hi = edges[j + 1] if j < n - 1 else _INF
    return j, lo, hi


@njit(error_model="numpy")
def locate_cell(x, y, tix, tgeo, tcen, tedge):
    """(c_x, c_y, x_lo, x_hi, y_lo, y_hi, block) of the cell holding (x, y). A call, not
    inlined, on purpose: inlined, LLVM turns the rare lookup into selects on the common
    path, and the coefficient loads then wait for X (a third of the step rate)."""
    col, xlo, xhi = _axis_cell(x, tedge[0], tgeo[2])
    row, ylo, yhi = _axis_cell(y, tedge[1], tgeo[3])
    return tcen[0, col], tcen[1, row], xlo, xhi, ylo, yhi, np.int64(tix[row, col])


@njit(inline="always")
def cell_grad(tco, k, t, s):
    """(df/dx, df/dy) of tabulated cell k at (t, s) = (x - c_x, y - c_y)."""
    t2 = t * t
    s2 = s * s
    return _bicubic(tco, k, 0, t, s, t2, s2), _bicubic(tco, k, 16, t, s, t2, s2)


# The kernels below keep each path's cell in scalars (c_x, c_y, x_lo, x_hi, y_lo, y_hi,
# block) and write the lookup and the exact-cell branch out in their loops: an inlined
# helper holding those branches and taking the arrays left NRT reference counting of the
# arrays in the loop (a third of the step rate on this machine).


@njit(parallel=True, **JIT)
def run_table_kernel(fam, a, scale, eta, b, R, xy, wst, dst, nsteps, path_steps,
                     rec_every, traj, traj_f, labels, nears, geo, hist, field_cur, last_field,
                     near_cur, field_steps, near_steps, trans, err_step, err_xy,
                     tix, tco, tgeo, tcen, tedge, fn):
    """``simulate._kernels_plane.run_plane_kernel`` with grad f from the table
    (tix, tco, tgeo, tcen, tedge) and the exact ``cfunc`` fn in exact cells. One path at a
    time (not two in lockstep: the cell's state doubles the scalars a path carries)."""
    P = xy.shape[0]
    T = hist.shape[0]
    nb = hist.shape[1]
    m_out = field_steps.shape[1] - 1
    B = config.BLOCK
    par = (eta, b * b, b, R * R, R)
    for t in prange(T):
        rb = np.empty(B, dtype=np.uint64)
        wa = np.empty(B)
        ua = np.empty(B)
        va = np.empty(B)
        xa = np.empty(B)
        ya = np.empty(B)
        buf = np.empty(2)
        bufp = f64_data_pointer(buf)
        for p in range(t, P, T):
            alive = err_step[p] < 0
            st = path_start(p, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            # the path's cell; empty bounds: the first step looks it up
            cx, cy, xl, xh, yl, yh, k = 0.0, 0.0, _INF, -_INF, _INF, -_INF, np.int64(-1)
            done = 0
            while done < nsteps and alive:
                mm = min(B, nsteps - done)
                fill_plane_noise(fam, a, scale, wst, dst, p, wa, rb, ua, va, xa, ya, mm)
                for i in range(mm):
                    x = st[0]
                    y = st[1]
                    if x < xl or x >= xh or y < yl or y >= yh:
                        cx, cy, xl, xh, yl, yh, k = locate_cell(x, y, tix, tgeo, tcen, tedge)
                    if k >= 0:
                        gx, gy = cell_grad(tco, k, x - cx, y - cy)
                    else:
                        fn(x, y, bufp)
                        gx = buf[0]
                        gy = buf[1]
                    alive, st = plane_step(gx, gy, xa[i], ya[i], p, t, st, par, labels, nears,
                                           geo, nb, m_out, rec_every, traj, traj_f, hist,
                                           field_steps, near_steps, trans, err_step, err_xy)
                    if not alive:
                        break
                done += mm
            path_end(p, t, st, xy, path_steps, field_cur, last_field, near_cur, field_steps,
                     near_steps, hist, nb, m_out)


@njit(parallel=True, **JIT)
def exit_table_kernel(fam, a, scale, eta, b, R, xy, wst, dst, labels, geo, field, t, dest,
                      limit, err_step, err_xy, tix, tco, tgeo, tcen, tedge, fn):
    """``simulate._kernels_plane.exit_plane_kernel`` with grad f from the table."""
    P = xy.shape[0]
    ny, nx = labels.shape
    gx0, gy0, ginvx, ginvy = geo[0], geo[1], geo[2], geo[3]
    b2 = b * b
    R2 = R * R
    B = config.BLOCK
    for p in prange(P):
        if dest[p] >= 0 or err_step[p] >= 0:
            continue
        zb = np.empty(B)
        rb = np.empty(B, dtype=np.uint64)
        ub = np.empty(B)
        vb = np.empty(B)
        zx = np.empty(B)
        zy = np.empty(B)
        buf = np.empty(2)
        bufp = f64_data_pointer(buf)
        cx, cy, xl, xh, yl, yh, k = 0.0, 0.0, _INF, -_INF, _INF, -_INF, np.int64(-1)
        x = xy[p, 0]
        y = xy[p, 1]
        n = t[p]
        out = -1
        while n < limit and out == -1:
            mm = min(B, limit - n)
            fill_plane_noise(fam, a, scale, wst, dst, p, zb, rb, ub, vb, zx, zy, mm)
            for i in range(mm):
                if x < xl or x >= xh or y < yl or y >= yh:
                    cx, cy, xl, xh, yl, yh, k = locate_cell(x, y, tix, tgeo, tcen, tedge)
                if k >= 0:
                    gx, gy = cell_grad(tco, k, x - cx, y - cy)
                else:
                    fn(x, y, bufp)
                    gx = buf[0]
                    gy = buf[1]
                if not (abs(gx) < _INF and abs(gy) < _INF):
                    err_step[p] = n + 1
                    err_xy[p, 0] = x
                    err_xy[p, 1] = y
                    out = -2
                    break
                x, y = clipped_update(x, y, gx, gy, zx[i], zy[i], eta, b2, b, R2, R)
                n += 1
                lab = np.int64(labels[cell_index(y, gy0, ginvy, ny), cell_index(x, gx0, ginvx, nx)])
                if lab >= 0 and lab != field:
                    out = lab
                    break
        xy[p, 0] = x
        xy[p, 1] = y
        t[p] = n
        if out >= 0:
            dest[p] = out


@njit(parallel=True, **JIT)
def table_values_kernel(x, y, out, tix, tco, tgeo, tcen, tedge, fn):
    """out[i] = the kernels' (df/dx, df/dy) at (x[i], y[i]) (tests, and the exact cells' check)."""
    for i in prange(x.shape[0]):
        buf = np.empty(2)
        cx, cy, _, _, _, _, k = locate_cell(x[i], y[i], tix, tgeo, tcen, tedge)
        if k >= 0:
            gx, gy = cell_grad(tco, k, x[i] - cx, y[i] - cy)
        else:
            fn(x[i], y[i], f64_data_pointer(buf))
            gx = buf[0]
            gy = buf[1]
        out[i, 0] = gx
        out[i, 1] = gy


@cfunc(types.void(types.float64, types.float64, types.CPointer(types.float64)), cache=True)
def nan_gradient(x, y, out):
    """Stands in for the exact ``cfunc`` when a table has no exact cell (never called)."""
    out[0] = np.nan
    out[1] = np.nan

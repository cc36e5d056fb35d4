"""The 2-D kernels with grad f from a table (``simulate.plane_table``): compiled once.

Same steps, noise streams and bookkeeping as the per-formula kernels of
``simulate._kernels_plane`` (they share ``fill_plane_noise``, ``plane_step``,
``path_start`` / ``path_end`` and ``clipped_update``); only grad f differs:

* the square [-R, R]^2 is cut into n x n cells; ``tix[row, col]`` is the
  offset (in blocks of 32) of the cell's coefficients in ``tco``, or -1 for
  an *exact* cell (one the table's check refused, or that a kink, jump or
  singularity of grad f may cross);
* a tabulated cell holds two bicubic polynomials (df/dx, df/dy) in
  t = x - c_x, s = y - c_y (c the cell's centre), ``tco[o + 4 j + i]`` the
  coefficient of t^i s^j: 2 x 15 multiply-adds in an Estrin scheme;
* an exact cell calls ``fn(x, y, out)``, the formula's compiled ``cfunc``
  (the very ``grad`` the specialised kernels inline), through a first-class
  function type: one compiled kernel serves every formula. A table whose
  every cell is exact (n = 1, ``tix = [[-1]]``) is the exact generic path.

Each path keeps its current cell (index, block, centre) and looks a cell up
only when the iterate leaves it (a predictable branch), so the coefficient
loads do not wait for X. The value at X depends on X only (the cell is
``floor((X - lo) / h)``, clamped), not on the path's history or chunking.
"""

from __future__ import annotations

import numpy as np
from numba import cfunc, njit, prange, types

from . import config
from ._jit import JIT, f64_data_pointer
from ._kernels_plane import (
    _INF,
    bin_index,
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
def _bicubic(c, o, t, s, t2, s2):
    """sum c[o + 4 j + i] t^i s^j, i, j < 4 (Estrin in t, then in s)."""
    p0 = (c[o] + c[o + 1] * t) + (c[o + 2] + c[o + 3] * t) * t2
    p1 = (c[o + 4] + c[o + 5] * t) + (c[o + 6] + c[o + 7] * t) * t2
    p2 = (c[o + 8] + c[o + 9] * t) + (c[o + 10] + c[o + 11] * t) * t2
    p3 = (c[o + 12] + c[o + 13] * t) + (c[o + 14] + c[o + 15] * t) * t2
    return (p0 + p1 * s) + (p2 + p3 * s) * s2


@njit(error_model="numpy")
def table_grad(x, y, cs, tix, tco, tgeo, tcen, fn, buf):
    """(df/dx, df/dy) at (x, y) and the path's new cell state cs = (c_x, c_y, col, row, block).

    tgeo = (x_lo, y_lo, 1/h, 1/h); tcen (2, n): the cells' centres in x, in y.
    """
    cx, cy, col, row, k = cs
    n = tix.shape[1]
    jx = bin_index(x, tgeo[0], tgeo[2], n)
    jy = bin_index(y, tgeo[1], tgeo[3], n)
    if jx != col or jy != row:
        col = jx
        row = jy
        k = np.int64(tix[jy, jx])
        cx = tcen[0, jx]
        cy = tcen[1, jy]
    if k >= 0:
        t = x - cx
        s = y - cy
        t2 = t * t
        s2 = s * s
        o = k * BLOCK_SIZE
        gx = _bicubic(tco, o, t, s, t2, s2)
        gy = _bicubic(tco, o + 16, t, s, t2, s2)
    else:
        fn(x, y, f64_data_pointer(buf))
        gx = buf[0]
        gy = buf[1]
    return gx, gy, (cx, cy, col, row, k)


@njit(parallel=True, **JIT)
def run_table_kernel(fam, a, scale, eta, b, R, xy, wst, dst, nsteps, path_steps,
                     rec_every, traj, traj_f, labels, nears, geo, hist, field_cur, last_field,
                     near_cur, field_steps, near_steps, trans, err_step, err_xy,
                     tix, tco, tgeo, tcen, fn):
    """``simulate._kernels_plane.run_plane_kernel`` with grad f from the table
    (tix, tco, tgeo, tcen) and the exact ``cfunc`` fn in exact cells."""
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
        xb = np.empty(B)
        yb = np.empty(B)
        buf = np.empty(2)
        for p0 in range(t, P, 2 * T):
            p1 = p0 + T if p0 + T < P else p0
            alive0 = err_step[p0] < 0
            alive1 = p1 != p0 and err_step[p1] < 0
            s0 = path_start(p0, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            s1 = path_start(p1, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            c0 = (0.0, 0.0, np.int64(-1), np.int64(-1), np.int64(-1))
            c1 = (0.0, 0.0, np.int64(-1), np.int64(-1), np.int64(-1))
            done = 0
            while done < nsteps and (alive0 or alive1):
                mm = min(B, nsteps - done)
                for q in range(2):              # one inlined copy of the noise code
                    if alive0 if q == 0 else alive1:
                        fill_plane_noise(fam, a, scale, wst, dst, p0 if q == 0 else p1, wa, rb,
                                         ua, va, xa if q == 0 else xb, ya if q == 0 else yb, mm)
                for i in range(mm):
                    if alive0:
                        gx, gy, c0 = table_grad(s0[0], s0[1], c0, tix, tco, tgeo, tcen, fn, buf)
                        alive0, s0 = plane_step(gx, gy, xa[i], ya[i], p0, t, s0, par, labels,
                                                nears, geo, nb, m_out, rec_every, traj, traj_f,
                                                hist, field_steps, near_steps, trans, err_step,
                                                err_xy)
                    if alive1:
                        gx, gy, c1 = table_grad(s1[0], s1[1], c1, tix, tco, tgeo, tcen, fn, buf)
                        alive1, s1 = plane_step(gx, gy, xb[i], yb[i], p1, t, s1, par, labels,
                                                nears, geo, nb, m_out, rec_every, traj, traj_f,
                                                hist, field_steps, near_steps, trans, err_step,
                                                err_xy)
                    if not (alive0 or alive1):
                        break
                done += mm
            path_end(p0, t, s0, xy, path_steps, field_cur, last_field, near_cur, field_steps,
                     near_steps, hist, nb, m_out)
            if p1 != p0:
                path_end(p1, t, s1, xy, path_steps, field_cur, last_field, near_cur,
                         field_steps, near_steps, hist, nb, m_out)


@njit(parallel=True, **JIT)
def exit_table_kernel(fam, a, scale, eta, b, R, xy, wst, dst, labels, geo, field, t, dest,
                      limit, err_step, err_xy, tix, tco, tgeo, tcen, fn):
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
        cs = (0.0, 0.0, np.int64(-1), np.int64(-1), np.int64(-1))
        x = xy[p, 0]
        y = xy[p, 1]
        n = t[p]
        out = -1
        while n < limit and out == -1:
            mm = min(B, limit - n)
            fill_plane_noise(fam, a, scale, wst, dst, p, zb, rb, ub, vb, zx, zy, mm)
            for i in range(mm):
                gx, gy, cs = table_grad(x, y, cs, tix, tco, tgeo, tcen, fn, buf)
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
def table_values_kernel(x, y, out, tix, tco, tgeo, tcen, fn):
    """out[i] = the kernels' (df/dx, df/dy) at (x[i], y[i]) (tests, and the exact cells' check)."""
    for i in prange(x.shape[0]):
        buf = np.empty(2)
        cs = (0.0, 0.0, np.int64(-1), np.int64(-1), np.int64(-1))
        gx, gy, cs = table_grad(x[i], y[i], cs, tix, tco, tgeo, tcen, fn, buf)
        out[i, 0] = gx
        out[i, 1] = gy


@cfunc(types.void(types.float64, types.float64, types.CPointer(types.float64)), cache=True)
def nan_gradient(x, y, out):
    """Stands in for the exact ``cfunc`` when a table has no exact cell (never called)."""
    out[0] = np.nan
    out[1] = np.nan

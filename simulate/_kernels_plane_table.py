"""The 2-D kernels with grad f from a table (``simulate.plane_table``): compiled once.

Same steps, noise streams and bookkeeping as the per-formula kernels of
``simulate._kernels_plane`` (they share ``fill_plane_noise``, ``plane_step``,
``path_start`` / ``path_end`` and ``clipped_update``); only grad f differs:

* the square [-R, R]^2 is cut into n x n cells; ``tix[row, col]`` is the
  offset (in blocks of 32) of the cell's coefficients in ``tco``, or -1 for
  an *exact* cell (one the table's check refused, or that a kink, jump or
  singularity of grad f may cross);
* a tabulated cell holds two bicubic polynomials (df/dx, df/dy) in
  t = x - c_x, s = y - c_y (c the cell's centre): ``tco[k, 8 i + 2 m + d]``
  is the coefficient of t^i s^j, j = (0, 2, 1, 3)[m], of component d
  (0: df/dx, 1: df/dy): the layout of ``cell_grad_simd`` (five vector
  multiply-adds for both components, used by the run kernel, which steps two
  paths in lockstep and so is bound by its instruction count); ``cell_grad``
  does the same operations in scalars (the exit kernel steps one path at a
  time, bound by the latency of a step, where the scalar form is shorter);
  both give the same numbers;
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
from llvmlite import ir
from numba import cfunc, njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

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

#: coefficients per tabulated cell: 4 rows (powers of t) of 8 (see ``cell_grad_simd``)
BLOCK_SIZE = 32
_F64 = ir.DoubleType()
_I32 = ir.IntType(32)


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


def _lanes(idx):
    """A shufflevector mask: the lanes idx."""
    return ir.Constant(ir.VectorType(_I32, len(idx)), [ir.Constant(_I32, i) for i in idx])


def _splat(builder, v, n):
    """<n x double> with every lane v."""
    vt = ir.VectorType(_F64, n)
    one = builder.insert_element(ir.Constant(vt, ir.Undefined), v, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(vt, ir.Undefined), _lanes([0] * n))


def _fmuladd(builder, a, b, c):
    """a b + c lane by lane (fused where the machine has FMA, as ``contract`` allows)."""
    vt = a.type
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vt, [vt, vt, vt]),
                                        f"llvm.fmuladd.v{vt.count}f64")
    return builder.call(fn, [a, b, c])


def _halves(builder, v):
    """The low and high halves of a vector."""
    n = v.type.count // 2
    undef = ir.Constant(v.type, ir.Undefined)
    return (builder.shuffle_vector(v, undef, _lanes(range(n))),
            builder.shuffle_vector(v, undef, _lanes(range(n, 2 * n))))


@intrinsic
def cell_grad_simd(typingctx, tco, k, t, s):
    """(df/dx, df/dy) of tabulated cell k at (t, s) = (x - c_x, y - c_y), in SIMD.

    Row i of the block (8 coefficients, the powers t^i) holds the lanes
    (df/dx, df/dy) x (s^0, s^2, s^1, s^3): three 8-wide multiply-adds give, per
    lane, q = (c_0 + t c_1) + t^2 (c_2 + t c_3); then (low + s high) on the
    halves, (low + s^2 high) on the halves again: (q_0 + s q_1) + s^2 (q_2 + s q_3)
    for both components. Per lane the same operations in the same order as
    ``cell_grad`` (the same numbers), in a few vector instructions instead of 30
    scalar multiply-adds and 32 loads; the shuffles lengthen the chain from t to
    the gradient a little.
    """
    sig = types.UniTuple(types.float64, 2)(tco, k, t, s)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        kk, tt, ss = args[1], args[2], args[3]
        v8 = ir.VectorType(_F64, 8)
        base = builder.mul(kk, ir.Constant(kk.type, BLOCK_SIZE))
        rows = []
        for i in range(4):
            ptr = builder.gep(data, [builder.add(base, ir.Constant(kk.type, 8 * i))],
                              inbounds=True)
            rows.append(builder.load(builder.bitcast(ptr, v8.as_pointer()), align=8))
        t8 = _splat(builder, tt, 8)
        q = _fmuladd(builder, _splat(builder, builder.fmul(tt, tt), 8),
                     _fmuladd(builder, t8, rows[3], rows[2]),
                     _fmuladd(builder, t8, rows[1], rows[0]))
        even, odd = _halves(builder, q)                  # (s^0, s^2) and (s^1, s^3)
        w = _fmuladd(builder, _splat(builder, ss, 4), odd, even)
        lo, hi = _halves(builder, w)                     # s^0 + s s^1, s^2 + s s^3
        g = _fmuladd(builder, _splat(builder, builder.fmul(ss, ss), 2), hi, lo)
        return context.make_tuple(builder, signature.return_type,
                                  (builder.extract_element(g, ir.Constant(_I32, 0)),
                                   builder.extract_element(g, ir.Constant(_I32, 1))))

    return sig, codegen


@njit(inline="always")
def _estrin_t(c, k, o, t, t2):
    """(c_o + t c_(o+8)) + t^2 (c_(o+16) + t c_(o+24)): one lane of a block's rows."""
    return (c[k, o] + t * c[k, o + 8]) + t2 * (c[k, o + 16] + t * c[k, o + 24])


@njit(inline="always")
def cell_grad(tco, k, t, s):
    """(df/dx, df/dy) of tabulated cell k at (t, s) = (x - c_x, y - c_y): the Estrin
    scheme of ``cell_grad_simd`` in scalars (a shorter chain, more instructions)."""
    t2 = t * t
    s2 = s * s
    gx = (_estrin_t(tco, k, 0, t, t2) + s * _estrin_t(tco, k, 4, t, t2)) \
        + s2 * (_estrin_t(tco, k, 2, t, t2) + s * _estrin_t(tco, k, 6, t, t2))
    gy = (_estrin_t(tco, k, 1, t, t2) + s * _estrin_t(tco, k, 5, t, t2)) \
        + s2 * (_estrin_t(tco, k, 3, t, t2) + s * _estrin_t(tco, k, 7, t, t2))
    return gx, gy


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
    (tix, tco, tgeo, tcen, tedge) and the exact ``cfunc`` fn in exact cells. Like it, two
    paths in lockstep (a step is a chain of dependent operations: two chains keep the core
    busy); each path carries its cell (c_x, c_y, x_lo, x_hi, y_lo, y_hi, block)."""
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
        bufp = f64_data_pointer(buf)
        for p0 in range(t, P, 2 * T):
            p1 = p0 + T if p0 + T < P else p0
            alive0 = err_step[p0] < 0
            alive1 = p1 != p0 and err_step[p1] < 0
            s0 = path_start(p0, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            s1 = path_start(p1, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            # each path's cell; empty bounds: the first step looks it up
            cx0, cy0, xl0, xh0, yl0, yh0, k0 = 0.0, 0.0, _INF, -_INF, _INF, -_INF, np.int64(-1)
            cx1, cy1, xl1, xh1, yl1, yh1, k1 = 0.0, 0.0, _INF, -_INF, _INF, -_INF, np.int64(-1)
            done = 0
            while done < nsteps and (alive0 or alive1):
                mm = min(B, nsteps - done)
                for q in range(2):              # one inlined copy of the noise code
                    if alive0 if q == 0 else alive1:
                        fill_plane_noise(fam, a, scale, wst, dst, p0 if q == 0 else p1, wa, rb,
                                         ua, va, xa if q == 0 else xb, ya if q == 0 else yb, mm)
                for i in range(mm):
                    if alive0:
                        x = s0[0]
                        y = s0[1]
                        if x < xl0 or x >= xh0 or y < yl0 or y >= yh0:
                            cx0, cy0, xl0, xh0, yl0, yh0, k0 = locate_cell(x, y, tix, tgeo, tcen,
                                                                           tedge)
                        if k0 >= 0:
                            gx, gy = cell_grad_simd(tco, k0, x - cx0, y - cy0)
                        else:
                            fn(x, y, bufp)
                            gx = buf[0]
                            gy = buf[1]
                        alive0, s0 = plane_step(gx, gy, xa[i], ya[i], p0, t, s0, par, labels,
                                                nears, geo, nb, m_out, rec_every, traj, traj_f,
                                                hist, field_steps, near_steps, trans, err_step,
                                                err_xy)
                    if alive1:
                        x = s1[0]
                        y = s1[1]
                        if x < xl1 or x >= xh1 or y < yl1 or y >= yh1:
                            cx1, cy1, xl1, xh1, yl1, yh1, k1 = locate_cell(x, y, tix, tgeo, tcen,
                                                                           tedge)
                        if k1 >= 0:
                            gx, gy = cell_grad_simd(tco, k1, x - cx1, y - cy1)
                        else:
                            fn(x, y, bufp)
                            gx = buf[0]
                            gy = buf[1]
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
    """out[i] = the run kernel's (df/dx, df/dy) at (x[i], y[i]), then (columns 2, 3, if
    out has 4) the exit kernel's (tests, and the exact cells' check)."""
    for i in prange(x.shape[0]):
        buf = np.empty(2)
        cx, cy, _, _, _, _, k = locate_cell(x[i], y[i], tix, tgeo, tcen, tedge)
        if k >= 0:
            gx, gy = cell_grad_simd(tco, k, x[i] - cx, y[i] - cy)
            hx, hy = cell_grad(tco, k, x[i] - cx, y[i] - cy)
        else:
            fn(x[i], y[i], f64_data_pointer(buf))
            gx = hx = buf[0]
            gy = hy = buf[1]
        out[i, 0] = gx
        out[i, 1] = gy
        if out.shape[1] == 4:
            out[i, 2] = hx
            out[i, 3] = hy


@cfunc(types.void(types.float64, types.float64, types.CPointer(types.float64)), cache=True)
def nan_gradient(x, y, out):
    """Stands in for the exact ``cfunc`` when a table has no exact cell (never called)."""
    out[0] = np.nan
    out[1] = np.nan

"""Private numba pieces of the 2-D kernels (THEORY.md sections 2 and 10).

One step, v = eta (grad f(X) - Z) clipped by norm, X projected onto the ball::

    X <- P_R(X - phi_b(eta (grad f(X) - Z))),   phi_b(v) = min(1, b / |v|) v,
    P_R(x) = min(1, R / |x|) x

(the 1-D kernel clips the same quantity eta (f'(X) - Z); ``b = inf``: no
clipping). Isotropic noise Z = scale |W| (cos t, sin t) (``simulate._plane_noise``,
re-exported here). W carries a random sign; Z = W (cos t, sin t) is isotropic all
the same (|Z| = scale |W|).

``run_plane_kernel`` and ``exit_plane_kernel`` below are *templates*: plain
Python functions that call ``grad(x, y)`` without defining it.
``simulate.plane_gradient`` writes a module per formula with the formula's
``grad`` (generated from its two SymPy derivatives) followed by the source of
these two functions, and compiles them there with numba: the gradient is
inlined into the step; ``simulate._kernels_plane_table`` writes them once with
grad f from a table. Parallel over chunks of paths (``prange``); the
occupancy histogram is one row per chunk (integer counts: the sum does not
depend on the chunking), everything else one row per path.

Field bookkeeping uses the grids of the analysis by nearest cell: a cell's
label (field index, -1 = no field) and near index (-1 = far from every
minimiser set) are looked up only when the iterate changes cell.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
from numba import njit, prange

from . import config
from ._jit import JIT
from ._plane_noise import fill_plane_noise

U64 = np.uint64
_INF = np.inf
#: above this, |v|^2 may overflow: clip / project with a rescaled norm
_BIG2 = 1e300


@njit(inline="always")
def shrink_to(vx, vy, n2, c):
    """min(1, c / |v|) v, given n2 = |v|^2 > c^2 (safe when n2 overflows)."""
    if n2 < _BIG2:
        k = c / math.sqrt(n2)
    else:
        s = max(abs(vx), abs(vy))
        ux = vx / s
        uy = vy / s
        k = c / (s * math.sqrt(ux * ux + uy * uy))
    return vx * k, vy * k


@njit(inline="always")
def clipped_update(x, y, gx, gy, zx, zy, eta, b2, b, R2, R):
    """P_R(X - phi_b(eta (g - Z))): the 2-D step (norm clipping, ball of radius R)."""
    vx = eta * (gx - zx)
    vy = eta * (gy - zy)
    n2 = vx * vx + vy * vy
    if n2 > b2:
        vx, vy = shrink_to(vx, vy, n2, b)
    x = x - vx
    y = y - vy
    r2 = x * x + y * y
    if r2 > R2:
        x, y = shrink_to(x, y, r2, R)
    return x, y


@njit(inline="always")
def cell_index(v, lo, inv, n):
    """Index of the nearest of n cell centres lo, lo + 1/inv, ... (clamped)."""
    k = np.int64((v - lo) * inv + 0.5)
    if k < 0:
        return 0
    if k >= n:
        return n - 1
    return k


@njit(inline="always")
def bin_index(v, lo, inv, n):
    """Histogram bin of v for n bins of width 1/inv from lo (clamped)."""
    k = np.int64((v - lo) * inv)
    if k < 0:
        return 0
    if k >= n:
        return n - 1
    return k


@njit(parallel=True, **JIT)
def draw_plane_noise_kernel(fam, a, scale, wst, dst, out):
    """out[p, i] = the i-th isotropic draw (Z_x, Z_y) of path p (as the kernels see it)."""
    P, n = out.shape[0], out.shape[1]
    B = config.BLOCK
    for p in prange(P):
        zb = np.empty(B)
        rb = np.empty(B, dtype=np.uint64)
        ub = np.empty(B)
        vb = np.empty(B)
        zx = np.empty(B)
        zy = np.empty(B)
        done = 0
        while done < n:
            m = min(B, n - done)
            fill_plane_noise(fam, a, scale, wst, dst, p, zb, rb, ub, vb, zx, zy, m)
            for i in range(m):
                out[p, done + i, 0] = zx[i]
                out[p, done + i, 1] = zy[i]
            done += m


@njit(inline="always")
def plane_step(gx, gy, zx, zy, p, t, st, par, labels, nears, geo, nb, m_out, rec_every, traj,
               traj_f, hist, field_steps, near_steps, trans, err_step, err_xy):
    """One step of path p (chunk t) with gradient (gx, gy) and noise (zx, zy): (ok, st).

    st = (x, y, n, c, f, last, nr, ef, en, ix, iy, hk, hc), the path's scalars
    (``path_start``); par = (eta, b^2, b, R^2, R). ok is False, and nothing
    moves, if the gradient is not finite. (Few arguments: CPython 3.11 compiles
    a call with more than 30 as f(*args), which numba cannot inline.)

    Fields and "near" sets are looked up only when the nearest cell changes; the
    histogram is counted by runs of the same bin (flushed on a change).
    """
    x, y, n, c, f, last, nr, ef, en, ix, iy, hk, hc = st
    if not (abs(gx) < _INF and abs(gy) < _INF):
        err_step[p] = n + 1
        err_xy[p, 0] = x
        err_xy[p, 1] = y
        return False, st
    x, y = clipped_update(x, y, gx, gy, zx, zy, par[0], par[1], par[2], par[3], par[4])
    n += 1
    ny, nx = labels.shape
    jx = cell_index(x, geo[0], geo[2], nx)
    jy = cell_index(y, geo[1], geo[3], ny)
    if jx != ix or jy != iy:
        ix = jx
        iy = jy
        nf = np.int64(labels[iy, ix])
        if nf != f:
            field_steps[p, f if f >= 0 else m_out] += n - 1 - ef
            ef = n - 1
            f = nf
            if nf >= 0:
                if last >= 0 and nf != last:
                    trans[p, last, nf] += 1
                last = nf
        nn = np.int64(nears[iy, ix])
        if nn != nr:
            near_steps[p, nr if nr >= 0 else m_out] += n - 1 - en
            en = n - 1
            nr = nn
    k = bin_index(y, geo[5], geo[7], nb) * nb + bin_index(x, geo[4], geo[6], nb)
    if k == hk:
        hc += 1
    else:
        hist[t, hk // nb, hk % nb] += hc
        hk = k
        hc = 1
    c += 1
    if c == rec_every:
        c = 0
        s = (n // rec_every) % traj.shape[0]
        traj[s, p, 0] = x
        traj[s, p, 1] = y
        traj_f[s, p] = f
    return True, (x, y, n, c, f, last, nr, ef, en, ix, iy, hk, hc)


@njit(inline="always")
def path_start(p, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo, labels, nb):
    """The scalars a path's steps carry: (x, y, n, c, f, last, nr, ef, en, ix, iy, hk, hc)."""
    ny, nx = labels.shape
    x = xy[p, 0]
    y = xy[p, 1]
    n = path_steps[p]
    hk = bin_index(y, geo[5], geo[7], nb) * nb + bin_index(x, geo[4], geo[6], nb)
    return (x, y, n, n % rec_every, field_cur[p], last_field[p], near_cur[p], n, n,
            cell_index(x, geo[0], geo[2], nx), cell_index(y, geo[1], geo[3], ny), hk, 0)


@njit(inline="always")
def path_end(p, t, st, xy, path_steps, field_cur, last_field, near_cur, field_steps,
             near_steps, hist, nb, m_out):
    """Flush a path's counts and store its scalars st (see ``plane_step``)."""
    x, y, n, _, f, last, nr, ef, en, _, _, hk, hc = st
    field_steps[p, f if f >= 0 else m_out] += n - ef
    near_steps[p, nr if nr >= 0 else m_out] += n - en
    hist[t, hk // nb, hk % nb] += hc
    xy[p, 0] = x
    xy[p, 1] = y
    path_steps[p] = n
    field_cur[p] = f
    last_field[p] = last
    near_cur[p] = nr


# ----------------------------------------------------------------------------
# Templates: compiled per formula by simulate.plane_gradient (``grad`` is the
# formula's (df/dx, df/dy)), and with grad f from a table by
# simulate._kernels_plane_table, which replaces each line ``gx, gy = grad(x, y)  # path s``
# by a table lookup and ``# [gradient state: s ...]`` by the paths' cell state. Not
# decorated here on purpose.

#: the templates, in the order the generated modules define them
TEMPLATES = ("run_plane_kernel", "exit_plane_kernel")

#: the imports every generated module of 2-D kernels starts with
GENERATED_HEADER = """import math

import numpy as np
from numba import cfunc, njit, prange, types

from simulate import config
from simulate._jit import JIT
from simulate._kernels_plane import (
    _INF,
    cell_index,
    clipped_update,
    fill_plane_noise,
    path_end,
    path_start,
    plane_step,
)
"""


def template_source() -> str:
    """The source of the template kernels (``TEMPLATES``), for a generated module."""
    return "\n\n".join(inspect.getsource(globals()[name]) for name in TEMPLATES)


def grad(x, y):
    """Placeholder: each generated module defines the formula's own ``grad``."""
    raise NotImplementedError("the plane kernels run only inside a generated module")


def run_plane_kernel(fam, a, scale, eta, b, R, xy, wst, dst, nsteps, path_steps,
                     rec_every, traj, traj_f, labels, nears, geo, hist, field_cur, last_field,
                     near_cur, field_steps, near_steps, trans, err_step, err_xy):
    """Advance every path (without an error) by ``nsteps`` steps, in place.

    geo = (x_lo, y_lo, 1/dx, 1/dy) of the label grid's cell centres, then
    (x_lo, y_lo, 1/wx, 1/wy) of the histogram's bins. labels / nears: int16
    grids [row = y, col = x]. hist: (chunks, bins, bins), [chunk, y bin, x bin].
    field_cur / near_cur: label / near index of the current cell (-1: none);
    last_field: the last field (>= 0) the path was in, from which the next
    transition counts (a pass through unlabelled cells is no transition).
    field_steps / near_steps (P, m + 1): last column = no field / out.
    traj (slots, P, 2), traj_f (slots, P): every rec_every-th iterate and its
    cell's label, slot (n // rec_every) % slots.

    Chunk t runs paths t, t + T, t + 2T, ... two at a time in lockstep (one
    step is a chain of dependent operations; two independent chains keep the
    core busier). Each path has its own streams: the pairing changes no number.
    """
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
        for p0 in range(t, P, 2 * T):
            p1 = p0 + T if p0 + T < P else p0
            alive0 = err_step[p0] < 0
            alive1 = p1 != p0 and err_step[p1] < 0
            s0 = path_start(p0, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            s1 = path_start(p1, xy, path_steps, rec_every, field_cur, last_field, near_cur, geo,
                            labels, nb)
            # [gradient state: 0 1]
            done = 0
            while done < nsteps and (alive0 or alive1):
                mm = min(B, nsteps - done)
                for q in range(2):              # one inlined copy of the noise code
                    if alive0 if q == 0 else alive1:
                        fill_plane_noise(fam, a, scale, wst, dst, p0 if q == 0 else p1, wa, rb,
                                         ua, va, xa if q == 0 else xb, ya if q == 0 else yb, mm)
                for i in range(mm):
                    if alive0:
                        gx, gy = grad(s0[0], s0[1])  # path 0
                        alive0, s0 = plane_step(gx, gy, xa[i], ya[i], p0, t, s0, par, labels,
                                                nears, geo, nb, m_out, rec_every, traj, traj_f,
                                                hist, field_steps, near_steps, trans, err_step,
                                                err_xy)
                    if alive1:
                        gx, gy = grad(s1[0], s1[1])  # path 1
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


def exit_plane_kernel(fam, a, scale, eta, b, R, xy, wst, dst, labels, geo, field, t, dest,
                      limit, err_step, err_xy):
    """First exits from ``field``: run each unfinished sample up to ``limit`` steps.

    Exit = the label of the iterate's cell is another field (>= 0); cells
    labelled -1 (no field) do not end the sample. dest[p] = -1 while
    running, then the field entered; t[p] the step. Resumable: exactly t[p]
    steps' draws have been used by sample p.
    """
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
        x = xy[p, 0]
        y = xy[p, 1]
        n = t[p]
        # [gradient state: _]
        out = -1
        while n < limit and out == -1:
            mm = min(B, limit - n)
            fill_plane_noise(fam, a, scale, wst, dst, p, zb, rb, ub, vb, zx, zy, mm)
            for i in range(mm):
                gx, gy = grad(x, y)  # path _
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

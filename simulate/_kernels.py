"""Private numba kernels: arrays and scalars in, results written in place.

One step (paper eqs. (1)-(3))::

    X <- phi(X - phi(eta * (f'(X) - Z), b), L),   phi(w, c) = min(max(w, -c), c)

``b = inf`` means no clipping. f' is evaluated only through the call
``_grad(fn, coef, mode, x, cell)`` in ``run_kernel`` and ``exit_kernel``
(mode 1/2: polynomial coefficients, 3: the table of ``simulate.table`` with
the path's current piece ``cell``, 0: the formula's ``cfunc``):
``simulate.specialise`` copies the source of those two kernels into a
module generated per formula, with that call replaced by a direct call of
the formula's own compiled f' (see ``docs/DESIGN.md``). Parallel over paths (``prange``); all
per-path accumulators are rows of (P, ...) arrays merged by the driver,
so there are no races and no per-thread state (results do not depend on
the thread count). Field membership: Omega_i = [ext[i], ext[i + 1]) with
ext = [-inf, s_1, ..., s_{n-1}, +inf]; only the current field's two
boundaries are compared each step.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from . import config
from ._jit import JIT
from .rng import fill_noise

_INF = np.inf


@njit(inline="always")
def _field_index(ext, x):
    """i with ext[i] <= x < ext[i + 1] (ext sorted, ext[0] = -inf, ext[-1] = inf)."""
    lo = 0
    hi = ext.shape[0] - 1
    while hi - lo > 1:           # invariant: ext[lo] <= x < ext[hi]
        mid = (lo + hi) // 2
        if ext[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo


@njit(inline="always")
def _estrin8(c, x):
    """c[0] x^7 + ... + c[7] by Estrin's scheme: 4 dependent multiply-adds
    instead of Horner's 7 (the step is latency bound: 44 vs 32 M steps/s)."""
    x2 = x * x
    x4 = x2 * x2
    lo = (c[7] + c[6] * x) + (c[5] + c[4] * x) * x2
    hi = (c[3] + c[2] * x) + (c[1] + c[0] * x) * x2
    return lo + hi * x4


@njit(inline="always")
def _estrin8_at(c, j, t):
    """c[j] t^7 + ... + c[j + 7]: ``_estrin8`` on the 8 coefficients from c[j]."""
    t2 = t * t
    t4 = t2 * t2
    lo = (c[j + 7] + c[j + 6] * t) + (c[j + 5] + c[j + 4] * t) * t2
    hi = (c[j + 3] + c[j + 2] * t) + (c[j + 1] + c[j] * t) * t2
    return lo + hi * t4


@njit(inline="always")
def _no_cell(coef, mode):
    """The piece state before the first step: (first coefficient, lo, hi, centre) with
    an empty [lo, hi), so the first step locates x; a valid index for memory safety."""
    base = np.int64(coef[3]) if mode == 3 else np.int64(0)
    return base, _INF, -_INF, 0.0


@njit
def _locate(t, x):
    """The piece of the table ``t`` (``simulate.table``) holding x: B[j] <= x < B[j + 1]
    (the first and last pieces open to the outside). Runs only when x leaves its piece."""
    n = np.int64(t[2])
    j = np.int64((x + t[1]) * t[0]) if abs(x) < _INF else np.int64(0)   # NaN, inf: piece 0
    j = min(max(j, np.int64(0)), n - 1)
    while j > 0 and x < t[4 + j]:
        j -= 1
    while j < n - 1 and x >= t[5 + j]:
        j += 1
    lo = t[4 + j] if j > 0 else -_INF
    hi = t[5 + j] if j < n - 1 else _INF
    return np.int64(t[3]) + 8 * j, lo, hi, 0.5 * (t[4 + j] + t[5 + j])


@njit(inline="always")
def _next_piece(t, x, base, lo, hi):
    """The piece state for x, which left the piece (base, lo, hi): the neighbour
    it moved into, inline (most moves), else ``_locate`` (a call: a call on the
    common path cost a third of the step rate)."""
    first = np.int64(t[3])
    n = np.int64(t[2])
    j = (base - first) >> 3
    if x < lo:
        if j > 0 and x >= t[3 + j]:          # into piece j - 1 = [B[j - 1], B[j])
            j -= 1
            return base - 8, (t[4 + j] if j > 0 else -_INF), lo, 0.5 * (t[4 + j] + lo)
    elif j < n - 1 and x < t[6 + j]:         # into piece j + 1 = [B[j + 1], B[j + 2])
        j += 1
        return base + 8, hi, (t[5 + j] if j < n - 1 else _INF), 0.5 * (hi + t[5 + j])
    return _locate(t, x)


@njit(inline="always")
def _grad(fn, coef, mode, x, cell):
    """(f'(x), cell): mode 1 Estrin (8 coefficients), 2 Horner, 3 table of degree-7
    pieces (``simulate.table``), 0 the first-class function fn.

    ``cell`` = (first coefficient, lo, hi, centre) of the table piece in use:
    the iterate mostly stays in its piece, so the piece is looked up only when
    x leaves [lo, hi) (a predictable branch, like the field check), and the
    coefficient loads do not wait for x: the table costs what the polynomial
    path costs. The value depends on x only (the piece holding x), never on
    the path's history.
    """
    if mode == 1:
        return _estrin8(coef, x), cell
    if mode == 3:
        base, lo, hi, cen = cell
        if x < lo or x >= hi:
            base, lo, hi, cen = _next_piece(coef, x, base, lo, hi)
        return _estrin8_at(coef, base, x - cen), (base, lo, hi, cen)
    if mode == 2:
        g = coef[0]
        for k in range(1, coef.shape[0]):
            g = g * x + coef[k]
        return g, cell
    return fn(x), cell


@njit(inline="always")
def _clipped_update(x, g, z, eta, b, L):
    """The paper's update phi(x - phi(eta (g - z), b), L), phi(w, c) = w clipped to [-c, c]."""
    w = eta * (g - z)
    if w > b:
        w = b
    elif w < -b:
        w = -b
    x = x - w
    if x > L:
        return L
    if x < -L:
        return -L
    return x


@njit(inline="always")
def _step(g, z, eta, b, L, ext, p, x, f, lo, hi, n, n_enter, c, hk, hc,
          hist_on, inv_w, nbins, rec_every, nslots, traj, hist, field_steps, trans,
          err_step, err_x):
    """One step of path p from x, with g = f'(x); returns (ok, updated scalars).

    ok is False (and nothing moves) if g is NaN or infinite.

    Parameters
    ----------
    g, z : float
        f'(x) and the step's noise Z_n.
    eta, b, L : float
        Learning rate, clipping threshold (inf: none), wall.
    ext : ndarray (n + 1,)
        Field boundaries [-inf, s_1, ..., s_{n-1}, inf].
    p : int
        Path index (row of the per-path arrays).
    x, f, lo, hi : float, int, float, float
        Position, its field, and that field's boundaries ext[f], ext[f + 1].
    n, n_enter : int
        Steps done by the path, and the step at which it entered field f.
    c : int
        Steps since the last recorded iterate (records every ``rec_every``).
    hk, hc : int
        Histogram bin being counted run-length, and its pending count.
    hist_on : bool
    inv_w, nbins : float, int
        Histogram bins per unit length (nbins / 2L) and number of bins on [-L, L].
    rec_every, nslots : int
        Record interval and ring-buffer length of ``traj``.
    traj : ndarray (nslots, P)
        Ring buffer of recorded iterates (written).
    hist : ndarray (P, nbins) of int64
        Occupancy counts (written).
    field_steps : ndarray (P, n) of int64
        Steps spent per field (written on leaving a field).
    trans : ndarray (P, n, n) of int64
        Field-to-field transition counts (written).
    err_step, err_x : ndarray (P,)
        Step and position where f' was not finite (written; -1: none).

    Returns
    -------
    (ok, x, f, lo, hi, n, n_enter, c, hk, hc)
    """
    if not (abs(g) < _INF):
        err_step[p] = n + 1
        err_x[p] = x
        return False, x, f, lo, hi, n, n_enter, c, hk, hc
    x = _clipped_update(x, g, z, eta, b, L)
    n += 1
    if x < lo or x >= hi:               # left the field: find where it landed
        nf = _field_index(ext, x)
        field_steps[p, f] += n - 1 - n_enter
        trans[p, f, nf] += 1
        f = nf
        lo = ext[f]
        hi = ext[f + 1]
        n_enter = n - 1
    if hist_on:
        # run-length: x mostly stays in its bin, so count locally and flush
        # on a change (no memory read-modify-write per step)
        k = np.int64((x + L) * inv_w)
        if k >= nbins:
            k = nbins - 1
        elif k < 0:
            k = 0
        if k == hk:
            hc += 1
        else:
            hist[p, hk] += hc
            hk = k
            hc = 1
    c += 1
    if c == rec_every:
        c = 0
        traj[(n // rec_every) % nslots, p] = x
    return True, x, f, lo, hi, n, n_enter, c, hk, hc


@njit(parallel=True, **JIT)
def run_kernel(fn, coef, mode, fam, a, scale, eta, b, L, ext, xs, state, nsteps,
               path_steps, rec_every, traj, hist, hist_on, field_cur, field_steps, trans,
               err_step, err_x):
    """Advance every path (without an error) by ``nsteps`` steps.

    Updates in place: xs (positions), state (RNG), path_steps, traj (ring
    buffer of every rec_every-th iterate, slot (n // rec_every) % len),
    hist (P, bins) on [-L, L] if hist_on, field_cur, field_steps (P, n),
    trans (P, n, n), err_step / err_x (step and x where f' was not finite).

    Parameters
    ----------
    fn : cfunc
        The formula's compiled f' (mode 0; any cfunc otherwise, unused).
    coef : ndarray
        Polynomial coefficients of f' (modes 1, 2) or the table of
        ``simulate.table`` (mode 3).
    mode : int
        How f' is evaluated (``_grad``): 0 cfunc, 1/2 polynomial, 3 table.
    fam, a, scale : int, float, float
        Noise family code (``rng.FAMILY_CODES``), its alpha and scale.
    eta, b, L : float
        Learning rate, clipping threshold (inf: none), wall.
    ext : ndarray (n + 1,)
        Field boundaries [-inf, s_1, ..., s_{n-1}, inf].
    xs : ndarray (P,)
        Positions (read and written).
    state : ndarray (P, rng.STATE_WORDS) of uint64
        Per-path random streams (read and written).
    nsteps : int
        Steps to add to every live path.
    path_steps : ndarray (P,) of int64
        Steps done per path (read and written).
    rec_every : int
        Record every rec_every-th iterate into ``traj``.
    traj, hist, hist_on, field_cur, field_steps, trans, err_step, err_x
        Outputs as above (``field_cur``: each path's current field).

    Paths are advanced two at a time in lockstep: one step is a chain of
    dependent operations (latency bound), and two independent chains in
    one loop body keep the core busy (+30 % steps/s measured). Each path
    still has its own noise stream, so the pairing changes no number.
    The step and the noise code are inlined once per path of the pair
    (not again for the tail after a path fails): this halves the cold
    compile time (~100 s -> ~50 s on the loaded dev VM) at the same speed.
    """
    P = xs.shape[0]
    nbins = hist.shape[1]
    inv_w = nbins / (2.0 * L)
    nslots = traj.shape[0]
    B = config.BLOCK
    G = (P + 1) // 2
    for gi in prange(G):
        p0 = 2 * gi
        p1 = min(p0 + 1, P - 1)
        alive0 = err_step[p0] < 0
        alive1 = p1 != p0 and err_step[p1] < 0
        za = np.empty(B)
        zb = np.empty(B)
        rb = np.empty(B, dtype=np.uint64)
        x0 = xs[p0]
        f0 = field_cur[p0]
        lo0 = ext[f0]
        hi0 = ext[f0 + 1]
        n0 = path_steps[p0]
        e0 = n0                          # step count when the field was entered
        c0 = n0 % rec_every
        hk0 = 0                          # histogram bin being counted, and its count
        hc0 = 0
        x1 = xs[p1]
        f1 = field_cur[p1]
        lo1 = ext[f1]
        hi1 = ext[f1 + 1]
        n1 = path_steps[p1]
        e1 = n1
        c1 = n1 % rec_every
        hk1 = 0
        hc1 = 0
        t0 = _no_cell(coef, mode)        # table piece in use (mode 3)
        t1 = _no_cell(coef, mode)
        done = 0
        while done < nsteps and (alive0 or alive1):
            m = min(B, nsteps - done)
            for q in range(2):          # one inlined copy of the noise code
                if alive0 if q == 0 else alive1:
                    fill_noise(fam, a, scale, state, p0 if q == 0 else p1,
                               za if q == 0 else zb, rb, m)
            for i in range(m):
                if alive0:
                    g0, t0 = _grad(fn, coef, mode, x0, t0)
                    alive0, x0, f0, lo0, hi0, n0, e0, c0, hk0, hc0 = _step(
                        g0, za[i], eta, b, L, ext, p0, x0, f0, lo0, hi0, n0, e0,
                        c0, hk0, hc0, hist_on, inv_w, nbins, rec_every, nslots, traj, hist,
                        field_steps, trans, err_step, err_x)
                if alive1:
                    g1, t1 = _grad(fn, coef, mode, x1, t1)
                    alive1, x1, f1, lo1, hi1, n1, e1, c1, hk1, hc1 = _step(
                        g1, zb[i], eta, b, L, ext, p1, x1, f1, lo1, hi1, n1, e1,
                        c1, hk1, hc1, hist_on, inv_w, nbins, rec_every, nslots, traj, hist,
                        field_steps, trans, err_step, err_x)
                if not (alive0 or alive1):
                    break
            done += m
        field_steps[p0, f0] += n0 - e0
        if hist_on:
            hist[p0, hk0] += hc0
        xs[p0] = x0
        field_cur[p0] = f0
        path_steps[p0] = n0
        if p1 != p0:
            field_steps[p1, f1] += n1 - e1
            if hist_on:
                hist[p1, hk1] += hc1
            xs[p1] = x1
            field_cur[p1] = f1
            path_steps[p1] = n1


@njit(parallel=True, **JIT)
def exit_kernel(fn, coef, mode, fam, a, scale, eta, b, L, ext, lo, hi, xs, t, dest,
                state, limit, err_step, err_x):
    """First exits from [lo, hi): run each unfinished sample up to ``limit`` steps.

    dest[p] = -1 while running; on exit the field index (into ext) the
    iterate lands in, t[p] the exit step. Resumable: xs, t and state
    persist, and exactly t[p] noise draws have been used by sample p.

    Parameters
    ----------
    fn, coef, mode, fam, a, scale, eta, b, L, ext
        As in ``run_kernel``.
    lo, hi : float
        The start field [lo, hi).
    xs : ndarray (P,)
        Positions (read and written).
    t : ndarray (P,) of int64
        Steps done per sample; the exit step once it left (read and written).
    dest : ndarray (P,) of int64
        -1 while running; the field landed in; -2 after a non-finite f' (written).
    state : ndarray (P, rng.STATE_WORDS) of uint64
        Per-sample random streams (read and written).
    limit : int
        Run each sample up to this many steps in all (the step cap so far).
    err_step, err_x : ndarray (P,)
        Step and position where f' was not finite (written; -1: none).
    """
    P = xs.shape[0]
    B = config.BLOCK
    for p in prange(P):
        if dest[p] >= 0 or err_step[p] >= 0:
            continue
        zb = np.empty(B)
        rb = np.empty(B, dtype=np.uint64)
        x = xs[p]
        n = t[p]
        out = -1
        tc = _no_cell(coef, mode)
        while n < limit and out == -1:
            m = min(B, limit - n)
            fill_noise(fam, a, scale, state, p, zb, rb, m)
            for i in range(m):
                g, tc = _grad(fn, coef, mode, x, tc)
                if not (abs(g) < _INF):
                    err_step[p] = n + 1
                    err_x[p] = x
                    out = -2
                    break
                x = _clipped_update(x, g, zb[i], eta, b, L)
                n += 1
                if x < lo or x >= hi:
                    out = _field_index(ext, x)
                    break
        xs[p] = x
        t[p] = n
        if out >= 0:
            dest[p] = out

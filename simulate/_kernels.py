"""Private numba kernels: arrays and scalars in, results written in place.

One step (paper eqs. (1)-(3))::

    X <- phi(X - phi(eta * (f'(X) - Z), b), L),   phi(w, c) = min(max(w, -c), c)

``b = inf`` means no clipping. f' is evaluated only through the call
``gradient_at(fn, coef, mode, x, cell)`` in ``run_kernel`` and ``exit_kernel``
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
from ._kernel_steps import INF, clipped_update, field_index, gradient_at, no_cell, sgd_step
from .rng import fill_noise


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
        How f' is evaluated (``gradient_at``): 0 cfunc, 1/2 polynomial, 3 table.
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
        t0 = no_cell(coef, mode)        # table piece in use (mode 3)
        t1 = no_cell(coef, mode)
        done = 0
        while done < nsteps and (alive0 or alive1):
            m = min(B, nsteps - done)
            for q in range(2):          # one inlined copy of the noise code
                if alive0 if q == 0 else alive1:
                    fill_noise(fam, a, scale, state, p0 if q == 0 else p1,
                               za if q == 0 else zb, rb, m)
            for i in range(m):
                if alive0:
                    g0, t0 = gradient_at(fn, coef, mode, x0, t0)
                    alive0, x0, f0, lo0, hi0, n0, e0, c0, hk0, hc0 = sgd_step(
                        g0, za[i], eta, b, L, ext, p0, x0, f0, lo0, hi0, n0, e0,
                        c0, hk0, hc0, hist_on, inv_w, nbins, rec_every, nslots, traj, hist,
                        field_steps, trans, err_step, err_x)
                if alive1:
                    g1, t1 = gradient_at(fn, coef, mode, x1, t1)
                    alive1, x1, f1, lo1, hi1, n1, e1, c1, hk1, hc1 = sgd_step(
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
        tc = no_cell(coef, mode)
        while n < limit and out == -1:
            m = min(B, limit - n)
            fill_noise(fam, a, scale, state, p, zb, rb, m)
            for i in range(m):
                g, tc = gradient_at(fn, coef, mode, x, tc)
                if not (abs(g) < INF):
                    err_step[p] = n + 1
                    err_x[p] = x
                    out = -2
                    break
                x = clipped_update(x, g, zb[i], eta, b, L)
                n += 1
                if x < lo or x >= hi:
                    out = field_index(ext, x)
                    break
        xs[p] = x
        t[p] = n
        if out >= 0:
            dest[p] = out

"""Private numba kernels: arrays and scalars in, results written in place.

One step (paper eqs. (1)-(3))::

    X <- phi(X - phi(eta * (f'(X) - Z), b), L),   phi(w, c) = min(max(w, -c), c)

``b = inf`` means no clipping. Parallel over paths (``prange``); all
per-path accumulators are rows of (P, ...) arrays merged by the driver,
so there are no races and no per-thread state (results do not depend on
the thread count). Field membership: Omega_i = [ext[i], ext[i + 1]) with
ext = [-inf, s_1, ..., s_{n-1}, +inf]; only the current field's two
boundaries are compared each step.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from . import config
from ._jit import JIT
from .rng import fill_noise
from numba import njit

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
def _grad(fn, coef, use_poly, x):
    if use_poly:
        g = coef[0]
        for k in range(1, coef.shape[0]):
            g = g * x + coef[k]
        return g
    return fn(x)


@njit(parallel=True, **JIT)
def run_kernel(fn, coef, use_poly, fam, a, scale, eta, b, L, ext, xs, state, nsteps,
               path_steps, rec_every, traj, hist, hist_on, field_cur, field_steps, trans,
               err_step, err_x):
    """Advance every path (without an error) by ``nsteps`` steps.

    Updates in place: xs (positions), state (RNG), path_steps, traj (ring
    buffer of every rec_every-th iterate, slot (n // rec_every) % len),
    hist (P, bins) on [-L, L] if hist_on, field_cur, field_steps (P, n),
    trans (P, n, n), err_step / err_x (step and x where f' was not finite).
    """
    P = xs.shape[0]
    nbins = hist.shape[1]
    inv_w = nbins / (2.0 * L)
    nslots = traj.shape[0]
    B = config.BLOCK
    for p in prange(P):
        if err_step[p] >= 0:
            continue
        zb = np.empty(B)
        rb = np.empty(B, dtype=np.uint64)
        x = xs[p]
        f = field_cur[p]
        lo = ext[f]
        hi = ext[f + 1]
        n = path_steps[p]
        n_enter = n                     # step count when field f was entered (or chunk start)
        c = n % rec_every
        done = 0
        failed = False
        while done < nsteps:
            m = min(B, nsteps - done)
            fill_noise(fam, a, scale, state, p, zb, rb, m)
            for i in range(m):
                g = _grad(fn, coef, use_poly, x)
                if not (abs(g) < _INF):          # NaN or +-inf
                    err_step[p] = n + 1
                    err_x[p] = x
                    failed = True
                    break
                w = eta * (g - zb[i])
                if w > b:
                    w = b
                elif w < -b:
                    w = -b
                x = x - w
                if x > L:
                    x = L
                elif x < -L:
                    x = -L
                n += 1
                if x < lo or x >= hi:
                    nf = _field_index(ext, x)
                    field_steps[p, f] += n - 1 - n_enter
                    trans[p, f, nf] += 1
                    f = nf
                    lo = ext[f]
                    hi = ext[f + 1]
                    n_enter = n - 1
                if hist_on:
                    k = np.int64((x + L) * inv_w)
                    if k >= nbins:
                        k = nbins - 1
                    elif k < 0:
                        k = 0
                    hist[p, k] += 1
                c += 1
                if c == rec_every:
                    c = 0
                    traj[(n // rec_every) % nslots, p] = x
            if failed:
                break
            done += m
        field_steps[p, f] += n - n_enter
        xs[p] = x
        field_cur[p] = f
        path_steps[p] = n


@njit(parallel=True, **JIT)
def exit_kernel(fn, coef, use_poly, fam, a, scale, eta, b, L, ext, lo, hi, xs, t, dest,
                state, limit, err_step, err_x):
    """First exits from [lo, hi): run each unfinished sample up to ``limit`` steps.

    dest[p] = -1 while running; on exit the field index (into ext) the
    iterate lands in, t[p] the exit step. Resumable: xs, t and state
    persist, and exactly t[p] noise draws have been used by sample p.
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
        while n < limit and out == -1:
            m = min(B, limit - n)
            fill_noise(fam, a, scale, state, p, zb, rb, m)
            for i in range(m):
                g = _grad(fn, coef, use_poly, x)
                if not (abs(g) < _INF):
                    err_step[p] = n + 1
                    err_x[p] = x
                    out = -2
                    break
                w = eta * (g - zb[i])
                if w > b:
                    w = b
                elif w < -b:
                    w = -b
                x = x - w
                if x > L:
                    x = L
                elif x < -L:
                    x = -L
                n += 1
                if x < lo or x >= hi:
                    out = _field_index(ext, x)
                    break
        xs[p] = x
        t[p] = n
        if out >= 0:
            dest[p] = out

"""The pieces of one 1-D step, inlined into the kernels of ``simulate._kernels``.

``gradient_at`` evaluates f' (polynomial, table piece or ``cfunc``),
``clipped_update`` is the paper's update, ``sgd_step`` one step of one path with its
bookkeeping (field, histogram, record), ``field_index`` the field of x. The run and
exit kernels, and the kernels ``simulate.specialise`` generates per formula, call them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


@njit(inline="always")
def field_index(ext, x):
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
def estrin8(c, x):
    """c[0] x^7 + ... + c[7] by Estrin's scheme: 4 dependent multiply-adds
    instead of Horner's 7 (the step is latency bound: 44 vs 32 M steps/s)."""
    x2 = x * x
    x4 = x2 * x2
    lo = (c[7] + c[6] * x) + (c[5] + c[4] * x) * x2
    hi = (c[3] + c[2] * x) + (c[1] + c[0] * x) * x2
    return lo + hi * x4


@njit(inline="always")
def estrin8_at(c, j, t):
    """c[j] t^7 + ... + c[j + 7]: ``estrin8`` on the 8 coefficients from c[j]."""
    t2 = t * t
    t4 = t2 * t2
    lo = (c[j + 7] + c[j + 6] * t) + (c[j + 5] + c[j + 4] * t) * t2
    hi = (c[j + 3] + c[j + 2] * t) + (c[j + 1] + c[j] * t) * t2
    return lo + hi * t4


@njit(inline="always")
def no_cell(coef, mode):
    """The piece state before the first step: (first coefficient, lo, hi, centre) with
    an empty [lo, hi), so the first step locates x; a valid index for memory safety."""
    base = np.int64(coef[3]) if mode == 3 else np.int64(0)
    return base, INF, -INF, 0.0


@njit
def locate(t, x):
    """The piece of the table ``t`` (``simulate.table``) holding x: B[j] <= x < B[j + 1]
    (the first and last pieces open to the outside). Runs only when x leaves its piece."""
    n = np.int64(t[2])
    j = np.int64((x + t[1]) * t[0]) if abs(x) < INF else np.int64(0)   # NaN, inf: piece 0
    j = min(max(j, np.int64(0)), n - 1)
    while j > 0 and x < t[4 + j]:
        j -= 1
    while j < n - 1 and x >= t[5 + j]:
        j += 1
    lo = t[4 + j] if j > 0 else -INF
    hi = t[5 + j] if j < n - 1 else INF
    return np.int64(t[3]) + 8 * j, lo, hi, 0.5 * (t[4 + j] + t[5 + j])


@njit(inline="always")
def next_piece(t, x, base, lo, hi):
    """The piece state for x, which left the piece (base, lo, hi): the neighbour
    it moved into, inline (most moves), else ``locate`` (a call: a call on the
    common path cost a third of the step rate)."""
    first = np.int64(t[3])
    n = np.int64(t[2])
    j = (base - first) >> 3
    if x < lo:
        if j > 0 and x >= t[3 + j]:          # into piece j - 1 = [B[j - 1], B[j])
            j -= 1
            return base - 8, (t[4 + j] if j > 0 else -INF), lo, 0.5 * (t[4 + j] + lo)
    elif j < n - 1 and x < t[6 + j]:         # into piece j + 1 = [B[j + 1], B[j + 2])
        j += 1
        return base + 8, hi, (t[5 + j] if j < n - 1 else INF), 0.5 * (hi + t[5 + j])
    return locate(t, x)


@njit(inline="always")
def gradient_at(fn, coef, mode, x, cell):
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
        return estrin8(coef, x), cell
    if mode == 3:
        base, lo, hi, cen = cell
        if x < lo or x >= hi:
            base, lo, hi, cen = next_piece(coef, x, base, lo, hi)
        return estrin8_at(coef, base, x - cen), (base, lo, hi, cen)
    if mode == 2:
        g = coef[0]
        for k in range(1, coef.shape[0]):
            g = g * x + coef[k]
        return g, cell
    return fn(x), cell


@njit(inline="always")
def clipped_update(x, g, z, eta, b, L):
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
def sgd_step(g, z, eta, b, L, ext, p, x, f, lo, hi, n, n_enter, c, hk, hc,
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
    if not (abs(g) < INF):
        err_step[p] = n + 1
        err_x[p] = x
        return False, x, f, lo, hi, n, n_enter, c, hk, hc
    x = clipped_update(x, g, z, eta, b, L)
    n += 1
    if x < lo or x >= hi:               # left the field: find where it landed
        nf = field_index(ext, x)
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

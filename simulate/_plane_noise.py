"""The isotropic noise of the 2-D kernels (THEORY.md section 10), apart from
``simulate._kernels_plane`` (which re-exports it).

Z = scale |W| (cos t, sin t): W is the 1-D draw of the family
(``simulate.rng.fill_noise``, stream 2 s of the path) and the angle
t = 2 pi q - pi from one xoshiro256** output of the path's direction stream
(2 s + 1) per step (``fill_directions``). Each stream consumes exactly the draws
its steps need, so results do not depend on how a run is sliced or on the thread
count.
"""

from __future__ import annotations

import math

from numba import njit

from .rng import NONE, fill_noise, unit_open1, xoshiro_next

_HALF_PI = 0.5 * math.pi


@njit(inline="always")
def sincos_quarter(p):
    """(sin p, cos p) for |p| <= pi / 4 by their Taylor polynomials (to p^15, p^16:
    error below 2e-16), branch free so a block vectorises."""
    z = p * p
    s = 1.0 / 1307674368000.0
    s = s * z - 1.0 / 6227020800.0
    s = s * z + 1.0 / 39916800.0
    s = s * z - 1.0 / 362880.0
    s = s * z + 1.0 / 5040.0
    s = s * z - 1.0 / 120.0
    s = s * z + 1.0 / 6.0
    s = 1.0 - s * z
    c = 1.0 / 20922789888000.0
    c = c * z - 1.0 / 87178291200.0
    c = c * z + 1.0 / 479001600.0
    c = c * z - 1.0 / 3628800.0
    c = c * z + 1.0 / 40320.0
    c = c * z - 1.0 / 720.0
    c = c * z + 1.0 / 24.0
    c = c * z - 0.5
    c = c * z + 1.0
    return p * s, c


@njit(inline="always")
def fill_directions(st, p, rb, ub, vb, m):
    """(cos t, sin t) with t = 2 pi q - pi, q = (r >> 12) / 2^52 uniform on [0, 1),
    one output r of path p's direction stream ``st`` per step, into ub, vb[:m].

    sin and cos of t / 4 by polynomial, then the double-angle formulas twice:
    no libm call and no branch, so the transform vectorises.
    """
    s0 = st[p, 0]
    s1 = st[p, 1]
    s2 = st[p, 2]
    s3 = st[p, 3]
    for i in range(m):                       # serial: the generator
        r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        rb[i] = r
    st[p, 0] = s0
    st[p, 1] = s1
    st[p, 2] = s2
    st[p, 3] = s3
    for i in range(m):                       # independent: vectorised
        q = unit_open1(rb[i])
        sn, cs = sincos_quarter((q - 0.5) * _HALF_PI)
        sn, cs = 2.0 * sn * cs, 1.0 - 2.0 * sn * sn
        ub[i] = 1.0 - 2.0 * sn * sn
        vb[i] = 2.0 * sn * cs


@njit(inline="always")
def fill_plane_noise(fam, a, scale, wst, dst, p, zb, rb, ub, vb, zx, zy, m):
    """Write m isotropic draws Z = W (cos t, sin t) of path p into zx, zy[:m]."""
    fill_noise(fam, a, scale, wst, p, zb, rb, m)
    if fam == NONE:
        for i in range(m):
            zx[i] = 0.0
            zy[i] = 0.0
        return
    fill_directions(dst, p, rb, ub, vb, m)
    for i in range(m):
        zx[i] = zb[i] * ub[i]
        zy[i] = zb[i] * vb[i]

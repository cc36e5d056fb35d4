"""Per-path random streams and the noise draws.

Every path (or exit-time sample) owns an explicit xoshiro256** state of
four uint64 words, seeded by splitmix64 from ``(seed, stream, path)``.
Results therefore do not depend on the number of threads or on how a run
is cut into chunks: a path consumes exactly the draws its steps need, and
its state persists between calls.

Stream layout (the slow reference in ``tests/support/naive_simulate.py``
re-implements it in pure Python):

* ``seed_state(seed, stream, path)``: ``z = seed * G + (stream + 1) * H +
  (path + 1) * K`` (mod 2**64), then four splitmix64 outputs from ``z``.
* A 64-bit output ``r`` gives a uniform ``u = 1 - (r >> 12) / 2**52`` in
  (0, 1] (``unit_open0``) or ``u = (r >> 12) / 2**52`` in [0, 1).
* ``pareto``   1 draw:  W = u**(-1/alpha) - 1, sign from bit 0 of r,
  Z = scale * sign * W (symmetric Lomax = Pareto type II; the paper's noise).
* ``pareto1``  1 draw:  W = u**(-1/alpha) (Pareto type I, W >= 1), sign from
  bit 0 of r, Z = scale * sign * W (the random sign makes the mean zero).
* ``gaussian`` Marsaglia's polar method: draws u, v uniform on (-1, 1)
  (2 draws per try) until 0 < s = u^2 + v^2 < 1; f = sqrt(-2 log s / s);
  u f is returned now and v f kept as the path's spare for its next step
  (state words 4 and 5), times sigma.
* ``student-t`` 2 draws per try: Bailey's polar method (exact), times scale.
* ``stable``   2 draws: Chambers-Mallows-Stuck, beta = 0, times scale.
* ``uniform``  1 draw:  scale * (2 v - 1).
* ``none``     no draw.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import config
from ._jit import JIT, ONE_BITS, f64_as_i64, fast_exp, fast_log, i64_as_f64

U64 = np.uint64
_G = U64(0x9E3779B97F4A7C15)
_H = U64(0xD1B54A32D192ED03)
_K = U64(0xCA5A826395121157)

FAMILY_CODES = {name: i for i, name in enumerate(config.FAMILIES)}
PARETO, PARETO1, GAUSSIAN, STUDENT_T, STABLE, UNIFORM, NONE = (
    FAMILY_CODES[f] for f in ("pareto", "pareto1", "gaussian", "student-t", "stable", "uniform",
                              "none")
)


@njit(inline="always")
def _splitmix(z):
    z = z + U64(0x9E3779B97F4A7C15)
    r = z
    r = (r ^ (r >> U64(30))) * U64(0xBF58476D1CE4E5B9)
    r = (r ^ (r >> U64(27))) * U64(0x94D049BB133111EB)
    return z, r ^ (r >> U64(31))


@njit(**JIT)
def _seed_states(seed, stream, first, out):
    """Fill out[p] with the state of path ``first + p`` of ``(seed, stream)``."""
    base = U64(seed) * _G + (U64(stream) + U64(1)) * _H
    for p in range(out.shape[0]):
        z = base + (U64(first + p) + U64(1)) * _K
        out[p, 4] = 0
        out[p, 5] = 0
        for k in range(4):
            z, r = _splitmix(z)
            out[p, k] = r


#: state words per path: xoshiro256** s0..s3, Gaussian spare flag, spare bits
STATE_WORDS = 6


def seed_states(seed: int, paths: int, *, stream: int = 0, first: int = 0) -> np.ndarray:
    """Generator states, shape (paths, 6) uint64, of paths first..first+paths-1.

    Words 0-3 are xoshiro256**'s state, words 4-5 the Gaussian spare.
    """
    out = np.zeros((paths, STATE_WORDS), dtype=np.uint64)
    _seed_states(int(seed), int(stream), int(first), out)
    return out


@njit(inline="always")
def _rotl(x, k):
    return (x << U64(k)) | (x >> U64(64 - k))


@njit(inline="always")
def unit_open0(r):
    """u in (0, 1] from the top 52 bits of r (exact: 1 - (r >> 12) / 2**52)."""
    return 2.0 - i64_as_f64(np.int64(r >> U64(12)) | ONE_BITS)


@njit(inline="always")
def unit_open1(r):
    """v in [0, 1) from the top 52 bits of r (exact: (r >> 12) / 2**52)."""
    return i64_as_f64(np.int64(r >> U64(12)) | ONE_BITS) - 1.0


@njit(inline="always")
def xoshiro_next(s0, s1, s2, s3):
    """xoshiro256** on a state held in locals: (output, new state words)."""
    r = _rotl(s1 * U64(5), 7) * U64(9)
    t = s1 << U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return r, s0, s1, s2, s3


@njit(inline="always")
def _polar_point(s0, s1, s2, s3):
    """A uniform point (u, v) of the open unit disc minus the centre, by rejection
    (Marsaglia's polar method): (u, v, u^2 + v^2, new state words)."""
    while True:
        r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        u = 2.0 * unit_open1(r) - 1.0
        r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
        v = 2.0 * unit_open1(r) - 1.0
        w = u * u + v * v
        if 0.0 < w < 1.0:
            return u, v, w, s0, s1, s2, s3


@njit(inline="always", error_model="numpy")
def fill_noise(fam, a, scale, st, p, zb, rb, m):
    """Write m noise draws of path p into zb[:m] (rb: uint64 scratch, >= m).

    ``a`` is the family's alpha (Pareto shape, Student-t df, stable index).
    The generator state is held in locals inside the loops (numba cannot
    prove that the stores to zb do not alias the state array).
    """
    s0 = st[p, 0]
    s1 = st[p, 1]
    s2 = st[p, 2]
    s3 = st[p, 3]
    if fam == PARETO or fam == PARETO1:
        for i in range(m):                       # serial: the generator
            r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
            rb[i] = r
        ia = -1.0 / a
        shift = 1.0 if fam == PARETO else 0.0    # type II (Lomax) = type I - 1
        for i in range(m):                       # independent: vectorised
            r = rb[i]
            u = unit_open0(r)
            z = scale * (fast_exp(fast_log(u) * ia) - shift)
            zb[i] = i64_as_f64(f64_as_i64(z) ^ (np.int64(r) << 63))
    elif fam == GAUSSIAN:
        has = st[p, 4]
        spare = i64_as_f64(np.int64(st[p, 5]))
        for i in range(m):
            if has:
                zb[i] = scale * spare
                has = U64(0)
            else:
                u, v, s, s0, s1, s2, s3 = _polar_point(s0, s1, s2, s3)
                f = math.sqrt(-2.0 * fast_log(s) / s)
                zb[i] = scale * (u * f)
                spare = v * f
                has = U64(1)
        st[p, 4] = has
        st[p, 5] = U64(f64_as_i64(spare))
    elif fam == STUDENT_T:
        for i in range(m):
            u, v, w, s0, s1, s2, s3 = _polar_point(s0, s1, s2, s3)
            zb[i] = scale * u * math.sqrt(a * (w ** (-2.0 / a) - 1.0) / w)
    elif fam == STABLE:
        for i in range(m):
            r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
            v = math.pi * (unit_open1(r) - 0.5)                 # (-pi/2, pi/2)
            r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
            w = -math.log(unit_open0(r))                        # Exp(1)
            if w == 0.0:
                w = 5e-324
            zb[i] = scale * (math.sin(a * v) / math.cos(v) ** (1.0 / a)
                             * (math.cos((1.0 - a) * v) / w) ** ((1.0 - a) / a))
    elif fam == UNIFORM:
        for i in range(m):
            r, s0, s1, s2, s3 = xoshiro_next(s0, s1, s2, s3)
            zb[i] = scale * (2.0 * unit_open1(r) - 1.0)
    else:
        for i in range(m):
            zb[i] = 0.0
    st[p, 0] = s0
    st[p, 1] = s1
    st[p, 2] = s2
    st[p, 3] = s3


@njit(parallel=True, **JIT)
def _draw_kernel(fam, a, scale, st, out):
    P, n = out.shape
    B = config.BLOCK
    for p in prange(P):
        rb = np.empty(B, dtype=np.uint64)
        zb = np.empty(B)
        done = 0
        while done < n:
            m = min(B, n - done)
            fill_noise(fam, a, scale, st, p, zb, rb, m)
            for i in range(m):
                out[p, done + i] = zb[i]
            done += m


def draw_noise(noise, n: int, *, seed: int = 0, paths: int = 1, stream: int = 0,
               states: np.ndarray | None = None) -> np.ndarray:
    """The noise draws Z_1..Z_n the kernels use, shape (paths, n).

    Exactly the stream a simulation of ``paths`` paths with this seed sees
    (path p, stream 0), so tests and the slow reference can reproduce it.
    ``states`` (advanced in place) overrides the seeding.
    """
    from .noise import as_noise

    noise = as_noise(noise)
    if states is None:
        states = seed_states(seed, paths, stream=stream)
    out = np.empty((states.shape[0], int(n)))
    _draw_kernel(FAMILY_CODES[noise.family], noise.alpha_or_nan, noise.scale, states, out)
    return out

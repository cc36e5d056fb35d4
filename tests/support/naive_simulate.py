"""Slow, obviously correct pure-Python references for the simulate kernels.

Same random streams as ``simulate.rng`` (xoshiro256** seeded by splitmix64
from (seed, stream, path)), re-implemented with Python ints, and the
update X <- phi(X - phi(eta (f'(X) - Z), b), L) written out one step at a
time. Noise transforms use ``math`` (not the kernels' inlined log/exp), so
results agree to rounding, not bit for bit.
"""

from __future__ import annotations

import bisect
import math

M64 = (1 << 64) - 1
G, H, K = 0x9E3779B97F4A7C15, 0xD1B54A32D192ED03, 0xCA5A826395121157


def splitmix(z: int) -> tuple[int, int]:
    z = (z + 0x9E3779B97F4A7C15) & M64
    r = z
    r = ((r ^ (r >> 30)) * 0xBF58476D1CE4E5B9) & M64
    r = ((r ^ (r >> 27)) * 0x94D049BB133111EB) & M64
    return z, r ^ (r >> 31)


def seed_state(seed: int, path: int, stream: int = 0) -> list[int]:
    z = (seed * G + (stream + 1) * H + (path + 1) * K) & M64
    out = []
    for _ in range(4):
        z, r = splitmix(z)
        out.append(r)
    return out


def rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & M64


class Xoshiro:
    """xoshiro256** (Blackman & Vigna), one 64-bit output per call."""

    def __init__(self, seed: int, path: int, stream: int = 0):
        self.s = seed_state(seed, path, stream)
        self.spare = None        # the Gaussian polar method's second normal

    def next(self) -> int:
        s = self.s
        r = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return r

    def u_open0(self) -> float:          # (0, 1]
        return 1.0 - (self.next() >> 12) / 2.0**52

    def u_open1(self) -> float:          # [0, 1)
        return (self.next() >> 12) / 2.0**52


def draw(gen: Xoshiro, family: str, alpha, scale: float) -> float:
    """One noise draw, consuming the generator exactly like the kernels."""
    if family in ("pareto", "pareto1"):
        r = gen.next()
        u = 1.0 - (r >> 12) / 2.0**52
        w = u ** (-1.0 / alpha) - (1.0 if family == "pareto" else 0.0)
        return -scale * w if r & 1 else scale * w
    if family == "gaussian":
        if gen.spare is not None:
            z, gen.spare = gen.spare, None
            return scale * z
        while True:
            u = 2.0 * gen.u_open1() - 1.0
            v = 2.0 * gen.u_open1() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                break
        f = math.sqrt(-2.0 * math.log(s) / s)
        gen.spare = v * f
        return scale * u * f
    if family == "student-t":
        while True:
            u = 2.0 * gen.u_open1() - 1.0
            v = 2.0 * gen.u_open1() - 1.0
            w = u * u + v * v
            if 0.0 < w < 1.0:
                break
        return scale * u * math.sqrt(alpha * (w ** (-2.0 / alpha) - 1.0) / w)
    if family == "stable":
        v = math.pi * (gen.u_open1() - 0.5)
        w = -math.log(gen.u_open0()) or 5e-324
        a = alpha
        return scale * (math.sin(a * v) / math.cos(v) ** (1.0 / a)
                        * (math.cos((1.0 - a) * v) / w) ** ((1.0 - a) / a))
    if family == "uniform":
        return scale * (2.0 * gen.u_open1() - 1.0)
    if family == "none":
        return 0.0
    raise ValueError(family)


def draws(family, alpha, scale, n, *, seed=0, path=0, stream=0) -> list[float]:
    gen = Xoshiro(seed, path, stream)
    return [draw(gen, family, alpha, scale) for _ in range(n)]


def horner(coefs, x: float) -> float:
    """Polynomial with coefficients highest degree first."""
    g = 0.0
    for c in coefs:
        g = g * x + float(c)
    return g


def phi(w: float, c: float) -> float:
    return min(max(w, -c), c)


def field_of(bounds, x) -> int:
    """Omega_i = [s_i, s_{i+1}) (a maximum belongs to the field on its right)."""
    return bisect.bisect_right(bounds, x)


def run(grad, L, eta, family, alpha, scale, *, b=math.inf, x0s, steps, seed=0,
        bounds=(), record_every=1, hist_bins=0):
    """Every path step by step. Returns a dict of the same views a Simulation has."""
    len(x0s)
    n = len(bounds) + 1
    out = {"x": [], "traj": [], "hist": [0] * hist_bins, "field_steps": [0] * n,
           "trans": [[0] * n for _ in range(n)], "error": None}
    for p, x in enumerate(x0s):
        gen = Xoshiro(seed, p)
        f = field_of(bounds, x)
        rec = [x]
        for k in range(1, steps + 1):
            g = grad(x)
            if not math.isfinite(g):
                out["error"] = (p, k, x)
                break
            z = draw(gen, family, alpha, scale)
            x = phi(x - phi(eta * (g - z), b), L)
            nf = field_of(bounds, x)
            if nf != f:
                out["trans"][f][nf] += 1
                f = nf
            out["field_steps"][f] += 1
            if hist_bins:
                i = min(max(int((x + L) * hist_bins / (2 * L)), 0), hist_bins - 1)
                out["hist"][i] += 1
            if k % record_every == 0:
                rec.append(x)
        out["x"].append(x)
        out["traj"].append(rec)
    return out


def exit_time(grad, L, eta, family, alpha, scale, *, b=math.inf, x0, bounds, seed=0,
              sample=0, stream=0, max_steps=10**6):
    """(steps to leave the field of x0, 0-based destination field or -1)."""
    gen = Xoshiro(seed, sample, stream)
    f0 = field_of(bounds, x0)
    x = x0
    for k in range(1, max_steps + 1):
        z = draw(gen, family, alpha, scale)
        x = phi(x - phi(eta * (grad(x) - z), b), L)
        if field_of(bounds, x) != f0:
            return k, field_of(bounds, x)
    return max_steps, -1

"""Slow, obviously correct pure-Python reference for the 2-D kernels (simulate.plane).

Same random streams as the kernels: |W| and its sign from the 1-D draw of the
family on stream 2 s (``tests.support.naive_simulate.draw``), the direction from
stream 2 s + 1: one 64-bit output r per try, u and v from its two 32-bit
halves, accepted when u^2 + v^2 < 1. One step at a time::

    v = eta (grad f(X) - Z);  v <- min(1, b / |v|) v;  X <- X - v;  X <- min(1, R / |X|) X

Fields, "near" sets and histogram bins by plain Python arithmetic on the
grids. Noise transforms use ``math`` (the kernels use inlined log/exp), so
results agree to rounding, not bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from tests.support.naive_simulate import Xoshiro, draw


def direction(gen: Xoshiro) -> tuple[float, float]:
    """(cos t, sin t), t = 2 pi q - pi, q = (r >> 12) / 2^52: one output per step."""
    t = 2.0 * math.pi * gen.u_open1() - math.pi
    return math.cos(t), math.sin(t)


def noise(family, alpha, scale, n, *, seed=0, path=0, stream=0) -> list[tuple[float, float]]:
    """The first n isotropic draws (Z_x, Z_y) of a path."""
    wg = Xoshiro(seed, path, 2 * stream)
    dg = Xoshiro(seed, path, 2 * stream + 1)
    out = []
    for _ in range(n):
        w = draw(wg, family, alpha, scale)
        if family == "none":
            out.append((0.0, 0.0))
            continue
        c, s = direction(dg)
        out.append((w * c, w * s))
    return out


def shrink(vx: float, vy: float, c: float) -> tuple[float, float]:
    """min(1, c / |v|) v."""
    n = math.hypot(vx, vy)
    if n <= c:
        return vx, vy
    return vx * c / n, vy * c / n


def nearest(v: float, lo: float, hi: float, n: int) -> int:
    """Index of the nearest of n centres linspace(lo, hi, n), clamped."""
    k = math.floor((v - lo) / (hi - lo) * (n - 1) + 0.5)
    return min(max(k, 0), n - 1)


def bin_of(v: float, lo: float, hi: float, n: int) -> int:
    return min(max(math.floor((v - lo) / (hi - lo) * n), 0), n - 1)


def run(grad, labels, nears, extent, *, R, eta, b, family, alpha, scale, x0s, steps, seed=0,
        bins=20, m=None):
    """Every path step by step; the views a PlaneRunResult has (trace: every step).

    ``grad(x, y) -> (gx, gy)``; ``labels`` / ``nears`` the grids the kernel
    uses (already filled outside the ball).
    """
    x_lo, x_hi, y_lo, y_hi = extent
    ny, nx = labels.shape
    m = int(max(labels.max(), nears.max())) + 1 if m is None else m
    out = {"final": [], "trace": [], "trace_fields": [], "hist": np.zeros((bins, bins), int),
           "field_steps": np.zeros(m + 1, int), "near_steps": np.zeros(m + 1, int),
           "trans": np.zeros((m, m), int)}

    def cell(x, y):
        return nearest(y, y_lo, y_hi, ny), nearest(x, x_lo, x_hi, nx)

    for p, (x, y) in enumerate(x0s):
        zs = noise(family, alpha, scale, steps, seed=seed, path=p)
        f = int(labels[cell(x, y)])
        last = f
        trace, fields = [(x, y)], [f]
        for zx, zy in zs:
            gx, gy = grad(x, y)
            vx, vy = shrink(eta * (gx - zx), eta * (gy - zy), b)
            x, y = shrink(x - vx, y - vy, R)
            f = int(labels[cell(x, y)])
            near = int(nears[cell(x, y)])
            if f >= 0:
                if last >= 0 and f != last:
                    out["trans"][last, f] += 1
                last = f
            out["field_steps"][f if f >= 0 else m] += 1
            out["near_steps"][near if near >= 0 else m] += 1
            out["hist"][bin_of(y, y_lo, y_hi, bins), bin_of(x, x_lo, x_hi, bins)] += 1
            trace.append((x, y))
            fields.append(f)
        out["final"].append((x, y))
        out["trace"].append(trace)
        out["trace_fields"].append(fields)
    return out

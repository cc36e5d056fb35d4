"""A slow, obviously correct evaluation of q_{i,j} for l* = 2 (THEORY.md 9), for tests.

Straight from the definition: the first jump u_1 = phi_b(w_1) (density
alpha p u^(-alpha-1) on 0 < |u| < b, atoms p b^-alpha at +-b), the iterate
x(0) = phi_L(m + u_1), then the gradient flow dx/dt = -f'(x) stepped with
classical RK4, and at every time t the mass of second jumps that land in
Omega_j, summed over t (Riemann sum) and over a midpoint grid of u_1. No
change of variables, no reuse of ``landscape.rates``.
"""

from __future__ import annotations

import numpy as np


def _phi(w, c):
    return np.minimum(np.maximum(w, -c), c)


def landing_mass(y: np.ndarray, low: float, high: float, b: float, L: float, alpha: float,
                 p: float = 0.5) -> np.ndarray:
    """nu{w : phi_L(y + phi_b(w)) in (low, high)} for each y, w != 0, by cases."""
    y = np.asarray(y, dtype=float)
    total = np.zeros_like(y)

    def cdf_mass(a, c):          # nu-mass of jump sizes in (a, c), 0 < a, c <= b
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(c > a, p * (a ** -alpha - c ** -alpha), 0.0)

    for sign in (1.0, -1.0):
        # landing point of a jump of size u in this direction: phi_L(y + sign u)
        # continuous part: sizes u in (0, b) with low < phi_L(y + sign u) < high
        if sign > 0:
            a = low - y
            c = high - y
            if high > L:          # landings beyond L stop at L, inside (low, high)
                c = np.full_like(y, np.inf)
        else:
            a = y - high
            c = y - low
            if low < -L:
                c = np.full_like(y, np.inf)
        total += cdf_mass(np.maximum(a, 0.0), np.minimum(c, b))
        # atom at size b
        landing = _phi(y + sign * b, L)
        total += np.where((landing > low) & (landing < high), p * b ** -alpha, 0.0)
    return total


def naive_q_two_jumps(m: float, maxima, L: float, b: float, df, alpha: float, *,
                      grid: int = 400, dt: float = 2e-4, horizon: float = 60.0):
    """q_{i,j} (vector over fields j) for a field with l* = 2, by brute force."""
    bounds = [-np.inf] + sorted(maxima) + [np.inf]
    n = len(bounds) - 1
    own = int(np.searchsorted(sorted(maxima), m))
    p = 0.5
    # midpoint grid of first-jump sizes in (0, b), both directions, plus the atoms
    edges = np.linspace(0.0, b, grid + 1)
    mids = 0.5 * (edges[:-1] + edges[1:])
    with np.errstate(divide="ignore"):
        cell_mass = p * (np.where(edges[:-1] > 0, edges[:-1], np.inf) ** -alpha
                         - edges[1:] ** -alpha)
    cell_mass[0] = 0.0   # the first cell (tiny jumps) cannot lead out in two jumps
    sizes = np.concatenate((mids, [b]))
    weights = np.concatenate((cell_mass, [p * b ** -alpha]))
    starts = np.concatenate((_phi(m + sizes, L), _phi(m - sizes, L)))
    weights = np.concatenate((weights, weights))
    x = starts.copy()
    result = np.zeros(n)
    steps = int(horizon / dt)

    def flow(v):
        return -df(v)

    for step in range(steps):
        added = np.zeros(n)
        for j in range(n):
            if j != own:
                added[j] = dt * np.sum(weights * landing_mass(x, bounds[j], bounds[j + 1], b,
                                                              L, alpha))
        result += added
        if step > 0 and not added.any():
            break   # the flow only moves towards m: no later time contributes either
        k1 = flow(x)
        k2 = flow(x + 0.5 * dt * k1)
        k3 = flow(x + 0.5 * dt * k2)
        k4 = flow(x + dt * k3)
        x = x + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return result

"""The theory's exit-time scale, used to size a study's step caps and chunks (THEORY 5, 9).

For heavy-tailed noise the mean first exit from a field with jump number
l* is about 1 / (q lambda(eta)) steps, with
lambda(eta) = H(1/eta) (H(1/eta) / eta)^(l* - 1) and H(x) = P(|Z| > x).
The constant q is not computed here (it needs the l*-jump path integrals of
THEORY 9), so the cap is a generous multiple of 1 / lambda: a cell whose
q is far below 1 may still see censored samples, and every row records it.
"""

from __future__ import annotations

import math

from . import config

#: Step cap = CAP_FACTOR / lambda(eta): P(censored) ~ exp(-CAP_FACTOR q), tiny unless q << 1.
CAP_FACTOR = 100.0
#: The cap never goes below this (moderate eta: the asymptotics are loose there).
MIN_CAP = 1_000_000


def tail_probability(noise, x: float) -> float | None:
    """H(x) = P(|Z| > x) of the noise, or None for light-tailed families.

    Pareto (symmetric Lomax, scale s): (1 + x / s)^(-alpha), exact.
    Student-t (df alpha, scale s): 2 t.sf(x / s), exact.
    Symmetric alpha-stable: the tail 2 C_alpha (x / s)^(-alpha),
    C_alpha = Gamma(alpha) sin(pi alpha / 2) / pi (asymptotic).
    """
    a = noise.tail_index
    if a is None:
        return None
    s = noise.scale
    if noise.family == "pareto":
        return (1.0 + x / s) ** (-a)
    if noise.family == "student-t":
        from scipy.stats import t

        return float(2.0 * t.sf(x / s, a))
    c = math.gamma(a) * math.sin(math.pi * a / 2.0) / math.pi
    return min(1.0, 2.0 * c * (x / s) ** (-a))


def exit_rate(noise, eta: float, l_star: int) -> float | None:
    """lambda(eta) = H(1/eta) (H(1/eta)/eta)^(l* - 1) (THEORY 5), or None for light tails."""
    h = tail_probability(noise, 1.0 / eta)
    if h is None or h <= 0:
        return None
    return h * (h / eta) ** (l_star - 1)


def step_cap(noise, eta: float, l_star: int, override: int | None) -> tuple[int, str, float | None]:
    """The per-sample step cap of an exit-times cell.

    Returns
    -------
    (cap, source, theory_scale)
        ``source`` is "spec" when ``override`` is given, "theory" when the cap
        is CAP_FACTOR / lambda(eta) (at least MIN_CAP), else "default"
        (``config.DEFAULT_MAX_EXIT_STEPS``, light-tailed noise).
        ``theory_scale`` = 1 / lambda(eta) or None.
    """
    lam = exit_rate(noise, eta, l_star)
    scale = None if lam is None else 1.0 / lam
    if override is not None:
        return int(override), "spec", scale
    if scale is None or not math.isfinite(scale):
        return config.DEFAULT_MAX_EXIT_STEPS, "default", scale
    return int(min(max(MIN_CAP, CAP_FACTOR * scale), 10**15)), "theory", scale

"""Theorem 1's constants q_{i,j}, q_i and what they predict (THEORY.md 9).

Maths
-----
A jump w of the rescaled noise has the measure nu_alpha(dw) = alpha p_+-
|w|^(-alpha-1) dw (nu(|w| > x) = x^-alpha) and moves the iterate by
phi_b(w): density on 0 < |u| < b plus atoms p_+- b^-alpha at u = +-b. The
l*-jump path from m_i makes jumps at times 0 = t_1 <= ... <= t_l, follows the
gradient flow dx/dt = -f'(x) in between and is truncated to [-L, L] after
every jump. q_{i,j} = mu_i{path ends in Omega_j}, mu_i = nu^l x Lebesgue^(l-1).

* l* = 1 (closed form, ``one_jump_rates``):
  q_{i,j} = nu{w : phi_L(m_i + phi_b(w)) in Omega_j}; for j > i with
  d_lo = s_{j-1} - m_i < b, d_hi = s_j - m_i this is
  p_+ (d_lo^-alpha - d_hi^-alpha 1{d_hi < b}) (the atom at b included; a
  landing beyond L stays in the outermost field).
* l* >= 2: the flow time between jumps is traded for the positions it passes,
  dt = dz / |f'(z)|, and a jump from y carries the flow past z (z beyond y,
  |z - y| <= b) with mass p |z - y|^-alpha. Hence
  q_{i,j} = int ... int prod_k p |z_k - z_{k-1}|^-alpha / |f'(z_k)| E_j(z_{l-1}) dz,
  z_0 = m_i, E_j = the l* = 1 rate from z_{l-1}. Only points z_k from which
  the remaining jumps can still leave (distance to the boundary below
  (l - k) b) contribute, so every integrand is bounded. Two ways to do the
  nested integrals (they agree to 1e-13 on the stand-in for l* = 2, 3):
  ``method="panels"`` (default, ``landscape._grid_paths``): backwards on
  Gauss-Legendre panels split at every kink, vectorised, error = difference
  of two resolutions, l* up to 6, milliseconds; ``method="adaptive"``:
  nested ``scipy.integrate.quad_vec`` (all destinations at once), error = the
  outer estimate plus the integrated inner ones, l* up to 3, seconds.

Every prediction is the eta -> 0 limit (``theory.LIMIT_NOTE``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import config
from .errors import TheoryError
from .tails import tail_balance, tail_index, tail_probability
from .theory import (
    LIMIT_NOTE,
    clip_threshold,
    field_bounds,
    mean_exit_steps,
    structure_for_widths,
    time_scale,
)


def one_jump_rates(position: float, maxima: Sequence[float], b: float, alpha: float,
                   p_plus: float = 0.5, own: int | None = None) -> np.ndarray:
    """nu{w : phi_L(y + phi_b(w)) in Omega_j} for every field j (the l* = 1 closed form).

    Parameters
    ----------
    position : float
        y, inside [-L, L].
    maxima : sequence of float
        s_1 < ... < s_{n-1}; Omega_j = (s_{j-1}, s_j), s_0 = -inf, s_n = inf.
    b : float
        Clipping threshold (inf: none).
    alpha : float
        Tail index, > 1.
    own : int, optional
        0-based field of y; its entry (infinite: small jumps) is set to 0.

    Returns
    -------
    ndarray of shape (n,)
        The truncation to [-L, L] does not change the destination field
        (+-L lie in the outermost fields), so L is not needed.
    """
    bounds = np.concatenate(([-np.inf], np.sort(np.asarray(maxima, dtype=np.float64)), [np.inf]))
    low, high = bounds[:-1], bounds[1:]
    p_minus = 1.0 - p_plus
    rates = np.zeros(low.size)
    for side, p in ((1.0, p_plus), (-1.0, p_minus)):
        near = np.maximum(side * (low - position) if side > 0 else position - high, 0.0)
        far = high - position if side > 0 else position - low
        ok = (far > 0) & (near < b)
        with np.errstate(divide="ignore", invalid="ignore"):
            near_mass = np.where(near > 0, near ** -alpha, np.inf)
            far_mass = np.where((far < b) & (far > 0), far ** -alpha, 0.0)
        rates += np.where(ok, p * (near_mass - far_mass), 0.0)
    if own is not None:
        rates[own] = 0.0
    return rates


@dataclass(kw_only=True, frozen=True)
class ExitRates:
    """q_{i,j} and q_i of every field, with error estimates.

    Attributes
    ----------
    l_star : tuple of int
    q : ndarray (n,)
        q_i = sum_j q_{i,j} (0 for a field with nothing to escape to).
    q_matrix : ndarray (n, n)
        q_{i,j}, zero diagonal.
    errors : ndarray (n,)
        Absolute error estimate of q_i (0 for the closed form).
    alpha, b, L : float
    note : str
        The eta -> 0 caveat.
    """

    l_star: tuple[int, ...]
    q: np.ndarray = field(repr=False)
    q_matrix: np.ndarray = field(repr=False)
    errors: np.ndarray = field(repr=False)
    alpha: float = math.nan
    b: float = math.inf
    L: float = math.inf
    note: str = LIMIT_NOTE

    def destinations(self, i: int) -> np.ndarray:
        """Limiting P(exit from Omega_i lands in Omega_j) = q_{i,j}/q_i (Theorem 1)."""
        if self.q[i] <= 0:
            return np.zeros_like(self.q)
        return self.q_matrix[i] / self.q[i]


def exit_rates(minima: Sequence[float], maxima: Sequence[float], L: float, b,
               df: Callable[[np.ndarray], np.ndarray], alpha: float, *,
               p_plus: float = 0.5, max_l_star: int | None = None,
               method: str = "panels", rtol: float = config.RATES_RTOL) -> ExitRates:
    """Theorem 1's constants for every field.

    Parameters
    ----------
    minima, maxima : sequence of float
        Critical points on [-L, L] (Assumption 1).
    L : float
        Wall: iterates are truncated to [-L, L].
    b : float or None
        Clipping threshold; None / inf / "inf": no clipping.
    df : callable
        f', vectorised over a float array.
    alpha : float
        Tail index of the noise, > 1.
    max_l_star : int, optional
        Fields with a larger l* raise; default ``config.RATES_MAX_L_STAR`` (panels) or
        ``config.RATES_MAX_L_STAR_ADAPTIVE``.
    method : {"panels", "adaptive"}
        How the l* >= 2 integrals are done (module docstring).

    Raises
    ------
    TheoryError
        If a field needs more than ``max_l_star`` jumps or alpha <= 1.
    """
    b = clip_threshold(b)
    if method not in ("panels", "adaptive"):
        raise TheoryError(f"method must be 'panels' or 'adaptive', not {method!r}")
    if max_l_star is None:
        max_l_star = (config.RATES_MAX_L_STAR if method == "panels"
                      else config.RATES_MAX_L_STAR_ADAPTIVE)
    if alpha is None or not alpha > 1:
        raise TheoryError(f"the rates need a tail index alpha > 1, not {alpha!r}")
    structure = structure_for_widths(minima, maxima, b)
    too_many = [i for i, lstar in enumerate(structure.l_star) if lstar > max_l_star]
    if too_many:
        names = ", ".join(f"Omega_{i + 1} (l* = {structure.l_star[i]})" for i in too_many)
        raise TheoryError(
            f"{names} needs more than {max_l_star} jumps to leave; the constants q are "
            f"computed up to l* = {max_l_star} only (choose a larger b)")
    from .config import ASSUMPTION3_REL_TOL

    for i, lstar in enumerate(structure.l_star):
        gap = structure.widths[i] - (lstar - 1) * b if lstar >= 1 else math.inf
        if math.isfinite(b) and gap <= ASSUMPTION3_REL_TOL * b:
            raise TheoryError(
                f"Assumption 3 fails: r_{i + 1}/b = {structure.widths[i] / b:.6g} is (almost) "
                f"the integer {lstar - 1}; q_{i + 1} is singular there (move b away from "
                f"{structure.widths[i] / (lstar - 1):.6g})")
    minima = structure.minima
    maxima = tuple(sorted(maxima))
    n = len(minima)
    q_matrix = np.zeros((n, n))
    errors = np.zeros(n)
    for i in range(n):
        lstar = structure.l_star[i]
        if lstar == 0:
            continue
        if lstar == 1:
            q_matrix[i] = one_jump_rates(minima[i], maxima, b, alpha, p_plus, own=i)
        elif method == "panels":
            q_matrix[i], errors[i] = _panel_rates(i, minima[i], structure.left[i],
                                                  structure.right[i], maxima, L, b, df, alpha,
                                                  p_plus, lstar)
        else:
            path = _JumpPaths(i, minima[i], structure.left[i], structure.right[i], maxima,
                              L, b, df, alpha, p_plus, lstar, rtol)
            q_matrix[i], error = path.rates()
            errors[i] = float(np.sum(error))
    return ExitRates(l_star=structure.l_star, q=q_matrix.sum(axis=1), q_matrix=q_matrix,
                     errors=errors, alpha=float(alpha), b=b, L=float(L))


def _panel_rates(index, minimum, left, right, maxima, L, b, df, alpha, p_plus, l_star):
    """q_{i,j} by ``_grid_paths.GridPaths``, refining the panels while the estimate is poor."""
    from . import _grid_paths

    width = _grid_paths.PANEL_WIDTH
    for _ in range(3):
        paths = _grid_paths.GridPaths(index, minimum, left, right, maxima, L, b, df, alpha,
                                      p_plus, l_star, panel_width=width)
        rates, error = paths.rates()
        if error.sum() <= config.RATES_PANEL_RTOL * max(rates.sum(), 1e-300):
            break
        width /= 4
    return rates, float(error.sum())


class _JumpPaths:
    """The nested integral over l*-jump paths from m_i (see the module docstring)."""

    def __init__(self, index, minimum, left, right, maxima, L, b, df, alpha, p_plus,
                 l_star, rtol):
        self.index, self.m, self.left, self.right = index, minimum, left, right
        self.maxima, self.L, self.b, self.df = maxima, L, b, df
        self.alpha, self.p_plus, self.l, self.rtol = alpha, p_plus, l_star, rtol
        self.n = len(maxima) + 1
        self.deadline = None
        marks = list(maxima) + [-L, L, minimum]
        self.marks = sorted({s + k * b for s in marks for k in range(-l_star, l_star + 1)})
        self.bounds = [-math.inf, *maxima, math.inf]

    def _pieces(self, k: int, previous: float) -> list[tuple[float, float]]:
        """Where z_k can lie and still matter: near a boundary, one jump from z_{k-1}."""
        reach = (self.l - k) * self.b
        low_all = max(previous - self.b, -self.L)
        high_all = min(previous + self.b, self.L)
        pieces = []
        if self.left is not None:           # near s_{i-1}, left of m
            low = max(low_all, self.left)
            high = min(self.left + reach, self.m, high_all)
            if previous < self.m:           # the flow from z_{k-1} already passes (z_{k-1}, m)
                high = min(high, previous)
            if low < high:
                pieces.append((low, high))
        if self.right is not None:          # near s_i, right of m
            low = max(self.right - reach, self.m, low_all)
            high = min(high_all, self.right)
            if previous > self.m:
                low = max(low, previous)
            if low < high:
                pieces.append((low, high))
        return pieces

    def _kernel(self, previous: float, z: float) -> float:
        p = self.p_plus if z > previous else 1.0 - self.p_plus
        slope = abs(float(self.df(np.array([z], dtype=np.float64))[0]))
        return p * abs(z - previous) ** -self.alpha / slope

    def _level(self, k: int, previous: float) -> np.ndarray:
        """[rates to every field, their error] for paths with k - 1 jumps done from z_{k-1}."""
        if k == self.l:
            return np.concatenate((self._last_jump(previous), np.zeros(self.n)))
        from scipy.integrate import quad_vec

        if time.perf_counter() > self.deadline:
            raise TheoryError(
                f"the integrals for q_{self.index + 1} (l* = {self.l}) did not converge within "
                f"{config.RATES_TIME_BUDGET:g} s; b is probably very close to a breakpoint r/k")
        total = np.zeros(2 * self.n)
        for low, high in self._pieces(k, previous):
            points = [x for x in self.marks if low < x < high] or None
            value, error = quad_vec(lambda z: self._kernel(previous, z) * self._level(k + 1, z),
                                    low, high, epsrel=self.rtol, epsabs=1e-13, norm="max",
                                    points=points)
            total += value
            total[self.n:] += error / self.n     # spread the outer estimate over the entries
        return total

    def _last_jump(self, y: float) -> np.ndarray:
        """``one_jump_rates`` for one point, in plain Python (the innermost, hot loop)."""
        b, alpha, p_plus = self.b, self.alpha, self.p_plus
        out = np.zeros(self.n)
        for j in range(self.n):
            if j == self.index:
                continue
            low, high = self.bounds[j], self.bounds[j + 1]
            if low >= y:            # to the right: sizes in (low - y, high - y)
                near, far, p = low - y, high - y, p_plus
            else:                   # to the left: sizes in (y - high, y - low)
                near, far, p = y - high, y - low, 1.0 - p_plus
            if near < b and near > 0:
                out[j] = p * (near ** -alpha - (far ** -alpha if far < b else 0.0))
        return out

    def rates(self) -> tuple[np.ndarray, np.ndarray]:
        """(q_{i,j} for every j, their absolute error estimates)."""
        self.deadline = time.perf_counter() + config.RATES_TIME_BUDGET
        out = self._level(1, self.m)
        return out[:self.n], out[self.n:]


@dataclass(kw_only=True, frozen=True)
class ExitPrediction:
    """Theorem 1 at a given eta for one field (0-based ``field``).

    ``mean_exit_time`` = 1/(q_i lambda_i(eta)) steps; sigma_i is roughly
    exponential with that mean (``exit_time_cdf``); ``destinations[j]`` =
    q_{i,j}/q_i.
    """

    field: int
    l_star: int
    q: float
    time_scale: float
    mean_exit_time: float
    destinations: np.ndarray = field(repr=False)
    note: str = LIMIT_NOTE

    def exit_time_cdf(self, steps):
        """Predicted P(sigma_i <= steps) = 1 - exp(-q_i lambda_i(eta) steps)."""
        return 1.0 - np.exp(-np.asarray(steps, dtype=np.float64) / self.mean_exit_time)


def predict_exit(rates: ExitRates, i: int, eta: float, noise) -> ExitPrediction:
    """Predicted mean first-exit time, its law and the destinations of field i.

    Parameters
    ----------
    rates : ExitRates
    i : int
        0-based field.
    eta : float
        Learning rate.
    noise : (family, alpha, scale) or an object with those attributes

    Raises
    ------
    TheoryError
        For light-tailed noise (exit times grow like exp(c/eta); Theorem 1
        does not apply).
    """
    from .tails import noise_parameters

    family, alpha, scale = noise_parameters(noise)
    if tail_index(family, alpha) is None:
        raise TheoryError(f"{family} noise is not heavy tailed: exit times grow like "
                          "exp(c/eta) and Theorem 1's rates do not apply")
    if not (isinstance(eta, int | float) and math.isfinite(eta) and eta > 0):
        raise TheoryError(f"eta must be a positive number, not {eta!r}")
    tail = float(tail_probability(family, alpha, scale, 1.0 / eta))
    lam = time_scale(tail, eta, rates.l_star[i])
    q = float(rates.q[i])
    mean = mean_exit_steps(q, rates.l_star[i], tail, eta)
    return ExitPrediction(field=i, l_star=rates.l_star[i], q=q, time_scale=lam,
                          mean_exit_time=mean, destinations=rates.destinations(i))


def tail_balance_of(noise) -> float:
    """p_+ of a noise (1/2 for every supported family)."""
    from .tails import noise_parameters

    return tail_balance(noise_parameters(noise)[0])[0]


__all__ = [
    "ExitPrediction",
    "ExitRates",
    "exit_rates",
    "field_bounds",
    "one_jump_rates",
    "predict_exit",
    "tail_balance_of",
]

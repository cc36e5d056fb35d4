"""Everything the theory predicts for one landscape, noise, b (and eta, x0).

``predict_from_points`` takes plain numbers (critical points, L, b, f', the
noise); ``predict`` is the convenience wrapper for an ``Analysis`` and its
``Landscape``; ``predict_plane`` does the same for a ``PlaneAnalysis`` of
f(x, y) (rates from ``landscape.rates_plane``, THEORY.md 11).
``Prediction.to_json`` is the ``python -m landscape predict`` output (1-based
like the paper; in 2-D each field's entry also has "minimum", "q_error" and,
for a segment, "q_range").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import config
from .chain import (
    ClassChain,
    SmallFieldShare,
    finite_eta_generator,
    limiting_chains,
    mean_exit_steps,
    run_shares,
    small_field_share,
    time_average_law,
)
from .errors import TheoryError
from .rates import ExitPrediction, ExitRates, exit_rates, predict_exit
from .tails import noise_parameters, tail_balance, tail_index, tail_probability
from .theory import LIMIT_NOTE, CommunicatingClass, clip_threshold, structure_for_widths


@dataclass(kw_only=True, frozen=True)
class Prediction:
    """Theorem 1's rates, the exits at eta and the limiting chain of every class.

    Attributes
    ----------
    rates : ExitRates
    exits : tuple of ExitPrediction, or None without eta
    classes : tuple of CommunicatingClass
    chains : tuple of ClassChain
        One per class, same order.
    start_field : int or None
        0-based field of x0.
    initial : ndarray or None
        pi_G(m_k) over the large minima of the start's class.
    field_minima : tuple or None
        2-D only (``predict_plane``): each field's minimiser set as in the
        JSON, ``[x, y]`` or ``{"segment": [[x1, y1], [x2, y2]]}``; then
        ``minima`` holds the same and ``maxima`` is empty.
    """

    minima: tuple[float, ...]
    maxima: tuple[float, ...]
    L: float
    b: float
    noise: tuple[str, float | None, float]
    eta: float | None
    rates: ExitRates
    exits: tuple[ExitPrediction, ...] | None
    classes: tuple[CommunicatingClass, ...]
    chains: tuple[ClassChain, ...]
    start_field: int | None = None
    initial: np.ndarray | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()
    note: str = LIMIT_NOTE
    field_minima: tuple | None = None

    @property
    def start_chain(self) -> ClassChain | None:
        """The limiting chain of the start's class (None without x0)."""
        if self.start_field is None:
            return None
        return next(c for c in self.chains if self.start_field in c.members)

    def tail_at_inverse_eta(self, eta: float | None = None) -> float:
        """H(1/eta) of the noise (default: the prediction's eta)."""
        eta = self.eta if eta is None else eta
        if eta is None:
            raise TheoryError("a learning rate eta is needed for time scales")
        family, alpha, scale = self.noise
        return float(tail_probability(family, alpha, scale, 1.0 / eta))

    def run_shares(self, steps: float, eta: float | None = None) -> dict[int, float]:
        """Predicted share of a run of ``steps`` steps from x0 at each wide minimum.

        Average over the run of the limiting chain's law started at pi_G(x0),
        on the time scale 1/lambda_G(eta). Keys are 0-based fields.
        """
        chain = self.start_chain
        if chain is None:
            raise TheoryError("a start point x0 is needed for the shares of a run")
        eta = self.eta if eta is None else eta
        duration = steps * chain.time_scale(self.tail_at_inverse_eta(eta), eta)
        shares = run_shares(chain, self.initial, duration)
        return {i: float(v) for i, v in zip(chain.large, shares, strict=True)}

    def finite_run_shares(self, steps: float, eta: float | None = None) -> np.ndarray:
        """Predicted share of a run of ``steps`` steps from x0 in every field, at this eta
        (``chain.finite_eta_generator``: e^{Q t} averaged over the run; no eta -> 0 limit)."""
        if self.start_field is None:
            raise TheoryError("a start point x0 is needed for the shares of a run")
        eta = self.eta if eta is None else eta
        generator = finite_eta_generator(self.rates.q_matrix, self.rates.l_star,
                                         self.tail_at_inverse_eta(eta), eta)
        start = np.zeros(generator.shape[0])
        start[self.start_field] = 1.0
        return time_average_law(generator, start, steps)

    def time_scales(self, eta: float | None = None) -> tuple[float, float]:
        """(mean exit steps of the start's field, 1/lambda_G(eta) of its class): the steps a
        run needs before the eta -> 0 shares apply."""
        chain = self.start_chain
        if chain is None:
            raise TheoryError("a start point x0 is needed for the time scales of a run")
        eta = self.eta if eta is None else eta
        tail = self.tail_at_inverse_eta(eta)
        k = self.start_field
        leave = mean_exit_steps(float(self.rates.q[k]), self.rates.l_star[k], tail, eta)
        return leave, 1.0 / chain.time_scale(tail, eta)

    def small_field_share(self, eta: float, chain_index: int = 0) -> SmallFieldShare:
        """Theorem 2 in numbers: share of steps in the small fields of an absorbing class."""
        chain = self.chains[chain_index]
        return small_field_share(chain, self.rates.q_matrix, self.rates.l_star,
                                 self.tail_at_inverse_eta(eta), eta)

    def to_json(self) -> dict:
        """The CLI JSON (1-based fields; ``stationary`` in the order of ``large``)."""
        fields = []
        for i, lstar in enumerate(self.rates.l_star):
            ratios = self.rates.destinations(i)
            exit_ = self.exits[i] if self.exits is not None else None
            fields.append({
                "field": i + 1, "l_star": lstar, "q": float(self.rates.q[i]),
                "destinations": {str(j + 1): float(ratios[j])
                                 for j in range(len(ratios)) if j != i},
                "lambda": None if exit_ is None else exit_.time_scale,
                "mean_exit_time": None if exit_ is None else _finite(exit_.mean_exit_time),
            })
            if self.field_minima is not None:
                fields[-1].update(_plane_entry(self.field_minima[i], self.rates, i))
        classes = [{
            "members": [i + 1 for i in chain.members],
            "large": [i + 1 for i in chain.large],
            "absorbing": chain.absorbing,
            "generator": chain.generator.tolist(),
            "killing": chain.killing.tolist(),
            "stationary": None if chain.stationary is None else chain.stationary.tolist(),
        } for chain in self.chains]
        start = None
        if self.start_field is not None:
            chain = self.start_chain
            start = {"field": self.start_field + 1,
                     "initial": {str(i + 1): float(p)
                                 for i, p in zip(chain.large, self.initial, strict=True)}}
        return {"fields": fields, "classes": classes, "start": start, "warnings": list(self.warnings)}


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _plane_entry(minimum, rates, i: int) -> dict:
    """The 2-D additions to a field's entry: minimum, q's error and a segment's range."""
    entry = {"minimum": minimum, "q_error": _finite(float(rates.errors[i]))}
    if isinstance(minimum, dict):
        entry["q_range"] = {"min": float(rates.q_low[i]), "max": float(rates.q_high[i]),
                            "over": "points spread evenly along the segment; q is their mean"}
    return entry


def _heavy_noise(noise) -> tuple[str, float, float]:
    family, alpha, scale = noise_parameters(noise)
    if tail_index(family, alpha) is None:
        raise TheoryError(
            f"{family} noise is not heavy tailed: the iterates stay trapped (exit times grow "
            "like exp(c/eta)) and the rates q, the exit times and the limiting chain of "
            "Theorems 1-5 do not apply; choose pareto, pareto1, student-t or stable "
            "(alpha < 2) noise with alpha > 1")
    if not (math.isfinite(scale) and scale > 0):
        raise TheoryError(f"the noise scale must be a positive number, not {scale!r}")
    return family, float(alpha), scale


def predict_from_points(minima: Sequence[float], maxima: Sequence[float], L: float, b,
                        df: Callable[[np.ndarray], np.ndarray], noise, *,
                        eta: float | None = None, x0: float | None = None,
                        max_l_star: int = config.RATES_MAX_L_STAR) -> Prediction:
    """All predictions from plain numbers.

    Parameters
    ----------
    minima, maxima : sequence of float
        Critical points of f on [-L, L] (Assumption 1 assumed).
    L : float
    b : float or None
        Clipping threshold (None / inf: none).
    df : callable
        f', vectorised.
    noise : (family, alpha, scale) or an object with those attributes
        Must be heavy tailed.
    eta : float, optional
        Learning rate for lambda_i(eta) and the mean exit times.
    x0 : float, optional
        Start point in [-L, L]: its field and pi_G.

    Raises
    ------
    TheoryError
        Light-tailed noise, a field with l* > max_l_star, bad eta or x0.
    """
    b = clip_threshold(b)
    family, alpha, scale = _heavy_noise(noise)
    if not minima:
        raise TheoryError("f has no local minimum on [-L, L]: there are no fields to predict")
    if eta is not None and not (math.isfinite(eta) and eta > 0):
        raise TheoryError(f"eta must be a positive number, not {eta!r}")
    rates = exit_rates(minima, maxima, L, b, df, alpha, p_plus=tail_balance(family)[0],
                       max_l_star=max_l_star)
    structure = structure_for_widths(minima, maxima, b)
    exits = None
    if eta is not None:
        exits = tuple(predict_exit(rates, i, eta, (family, alpha, scale))
                      for i in range(len(structure.minima)))
    chains = limiting_chains(rates.q_matrix, rates.l_star, structure.classes)
    start_field = initial = None
    if x0 is not None:
        if not (math.isfinite(x0) and abs(x0) <= L):
            raise TheoryError(f"x0 = {x0!r} is not in [-L, L] = [{-L:g}, {L:g}]")
        start_field = int(np.searchsorted(np.sort(np.asarray(maxima, dtype=float)), x0,
                                          side="right"))
        chain = next(c for c in chains if start_field in c.members)
        initial = chain.initial(start_field)
    return Prediction(minima=structure.minima, maxima=tuple(sorted(maxima)), L=float(L), b=b,
                      noise=(family, alpha, scale), eta=eta, rates=rates, exits=exits,
                      classes=structure.classes, chains=chains, start_field=start_field,
                      initial=initial)


def predict(analysis, land, noise, *, eta: float | None = None, x0: float | None = None,
            max_l_star: int = config.RATES_MAX_L_STAR) -> Prediction:
    """``predict_from_points`` for a ``landscape.Analysis`` and its ``Landscape``.

    Raises
    ------
    TheoryError
        Also when Assumption 1 fails (the theory's predictions do not apply).
    """
    if not analysis.assumption1_ok:
        raise TheoryError("the theory's predictions do not apply: "
                          + (analysis.assumption1_reason or "Assumption 1 fails"))
    result = predict_from_points(analysis.minima, analysis.maxima, analysis.L, analysis.b,
                                 land.df, noise, eta=eta, x0=x0, max_l_star=max_l_star)
    return Prediction(**{**result.__dict__, "warnings": tuple(analysis.warnings)})


def predict_plane(analysis, noise, *, eta: float | None = None,
                  x0: tuple[float, float] | None = None, **rate_options) -> Prediction:
    """All predictions for f(x, y) from a ``PlaneAnalysis`` (THEORY.md 11).

    Parameters
    ----------
    analysis : landscape.plane_analysis.PlaneAnalysis
    noise : (family, alpha, scale) or an object with those attributes
        Must be heavy tailed; H is the tail of the noise's norm.
    eta : float, optional
    x0 : (x, y), optional
        Start point in the ball: its field and pi_G.
    **rate_options
        Passed to ``landscape.rates_plane.plane_exit_rates``.

    Raises
    ------
    TheoryError
        Light-tailed noise, a field with l* > 2, bad eta or x0, over the time budget.
    """
    from .rates_plane import plane_exit_rates

    family, alpha, scale = _heavy_noise(noise)
    if eta is not None and not (isinstance(eta, int | float) and math.isfinite(eta) and eta > 0):
        raise TheoryError(f"eta must be a positive number, not {eta!r}")
    rates = plane_exit_rates(analysis, alpha, **rate_options)
    n = len(analysis.fields)
    exits = None
    if eta is not None:
        exits = tuple(predict_exit(rates, i, eta, (family, alpha, scale)) for i in range(n))
    chains = limiting_chains(rates.q_matrix, rates.l_star, analysis.classes)
    start_field = initial = None
    if x0 is not None:
        x, y = (float(v) for v in x0)
        start_field = analysis.field_of(x, y) if math.isfinite(x) and math.isfinite(y) else None
        if start_field is None:
            raise TheoryError(f"x0 = ({x:g}, {y:g}) is not in the ball of radius "
                              f"{analysis.R:g}")
        chain = next(c for c in chains if start_field in c.members)
        initial = chain.initial(start_field)
    minima = tuple(f.minimiser.to_json() for f in analysis.fields)
    return Prediction(minima=minima, maxima=(), L=float(analysis.R), b=float(analysis.b),
                      noise=(family, alpha, scale), eta=eta, rates=rates, exits=exits,
                      classes=analysis.classes, chains=chains, start_field=start_field,
                      initial=initial, warnings=tuple(analysis.warnings), field_minima=minima)

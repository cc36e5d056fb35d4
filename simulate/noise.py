"""Noise families Z_n of the update X <- phi(X - phi(eta (f'(X) - Z), b), L)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from landscape.tails import is_heavy_tailed, tail_index

from . import config
from .errors import SimulationError


@dataclass(frozen=True)
class Noise:
    """A noise family and its parameters.

    Parameters
    ----------
    family : str
        ``"pareto"`` (symmetric Pareto type II = Lomax, the paper's 1-D
        heavy tail: Z = scale * U * ((1 - V)^(-1/alpha) - 1)),
        ``"pareto1"`` (symmetric Pareto type I, |Z| >= scale:
        Z = scale * U * (1 - V)^(-1/alpha)), ``"gaussian"``, ``"student-t"``, ``"stable"`` (symmetric
        alpha-stable), ``"uniform"`` or ``"none"`` (plain gradient descent).
    alpha : float or None
        Pareto shape (> 1; both types), Student-t degrees of freedom (> 1) or stable
        index (in (1, 2]). Ignored by the other families.
    scale : float
        Pareto scale (paper: 0.1), Gaussian sigma, Student-t / stable scale,
        uniform half-width. Ignored by ``"none"``.
    """

    family: str
    alpha: float | None = None
    scale: float = 0.1

    def validate(self) -> Noise:
        """Raise :class:`SimulationError` unless the parameters are usable; return self."""
        if self.family not in config.FAMILY_DEFAULTS:
            raise SimulationError(
                f"unknown noise family {self.family!r}; choose one of {', '.join(config.FAMILIES)}")
        if self.family == "none":
            return self
        if not _finite(self.scale) or self.scale <= 0:
            raise SimulationError(f"{self.family} noise needs a scale > 0, got {self.scale!r}")
        if self.family in config.ALPHA_FAMILIES:
            what = {"pareto": "shape alpha", "pareto1": "shape alpha", "student-t": "degrees of freedom (alpha)",
                    "stable": "stability index alpha"}[self.family]
            if self.alpha is None or not _finite(self.alpha):
                raise SimulationError(f"{self.family} noise needs a finite {what}")
            if self.family == "stable":
                if not 1.0 < self.alpha <= 2.0:
                    raise SimulationError(
                        f"stable noise needs alpha in (1, 2] (mean zero), got {self.alpha}")
            elif not 1.0 < self.alpha <= 1e6:
                raise SimulationError(
                    f"{self.family} noise needs {what} > 1 (a finite mean), got {self.alpha}")
        return self

    @property
    def alpha_or_nan(self) -> float:
        """alpha as a float for the kernels (NaN when unused)."""
        return float(self.alpha) if self.alpha is not None else math.nan

    @property
    def tail_index(self) -> float | None:
        """Index of regular variation of P(|Z| > x), or None for light tails
        (``landscape.tails.tail_index``)."""
        return tail_index(self.family, self.alpha)

    @property
    def heavy(self) -> bool:
        """True if the family is heavy tailed with these parameters
        (``landscape.tails.is_heavy_tailed``)."""
        return is_heavy_tailed(self.family, self.alpha)

    @property
    def label(self) -> str:
        """Plain name of the family, e.g. ``"Pareto I"`` (``config.FAMILY_LABELS``)."""
        return config.FAMILY_LABELS[self.family]

    def describe(self) -> str:
        """Short human-readable label, e.g. ``pareto(alpha=1.2, scale=0.1)``."""
        if self.family == "none":
            return "none"
        if self.family in ("gaussian", "uniform"):
            return f"{self.family}(scale={self.scale:g})"
        return f"{self.family}(alpha={self.alpha:g}, scale={self.scale:g})"


def _finite(v) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def make_noise(family: str, alpha: float | None = None, scale: float | None = None) -> Noise:
    """A validated :class:`Noise`, filling unset parameters from the family defaults."""
    if family not in config.FAMILY_DEFAULTS:
        raise SimulationError(
            f"unknown noise family {family!r}; choose one of {', '.join(config.FAMILIES)}")
    d_alpha, d_scale = config.FAMILY_DEFAULTS[family]
    if family in ("gaussian", "uniform", "none"):
        alpha = None
    elif alpha is None:
        alpha = d_alpha
    if scale is None:
        scale = d_scale
    return Noise(family, None if alpha is None else float(alpha), float(scale)).validate()


def as_noise(noise) -> Noise:
    """Accept a :class:`Noise` or a family name; return a validated Noise."""
    if isinstance(noise, Noise):
        return noise.validate()
    if isinstance(noise, str):
        return make_noise(noise)
    raise SimulationError(f"noise must be a Noise or a family name, got {type(noise).__name__}")


#: The paper's heavy-tailed noise: 0.1 * U * Lomax(1.2).
PAPER_HEAVY = Noise("pareto", 1.2, 0.1)
#: The paper's light-tailed reference: N(0, 1).
PAPER_LIGHT = Noise("gaussian", None, 1.0)

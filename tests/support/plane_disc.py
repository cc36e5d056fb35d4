"""The disc landscape of THEORY.md section 11 and a hand-made field map of it (tests)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import landscape
from landscape._plane_points import MinimiserSet
from landscape.theory import jumps

RHO = 0.8


def disc_formula(eps: float, rho: float = RHO) -> str:
    """f = s/2 - s^2/(4 rho^2) + eps (x^2 - y^2)(2 rho^2 - s)/rho^4, s = x^2 + y^2."""
    r2 = rho * rho
    return (f"(x^2+y^2)/2 - (x^2+y^2)^2/({4 * r2!r}) "
            f"+ {eps!r}*(x^2-y^2)*({2 * r2!r} - x^2 - y^2)/{r2 * r2!r}")


@dataclass(frozen=True)
class _Field:
    minimiser: MinimiserSet
    width: float
    l_star: int
    index: int


@dataclass(frozen=True)
class DiscAnalysis:
    """What ``plane_exit_rates`` reads of a ``PlaneAnalysis``, with the exact disc as Omega_1.

    Field 0: the disc |x| < rho around the origin; field 1: the annulus up to
    the wall, where the flow runs outwards (its "minimiser" a wall point).
    """

    landscape: object
    R: float
    b: float
    label_grid: np.ndarray
    fields: tuple


def disc_analysis(eps: float, b: float, R: float = 1.0, grid: int = 151,
                  rho: float = RHO) -> DiscAnalysis:
    land = landscape.load_landscape(disc_formula(eps, rho))
    axis = np.linspace(-R, R, grid)
    gx, gy = np.meshgrid(axis, axis)
    s = gx ** 2 + gy ** 2
    labels = np.where(s < rho * rho, 0, 1).astype(np.int16)
    labels[s > R * R] = -1
    fields = (_Field(MinimiserSet(np.zeros((1, 2)), 0.0), rho, jumps(rho, b), 0),
              _Field(MinimiserSet(np.array([[R, 0.0]]), 0.0, at_wall=True), R - rho, jumps(R - rho, b), 1))
    return DiscAnalysis(land, R, b, labels, fields)

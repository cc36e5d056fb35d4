"""Checks of a claimed minimum of f(x, y) by central differences of f alone.

Independent of the package's gradient and Hessian (only f is evaluated).
"""

import math

import numpy as np


def plane_minimum_check(land, point, h: float = 1e-4) -> tuple[float, float]:
    """(|gradient|, smallest Hessian eigenvalue) of f at ``point`` by central differences."""
    x, y = point

    def f(a, b):
        return float(land.f(a, b))

    gx = (f(x + h, y) - f(x - h, y)) / (2 * h)
    gy = (f(x, y + h) - f(x, y - h)) / (2 * h)
    hxx = (f(x + h, y) - 2 * f(x, y) + f(x - h, y)) / h ** 2
    hyy = (f(x, y + h) - 2 * f(x, y) + f(x, y - h)) / h ** 2
    hxy = (f(x + h, y + h) - f(x + h, y - h) - f(x - h, y + h) + f(x - h, y - h)) / (4 * h * h)
    return math.hypot(gx, gy), float(np.linalg.eigvalsh([[hxx, hxy], [hxy, hyy]])[0])


def lowest_nearby(land, point, step: float) -> bool:
    """True if f at ``point`` is not above f on a circle of 32 points at distance ``step``."""
    angles = np.linspace(0.0, 2 * np.pi, 32, endpoint=False)
    around = land.f(point[0] + step * np.cos(angles), point[1] + step * np.sin(angles))
    return bool(float(land.f(*point)) <= float(np.min(around)))

"""The smoothed loss g(x) = E[f(x - W)] and its one-point convex region (THEORY.md 7)."""

import math

import numpy as np
import pytest
from scipy import integrate

from landscape import TheoryError
from landscape.smoothing import one_point_convex_region, smoothed_loss
from landscape.tails import tail_probability


def square(x):
    return x ** 2


def test_gaussian_smoothing_of_a_parabola_is_exact():
    # E[(x - W)^2] = x^2 + (eta sigma)^2 for W ~ N(0, (eta sigma)^2)
    x = np.linspace(-1, 1, 5)
    g = smoothed_loss(square, x, 0.1, math.inf, ("gaussian", None, 2.0), df=lambda z: 2 * z)
    np.testing.assert_allclose(g.values, x ** 2 + 0.04, rtol=1e-7)
    np.testing.assert_allclose(g.slopes, 2 * x, atol=1e-9)


@pytest.mark.parametrize("family, alpha", [("pareto", 1.2), ("student-t", 1.5),
                                           ("pareto1", 1.3)])
def test_clipped_heavy_smoothing_matches_the_tail_integral(family, alpha):
    """E[W^2] = int_0^b 2 y P(|W| > y) dy with P(|W| > y) = H(y/eta) below the clip."""
    eta, b, scale = 0.01, 0.5, 0.1
    expected, _ = integrate.quad(lambda y: 2 * y * tail_probability(family, alpha, scale,
                                                                    y / eta),
                                 0, b, points=[eta * scale], limit=200)
    g = smoothed_loss(square, np.array([0.0]), eta, b, (family, alpha, scale))
    assert g.values[0] == pytest.approx(expected, rel=2e-3)


def test_unclipped_heavy_expectation_is_refused():
    with pytest.raises(TheoryError, match="exists only if"):
        smoothed_loss(square, np.array([0.0]), 0.01, math.inf, ("pareto", 1.2, 0.1))


def test_no_noise_leaves_f_alone():
    x = np.linspace(-1, 1, 7)
    g = smoothed_loss(np.cos, x, 0.1, 0.5, ("none", None, 0.0))
    np.testing.assert_allclose(g.values, np.cos(x))


def test_one_point_convex_region():
    x = np.linspace(-2, 2, 401)
    # a double well f = (x^2 - 1)^2: toward x* = 1 only the right well and the far left
    # (where -f' points right) qualify; wide uniform noise of half-width 1.5 smooths the
    # barrier away and the whole line becomes one-point convex toward 0
    def well(z):
        return (z ** 2 - 1) ** 2

    def slope(z):
        return 4 * z * (z ** 2 - 1)

    sharp = smoothed_loss(well, x, 1.0, math.inf, ("none", None, 0.0), df=slope)
    region = one_point_convex_region(x, sharp.slopes, 1.0)
    assert region == ((-2.0, pytest.approx(-1.01)), (pytest.approx(0.01), 2.0))
    smooth = smoothed_loss(well, x, 1.0, math.inf, ("uniform", None, 1.5), df=slope)
    assert one_point_convex_region(x, smooth.slopes, 0.0) == ((-2.0, 2.0),)

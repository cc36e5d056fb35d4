"""2-D critical sets against the published minima of standard optimisation test functions.

Published values: Surjanovic and Bingham's virtual library of simulation
experiments (sfu.ca/~ssurjano) for the global minima of Rosenbrock, Booth,
Matyas, Beale, the three- and six-hump camels, McCormick and Goldstein-Price;
Himmelblau's four minima as in ``test_plane_landscape``. Where the library
only gives the number of local minima (six-hump camel: "4 local minima
besides the 2 global ones"; three-hump camel: three minima) the count is
checked, and each point found is checked to be a minimum by finite
differences of f (independent of the package's gradient and Hessian).
McCormick's local minima have a closed form: with u = x + y, v = x - y,
f = sin u + 0.5 u + (v - 1)^2 + ..., so v = 1 and cos u = -1/2, sin u < 0:
u = -2 pi / 3 + 2 pi k. Goldstein-Price's three further local minima
(-0.6, -0.4), (1.8, 0.2), (1.2, 0.8) are the ones the literature gives
(f = 30, 84, 840).
"""

import math

import numpy as np
import pytest

from landscape import AnalysisError, load_landscape
from landscape.plane_analysis import analyze_plane
from tests.support.finite_differences import plane_minimum_check

#: published values have 4-5 significant digits: |found - published| <= this
PUBLISHED_TOL = 1e-4
#: exact published minima (integers, halves): found within this
EXACT_TOL = 1e-6

MCCORMICK = [((1 + u) / 2, (u - 1) / 2) for u in (-2 * math.pi / 3, 4 * math.pi / 3)]

# name: (formula, R, [(published minimum, tolerance)], interior minima, wall points)
CLASSICS = {
    "rosenbrock": ("(1 - x)^2 + 100*(y - x^2)^2", 2.0, [((1.0, 1.0), EXACT_TOL)], 1, 0),
    "booth": ("(x + 2*y - 7)^2 + (2*x + y - 5)^2", 5.0, [((1.0, 3.0), EXACT_TOL)], 1, 0),
    "matyas": ("0.26*(x^2 + y^2) - 0.48*x*y", 5.0, [((0.0, 0.0), EXACT_TOL)], 1, 0),
    "beale": ("(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2", 4.5,
              [((3.0, 0.5), EXACT_TOL)], 1, 2),
    "three-hump camel": ("2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2", 3.0,
                         [((0.0, 0.0), EXACT_TOL)], 3, 0),
    "six-hump camel": ("(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2", 2.2,
                       [((0.0898, -0.7126), PUBLISHED_TOL),
                        ((-0.0898, 0.7126), PUBLISHED_TOL)], 6, 0),
    "mccormick": ("sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1", 4.0,
                  [((-0.54719, -1.54719), PUBLISHED_TOL), (MCCORMICK[0], EXACT_TOL),
                   (MCCORMICK[1], EXACT_TOL)], 2, 1),
    "goldstein-price": (("(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))"
                         "*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))"),
                        2.0, [((0.0, -1.0), EXACT_TOL), ((-0.6, -0.4), EXACT_TOL),
                              ((1.8, 0.2), EXACT_TOL), ((1.2, 0.8), EXACT_TOL)], 4, 0),
    "himmelblau": ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", 6.0,
                   [((3.0, 2.0), EXACT_TOL), ((-2.805118, 3.131312), PUBLISHED_TOL),
                    ((-3.779310, -3.283186), PUBLISHED_TOL),
                    ((3.584428, -1.848126), PUBLISHED_TOL)], 4, 0),
}


@pytest.fixture(scope="module")
def analyses():
    cache = {}

    def get(name):
        if name not in cache:
            formula, R, *_ = CLASSICS[name]
            cache[name] = analyze_plane(load_landscape(formula), R, 1.0)
        return cache[name]

    return get


@pytest.mark.parametrize("name", list(CLASSICS))
def test_minima_match_the_published_ones(name, analyses):
    _, R, published, interior_count, wall_count = CLASSICS[name]
    result = analyses(name)
    assert not any(m.is_segment for m in result.minima), "an isolated minimum is a point"
    interior = [m.points[0] for m in result.minima if not m.at_wall]
    wall = [m.points[0] for m in result.minima if m.at_wall]
    assert len(interior) == interior_count and len(wall) == wall_count
    for point, tolerance in published:
        distance = min(math.dist(point, found) for found in interior)
        assert distance <= tolerance, f"{name}: published {point}, nearest found {distance}"
    for found in interior:                        # every point reported is a real minimum
        slope, lowest = plane_minimum_check(result.landscape, found)
        assert slope <= 1e-5 * max(1.0, abs(float(result.landscape.f(*found))))
        assert lowest > 0
    for found in wall:                            # wall points: on the wall, not minima
        assert math.hypot(*found) == pytest.approx(R, rel=1e-9)
        gx, gy = (float(g) for g in result.landscape.gradient(*found))
        assert found[0] * gx + found[1] * gy < 0  # f decreases outwards there
    assert result.wall_points == (wall_count > 0)


def test_rosenbrock_is_one_point_without_warnings(analyses):
    result = analyses("rosenbrock")
    assert len(result.fields) == 1 and not result.fields[0].minimiser.is_segment
    assert result.warnings == ()
    assert result.fields[0].area_share == 1.0


def test_six_hump_global_minima_have_the_published_value(analyses):
    result = analyses("six-hump camel")
    lowest = sorted(float(m.value) for m in result.minima)[:2]
    assert lowest == pytest.approx([-1.0316, -1.0316], abs=1e-4)


def test_mexican_hat_is_refused_as_a_closed_curve():
    land = load_landscape("(x^2 + y^2 - 1)^2")
    with pytest.raises(AnalysisError, match="closed curve.*outside the theory"):
        analyze_plane(land, 2.0, 1.0)


def test_radial_ring_of_maxima_gives_no_invented_minima():
    """f = r^2/2 - r^4/2.56: a minimum at 0, maxima on r = 0.8, f constant on the wall."""
    land = load_landscape("(x^2+y^2)/2 - (x^2+y^2)^2/2.56")
    inside = analyze_plane(land, 0.7, 1.0)                  # the ring outside the ball
    assert [tuple(m.points[0]) for m in inside.minima] == [(0.0, 0.0)]
    with pytest.raises(AnalysisError, match="wall.*closed curve"):
        analyze_plane(land, 1.5, 1.0)                      # iterates pile up on the whole wall


def test_perturbed_ring_quartic():
    """The ring broken by 0.05 (x^2 - y^2)(1.28 - r^2)/0.4096: maxima on x, saddles on y."""
    land = load_landscape("(x^2+y^2)/2 - (x^2+y^2)^2/2.56 "
                          "+ 0.05*(x^2-y^2)*(1.28 - x^2 - y^2)/0.4096")
    result = analyze_plane(land, 1.5, 1.0)
    interior = [m.points[0] for m in result.minima if not m.at_wall]
    wall = sorted(tuple(m.points[0]) for m in result.minima if m.at_wall)
    np.testing.assert_allclose(interior, [[0.0, 0.0]], atol=1e-9)
    np.testing.assert_allclose(wall, [(-1.5, 0.0), (1.5, 0.0)], atol=1e-6)
    np.testing.assert_allclose(result.saddles, [[0.0, -0.8], [0.0, 0.8]], atol=1e-8)
    np.testing.assert_allclose(result.maxima, [[-0.8, 0.0], [0.8, 0.0]], atol=1e-8)
    assert result.seconds < 30                              # was refused after 10 s


def test_curve_of_maxima_is_one_warning():
    land = load_landscape("-(x^2+y^2-1)^2*(1 + 0.5*x)")
    result = analyze_plane(land, 1.5, 1.0)
    curve = [w for w in result.warnings if "degenerate" in w]
    assert len(curve) == 1 and "circle of radius 1 " in curve[0]
    assert all(math.hypot(*m.points[0]) < 0.9 or m.at_wall for m in result.minima)


@pytest.mark.parametrize(("formula", "R", "minima"), [
    ("max(x, y)", 2.0, []),                      # the flow stalls on the kink x = y: no minimum
    ("x^3 + y^2", 2.0, []),                      # degenerate at 0, f(-t, 0) < 0: no minimum
    ("x^6 + y^6 - x^2*y^2", 2.0,                 # 0 is degenerate and no minimum (f(t, t) < 0)
     [(s * 3 ** -0.5, t * 3 ** -0.5) for s in (-1, 1) for t in (-1, 1)]),
    ("x^4 + y^4", 1.0, [(0.0, 0.0)]),            # degenerate, but a minimum
])
def test_points_where_the_flow_stalls_are_minima_only_if_f_is_lowest_there(formula, R, minima):
    result = analyze_plane(load_landscape(formula), R, 1.0)
    found = [tuple(m.points[0]) for m in result.minima if not m.at_wall]
    assert len(found) == len(minima)
    for expected in minima:
        assert min(math.dist(point, expected) for point in found) < 1e-3


def test_random_polynomials_of_degree_eight_are_analysed():
    """Seeded degree-8 polynomials (bounded below by + r^8): an answer, never a refusal."""
    rng = np.random.default_rng(18)
    for _ in range(3):
        terms = [f"{rng.normal():.3f}*x^{i}*y^{j}" for i in range(9) for j in range(9 - i)
                 if rng.random() < 0.5]
        result = analyze_plane(load_landscape(" + ".join(terms) + " + (x^2 + y^2)^4"), 2.0, 1.0)
        assert result.real_minima >= 1
        assert result.seconds < 30                 # generous: about 0.5 s of CPU each

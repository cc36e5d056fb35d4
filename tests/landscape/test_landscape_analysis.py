"""Critical points, fields and the typical transition graph (THEORY.md 1, 3-5)."""

import math
import threading
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from landscape import (
    PRESETS,
    AnalysisError,
    Landscape,
    X,
    analyze,
    critical_points,
    load_landscape,
    parse_formula,
    structure_for_widths,
)
from landscape import config as landscape_config
from landscape.presets import FIG2_CRITICAL_POINTS, polynomial_from_critical_points
from tests.support.naive_landscape import naive_structure

FIG3_MINIMA = (-0.9, 0.0, 1.2)
FIG3_MAXIMA = (-0.6, 0.9)


def _class_sets(classes):
    return {(tuple(c.members), c.absorbing, tuple(c.large)) for c in classes}


# --------------------------------------------------------------------------
# the paper's worked example (THEORY.md section 4)
# --------------------------------------------------------------------------
def test_fig3_b05_is_irreducible():
    result = analyze(load_landscape("paper-fig3"), 1.6, 0.5)
    assert result.minima == pytest.approx(FIG3_MINIMA, abs=1e-12)
    assert result.maxima == pytest.approx(FIG3_MAXIMA, abs=1e-12)
    assert [f.l_star for f in result.fields] == [1, 2, 1]
    assert result.jump_matrix[1, 0] == result.jump_matrix[1, 2] == result.fields[1].l_star == 2
    assert result.irreducible
    assert len(result.classes) == 1 and result.classes[0].absorbing
    assert result.classes[0].large == (1,)
    assert [f.sharp for f in result.fields] == [True, False, True]
    assert result.assumption1_ok and not result.warnings


def test_fig3_b04_two_classes():
    result = analyze(load_landscape("paper-fig3"), 1.6, 0.4)
    assert result.jump_matrix[1, 0] == 2 == result.fields[1].l_star
    assert result.jump_matrix[1, 2] == 3
    assert not result.irreducible
    assert _class_sets(result.classes) == {((0, 1), True, (1,)), ((2,), False, (2,))}
    data = result.to_json()
    assert data["classes"] == [{"members": [1, 2], "absorbing": True, "large": [2]},
                               {"members": [3], "absorbing": False, "large": [3]}]


def test_fig3_structure_from_widths_alone():
    # m_2 - s_1 = 0.6, s_2 - m_2 = 0.9 as in the paper
    structure = structure_for_widths([-0.9, 0.0, 1.2], [-0.6, 0.9], 0.4)
    assert structure.l_star == (1, 2, 1)
    assert set(structure.edges) == {(0, 1), (1, 0), (2, 1)}


# --------------------------------------------------------------------------
# the Fig. 2 polynomial stand-in (the appendix formula: test_landscape_presets.py)
# --------------------------------------------------------------------------
def test_fig2_standin_critical_points():
    preset = PRESETS["paper-fig2-standin"]
    land = parse_formula(preset.source)
    points = critical_points(land, preset.L)
    expected = [float(Fraction(p)) for p in FIG2_CRITICAL_POINTS]
    assert points.minima == pytest.approx(expected[::2], abs=1e-9)
    assert points.maxima == pytest.approx(expected[1::2], abs=1e-9)
    assert points.method == "exact" and points.assumption1_ok


def test_fig2_standin_formula_is_exact():
    land = load_landscape("paper-fig2-standin")
    exact = 5 * sympy.prod([X - sympy.Rational(p) for p in FIG2_CRITICAL_POINTS])
    assert sympy.expand(land.dexpr - exact) == 0


@pytest.mark.parametrize("key", ["paper-fig2", "paper-fig2-standin"])
def test_fig2_structure_and_exponents(key):
    result = analyze(load_landscape(key), 1.6, 0.5, alpha=1.2)
    assert [f.l_star for f in result.fields] == [1, 2, 1, 2]
    assert result.irreducible
    assert result.classes[0].large == (1, 3)          # m_2 and m_4 are the wide ones
    assert result.exit_exponents == pytest.approx((1.2, 1.4, 1.2, 1.4))
    assert result.fields[0].curvature > 0 and result.fields[2].sharp


def test_fig2_numeric_path_agrees(monkeypatch):
    monkeypatch.setattr(landscape_config, "USE_EXACT_WORKER", False)
    land = Landscape("fig2-numeric", "sketch", load_landscape("paper-fig2-standin").expr)
    points = critical_points(land, 1.6)
    expected = [float(Fraction(p)) for p in FIG2_CRITICAL_POINTS]
    assert points.method == "numeric"
    assert points.minima + points.maxima == pytest.approx(expected[::2] + expected[1::2],
                                                          abs=1e-9)


def test_exact_worker_timeout_falls_back_to_numeric(monkeypatch):
    monkeypatch.setattr(landscape_config, "EXACT_TIMEOUT", 1e-6)
    points = critical_points(parse_formula("x^4/4 - x^2/2 + x/17"), 2.0)
    assert points.method == "numeric" and len(points.minima) == 2


# --------------------------------------------------------------------------
# b = inf, alpha, parameters
# --------------------------------------------------------------------------
def test_no_clipping_gives_l_star_one_and_beta_alpha():
    result = analyze(load_landscape("paper-fig2"), 1.6, math.inf, alpha=1.5)
    assert all(f.l_star == 1 for f in result.fields)
    assert result.exit_exponents == pytest.approx((1.5,) * 4)
    assert result.irreducible
    assert len(result.edges) == 12          # every l_{i,j} = 1: complete graph
    assert result.to_json()["b"] == "inf"


def test_b_larger_than_2L_matches_no_clipping():
    land = load_landscape("paper-fig2")
    assert analyze(land, 1.6, 3.3).edges == analyze(land, 1.6, math.inf).edges


@pytest.mark.parametrize(("L", "b", "alpha"), [
    (0, 0.5, None), (-1, 0.5, None), (math.inf, 0.5, None), (math.nan, 0.5, None),
    (1.6, 0, None), (1.6, -1, None), (1.6, math.nan, None), (1.6, 0.5, 1.0),
    (1.6, 0.5, math.inf), (1.6, 0.5, "a"), ("x", 0.5, None),
])
def test_bad_parameters(L, b, alpha):
    with pytest.raises(AnalysisError):
        analyze(load_landscape("paper-fig2"), L, b, alpha)


def test_field_of():
    result = analyze(load_landscape("paper-fig2"), 1.6, 0.5)
    assert result.field_of(-1.5) == 0
    assert result.field_of(0.3) == 2
    np.testing.assert_array_equal(result.field_of(np.array([-1.6, -1.0, 0.5, 1.6])),
                                  [0, 1, 2, 3])


# --------------------------------------------------------------------------
# Assumption checks
# --------------------------------------------------------------------------
def test_broken_preset_warns():
    preset = PRESETS["broken-assumption"]
    result = analyze(load_landscape(preset.key), preset.L, preset.b)
    assert not result.assumption1_ok
    text = " ".join(result.warnings)
    assert "touch point" in text and "wall x = -L" in text
    assert result.degenerate == pytest.approx((0.0,), abs=1e-9)


def test_assumption3_warning_near_integer_ratio():
    result = analyze(load_landscape("paper-fig3"), 1.6, 0.3)     # r_1 / b = 1
    assert any("Assumption 3" in w and "r_1" in w for w in result.warnings)
    assert not result.assumption3_ok and result.assumption1_ok
    assert analyze(load_landscape("paper-fig3"), 1.6, 0.4).assumption3_ok


@pytest.mark.parametrize(("text", "fragment"), [
    ("x^4", "degenerate minimum"),
    ("x^3", "no local minimum"),
    ("-x^2", "leftmost critical point is a maximum"),
    ("sin(1e10 x)", "more than"),
    ("log(x)", "undefined or infinite"),
    ("log(x^2)", "undefined or infinite"),
    ("sign(x) * x^2 - x", "not C^2 at x = 0"),
    ("abs(x)", "not C^2 at x = 0"),
    # hinge- and ReLU-shaped losses: named, not crashed on
    ("max(0, 1 - x)", "flat there"),
    ("max(0, x) + max(0, -x - 1)", "flat there"),
    ("max(0, 1 - x)^2 + 0.1x^2", "not C^2 at x = 1"),
    ("min(x^2, (x-1)^2 + 0.1)", "not C^2 at x = 0.55"),
    ("(x - 0.3)^(1/3) + x^2", "not C^2 at x = 0.3"),
])
def test_assumption1_failures_are_named(text, fragment):
    result = analyze(parse_formula(text), 1.5, 0.5)
    assert not result.assumption1_ok
    assert any(fragment in w for w in result.warnings), result.warnings


def test_numeric_touch_point_non_polynomial(monkeypatch):
    monkeypatch.setattr(landscape_config, "USE_EXACT_WORKER", False)
    land = Landscape("touch-numeric", "sketch", X**5 / 5 - X**3 / 3)
    points = critical_points(land, 1.5)
    assert points.degenerate == pytest.approx((0.0,), abs=1e-6)
    assert points.minima == pytest.approx((1.0,)) and points.maxima == pytest.approx((-1.0,))


def test_analysis_from_non_main_thread_uses_exact_worker():
    results = []
    land = parse_formula("x^4/4 - x^2/2 + x/19")
    thread = threading.Thread(target=lambda: results.append(critical_points(land, 2.0)))
    thread.start()
    thread.join(10)
    assert results[0].method == "exact"


# --------------------------------------------------------------------------
# properties on random landscapes with known critical points
# --------------------------------------------------------------------------
@st.composite
def known_landscapes(draw):
    n_minima = draw(st.integers(1, 4))
    count = 2 * n_minima - 1
    gaps = draw(st.lists(st.integers(15, 60), min_size=count - 1, max_size=count - 1))
    start = draw(st.integers(-150, -20))
    points = [start]
    for gap in gaps:
        points.append(points[-1] + gap)
    assume(points[-1] <= 150)
    scale = draw(st.integers(1, 8))
    return [Fraction(p, 100) for p in points], scale


def _near_breakpoint(points, b):
    values = [float(q - p) for p in points for q in points if q > p]
    return any(abs(d / b - round(d / b)) < 1e-6 for d in values)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(known_landscapes(), st.floats(0.05, 2.0), st.booleans())
def test_random_landscapes_match_naive(landscape_spec, b, exact):
    points, scale = landscape_spec
    assume(not _near_breakpoint(points, b))
    text = polynomial_from_critical_points([str(p) for p in points], scale)
    land = parse_formula(text)
    if not exact:   # same function through the numeric path
        land = Landscape(f"numeric:{text}", "sketch", land.expr)
    L = 1.6
    original = landscape_config.USE_EXACT_WORKER
    landscape_config.USE_EXACT_WORKER = exact
    try:
        result = analyze(land, L, b)
    finally:
        landscape_config.USE_EXACT_WORKER = original
    truth = [float(p) for p in points]
    assert result.minima == pytest.approx(truth[::2], abs=1e-9)
    assert result.maxima == pytest.approx(truth[1::2], abs=1e-9)
    assert result.assumption1_ok, result.warnings

    l_star, edges, classes = naive_structure(truth[::2], truth[1::2], b)
    assert tuple(f.l_star for f in result.fields) == l_star
    assert set(result.edges) == set(edges)
    assert _class_sets(result.classes) == set(classes)
    assert result.irreducible == (len(classes) == 1)
    if len(result.fields) > 1:
        for i in range(len(result.fields)):
            assert (i, i - 1) in result.edges or (i, i + 1) in result.edges


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-300, 300), min_size=1, max_size=9, unique=True),
       st.floats(0.01, 5.0) | st.just(math.inf))
def test_structure_for_widths_matches_naive(raw_points, b):
    points = sorted(raw_points)
    if len(points) % 2 == 0:
        points = points[:-1]
    points = [p / 100 for p in points]
    if not math.isinf(b):
        assume(not _near_breakpoint([Fraction(str(p)) for p in points], b))
    minima, maxima = points[::2], points[1::2]
    structure = structure_for_widths(minima, maxima, b)
    l_star, edges, classes = naive_structure(minima, maxima, b)
    assert structure.l_star == l_star
    assert set(structure.edges) == set(edges)
    assert _class_sets(structure.classes) == set(classes)
    # every class's large minima have the class's maximal l*
    for group in structure.classes:
        assert all(structure.l_star[i] == max(structure.l_star[j] for j in group.members)
                   for i in group.large)


def test_json_shape():
    data = analyze(load_landscape("paper-fig3"), 1.6, 0.4, alpha=1.2).to_json()
    for key in ("L", "b", "minima", "maxima", "fields", "edges", "classes", "irreducible",
                "exit_exponents", "warnings"):
        assert key in data
    assert set(data["fields"][0]) >= {"minimum", "left", "right", "width", "l_star"}
    assert data["fields"][0]["left"] is None and data["fields"][2]["right"] is None
    assert data["edges"] == [[1, 2], [2, 1], [3, 2]]


def test_abs_outside_the_window_keeps_assumption1():
    # f is C^2 on [-L, L] when abs switches outside it (as in the paper's appendix formula)
    result = analyze(parse_formula("x^2 + abs(x - 3) + (0.5 abs(2 - x))^0.6"), 1.5, 0.5)
    assert result.assumption1_ok, result.warnings
    from scipy.optimize import brentq

    minimum = brentq(lambda t: 2 * t - 1 - 0.3 * (0.5 * (2 - t)) ** -0.4, 0.0, 1.5)
    assert result.minima == pytest.approx((minimum,), abs=1e-9)


"""2-D landscapes f(x, y): parsing, critical points, fields, widths and the paper's l* pattern.

Reference values are computed here independently of the package: Himmelblau's
gradient and Hessian written out in NumPy, scipy's root finder from known
starting points, and an ODE solve of the gradient flow for field membership.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.optimize import root

from landscape import (
    FUNCTIONS,
    AnalysisError,
    FormulaError,
    Landscape,
    analyze,
    load_landscape,
    parse_formula,
)
from landscape.__main__ import main
from landscape.formula import parse_any_formula
from landscape.plane import PlaneLandscape
from landscape.plane_analysis import MinimiserSet, analyze_plane
from landscape.plane_presets import ALL_PRESETS, HIMMELBLAU_FORMULA, PLANE_PRESETS
from landscape.presets import PRESETS

HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]


def _h_gradient(p):
    x, y = p
    return np.array([4 * x * (x * x + y - 11) + 2 * (x + y * y - 7),
                     2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)])


def _h_hessian(p):
    x, y = p
    return np.array([[12 * x * x + 4 * y - 42, 4 * x + 4 * y],
                     [4 * x + 4 * y, 12 * y * y + 4 * x - 26]])


def _reference_critical_points():
    """Himmelblau's saddles and maximum: scipy root from rough published locations."""
    starts = {"saddle": [(0.09, 2.88), (-3.07, -0.08), (3.39, 0.07), (-0.13, -1.95)],
              "max": [(-0.27, -0.92)]}
    found = {}
    for kind, points in starts.items():
        found[kind] = sorted(tuple(root(_h_gradient, p, jac=_h_hessian, tol=1e-14).x)
                             for p in points)
    return found


@pytest.fixture(scope="module")
def himmelblau():
    return analyze_plane(load_landscape(HIMMELBLAU_FORMULA), 6.0, 2.0)


@pytest.fixture(scope="module")
def paper():
    preset = PLANE_PRESETS["paper-himmelblau"]
    return analyze_plane(load_landscape("paper-himmelblau"), preset.L, preset.b, 1.2)


# --------------------------------------------------------------------------
# parsing: 1-D or 2-D by the variables
# --------------------------------------------------------------------------
def test_formula_in_x_and_y_is_two_dimensional():
    land = load_landscape("x^2 + 3 y^2 + x y")
    assert isinstance(land, PlaneLandscape) and land.dimension == 2
    assert float(land.f(1.0, 2.0)) == pytest.approx(1 + 12 + 2)
    gx, gy = land.gradient(np.array([1.0, 0.0]), np.array([2.0, 1.0]))
    np.testing.assert_allclose(gx, [2 + 2, 0 + 1])
    np.testing.assert_allclose(gy, [12 + 1, 6 + 0])
    np.testing.assert_allclose(np.array(land.hessian(0.3, -0.7)).ravel(), [2, 1, 6])
    assert parse_any_formula("y^2").dimension == 2        # y alone is still f(x, y)


def test_formulas_in_x_stay_one_dimensional():
    for text in ("x^4 - x^2", "x + y - y", "paper-fig2", "sketch:-1,1;0,0;1,1"):
        land = load_landscape(text)
        assert isinstance(land, Landscape) and land.dimension == 1, text
    assert isinstance(parse_any_formula("sin(x)"), Landscape)
    assert isinstance(parse_formula("x^2"), Landscape)


@pytest.mark.parametrize("text, message", [
    ("x + z", "unknown variable 'z'"),
    ("y + Y", "unknown variable 'Y'"),
    ("2 + 3", "does not depend on x"),
    ("y - y + 2", "does not depend on x"),
    ("sqrt(-1) y", "not real-valued"),
    ("__import__('os') + y", "'_' is not allowed"),
    ("y + 'a'", "strings"),
    ("y" + "*y" * 300, "nested too deeply"),
])
def test_bad_two_dimensional_formulas_are_refused(text, message):
    with pytest.raises(FormulaError, match=message):
        load_landscape(text)


def test_the_one_dimensional_parser_refuses_y():
    with pytest.raises(FormulaError, match="unknown variable 'y'") as info:
        parse_formula("x^2 + y")
    assert info.value.position == 6


def test_the_one_dimensional_analysis_refuses_a_plane():
    with pytest.raises(AnalysisError, match="two-dimensional"):
        analyze(load_landscape("x^2 + y^2"), 1.0, 0.5)
    with pytest.raises(AnalysisError, match="2-D landscape"):
        analyze_plane(load_landscape("x^2"), 1.0, 0.5)


@pytest.mark.parametrize("kwargs, message", [
    ({"R": -1.0}, "R must be"), ({"R": math.nan}, "R must be"), ({"R": "big"}, "R must be"),
    ({"b": 0.0}, "b must be positive"), ({"alpha": 0.9}, "alpha"),
    ({"grid": 10}, "grid must be"), ({"grid": True}, "grid must be"),
    ({"grid": 301.0}, "grid must be"), ({"near": 0.0}, "near must be"),
])
def test_bad_parameters_are_refused(kwargs, message):
    arguments = {"R": 2.0, "b": 0.5, "alpha": None, "grid": 101, "near": 0.5} | kwargs
    land = load_landscape("x^2 + y^2")
    with pytest.raises(AnalysisError, match=message):
        analyze_plane(land, arguments.pop("R"), arguments.pop("b"), **arguments)


# --------------------------------------------------------------------------
# Himmelblau: minima, saddles, maximum
# --------------------------------------------------------------------------
def test_himmelblau_minima(himmelblau):
    assert len(himmelblau.fields) == 4
    found = sorted(tuple(f.minimiser.points[0]) for f in himmelblau.fields)
    for (x, y), (ex, ey) in zip(found, sorted(HIMMELBLAU_MINIMA), strict=True):
        assert abs(x - ex) < 1e-5 and abs(y - ey) < 1e-5
    assert not any(f.minimiser.is_segment for f in himmelblau.fields)
    assert all(abs(f.minimiser.value) < 1e-12 for f in himmelblau.fields)


def test_himmelblau_saddles_and_maximum(himmelblau):
    reference = _reference_critical_points()
    np.testing.assert_allclose(sorted(map(tuple, himmelblau.saddles)), reference["saddle"],
                               atol=1e-6)
    np.testing.assert_allclose(sorted(map(tuple, himmelblau.maxima)), reference["max"],
                               atol=1e-6)


def test_himmelblau_fields_follow_the_gradient_flow(himmelblau):
    """field_of agrees with an ODE solve of the flow from random starts away from boundaries."""
    rng = np.random.default_rng(11)
    labels = himmelblau.label_grid
    n = labels.shape[0]
    spacing = 12.0 / (n - 1)
    minima = np.array([f.minimiser.points[0] for f in himmelblau.fields])
    checked = 0
    for x, y in rng.uniform(-4.2, 4.2, size=(60, 2)):
        row, col = round(float((y + 6) / spacing)), round(float((x + 6) / spacing))
        if len(set(labels[row - 3:row + 4, col - 3:col + 4].ravel())) > 1:
            continue                     # within 3 cells of a field boundary
        flow = solve_ivp(lambda t, p: -_h_gradient(p), (0, 20), [x, y], rtol=1e-8, atol=1e-10)
        end = flow.y[:, -1]
        expected = int(np.argmin(np.hypot(*(minima - end).T)))
        assert himmelblau.field_of(x, y) == expected, (x, y)
        checked += 1
    assert checked >= 40
    for index, f in enumerate(himmelblau.fields):
        assert himmelblau.field_of(*f.minimiser.points[0]) == index
    assert himmelblau.field_of(5.0, 5.0) is None           # outside the ball


def test_grids_and_widths_are_consistent(himmelblau):
    labels, near = himmelblau.label_grid, himmelblau.near_grid
    assert labels.dtype == np.int16 and near.dtype == np.int16 and labels.shape == (301, 301)
    axis = np.linspace(-6, 6, 301)
    gx, gy = np.meshgrid(axis, axis)
    inside = gx ** 2 + gy ** 2 <= 36 * (1 + 1e-12)
    assert np.all(labels[~inside] == -1) and np.all(labels[inside] >= 0)
    assert sum(f.area_share for f in himmelblau.fields) == pytest.approx(1.0)
    for i, f in enumerate(himmelblau.fields):
        distance = f.minimiser.distance(gx, gy)
        assert np.all(near[(near == i)] == i) and np.all(distance[near == i] < 0.5)
        # r_i: no cell closer than r_i - one cell to the minimum lies in another field
        other = inside & (labels != i)
        assert distance[other].min() >= f.width - spacing_of(himmelblau)
        assert f.l_star == math.ceil(f.width / himmelblau.b)
    assert np.all(np.diag(himmelblau.structure.jump_matrix) ==
                  [f.l_star for f in himmelblau.fields])
    # the same l_{i,j} as 1-D's Analysis.jump_matrix: l*_i on the diagonal
    np.testing.assert_array_equal(himmelblau.jump_matrix, himmelblau.structure.jump_matrix)


def spacing_of(analysis):
    return 2 * analysis.R / (analysis.label_grid.shape[0] - 1)


# --------------------------------------------------------------------------
# the paper's modified Himmelblau (appendix A.2)
# --------------------------------------------------------------------------
def test_paper_l_star_pattern(paper):
    """Four fields; the segment's and the upper-left field need 2 jumps, the right ones 1."""
    assert len(paper.fields) == 4
    by_position = {("segment" if f.minimiser.is_segment else
                    ("left" if f.minimiser.points[0][0] < 0 else
                     ("right-up" if f.minimiser.points[0][1] > 0 else "right-down"))): f
                   for f in paper.fields}
    assert set(by_position) == {"segment", "left", "right-up", "right-down"}
    assert by_position["segment"].l_star == by_position["left"].l_star == 2
    assert by_position["right-up"].l_star == by_position["right-down"].l_star == 1
    for f in paper.fields:     # Assumption 3 with a margin larger than the grid's accuracy
        assert abs(f.width / 2.15 - round(f.width / 2.15)) > 0.02
    assert len(paper.classes) == 1 and paper.irreducible
    assert set(paper.classes[0].large) == {by_position["segment"].index,
                                           by_position["left"].index}
    assert paper.exit_exponents is not None


def test_paper_segment_is_one_field(paper):
    segments = [f for f in paper.fields if f.minimiser.is_segment]
    assert len(segments) == 1
    (x1, y1), (x2, y2) = segments[0].minimiser.points
    assert abs(y1 + 2.9) < 1e-3 and abs(y2 + 2.9) < 1e-3
    assert abs(x2 + 0.5) < 1e-6                     # the cut's right edge b_r
    assert math.hypot(x1, y1) == pytest.approx(4.2, abs=1e-6)     # the wall
    assert segments[0].minimiser.value < 1e-6


def test_a_segment_of_minimisers_is_one_field():
    """f = 0 exactly on y = 0, -1 <= x <= 1: one field whose minimiser is that segment."""
    land = load_landscape("y^2 + max(0, abs(x) - 1)^2")
    result = analyze_plane(land, 2.0, 1.0, grid=151)
    assert len(result.fields) == 1 and result.fields[0].area_share == 1.0
    minimiser = result.fields[0].minimiser
    assert isinstance(minimiser, MinimiserSet) and minimiser.is_segment
    (x1, y1), (x2, y2) = minimiser.points
    assert x1 == pytest.approx(-1, abs=0.01) and x2 == pytest.approx(1, abs=0.01)
    assert abs(y1) < 1e-3 and abs(y2) < 1e-3
    assert result.fields[0].l_star == 0 and math.isinf(result.fields[0].width)
    np.testing.assert_allclose(minimiser.distance([0, 3, -1], [2, 0, -1]), [2, 2, 1],
                               atol=0.02)
    assert result.to_json()["minima"][0]["segment"][0][0] == pytest.approx(-1, abs=0.01)


def test_flat_segment_between_two_wells():
    """A valley floor y = 0, -1 <= x <= 1, of exact minimisers next to a separate well."""
    land = load_landscape("y^2 + max(0, abs(x) - 1)^2 (1 + 0*(x - 1.6)^2) "
                          "- 2 exp(-20((x - 1.8)^2 + y^2))")
    result = analyze_plane(land, 2.5, 0.5, grid=201)
    segments = [f for f in result.fields if f.minimiser.is_segment]
    assert len(segments) == 1
    (x1, y1), (x2, _) = segments[0].minimiser.points
    assert x1 == pytest.approx(-1.0, abs=0.02) and abs(y1) < 1e-3
    assert x2 < 1.3
    assert result.field_of(0.0, 0.5) == segments[0].index
    assert result.field_of(1.8, 0.0) != segments[0].index


def test_asymmetric_double_well_widths():
    preset = PLANE_PRESETS["double-well-2d"]
    reports = []
    result = analyze_plane(load_landscape("double-well-2d"), preset.L, preset.b, grid=251,
                           progress=lambda share, stage: reports.append((share, stage)))
    shares = [share for share, _ in reports]
    assert shares[0] == 0.0 and shares[-1] == 1.0 and shares == sorted(shares)
    spacing = spacing_of(result)
    assert [tuple(np.round(f.minimiser.points[0], 6)) for f in result.fields] == \
        [(-1.2, 0.0), (0.8, 0.0)]
    assert result.fields[0].width == pytest.approx(0.4, abs=spacing)
    assert result.fields[1].width == pytest.approx(1.6, abs=spacing)
    assert [f.l_star for f in result.fields] == [1, 4]
    np.testing.assert_allclose(result.saddles, [[-0.8, 0.0]], atol=1e-8)


# --------------------------------------------------------------------------
# presets and command line
# --------------------------------------------------------------------------
def test_presets_keep_the_one_dimensional_list():
    assert all(p.dimension == 1 and p.y0 is None for p in PRESETS.values())
    assert all(p.dimension == 2 and p.y0 is not None for p in PLANE_PRESETS.values())
    assert set(PLANE_PRESETS) == {"paper-himmelblau", "himmelblau", "double-well-2d",
                                  "bowl-ripples-2d"}
    assert ALL_PRESETS == {**PRESETS, **PLANE_PRESETS}
    for key, preset in PLANE_PRESETS.items():
        assert preset.key == key and math.hypot(preset.x0, preset.y0) <= preset.L
        land = load_landscape(key)
        assert isinstance(land, PlaneLandscape) and land.name == key
        assert land.text == preset.source and load_landscape(land.source).text == land.text
    paper = PLANE_PRESETS["paper-himmelblau"]
    assert (paper.L, paper.b, paper.eta, paper.x0, paper.y0) == (4.2, 2.15, 5e-4, 2.9, 1.0)
    assert (paper.noise.family, paper.noise.alpha, paper.noise.scale) == ("pareto", 1.2, 0.75)


def test_cli_analyze_two_dimensional(capsys):
    assert main(["analyze", "--expr", HIMMELBLAU_FORMULA, "--R", "6", "--b", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["R"] == 6.0 and len(data["minima"]) == 4
    assert all(isinstance(m, list) and len(m) == 2 for m in data["minima"])
    assert {tuple(np.round(m, 5)) for m in data["minima"]} == \
        {tuple(np.round(m, 5)) for m in HIMMELBLAU_MINIMA}
    assert [f["l_star"] for f in data["fields"]] == [2, 2, 1, 1]
    assert data["edges"] and data["classes"]
    assert main(["analyze", "--expr", "paper-himmelblau", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sum(isinstance(m, dict) and "segment" in m for m in data["minima"]) == 1
    assert main(["analyze", "--expr", "double-well-2d"]) == 0
    assert "l*" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["analyze", "--expr", "x + z", "--R", "2", "--b", "1"], "unknown variable 'z'"),
    (["analyze", "--expr", "x^2 + y^2", "--R", "-2", "--b", "1"], "R must be"),
    (["analyze", "--expr", "x^2 + y^2", "--R", "2", "--b", "1", "--grid", "9"], "grid"),
    (["analyze", "--expr", "x^2 + y^2", "--b", "1"], "--R"),
    (["sweep", "--expr", "x^2 + y^2", "--L", "2", "--b-min", "1", "--b-max", "2"], "1-D"),
])
def test_cli_refuses_bad_two_dimensional_input(capsys, argv, message):
    assert main(argv + ["--json"]) == 2
    captured = capsys.readouterr()
    assert message in json.loads(captured.out)["error"]
    assert captured.err.count("\n") == 1 and message in captured.err


@pytest.mark.parametrize("text", [
    "-(x^2 + y^2)", "x + y", "1/(x^2 + y^2)", "y", "log(x) + y^2", "sin(20x) sin(20y)",
    "abs(x) + abs(y)", "x^4 + y^4", "exp(100(x^2 + y^2))", "tan(5x) + y^2", "max(x, y)",
])
def test_hostile_landscapes_give_an_answer_or_a_clear_refusal(text):
    """No traceback: an analysis (with warnings where the theory does not apply) or AnalysisError."""
    land = load_landscape(text)
    try:
        result = analyze_plane(land, 2.0, 0.5, grid=151)
    except AnalysisError as error:
        assert str(error).strip() and len(str(error)) < 300
        return
    json.dumps(result.to_json(), allow_nan=False)
    assert result.fields and np.all(result.label_grid[result.label_grid >= 0] < len(result.fields))
    if text in ("-(x^2 + y^2)", "x + y", "y"):
        assert any("wall" in w for w in result.warnings)


_TOKENS = st.sampled_from(sorted(set(FUNCTIONS)) + ["x", "y", "y", "x", "z", "X", "Y", "pi", "e",
                                                     "0", "1", "2.5", "1e30", "9" * 41, "+", "-",
                                                     "*", "/", "^", "**", "(", ")", ",", " ",
                                                     "_", "'", ".", "__import__"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_TOKENS, max_size=30).map("".join))
def test_soups_in_x_and_y_parse_or_are_refused(text):
    """Random token soups with y: a 1-D or 2-D landscape that evaluates, or a FormulaError."""
    try:
        land = parse_any_formula(text)
    except FormulaError as error:
        assert str(error).strip()
        return
    points = np.linspace(-2, 2, 7)
    if land.dimension == 2:
        assert "y" in text
        for values in (land.f(points, points[::-1]), *land.gradient(points, points),
                       *land.hessian(points, -points)):
            assert values.shape == (7,) and values.dtype == np.float64
    else:
        assert land.f(points).shape == (7,)


@pytest.mark.parametrize("key", ["himmelblau", "bowl-ripples-2d"])
def test_the_capture_shortcut_changes_no_cell(key, monkeypatch):
    """Stopping starts in sublevel sets that hold one minimiser set gives the same fields
    as following every start to its end."""
    from landscape import plane_geometry

    preset = PLANE_PRESETS[key]
    land = load_landscape(key)
    plane_geometry.clear_geometry_cache()
    fast = analyze_plane(land, preset.L, preset.b, grid=151)
    monkeypatch.setattr(plane_geometry, "capture_grid", lambda *args, **kwargs: None)
    plane_geometry.clear_geometry_cache()
    slow = analyze_plane(land, preset.L, preset.b, grid=151)
    plane_geometry.clear_geometry_cache()
    np.testing.assert_array_equal(fast.label_grid, slow.label_grid)
    assert [f.width for f in fast.fields] == [f.width for f in slow.fields]

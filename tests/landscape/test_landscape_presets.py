"""Every preset loads, is analysable, and says what it claims."""


import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from landscape import (
    DEFAULT_PRESET,
    PRESETS,
    analyze,
    critical_points,
    load_landscape,
    parse_formula,
)
from landscape.presets import PAPER_FIG2_FORMULA, PAPER_FIG2_MAXIMA, PAPER_FIG2_MINIMA


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_preset_loads_and_analyses(key):
    preset = PRESETS[key]
    assert preset.key == key
    land = parse_formula(preset.source)
    result = analyze(land, preset.L, preset.b,
                     preset.noise.alpha if preset.noise.alpha and preset.noise.alpha > 1 else None)
    assert -preset.L <= preset.x0 <= preset.L and preset.eta > 0
    if key == "broken-assumption":
        assert not result.assumption1_ok and result.warnings
    else:
        assert result.assumption1_ok, result.warnings
        assert not any("Assumption 3" in w for w in result.warnings)
        assert len(result.minima) >= 2


# --------------------------------------------------------------------------
# Fig. 2: the appendix formula itself
# --------------------------------------------------------------------------
def _appendix_f(x):
    """The appendix formula written out in numpy, independently of the parser."""
    return ((x + 1.6) * (x + 1.3) ** 2 * (x - 0.2) ** 2 * (x - 0.7) ** 2 * (x - 1.6)
            * (0.05 * np.abs(1.65 - x)) ** 0.6
            * (1 + 1 / (0.01 + 4 * (x - 0.5) ** 2)) * (1 + 1 / (0.1 + 4 * (x + 1.5) ** 2))
            * (1 - np.exp(-5 * (x + 0.8) ** 2) / 4))


def _dense_grid_extrema(function, L, points=320_001):
    """Local minima and maxima of f: a dense grid, then Brent's method on f itself."""
    grid = np.linspace(-L, L, points)
    values = function(grid)
    interior = np.arange(1, points - 1)
    lows = interior[(values[interior] < values[interior - 1])
                    & (values[interior] <= values[interior + 1])]
    highs = interior[(values[interior] > values[interior - 1])
                     & (values[interior] >= values[interior + 1])]

    def refine(index, sign):
        result = minimize_scalar(lambda t: sign * function(np.array([t]))[0],
                                 bracket=(grid[index - 1], grid[index], grid[index + 1]),
                                 method="brent", tol=1e-12)
        return float(result.x)

    return [refine(i, 1) for i in lows], [refine(i, -1) for i in highs]


def test_default_preset_is_the_appendix_formula():
    assert DEFAULT_PRESET == "paper-fig2"
    preset = PRESETS["paper-fig2"]
    assert preset.source == PAPER_FIG2_FORMULA and preset.L == 1.6
    assert (preset.b, preset.eta, preset.x0) == (0.5, 0.001, 0.3)
    assert (preset.noise.family, preset.noise.alpha) == ("pareto", 1.2)
    land = load_landscape(DEFAULT_PRESET)
    assert not land.is_polynomial
    grid = np.linspace(-1.6, 1.6, 1001)
    np.testing.assert_allclose(land.f(grid), _appendix_f(grid), rtol=1e-12, atol=1e-15)


def test_appendix_critical_points_agree_with_a_dense_grid():
    land = load_landscape("paper-fig2")
    points = critical_points(land, 1.6)
    minima, maxima = _dense_grid_extrema(_appendix_f, 1.6)
    assert points.assumption1_ok, points.notes
    assert points.minima == pytest.approx(minima, abs=1e-6)
    assert points.maxima == pytest.approx(maxima, abs=1e-6)
    # 40-digit roots of f' (mpmath): -1.51148364783, -0.69927305514, 0.49624453836, 1.32209374517
    assert points.minima == pytest.approx(PAPER_FIG2_MINIMA, abs=1e-9)
    assert points.maxima == pytest.approx(PAPER_FIG2_MAXIMA, abs=1e-12)
    assert np.all(np.abs(land.f(np.array(PAPER_FIG2_MAXIMA))) < 1e-20)   # double zeros of f


def test_appendix_fields_give_the_widths_of_fig3():
    result = analyze(load_landscape("paper-fig2"), 1.6, 0.5, alpha=1.2)
    second = result.fields[1]
    assert second.minimum - second.left == pytest.approx(0.601, abs=5e-4)
    assert second.right - second.minimum == pytest.approx(0.899, abs=5e-4)
    assert [f.l_star for f in result.fields] == [1, 2, 1, 2]
    assert result.irreducible and result.classes[0].large == (1, 3)
    # m_1 and m_3 are the deep narrow wells: much larger curvature than m_2, m_4
    curvature = [f.curvature for f in result.fields]
    assert min(curvature[0], curvature[2]) > 20 * max(curvature[1], curvature[3])


def test_fig2_description_shows_computed_points_and_says_the_text_rounds():
    description = PRESETS["paper-fig2"].description
    for value in PAPER_FIG2_MINIMA:
        assert f"{value:.4f}" in description
    assert "-1.3, 0.2, 0.7" in description and "rounds" in description


def test_fig2_standin_is_named_and_keeps_the_rounded_points():
    preset = PRESETS["paper-fig2-standin"]
    assert "stand-in" in preset.title and "stand-in" in preset.description
    result = analyze(load_landscape(preset.key), preset.L, preset.b)
    assert result.minima == pytest.approx((-1.51, -0.66, 0.49, 1.32), abs=1e-9)
    assert result.method == "exact"


# --------------------------------------------------------------------------
# Fig. 3 and Kleinberg et al.
# --------------------------------------------------------------------------
def test_fig3_preset_widths_and_graphs_as_printed():
    land = load_landscape("paper-fig3")
    middle = analyze(land, 1.6, 0.5).fields[1]
    assert middle.minimum - middle.left == pytest.approx(0.6)
    assert middle.right - middle.minimum == pytest.approx(0.9)
    assert analyze(land, 1.6, 0.5).irreducible
    classes = analyze(land, 1.6, 0.4).classes      # 0.6 < 2b < 0.9
    assert [(c.members, c.absorbing) for c in classes] == [((0, 1), True), ((2,), False)]


def test_ripples_are_sharp_minima_of_small_diameter_in_a_wide_bowl():
    preset = PRESETS["kleinberg-ripples"]
    land = load_landscape(preset.key)
    result = analyze(land, preset.L, preset.b)
    assert len(result.minima) >= 5
    assert max(f.width for f in result.fields) < 0.3
    assert all(f.curvature > 10 for f in result.fields)       # the bowl's own curvature is 1
    grid = np.linspace(-preset.L, preset.L, 3001)
    assert np.max(np.abs(land.f(grid) - grid ** 2 / 2)) <= 0.04 + 1e-12   # small spikes
    assert min(result.minima, key=lambda m: float(land.f(np.array([m]))[0])) == \
        pytest.approx(0.0, abs=1e-9)                            # the bowl's bottom is lowest

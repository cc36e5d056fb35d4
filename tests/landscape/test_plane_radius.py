"""Wall points flagged, and a ball radius that holds the minima (issue 18, item 6).

Himmelblau's four minima lie at distance 2.0 to 5.0 from the origin (the
farthest, (-3.7793, -3.2832), at 5.006): typed with the 1-D default L = 1.6
every set the analysis finds is a point on the wall.
"""

import json
import math

import numpy as np
import pytest

from landscape import AnalysisError, RadiusSuggestion, load_landscape, suggest_radius
from landscape.__main__ import main
from landscape.plane_analysis import analyze_plane
from landscape.plane_radius import wall_attractors

HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                     (3.584428, -1.848126)]


def test_wall_points_are_a_flag_not_text():
    land = load_landscape(HIMMELBLAU)
    small = analyze_plane(land, 1.6, 0.5)
    assert small.wall_points and small.real_minima == 0
    assert all(f.minimiser.at_wall for f in small.fields)
    assert small.to_json()["wall_points"] is True
    big = analyze_plane(land, 6.0, 0.5)
    assert not big.wall_points and big.real_minima == 4
    assert big.to_json()["wall_points"] is False


def test_suggested_radius_holds_himmelblau_minima():
    land = load_landscape(HIMMELBLAU)
    found = suggest_radius(land, 1.6)
    assert isinstance(found, RadiusSuggestion)
    farthest = max(math.hypot(*m) for m in HIMMELBLAU_MINIMA)
    assert farthest < found.R <= 1.5 * farthest              # holds them, not far beyond
    assert found.R == 6.0                                     # 5.006 + 15 % margin, rounded up
    for published in HIMMELBLAU_MINIMA:
        assert min(math.dist(published, m) for m in found.minima) < 1e-4
    assert len(wall_attractors(land, found.search_radius, 2000)) == 0
    result = analyze_plane(land, found.R, 0.5)                # and the analysis agrees
    assert not result.wall_points and result.real_minima == 4
    assert json.loads(json.dumps(found.to_json()))["R"] == 6.0


@pytest.mark.parametrize(("formula", "R", "expected"), [
    ("x^2 + y^2", 0.5, 0.05),                                 # 15 % of the search radius 1
    ("(x - 3)^2 + (y + 4)^2", 1.0, 6.0),                      # |m| = 5, margin 15 %: 5.75 -> 6
])
def test_suggested_radius_of_simple_bowls(formula, R, expected):
    found = suggest_radius(load_landscape(formula), R)
    assert found is not None and found.R == pytest.approx(expected)


def test_no_radius_when_f_decreases_forever():
    """McCormick decreases along x + y -> -infinity: no ball is free of wall points."""
    land = load_landscape("sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1")
    assert suggest_radius(land, 4.0, max_radius=200.0) is None
    result = analyze_plane(land, 4.0, 1.0)
    assert result.wall_points and result.real_minima == 2


def test_suggest_radius_refuses_bad_input():
    with pytest.raises(AnalysisError, match="2-D"):
        suggest_radius(load_landscape("x^2"), 1.0)
    with pytest.raises(AnalysisError, match="positive"):
        suggest_radius(load_landscape(HIMMELBLAU), -1.0)


def test_cli_json_has_the_wall_flag(capsys):
    code = main(["analyze", "--expr", HIMMELBLAU, "--R", "1.6", "--b", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["wall_points"] is True
    assert all(f["at_wall"] for f in data["fields"])
    assert np.hypot(*data["fields"][0]["minimum"]) == pytest.approx(1.6)

"""Plane slices: a known function of the parameters comes back as that function; the CLI's --plane."""

import json
import math

import jax.numpy as jnp
import numpy as np
import pytest

from landscape import load_landscape
from landscape.plane_analysis import analyze_plane
from networks.cli import main
from networks.errors import NetworksError
from networks.plane_slices import (
    fit_plane,
    loss_on_plane,
    monomials,
    orthogonal_direction,
    plane_axis,
    polynomial_text,
)

CENTER = jnp.asarray([0.3, -0.2, 0.5, 0.1])
FIRST = np.array([0.6, 0.8, 0.0, 0.0])            # unit vectors, orthogonal
SECOND = np.array([0.0, 0.0, 1.0, 0.0])


def quartic(theta):
    """(|theta - c|^2 - 0.5)^2 + 0.3 <theta - c, FIRST>: on the plane (x^2 + y^2 - 0.5)^2 + 0.3 x."""
    shift = theta - CENTER
    return (jnp.sum(shift**2) - 0.5) ** 2 + 0.3 * jnp.dot(shift, jnp.asarray(FIRST, jnp.float32))


def test_a_plane_slice_of_a_known_quartic_comes_back_as_that_function():
    axis = plane_axis(21)
    losses = loss_on_plane(quartic, CENTER, FIRST, SECOND, axis, axis)
    x, y = np.meshgrid(axis, axis)
    exact = (x**2 + y**2 - 0.5) ** 2 + 0.3 * x
    np.testing.assert_allclose(losses, exact, atol=2e-6)              # float32 evaluation
    fit = fit_plane(axis, axis, losses, degree=6)
    assert fit.fit_error["rms_relative"] < 1e-6 and fit.fit_error["max_relative"] < 1e-5
    assert fit.fit_error["loss_range"] == pytest.approx(exact.max() - exact.min(), rel=1e-5)
    land = load_landscape(fit.expr)
    assert land.dimension == 2
    between = np.linspace(-0.95, 0.95, 17)
    bx, by = np.meshgrid(between, between)
    want = (bx**2 + by**2 - 0.5) ** 2 + 0.3 * bx - exact.min()       # shifted: lowest sample 0
    np.testing.assert_allclose(land.f(bx, by), want, atol=2e-5)


def test_a_quadratic_plane_is_exact_at_degree_2_and_its_minimum_is_found():
    """theta^T theta / 2 around c = (0.2, -0.1) in the plane: minimum at (0.2, -0.1)."""
    def loss(theta):
        return 0.5 * jnp.sum((theta - jnp.asarray([0.2, -0.1, 0.0, 0.0])) ** 2)

    axis = plane_axis(11)
    base = np.zeros(4)
    losses = loss_on_plane(loss, base, np.eye(4)[0], np.eye(4)[1], axis, axis)
    fit = fit_plane(axis, axis, losses, degree=2)
    assert fit.fit_error["max_relative"] < 1e-6 and fit.fit_error["terms"] == 6
    analysis = analyze_plane(load_landscape(fit.expr), 1.0, math.inf, 1.5, grid=101)
    assert len(analysis.fields) == 1
    minimiser = analysis.fields[0].minimiser
    assert not minimiser.is_segment and not minimiser.at_wall
    np.testing.assert_allclose(minimiser.points[0], [0.2, -0.1], atol=1e-4)
    # shifted by the lowest sample, at (0.2, 0) or (0.2, -0.2) of the 0.2-spaced grid: 0.5 * 0.1^2
    assert minimiser.value == pytest.approx(-0.005, abs=1e-6)



def test_polynomial_text_and_the_orthogonal_direction():
    terms = monomials(2)
    assert terms == [(0, 0), (1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
    assert polynomial_text([1.5, 0, -2, 0, 0.25, 1e-9], terms) == "1.5 - 2*y + 0.25*x*y + 1e-09*y**2"
    first = np.arange(1.0, 7.0)
    second = orthogonal_direction(first, np.ones(6), ((0, 3), (3, 3)), seed=4)
    assert abs(second @ first) < 1e-9 * (first @ first)
    assert np.linalg.norm(second) == pytest.approx(np.linalg.norm(first))
    with pytest.raises(NetworksError, match="coincide"):
        orthogonal_direction(np.zeros(6), np.ones(6), (), seed=0)


def test_fit_refuses_bad_samples():
    axis = plane_axis(5)
    with pytest.raises(NetworksError, match="not finite"):
        fit_plane(axis, axis, np.full((5, 5), np.nan), 2)
    with pytest.raises(NetworksError, match="too few"):
        fit_plane(axis, axis, np.ones((5, 5)), 6)
    with pytest.raises(NetworksError, match="degree must be"):
        fit_plane(axis, axis, np.ones((5, 5)), 9)


def test_cli_plane_json_is_a_landscape_that_analyze_plane_reads(capsys):
    code = main(["slice", "--model", "mlp", "--steps", "10", "--method", "SB", "--plane",
                 "--grid", "11", "--degree", "6", "--direction", "between:Our1", "--json"])
    out, _ = capsys.readouterr()
    result = json.loads(out)
    assert code == 0 and len(result["xs"]) == len(result["ys"]) == 11
    assert np.asarray(result["losses"]).shape == (11, 11)
    error = result["fit_error"]
    assert error["degree"] == 6 and 0 <= error["max_relative"] < 0.2 and error["rms"] <= error["max"]
    assert len(result["expr"]) <= 1000
    land = load_landscape(result["expr"])
    x, y = np.meshgrid(result["xs"], result["ys"])
    shifted = np.asarray(result["losses"]) - np.min(result["losses"])
    assert np.max(np.abs(land.f(x, y) - shifted)) == pytest.approx(error["max"], rel=1e-3, abs=1e-9)
    analysis = analyze_plane(land, 1.0, math.inf, 1.5, grid=101)
    assert analysis.fields                                          # analysed: at least one field


@pytest.mark.parametrize("argv, message", [
    (["slice", "--plane", "--grid", "2", "--json"], "grid must be"),
    (["slice", "--plane", "--degree", "9", "--json"], "degree must be"),
    (["slice", "--plane", "--grid", "5", "--degree", "6", "--json"], "too coarse"),
    (["slice", "--plane", "--grid", "x", "--json"], "invalid int"),
    (["slice", "--grid", "21", "--json"], "--plane only"),
    (["slice", "--plane", "--direction", "between:Adam", "--json"], "unknown method"),
])
def test_bad_plane_input_exits_2_with_one_line(argv, message, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and message in json.loads(out)["error"]
    assert err.count("\n") == 1 and err.startswith("error:")

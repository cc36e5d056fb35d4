"""Sharpness measures on losses with known Hessians; slices of known functions."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from landscape import load_landscape
from landscape.analysis import analyze
from networks.measures import expected_sharpness, hessian_vector_product, max_eigenvalue
from networks.slices import (
    filter_normalised_direction,
    loss_along_line,
    sketch_points,
    slice_to_sketch,
)

EIGENVALUES = np.array([5.0, 2.0, 1.0, 0.5, 0.1])


def quadratic():
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 5)))
    a = jnp.asarray(q @ np.diag(EIGENVALUES) @ q.T, jnp.float32)

    def loss(theta, center):
        d = theta - center
        return 0.5 * d @ a @ d

    return a, loss


def test_hvp_is_the_hessian_times_the_vector():
    a, loss = quadratic()
    v = jnp.arange(5.0)
    np.testing.assert_allclose(hessian_vector_product(loss, jnp.ones(5), v, jnp.zeros(5)), a @ v,
                               rtol=1e-5, atol=1e-5)


def test_power_iteration_finds_the_largest_eigenvalue():
    _, loss = quadratic()
    found = max_eigenvalue(loss, jnp.ones(5), 60, jax.random.PRNGKey(1), jnp.zeros(5))
    assert found == pytest.approx(5.0, rel=1e-4)


def test_expected_sharpness_of_a_quadratic_is_half_delta_squared_trace():
    _, loss = quadratic()
    delta = 0.1
    got = expected_sharpness(loss, jnp.ones(5), delta, 20_000, jax.random.PRNGKey(2), jnp.zeros(5))
    assert got == pytest.approx(0.5 * delta**2 * EIGENVALUES.sum(), rel=0.03)


def test_expected_sharpness_of_a_rank_one_quadratic_reads_its_eigenvalue():
    """L = lambda (u.theta)^2 / 2: 2 E-sharpness / delta^2 = lambda = the top eigenvalue."""
    u = jnp.asarray([0.6, 0.8, 0.0])

    def loss(theta):
        return 3.0 * 0.5 * (u @ theta) ** 2

    delta = 0.05
    sharp = expected_sharpness(loss, jnp.zeros(3), delta, 20_000, jax.random.PRNGKey(3))
    top = max_eigenvalue(loss, jnp.zeros(3), 30, jax.random.PRNGKey(4))
    assert 2 * sharp / delta**2 == pytest.approx(3.0, rel=0.03)
    assert top == pytest.approx(3.0, rel=1e-4)


def test_a_slice_of_a_known_function_comes_back_as_that_function():
    """f(theta) = (|theta - c|^2 - 1)^2 along the line through c: (t^2 |d|^2 - 1)^2."""
    center = jnp.asarray([0.3, -0.2])
    direction = np.array([0.6, 0.8])                       # unit vector

    def loss(theta):
        return (jnp.sum((theta - center) ** 2) - 1.0) ** 2

    ts = np.linspace(-1.6, 1.6, 101)
    losses = loss_along_line(loss, center, direction, ts)
    np.testing.assert_allclose(losses, (ts**2 - 1) ** 2, rtol=1e-4, atol=1e-4)
    land = load_landscape(slice_to_sketch(ts, losses))
    between = np.linspace(-1.5, 1.5, 37)
    np.testing.assert_allclose(land.f(between), (between**2 - 1) ** 2, atol=0.02)
    minima = analyze(land, L=1.6, b=float("inf")).minima
    np.testing.assert_allclose(sorted(minima), [-1.0, 1.0], atol=0.02)


def test_sketch_keeps_at_most_the_landscape_limit_of_points():
    points = sketch_points(np.linspace(0, 1, 1001), np.linspace(0, 1, 1001) ** 2)
    assert len(points) == 100 and points[0] == (0.0, 0.0) and points[-1] == (1.0, 1.0)


def test_filter_normalised_direction_matches_the_norm_of_each_array():
    theta = np.concatenate([np.full(4, 2.0), np.full(9, -0.5)])
    d = filter_normalised_direction(theta, ((0, 4), (4, 9)), seed=0)
    assert np.linalg.norm(d[:4]) == pytest.approx(4.0)
    assert np.linalg.norm(d[4:]) == pytest.approx(1.5)

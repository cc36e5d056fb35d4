"""The theory's predictions against the project's simulator (fixed seeds).

Tolerances hold the sampling error (about 4 standard errors) plus the
finite-eta gap, which shrinks only like eta^(alpha - 1) = eta^0.2 here;
THEORY.md 9 lists its measured size (simulated/predicted mean exit 0.85-0.99,
left exits 75-78% against 84%, small-field share 0.6-0.74% against 0.55%).
"""

import math

import numpy as np
import pytest
from scipy import stats

from landscape import parse_formula
from landscape.predict import predict_from_points
from landscape.presets import polynomial_from_critical_points
from simulate import Simulation, exit_times, make_noise

POINTS = ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32")
MINIMA = (-1.51, -0.66, 0.49, 1.32)
MAXIMA = (-1.3, 0.2, 0.7)
L = 1.6
NOISE = make_noise("pareto", 1.2, 0.1)


@pytest.fixture(scope="module")
def stand_in():
    return parse_formula(polynomial_from_critical_points(POINTS, 5))


def _exits(land, b, eta, samples, seed):
    prediction = predict_from_points(MINIMA, MAXIMA, L, b, land.df, NOISE, eta=eta).exits[1]
    result = exit_times(land, L, eta, NOISE, b=b, x0=-0.66, samples=samples, seed=seed,
                        boundaries=MAXIMA)
    assert result.n_censored == 0
    return prediction, result


def test_unclipped_exit_time_destinations_and_law(stand_in):
    prediction, result = _exits(stand_in, math.inf, 1e-2, 400, seed=11)
    assert 0.8 <= result.mean / prediction.mean_exit_time <= 1.2
    left = result.destination_counts().get(0, 0) / 400
    assert abs(left - prediction.destinations[0]) <= 0.1          # predicted 0.588
    # sigma * q lambda is close to Exp(1) (Theorem 1)
    scaled = result.exit_steps / prediction.mean_exit_time
    assert stats.kstest(scaled / scaled.mean(), "expon").pvalue > 1e-3


def test_clipped_exit_time_and_destinations(stand_in):
    prediction, result = _exits(stand_in, 0.5, 1e-2, 300, seed=12)
    assert prediction.l_star == 2
    ratio = result.mean / prediction.mean_exit_time
    assert 0.7 <= ratio <= 1.2                                    # THEORY.md 9: 0.92
    left = result.destination_counts().get(0, 0) / 300
    assert abs(left - prediction.destinations[0]) <= 0.15         # 0.84 against 0.75-0.78
    assert 0.8 <= result.exit_steps.std() / result.exit_steps.mean() <= 1.2  # exponential: CV ~ 1


def test_unclipped_occupancy_against_the_stationary_law(stand_in):
    prediction = predict_from_points(MINIMA, MAXIMA, L, math.inf, stand_in.df, NOISE, eta=1e-3,
                                     x0=0.3)
    sim = Simulation(stand_in, L, 1e-3, NOISE, x0=0.3, paths=40, seed=13, hist_bins=0,
                     buffer_size=1, boundaries=MAXIMA)
    sim.advance(3_000_000)
    occupancy = np.asarray(sim.field_fraction)
    # about 2,000 transitions (sampling error ~0.02) plus the finite-eta gap, which
    # THEORY.md 9 measured at up to 0.04 (m_4: 42.7% against 39.0%)
    np.testing.assert_allclose(occupancy, prediction.chains[0].stationary, atol=0.06)


def test_clipped_run_shares_and_theorem_2(stand_in):
    eta, steps = 1e-3, 3_000_000
    prediction = predict_from_points(MINIMA, MAXIMA, L, 0.5, stand_in.df, NOISE, eta=eta,
                                     x0=0.3)
    sim = Simulation(stand_in, L, eta, NOISE, b=0.5, x0=0.3, paths=60, seed=14, hist_bins=0,
                     buffer_size=1, boundaries=MAXIMA)
    sim.advance(steps)
    occupancy = np.asarray(sim.field_fraction)
    shares = prediction.run_shares(steps)                  # about 0.50 / 0.50 for this run
    for field, share in shares.items():
        assert abs(occupancy[field] - share) <= 0.2        # 60 paths of 0 to 2 transitions
    small = occupancy[0] + occupancy[2]
    predicted = prediction.small_field_share(eta).total    # 0.55%
    assert predicted / 2 <= small <= 2 * predicted

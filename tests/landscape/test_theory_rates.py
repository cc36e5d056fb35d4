"""q_{i,j} for l* >= 2, the limiting chain and THEORY.md 9's measured figures."""

import math

import numpy as np
import pytest

from landscape import TheoryError, analyze, parse_formula
from landscape.chain import law_at, limiting_chains, run_shares, small_field_share
from landscape.predict import predict, predict_from_points
from landscape.presets import polynomial_from_critical_points
from landscape.rates import exit_rates
from landscape.tails import tail_probability
from landscape.theory import structure_for_widths
from tests.support.naive_theory import naive_q_two_jumps

POINTS = ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32")
MINIMA = (-1.51, -0.66, 0.49, 1.32)
MAXIMA = (-1.3, 0.2, 0.7)
L, ALPHA = 1.6, 1.2
NOISE = ("pareto", 1.2, 0.1)


@pytest.fixture(scope="module")
def stand_in():
    return parse_formula(polynomial_from_critical_points(POINTS, 5))


@pytest.fixture(scope="module")
def clipped(stand_in):
    return predict_from_points(MINIMA, MAXIMA, L, 0.5, stand_in.df, NOISE, eta=1e-3, x0=0.3)


@pytest.fixture(scope="module")
def unclipped(stand_in):
    return predict_from_points(MINIMA, MAXIMA, L, math.inf, stand_in.df, NOISE, eta=1e-3, x0=0.3)


def test_two_jump_rates_match_the_brute_force_integrator(stand_in):
    """Field 2 (two sides) and field 4 (the wall at 1.6 truncates the first jump)."""
    rates = exit_rates(MINIMA, MAXIMA, L, 0.5, stand_in.df, ALPHA)
    assert rates.l_star == (1, 2, 1, 2)
    for i in (1, 3):
        naive = naive_q_two_jumps(MINIMA[i], MAXIMA, L, 0.5, stand_in.df, ALPHA,
                                  grid=200, dt=1e-3)
        # the naive Riemann sum in t is first order: 0.6% at dt = 1e-3, halving with dt
        np.testing.assert_allclose(naive, rates.q_matrix[i], rtol=0.015, atol=1e-9)
        assert rates.errors[i] < 1e-4 * rates.q[i]


def test_theory_section_9_unclipped(unclipped):
    q = unclipped.rates.q
    assert q[1] == pytest.approx(1.453, abs=1e-3)
    chain, = unclipped.chains
    np.testing.assert_allclose(chain.stationary, [0.134, 0.423, 0.054, 0.390], atol=1e-3)
    np.testing.assert_allclose(chain.killing, 0.0)


def test_theory_section_9_clipped(clipped):
    rates = clipped.rates
    assert rates.q[1] == pytest.approx(1.266, abs=1e-3)
    assert rates.destinations(1)[0] == pytest.approx(0.84, abs=0.005)   # exits to the left
    chain, = clipped.chains
    assert chain.large == (1, 3) and chain.small == (0, 2)
    np.testing.assert_allclose(chain.stationary, [0.824, 0.176], atol=1e-3)
    np.testing.assert_allclose(clipped.initial, [0.404, 0.596], atol=1e-3)   # pi_G(x0 = 0.3)
    share = clipped.small_field_share(1e-3)
    lam_g = chain.time_scale(clipped.tail_at_inverse_eta(1e-3), 1e-3)
    np.testing.assert_allclose(share.visits_per_step / lam_g, [0.872, 0.422], atol=1e-3)
    assert share.total == pytest.approx(0.0055, abs=1e-4)                  # 0.55%


def test_mean_exit_time_is_one_over_q_lambda(clipped):
    exit2 = clipped.exits[1]
    H = tail_probability(*NOISE, 1e3)
    assert exit2.time_scale == pytest.approx(H * H / 1e-3)
    assert exit2.mean_exit_time == pytest.approx(1 / (1.2658 * H * H / 1e-3), rel=1e-3)
    assert exit2.exit_time_cdf(exit2.mean_exit_time) == pytest.approx(1 - math.exp(-1))
    assert "eta^(alpha - 1)" in exit2.note


def test_small_field_share_falls_like_theorem_2(clipped):
    """Share ~ (H(1/eta)/eta)^(l*_G - l*_k): for Lomax that is eta^0.2 here, asymptotically."""
    small = [clipped.small_field_share(eta).total for eta in (1e-5, 1e-6)]
    assert small[1] / small[0] == pytest.approx(10 ** -0.2, rel=0.01)


def test_three_jump_rates_two_methods_agree(stand_in):
    panels = exit_rates(MINIMA, MAXIMA, L, 0.3, stand_in.df, ALPHA)
    adaptive = exit_rates(MINIMA, MAXIMA, L, 0.3, stand_in.df, ALPHA, method="adaptive")
    assert panels.l_star == (1, 3, 1, 3)
    np.testing.assert_allclose(panels.q_matrix, adaptive.q_matrix, rtol=1e-8, atol=1e-12)
    graph = structure_for_widths(MINIMA, MAXIMA, 0.3)
    assert {(i, j) for i in range(4) for j in range(4) if panels.q_matrix[i, j] > 0} == \
        set(graph.edges)
    for rates in (panels, adaptive):
        assert np.all(rates.errors < 1e-4 * np.maximum(rates.q, 1e-12))
    # more room per jump, so likelier exits: q grows with b while l* stays 3
    wider = exit_rates(MINIMA, MAXIMA, L, 0.305, stand_in.df, ALPHA)
    assert wider.l_star == (1, 3, 1, 3) and wider.q[1] > panels.q[1] and wider.q[3] > panels.q[3]


def test_two_jump_rates_two_methods_agree(stand_in):
    panels = exit_rates(MINIMA, MAXIMA, L, 0.5, stand_in.df, ALPHA)
    adaptive = exit_rates(MINIMA, MAXIMA, L, 0.5, stand_in.df, ALPHA, method="adaptive")
    np.testing.assert_allclose(panels.q_matrix, adaptive.q_matrix, rtol=1e-9, atol=1e-12)


def test_four_jump_rates(stand_in):
    rates = exit_rates(MINIMA, MAXIMA, L, 0.2, stand_in.df, ALPHA)
    assert rates.l_star == (2, 4, 2, 4)
    graph = structure_for_widths(MINIMA, MAXIMA, 0.2)
    assert {(i, j) for i in range(4) for j in range(4) if rates.q_matrix[i, j] > 0} == \
        set(graph.edges)
    assert np.all(rates.errors <= 1e-6 * rates.q)
    wider = exit_rates(MINIMA, MAXIMA, L, 0.205, stand_in.df, ALPHA)
    assert wider.l_star == (2, 4, 2, 4) and np.all(wider.q > rates.q)


def test_more_jumps_than_supported_is_said_plainly(stand_in):
    with pytest.raises(TheoryError, match=r"Omega_2 \(l\* = 7\).*up to l\* = 6"):
        exit_rates(MINIMA, MAXIMA, L, 0.1, stand_in.df, ALPHA)
    with pytest.raises(TheoryError, match=r"Omega_2 \(l\* = 4\).*up to l\* = 3"):
        exit_rates(MINIMA, MAXIMA, L, 0.2, stand_in.df, ALPHA, method="adaptive")


def test_assumption_3_is_said_plainly(stand_in):
    # r_4 / b = 0.62 / 0.31 = 2: the three-jump integral is singular there
    with pytest.raises(TheoryError, match=r"Assumption 3 fails: r_4/b = 2"):
        exit_rates(MINIMA, MAXIMA, L, 0.31, stand_in.df, ALPHA)


def test_light_noise_has_no_rates(stand_in):
    with pytest.raises(TheoryError, match="not heavy tailed"):
        predict_from_points(MINIMA, MAXIMA, L, 0.5, stand_in.df, ("gaussian", None, 1.0))


def test_transient_class_kills_and_absorbing_class_keeps_its_mass():
    """The paper's Fig. 3 at b = 0.4: G_1 = {m_1, m_2} absorbing, G_2 = {m_3} transient."""
    land = parse_formula(polynomial_from_critical_points(
        ("-0.9", "-0.6", "0", "0.9", "1.2"), 5))
    result = predict_from_points((-0.9, 0.0, 1.2), (-0.6, 0.9), 1.5, 0.4, land.df,
                                 NOISE, eta=1e-3, x0=1.1)
    first, second = result.chains
    assert first.members == (0, 1) and first.absorbing and first.large == (1,)
    assert second.members == (2,) and not second.absorbing
    assert second.killing[0] == pytest.approx(result.rates.q[2])
    assert second.stationary is None
    np.testing.assert_allclose(first.generator.sum(axis=1), -first.killing, atol=1e-12)
    shares = run_shares(second, result.initial, 2.0)
    assert shares[0] == pytest.approx((1 - math.exp(-2 * second.killing[0]))
                                      / (2 * second.killing[0]))
    with pytest.raises(TheoryError, match="transient"):
        small_field_share(second, result.rates.q_matrix, result.rates.l_star, 1e-4, 1e-3)


def test_run_shares_between_start_and_stationary(clipped):
    chain = clipped.start_chain
    start = clipped.initial
    np.testing.assert_allclose(run_shares(chain, start, 1e-9), start, atol=1e-8)
    long_run = run_shares(chain, start, 1e4)
    np.testing.assert_allclose(long_run, chain.stationary, atol=1e-3)
    np.testing.assert_allclose(law_at(chain, start, 1e3), chain.stationary, atol=1e-9)
    finite = clipped.run_shares(3_000_000)
    assert sum(finite.values()) == pytest.approx(1.0)
    assert set(finite) == {1, 3}


def test_wrapper_takes_an_analysis(stand_in, clipped):
    analysis = analyze(stand_in, L, 0.5, ALPHA)
    result = predict(analysis, stand_in, NOISE, eta=1e-3, x0=0.3)
    np.testing.assert_allclose(result.rates.q, clipped.rates.q, rtol=1e-3)
    assert result.start_field == 2


def test_chains_from_rates_directly(clipped):
    chains = limiting_chains(clipped.rates.q_matrix, clipped.rates.l_star, clipped.classes)
    np.testing.assert_allclose(chains[0].generator, clipped.chains[0].generator)

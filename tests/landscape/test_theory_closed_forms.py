"""Closed forms of THEORY.md 3-5 and 9 (l* = 1), the noise tails and "no clipping"."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from landscape import AnalysisError
from landscape.rates import exit_rates, one_jump_rates
from landscape.tails import (
    abs_quantile,
    is_heavy_tailed,
    tail_index,
    tail_probability,
)
from landscape.theory import (
    clip_threshold,
    effective_width,
    exit_exponent,
    jumps,
    parse_clip_threshold,
    structure_for_widths,
    surviving_minima,
    time_scale,
)

# the polynomial stand-in's rounded critical points (THEORY.md 6)
MINIMA = (-1.51, -0.66, 0.49, 1.32)
MAXIMA = (-1.3, 0.2, 0.7)
ALPHA = 1.2


@pytest.mark.parametrize("spelling", [None, False, math.inf, float("inf"), "inf", "INF",
                                      " inf ", "none", "Infinity", "off", ""])
def test_the_edge_parser_reads_every_spelling_of_no_clipping_as_inf(spelling):
    assert parse_clip_threshold(spelling) == math.inf


def test_inside_the_code_no_clipping_is_only_inf():
    assert clip_threshold(math.inf) == math.inf and clip_threshold(0.5) == 0.5
    assert parse_clip_threshold("0.5") == 0.5 == parse_clip_threshold(0.5)
    for other_spelling in (None, False, "inf", "none"):
        with pytest.raises(AnalysisError, match="b must be"):
            clip_threshold(other_spelling)


@pytest.mark.parametrize("bad", [0, -1, "abc", float("nan"), True, [0.5]])
def test_bad_clipping_threshold_is_refused(bad):
    with pytest.raises(AnalysisError, match="b must be"):
        clip_threshold(bad)
    with pytest.raises(AnalysisError, match="b must be"):
        parse_clip_threshold(bad)


def test_simulate_uses_the_same_no_clipping_spelling():
    from simulate import _common
    from simulate.errors import SimulationError

    for spelling in (None, False, "inf", math.inf):
        assert _common.parse_clip_threshold(spelling) == math.inf
    assert _common.clip_threshold(math.inf) == math.inf
    assert _common.clip_threshold(0.5) == 0.5
    with pytest.raises(SimulationError, match="clipping threshold"):
        _common.clip_threshold(-2)
    with pytest.raises(SimulationError, match="clipping threshold"):
        _common.clip_threshold(None)


def test_width_jump_numbers_and_exponents():
    assert effective_width(-0.66, -1.3, 0.2) == pytest.approx(0.64)
    assert effective_width(1.32, 0.7, None) == pytest.approx(0.62)   # +inf side not counted
    assert effective_width(0.0, None, None) == math.inf
    assert jumps(0.64, 0.5) == 2 and jumps(0.64, math.inf) == 1 and jumps(math.inf, 0.5) == 0
    assert exit_exponent(1.2, 1) == pytest.approx(1.2)
    assert exit_exponent(1.2, 2) == pytest.approx(1.4)       # the paper's Fig. 4 slopes
    assert exit_exponent(1.2, 0) == math.inf
    H = 1e-4
    assert time_scale(H, 1e-3, 1) == H
    assert time_scale(H, 1e-3, 3) == pytest.approx(H * (H / 1e-3) ** 2)


def test_paper_figure_3_worked_example():
    # s_2 - m_2 = 0.9, m_2 - s_1 = 0.6 (THEORY.md 4)
    minima, maxima = (-1.0, 0.0, 1.2), (-0.6, 0.9)
    at_05 = structure_for_widths(minima, maxima, 0.5)
    assert at_05.l_star[1] == 2 and at_05.irreducible
    at_04 = structure_for_widths(minima, maxima, 0.4)
    assert at_04.jump_matrix[1, 0] == 2 == at_04.l_star[1] and at_04.jump_matrix[1, 2] == 3
    assert [(c.members, c.absorbing) for c in at_04.classes] == [((0, 1), True), ((2,), False)]
    assert surviving_minima(at_04.classes) == (1,)


@pytest.mark.parametrize("family, alpha, heavy", [
    ("pareto", 1.2, True), ("pareto1", 1.5, True), ("student-t", 3.0, True),
    ("stable", 1.5, True), ("stable", 2.0, False), ("gaussian", None, False),
    ("uniform", None, False), ("none", None, False), ("pareto", 0.9, False),
    ("pareto", None, False)])
def test_single_heavy_tail_predicate(family, alpha, heavy):
    assert is_heavy_tailed(family, alpha) is heavy
    assert (tail_index(family, alpha) == alpha) if heavy else tail_index(family, alpha) is None


def test_simulate_noise_uses_the_predicate():
    from simulate import Noise

    assert Noise("stable", 2.0, 0.1).heavy is False
    assert Noise("student-t", 3.0, 0.1).tail_index == 3.0


def test_tails_closed_forms():
    # the paper's noise: H(x) = (1 + 10 x)^-alpha (THEORY.md 9)
    assert tail_probability("pareto", 1.2, 0.1, 1000.0) == pytest.approx(10001.0 ** -1.2)
    assert tail_probability("pareto1", 1.2, 0.1, 0.05) == 1.0
    assert tail_probability("pareto1", 1.2, 0.1, 10.0) == pytest.approx(100.0 ** -1.2)
    assert tail_probability("gaussian", None, 2.0, 2.0) == pytest.approx(2 * stats.norm.sf(1))
    assert tail_probability("student-t", 3.0, 0.5, 1.0) == pytest.approx(2 * stats.t.sf(2, 3))
    assert tail_probability("uniform", None, 2.0, 0.5) == pytest.approx(0.75)
    assert tail_probability("none", None, 0.0, 0.5) == 0.0
    # stable: scipy below the switch, the two-term tail series above; they meet
    below = tail_probability("stable", 1.5, 1.0, 99.0)
    above = tail_probability("stable", 1.5, 1.0, 101.0)
    assert below == pytest.approx(2 * stats.levy_stable.sf(99.0, 1.5, 0.0), rel=1e-6)
    assert above / below == pytest.approx((99 / 101) ** 1.5, rel=1e-3)


@pytest.mark.parametrize("family, alpha", [("pareto", 1.2), ("pareto1", 1.4),
                                           ("student-t", 2.5), ("gaussian", None),
                                           ("uniform", None), ("stable", 1.5)])
def test_quantile_inverts_the_tail(family, alpha):
    tails = np.array([0.9, 0.3, 1e-2, 1e-4])
    x = abs_quantile(family, alpha, 0.1, tails)
    rel = 5e-3 if family == "stable" else 1e-9
    np.testing.assert_allclose(tail_probability(family, alpha, 0.1, x), tails, rtol=rel)


@pytest.mark.parametrize("family, alpha", [("pareto", 1.2), ("student-t", 1.5),
                                           ("stable", 1.5), ("gaussian", None),
                                           ("uniform", None)])
def test_tails_match_the_simulator_draws(family, alpha):
    """H of each family is the tail of the noise the kernels draw (same parameters)."""
    from simulate import draw_noise, make_noise

    draws = np.abs(draw_noise(make_noise(family, alpha, 0.1), 200_000, seed=7)[0])
    for x in (0.05, 0.2, 1.0):
        predicted = tail_probability(family, alpha, 0.1, x)
        observed = float(np.mean(draws > x))
        sd = math.sqrt(max(predicted * (1 - predicted), 1e-12) / draws.size)
        assert abs(observed - predicted) <= 5 * sd + 1e-6, (family, x, observed, predicted)


def test_one_jump_closed_form_unclipped():
    # q_2 = p (s_2 - m_2)^-alpha + p (m_2 - s_1)^-alpha = 1.453 (THEORY.md 9)
    rates = one_jump_rates(-0.66, MAXIMA, math.inf, ALPHA, own=1)
    assert rates.sum() == pytest.approx(0.5 * (0.86 ** -ALPHA + 0.64 ** -ALPHA))
    assert rates.sum() == pytest.approx(1.453, abs=1e-3)
    assert rates[0] == pytest.approx(0.5 * 0.64 ** -ALPHA)
    assert rates[2] == pytest.approx(0.5 * (0.86 ** -ALPHA - 1.36 ** -ALPHA))
    assert rates[3] == pytest.approx(0.5 * 1.36 ** -ALPHA)     # all beyond s_3, wall included


def test_one_jump_closed_form_with_clipping_atoms():
    # from m_3 = 0.49 with b = 0.5: left needs 0.29 (atom at 0.5 lands in Omega_2),
    # right needs 0.21 (the atom at 0.99 lands in Omega_4)
    rates = one_jump_rates(0.49, MAXIMA, 0.5, ALPHA, own=2)
    assert rates[1] == pytest.approx(0.5 * 0.29 ** -ALPHA)
    assert rates[3] == pytest.approx(0.5 * 0.21 ** -ALPHA)
    assert rates[0] == 0.0                # Omega_1 needs a jump of 1.79 > b
    assert rates.sum() == pytest.approx(5.462, abs=1e-3)


def test_wall_keeps_landings_in_the_outer_field():
    # from m_4 = 1.32 the right wall at 1.6 is 0.28 away: a jump beyond stays in Omega_4
    rates = one_jump_rates(1.32, MAXIMA, math.inf, ALPHA, own=3)
    assert rates[3] == 0.0
    assert rates[:3].sum() == pytest.approx(0.5 * 0.62 ** -ALPHA)


def test_rates_vanish_exactly_off_the_typical_graph():
    from landscape import parse_formula
    from landscape.presets import polynomial_from_critical_points

    land = parse_formula(polynomial_from_critical_points(
        ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32"), 5))
    for b in (math.inf, 0.5, 0.3):
        rates = exit_rates(MINIMA, MAXIMA, 1.6, b, land.df, ALPHA)
        graph = structure_for_widths(MINIMA, MAXIMA, b)
        positive = {(i, j) for i in range(4) for j in range(4) if rates.q_matrix[i, j] > 0}
        assert positive == set(graph.edges), b


def test_b_ranges_that_keep_the_wide_minima():
    from landscape import parse_formula
    from landscape.presets import polynomial_from_critical_points
    from landscape.sweep import b_ranges_keeping, lost_minima, sweep

    land = parse_formula(polynomial_from_critical_points(
        ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32"), 5))
    intervals = sweep(land, 1.6, 0.1, 2.0)
    ranges = b_ranges_keeping(intervals, {1, 3})
    # b = 0.5 (the paper's) keeps m_2, m_4; b = 0.35 loses m_4 (issue 10)
    assert any(low < 0.5 < high for low, high in ranges)
    assert not any(low < 0.35 < high for low, high in ranges)
    at_035 = next(iv for iv in intervals if iv.b_low < 0.35 < iv.b_high)
    assert lost_minima(at_035, {1, 3}) == (3,)
    for (_, high), (low, _) in itertools.pairwise(ranges):
        assert high < low                          # merged: no two ranges touch
    for low, high in ranges:
        for interval in intervals:
            if low <= interval.b_low and interval.b_high <= high:
                assert set(interval.surviving) == {1, 3}

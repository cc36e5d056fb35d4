"""Noise draws: laws (KS), tails (Hill), the stream contract, fast log/exp."""

import math

import numpy as np
import pytest
from scipy import stats

from simulate import Noise, SimulationError, draw_noise, make_noise, seed_states
from tests.support import naive_simulate as naive

N = 20_000
P_MIN = 1e-3      # fixed seeds: a correct sampler passes with p >= 0.001


def _z(noise, n=N, seed=7):
    return draw_noise(noise, n, seed=seed)[0]


def _symmetric_lomax_cdf(x, alpha, scale):
    x = np.asarray(x) / scale
    tail = 0.5 * (1.0 + np.abs(x)) ** (-alpha)
    return np.where(x < 0, tail, 1.0 - tail)


@pytest.mark.parametrize("alpha,scale", [(1.2, 0.1), (1.8, 2.0)])
def test_pareto_law(alpha, scale):
    z = _z(Noise("pareto", alpha, scale))
    assert stats.kstest(z, lambda v: _symmetric_lomax_cdf(v, alpha, scale)).pvalue > P_MIN
    # |Z| / scale ~ Lomax(alpha)
    assert stats.kstest(np.abs(z) / scale, stats.lomax(alpha).cdf).pvalue > P_MIN
    assert abs(np.mean(z > 0) - 0.5) < 0.02


def test_pareto_tail_index_hill():
    alpha = 1.2
    z = np.abs(_z(Noise("pareto", alpha, 0.1), n=200_000))
    k = 2000
    top = np.sort(z)[-k - 1:]
    hill = 1.0 / np.mean(np.log(top[1:] / top[0]))
    # Lomax is Pareto(alpha) shifted by one scale: the top order stats are far
    # out, Hill's standard error is alpha / sqrt(k) ~ 0.027
    assert abs(hill - alpha) < 0.1


def _symmetric_pareto1_cdf(x, alpha, scale):
    """P(Z <= x) for Z = scale * U * W, W ~ Pareto type I (W >= 1), U = +-1."""
    a = np.maximum(np.abs(np.asarray(x)) / scale, 1.0)
    tail = 0.5 * a ** (-alpha)
    return np.where(np.asarray(x) < 0, tail, 1.0 - tail)


@pytest.mark.parametrize("alpha,scale", [(1.2, 0.1), (1.8, 2.0)])
def test_pareto1_law(alpha, scale):
    z = _z(Noise("pareto1", alpha, scale))
    assert stats.kstest(z, lambda v: _symmetric_pareto1_cdf(v, alpha, scale)).pvalue > P_MIN
    # |Z| / scale ~ Pareto type I(alpha) (scipy's pareto), never below 1
    assert stats.kstest(np.abs(z) / scale, stats.pareto(alpha).cdf).pvalue > P_MIN
    assert np.abs(z).min() >= scale
    assert abs(np.mean(z > 0) - 0.5) < 0.02
    # and it is not the Lomax law (the test can tell the two types apart)
    assert stats.kstest(np.abs(z) / scale, stats.lomax(alpha).cdf).pvalue < 1e-6


def test_pareto1_is_lomax_plus_one_on_the_same_stream():
    """Both types use one draw per step from the same uniform: W_I = W_II + 1."""
    z1 = draw_noise(Noise("pareto1", 1.2, 1.0), 500, seed=3)[0]
    z2 = draw_noise(Noise("pareto", 1.2, 1.0), 500, seed=3)[0]
    np.testing.assert_allclose(np.abs(z1), np.abs(z2) + 1.0, rtol=1e-13)
    np.testing.assert_array_equal(np.sign(z1), np.sign(z2))


def test_gaussian_law():
    z = _z(Noise("gaussian", None, 1.5))
    assert stats.kstest(z, stats.norm(scale=1.5).cdf).pvalue > P_MIN


def test_student_t_law():
    z = _z(Noise("student-t", 2.5, 0.3))
    assert stats.kstest(z, stats.t(df=2.5, scale=0.3).cdf).pvalue > P_MIN


def test_stable_law_alpha2_is_gaussian():
    z = _z(Noise("stable", 2.0, 1.0))
    assert stats.kstest(z, stats.norm(scale=math.sqrt(2.0)).cdf).pvalue > P_MIN


def test_stable_law_against_scipy_samples():
    z = _z(Noise("stable", 1.5, 0.5), n=5000)
    ref = stats.levy_stable(1.5, 0.0, scale=0.5).rvs(size=5000, random_state=np.random.default_rng(3))
    assert stats.ks_2samp(z, ref).pvalue > P_MIN


def test_uniform_law_and_none():
    z = _z(Noise("uniform", None, 0.25))
    assert stats.kstest(z, stats.uniform(loc=-0.25, scale=0.5).cdf).pvalue > P_MIN
    assert np.all(_z(Noise("none"), n=100) == 0.0)


@pytest.mark.parametrize("noise", [Noise("pareto", 1.2, 0.1), Noise("pareto1", 1.5, 0.2),
                                   Noise("gaussian", None, 1.0),
                                   Noise("student-t", 3.0, 0.5), Noise("stable", 1.5, 0.1),
                                   Noise("uniform", None, 2.0)])
def test_stream_matches_reference(noise):
    """The kernel's draws are the documented stream (naive_simulate re-implements it)."""
    got = draw_noise(noise, 300, seed=11, paths=3)
    for p in range(3):
        ref = naive.draws(noise.family, noise.alpha, noise.scale, 300, seed=11, path=p)
        np.testing.assert_allclose(got[p], ref, rtol=1e-12, atol=1e-300)


def test_seed_states_match_reference():
    st = seed_states(123, 4, stream=2)
    for p in range(4):
        assert [int(v) for v in st[p, :4]] == naive.seed_state(123, p, stream=2)


def test_fast_log_exp_accuracy():
    from numba import njit

    from simulate._jit import fast_exp, fast_log

    @njit
    def both(x, out1, out2):
        for i in range(x.size):
            out1[i] = fast_log(x[i])
            out2[i] = fast_exp(-out1[i] / 1.2)

    x = np.concatenate([np.random.default_rng(0).random(100_000), [2.0**-52, 1.0, 0.5, 1e-300]])
    x = x[x > 0]
    l1, e1 = np.empty_like(x), np.empty_like(x)
    both(x, l1, e1)
    np.testing.assert_allclose(l1, np.log(x), rtol=4e-15, atol=1e-15)
    # u >= 2**-52 in the kernels; the relative error of exp(y) grows like |y| * eps
    np.testing.assert_allclose(e1, x ** (-1 / 1.2), rtol=5e-14)


@pytest.mark.parametrize("family,alpha,scale", [
    ("pareto", 1.0, 0.1), ("pareto", 0.5, 0.1), ("pareto", None, 0.1), ("pareto", 1.2, 0.0),
    ("pareto1", 1.0, 0.1), ("pareto1", None, 0.1), ("pareto1", 1.5, -1.0),
    ("stable", 2.5, 0.1), ("stable", 1.0, 0.1), ("student-t", 0.9, 1.0), ("gaussian", None, -1.0),
    ("gaussian", None, math.inf), ("cauchy", None, 1.0)])
def test_bad_noise_parameters(family, alpha, scale):
    with pytest.raises(SimulationError):
        Noise(family, alpha, scale).validate()


def test_make_noise_defaults():
    assert make_noise("pareto") == Noise("pareto", 1.2, 0.1)
    assert make_noise("gaussian", alpha=3.0) == Noise("gaussian", None, 1.0)
    p1 = make_noise("pareto1")
    assert p1 == Noise("pareto1", 1.2, 0.1)
    assert p1.label == "Pareto I" and p1.heavy and p1.tail_index == 1.2
    assert make_noise("pareto").label == "Pareto II (Lomax)"


def test_simulator_and_theory_know_the_same_families():
    from landscape import tails
    from simulate import config

    assert set(config.FAMILIES) == set(tails.FAMILIES)
    assert set(config.FAMILY_LABELS) == set(config.FAMILIES)

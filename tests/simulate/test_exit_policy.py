"""One exit-study policy (simulate.exit_caps) for the pages, the command line and the studies:
step caps from the theory's mean exit time, censored means, the log-log slope; the noise
tails it uses (Pareto I among them) against their closed forms; the paper's Fig. 4 on the
command line with no censored run."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import landscape
import simulate
from landscape.tails import tail_probability
from simulate.config import EXIT_CAP_FACTOR as CAP_FACTOR
from simulate.config import MAX_AUTO_CAP, MIN_AUTO_CAP, NO_PREDICTION_CAP
from simulate.exit_caps import (
    censored_mean,
    fit_exit_slope,
    predicted_exit_means,
    step_cap,
)
from simulate.study_spec import load_spec

REPO = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------- tails H(x)
@pytest.mark.parametrize("alpha, scale", [(1.2, 0.1), (1.5, 1.0), (1.9, 0.3)])
def test_tails_match_their_closed_forms(alpha, scale):
    x = np.array([2 * scale, 10 * scale, 1e4 * scale])
    # Pareto type I, W >= 1: P(scale W > x) = (x / scale)^-alpha above the scale
    assert tail_probability("pareto1", alpha, scale, x) == pytest.approx((x / scale) ** -alpha,
                                                                          rel=1e-12)
    assert float(tail_probability("pareto1", alpha, scale, 0.5 * scale)) == pytest.approx(1.0)
    # Lomax (Pareto type II): (1 + x / scale)^-alpha
    assert tail_probability("pareto", alpha, scale, x) == pytest.approx((1 + x / scale) ** -alpha,
                                                                         rel=1e-12)


# ----------------------------------------------------------------- step caps
def test_step_cap_is_25_predicted_means_within_bounds():
    assert step_cap(1e6).steps == 25_000_000 and step_cap(1e6).source == "theory"
    assert step_cap(10.0).steps == MIN_AUTO_CAP
    assert step_cap(1e12).steps == MAX_AUTO_CAP
    none = step_cap(None)
    assert (none.steps, none.source, none.predicted_mean) == (NO_PREDICTION_CAP, "default", None)
    assert step_cap(math.inf).source == "default"
    user = step_cap(1e6, 123)                      # the user's cap wins
    assert (user.steps, user.source, user.predicted_mean) == (123, "user", 1e6)


def test_censored_mean_is_steps_run_over_exits():
    t = np.array([10, 30, 100, 100])
    assert censored_mean(t, np.array([0, 0, 1, 1], bool)) == pytest.approx(240 / 2)
    assert censored_mean(t, np.zeros(4, bool)) == pytest.approx(t.mean())
    assert math.isnan(censored_mean(t, np.ones(4, bool)))


def test_slope_fit_recovers_a_power_law_and_leaves_out_fully_censored_etas():
    etas = np.array([0.1, 0.01, 0.001, 1e-4])
    means = 3.0 * (1 / etas) ** 1.4
    fit = fit_exit_slope(etas, means)
    assert fit.slope == pytest.approx(1.4) and fit.points == 4
    means[-1] = 5.0                       # a lower bound: every sample hit the cap
    fit = fit_exit_slope(etas, means, censored=[0, 0, 3, 20], samples=[20] * 4)
    assert list(fit.used) == [True, True, True, False]
    assert fit.slope == pytest.approx(1.4)
    assert math.isnan(fit_exit_slope(etas[:1], means[:1]).slope)


# ------------------------------------------------ one policy, page / CLI / study
def _paper():
    return landscape.load_landscape(landscape.PRESETS[landscape.DEFAULT_PRESET].source)


def test_pareto1_study_cap_is_25_theory_means():
    """A study cell's cap with Pareto I noise equals 25 / (q lambda(eta)), lambda from the
    closed form (x / scale)^-alpha: the old second copy of H used the stable law's constant."""
    alpha, scale, eta, b = 1.2, 0.1, 1e-3, 0.5
    spec = load_spec(f"""
kind = "exit-times"
expr = "paper-fig2"
x0 = -0.7
samples = 2
b = {b}
eta = {eta}
[noise]
family = "pareto1"
alpha = {alpha}
scale = {scale}
""")
    (cell,) = spec.cells
    land = _paper()
    analysis = landscape.analyze(land, 1.6, b, alpha)
    rates = landscape.predict(analysis, land, ("pareto1", alpha, scale)).rates
    h = (1.0 / eta / scale) ** -alpha                 # H(1/eta), Pareto I, closed form
    assert cell.l_star == 2 == rates.l_star[1]
    mean = 1.0 / (rates.q[1] * h * (h / eta))          # 1/(q lambda), l* = 2
    assert cell.theory_scale == pytest.approx(mean, rel=1e-9)
    assert cell.max_steps == math.ceil(CAP_FACTOR * mean)
    assert cell.max_steps_source == "theory"


def test_library_and_page_size_caps_alike():
    from dashboard import exitrun

    land = _paper()
    etas = [0.01, 0.001]
    means = predicted_exit_means(land, 1.6, 0.5, simulate.PAPER_HEAVY, 1, etas)
    study = simulate.exit_study(land, 1.6, etas, simulate.PAPER_HEAVY, b=0.5, x0=-0.7,
                                samples=3, seed=1)
    assert [c.steps for c in study.caps] == [step_cap(m).steps for m in means]
    assert exitrun.step_cap is step_cap


@pytest.mark.slow
def test_command_line_fig4_has_no_censored_run():
    """python -m simulate exit-study on the paper's Fig. 4 (b = 0.5, 20 runs per eta down to
    1e-4, seed 5) sizes its caps from the theory: no censored run, slope near 2 alpha - 1."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-m", "simulate", "exit-study", "--x0", "-0.7", "--b", "0.5",
         "--samples", "20", "--etas", "0.1,0.03,0.01,0.003,0.001,0.0003,0.0001",
         "--seed", "5", "--json"], cwd=REPO, env=env, capture_output=True, text=True, check=False,
        timeout=600)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["censored"] == [0] * 7
    assert set(res["max_steps_source"]) == {"theory"}
    assert res["max_steps"][-1] > 1e8           # the old fixed cap censored eta = 1e-4
    assert res["slope"] == pytest.approx(1.4, abs=0.15)

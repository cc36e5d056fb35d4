"""Tail-index estimators on samples of laws of known alpha (fixed seeds, tolerance 0.15).

The issue's test: ONE sample of ``N`` = 20,000 of each family (symmetric Lomax, Student-t,
symmetric stable) at alpha 1.2, 1.5, 1.8, seed by seed. For each case and estimator, of the
``SEEDS`` (6 fixed seeds), at most one estimate is off by more than 0.15 (none by more than
``WORST``), and the 95 % interval covers alpha for at least 4 of them. Measured on other seeds
(``bench/bench_tails.py``, 20 seeds a case) the estimators miss 0.15 in 0-15 % of samples
except in the two cases marked as strict expected failures below, with the measured numbers.
Samples and estimates are cached (functools.cache) and reused across tests.
"""

import json
from functools import cache

import numpy as np
import pytest
from scipy.stats import levy_stable, t

from landscape.tails import abs_quantile
from networks.cli import main
from networks.tails import (
    CORRECTION_EXPONENT,
    TailIndexError,
    default_hill_k,
    estimate,
    fit_block_identity,
    hill,
    mohammadi,
)

N_NETWORK = 32 * 3_350
N = 20_000
TOLERANCE = 0.15
#: No single estimate of a passing case is off by more than this.
WORST = 0.25
ALPHAS = (1.2, 1.5, 1.8)
SEEDS = range(20, 26)


def lomax(alpha, seed, n=N):
    """Symmetric Lomax (the "pareto" family of landscape.tails), scale 1."""
    rng = np.random.default_rng(seed)
    return abs_quantile("pareto", alpha, 1.0, 1.0 - rng.random(n)) * rng.choice((-1.0, 1.0), n)


_SAMPLERS = {
    "lomax": lomax,
    "student-t": lambda alpha, seed, n=N: t.rvs(alpha, size=n, random_state=seed),
    "stable": lambda alpha, seed, n=N: levy_stable.rvs(alpha, 0.0, size=n, random_state=seed),
}


@cache
def _sample(family, alpha, seed, n):
    sample = _SAMPLERS[family](alpha, seed, n)
    sample.flags.writeable = False
    return sample


class _Cached:
    """``SAMPLERS[family](alpha, seed, n)``: the cached, read-only sample."""

    def __init__(self, family):
        self.family = family

    def __call__(self, alpha, seed, n=N):
        return _sample(self.family, alpha, seed, n)


SAMPLERS = {family: _Cached(family) for family in _SAMPLERS}
CASES = [(family, alpha) for family in SAMPLERS for alpha in ALPHAS]
#: Cases an estimator misses at 20,000 samples (measured over 20 seeds, bench/bench_tails.py).
KNOWN_MISSES = {
    ("hill", "stable", 1.8): "a symmetric stable law near alpha = 2 has its power tail only in "
    "the largest ~1 % of the samples: the corrected Hill estimator reads 1.8 as 1.8 +0.17 +- 0.25 "
    "(mean +- sd over 20 seeds, bench/bench_tails.py), 11 of 20 off by more than 0.15",
    ("mohammadi", "student-t", 1.8): "the block sums of Student-t near alpha = 2 approach the "
    "stable law as K^-0.11, nearly collinear with log K: the corrected block-sum estimator "
    "reads 1.8 as 1.8 -0.14 +- 0.06 (20 seeds, bench/bench_tails.py), 9 of 20 off by more "
    "than 0.15",
}


@cache
def _estimates(estimator, family, alpha):
    return tuple(estimate(SAMPLERS[family](alpha, seed), estimator, **(
        {"seed": seed} if estimator == "mohammadi" else {})) for seed in SEEDS)


def _covers(result, alpha):
    return result.ci[0] <= alpha <= result.ci[1]


def _case_params():
    for estimator in ("hill", "mohammadi"):
        for family, alpha in CASES:
            reason = KNOWN_MISSES.get((estimator, family, alpha))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(estimator, family, alpha, marks=marks, id=f"{estimator}-{family}-{alpha}")


@pytest.mark.parametrize("estimator, family, alpha", list(_case_params()))
def test_one_sample_of_20000_is_within_tolerance_seed_by_seed(estimator, family, alpha):
    results = _estimates(estimator, family, alpha)
    errors = np.array([result.alpha - alpha for result in results])
    assert np.sum(np.abs(errors) > TOLERANCE) <= 1 and np.all(np.abs(errors) < WORST), errors
    assert sum(_covers(result, alpha) for result in results) >= 4, [r.ci for r in results]


def test_corrected_hill_states_the_k_it_chose():
    results = _estimates("hill", "student-t", 1.5)
    assert all(r.corrected and 2 <= r.k <= default_hill_k(N) for r in results)
    assert default_hill_k(N) == 8_000 and default_hill_k(N, corrected=False) == 200
    fixed = hill(SAMPLERS["student-t"](1.5, 20), k=3_000)
    assert fixed.k == 3_000 and abs(fixed.alpha - 1.5) < TOLERANCE


def test_block_identity_fit_keeps_the_finite_block_term_only_where_it_shows():
    """m(K) = c + (1/alpha) log K (+ A K^-r): the slope back exactly, with or without the term."""
    sizes, variances = 2.0 ** np.arange(10), np.full(10, 1e-6)
    line = 0.3 + np.log(sizes) / 1.5
    assert fit_block_identity(sizes, line, variances) == pytest.approx(1 / 1.5, abs=1e-9)
    curved = line + 0.5 * sizes ** -CORRECTION_EXPONENT
    assert fit_block_identity(sizes, curved, variances) == pytest.approx(1 / 1.5, abs=1e-9)
    faint = line + 1e-4 * sizes ** -CORRECTION_EXPONENT      # A within 2 standard errors of 0
    slope = fit_block_identity(sizes, faint, variances)
    assert slope != pytest.approx(1 / 1.5, abs=1e-9) and slope == pytest.approx(1 / 1.5, abs=1e-4)


def test_corrected_hill_fits_only_the_nonzero_magnitudes():
    """Zeros (a gradient coordinate that does not vary) leave the tail alone."""
    samples = SAMPLERS["student-t"](1.5, 20).copy()
    samples[::3] = 0.0
    result = hill(samples)
    assert abs(result.alpha - 1.5) < TOLERANCE and result.k < (2 * N) // 3


@pytest.mark.parametrize("family, alpha", [("lomax", 1.5), ("student-t", 1.2), ("stable", 1.5)])
def test_mohammadi_at_the_networks_sample_size(family, alpha):
    """``networks.measures.noise_tail_index`` gets 107,200 coordinates at the defaults."""
    result = mohammadi(SAMPLERS[family](alpha, 11, N_NETWORK), seed=12)
    assert abs(result.alpha - alpha) < TOLERANCE and _covers(result, alpha), result


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
    classical = mohammadi(samples, bootstrap=0, corrected=False).alpha
    corrected = mohammadi(samples, bootstrap=0).alpha
    assert classical < 1.1 and abs(corrected - 1.2) < min(TOLERANCE, abs(classical - 1.2))


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

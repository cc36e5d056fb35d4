"""Accuracy of the tail-index estimators over seeds: bias, spread, misses and interval coverage.

    .venv/bin/python bench/bench_tails.py                           # 20 seeds at 20,000 (~1 min idle)
    .venv/bin/python bench/bench_tails.py --seeds 0 4               # 4 seeds at 107,200
    .venv/bin/python bench/bench_tails.py --estimators hill --families stable   # a part (< 1 min)
    .venv/bin/python bench/bench_tails.py --json

For each law (symmetric Lomax, Student-t, symmetric stable), alpha in {1.2, 1.5, 1.8},
estimator (corrected Hill, corrected block-sum) and sample size (the issue's 20,000; the
107,200 coordinates of the default network's gradient noise): the mean error, its standard
deviation over seeds, the share of estimates off by more than 0.15 and the share of 95 %
intervals that cover alpha. Seeds 900, 901, ... (the tests use 11, 12 and 20-25; the
estimators' settings were chosen on seeds 500-519, 600-615 and 700-715).

Measured 2026-12-07 (2 shared cores under load; in parts of under a minute, ``--estimators``
and ``--families``): error mean/sd, estimates off by more than 0.15, 95 % intervals covering
alpha. "Before": the former defaults (Hill's bias fitted on a fixed 6 % with k = 3 %; the
block-sum correction A K^-r with r profiled), "after": the present ones (networks/tails.py),
20 seeds at 20,000 samples, 4 at 107,200:

| law, alpha | Hill before | Hill after | Hill after, 107,200 | block-sum before | block-sum after | block-sum after, 107,200 |
|---|---|---|---|---|---|---|
| Lomax 1.2 | +0.03/0.08, 2/20, 20/20 | +0.01/0.05, 0/20, 19/20 | +0.01/0.03, 0/4, 3/4 | +0.02/0.09, 2/20, 20/20 | +0.07/0.04, 1/20, 15/20 | +0.07/0.02, 0/4, 1/4 |
| Lomax 1.5 | +0.02/0.10, 2/20, 20/20 | -0.01/0.06, 0/20, 19/20 | -0.02/0.03, 0/4, 4/4 | -0.04/0.12, 4/20, 20/20 | +0.03/0.05, 0/20, 20/20 | +0.03/0.03, 0/4, 3/4 |
| Lomax 1.8 | +0.00/0.11, 4/20, 20/20 | -0.06/0.07, 3/20, 17/20 | -0.07/0.04, 0/4, 1/4 | -0.16/0.14, 12/20, 20/20 | -0.07/0.05, 0/20, 20/20 | -0.07/0.03, 0/4, 3/4 |
| Student-t 1.2 | +0.01/0.13, 4/20, 17/20 | +0.04/0.07, 2/20, 15/20 | +0.00/0.01, 0/4, 4/4 | +0.02/0.08, 2/20, 18/20 | -0.03/0.06, 0/20, 19/20 | -0.01/0.01, 0/4, 4/4 |
| Student-t 1.5 | +0.04/0.18, 7/20, 18/20 | +0.03/0.09, 2/20, 17/20 | -0.01/0.02, 0/4, 4/4 | +0.02/0.14, 6/20, 19/20 | -0.05/0.08, 2/20, 18/20 | -0.06/0.01, 0/4, 3/4 |
| Student-t 1.8 | +0.01/0.20, 6/20, 18/20 | +0.04/0.10, 3/20, 18/20 | +0.01/0.02, 0/4, 4/4 | -0.08/0.14, 9/20, 20/20 | -0.14/0.06, 9/20, 11/20 | -0.14/0.02, 2/4, 0/4 |
| stable 1.2 | +0.02/0.10, 3/20, 19/20 | +0.02/0.05, 0/20, 19/20 | +0.01/0.03, 0/4, 3/4 | +0.00/0.07, 2/20, 19/20 | -0.00/0.04, 0/20, 19/20 | +0.00/0.01, 0/4, 4/4 |
| stable 1.5 | +0.03/0.12, 6/20, 19/20 | +0.05/0.07, 1/20, 16/20 | +0.01/0.04, 0/4, 4/4 | -0.01/0.09, 2/20, 20/20 | +0.01/0.04, 1/20, 19/20 | +0.00/0.01, 0/4, 4/4 |
| stable 1.8 | +0.12/0.15, 10/20, 18/20 | +0.17/0.25, 11/20, 13/20 | -0.01/0.06, 0/4, 4/4 | -0.01/0.09, 3/20, 20/20 | -0.00/0.02, 0/20, 20/20 | +0.00/0.01, 0/4, 4/4 |

Hill's spread halves (sd 0.05-0.10 against 0.08-0.20, stable 1.8 apart) and so do the block-sum estimator's
(0.02-0.08 against 0.07-0.14; on stable samples 0.02-0.04). Known misses at 20,000: Hill on
a stable law at 1.8 (its power tail starts in the largest ~1 %: no Hill-type estimator has
the order statistics for it at this size; at 107,200 it is within 0.06), and the block-sum
estimator on Student-t 1.8 (read 0.14 low at both sizes: the finite-block term K^-0.11 is
nearly collinear with log K; the former profiled form read it well at 107,200 but missed
Lomax 1.8 there instead). Interval coverage: Hill 13-20 of 20 (the delta-method interval
leaves out the bias left by the fit), the bootstrap interval of the block-sum estimator
15-20 of 20 except Student-t 1.8 (11 of 20).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import levy_stable, t

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landscape.tails import abs_quantile
from networks.tails import estimate

SIZES = (20_000, 32 * 3_350)
ALPHAS = (1.2, 1.5, 1.8)
TOLERANCE = 0.15


def lomax(alpha, n, seed):
    rng = np.random.default_rng(seed)
    return abs_quantile("pareto", alpha, 1.0, 1.0 - rng.random(n)) * rng.choice((-1.0, 1.0), n)


SAMPLERS = {
    "lomax": lomax,
    "student-t": lambda alpha, n, seed: t.rvs(alpha, size=n, random_state=seed),
    "stable": lambda alpha, n, seed: levy_stable.rvs(alpha, 0.0, size=n, random_state=seed),
}


def accuracy(estimator: str, family: str, alpha: float, n: int, seeds: int) -> dict:
    errors, covered = [], 0
    for seed in range(900, 900 + seeds):
        result = estimate(SAMPLERS[family](alpha, n, seed), estimator)
        errors.append(result.alpha - alpha)
        covered += result.ci[0] <= alpha <= result.ci[1]
    errors = np.array(errors)
    return {"estimator": estimator, "family": family, "alpha": alpha, "n": n, "seeds": seeds,
            "mean_error": float(errors.mean()), "sd": float(errors.std()),
            "misses": int(np.sum(np.abs(errors) > TOLERANCE)), "covered": covered}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=(20, 0), metavar=("AT_20000", "AT_107200"))
    parser.add_argument("--estimators", nargs="+", choices=("hill", "mohammadi"), default=("hill", "mohammadi"))
    parser.add_argument("--families", nargs="+", choices=tuple(SAMPLERS), default=tuple(SAMPLERS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    start, rows = time.perf_counter(), []
    for n, seeds in zip(SIZES, args.seeds):
        for estimator in args.estimators if seeds else ():
            for family in args.families:
                for alpha in ALPHAS:
                    row = accuracy(estimator, family, alpha, n, seeds)
                    rows.append(row)
                    if not args.json:
                        print(f"{estimator:<9} n={n:<7} {family:<9} {alpha}  error "
                              f"{row['mean_error']:+.3f} sd {row['sd']:.3f}  misses > {TOLERANCE}: "
                              f"{row['misses']}/{seeds}  interval covers: {row['covered']}/{seeds}",
                              flush=True)
    if args.json:
        print(json.dumps({"rows": rows, "seconds": time.perf_counter() - start}))
    else:
        print(f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

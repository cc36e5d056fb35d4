"""Accuracy of the tail-index estimators over seeds: bias, spread, misses and interval coverage.

    .venv/bin/python bench/bench_tails.py                 # 8 seeds at 20,000, 4 at 107,200 (~1 min idle)
    .venv/bin/python bench/bench_tails.py --seeds 16 8    # the figures below
    .venv/bin/python bench/bench_tails.py --json

For each law (symmetric Lomax, Student-t, symmetric stable), alpha in {1.2, 1.5, 1.8},
estimator (corrected Hill, corrected block-sum) and sample size (the issue's 20,000; the
107,200 coordinates of the default network's gradient noise): the mean error, its standard
deviation over seeds, the share of estimates off by more than 0.15 and the share of 95 %
intervals that cover alpha. Seeds 900, 901, ...

Measured (2026-12-06, 2 shared cores under load, 195 s; ``--seeds 16 8``): error mean/sd,
estimates off by more than 0.15, 95 % intervals covering alpha:

| law, alpha | Hill 20,000 | Hill 107,200 | block-sum 20,000 | block-sum 107,200 |
|---|---|---|---|---|
| Lomax 1.2 | +0.04/0.08, 2/16, 16/16 | +0.01/0.04, 0/8, 8/8 | +0.02/0.10, 2/16, 16/16 | +0.01/0.04, 0/8, 8/8 |
| Lomax 1.5 | +0.04/0.10, 2/16, 16/16 | -0.00/0.05, 0/8, 8/8 | -0.04/0.13, 4/16, 16/16 | -0.05/0.04, 0/8, 8/8 |
| Lomax 1.8 | +0.02/0.12, 4/16, 16/16 | -0.03/0.06, 0/8, 8/8 | -0.16/0.15, 10/16, 16/16 | -0.14/0.05, 3/8, 7/8 |
| Student-t 1.2 | -0.00/0.11, 3/16, 14/16 | -0.00/0.03, 0/8, 8/8 | -0.00/0.07, 1/16, 15/16 | -0.01/0.03, 0/8, 8/8 |
| Student-t 1.5 | +0.02/0.16, 6/16, 15/16 | -0.01/0.04, 0/8, 8/8 | +0.01/0.13, 5/16, 15/16 | -0.01/0.06, 0/8, 8/8 |
| Student-t 1.8 | -0.01/0.13, 4/16, 15/16 | +0.01/0.05, 0/8, 8/8 | -0.11/0.12, 7/16, 16/16 | +0.00/0.09, 0/8, 8/8 |
| stable 1.2 | +0.02/0.09, 2/16, 16/16 | +0.01/0.04, 0/8, 8/8 | -0.01/0.06, 1/16, 15/16 | +0.00/0.03, 0/8, 8/8 |
| stable 1.5 | +0.04/0.11, 4/16, 15/16 | -0.00/0.05, 0/8, 8/8 | -0.02/0.06, 1/16, 16/16 | +0.01/0.03, 0/8, 8/8 |
| stable 1.8 | +0.11/0.12, 8/16, 15/16 | +0.03/0.04, 0/8, 8/8 | -0.01/0.08, 2/16, 16/16 | +0.01/0.05, 0/8, 8/8 |

At 20,000 samples the standard error alone is 0.06-0.16, so "within 0.15" holds for a
share of seeds only, whatever the estimator; at 107,200 both estimators are within 0.15
on every seed except the block-sum estimator on Lomax 1.8 (its known miss).
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

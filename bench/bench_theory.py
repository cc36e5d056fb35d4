"""Benchmark of ``landscape.predict`` (issue 10: l* <= 2 under 1 s, l* = 3 under 5 s).

Run: ``.venv/bin/python bench/bench_theory.py [--json]``.

Workload: the polynomial stand-in of the paper's Fig. 2 (four fields), L = 1.6,
Pareto(1.2, 0.1) noise, eta = 1e-3, x0 = 0.3, at b = inf (l* = 1 everywhere),
b = 0.5 (l* = 1, 2, 1, 2) and b = 0.3, 0.305 (l* = 1, 3, 1, 3). Times the
prediction on an existing analysis (warm process, best of three), the analysis,
and the whole ``python -m landscape predict --json`` process (Python start-up,
imports and parsing included). The load average is printed first: on the
shared 2-core VM wall-clock figures depend on what else runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from landscape import analyze, parse_formula, predict
from landscape.presets import polynomial_from_critical_points

POINTS = ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32")
NOISE = ("pareto", 1.2, 0.1)
CASES = (("inf", None), ("0.5", 0.5), ("0.3", 0.3), ("0.305", 0.305))


def _best(function, repeats=3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    expr = polynomial_from_critical_points(POINTS, 5)
    land = parse_formula(expr)
    rows = []
    for text, b in CASES:
        analysis = analyze(land, 1.6, b, 1.2)
        seconds = _best(lambda a=analysis: predict(a, land, NOISE, eta=1e-3, x0=0.3))
        result = predict(analysis, land, NOISE, eta=1e-3, x0=0.3)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "landscape", "predict", "--expr", expr, "--L",
                        "1.6", "--b", text, "--noise", "pareto", "--alpha", "1.2", "--scale",
                        "0.1", "--eta", "1e-3", "--x0", "0.3", "--json"], cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True,
                       capture_output=True)
        process = time.perf_counter() - started
        rows.append({"b": text, "l_star": list(result.rates.l_star),
                     "predict_seconds": seconds, "cli_process_seconds": process})
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"load_average": load, "cases": rows}))
        return 0
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'b':>6} {'l*':<14} {'predict (warm)':>15} {'CLI process':>12}")
    for row in rows:
        print(f"{row['b']:>6} {row['l_star']!s:<14} {row['predict_seconds']:>14.3f}s "
              f"{row['cli_process_seconds']:>11.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The 2-D theory's mean exit times against the simulator (issue 18 item 7; THEORY.md 11).

Run one case at a time (each well under a minute on an idle core, the first
run of a formula also compiles its kernels)::

    .venv/bin/python bench/bench_plane_theory.py disc-l1      # b = 1, l* = 1
    .venv/bin/python bench/bench_plane_theory.py disc-l2-eps  # b = 0.5, l* = 2, eps = 0.05
    .venv/bin/python bench/bench_plane_theory.py himmelblau-l1 | himmelblau-l2 | himmelblau-segment
    .venv/bin/python bench/bench_plane_theory.py predict-timing

Each case prints, per eta, the samples, the censored ones, the simulated mean
first-exit time (steps run / exits), the predicted 1/(q lambda(eta)) and their
ratio. q is never fitted to the simulation: the finite-eta gap (THEORY.md 11:
0.5-0.75 for l* = 2 at eta 1e-2 to 1e-4) is shown as it is.
(eps = 0 is left out: its ring of maxima at |x| = rho is not yet analysed
as a curve, issue 18 item 1; tests/landscape/test_theory_plane.py checks its q on a
hand-made field map.) The disc: f = s/2 - s^2/(4 rho^2) + eps (x^2 - y^2)(2 rho^2 - s)/rho^4,
s = x^2 + y^2, rho = 0.8, ball R = 1, Lomax alpha 1.2 scale 0.1, start at 0.
The paper's modified Himmelblau (preset ``paper-himmelblau``): R = 4.2,
b = 2.15, Lomax alpha 1.2 scale 0.75; l* = 1 from the minimum of Omega_3,
l* = 2 from that of Omega_2 and from the middle of Omega_1's segment (q there is
the mean over the segment's points; the start is its middle).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import landscape
from landscape.plane_analysis import analyze_plane
from landscape.plane_presets import PLANE_PRESETS
from landscape.predict import predict_plane
from simulate.noise import make_noise
from simulate.plane_exits import plane_exit_study
from tests.support.plane_disc import disc_formula

CASES = {
    # name: (formula, R, b, scale, field chooser, etas, samples)
    "disc-l1": (disc_formula(0.05), 1.0, 1.0, 0.1, "origin", (1e-2, 1e-3, 3e-4), 200),
    "disc-l2-eps": (disc_formula(0.05), 1.0, 0.5, 0.1, "origin", (1e-2, 3e-3, 1e-3), 100),
    "himmelblau-l1": (PLANE_PRESETS["paper-himmelblau"].source, 4.2, 2.15, 0.75, 2,
                      (1e-2, 1e-3, 5e-4), 200),
    "himmelblau-l2": (PLANE_PRESETS["paper-himmelblau"].source, 4.2, 2.15, 0.75, 1,
                      (1e-2, 3e-3, 1e-3), 100),
    "himmelblau-segment": (PLANE_PRESETS["paper-himmelblau"].source, 4.2, 2.15, 0.75, 0,
                           (1e-2, 3e-3, 1e-3), 100),
}


def _field(analysis, chooser) -> int:
    if chooser == "origin":
        return analysis.field_of(0.0, 0.0)
    return int(chooser)


def run_case(name: str) -> None:
    formula, R, b, scale, chooser, etas, samples = CASES[name]
    land = landscape.load_landscape(formula)
    analysis = analyze_plane(land, R, b, 1.2)
    i = _field(analysis, chooser)
    started = time.perf_counter()
    prediction = predict_plane(analysis, ("pareto", 1.2, scale))
    rates = prediction.rates
    print(f"{name}: R = {R:g}, b = {b:g}, field {i + 1} (minimum "
          f"{analysis.fields[i].minimiser.to_json()}), l* = {rates.l_star[i]}, "
          f"q = {rates.q[i]:.4f} +- {rates.errors[i]:.4f} ({rates.methods[i]}, "
          f"{time.perf_counter() - started:.1f} s)")
    start = analysis.fields[i].minimiser.centre
    study = plane_exit_study(land, analysis, etas, make_noise("pareto", 1.2, scale), x0=start,
                             samples=samples, seed=0)
    print(f"{'eta':>8} {'samples':>7} {'censored':>8} {'simulated':>12} {'predicted':>12} "
          f"{'ratio':>6}")
    for eta, mean, cap, censored, result in zip(study.etas, study.mean_exit_times, study.caps,
                                                study.censored, study.results, strict=True):
        ratio = mean / cap.predicted_mean if math.isfinite(mean) else math.nan
        se = ratio / math.sqrt(max(1, samples - censored))
        print(f"{eta:>8g} {samples:>7} {censored:>8} {mean:>12.4g} {cap.predicted_mean:>12.4g} "
              f"{ratio:>6.2f} +- {se:.2f}  ({result.seconds:.1f} s)")
    slope = "n/a" if not math.isfinite(study.slope) else f"{study.slope:.2f}"
    print(f"slope {slope} (theory {study.predicted_slope:.2f})")


def predict_timing() -> None:
    preset = PLANE_PRESETS["paper-himmelblau"]
    land = landscape.load_landscape(preset.source)
    analysis = analyze_plane(land, preset.L, preset.b, 1.2)
    wall, cpu = time.perf_counter(), time.process_time()
    prediction = predict_plane(analysis, ("pareto", 1.2, 0.75), eta=5e-4, x0=(2.9, 1.0))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rates = prediction.rates
    print(f"paper-himmelblau predict (analysis cached): {wall:.2f} s wall, {cpu:.2f} s CPU; "
          f"l* = {list(rates.l_star)}")
    for i in range(len(rates.q)):
        print(f"  field {i + 1}: q = {rates.q[i]:.4f} +- {rates.errors[i]:.4f} "
              f"(over the set: {rates.q_low[i]:.4f} to {rates.q_high[i]:.4f}), "
              f"exits to {[round(float(p), 3) for p in rates.destinations(i)]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=[*CASES, "predict-timing"])
    args = parser.parse_args()
    if args.case == "predict-timing":
        predict_timing()
    else:
        run_case(args.case)


if __name__ == "__main__":
    main()

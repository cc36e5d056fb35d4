"""Benchmark of the simulate kernels on the paper's Fig. 1 workload.

Run: ``.venv/bin/python bench/bench_simulate.py [--quick] [--json]``.

Prints, in one run and side by side:

* single-core steps/s (numba, 1 thread) on the paper's landscape (Fig. 2
  stand-in) with Pareto(1.2, 0.1) noise, clipping b = 0.5, histogram on;
* the same on all cores (20 paths) and the scaling;
* the whole Fig. 1 workload (4 cases x 20 paths x 3,000,000 steps,
  eta = 0.001, x0 = 0.3, histograms and trajectory buffers on) in seconds;
* a plain NumPy implementation vectorised across the 20 paths (what a
  researcher writes without numba), on fewer steps, and the ratio;
* the time to make a new (non-polynomial) formula ready to run once the
  process is warm, and the step rate of that generic (cfunc) path.

Wall-clock figures on a shared machine vary with its load; the CPU time
of the single-core run is printed too (it is not inflated by waiting).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numba
import sympy as sp

from simulate import PAPER_HEAVY, Simulation, compile_gradient, four_way

L, ETA, B, X0 = 1.6, 0.001, 0.5, 0.3


def paper_landscape():
    """(landscape, boundaries): the paper-fig2 preset, or the THEORY 6 stand-in."""
    try:
        import landscape

        p = landscape.PRESETS["paper-fig2"]
        land = landscape.load_landscape(p.source)
        return land, tuple(landscape.analyze(land, p.L, B, 1.2).maxima)
    except Exception:  # noqa: BLE001 - the bench must run without landscape/
        x = sp.Symbol("x", real=True)

        class Land:
            dexpr = 5 * (x + 1.51) * (x + 1.3) * (x + 0.66) * (x - 0.2) * (x - 0.49) \
                * (x - 0.7) * (x - 1.32)
        return Land(), (-1.3, 0.2, 0.7)


def best_of(fn, reps):
    """min wall and CPU seconds of fn() over reps runs."""
    walls, cpus = [], []
    for _ in range(reps):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def numba_rate(land, bounds, threads, paths, steps, reps, noise=PAPER_HEAVY):
    numba.set_num_threads(threads)
    sims = []

    def run():
        s = Simulation(land, L, ETA, noise, b=B, x0=X0, paths=paths, boundaries=bounds)
        s.advance(steps)
        sims.append(s)

    wall, cpu = best_of(run, reps)
    return paths * steps / wall, paths * steps / cpu


def numpy_baseline(grad_np, bounds, paths, steps, seed=0):
    """Plain NumPy, vectorised across paths: Pareto noise, clip, wall, histogram, fields."""
    rng = np.random.default_rng(seed)
    x = np.full(paths, X0)
    bins = 200
    hist = np.zeros(bins, dtype=np.int64)
    field_steps = np.zeros(len(bounds) + 1, dtype=np.int64)
    s = np.asarray(bounds)
    t0 = time.perf_counter()
    for _ in range(steps):
        u = rng.random(paths)
        sign = np.where(rng.random(paths) < 0.5, -1.0, 1.0)
        z = 0.1 * sign * ((1.0 - u) ** (-1.0 / 1.2) - 1.0)
        w = np.clip(ETA * (grad_np(x) - z), -B, B)
        x = np.clip(x - w, -L, L)
        k = np.minimum(((x + L) * (bins / (2 * L))).astype(np.int64), bins - 1)
        hist += np.bincount(k, minlength=bins)
        field_steps += np.bincount(np.searchsorted(s, x, side="right"),
                                   minlength=len(field_steps))
    return paths * steps / (time.perf_counter() - t0)


def new_formula_time():
    """Seconds until a never-seen non-polynomial f' is compiled (warm process)."""
    x = sp.Symbol("x", real=True)
    c = sp.Rational(int(time.time() * 1e6) % 997 + 1, 1009)   # unique per run: not cached
    d = x**3 - x + c * sp.sin(7 * x) + sp.exp(-x**2) / 10
    t0 = time.perf_counter()
    g = compile_gradient(d)
    g.cfunc  # noqa: B018
    return time.perf_counter() - t0, g


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    steps = 300_000 if args.quick else 3_000_000
    np_steps = 5_000 if args.quick else 50_000
    reps = 1 if args.quick else 3
    ncores = numba.config.NUMBA_NUM_THREADS
    land, bounds = paper_landscape()
    grad = compile_gradient(land)

    # warm-up: compile or load every kernel once
    t0 = time.perf_counter()
    Simulation(land, L, ETA, PAPER_HEAVY, b=B, x0=X0, paths=2, boundaries=bounds).advance(10)
    warm = time.perf_counter() - t0

    one_wall, one_cpu = numba_rate(land, bounds, 1, 2, steps, reps)
    all_wall, _ = numba_rate(land, bounds, ncores, 20, steps, reps)
    numba.set_num_threads(ncores)

    t0, c0 = time.perf_counter(), time.process_time()
    sims = four_way(land, L, ETA, b=B, x0=X0, paths=20, steps=steps, boundaries=bounds,
                    chunk=steps)
    fig1 = time.perf_counter() - t0
    fig1_cpu = time.process_time() - c0
    fig1_cases = {k: {"steps_per_second": s.total_steps / s.seconds,
                      "sharp_fraction": float(s.field_fraction[[0, 2]].sum())}
                  for k, s in sims.items()}

    numba.set_num_threads(1)
    np_rate = numpy_baseline(grad, bounds, 20, np_steps)
    numba.set_num_threads(ncores)

    compile_s, g_new = new_formula_time()
    x = sp.Symbol("x", real=True)

    class _L:
        dexpr = g_new.expr
    numba.set_num_threads(1)
    s_new = Simulation(_L(), 2.0, ETA, PAPER_HEAVY, b=B, x0=0.3, paths=2, boundaries=[0.0])
    s_new.advance(steps)
    cfunc_rate = s_new.steps_per_second
    numba.set_num_threads(ncores)
    del x

    out = {
        "cores": ncores,
        "load_average": os.getloadavg()[0],
        "warmup_seconds": warm,
        "steps_per_second_1_core": one_wall,
        "steps_per_second_1_core_cpu_time": one_cpu,
        "steps_per_second_all_cores": all_wall,
        "scaling": all_wall / one_wall,
        "fig1_steps_per_path": steps,
        "fig1_seconds": fig1 * (3_000_000 / steps),
        "fig1_seconds_measured": fig1,
        "fig1_cpu_seconds": fig1_cpu * (3_000_000 / steps),
        "fig1_cases": fig1_cases,
        "numpy_steps_per_second": np_rate,
        "ratio_vs_numpy_1_core": one_wall / np_rate,
        "ratio_vs_numpy_all_cores": all_wall / np_rate,
        "new_formula_ready_seconds": compile_s,
        "generic_cfunc_steps_per_second_1_core": cfunc_rate,
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    m = 1e6
    print(f"machine: {ncores} cores, load average {out['load_average']:.2f} "
          f"(wall-clock figures drop when other jobs run)")
    print(f"kernel warm-up (compile or load from cache): {warm:.2f} s")
    print("paper landscape, Pareto(1.2, 0.1), b = 0.5, eta = 0.001, histogram on:")
    print(f"  numba, 1 core      {one_wall / m:8.1f} M steps/s   (CPU time: {one_cpu / m:.1f})")
    print(f"  numba, {ncores} cores     {all_wall / m:8.1f} M steps/s   "
          f"(scaling x{out['scaling']:.2f})")
    print(f"  NumPy, vectorised  {np_rate / m:8.2f} M steps/s   ({np_steps:,} steps x 20 paths)")
    print(f"  ratio numba/NumPy  x{out['ratio_vs_numpy_1_core']:.0f} per core, "
          f"x{out['ratio_vs_numpy_all_cores']:.0f} on {ncores} cores")
    tag = "" if steps == 3_000_000 else f" (measured at {steps:,} steps, scaled)"
    print(f"Fig. 1 workload, 4 cases x 20 paths x 3,000,000 steps: "
          f"{out['fig1_seconds']:.2f} s{tag}; CPU time {out['fig1_cpu_seconds']:.2f} s "
          f"(= {out['fig1_cpu_seconds'] / ncores:.2f} s on {ncores} idle cores)")
    for k, v in fig1_cases.items():
        print(f"  {k:16s} {v['steps_per_second'] / m:7.1f} M steps/s, "
              f"time in sharp fields {100 * v['sharp_fraction']:5.2f} %")
    print(f"new non-polynomial formula ready to run (warm process): {compile_s:.3f} s; "
          f"its generic-path rate {cfunc_rate / m:.1f} M steps/s on 1 core")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

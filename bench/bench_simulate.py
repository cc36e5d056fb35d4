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
  process is warm, and the step rate of that generic (cfunc) path;
* the paper's own Fig. 2 landscape (the appendix formula, THEORY.md 6:
  products, ``abs``, a fractional power, ``exp``, two quotients), same
  workload on 1 core: its tabulated f' (``simulate.table``, what runs use by
  default), its exact f' on the generic path and on the kernels specialised
  for the formula, the polynomial stand-in in the same run and the ratios;
  the time to build the table cold (empty cache, new process) and cached,
  with its measured error; and the time to build the specialised kernels
  cold (empty cache) and cached (a new process finding them in the disk
  cache).

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

import subprocess
import tempfile

import numba
import sympy as sp

from simulate import PAPER_HEAVY, Simulation, compile_gradient, config, four_way
from simulate import _kernels as generic_kernels
from tests.support.paper_appendix import MAXIMA as APPENDIX_MAXIMA
from tests.support.paper_appendix import AppendixLandscape

ROOT = Path(__file__).resolve().parent.parent

L, ETA, B, X0 = 1.6, 0.001, 0.5, 0.3


def paper_landscape():
    """(landscape, boundaries): the polynomial stand-in of the paper's Fig. 2
    (preset "paper-fig2-standin"; "paper-fig2" is the appendix formula itself)."""
    try:
        import landscape

        p = landscape.PRESETS["paper-fig2-standin"]
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


def numba_rate(land, bounds, threads, paths, steps, reps, noise=PAPER_HEAVY, kernels=None,
               tabulate=True):
    """(wall, CPU) steps/s; ``kernels`` forces a kernel module (None: the gradient's choice);
    ``tabulate=False``: the exact f' (no table)."""
    numba.set_num_threads(threads)
    sims = []

    def run():
        s = Simulation(land, L, ETA, noise, b=B, x0=X0, paths=paths, boundaries=bounds,
                       tabulate=tabulate)
        s.forced_kernels = kernels
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


_SPECIALISE_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from simulate import compile_gradient
from tests.support.paper_appendix import AppendixLandscape
g = compile_gradient(AppendixLandscape())
g.cfunc
t = time.perf_counter()
ok = g.wait(900)
print(json.dumps({{"ok": ok, "seconds": time.perf_counter() - t, "error": g.specialise_error,
                  "compile_seconds": g._specialisation().compile_seconds}}))
"""


def specialise_seconds(cache: str) -> dict:
    """Build the appendix formula's specialised kernels in a new process whose
    cache directory (generated modules) is ``cache``. Seconds from start to ready."""
    return _child_json(_SPECIALISE_CHILD, cache, 1200, {"ok": False})


def _child_json(script: str, cache: str, timeout: float, failed: dict) -> dict:
    """Run ``script`` in a new Python process whose cache directory is ``cache`` (numba's
    cache of the generic kernels stays the usual one); its last stdout line as JSON, or
    ``failed`` with the error's tail."""
    env = dict(os.environ, **{config.CACHE_ENV: cache,
                              "NUMBA_CACHE_DIR": str(numba.config.CACHE_DIR)})
    proc = subprocess.run([sys.executable, "-c", script.format(root=str(ROOT))],
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {**failed, "seconds": float("nan"), "error": proc.stderr.strip()[-300:]}
    return json.loads(lines[-1])


_TABLE_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
t = time.perf_counter()
from simulate import compile_gradient
from simulate.table import gradient_table
from tests.support.paper_appendix import AppendixLandscape, L
imports = time.perf_counter() - t
t = time.perf_counter()
table = gradient_table(compile_gradient(AppendixLandscape()), L)
print(json.dumps({{"seconds": time.perf_counter() - t, "imports_seconds": imports,
                  "usable": table.usable, "cells": table.cells,
                  "relative_error": table.relative_error, "checked_points": table.checked_points,
                  "note": table.describe()}}))
"""


def table_seconds(cache: str) -> dict:
    """Build (or load) the appendix formula's table in a new process whose cache
    directory is ``cache``: seconds from the formula to a checked table."""
    return _child_json(_TABLE_CHILD, cache, 600, {"usable": False})


def appendix_rates(poly_land, poly_bounds, steps, reps) -> dict:
    """1-core rates (2 paths) on the appendix formula, tabulated, generic and
    specialised, and on the polynomial stand-in, measured alternately in one run."""
    land = AppendixLandscape()
    g = compile_gradient(land)
    g.cfunc  # noqa: B018
    t0 = time.perf_counter()
    ready = g.wait(1200)
    ready_s = time.perf_counter() - t0
    best = {"generic": 0.0, "specialised": 0.0, "polynomial": 0.0, "tabulated": 0.0}
    best_cpu = dict(best)
    for _ in range(reps):      # alternate: a shared machine's load hits all four alike
        for key, (la, bo, k, tab) in {
                "polynomial": (poly_land, poly_bounds, None, True),
                "tabulated": (land, APPENDIX_MAXIMA, None, True),
                "specialised": (land, APPENDIX_MAXIMA, None, False),
                "generic": (land, APPENDIX_MAXIMA, generic_kernels, False)}.items():
            if key == "specialised" and not ready:
                continue
            wall, cpu = numba_rate(la, bo, 1, 2, steps, 1, kernels=k, tabulate=tab)
            best[key] = max(best[key], wall)
            best_cpu[key] = max(best_cpu[key], cpu)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return {"appendix_ready_in_this_process_seconds": ready_s,
            "appendix_specialise_error": g.specialise_error,
            "appendix_generic_steps_per_second_1_core": best["generic"],
            "appendix_specialised_steps_per_second_1_core": best["specialised"],
            "appendix_tabulated_steps_per_second_1_core": best["tabulated"],
            "polynomial_steps_per_second_1_core_same_run": best["polynomial"],
            "appendix_specialised_over_polynomial": best["specialised"] / best["polynomial"],
            "appendix_tabulated_over_polynomial": best["tabulated"] / best["polynomial"],
            "cpu_time": {k: v for k, v in best_cpu.items()},
            "appendix_specialised_over_polynomial_cpu_time":
                best_cpu["specialised"] / best_cpu["polynomial"],
            "appendix_tabulated_over_polynomial_cpu_time":
                best_cpu["tabulated"] / best_cpu["polynomial"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--appendix-only", action="store_true",
                    help="only the appendix-formula figures (rates and compile times)")
    ap.add_argument("--no-cold", action="store_true",
                    help="skip the cold compile of the specialised kernels (a minute or more; "
                         "--quick skips it too)")
    args = ap.parse_args(argv)
    steps = 300_000 if args.quick else 3_000_000
    np_steps = 5_000 if args.quick else 50_000
    reps = 1 if args.quick else 3
    ncores = numba.config.NUMBA_NUM_THREADS
    land, bounds = paper_landscape()
    grad = compile_gradient(land)
    # longer runs than the rest (0.2 s each): the four rates are compared as a ratio
    appendix = appendix_section(land, bounds, steps if args.quick else 10_000_000, reps,
                                cold=not (args.no_cold or args.quick))
    if args.appendix_only:
        print(json.dumps(appendix, indent=2) if args.json else appendix_text(appendix))
        return 0

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
    s_new = Simulation(_L(), 2.0, ETA, PAPER_HEAVY, b=B, x0=0.3, paths=2, boundaries=[0.0],
                       tabulate=False)
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
        **appendix,
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
    print(appendix_text(appendix))
    return 0


def appendix_section(poly_land, poly_bounds, steps, reps, *, cold: bool) -> dict:
    """The appendix-formula figures: compile times (cold, cached) and rates."""
    out = {"load_average_appendix": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        out["table_cold"] = table_seconds(tmp)
        out["table_cached"] = table_seconds(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        if cold:
            out["specialise_cold"] = specialise_seconds(tmp)
        out["specialise_cached"] = specialise_seconds(tmp if cold else str(config.cache_dir()))
    out.update(appendix_rates(poly_land, poly_bounds, steps, reps))
    return out


def appendix_text(a: dict) -> str:
    m = 1e6
    rates = (("tabulated f' (default)", "appendix_tabulated_steps_per_second_1_core"),
             ("exact f', generic (cfunc call)", "appendix_generic_steps_per_second_1_core"),
             ("exact f', specialised kernels", "appendix_specialised_steps_per_second_1_core"),
             ("polynomial stand-in (same run)", "polynomial_steps_per_second_1_core_same_run"))
    lines = [(f"paper's appendix formula (Fig. 2 as printed), same workload, 1 core, 2 paths "
              f"(load average {a['load_average_appendix']:.2f}):")]
    cpu = a["cpu_time"]
    lines += [f"  {label:32s}{a[key] / m:8.1f} M steps/s   (CPU time: {cpu[k] / m:.1f})"
              for (label, key), k in zip(rates, ("tabulated", "generic", "specialised",
                                                  "polynomial"))]
    for what in ("tabulated", "specialised"):
        lines.append(f"  {what + ' / polynomial':32s}"
                     f"{a[f'appendix_{what}_over_polynomial']:8.2f}        "
                     f"(CPU time: {a[f'appendix_{what}_over_polynomial_cpu_time']:.2f})")
    for key, label in (("table_cold", "cold (empty cache, new process)"),
                       ("table_cached", "cached (new process)")):
        r = a.get(key, {})
        what = (f"{r['seconds']:.2f} s" if "error" not in r else f"failed: {r['error']}")
        lines.append(f"  table built, {label}: {what}")
    if "table_cold" in a and "note" in a["table_cold"]:
        lines.append(f"  {a['table_cold']['note']}")
    for key, label in (("specialise_cold", "cold (empty cache)"),
                       ("specialise_cached", "cached (new process)")):
        if key in a:
            r = a[key]
            what = f"{r['seconds']:.2f} s" if r.get("ok") else f"failed: {r.get('error')}"
            lines.append(f"  specialised kernels ready, {label}: {what}")
    if a.get("appendix_specialise_error"):
        lines.append(f"  warning: {a['appendix_specialise_error']}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark of the 2-D kernels (issues 11, 18) against the 1-D kernel, in one run.

Run: ``.venv/bin/python bench/bench_plane.py [--quick] [--json]``.

Workload: Himmelblau scaled by 0.1, f = 0.1 ((x^2 + y - 11)^2 + (x + y^2 - 7)^2),
ball R = 4.2, Pareto (Lomax) alpha 1.2 scale 0.75, eta 5e-4, b = 2.15,
start (2.9, 1.0), fields by quadrant on a 301 x 301 grid, near-grid and a
200 x 200 histogram on: everything a dashboard run records. Measured on one
core (numba, 1 thread, 2 paths), best of a few repetitions, together with the
1-D polynomial kernel on the paper's Fig. 1 workload (bench_simulate.py) in
the same run: the machine is shared, so only rates of the same run compare.
2-D gradients, interleaved: Himmelblau by its generated (specialised) kernels
(the "polynomial" reference of issue 18) and by the table (generic kernels);
the paper's modified Himmelblau (``paper-himmelblau``) by the table and by
its generated kernels. Also the 2-D rate on all cores, the cold/warm compile
time of the generated kernels, and the time to the first frame of a new
formula (``--first-frame``): the wall time of ``python -m simulate run`` and of
the live page's first ``PlaneLiveRun.advance`` in fresh processes, cold (a
formula never seen) and cached (the same formula again).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_simulate import best_of, numba_rate

from simulate._kernels_plane_table import MODE_SHIFT
from simulate.plane import PlaneGrids, compile_specialised, simulate_plane
from simulate.plane_gradient import (
    X,
    Y,
    as_plane_gradient,
    choose_plane_gradient,
    compile_plane_gradient,
)

R, ETA, B, X0 = 4.2, 5e-4, 2.15, (2.9, 1.0)
#: the 2-D target of issue 11, steps/s per core
TARGET = 50e6


def himmelblau_grids(n: int = 301) -> PlaneGrids:
    """Fields by quadrant, near = within 0.5 of Himmelblau's minima (a stand-in
    for the analysis' grids: the kernel's cost does not depend on the labels)."""
    xs = np.linspace(-R, R, n)
    labels = (xs[None, :] < 0).astype(np.int16) + 2 * (xs[:, None] < 0).astype(np.int16)
    near = np.full((n, n), -1, dtype=np.int16)
    minima = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for i, (mx, my) in enumerate(minima):
        near[(xs[None, :] - mx) ** 2 + (xs[:, None] - my) ** 2 < 0.25] = i
    return PlaneGrids((-R, R, -R, R), labels, near, fields=4)


def himmelblau_gradient():
    f = sp.Rational(1, 10) * ((X**2 + Y - 11) ** 2 + (X + Y**2 - 7) ** 2)
    return compile_plane_gradient(sp.diff(f, X), sp.diff(f, Y))


def polynomial_landscape():
    """(landscape, boundaries) of the 1-D kernel's fastest path: the paper-fig2-standin
    preset (degree-7 polynomial f', inline Estrin), or the same polynomial by hand."""
    try:
        import landscape

        p = landscape.PRESETS["paper-fig2-standin"]
        land = landscape.load_landscape(p.source)
        return land, tuple(landscape.analyze(land, p.L, 0.5, 1.2).maxima)
    except Exception:  # noqa: BLE001 - the bench must run without landscape/
        x = sp.Symbol("x", real=True)

        class Land:
            dexpr = 5 * (x + 1.51) * (x + 1.3) * (x + 0.66) * (x - 0.2) * (x - 0.49) \
                * (x - 0.7) * (x - 1.32)
        return Land(), (-1.3, 0.2, 0.7)


def plane_rate(grad, grids, threads: int, paths: int, steps: int, reps: int, tabulate=False):
    """(wall, CPU) steps/s of simulate_plane on ``threads`` threads (``tabulate``: the
    table and the generic kernels, else the generated kernels, compiled beforehand)."""
    numba.set_num_threads(threads)

    def run():
        simulate_plane(grad, grids, R=R, eta=ETA, b=B, family="pareto", alpha=1.2, scale=0.75,
                       x0=X0, paths=paths, steps=steps, seed=1, tabulate=tabulate)

    wall, cpu = best_of(run, reps)
    return paths * steps / wall, paths * steps / cpu


def exact_cell_share(grad, grids, steps: int) -> tuple[float, float]:
    """Shares of the steps of the benchmark's 2 paths (``steps`` each) that fall in the
    table's exact cells (the compiled formula) and in its cells in a kink coordinate,
    from 10,000 recorded iterates a path."""
    res = simulate_plane(grad, grids, R=R, eta=ETA, b=B, family="pareto", alpha=1.2,
                         scale=0.75, x0=X0, paths=2, steps=steps, seed=1, trace_points=10_000)
    table = choose_plane_gradient(grad, R).table
    pts = res.trace.reshape(-1, 2)
    raw = table.locate(pts[:, 0], pts[:, 1])[0]
    return float((raw < 0).mean()), float((raw >= 1 << MODE_SHIFT).mean())


_PAGE_FIRST_FRAME = """
import sys, time
sys.path.insert(0, {root!r})
import landscape
from landscape.plane_analysis import analyze_plane
from dashboard import simrun_plane
land = landscape.load_landscape({expr!r})
analysis = analyze_plane(land, 4.2, 2.15, 1.2)
cfg = simrun_plane.PlaneRunConfig(source={expr!r}, L=4.2, eta=5e-4, noise="pareto", alpha=1.2,
    scale=0.75, b=2.15, b_compare=2.15, x0=2.9, paths=2, seed=0, every=10, compare=False, y0=1.0)
run = simrun_plane.PlaneLiveRun(cfg, land, analysis)
t0 = time.perf_counter()
run.advance(run.chunk())
print(time.perf_counter() - t0)
"""


def first_frame_seconds() -> dict:
    """Wall seconds to the first frame of a new formula in fresh processes: the whole
    ``python -m simulate run`` (imports and analysis included) and the live page's first
    ``PlaneLiveRun.advance`` (what follows Start), cold (never seen) and cached (again)."""
    import random
    import subprocess

    root = str(Path(__file__).resolve().parent.parent)
    c = random.randint(1, 10**6) / 10**7
    expr = f"0.1((x^2 + y - 11)^2 + (x + y^2 - 7)^2) + {c} exp(0.3 x) cos(y)"
    out = {"first_frame_formula": expr}
    for label in ("cold", "cached"):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "simulate", "run", "--expr", expr, "--R", "4.2",
                        "--eta", "5e-4", "--b", "2.15", "--alpha", "1.2", "--scale", "0.75",
                        "--x0", "2.9,1.0", "--steps", "1000", "--paths", "2", "--json"],
                       cwd=root, check=True, capture_output=True)
        out[f"cli_{label}"] = time.perf_counter() - t0
    expr2 = expr.replace("cos(y)", "cos(y) + 0.01 x y")
    for label in ("cold", "cached"):
        res = subprocess.run([sys.executable, "-c", _PAGE_FIRST_FRAME.format(root=root,
                                                                             expr=expr2)],
                             cwd=root, check=True, capture_output=True, text=True)
        out[f"page_{label}"] = float(res.stdout.strip().splitlines()[-1])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--first-frame", action="store_true",
                    help="also time the first frame of a new formula (fresh processes)")
    args = ap.parse_args(argv)
    steps = 2_000_000 if args.quick else 20_000_000
    reps = 2 if args.quick else 3
    out = {"load_average": os.getloadavg()[0], "threads": numba.config.NUMBA_NUM_THREADS}
    t0 = time.perf_counter()
    grad = himmelblau_gradient()
    grids = himmelblau_grids()
    compile_specialised(grad)
    out["compile_seconds"] = time.perf_counter() - t0     # cold, or a disk-cache load
    land, bounds = polynomial_landscape()
    numba_rate(land, bounds, 1, 2, 10, 1)                 # compile or load the 1-D kernel
    import landscape

    paper = as_plane_gradient(landscape.load_landscape("paper-himmelblau"))
    compile_specialised(paper)
    cases = {"himmelblau_generated": (grad, False), "himmelblau_table": (grad, True),
             "paper_table": (paper, True), "paper_generated": (paper, False)}
    for g, tab in cases.values():                         # tables built, kernels loaded
        plane_rate(g, grids, 1, 2, 10, 1, tab)
    # interleaved: 1-D, then each 2-D case, twice, so all see the same load
    r1, r2 = [], {k: [] for k in cases}
    for _ in range(2):
        r1.append(numba_rate(land, bounds, 1, 2, steps, reps))
        for k, (g, tab) in cases.items():
            r2[k].append(plane_rate(g, grids, 1, 2, steps // (2 if "paper" in k else 1), reps,
                                    tab))
    one_d = max(r[0] for r in r1), max(r[1] for r in r1)
    rate = {k: max(r[0] for r in v) for k, v in r2.items()}
    cpu = {k: max(r[1] for r in v) for k, v in r2.items()}
    two_d = rate["himmelblau_generated"], max(r[1] for r in r2["himmelblau_generated"])
    out.update({
        "plane_per_core": two_d[0], "plane_per_core_cpu": two_d[1],
        "line_per_core": one_d[0], "line_per_core_cpu": one_d[1],
        "ratio_plane_to_line": two_d[0] / one_d[0],
        "target_per_core": TARGET,
        **{f"{k}_per_core": v for k, v in rate.items()},
        **{f"{k}_per_core_cpu": v for k, v in cpu.items()},
        "ratio_paper_table_to_polynomial_cpu": cpu["paper_table"] / cpu["himmelblau_generated"],
        "paper_himmelblau_per_core": rate["paper_table"],
        "ratio_paper_table_to_polynomial": rate["paper_table"] / two_d[0],
        "ratio_himmelblau_table_to_generated": rate["himmelblau_table"] / two_d[0],
        "paper_table_note": choose_plane_gradient(paper, R).note,
    })
    out["paper_table_exact_cell_share"], out["paper_table_kink_cell_share"] = exact_cell_share(
        paper, grids, steps // 2)
    if args.first_frame:
        out.update(first_frame_seconds())
    threads = numba.config.NUMBA_NUM_THREADS
    out["plane_all_cores"] = plane_rate(grad, grids, threads, 2 * threads, steps, reps)[0]
    numba.set_num_threads(threads)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"load average {out['load_average']:.2f} ({threads} numba threads); 2-D kernel ready "
          f"in {out['compile_seconds']:.1f} s (cold compile or disk-cache load)")
    print(f"2-D Himmelblau, Pareto + norm clipping, 1 core: {two_d[0] / 1e6:.1f} M steps/s "
          f"(CPU time {two_d[1] / 1e6:.1f}; target {TARGET / 1e6:.0f})")
    print(f"1-D polynomial (Fig. 1 workload), same run, 1 core: {one_d[0] / 1e6:.1f} M steps/s "
          f"(CPU time {one_d[1] / 1e6:.1f})")
    print(f"ratio 2-D / 1-D: {out['ratio_plane_to_line']:.2f}")
    for k in ("himmelblau_generated", "himmelblau_table", "paper_generated", "paper_table"):
        print(f"2-D {k.replace('_', ' ')}, 1 core: {out[k + '_per_core'] / 1e6:.1f} M steps/s "
              f"(CPU time {out[k + '_per_core_cpu'] / 1e6:.1f})")
    print(f"ratio paper-himmelblau (table) / polynomial Himmelblau (generated): "
          f"{out['ratio_paper_table_to_polynomial']:.2f} wall, "
          f"{out['ratio_paper_table_to_polynomial_cpu']:.2f} CPU (target >= 0.8); Himmelblau table / "
          f"generated: {out['ratio_himmelblau_table_to_generated']:.2f}")
    print(f"paper-himmelblau: {out['paper_table_note']}; "
          f"{out['paper_table_exact_cell_share']:.0%} of this run's steps in exact cells, "
          f"{out['paper_table_kink_cell_share']:.0%} in cells in a kink coordinate")
    for k in ("cli_cold", "cli_cached", "page_cold", "page_cached"):
        if k in out:
            print(f"first frame, {k.replace('_', ' ')}: {out[k]:.2f} s")
    print(f"2-D on {threads} cores ({2 * threads} paths): {out['plane_all_cores'] / 1e6:.1f} "
          "M steps/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

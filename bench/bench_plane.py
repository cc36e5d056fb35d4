"""Benchmark of the 2-D kernel (issue 11) against the 1-D kernel, in one run.

Run: ``.venv/bin/python bench/bench_plane.py [--quick] [--json]``.

Workload: Himmelblau scaled by 0.1, f = 0.1 ((x^2 + y - 11)^2 + (x + y^2 - 7)^2),
ball R = 4.2, Pareto (Lomax) alpha 1.2 scale 0.75, eta 5e-4, b = 2.15,
start (2.9, 1.0), fields by quadrant on a 301 x 301 grid, near-grid and a
200 x 200 histogram on: everything a dashboard run records. Measured on one
core (numba, 1 thread, 2 paths), best of a few repetitions, together with the
1-D polynomial kernel on the paper's Fig. 1 workload (bench_simulate.py) in
the same run: the machine is shared, so only rates of the same run compare.
Also the 2-D rate on all cores and the cold/warm compile time of a formula.
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

from simulate.plane import PlaneGrids, simulate_plane
from simulate.plane_gradient import X, Y, compile_plane_gradient

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


def plane_rate(grad, grids, threads: int, paths: int, steps: int, reps: int):
    """(wall, CPU) steps/s of simulate_plane on ``threads`` threads."""
    numba.set_num_threads(threads)

    def run():
        simulate_plane(grad, grids, R=R, eta=ETA, b=B, family="pareto", alpha=1.2, scale=0.75,
                       x0=X0, paths=paths, steps=steps, seed=1)

    wall, cpu = best_of(run, reps)
    return paths * steps / wall, paths * steps / cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs (smoke test)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    steps = 2_000_000 if args.quick else 20_000_000
    reps = 2 if args.quick else 3
    out = {"load_average": os.getloadavg()[0], "threads": numba.config.NUMBA_NUM_THREADS}
    t0 = time.perf_counter()
    grad = himmelblau_gradient()
    grids = himmelblau_grids()
    simulate_plane(grad, grids, R=R, eta=ETA, b=B, family="pareto", alpha=1.2, scale=0.75,
                   x0=X0, paths=2, steps=10, seed=0)
    out["compile_seconds"] = time.perf_counter() - t0     # cold, or a disk-cache load
    land, bounds = polynomial_landscape()
    numba_rate(land, bounds, 1, 2, 10, 1)                 # compile or load the 1-D kernel
    # interleaved: 1-D, 2-D, 1-D, 2-D so both see the same load
    r1, r2 = [], []
    for _ in range(2):
        r1.append(numba_rate(land, bounds, 1, 2, steps, reps))
        r2.append(plane_rate(grad, grids, 1, 2, steps, reps))
    one_d = max(r[0] for r in r1), max(r[1] for r in r1)
    two_d = max(r[0] for r in r2), max(r[1] for r in r2)
    out.update({
        "plane_per_core": two_d[0], "plane_per_core_cpu": two_d[1],
        "line_per_core": one_d[0], "line_per_core_cpu": one_d[1],
        "ratio_plane_to_line": two_d[0] / one_d[0],
        "target_per_core": TARGET,
    })
    try:        # the paper's modified Himmelblau (exp, abs, sign, a power 1.1 per step)
        import landscape

        paper = landscape.load_landscape("paper-himmelblau")
        simulate_plane(paper, grids, R=R, eta=ETA, b=B, family="pareto", alpha=1.2, scale=0.75,
                       x0=X0, paths=2, steps=10, seed=0)
        out["paper_himmelblau_per_core"] = plane_rate(paper, grids, 1, 2, steps // 4, reps)[0]
    except Exception as exc:  # noqa: BLE001 - the bench must run without landscape/
        out["paper_himmelblau_per_core"] = None
        out["paper_himmelblau_error"] = str(exc)[:200]
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
    if out["paper_himmelblau_per_core"]:
        print(f"2-D paper-himmelblau preset (exp, abs, sign, |.|^1.1 per step), 1 core: "
              f"{out['paper_himmelblau_per_core'] / 1e6:.1f} M steps/s")
    print(f"2-D on {threads} cores ({2 * threads} paths): {out['plane_all_cores'] / 1e6:.1f} "
          "M steps/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

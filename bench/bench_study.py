"""Speed-up of a study from 1 to N local Dask workers, and the measured exit-kernel rate.

    .venv/bin/python bench/bench_study.py [--workers 1,2] [--samples 32] [--eta 3e-4] [--json]

Workload: first exits from Omega_2 of the paper-fig2 preset (start -0.7, b = 0.5,
Pareto(1.2, 0.1)), one sample per chunk, the same seeds for every worker count
(so the same steps). The cluster's start and the workers' warm-up are not timed.
See docs/STUDIES.md for the figures measured here and what they predict.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SPEC = """
kind = "exit-times"
expr = "paper-fig2"
x0 = -0.7
b = 0.5
samples = {samples}
chunk = 1
seed = 12
eta = {eta}
"""


def measure(workers: int, samples: int, eta: float) -> dict:
    from simulate.study import prepare_workers, run_study, start_client
    from simulate.study_results import load_study
    from simulate.study_spec import load_spec

    spec = load_spec(SPEC.format(samples=samples, eta=eta))
    with tempfile.TemporaryDirectory() as tmp:
        if workers == 0:
            t0 = time.perf_counter()
            run_study(spec, tmp, workers=0)
            seconds = time.perf_counter() - t0
        else:
            client, cluster = start_client(workers=workers)
            try:
                prepare_workers(client)
                t0 = time.perf_counter()
                run_study(spec, tmp, client=client)
                seconds = time.perf_counter() - t0
            finally:
                client.close()
                cluster.close()
        rows = load_study(tmp).rows
    steps = int(rows["exit_time"].sum())
    return {"workers": workers, "seconds": seconds, "steps": steps,
            "steps_per_second": steps / seconds,
            "chunk_seconds": float(rows["chunk_seconds"].sum()),
            "cpu_seconds": float(rows["chunk_cpu_seconds"].sum()),
            "steps_per_cpu_second": steps / float(rows["chunk_cpu_seconds"].sum()),
            "cores_used": float(rows["chunk_cpu_seconds"].sum()) / seconds,
            "censored": int(rows["censored"].sum())}


#: q_2 of THEORY 9 (polynomial stand-in, Omega_2): clipped b = 0.5 and unclipped.
Q_CLIPPED, Q_UNCLIPPED = 1.266, 1.453


def fig4_cells(smallest_eta: float) -> list[tuple[float, int, float]]:
    """(eta, samples, predicted mean exit steps) of Fig. 4 extended down to ``smallest_eta``
    (both b = 0.5 and no clipping, 20 samples; mean = 1 / (q lambda(eta)), THEORY 9)."""
    from simulate.noise import PAPER_HEAVY
    from simulate.study_theory import exit_rate

    etas = [0.1, 0.03, 0.01, 0.003, 0.001, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6]
    out = []
    for eta in (e for e in etas if e >= smallest_eta * 0.999):
        out.append((eta, 20, 1.0 / (Q_CLIPPED * exit_rate(PAPER_HEAVY, eta, 2))))
        out.append((eta, 20, 1.0 / (Q_UNCLIPPED * exit_rate(PAPER_HEAVY, eta, 1))))
    return out


def projected_wall(cells, workers: int, rate: float, reps: int = 400, seed: int = 1) -> float:
    """Expected wall time (s) of a study on ``workers`` workers of ``rate`` steps/s each.

    Each sample is one chunk (as the spec's automatic chunking makes them for
    the costly cells) of exponential length with the predicted mean (an exit is
    sequential: one sample cannot be split); chunks go to the first free worker,
    longest cells first (Monte Carlo over ``reps`` studies).
    """
    import heapq

    import numpy as np

    rng = np.random.default_rng(seed)
    means = np.concatenate([np.full(n, m) for _, n, m in cells])
    order = np.argsort(-means)
    total = 0.0
    for _ in range(reps):
        lengths = rng.exponential(means[order]) / rate
        free = [0.0] * workers
        for t in lengths:
            heapq.heappush(free, heapq.heappop(free) + t)
        total += max(free)
    return total / reps


def projections(rate: float, workers=(1, 2, 8, 20, 100)) -> list[dict]:
    out = []
    for smallest in (1e-5, 1e-6):
        cells = fig4_cells(smallest)
        steps = sum(n * m for _, n, m in cells)
        out.append({"smallest_eta": smallest, "steps": steps,
                    "largest_mean_sample": max(m for _, _, m in cells),
                    "wall_seconds": {n: projected_wall(cells, n, rate) for n in workers}})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--eta", type=float, default=3e-4)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--project", type=float, default=None, metavar="RATE",
                    help="only print the Fig. 4 extended (1e-5, 1e-6) projections at RATE "
                         "steps/s per worker")
    args = ap.parse_args()
    if args.project is not None:
        for p in projections(args.project):
            walls = ", ".join(f"{n}: {t / 60:.1f} min" for n, t in p["wall_seconds"].items())
            print(f"down to eta = {p['smallest_eta']:g}: {p['steps']:.3g} steps; largest mean "
                  f"sample {p['largest_mean_sample']:.3g} steps; wall on N workers: {walls}")
        return 0
    load = os.getloadavg()
    out = {"load_average": load, "cpus": os.cpu_count(), "samples": args.samples,
           "eta": args.eta, "runs": []}
    if not args.json:
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
              f"({os.cpu_count()} CPUs)")
    for n in (int(v) for v in args.workers.split(",")):
        r = measure(n, args.samples, args.eta)
        out["runs"].append(r)
        if not args.json:
            print(f"{n} worker(s): {r['steps']:,} steps in {r['seconds']:.2f} s = "
                  f"{r['steps_per_second'] / 1e6:.1f} M steps/s "
                  f"; {r['steps_per_cpu_second'] / 1e6:.1f} M steps per CPU second, "
                  f"{r['cores_used']:.2f} cores' worth of CPU time on average")
    base = out["runs"][0]["seconds"]
    for r in out["runs"]:
        r["speedup"] = base / r["seconds"]
    print(json.dumps(out) if args.json else
          "speed-up: " + ", ".join(f"{r['workers']}: x{r['speedup']:.2f}" for r in out["runs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

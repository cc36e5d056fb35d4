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
            "kernel_seconds": float(rows.groupby("cell")["chunk_seconds"].first().sum()
                                    if workers == 0 else rows["chunk_seconds"].sum()),
            "censored": int(rows["censored"].sum())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--eta", type=float, default=3e-4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
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
                  f"(chunks' own time {r['kernel_seconds']:.2f} s)")
    base = out["runs"][0]["seconds"]
    for r in out["runs"]:
        r["speedup"] = base / r["seconds"]
    print(json.dumps(out) if args.json else
          "speed-up: " + ", ".join(f"{r['workers']}: x{r['speedup']:.2f}" for r in out["runs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

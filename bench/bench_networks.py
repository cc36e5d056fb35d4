"""The six-method table of THEORY.md section 8 on corrupted digits, timed.

    .venv/bin/python bench/bench_networks.py [--seeds 3] [--steps 600] [--model lenet]
                                             [--warm-cache] [--json]

First every method is compiled (one run of one step, and the measures once),
into an empty compilation cache unless ``--warm-cache`` (then the project's
``.cache/jax``, as the command line and the tests use it): that time is
reported apart. Then each method is trained with each seed and measured;
reported: the table (mean ± sd over seeds, diverged runs counted) beside the
slides' Corrupted FMNIST / LeNet row, the training steps per second of each
method, the time of each measure, and the total time without compilation
(target: under 3 minutes on 2 cores with the default settings, compile
included). CPU time is printed beside wall time (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from networks import compile_cache
from networks.compare import SLIDES_ROW, data_for, run_one, table_rows
from networks.config import METHODS, TrainSettings


def _cell(summary, scale=1.0, digits=4, width=8) -> str:
    if summary["n"] == 0:
        return f"{'diverged':>{width + digits + 3}}"
    return f"{scale * summary['mean']:{width}.{digits}f} ± {scale * summary['sd']:.{digits}f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--model", default="lenet")
    parser.add_argument("--warm-cache", action="store_true",
                        help="use the project's compilation cache (default: an empty one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    if not args.warm_cache:
        compile_cache.enable(tempfile.mkdtemp(prefix="bench-networks-jax-"))
    settings = TrainSettings(model=args.model)
    if args.steps:
        settings = settings.with_changes(steps=args.steps)
    data = data_for(settings)

    wall, cpu = time.perf_counter(), time.process_time()
    warm = settings.with_changes(steps=1, record_every=1)
    for method in METHODS:
        run_one(warm, data, method, 10_000)
    compile_wall, compile_cpu = time.perf_counter() - wall, time.process_time() - cpu

    wall, cpu = time.perf_counter(), time.process_time()
    runs = []
    for method in METHODS:
        for seed in range(args.seeds):
            _, record = run_one(settings, data, method, seed)
            runs.append(record)
            print(f"  {method:<8} seed {seed}: test {100 * record['test_accuracy']:.2f}%  "
                  f"sharpness {record['expected_sharpness']:.4f}  train {record['seconds']:.1f} s  "
                  f"measures {record['measure_seconds']:.1f} s"
                  + ("  DIVERGED" if record["diverged"] else ""), file=sys.stderr, flush=True)
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = table_rows(runs)
    speed = {m: settings.steps * args.seeds / sum(r["seconds"] for r in runs if r["method"] == m)
             for m in METHODS}
    measure_times = {m: float(np.mean([r["measure_seconds"] for r in runs if r["method"] == m]))
                     for m in METHODS}
    out = {"settings": settings.to_json(), "seeds": args.seeds, "rows": rows,
           "steps_per_second": speed, "measure_seconds_per_run": measure_times,
           "compile": {"wall": compile_wall, "cpu": compile_cpu},
           "total_without_compile": {"wall": total_wall, "cpu": total_cpu},
           "total_with_compile_and_imports": {"wall": time.perf_counter() - started_wall,
                                              "cpu": time.process_time() - started_cpu}}
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"settings: {settings.to_json()}, seeds 0..{args.seeds - 1}")
    print(f"{'method':<9} {'test acc (%)':>15} {'exp. sharpness':>17} {'λ_max':>13} {'α̂':>11} "
          f"{'diverged':>8} {'steps/s':>8} {'measures s':>10} | slides acc / sharpness")
    for row in rows:
        m = row["method"]
        a, s, e, t = (row[k] for k in ("test_accuracy", "expected_sharpness", "max_eigenvalue",
                                        "tail_index"))
        print(f"{m:<9} {_cell(a, 100, 2, 7)} {_cell(s)} {_cell(e, 1, 2, 6)} {_cell(t, 1, 2, 5)} "
              f"{row['diverged']:>5} of {len(row['seeds'])} {speed[m]:6.0f} "
              f"{measure_times[m]:10.2f} | {100 * SLIDES_ROW[m][0]:.2f}% / {SLIDES_ROW[m][1]}")
    print(f"compile (apart): {compile_wall:.1f} s wall, {compile_cpu:.1f} s CPU")
    print(f"table without compile: {total_wall:.1f} s wall, {total_cpu:.1f} s CPU")
    total = out["total_with_compile_and_imports"]
    print(f"all, compile and imports included: {total['wall']:.1f} s wall, {total['cpu']:.1f} s CPU "
          f"(target < 180 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

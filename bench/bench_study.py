"""Speed-up of a study from 1 to 2 local Dask workers, measured in one run, with the evidence.

    .venv/bin/python bench/bench_study.py [--workers 1,2] [--samples 32] [--eta 3e-4]
                                          [--expr paper-fig2-standin] [--repeat 2] [--json]
    .venv/bin/python bench/bench_study.py --project RATE     # the 1e-5 / 1e-6 projections

Workload: first exits from Omega_2 (start -0.7, b = 0.5, Pareto(1.2, 0.1)), one
sample per chunk, the same seeds for every configuration (so the same steps,
checked). By default on the polynomial stand-in of the paper's Fig. 2, the
formula of ``studies/fig4_extended.toml`` (``--expr paper-fig2``: the appendix
formula, about 4 times slower per step). Measured in the same run, alternating:

* in this process, one thread (the reference rate), and two threads each
  running chunks with one numba thread (what two threads of one session get right
  now, no Dask);
* a local cluster of 1 and of 2 workers, each worker in its own session (as
  ``run_study`` starts them), and one of 2 workers left in this process's session
  (as before ``simulate.study_run.OwnSessionPlugin``; ``--no-shared-session`` skips
  it); all started and warmed up before any timing, ``--repeat`` times each in the
  order listed, then reversed, ...

Evidence that does not depend on the machine being idle (it is shared here):
the Dask task stream (the share of the run's wall time during which two chunks
were computing at once), and the workers' scheduler statistics (Linux
``/proc/<pid>/task/*/schedstat``, sampled every 20 ms): the CPU they got, the
time both were on a CPU at once (bounds), and the time they were runnable but
waiting for a CPU (the machine busy) rather than sleeping (waiting for work).
On Linux with autogroup the CPUs are shared out per session first: workers left
in the client's session share one share (the x1.0 of the first measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SPEC = """
kind = "exit-times"
expr = "{expr}"
x0 = -0.7
b = 0.5
samples = {samples}
chunk = 1
seed = 12
eta = {eta}
"""


# ------------------------------------------------------------------ evidence
def _schedstat(pid: int) -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting) of all threads of ``pid`` so far."""
    run = wait = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0, 0.0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                r, w, _ = fh.read().split()
        except (OSError, ValueError):
            continue
        run += int(r)
        wait += int(w)
    return run / 1e9, wait / 1e9


class CpuSampler:
    """Sample the workers' CPU time every ``dt`` s in a thread (Linux; empty elsewhere)."""

    def __init__(self, pids, dt: float = 0.02):
        self.pids, self.dt, self.samples = list(pids), dt, []
        self._stop = threading.Event()
        self.available = os.path.exists("/proc/self/task")

    def __enter__(self):
        if self.available:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), [_schedstat(p) for p in self.pids]))
            time.sleep(self.dt)

    def __exit__(self, *exc):
        self._stop.set()
        if self.available:
            self._thread.join()
            self.samples.append((time.perf_counter(), [_schedstat(p) for p in self.pids]))

    def summary(self) -> dict:
        if len(self.samples) < 2:
            return {}
        wall = self.samples[-1][0] - self.samples[0][0]
        cpu = [b[0] - a[0] for a, b in zip(self.samples[0][1], self.samples[-1][1])]
        wait = [b[1] - a[1] for a, b in zip(self.samples[0][1], self.samples[-1][1])]
        out = {"wall": wall, "cpu_per_worker": cpu, "waiting_for_cpu_per_worker": wait,
               "cores_used": sum(cpu) / wall}
        if len(self.pids) == 2:
            lo = hi = 0.0
            for (t0, s0), (t1, s1) in zip(self.samples, self.samples[1:]):
                a, b = s1[0][0] - s0[0][0], s1[1][0] - s0[1][0]
                lo += max(0.0, a + b - (t1 - t0))
                hi += min(a, b)
            out["both_on_cpu_fraction"] = (lo / wall, hi / wall)
        return out


def concurrency(intervals) -> dict[int, float]:
    """Seconds during which k of the (start, stop) intervals were open, per k."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    out, level, last = {}, 0, events[0][0] if events else 0.0
    for t, d in events:
        out[level] = out.get(level, 0.0) + t - last
        level, last = level + d, t
    return out


# ------------------------------------------------------------------ measurements
def _result(label, workers, seconds, rows, extra=None) -> dict:
    steps = int(rows["exit_time"].sum())
    out = {"config": label, "workers": workers, "seconds": seconds, "steps": steps,
           "steps_per_second": steps / seconds, "exit_times": rows["exit_time"].tolist(),
           "censored": int(rows["censored"].sum())}
    out.update(extra or {})
    return out


def in_process(spec, threads: int) -> dict:
    """All chunks in this process on ``threads`` Python threads (one numba thread each;
    the kernels release the GIL), each taking the next chunk when free."""
    from concurrent.futures import ThreadPoolExecutor

    import numba
    import pandas as pd

    from simulate.study_run import run_chunk

    cell = spec.cells[0]
    todo = list(range(cell.size))
    lock = threading.Lock()
    parts = []

    def drain():
        numba.set_num_threads(1)
        cpu0 = time.thread_time()
        while True:
            with lock:
                if not todo:
                    break
                j = todo.pop(0)
            r = run_chunk(cell, j, 1)
            parts.append(pd.DataFrame({k: r[k] for k in ("sample", "exit_time", "censored")}))
        return time.thread_time() - cpu0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        cpu = sum(pool.map(lambda _: drain(), range(threads)))
    seconds = time.perf_counter() - t0
    rows = pd.concat(parts).sort_values("sample")
    return _result(f"in-process, {threads} thread(s)", 0, seconds, rows,
                   {"cpu_seconds": cpu,
                    "steps_per_cpu_second": float(rows["exit_time"].sum()) / cpu})


def on_cluster(spec, client, pids) -> dict:
    from distributed import get_task_stream

    from simulate.study import run_study
    from simulate.study_results import load_study

    with tempfile.TemporaryDirectory() as tmp:
        with get_task_stream(client) as ts, CpuSampler(pids) as sampler:
            t0 = time.perf_counter()
            run_study(spec, tmp, client=client)
            seconds = time.perf_counter() - t0
        rows = load_study(tmp).rows.sort_values("sample")
    per_worker = {}
    for task in ts.data:
        if str(task["key"]).startswith("chunk"):
            per_worker.setdefault(task["worker"], []).extend(
                (s["start"], s["stop"]) for s in task["startstops"] if s["action"] == "compute")
    spans = [s for v in per_worker.values() for s in v]
    gaps = [b[0] - a[1] for v in per_worker.values() for a, b in zip(sorted(v), sorted(v)[1:])]
    levels = concurrency(spans)
    workers = len(pids)
    extra = {"tasks": len(spans), "mean_gap_between_chunks": sum(gaps) / max(1, len(gaps)),
             "two_tasks_computing_fraction": levels.get(2, 0.0) / seconds if workers > 1 else 0.0,
             "chunk_cpu_seconds": float(rows["chunk_cpu_seconds"].sum()),
             "cpu": sampler.summary()}
    return _result(f"Dask, {workers} worker(s)", workers, seconds, rows, extra)


def busy(cpu: float = 1.0) -> float:
    """(Run on a worker) spin for ``cpu`` seconds of CPU time; the wall time it took."""
    t0, c0 = time.perf_counter(), time.process_time()
    while time.process_time() - c0 < cpu:
        pass
    return time.perf_counter() - t0


def busy_slowdown(client) -> float:
    """Wall time of a busy task run on every worker at once over that of one alone
    (1: the workers do not slow each other down; 2 on 2 workers: they share one CPU)."""
    names = list(client.nthreads())
    alone = client.submit(busy, workers=names[:1], pure=False).result()
    together = client.gather([client.submit(busy, workers=[w], pure=False) for w in names])
    return max(together) / alone


def measure_all(samples: int, eta: float, expr: str, worker_counts, repeat: int,
                shared_session: bool = True) -> dict:
    """Every configuration ``repeat`` times, alternating, on clusters started beforehand.
    With ``shared_session`` also the largest cluster with its workers left in this
    process's session (as before ``OwnSessionPlugin``)."""
    from simulate.study import prepare_workers, run_study, start_client
    from simulate.study_run import run_chunk, session_info
    from simulate.study_spec import load_spec

    spec = load_spec(SPEC.format(samples=samples, eta=eta, expr=expr))
    warm = load_spec(SPEC.format(samples=4, eta=max(eta, 3e-3), expr=expr))
    run_chunk(spec.cells[0], 0, 1)                       # load the kernels in this process
    wanted = [(n, True) for n in worker_counts]
    if shared_session and max(worker_counts) > 1:
        wanted.append((max(worker_counts), False))
    clusters = {}
    try:
        for n, own in wanted:
            client, cluster = start_client(workers=n)
            clusters[n, own] = (client, cluster)
            prepare_workers(client, local=own)
            with tempfile.TemporaryDirectory() as tmp:  # each worker's first chunk: not timed
                run_study(warm, tmp, client=client)
        runs = []
        configs = [("in", 1, None), ("in", 2, None)] + [("dask", n, own) for n, own in wanted]
        for rep in range(repeat):
            for kind, n, own in (configs if rep % 2 == 0 else configs[::-1]):
                if kind == "in":
                    r = in_process(spec, n)
                else:
                    client = clusters[n, own][0]
                    r = on_cluster(spec, client, list(client.run(os.getpid).values()))
                    r["own_sessions"] = all(i["session"] == i["pid"] for i in
                                            client.run(session_info).values())
                    if not own:
                        r["config"] += ", client's session"
                if kind == "dask" and n > 1:
                    r["busy_slowdown"] = busy_slowdown(client)
                r["load_average"] = os.getloadavg()[0]
                runs.append(r)
                print(_line(r), file=sys.stderr, flush=True)
    finally:
        for client, cluster in clusters.values():
            client.close()
            cluster.close()
    same = all(r["exit_times"] == runs[0]["exit_times"] for r in runs)
    for r in runs:
        del r["exit_times"]
    return {"runs": runs, "same_numbers_everywhere": same}


def _best(runs, config) -> dict:
    return max((r for r in runs if r["config"] == config), key=lambda r: r["steps_per_second"])


def _line(r) -> str:
    s = (f"{r['config']:>42}: {r['steps']:,} steps in {r['seconds']:6.2f} s = "
         f"{r['steps_per_second'] / 1e6:6.1f} M steps/s (load {r['load_average']:.1f})")
    if "two_tasks_computing_fraction" in r:
        cpu = r["cpu"]
        s += (f"; 2 chunks computing {100 * r['two_tasks_computing_fraction']:.0f} % of the "
              f"time" if r["workers"] > 1 else "")
        s += f"; {1e3 * r['mean_gap_between_chunks']:.0f} ms between chunks on a worker"
        if cpu:
            s += (f"; workers got {cpu['cores_used']:.2f} cores, waited for a CPU "
                  f"{sum(cpu['waiting_for_cpu_per_worker']):.1f} s")
            if "both_on_cpu_fraction" in cpu:
                lo, hi = cpu["both_on_cpu_fraction"]
                s += f", both on a CPU {100 * lo:.0f}-{100 * hi:.0f} % of the time"
    if "busy_slowdown" in r:
        s += f"; a busy loop on both workers at once: x{r['busy_slowdown']:.2f} the time of one"
    return s


def summary(out: dict) -> str:
    runs = out["runs"]
    one, two = _best(runs, "in-process, 1 thread(s)"), _best(runs, "in-process, 2 thread(s)")
    lines = [(f"reference, in-process single thread: {one['steps_per_second'] / 1e6:.1f} M "
              f"steps/s ({one['steps_per_cpu_second'] / 1e6:.1f} M per CPU second); two threads "
              f"x{two['steps_per_second'] / one['steps_per_second']:.2f} (two threads of this "
              "one session, no Dask)")]
    dask = sorted({r["workers"] for r in runs if r["workers"]})
    if len(dask) > 1:
        base = _best(runs, f"Dask, {dask[0]} worker(s)")
        for label in sorted({r["config"] for r in runs if r["workers"] > dask[0]}):
            r = _best(runs, label)
            lines.append(f"speed-up Dask {dask[0]} worker -> {label[6:]} (best runs): "
                         f"x{r['steps_per_second'] / base['steps_per_second']:.2f}")
    lines.append("same exit times in every configuration: " + str(out["same_numbers_everywhere"]))
    return "\n".join(lines)


#: q_2 of THEORY 9 (polynomial stand-in, Omega_2): clipped b = 0.5 and unclipped.
Q_CLIPPED, Q_UNCLIPPED = 1.266, 1.453


def fig4_cells(smallest_eta: float) -> list[tuple[float, int, float]]:
    """(eta, samples, predicted mean exit steps) of Fig. 4 extended down to ``smallest_eta``
    (both b = 0.5 and no clipping, 20 samples; mean = 1 / (q lambda(eta)), THEORY 9)."""
    from landscape.tails import tail_probability
    from landscape.theory import mean_exit_steps
    from simulate.noise import PAPER_HEAVY as Z

    etas = [0.1, 0.03, 0.01, 0.003, 0.001, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6]
    out = []
    for eta in (e for e in etas if e >= smallest_eta * 0.999):
        tail = float(tail_probability(Z.family, Z.alpha, Z.scale, 1.0 / eta))
        out.append((eta, 20, mean_exit_steps(Q_CLIPPED, 2, tail, eta)))
        out.append((eta, 20, mean_exit_steps(Q_UNCLIPPED, 1, tail, eta)))
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
    ap.add_argument("--expr", default="paper-fig2-standin",
                    help="formula or preset key (default: the polynomial stand-in)")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each configuration")
    ap.add_argument("--no-shared-session", action="store_true",
                    help="skip the cluster whose workers stay in this process's session")
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
    import numba

    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"({os.cpu_count()} CPUs, numba threading layer after the runs below)", file=sys.stderr)
    out = measure_all(args.samples, args.eta, args.expr,
                      [int(v) for v in args.workers.split(",")], args.repeat,
                      shared_session=not args.no_shared_session)
    out.update({"load_average_before": load, "cpus": os.cpu_count(), "samples": args.samples,
                "eta": args.eta, "expr": args.expr, "threading_layer": numba.threading_layer()})
    print(json.dumps(out) if args.json else summary(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

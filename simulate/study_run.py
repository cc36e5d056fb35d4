"""What a worker runs: one chunk of a study cell, and the Dask worker set-up.

A chunk is samples (exit times) or paths (occupancy) ``first ..
first + count - 1`` of a cell; sample j draws from the stream
``(cell.seed, cell.stream, j)`` (:func:`simulate.seed_states` with
``first``), so a cell gives the same numbers however it is split and
wherever the chunks run. Everything here is importable by a worker
process (no closures), and the kernels are the package's compiled ones.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np

from . import _common as C
from . import config
from .errors import SimulationError
from .study_spec import Cell


@functools.lru_cache(maxsize=64)
def _landscape(expr: str):
    import landscape

    try:
        return landscape.load_landscape(expr)
    except ValueError as exc:
        raise SimulationError(str(exc)) from None


def _gradient(expr: str):
    """The compiled f' of a formula (``compile_gradient`` keeps it per process)."""
    from .gradient import compile_gradient

    return compile_gradient(_landscape(expr))


@functools.lru_cache(maxsize=64)
def _gradient_choice(expr: str, L: float):
    """The f' the exit kernel uses on [-L, L] (tabulated when the table passes its check),
    once per worker process and window."""
    from .table import choose_gradient, kinks_of

    return choose_gradient(_gradient(expr), L, kinks=kinks_of(_landscape(expr), L))


def _noise(cell: Cell):
    from .noise import make_noise

    return make_noise(cell.family, cell.alpha, cell.scale)


def run_chunk(cell: Cell, first: int, count: int) -> dict:
    """Run samples/paths ``first .. first + count - 1`` of ``cell``; a dict of plain columns.

    Exit times: ``sample``, ``exit_time`` (the cap if censored),
    ``destination`` (1-based field, -1 if censored or stopped),
    ``censored`` (bool), plus ``error``, ``seconds`` (wall) and ``cpu_seconds``
    (CPU time of the process: a worker has one thread).
    Occupancy: ``hist`` (bins,), ``field_steps`` (n,), ``transitions``
    (n * n, row-major), ``steps`` (per path), ``paths``, ``error``, ``seconds``,
    ``cpu_seconds``.
    """
    _one_thread_on_workers()
    if cell.kind == "training":  # one network training (networks.study)
        from networks.study import run_training_chunk

        return run_training_chunk(cell, first, count)
    if cell.kind == "exit-times":
        return _exit_chunk(cell, first, count)
    return _occupancy_chunk(cell, first, count)


def _one_thread_on_workers() -> None:
    """On a study worker (NumbaCachePlugin sets SIMULATE_WORKER_THREADS), launch the parallel
    kernels from this thread on that many threads even if numba was imported before the
    variable was set (then ``numba.config`` still has the machine's default)."""
    # not NUMBA_NUM_THREADS: a worker forked after its parent launched numba's pool must
    # set that variable back to the pool's size before reloading numba's config
    want = os.environ.get("SIMULATE_STUDY_WORKER") and os.environ.get("SIMULATE_WORKER_THREADS")
    if want:
        import numba

        numba.set_num_threads(max(1, min(int(want), numba.config.NUMBA_NUM_THREADS)))


def _exit_chunk(cell: Cell, first: int, count: int) -> dict:
    from ._kernels import exit_kernel
    from .rng import FAMILY_CODES, seed_states

    noise = _noise(cell)
    choice = _gradient_choice(cell.expr, cell.L)
    ext = C.extended(np.array(cell.boundaries, dtype=float))
    lo, hi = float(ext[cell.start_field]), float(ext[cell.start_field + 1])
    x = np.full(count, cell.x0)
    cpu0 = time.process_time()
    state = seed_states(cell.seed, count, stream=cell.stream, first=first)
    t = np.zeros(count, dtype=np.int64)
    dest = np.full(count, -1, dtype=np.int64)
    err_step = np.full(count, -1, dtype=np.int64)
    err_x = np.full(count, np.nan)
    t0 = time.perf_counter()
    limit = 0
    while limit < cell.max_steps:
        limit = min(cell.max_steps, limit + config.EXIT_SEGMENT_STEPS)
        with C.launch_guard():
            exit_kernel(*choice.args(), FAMILY_CODES[noise.family], noise.alpha_or_nan,
                        noise.scale, cell.eta, cell.b, cell.L, ext, lo, hi, x, t, dest, state, limit, err_step, err_x)
        if not ((dest < 0) & (err_step < 0)).any():
            break
    error = ""
    bad = np.flatnonzero(err_step >= 0)
    if bad.size:
        p = int(bad[0])
        error = (f"the gradient f'(x) is not finite at x = {err_x[p]:.17g} "
                 f"(sample {first + p + 1}, step {int(err_step[p]):,})")
    return {"sample": np.arange(first, first + count, dtype=np.int64), "exit_time": t,
            "destination": np.where(dest >= 0, dest + 1, -1), "censored": dest < 0,
            "error": error, "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - cpu0}


def _occupancy_chunk(cell: Cell, first: int, count: int) -> dict:
    from .simulation import Simulation

    t0, cpu0 = time.perf_counter(), time.process_time()
    sim = Simulation(_gradient(cell.expr), cell.L, cell.eta, _noise(cell), b=cell.b, x0=cell.x0,
                     paths=count, seed=cell.seed, record_every=config.MAX_STEPS_PER_ADVANCE,
                     buffer_size=1, hist_bins=cell.bins, boundaries=cell.boundaries,
                     stream=cell.stream, first_path=first)  # the chunk's own streams
    per_call = max(1, min(config.MAX_STEPS_PER_ADVANCE, config.MAX_WORK // count))
    left = cell.steps
    while left > 0 and sim.error is None:
        n = min(left, per_call)
        sim.advance(n)
        left -= n
    _, hist = sim.histogram()
    return {"hist": hist.astype(np.int64), "field_steps": sim.field_steps.astype(np.int64),
            "transitions": sim.transitions.astype(np.int64).ravel(), "steps": sim.steps_done,
            "paths": count, "error": sim.error or "", "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - cpu0}


# ------------------------------------------------------------------ Dask workers
try:
    from distributed.diagnostics.plugin import NannyPlugin, WorkerPlugin
except ImportError:  # pragma: no cover - dask is a requirement; keep the module importable
    NannyPlugin = WorkerPlugin = object


def worker_cache_dir(name) -> Path:
    """``<cache>/numba-workers/<worker name>``: one numba cache per worker."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(name))[:80] or "worker"
    return config.cache_dir() / "numba-workers" / safe


def _seed_cache(target: Path) -> None:
    """Fill an empty worker cache from this machine's main numba cache (saves a cold compile)."""
    source = Path(os.environ.get("NUMBA_CACHE_DIR") or config.cache_dir() / "numba")
    if any(target.iterdir()) or not source.is_dir() or source.resolve() == target.resolve():
        return
    shutil.copytree(source, target, dirs_exist_ok=True)


class NumbaCachePlugin(NannyPlugin):
    """Give each worker its own numba cache directory and one numba thread.

    Runs in the nanny before the worker process starts (``restart = True``:
    the workers restart once when the plugin is registered). The directory
    is filled from the main cache when empty, so workers load compiled
    kernels instead of compiling them again.
    """

    restart = True
    name = "simulate-numba-cache"

    async def setup(self, nanny):
        target = worker_cache_dir(nanny.name)
        target.mkdir(parents=True, exist_ok=True)
        _seed_cache(target)
        nanny.env.update({"NUMBA_CACHE_DIR": str(target), "NUMBA_NUM_THREADS": "1",
                          "SIMULATE_WORKER_THREADS": "1", "SIMULATE_STUDY_WORKER": "1"})


class WarmKernelsPlugin(WorkerPlugin):
    """Compile (or load from the worker's cache) every kernel once, when the worker starts."""

    name = "simulate-warm-kernels"

    async def setup(self, worker):
        import asyncio

        import numba

        from .warmup import warmup

        wanted = os.environ.get("NUMBA_CACHE_DIR")
        if wanted and Path(numba.config.CACHE_DIR) != Path(wanted):
            # numba was imported before the nanny set the environment (a forked worker
            # inherits its parent's numba): read the environment again. If the parent had
            # launched numba's threads, the fork inherits that pool, whose size cannot change.
            from numba.np.ufunc import parallel

            if parallel._is_initialized:
                os.environ["NUMBA_NUM_THREADS"] = str(numba.config.NUMBA_NUM_THREADS)
            numba.core.config.reload_config()
        if wanted and Path(numba.config.CACHE_DIR) != Path(wanted):
            logging.getLogger("simulate.study").warning(
                "worker %s: numba was imported before its cache directory %s was set (does "
                "the main script import simulate at module level?); it uses %s",
                worker.name, wanted, numba.config.CACHE_DIR)
        await asyncio.get_running_loop().run_in_executor(None, warmup)


class IgnoreSigintPlugin(WorkerPlugin):
    """Local workers ignore Ctrl-C: the terminal sends it to the whole process group,
    and the client, which keeps the finished chunks, shuts them down itself."""

    name = "simulate-ignore-sigint"

    def setup(self, worker):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


class OwnSessionPlugin(WorkerPlugin):
    """Local workers each start their own session (``os.setsid``), as workers started
    from separate terminals or machines are.

    Linux's scheduler (autogroup, on by default on desktop and most server kernels)
    first shares the CPUs fairly between *sessions*, then between the threads of a
    session. Workers spawned by a local cluster inherit the client's session, so on a
    busy machine 1, 2 or N workers together got that one session's share: two busy
    workers ran at half speed each and the study gained nothing from the second one
    (docs/STUDIES.md, measured with ``bench/bench_study.py``). In their own sessions each
    worker gets a share, like any other program. No effect without autogroup (then the
    threads were shared out one by one already) and on other systems.
    """

    name = "simulate-own-session"

    def setup(self, worker):
        if hasattr(os, "setsid"):
            with contextlib.suppress(OSError):  # already a session or group leader
                os.setsid()


def session_info() -> dict:
    """(Run anywhere) this process's pid, session id and Linux autogroup (or "")."""
    try:
        # empty when the process sits in a cpu cgroup, where autogroup does not apply
        words = Path("/proc/self/autogroup").read_text().split()
    except OSError:
        words = []
    autogroup = words[0] if words else ""
    sid = os.getsid(0) if hasattr(os, "getsid") else None
    return {"pid": os.getpid(), "session": sid, "autogroup": autogroup}


def has_worker_environment() -> bool:
    """(Run on a worker) True once the worker runs with :class:`NumbaCachePlugin`'s environment."""
    return os.environ.get("SIMULATE_STUDY_WORKER") == "1"


def worker_info() -> dict:
    """(Run on a worker) its pid, numba cache directory and numba thread count."""
    import numba

    _one_thread_on_workers()
    return {"pid": os.getpid(), "numba_cache": numba.config.CACHE_DIR,
            "numba_threads": numba.get_num_threads(),
            "NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", "")}


def chunk_work(cell: Cell, count: int) -> float:
    """Rough steps of a chunk, for the progress bar (exit: count x 1/lambda, else count x steps)."""
    if cell.kind in ("occupancy", "training"):
        return float(count * cell.steps)
    per = cell.theory_scale if cell.theory_scale is not None else cell.max_steps / 100.0
    return float(count * min(per, cell.max_steps)) if math.isfinite(per) else float(count)

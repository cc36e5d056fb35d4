"""Run a parameter-grid study on Dask (or in this process) and keep every finished chunk.

Layout of a results folder ``DIR``::

    DIR/study.json                      spec, cells (with seeds and streams), versions, status
    DIR/chunks/<cell key>/<kind>-<first>-<count>.parquet    one file per finished chunk
    DIR/exit_times.parquet | occupancy.parquet | training.parquet   the table (at the end)
    DIR/cells.parquet                   one summary row per cell

A chunk file is written (atomically) as soon as its chunk finishes, so a
killed worker or Ctrl-C loses only the chunks that were running; a re-run
plans only the samples/paths no chunk file covers yet. Dask retries a chunk
whose worker died (``retries``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import config, study_run
from .errors import SimulationError
from .study_manifest import versions, write_manifest  # noqa: F401  (re-exported)
from .study_results import consolidate
from .study_run import (
    IgnoreSigintPlugin,
    NumbaCachePlugin,
    OwnSessionPlugin,
    WarmKernelsPlugin,
    chunk_work,
    run_chunk,
)
from .study_spec import Cell, StudySpec, load_spec


@dataclass
class StudyRun:
    """What :func:`run_study` did; ``to_json`` is the CLI's ``--json`` summary."""

    path: Path
    cells: int
    kind: str = "exit-times"
    done: int = 0
    skipped: int = 0
    chunks: int = 0
    chunks_skipped: int = 0
    censored: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    workers: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"cells": self.cells, "done": self.done, "skipped": self.skipped,
                "path": str(self.path), "kind": self.kind, "chunks": self.chunks,
                "chunks_skipped": self.chunks_skipped, "censored": self.censored,
                "seconds": round(self.seconds, 3), "workers": self.workers,
                "interrupted": self.interrupted, "errors": self.errors}


Progress = Callable[[int, int, int, int, float], object]


def chunk_dir(out: Path, cell: Cell) -> Path:
    return Path(out) / "chunks" / cell.key


def covered(out: Path, cell: Cell) -> np.ndarray:
    """Boolean mask (cell.size,) of the samples/paths some finished chunk file holds."""
    mask = np.zeros(cell.size, dtype=bool)
    d = chunk_dir(out, cell)
    if d.is_dir():
        for f in d.glob("*.parquet"):
            try:
                _, first, count = f.stem.rsplit("-", 2)
                first, count = int(first), int(count)
            except ValueError:
                continue
            mask[first:first + count] = True
    return mask


def plan(out: Path, cells) -> list[tuple[Cell, int, int]]:
    """Chunks (cell, first, count) still to run: the uncovered runs of each cell, cut at
    multiples of ``cell.chunk``."""
    todo = []
    for cell in cells:
        mask = covered(out, cell)
        j = 0
        while j < cell.size:
            if mask[j]:
                j += 1
                continue
            stop = min(cell.size, (j // cell.chunk + 1) * cell.chunk)
            k = j
            while k < stop and not mask[k]:
                k += 1
            todo.append((cell, j, k - j))
            j = k
    return todo


def write_chunk(out: Path, cell: Cell, first: int, count: int, result: dict) -> Path:
    """Write one finished chunk as a Parquet file (temporary name, then renamed)."""
    import pandas as pd

    if cell.kind == "training":  # one row of measures (networks.study)
        from networks.study import training_row

        return _write_frame(out, cell, first, count, pd.DataFrame([training_row(cell, result)]))
    params = {"cell": cell.key, "cell_index": cell.index, "expr": cell.expr, "L": cell.L,
              "family": cell.family, "alpha": cell.alpha, "scale": cell.scale, "b": cell.b,
              "eta": cell.eta, "x0": cell.x0, "seed": cell.seed, "stream": cell.stream}
    if cell.kind == "exit-times":
        df = pd.DataFrame({k: result[k] for k in ("sample", "exit_time", "destination",
                                                  "censored")})
        for k, v in params.items():
            df[k] = v
        df["max_steps"] = cell.max_steps
        df["start_field"] = cell.start_field + 1
        df["error"] = result["error"]
        df["chunk_seconds"] = result["seconds"]
        df["chunk_cpu_seconds"] = result["cpu_seconds"]
    else:
        df = pd.DataFrame([{**params, "first": first, "paths": result["paths"],
                            "steps": result["steps"], "bins": cell.bins,
                            "hist": result["hist"], "field_steps": result["field_steps"],
                            "transitions": result["transitions"], "error": result["error"],
                            "chunk_seconds": result["seconds"],
                            "chunk_cpu_seconds": result["cpu_seconds"]}])
    return _write_frame(out, cell, first, count, df)


def _write_frame(out: Path, cell: Cell, first: int, count: int, df) -> Path:
    d = chunk_dir(out, cell)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{cell.kind}-{first}-{count}.parquet"
    tmp = d / f".{path.name}.{os.getpid()}.tmp"
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


def run_study(spec: StudySpec | str | Path, out: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, client=None, progress: Progress | None = None,
              retries: int = config.STUDY_RETRIES) -> StudyRun:
    """Run (or resume) a study; every finished chunk is written to ``out`` at once.

    Parameters
    ----------
    spec : StudySpec or path of a TOML spec
    out : folder of the results (created)
    workers : int, optional
        0: run in this process, no Dask. Otherwise the number of worker
        processes (1 thread each) of a local Dask cluster (default: the CPUs).
    scheduler : str, optional
        Address of a running Dask scheduler to use instead of a local cluster.
    client : distributed.Client, optional
        An existing client (e.g. tests'): not closed here, and its workers are not
        set up again (call :func:`prepare_workers` on it once).
    progress : callable(chunks_done, chunks_total, cells_done, cells_total, work_fraction)

    Returns
    -------
    StudyRun
        ``interrupted`` is True after Ctrl-C (the finished chunks are kept).
    """
    if not isinstance(spec, StudySpec):
        spec = load_spec(spec)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimulationError(f"cannot create the results folder {out}: {exc.strerror}") from None
    t0 = time.perf_counter()
    todo = plan(out, spec.cells)
    pending_cells = {c.key for c, _, _ in todo}
    run = StudyRun(path=out, cells=len(spec.cells), kind=spec.kind)
    run.skipped = sum(1 for c in spec.cells if c.key not in pending_cells)
    run.chunks_skipped = sum(len(list(chunk_dir(out, c).glob("*.parquet"))) for c in spec.cells)
    write_manifest(out, spec, "running", run)
    left = {}
    for c, _, n in todo:
        left[c.key] = left.get(c.key, 0) + 1
    total_work = sum(chunk_work(c, n) for c, _, n in todo) or 1.0
    state = {"work": 0.0, "cells": run.skipped}

    def finished(cell, first, count, result):
        write_chunk(out, cell, first, count, result)
        run.chunks += 1
        if result.get("error"):
            run.errors.append(f"cell {cell.index}: {result['error']}")
        left[cell.key] -= 1
        if left[cell.key] == 0:
            state["cells"] += 1
        state["work"] += chunk_work(cell, count)
        if progress is not None:
            progress(run.chunks, len(todo), state["cells"], run.cells,
                     min(1.0, state["work"] / total_work))

    if progress is not None:
        progress(0, len(todo), state["cells"], run.cells, 0.0)
    try:
        if todo and workers == 0 and scheduler is None and client is None:
            run.workers = 0
            for cell, first, count in todo:
                finished(cell, first, count, run_chunk(cell, first, count))
        elif todo:
            _run_dask(todo, finished, run, workers, scheduler, client, retries)
    except KeyboardInterrupt:
        run.interrupted = True
    except Exception:
        write_manifest(out, spec, "failed", run)
        raise
    run.seconds = time.perf_counter() - t0

    summary = consolidate(out, spec)
    run.done = int((summary["complete"]).sum()) if len(summary) else 0
    run.censored = int(summary["censored"].sum()) if "censored" in summary else 0
    write_manifest(out, spec, "interrupted" if run.interrupted else
                   ("complete" if run.done == run.cells else "partial"), run)
    return run


def start_client(workers: int | None = None, scheduler: str | None = None):
    """A Dask client: connected to ``scheduler``, or on a new local cluster of ``workers``
    processes with one thread each. Returns (client, cluster or None)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise SimulationError(f"cannot connect to the Dask scheduler {scheduler}: "
                                  f"{' '.join(str(exc).split())}") from None
    n = workers if workers is not None else (os.cpu_count() or 1)
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=logging.ERROR)
    return Client(cluster), cluster


def prepare_workers(client, *, local: bool = False) -> None:
    """Own numba cache and one numba thread per worker (nanny plugin, restarts them once),
    then the kernels warmed once per worker. ``local`` workers (started on this machine
    by :func:`start_client`) also run each in its own session, so that the OS scheduler
    gives each worker a share of the CPUs rather than one share to all of them
    (:class:`~simulate.study_run.OwnSessionPlugin`), and ignore Ctrl-C."""
    client.register_plugin(NumbaCachePlugin())
    _wait_for_restarted_workers(client)
    if local:
        client.register_plugin(OwnSessionPlugin())
        client.register_plugin(IgnoreSigintPlugin())
    client.register_plugin(WarmKernelsPlugin())


def _wait_for_restarted_workers(client, timeout: float = 180.0) -> None:
    """Block until every worker runs with the nanny plugin's environment: registering it
    restarts the workers, and on a busy machine the old processes can still answer for a
    while (they would use the main numba cache and all threads)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            marks = client.run(study_run.has_worker_environment)
        except (OSError, TimeoutError):  # a worker is restarting right now
            marks = {}
        if marks and all(marks.values()):
            return
        if time.monotonic() > deadline:
            raise SimulationError("the Dask workers did not restart with their own numba cache "
                                  f"within {timeout:g} s")
        time.sleep(0.5)


def _run_dask(todo, finished, run, workers, scheduler, client, retries) -> None:
    own = client is None
    cluster = None
    if own:
        client, cluster = start_client(workers, scheduler)
    try:
        if own:
            try:
                prepare_workers(client, local=cluster is not None)
            except Exception as exc:  # a worker-side failure comes back as it was raised
                if "No module named" not in str(exc):
                    raise
                raise SimulationError(
                    f"the Dask workers cannot import this project ({exc}); start them with "
                    "the repository on PYTHONPATH and the same requirements") from None
        run.workers = len(client.nthreads())
        futures = {}
        # the costliest chunks first (an exit is sequential: the longest sets the wall time)
        ranked = sorted(todo, key=lambda t: -chunk_work(t[0], t[2]))
        for rank, (cell, first, count) in enumerate(ranked):
            fut = client.submit(run_chunk, cell, first, count, retries=retries, pure=False,
                                priority=len(ranked) - rank,
                                key=f"chunk-{cell.key}-{first}-{count}-{time.time_ns()}")
            futures[fut] = (cell, first, count)
        try:
            with _ctrl_c_flag() as stop:
                _collect(futures, finished, stop)
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()


def _collect(futures: dict, finished, stop: threading.Event) -> None:
    """Write each chunk as its future finishes (polling, so Ctrl-C never lands inside
    Dask's own waiting code); raises KeyboardInterrupt once ``stop`` is set."""
    pending = dict(futures)
    while pending:
        if stop.is_set():
            raise KeyboardInterrupt
        ready = [f for f in pending if f.done()]
        if not ready:
            time.sleep(0.05)
            continue
        for fut in ready:
            cell, first, count = pending.pop(fut)
            finished(cell, first, count, fut.result())


@contextlib.contextmanager
def _ctrl_c_flag():
    """Turn Ctrl-C (SIGINT) into an Event while collecting results (main thread only)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def progress_bar(stream=sys.stderr, width: int = 30) -> Progress:
    """A one-line text progress bar on ``stream`` (redrawn with \\r on a terminal)."""
    t0 = time.perf_counter()
    tty = hasattr(stream, "isatty") and stream.isatty()

    def show(chunks, total, cells, n_cells, frac):
        filled = round(width * frac)
        el = time.perf_counter() - t0
        eta = f", ~{el / frac * (1 - frac):.0f} s left" if 0 < frac < 1 else ""
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {chunks}/{total} chunks, "
                f"{cells}/{n_cells} cells, {el:.0f} s{eta}")
        if tty:
            stream.write("\r" + line + ("\n" if chunks == total else ""))
        else:
            stream.write(line + "\n")
        stream.flush()

    return show


def cli_study(args) -> dict:
    """``python -m simulate study SPEC --out DIR [--workers N | --scheduler ADDR]``."""
    if args.workers is not None and not 0 <= args.workers <= 4096:
        raise SimulationError(f"--workers must be between 0 and 4096, got {args.workers}")
    spec = load_spec(args.spec)
    run = run_study(spec, args.out, workers=args.workers, scheduler=args.scheduler,
                    progress=progress_bar())
    if run.interrupted:
        print(f"interrupted: {run.chunks} chunk(s) of this run kept in {run.path}; "
              "run the same command again to resume", file=sys.stderr)
    return run.to_json()


def summary_text(out: dict) -> str:
    """The CLI's closing lines for a study."""
    lines = [f"{out['done']}/{out['cells']} cells complete ({out['skipped']} already done, "
             f"{out['chunks']} chunks run in {out['seconds']:.1f} s on "
             f"{out['workers'] or 'no Dask'} worker(s))"
             + (f"; {out['censored']} censored samples" if out["kind"] == "exit-times" else ""),
             f"results: {out['path']}"]
    lines += [f"warning: {e}" for e in out["errors"][:5]]
    return "\n".join(lines)

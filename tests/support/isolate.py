"""Run hostile probes in a separate worker process, with a hard time limit each.

A hang, a crash (segfault, abort, out-of-memory kill) or runaway memory in one
probe must fail that probe, not freeze the test run. The parent starts one
worker (``python -u tests/support/isolate.py``) that imports landscape/simulate
once and then answers one JSON job per line on stdin with one JSON line on
stdout. If a job does not answer within its time limit the worker is killed,
the job is reported as ``{"status": "hang"}`` and a fresh worker serves the
next job.

Each job runs inside the worker with

* a canary: builtins/env/file side effects that a payload would cause if it
  were executed (a file in ``$HOSTILE_CANARY_DIR``, the environment variable
  ``HOSTILE_CANARY``, the list ``builtins.HOSTILE_CANARY_LIST``), checked
  after every job;
* an audit hook (PEP 578) recording process creation, ``os.system``,
  sockets, ``os.putenv`` and writes to the canary directory;
* tracemalloc (peak Python/NumPy allocation of the job).

Results: ``status`` in ok | error (expected ValueError) | crash (any other
exception; ``type`` and ``message``) | hang | died; plus ``seconds`` (wall),
``cpu`` (process CPU seconds), ``peak_mb``, ``canary`` (list of side
effects seen, empty if none) and probe-specific fields.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------
# worker side
# ---------------------------------------------------------------------------
_AUDIT_EVENTS: list[str] = []
_WATCHED = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
            "socket.connect", "socket.bind", "os.putenv", "os.unsetenv", "os.remove",
            "shutil.rmtree")


def _write_allowed(path: str) -> bool:
    import tempfile

    allowed = [str(ROOT / ".cache"), tempfile.gettempdir(), os.environ.get("NUMBA_CACHE_DIR"),
               os.environ.get("SIMULATE_CACHE_DIR")]
    return "__pycache__" in path or any(a and path.startswith(a) for a in allowed)


def _audit(event: str, args) -> None:  # pragma: no cover - runs in the worker
    if event in _WATCHED:
        _AUDIT_EVENTS.append(f"{event} {str(args)[:120]}")
    elif event == "open" and args and isinstance(args[0], str):
        path, mode = args[0], args[1] if len(args) > 1 else "r"
        canary_dir = os.environ.get("HOSTILE_CANARY_DIR")
        if isinstance(mode, int):
            writes = bool(mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND))
        else:
            writes = any(c in str(mode) for c in "wax+")
        if (canary_dir and path.startswith(canary_dir)) or (writes and not _write_allowed(path)):
            _AUDIT_EVENTS.append(f"open {path} {mode}")


def _canary_state() -> list[str]:
    import builtins

    seen = []
    canary_dir = os.environ.get("HOSTILE_CANARY_DIR")
    if canary_dir and os.path.isdir(canary_dir) and os.listdir(canary_dir):
        seen.append(f"files created: {os.listdir(canary_dir)}")
    if "HOSTILE_CANARY" in os.environ:
        seen.append("environment variable HOSTILE_CANARY set")
    if getattr(builtins, "HOSTILE_CANARY_LIST", []):
        seen.append(f"canary list appended: {builtins.HOSTILE_CANARY_LIST!r}")
    seen.extend(_AUDIT_EVENTS)
    return seen


def _probe_parse(job: dict) -> dict:
    import numpy as np

    import landscape

    land = landscape.load_landscape(job["text"])
    xs = np.linspace(-2.0, 2.0, 41)
    out = {"kind": land.kind, "expr": str(land.expr)[:200], "dimension": land.dimension}
    if land.dimension == 2:       # f(x, y): evaluate on the diagonal and a shifted line
        with np.errstate(all="ignore"):
            values = land.f(xs, xs[::-1])
        land.gradient(xs, xs)
        land.hessian(xs, xs)
        out["finite_fraction"] = float(np.isfinite(values).mean())
        return out
    with np.errstate(all="ignore"):
        values = land.f(xs)
    # touching the derivatives must stay quick, too
    land.df(xs)
    land.d2f(xs)
    out["finite_fraction"] = float(np.isfinite(values).mean())
    return out


def _finite_or_none(v):
    import math

    return None if v is None or not math.isfinite(v) else float(v)


def _probe_analyze(job: dict) -> dict:
    import math

    import landscape

    land = landscape.load_landscape(job["text"])
    b = math.inf if job.get("b") in (None, "inf") else float(job["b"])
    a = landscape.analyze(land, float(job["L"]), b, job.get("alpha"))
    data = a.to_json()
    json.dumps(data, allow_nan=False)   # the CLI's contract: no NaN in JSON
    return {"minima": list(a.minima), "maxima": list(a.maxima), "degenerate": list(a.degenerate),
            "assumption1_ok": a.assumption1_ok, "warnings": list(a.warnings),
            "n_fields": len(a.fields), "method": getattr(a, "method", "?")}


def _probe_simulate(job: dict) -> dict:
    import math

    import numpy as np

    import landscape
    import simulate

    land = landscape.load_landscape(job["text"])
    noise = simulate.make_noise(job.get("noise", "pareto"), job.get("alpha"), job.get("scale"))
    b = job.get("b")
    b = None if b in (None, "inf") else float(b)
    sim = simulate.Simulation(land, float(job["L"]), float(job["eta"]), noise, b=b,
                              x0=float(job.get("x0", 0.0)), paths=int(job.get("paths", 8)),
                              seed=int(job.get("seed", 0)), buffer_size=200, hist_bins=50)
    sim.advance(int(job.get("steps", 20_000)))
    _steps, X = sim.trajectory()
    pos = sim.positions
    # NaN in the trajectory is only allowed as the blank records of a path that
    # stopped with an error; positions must always be finite.
    return {"error": sim.error, "steps_done": int(sim.steps_done),
            "positions_finite": bool(np.all(np.isfinite(pos))),
            "positions_inside": bool(np.all(np.abs(pos) <= float(job["L"]) * (1 + 1e-12))),
            "trajectory_nan": int(np.isnan(X).sum()),
            "fractions_finite": bool(np.all(np.isfinite(sim.field_fraction))),
            "fraction_sum": _finite_or_none(float(np.sum(sim.field_fraction))),
            "n_fields": int(sim.n_fields), "math_ok": math.isfinite(sim.steps_per_second)
            or sim.steps_per_second == math.inf}


def _probe_sketch_points(job: dict) -> dict:
    import numpy as np

    import landscape

    land = landscape.landscape_from_sketch([tuple(p) for p in job["points"]])
    xs = np.linspace(-3, 3, 61)
    return {"source": land.source[:200], "finite": bool(np.all(np.isfinite(land.f(xs))))}


PROBES = {"parse": _probe_parse, "analyze": _probe_analyze, "simulate": _probe_simulate,
          "sketch": _probe_sketch_points}


def _serve() -> None:  # pragma: no cover - runs in the worker
    import builtins
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    builtins.HOSTILE_CANARY_LIST = []
    sys.addaudithook(_audit)
    import landscape  # noqa: F401  (import cost paid once, before the first job)
    import simulate  # noqa: F401

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        _AUDIT_EVENTS.clear()
        tracemalloc.start()
        t0, c0 = time.perf_counter(), time.process_time()
        result: dict = {}
        try:
            result.update(PROBES[job["probe"]](job))
            result["status"] = "ok"
        except ValueError as error:   # FormulaError, AnalysisError, SimulationError
            result.update(status="error", type=type(error).__name__, message=str(error))
        except BaseException as error:  # noqa: BLE001 - anything else is a finding
            result.update(status="crash", type=type(error).__name__,
                          message=str(error)[:500])
        result["seconds"] = time.perf_counter() - t0
        result["cpu"] = time.process_time() - c0
        result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        result["canary"] = _canary_state()
        print(json.dumps(result, default=str), flush=True)


# ---------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------
class IsolatedRunner:
    """Serve probes from a worker process; restart it after a hang or a crash."""

    def __init__(self, canary_dir: Path, start_timeout: float = 120.0):
        self.canary_dir = Path(canary_dir)
        self.canary_dir.mkdir(parents=True, exist_ok=True)
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.jobs = 0
        self.restarts = 0

    def _start(self) -> None:
        env = dict(os.environ, HOSTILE_CANARY_DIR=str(self.canary_dir),
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("HOSTILE_CANARY", None)
        self.proc = subprocess.Popen([sys.executable, "-u", __file__], cwd=str(ROOT), env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, bufsize=1)
        line = self._read_line(self.start_timeout)
        if line is None or not json.loads(line).get("ready"):
            self.close()
            raise RuntimeError("the isolated worker did not start")

    def _read_line(self, timeout: float) -> str | None:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                line = self.proc.stdout.readline()
                return line if line else ""

    def run(self, probe: str, timeout: float = 10.0, **job) -> dict:
        """Run one probe; never raises for what the probe does."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        self.jobs += 1
        t0 = time.perf_counter()
        self.proc.stdin.write(json.dumps(dict(job, probe=probe)) + "\n")
        self.proc.stdin.flush()
        line = self._read_line(timeout)
        if not line:
            status = "hang" if line is None else "died"
            code = self.proc.poll()
            self.close()
            self.restarts += 1
            return {"status": status, "seconds": time.perf_counter() - t0, "cpu": None,
                    "peak_mb": None, "canary": [], "returncode": code}
        return json.loads(line)

    def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except (OSError, AttributeError):
                pass
        self.proc = None


if __name__ == "__main__":  # pragma: no cover
    _serve()

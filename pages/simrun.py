"""A live run for the simulation page: one Simulation, or the paper's four cases.

Streamlit-free. ``LiveRun.advance`` is called once per fragment tick with a
chunk sized so one tick costs about ``TICK_BUDGET`` seconds of compute; the
Simulation objects keep bounded buffers, so memory stays flat over long runs.
"""

from __future__ import annotations

import io
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import landscape
from landscape.tails import HEAVY_FAMILIES

TICK_BUDGET = 0.03  # seconds of simulation per refresh, shared by all live sessions
TICK = 0.1  # seconds between refreshes on an idle server: 8+ view updates a second alone
INTERVAL_PER_RUN = 0.1  # seconds of interval per live run of the server (10 runs: 1 s)
MAX_TICK = 5.0  # slowest refresh under load
ACTIVE_WINDOW = 5.0  # a run that ticked this recently counts as live
NUMBA_THREADS = 1  # per live run: leave the other core to the server and the browser
MIN_CHUNK, MAX_CHUNK = 100, 2_000_000
FIRST_CHUNK = 2_000
COMPARE_CASES = ("heavy-clipped", "heavy-unclipped", "light-clipped", "light-unclipped")
KEPT_RUNS = 32  # runs a reloaded page can find again (process-wide, least recently used dropped)


@dataclass(frozen=True)
class RunConfig:
    source: str
    L: float
    eta: float
    noise: str
    alpha: float
    scale: float
    b: float  # math.inf: no clipping
    b_compare: float  # the clipped cases of comparison mode
    x0: float
    paths: int
    seed: int
    every: int
    compare: bool


def config_from(p: Mapping[str, Any], source: str) -> RunConfig:
    b = float(p["b"]) if p["clip"] else math.inf
    return RunConfig(
        source=source, L=float(p["L"]), eta=float(p["eta"]), noise=str(p["noise"]),
        alpha=float(p["alpha"]), scale=float(p["scale"]), b=b, b_compare=float(p["b"]),
        x0=float(p["x0"]), paths=int(p["paths"]), seed=int(p["seed"]), every=int(p["every"]),
        compare=bool(p["compare"]),
    )  # fmt: skip


def make_noise(family: str, alpha: float, scale: float):
    import simulate

    if family in HEAVY_FAMILIES:
        return simulate.Noise(family, alpha, scale)
    return simulate.Noise(family, None, scale)


class LiveRun:
    """The simulations of one live view, and the bookkeeping for the ticks."""

    def __init__(self, cfg: RunConfig, land, maxima: tuple[float, ...]):
        import simulate

        self.cfg = cfg
        self.token = secrets.token_urlsafe(9)  # names the run in the URL, for a reload
        self._lock = threading.Lock()  # two tabs of one run: one advances at a time
        self.running = False
        self.error: str | None = None
        self.every = cfg.every
        self.paths = cfg.paths
        self.compare = cfg.compare
        self._last_chunk = FIRST_CHUNK
        self._last_secs = 0.0
        self._sps = 0.0
        self._share = 1
        self._last_tick = 0.0
        self.interval = TICK
        kw = {"x0": cfg.x0, "paths": cfg.paths, "seed": cfg.seed, "record_every": cfg.every,
                  "boundaries": tuple(maxima) or None}  # fmt: skip
        if not cfg.compare:
            noise = make_noise(cfg.noise, cfg.alpha, cfg.scale)
            b = cfg.b
            self.sims = {"run": simulate.Simulation(land, cfg.L, cfg.eta, noise, b=b, **kw)}
        else:
            heavy = (
                make_noise(cfg.noise, cfg.alpha, cfg.scale)
                if landscape.is_heavy_tailed(cfg.noise, cfg.alpha)
                else simulate.PAPER_HEAVY
            )
            light = simulate.PAPER_LIGHT
            self.sims = {}
            for name in COMPARE_CASES:
                noise = heavy if name.startswith("heavy") else light
                b = cfg.b_compare if name.endswith("-clipped") else None
                self.sims[name] = simulate.Simulation(land, cfg.L, cfg.eta, noise, b=b, **kw)

    # -- stepping
    def chunk(self) -> int:
        """Steps per path for the next tick, so that it costs about TICK_BUDGET seconds."""
        if self._last_secs <= 0:
            return FIRST_CHUNK
        per_sec = self._last_chunk / self._last_secs
        n = int(per_sec * TICK_BUDGET / self._share)
        return max(MIN_CHUNK, min(MAX_CHUNK, n, 4 * self._last_chunk))

    def note_tick(self, tick_seconds: float) -> None:
        """Record what one refresh cost; every live session of the server shares one
        compute budget (``chunk`` divides it by the number of live runs)."""
        self._share = _note_active(id(self))
        self._last_tick = float(tick_seconds)

    def plan_interval(self) -> float:
        """Choose the refresh interval for the fragment timer; call it on a full rerun.

        The interval follows the cost of the last refresh and the number of live
        runs, so a busy server is asked for fewer refreshes (RELIABILITY.md F9).
        It is fixed between full reruns (Start, or any change of a setting):
        changing it from inside the fragment needs ``st.rerun()``, and a session
        that did so under load could lose its fragment timer for good (F13).
        """
        self._share = _note_active(id(self))
        target = min(MAX_TICK, max(TICK, 2.0 * self._last_tick, INTERVAL_PER_RUN * self._share))
        self.interval = round(target, 2)
        return self.interval

    def step_chunk(self) -> int:
        return max(1000, 40 * self.every)

    def advance(self, steps: int) -> None:
        if self.error or not self._lock.acquire(blocking=False):
            return  # another tab showing this run is advancing it right now
        try:
            _limit_threads()
            t0 = time.perf_counter()
            for sim in self.sims.values():
                sim.advance(int(steps))
                err = getattr(sim, "error", None)
                if err:
                    self.error = str(err)
            secs = time.perf_counter() - t0
            self._last_chunk, self._last_secs = int(steps), secs
            if secs > 0:
                self._sps = steps * self.paths * len(self.sims) / secs
        finally:
            self._lock.release()

    @property
    def steps_done(self) -> int:
        return int(next(iter(self.sims.values())).steps_done)

    @property
    def last_seconds(self) -> float:
        return float(self._last_secs)

    @property
    def steps_per_second(self) -> float:
        return float(self._sps)

    # -- downloads
    def histogram_csv(self) -> str:
        buf = io.StringIO()
        buf.write("case,bin_left,bin_right,count\n")
        for name, sim in self.sims.items():
            edges, counts = sim.histogram()
            for a, c, n in zip(edges[:-1], edges[1:], counts):
                buf.write(f"{name},{a:.6g},{c:.6g},{int(n)}\n")
        return buf.getvalue()

    def fractions_csv(self) -> str:
        buf = io.StringIO()
        buf.write("case,field,steps,fraction\n")
        for name, sim in self.sims.items():
            steps = np.asarray(sim.field_steps)
            frac = np.asarray(sim.field_fraction)
            for i, (s, f) in enumerate(zip(steps, frac)):
                buf.write(f"{name},{i + 1},{int(s)},{float(f):.6g}\n")
        return buf.getvalue()


_active_lock = threading.Lock()
_active_runs: dict[int, float] = {}


def _note_active(run_id: int) -> int:
    """Mark a run as live now; return how many runs of this server are live."""
    now = time.monotonic()
    with _active_lock:
        _active_runs[run_id] = now
        for key in [k for k, t in _active_runs.items() if now - t > ACTIVE_WINDOW]:
            del _active_runs[key]
        return len(_active_runs)


def _limit_threads() -> None:
    """Run the kernels of this (script) thread on NUMBA_THREADS threads."""
    try:
        import numba

        if numba.get_num_threads() > NUMBA_THREADS:
            numba.set_num_threads(NUMBA_THREADS)
    except (ImportError, ValueError, RuntimeError):
        pass


_kept_lock = threading.Lock()
_kept_runs: OrderedDict[str, LiveRun] = OrderedDict()


def _keep(run: LiveRun) -> None:
    with _kept_lock:
        _kept_runs[run.token] = run
        _kept_runs.move_to_end(run.token)
        while len(_kept_runs) > KEPT_RUNS:
            _kept_runs.popitem(last=False)


def find_run(token: str) -> LiveRun | None:
    """The run named ``token`` in a URL, if this server process still has it."""
    with _kept_lock:
        return _kept_runs.get(token)


def ensure_run(session: MutableMapping[str, Any], cfg: RunConfig, land, maxima,
               token: str = "") -> tuple[LiveRun, str]:  # fmt: skip
    """The session's run for ``cfg`` and what happened to it: "same", "new" or, on the first
    run of a session whose URL names a run (a reload), "resumed" or "lost".

    A changed config starts a fresh run (keeping Start/Pause).
    """
    run = session.get("sim")
    if isinstance(run, LiveRun) and run.cfg == cfg:
        return run, "same"
    status = "new"
    if run is None and token:
        old = find_run(token)
        if old is not None and old.cfg == cfg:
            session["sim"] = old
            return old, "resumed"
        status = "lost"
    was_running = bool(run.running) if isinstance(run, LiveRun) else False
    new = LiveRun(cfg, land, tuple(maxima))
    new.running = was_running
    session["sim"] = new
    _keep(new)
    return new, status

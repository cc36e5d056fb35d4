"""A live run for the simulation pages, 1-D and 2-D: its runs (``simulate.protocols.Run``),
the tick budget and the refresh interval. In 1-D one Simulation, or the paper's four cases;
the 2-D cases are in ``dashboard.simrun_plane``.

Streamlit-free. ``LiveRun.advance`` is called once per fragment tick with a
chunk sized so one tick costs about ``TICK_BUDGET`` seconds of compute; the
runs keep bounded buffers, so memory stays flat over long runs.
"""

from __future__ import annotations

import io
import math
import os
import secrets
import threading
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from cachetools import LRUCache

import landscape
from landscape.tails import HEAVY_FAMILIES

TICK_BUDGET = 0.03  # seconds of simulation per refresh, shared by all live sessions
TICK = 0.1  # seconds between refreshes on an idle server: 8+ view updates a second alone
#: share of one core (the GIL) all live refreshes together may take; a bigger machine
#: may raise it with the environment variable SIMRUN_TARGET_LOAD
TARGET_LOAD = float(os.environ.get("SIMRUN_TARGET_LOAD", "0.8"))
GUESS_COST = 0.05  # CPU seconds of a refresh before the server has measured it
MAX_TICK = 5.0  # slowest refresh under load
#: the intervals a live view may refresh at; a view moves along it as the server's load changes
INTERVAL_LADDER = (0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 2.5,
                   3.0, 4.0, MAX_TICK)
_TRACE = bool(os.environ.get("SIMRUN_TRACE"))  # one line per refresh on stdout (load tests)
RETIME_DOWN_AFTER = 3.0  # seconds at one interval before a view may refresh faster again
RETIME_UP_RATIO = 1.3  # a view slows down at once only for a change at least this large
ACTIVE_WINDOW = 2 * MAX_TICK  # a run that ticked this recently counts as live
NUMBA_THREADS = 1  # per live run: leave the other core to the server and the browser
MIN_CHUNK, MAX_CHUNK = 100, 2_000_000
FIRST_CHUNK = 2_000
COMPARE_CASES = ("heavy-clipped", "heavy-unclipped", "light-clipped", "light-unclipped")
KEPT_RUNS = 32  # runs a reloaded page can find again (process-wide, least recently used dropped)

SESSION_KEY = "sim"  # where ensure_run keeps the session's 1-D run (widgets.session.RUN)


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


class RefreshBudget:
    """The compute budget per tick and the refresh interval of a live view, shared by
    all live views of the server (1-D ``LiveRun`` and 2-D ``PlaneLiveRun``).

    A subclass calls :meth:`init_budget` and sets ``_last_chunk`` / ``_last_secs``
    after each advance.
    """

    def init_budget(self) -> None:
        self._last_chunk = FIRST_CHUNK
        self._last_secs = 0.0
        self._sps = 0.0
        self._share = 1
        self._last_tick = 0.0
        self._tick_avg = 0.0
        self._cost = GUESS_COST
        self._retimed_at = 0.0
        self.interval = TICK
        #: the view's live parts of this run (``dashboard/liveparts.py``), set by the page that
        #: shows it; the frame route (``widgets/livestream.py``) answers once it is set
        self.frame_parts = None

    @property
    def last_seconds(self) -> float:
        """Wall seconds of the last advance."""
        return float(self._last_secs)

    @property
    def steps_per_second(self) -> float:
        """Steps (all paths and cases) per second of the last advance."""
        return float(self._sps)

    def refresh_caption(self) -> str:
        """What the last refresh cost and how often the view refreshes, in one line."""
        return (f"Last refresh: {1000 * self._last_tick:.0f} ms (simulation {1000 * self.last_seconds:.0f} ms); "
                f"refreshing every {self.interval:g} s (slower when the server is busy).")  # fmt: skip

    def live_metrics(self) -> list[list[str]]:
        """The live view's numbers as ``[label, value]`` rows (steps, rate, paths, state)."""
        from dashboard.figures import si_rate

        return [["Steps per path", f"{self.steps_done:,}"], ["Steps per second", si_rate(self.steps_per_second)],
                ["Paths", f"{self.paths}"], ["State", "running" if self.running else "paused"]]  # fmt: skip

    def chunk(self) -> int:
        """Steps per path for the next tick, so that it costs about TICK_BUDGET seconds."""
        if self._last_secs <= 0:
            return FIRST_CHUNK
        per_sec = self._last_chunk / self._last_secs
        n = int(per_sec * TICK_BUDGET / self._share)
        return max(MIN_CHUNK, min(MAX_CHUNK, n, 4 * self._last_chunk))

    def note_tick(self, tick_seconds: float, cpu_seconds: float | None = None) -> None:
        """Record what one refresh cost; every live session of the server shares one
        compute budget (``chunk`` divides it by the number of live runs) and one refresh
        budget (``plan_interval``).

        The cost of a refresh is the server process's CPU time per live refresh (all its
        threads: the page script, the event loop sending the figures, the kernels), or
        this refresh's own ``cpu_seconds`` if larger. The script thread alone sees only a
        fifth of it (RELIABILITY.md F17).
        """
        self._last_tick = float(tick_seconds)
        # smoothed: one refresh slowed a little by the browser or another session must not
        # move the view down the ladder (it then waits RETIME_DOWN_AFTER to come back)
        avg = self._tick_avg
        self._tick_avg = self._last_tick if avg <= 0 else 0.7 * avg + 0.3 * self._last_tick
        self._cost = max(_server_cost_per_refresh(), float(cpu_seconds or 0.0))
        self._share, total = _note_active(id(self), self._cost)
        if _TRACE:
            print(f"tick {time.monotonic():.3f} run={id(self) % 10000} wall={tick_seconds:.3f} "
                  f"cpu={cpu_seconds} cost={self._cost:.3f} live={self._share} total={total:.3f} "
                  f"interval={self.interval}", flush=True)

    def plan_interval(self) -> float:
        """Choose the refresh interval for the fragment timer from the server's load.

        All live views together may use ``TARGET_LOAD`` of a core: with the live runs'
        refresh costs summing to C CPU seconds, each view refreshes every
        C / TARGET_LOAD seconds (never faster than ``TICK``, nor faster than its own
        refreshes take: their moving average, or half the last one if longer), rounded
        up to ``INTERVAL_LADDER`` (RELIABILITY.md F9, F17).
        Call it on a full rerun, and from the view itself with :meth:`retime`.
        """
        self._share, total_cost = _note_active(id(self), self._cost)
        duration = max(self._tick_avg, 0.5 * self._last_tick)  # a very slow one still counts
        target = max(TICK, total_cost / TARGET_LOAD, 1.25 * duration)
        self.interval = next((t for t in INTERVAL_LADDER if t >= target - 1e-9), MAX_TICK)
        return self.interval

    def retime(self, now: float | None = None) -> float | None:
        """The new interval the running view should switch to, or None to keep its own.

        Slower at once when the server gets clearly busier (by ``RETIME_UP_RATIO``);
        faster only after ``RETIME_DOWN_AFTER`` seconds at one interval: each new timer
        restarts the browser's clock, so views that retimed often would refresh less.
        """
        now = time.monotonic() if now is None else now
        old = self.interval
        new = self.plan_interval()
        small_rise = old < new < RETIME_UP_RATIO * old
        if new == old or small_rise or (new < old and now - self._retimed_at < RETIME_DOWN_AFTER):
            self.interval = old
            return None
        self._retimed_at = now
        return new



class LiveRun(RefreshBudget):
    """The runs of one live view and the bookkeeping for its ticks, in 1-D and 2-D.

    ``sims[name]`` is each case's ``simulate.protocols.Run`` (``Simulation`` here,
    ``PlaneSimulation`` in ``dashboard.simrun_plane.PlaneLiveRun``): "run", or the cases of
    comparison mode. A dimension gives :meth:`make_runs` and its downloads; advancing, the
    tick budget, the token and the error are shared.
    """

    #: where ``ensure_run`` keeps the session's run of this kind (``widgets.session``)
    session_key = SESSION_KEY

    def __init__(self, cfg: RunConfig, land, extra):
        self.cfg = cfg
        self.land = land
        self.token = secrets.token_urlsafe(9)  # names the run in the URL, for a reload
        self._lock = threading.Lock()  # two tabs of one run: one advances at a time
        self.running = False
        self.error: str | None = None
        self.every = cfg.every
        self.paths = cfg.paths
        self.compare = cfg.compare
        self._started = False
        self.init_budget()
        self.sims = self.make_runs(cfg, land, extra)

    def make_runs(self, cfg: RunConfig, land, maxima) -> dict:
        """The 1-D runs (``simulate.Simulation``) of ``cfg``: "run", or the four
        ``COMPARE_CASES``; ``maxima`` are the field boundaries."""
        import simulate

        kw = {"x0": cfg.x0, "paths": cfg.paths, "seed": cfg.seed, "record_every": cfg.every,
              "boundaries": tuple(maxima) or None}
        if not cfg.compare:
            noise = make_noise(cfg.noise, cfg.alpha, cfg.scale)
            return {"run": simulate.Simulation(land, cfg.L, cfg.eta, noise, b=cfg.b, **kw)}
        heavy = (make_noise(cfg.noise, cfg.alpha, cfg.scale)
                 if landscape.is_heavy_tailed(cfg.noise, cfg.alpha) else simulate.PAPER_HEAVY)
        sims = {}
        for name in COMPARE_CASES:
            noise = heavy if name.startswith("heavy") else simulate.PAPER_LIGHT
            b = cfg.b_compare if name.endswith("-clipped") else math.inf
            sims[name] = simulate.Simulation(land, cfg.L, cfg.eta, noise, b=b, **kw)
        return sims

    def step_chunk(self) -> int:
        return max(1000, 40 * self.every)

    def advance(self, steps: int) -> None:
        """Advance every case by ``steps`` steps (nothing after an error, nor while another
        tab of this run advances it)."""
        if self.error or not self._lock.acquire(blocking=False):
            return  # another tab showing this run is advancing it right now
        try:
            _limit_threads()
            t0 = time.perf_counter()
            for sim in self.sims.values():
                sim.advance(int(steps))
                err = sim.result.error
                if err:
                    self.error = str(err)
            self._started = True
            secs = time.perf_counter() - t0
            if steps:
                self._last_chunk, self._last_secs = int(steps), secs
                if secs > 0:
                    self._sps = steps * self.paths * len(self.sims) / secs
        finally:
            self._lock.release()

    @property
    def results(self) -> dict:
        """What each case measured so far (``simulate.protocols.RunResult``); empty before
        the first advance."""
        return {name: sim.result for name, sim in self.sims.items()} if self._started else {}

    @property
    def steps_done(self) -> int:
        return int(next(iter(self.sims.values())).steps_done)

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


_server_lock = threading.Lock()
_server = {"time": time.monotonic(), "cpu": time.process_time(), "ticks": 0, "cost": GUESS_COST,
           "last": -math.inf}
QUIET_GAP = 2.0  # seconds without a live refresh after which the server's CPU is not theirs


def _server_cost_per_refresh(window: float = 1.0) -> float:
    """Count one live refresh; return the server process's CPU seconds per live refresh,
    measured over windows of at least ``window`` seconds (smoothed). After ``QUIET_GAP``
    seconds without live refreshes the window starts afresh: what the server did
    meanwhile (page loads, analyses, studies) is not charged to the refreshes."""
    with _server_lock:
        now = time.monotonic()
        if now - _server["last"] > QUIET_GAP:
            _server.update(time=now, cpu=time.process_time(), ticks=0)
        _server["last"] = now
        _server["ticks"] += 1
        if now - _server["time"] >= window:
            cpu = time.process_time()
            sample = min(1.0, (cpu - _server["cpu"]) / _server["ticks"])
            _server["cost"] = 0.7 * _server["cost"] + 0.3 * sample
            _server.update(time=now, cpu=cpu, ticks=0)
        return float(_server["cost"])


_active_lock = threading.Lock()
_active_runs: dict[int, tuple[float, float]] = {}  # run id -> (last seen, CPU cost of a refresh)


def _note_active(run_id: int, cost: float = GUESS_COST) -> tuple[int, float]:
    """Mark a run as live now; return how many runs of this server are live and the
    sum of their refresh costs (CPU seconds)."""
    now = time.monotonic()
    with _active_lock:
        _active_runs[run_id] = (now, float(cost))
        for key in [k for k, (t, _) in _active_runs.items() if now - t > ACTIVE_WINDOW]:
            del _active_runs[key]
        return len(_active_runs), sum(c for _, c in _active_runs.values())


def _limit_threads() -> None:
    """Run the kernels of this (script) thread on NUMBA_THREADS threads."""
    try:
        import numba

        if numba.get_num_threads() > NUMBA_THREADS:
            numba.set_num_threads(NUMBA_THREADS)
    except (ImportError, ValueError, RuntimeError):
        pass


_kept_lock = threading.Lock()
_kept_runs: LRUCache = LRUCache(maxsize=KEPT_RUNS)


def _keep(run: LiveRun) -> None:
    with _kept_lock:
        _kept_runs[run.token] = run


def find_run(token: str) -> LiveRun | None:
    """The run named ``token`` in a URL, if this server process still has it."""
    with _kept_lock:
        return _kept_runs.get(token)


def ensure_run(session: MutableMapping[str, Any], cfg: RunConfig, land, extra,
               token: str = "", *, kind: type[LiveRun] = LiveRun) -> tuple[LiveRun, str]:  # fmt: skip
    """The session's run of ``kind`` for ``cfg`` and what happened to it: "same", "new" or,
    on the first run of a session whose URL names a run (a reload), "resumed" or "lost".

    ``extra`` is what ``kind.make_runs`` needs besides the landscape (1-D: the field
    boundaries; 2-D: the analysis). A changed config starts a fresh run (keeping Start/Pause).
    """
    run = session.get(kind.session_key)
    if type(run) is kind and run.cfg == cfg:
        return run, "same"
    status = "new"
    if run is None and token:
        old = find_run(token)
        if type(old) is kind and old.cfg == cfg:
            session[kind.session_key] = old
            return old, "resumed"
        status = "lost"
    was_running = bool(run.running) if type(run) is kind else False
    new = kind(cfg, land, extra)
    new.running = was_running
    session[kind.session_key] = new
    _keep(new)
    return new, status

"""A live 2-D run for the simulation page: ``simulate.plane.simulate_plane`` continued in
slices, one case or the paper's pair (clipped against unclipped, its Fig. 3(c)).

Streamlit-free. The tick budget, the refresh interval and the server-wide share of the
compute are those of the 1-D live runs (``dashboard.simrun``); runs are kept by token so a
reload finds them again, as in 1-D.
"""

from __future__ import annotations

import dataclasses
import io
import math
import secrets
import threading
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from dashboard import simrun

SESSION_KEY = "plane_sim"
TRACE_POINTS = 1500  # recorded iterates kept per path (the latest)
CASES = ("clipped", "unclipped")


@dataclass(frozen=True)
class PlaneRunConfig(simrun.RunConfig):
    """A 1-D run's settings (``simrun.RunConfig``, whose ``L`` is the ball's radius R)
    and the start's second coordinate."""

    y0: float = 0.0

    @property
    def R(self) -> float:
        return self.L


def config_from(p: Mapping[str, Any], source: str) -> PlaneRunConfig:
    return PlaneRunConfig(**dataclasses.asdict(simrun.config_from(p, source)), y0=float(p["y0"]))


class PlaneLiveRun(simrun.RefreshBudget):
    """The 2-D run(s) of one live view: ``results[name]`` is the latest cumulative
    ``PlaneRunResult`` of each case ("run", or "clipped" and "unclipped")."""

    def __init__(self, cfg: PlaneRunConfig, land, analysis):
        from simulate.plane import PlaneGrids

        self.cfg = cfg
        self.land = land
        self.grids = PlaneGrids.from_analysis(analysis)
        self.token = secrets.token_urlsafe(9)
        self._lock = threading.Lock()
        self.running = False
        self.error: str | None = None
        self.every = cfg.every
        self.paths = cfg.paths
        self.compare = cfg.compare
        self.cases = {"run": cfg.b} if not cfg.compare else {"clipped": cfg.b_compare, "unclipped": math.inf}
        self.results: dict[str, Any] = {}
        self.init_budget()

    def step_chunk(self) -> int:
        return max(1000, 40 * self.every)

    def advance(self, steps: int) -> None:
        from simulate.plane import simulate_plane

        if self.error or not self._lock.acquire(blocking=False):
            return  # another tab showing this run is advancing it right now
        try:
            simrun._limit_threads()
            c = self.cfg
            t0 = time.perf_counter()
            for name, b in self.cases.items():
                prev = self.results.get(name)
                res = simulate_plane(
                    self.land, self.grids, R=c.R, eta=c.eta, b=b, family=c.noise, alpha=c.alpha,
                    scale=c.scale, x0=(c.x0, c.y0), paths=c.paths, steps=int(steps), seed=c.seed,
                    trace_points=TRACE_POINTS, record_every=c.every,
                    state=None if prev is None else prev.state,
                )  # fmt: skip
                self.results[name] = res
                if res.error:
                    self.error = str(res.error)
            secs = time.perf_counter() - t0
            if steps:
                self._last_chunk, self._last_secs = int(steps), secs
                self._sps = steps * self.paths * len(self.cases) / secs if secs > 0 else 0.0
        finally:
            self._lock.release()

    def first_wait(self) -> str:
        """What the first chunk waits for and roughly how long (shown while it runs)."""
        from simulate.plane import first_run_wait

        try:
            return first_run_wait(self.land, self.cfg.R)
        except Exception:  # noqa: BLE001 - a message only; the run itself reports errors
            return "preparing the kernels"

    def live_metrics(self) -> list[list[str]]:
        """As 1-D, with the state "starting" while the first chunk runs."""
        rows = super().live_metrics()
        if self.running and self.steps_done == 0:
            rows[-1] = ["State", "starting"]
        return rows

    @property
    def steps_done(self) -> int:
        res = next(iter(self.results.values()), None)
        return int(res.steps_done) if res is not None else 0

    # -- downloads
    def fractions_csv(self) -> str:
        buf = io.StringIO()
        buf.write("case,field,steps_in_field,fraction_in_field,steps_near_minimiser,fraction_near\n")
        for name, res in self.results.items():
            ff, nf = res.field_fraction, res.near_fraction
            m = len(ff) - 1
            for i in range(m + 1):
                label = str(i + 1) if i < m else "out"
                buf.write(f"{name},{label},{int(res.field_steps[i])},{ff[i]:.6g},"
                          f"{int(res.near_steps[i])},{nf[i]:.6g}\n")  # fmt: skip
        return buf.getvalue()

    def histogram_csv(self) -> str:
        buf = io.StringIO()
        buf.write("case,x_left,x_right,y_bottom,y_top,count\n")
        for name, res in self.results.items():
            h = res.histogram
            x0, x1, y0, y1 = res.extent
            dx, dy = (x1 - x0) / h.shape[1], (y1 - y0) / h.shape[0]
            for row, col in zip(*h.nonzero()):
                buf.write(f"{name},{x0 + col * dx:.6g},{x0 + (col + 1) * dx:.6g},{y0 + row * dy:.6g},"
                          f"{y0 + (row + 1) * dy:.6g},{int(h[row, col])}\n")  # fmt: skip
        return buf.getvalue()


def ensure_run(session: MutableMapping[str, Any], cfg: PlaneRunConfig, land, analysis,
               token: str = "") -> tuple[PlaneLiveRun, str]:  # fmt: skip
    """The session's 2-D run for ``cfg`` and what happened to it: "same", "new", or after a
    reload "resumed" / "lost" (as ``dashboard.simrun.ensure_run``)."""
    run = session.get(SESSION_KEY)
    if isinstance(run, PlaneLiveRun) and run.cfg == cfg:
        return run, "same"
    status = "new"
    if run is None and token:
        old = simrun.find_run(token)
        if isinstance(old, PlaneLiveRun) and old.cfg == cfg:
            session[SESSION_KEY] = old
            return old, "resumed"
        status = "lost"
    was_running = bool(run.running) if isinstance(run, PlaneLiveRun) else False
    new = PlaneLiveRun(cfg, land, analysis)
    new.running = was_running
    session[SESSION_KEY] = new
    simrun._keep(new)
    return new, status

"""What a live 2-D run adds to ``dashboard.simrun.LiveRun``: its settings (the start's second
coordinate), its cases (one, or the paper's pair clipped against unclipped, its Fig. 3(c)),
each a ``simulate.plane_run.PlaneSimulation``, and its downloads.

Streamlit-free. Advancing, the tick budget, the refresh interval, the server-wide share of
the compute and the runs kept by token for a reload are those of ``dashboard.simrun``.
"""

from __future__ import annotations

import dataclasses
import io
import math
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


class PlaneLiveRun(simrun.LiveRun):
    """The 2-D run(s) of one live view: ``sims[name]`` is the ``PlaneSimulation`` of each
    case ("run", or "clipped" and "unclipped"), ``results[name]`` its latest cumulative
    ``PlaneRunResult``."""

    session_key = SESSION_KEY

    def make_runs(self, cfg: PlaneRunConfig, land, analysis) -> dict:
        """One ``PlaneSimulation`` per case on the analysis' fields."""
        from simulate.noise import make_noise
        from simulate.plane_grids import PlaneGrids
        from simulate.plane_run import PlaneSimulation

        self.grids = PlaneGrids.from_analysis(analysis)
        noise = make_noise(cfg.noise, cfg.alpha, cfg.scale)
        cases = {"run": cfg.b} if not cfg.compare else {"clipped": cfg.b_compare, "unclipped": math.inf}
        return {name: PlaneSimulation(land, cfg.R, cfg.eta, noise, b=b, x0=(cfg.x0, cfg.y0),
                                      paths=cfg.paths, seed=cfg.seed, grids=self.grids,
                                      trace_points=TRACE_POINTS, record_every=cfg.every)
                for name, b in cases.items()}  # fmt: skip

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
    """The session's 2-D run for ``cfg`` and what happened to it (``dashboard.simrun.ensure_run``)."""
    return simrun.ensure_run(session, cfg, land, analysis, token, kind=PlaneLiveRun)

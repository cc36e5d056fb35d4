"""A 2-D run as an object advanced in chunks: the twin of the 1-D ``Simulation``.

Both satisfy ``simulate.protocols.Run``: ``advance(steps)``, ``result`` (the
``simulate.protocols.RunResult``), ``dimension`` and ``paths``. The work is
:func:`simulate.plane.simulate_plane`, continued through the run's state.
"""

from __future__ import annotations

import math

from . import config
from .errors import SimulationError
from .plane import PlaneRunResult, simulate_plane
from .plane_grids import PlaneGrids


def grids_for(land, R: float, b: float, alpha) -> PlaneGrids:
    """The kernels' grids from the landscape's analysis (``landscape.analyze_plane``);
    an ``AnalysisError`` becomes a ``SimulationError``."""
    from landscape.plane_analysis import analyze_plane

    try:
        return PlaneGrids.from_analysis(analyze_plane(land, R, b, alpha))
    except ValueError as exc:
        raise SimulationError(str(exc)) from exc


class PlaneSimulation:
    """P paths of X <- P_R(X - phi_b(eta (grad f(X) - Z))) on a 2-D landscape, in chunks.

    Parameters
    ----------
    land : PlaneLandscape, PlaneGradient or (df/dx, df/dy)
        The landscape (with ``grids=None`` it must be a ``PlaneLandscape``).
    R, eta : float
        Ball radius, learning rate.
    noise : Noise or str
        Noise (``simulate.noise``).
    b : float
        Clipping threshold; ``math.inf`` (the default): no clipping.
    x0 : (x, y) or array (paths, 2)
        Start, inside the ball.
    paths, seed : int
    grids : PlaneGrids, optional
        Field labels; default from ``landscape.analyze_plane(land, R, b)`` (as the
        1-D ``Simulation`` takes its boundaries from ``critical_points``).
    trace_points, record_every, bins, stream, tabulate
        As :func:`simulate.plane.simulate_plane` (``record_every`` defaults to the 1-D
        ``config.DEFAULT_RECORD_EVERY``).
    """

    dimension = 2

    def __init__(self, land, R, eta, noise, *, b=math.inf, x0, paths=config.DEFAULT_PATHS,
                 seed=0, grids: PlaneGrids | None = None, trace_points: int = 2000,
                 record_every: int = config.DEFAULT_RECORD_EVERY,
                 bins: int = config.DEFAULT_PLANE_BINS,
                 stream: int = 0, tabulate: bool = True):
        from .noise import as_noise

        self.noise = as_noise(noise)
        self.grids = grids if grids is not None else grids_for(land, R, b, self.noise.tail_index)
        self._settings = {"R": R, "eta": eta, "b": b, "family": self.noise, "x0": x0,
                          "paths": paths, "seed": seed, "trace_points": trace_points,
                          "record_every": record_every, "bins": bins, "stream": stream,
                          "tabulate": tabulate}
        self.land = land
        self.paths = paths
        self._result: PlaneRunResult | None = None

    def advance(self, steps: int) -> None:
        """Advance every path by ``steps`` steps (a path whose gradient failed stays put)."""
        state = None if self._result is None else self._result.state
        self._result = simulate_plane(self.land, self.grids, steps=steps, state=state,
                                      **self._settings)

    @property
    def steps_done(self) -> int:
        """Steps done per path so far (0 before the first ``advance``; reads no kernel)."""
        return 0 if self._result is None else int(self._result.steps_done)

    @property
    def result(self) -> PlaneRunResult:
        """What the run measured so far (a snapshot, ``simulate.protocols.RunResult``)."""
        if self._result is None:
            self.advance(0)
        return self._result

    def to_json(self) -> dict:
        """The ``python -m simulate run`` JSON of the run so far."""
        return self._result.to_json()

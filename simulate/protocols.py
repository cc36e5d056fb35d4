"""The contracts 1-D and 2-D share: a run, its result, exit times, an exit study, a gradient.

Each concept has one set of names and meanings whatever the dimension; the
1-D implementations (``simulate.simulation``, ``simulate.exits``,
``simulate.gradient``) and the 2-D ones (``simulate.plane_run``,
``simulate.plane_exits``, ``simulate.plane_gradient``) satisfy them
(``tests/test_simulate_protocols.py`` runs the same checks on both).

==================  ==============================  ===============================
concept             1-D                             2-D
==================  ==============================  ===============================
:class:`Run`        ``Simulation``                  ``PlaneSimulation``
:class:`RunResult`  ``Simulation`` (live views)     ``PlaneRunResult`` (a snapshot)
:class:`ExitSamples` ``ExitTimes``                  ``PlaneExitTimes``
:class:`ExitStudy`  ``exit_study``                  ``plane_exit_study``
:class:`GeneratedGradient` ``Gradient``             ``PlaneGradient``
==================  ==============================  ===============================

Field indices are 0-based in the objects and 1-based in every ``to_json``.
"No clipping" is ``math.inf`` everywhere inside the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from . import _common as C
from .errors import SimulationError
from .exit_caps import StepCap, censored_mean, fit_exit_slope

#: ``progress(fraction in [0, 1], message)``, called as long work goes on
Progress = Callable[[float, str], object]


@runtime_checkable
class RunResult(Protocol):
    """What a run has measured so far (cumulative over its chunks).

    ``field_steps`` and ``field_fraction`` have one entry per field; in 2-D
    one more, the last, for cells of no field. ``transitions[i, j]`` counts the
    moves from field i into field j.
    """

    dimension: int
    paths: int
    steps_done: int
    seconds: float
    steps_per_second: float
    field_steps: np.ndarray
    field_fraction: np.ndarray
    transitions: np.ndarray
    error: str | None
    gradient_note: str

    def to_json(self) -> dict:
        """The ``python -m simulate run`` JSON (1-based field indices)."""
        ...


@runtime_checkable
class Run(Protocol):
    """P paths of clipped SGD advanced in chunks; ``result`` is what they measured."""

    dimension: int
    paths: int
    #: steps done per path so far (0 before the first ``advance``; cheap, runs nothing)
    steps_done: int

    def advance(self, steps: int) -> None:
        """Advance every path by ``steps`` steps (no-op after an error)."""
        ...

    @property
    def result(self) -> RunResult:
        ...


@runtime_checkable
class GeneratedGradient(Protocol):
    """A formula's gradient compiled for the kernels (cached per expression ``key``)."""

    key: str
    code: str

    def kernels(self):
        """The kernels to call now (never waits for a compile)."""
        ...

    def specialise(self):
        """Start compiling the kernels specialised for this formula in the background."""
        ...

    def ready(self) -> bool:
        """True once the fastest kernels for this formula are in use."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`ready`, failed or ``timeout`` seconds passed."""
        ...


def _num(v):
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass(frozen=True, kw_only=True, eq=False)
class ExitSamples:
    """First-exit samples from one field at one learning rate.

    Attributes
    ----------
    eta : float
        Learning rate.
    x0 : float or (float, float)
        The start of every sample.
    field : int
        0-based field left.
    max_steps : int
        The step cap of every sample.
    exit_steps : int64 (samples,)
        Exit step of every sample (``max_steps`` if censored).
    destinations : int64 (samples,)
        0-based field entered; -1 if censored (or stopped by a non-finite gradient).
    censored : bool (samples,)
        True where the sample reached ``max_steps`` without leaving.
    error : str or None
        Set if the gradient became NaN/inf (those samples are censored).
    seconds : float
        Wall time of the kernels.
    gradient : str
        Which gradient the kernels used ("polynomial", "tabulated", "generic",
        "specialised"; in 2-D "tabulated", "exact, generic", "exact, specialised").
    gradient_note : str
        One line saying which gradient and how exact.
    """

    eta: float
    x0: float | tuple[float, float]
    field: int
    max_steps: int
    exit_steps: np.ndarray
    destinations: np.ndarray
    censored: np.ndarray
    error: str | None = None
    seconds: float = 0.0
    gradient: str = ""
    gradient_note: str = ""

    @property
    def n_censored(self) -> int:
        return int(self.censored.sum())

    @property
    def mean(self) -> float:
        """Mean exit step, censored samples included: steps run / exits (``censored_mean``).

        The plain mean when nothing is censored; NaN when no sample exited.
        """
        return censored_mean(self.exit_steps, self.censored)

    def destination_counts(self) -> dict[int, int]:
        """{0-based destination field: count} over uncensored samples."""
        d = self.destinations[self.destinations >= 0]
        vals, cnt = np.unique(d, return_counts=True)
        return {int(v): int(c) for v, c in zip(vals, cnt, strict=True)}

    def to_json(self) -> dict:
        """The ``python -m simulate exit-times`` JSON (1-based fields)."""
        out = {
            "exit_times": [int(t) for t in self.exit_steps],
            "mean": _num(self.mean),
            "destinations": {str(k + 1): v for k, v in self.destination_counts().items()},
            "censored": self.n_censored,
            "field": self.field + 1,
            "max_steps": self.max_steps,
            "gradient": self.gradient,
        }
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True, kw_only=True)
class ExitStudy:
    """Mean first-exit time against eta and the log-log slope (paper Fig. 4), 1-D or 2-D.

    ``slope`` is the least-squares slope of log(mean exit) against
    log(1/eta); ``predicted_slope`` is beta = alpha + (alpha - 1)(l* - 1)
    for the start field (None for light-tailed noise, where exit times grow
    like exp(c / eta)). ``results`` holds the :class:`ExitSamples` of each eta.
    """

    etas: np.ndarray
    mean_exit_times: np.ndarray
    slope: float
    intercept: float
    r_value: float
    predicted_slope: float | None
    field: int
    l_star: int
    alpha: float | None
    censored: np.ndarray
    caps: tuple[StepCap, ...] = ()
    results: tuple[ExitSamples, ...] = field(repr=False, default=())

    def to_json(self) -> dict:
        """The ``python -m simulate exit-study`` JSON."""
        return {
            "etas": [float(e) for e in self.etas],
            "mean_exit_times": [float(m) for m in self.mean_exit_times],
            "slope": _num(self.slope),
            "predicted_slope": _num(self.predicted_slope),
            "intercept": _num(self.intercept),
            "r_value": _num(self.r_value),
            "field": self.field + 1,
            "l_star": self.l_star,
            "censored": [int(c) for c in self.censored],
            "max_steps": [c.steps for c in self.caps],
            "max_steps_source": [c.source for c in self.caps],
            "predicted_mean_exit_times": [_num(c.predicted_mean) for c in self.caps],
        }


def study_etas(etas: Sequence[float]) -> np.ndarray:
    """The learning rates of an exit study as floats (at least two, all > 0)."""
    try:
        out = np.array([float(e) for e in etas], dtype=float)
    except (TypeError, ValueError):
        raise SimulationError(f"etas must be numbers, got {etas!r}") from None
    if out.size < 2:
        raise SimulationError("an exit study needs at least two learning rates")
    for e in out:
        C.positive("eta (learning rate)", e)
    return out


def assemble_study(etas: np.ndarray, results: Sequence[ExitSamples], caps: Sequence[StepCap], *,
                   field: int, l_star: int, alpha: float | None,
                   progress: Progress | None = None) -> ExitStudy:
    """An :class:`ExitStudy` from the samples of each eta: censored means, the slope fit
    of ``simulate.exit_caps`` and the theory's exponent beta(alpha, l*) (THEORY 5)."""
    from landscape.theory import exit_exponent

    means = np.array([r.mean for r in results])
    censored = np.array([r.n_censored for r in results])
    fit = fit_exit_slope(etas, means, censored, [r.exit_steps.size for r in results])
    predicted = None if alpha is None else float(exit_exponent(alpha, l_star))
    if progress is not None:
        progress(1.0, "exit study done")
    return ExitStudy(etas=etas, mean_exit_times=means, slope=fit.slope, intercept=fit.intercept,
                     r_value=fit.r_value, predicted_slope=predicted, field=field, l_star=l_star,
                     alpha=alpha, censored=censored, caps=tuple(caps), results=tuple(results))

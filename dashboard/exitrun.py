"""Exit-time studies for the Exit times page. Streamlit-free.

One ``simulate.exit_times`` call per eta (stream i + 1 for the i-th eta, as
``simulate.exit_study``), each with its own step cap from ``simulate.exit_caps`` (the one policy of
pages, command line and studies: 25 predicted mean exit times, or the user's
cap). Means are the exponential model's censored-data estimate (all steps run
/ exits seen), which is the plain mean when nothing is censored; the slope is
fitted on them and the page says how many runs were censored. Finished studies are pure
functions of their ``ExitConfig`` and are kept in a small process-wide LRU
store, shared by all sessions.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from cachetools import LRUCache

from simulate.config import MAX_AUTO_CAP, NO_PREDICTION_CAP
from simulate.exit_caps import censored_mean as exit_mean
from simulate.exit_caps import fit_exit_slope, step_cap

STORE_SIZE = 32
_store: LRUCache = LRUCache(maxsize=STORE_SIZE)
_lock = threading.Lock()


@dataclass(frozen=True, kw_only=True)
class ExitConfig:
    """The settings of an exit-time study, 1-D (``run_study``) or 2-D
    (``dashboard.exitrun_plane.run_plane_study``)."""

    source: str
    L: float  # 1-D: the wall; 2-D: the ball's radius R
    etas: tuple[float, ...]
    noise: str
    alpha: float
    scale: float
    b: float  # inf: no clipping
    x0: float | tuple[float, float]  # the start: x in 1-D, (x, y) in 2-D
    field: int  # 0-based
    samples: int
    seed: int
    max_steps: int | None = None  # per run; None: sized from the predicted mean (auto)


@dataclass(frozen=True)
class Study:
    """What the log-log figure needs."""

    etas: np.ndarray
    mean_exit_times: np.ndarray
    slope: float | None
    predicted_slope: float | None
    field: int
    censored: np.ndarray  # runs cut by the step cap, per eta
    fit_etas: int  # how many etas the slope was fitted on (those with at least one exit)


@dataclass
class ExitResult:
    config: ExitConfig
    study: Study
    times: list[np.ndarray]  # per eta
    dests: list[np.ndarray]  # per eta, 0-based field index
    censored_mask: list[np.ndarray]
    destinations: dict[int, int] = field(default_factory=dict)
    caps: list[int] = field(default_factory=list)  # the step cap used for each eta

    @property
    def censored(self) -> int:
        return int(sum(int(np.sum(c)) for c in self.censored_mask))

    def table(self, predicted: list[float] | None = None) -> pd.DataFrame:
        """One row per eta; with the theory's ``predicted`` means, their ratio to the simulation."""
        rows = []
        for k, (eta, t, c, cap) in enumerate(zip(self.study.etas, self.times, self.censored_mask,
                                                 self.caps)):  # fmt: skip
            row = {"η": eta, "1/η": 1 / eta, "mean exit time": exit_mean(t, c),
                   "median": float(np.median(t)), "samples": len(t), "censored": int(np.sum(c)),
                   "step cap": int(cap)}  # fmt: skip
            if predicted is not None:
                row["predicted mean"] = predicted[k]
                row["simulated / predicted"] = row["mean exit time"] / predicted[k]
            rows.append(row)
        return pd.DataFrame(rows)

    def csv(self, case: str | None = None, header: bool = True) -> str:
        """One row per sample (fields 1-based); ``case`` adds a leading column."""
        buf = io.StringIO()
        lead = "" if case is None else f"{case},"
        if header:
            buf.write(("" if case is None else "case,")
                      + "eta,sample,exit_time,destination_field,censored\n")  # fmt: skip
        for eta, t, d, c in zip(self.study.etas, self.times, self.dests, self.censored_mask):
            for k in range(len(t)):
                dest = "" if d[k] < 0 else str(int(d[k]) + 1)
                buf.write(f"{lead}{eta:.6g},{k + 1},{int(t[k])},{dest},{int(bool(c[k]))}\n")
        return buf.getvalue()


def fit_slope(etas: np.ndarray, means: np.ndarray) -> float | None:
    """``simulate.exit_caps.fit_exit_slope``'s slope, None with < 2 usable points."""
    slope = fit_exit_slope(etas, means).slope
    return None if math.isnan(slope) else slope


def lookup(cfg: ExitConfig) -> ExitResult | None:
    with _lock:
        return _store.get(cfg)


def _remember(cfg: ExitConfig, res: ExitResult) -> None:
    with _lock:
        _store[cfg] = res


#: Per run, when the theory has no prediction (light tails): the one policy's default.
DEFAULT_CAP = NO_PREDICTION_CAP
#: The largest cap a user may type: simulate's limit per call.
MAX_USER_CAP = MAX_AUTO_CAP


def run_study(
    cfg: ExitConfig, land, maxima, progress: Callable[[float, str], None] | None = None,
    predicted_mean: Callable[[float], float | None] | None = None,
    predicted_slope: float | None = None,
) -> ExitResult:  # fmt: skip
    """Run ``cfg`` eta by eta with ``simulate.exit_times`` (or return the stored result).

    ``predicted_mean(eta)`` is the theory's mean exit time in steps (None where it has
    none); it sizes each eta's step cap unless ``cfg.max_steps`` is set.
    ``predicted_slope`` is the theory's beta, kept with the result for the figure.
    ``progress(fraction, message)`` is called as the study goes, with the steps done.
    """
    import simulate
    from dashboard.simrun import make_noise

    hit = lookup(cfg)
    if hit is not None:
        if progress:
            progress(1.0, "stored result")
        return hit
    noise = make_noise(cfg.noise, cfg.alpha, cfg.scale)
    b = cfg.b
    bounds = np.asarray(maxima, float) if len(maxima) else None
    k = len(cfg.etas)
    steps_done = 0
    runs = []
    caps = []
    for i, eta in enumerate(cfg.etas):
        cap = step_cap(predicted_mean(eta) if predicted_mean else None, cfg.max_steps).steps
        caps.append(cap)

        def report(frac: float, msg: str, i=i, eta=eta, cap=cap, before=steps_done) -> None:
            if progress:
                progress(frac, f"η = {eta:g} ({i + 1} of {k}, cap {cap:,} steps per run): {msg}; "
                               f"{before:,} steps in earlier η")  # fmt: skip

        r = simulate.exit_times(land, cfg.L, eta, noise, b=b, x0=cfg.x0, samples=cfg.samples,
                                seed=cfg.seed, max_steps=cap, boundaries=bounds,
                                progress=report, stream=i + 1, progress_span=(i / k, (i + 1) / k))  # fmt: skip
        runs.append(r)
        steps_done += int(np.sum(r.exit_steps))
    times = [np.asarray(r.exit_steps) for r in runs]
    dests = [np.asarray(r.destinations) for r in runs]
    cens = [np.asarray(r.censored, dtype=bool) for r in runs]
    etas = np.asarray(cfg.etas, float)
    means = np.array([exit_mean(t, c) for t, c in zip(times, cens)])
    slope = fit_slope(etas, means)  # etas with no exit have NaN means: left out
    study = Study(etas, means, slope, predicted_slope, int(runs[0].field),
                  np.array([int(c.sum()) for c in cens]), int(np.isfinite(means).sum()))  # fmt: skip
    counts: dict[int, int] = {}
    for r in runs:
        for j, c in r.destination_counts().items():
            counts[j] = counts.get(j, 0) + c
    out = ExitResult(cfg, study, times, dests, cens, counts, caps)
    _remember(cfg, out)
    if progress:
        progress(1.0, f"done: {steps_done:,} steps")
    return out

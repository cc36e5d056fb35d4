"""Exit-time studies for the Exit times page. Streamlit-free.

One ``simulate.exit_times`` call per eta (stream i + 1 for the i-th eta, as
``simulate.exit_study``), each with its own step cap: ``CAP_FACTOR`` times the
theory's predicted mean exit time when there is one (an exponential exit
time passes 25 means with probability e^-25), else the user's cap. Means are
the exponential model's censored-data estimate (all steps run / exits seen),
which is the plain mean when nothing is censored; the slope is fitted on them
and the page says how many runs were censored. Finished studies are pure
functions of their ``ExitConfig`` and are kept in a small process-wide LRU
store, shared by all sessions.
"""

from __future__ import annotations

import io
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

STORE_SIZE = 32
_store: OrderedDict[ExitConfig, ExitResult] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class ExitConfig:
    source: str
    L: float
    etas: tuple[float, ...]
    noise: str
    alpha: float
    scale: float
    b: float  # inf: no clipping
    x0: float
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


def exit_mean(times: np.ndarray, censored: np.ndarray) -> float:
    """Mean exit time from possibly censored runs (exponential model): steps run / exits.

    The plain mean when nothing is censored; NaN when no run exited (then only a lower
    bound, the cap, is known).
    """
    exits = int(np.size(times) - np.sum(censored))
    return float(np.sum(times)) / exits if exits else math.nan


def fit_slope(etas: np.ndarray, means: np.ndarray) -> float | None:
    """Least-squares slope of log(mean) against log(1/eta); None with < 2 usable points."""
    etas = np.asarray(etas, float)
    means = np.asarray(means, float)
    ok = np.isfinite(means) & (means > 0)
    if ok.sum() < 2:
        return None
    slope, _ = np.polyfit(np.log(1 / etas[ok]), np.log(means[ok]), 1)
    return float(slope)


def step_cap(predicted_mean: float | None, user_cap: int | None) -> int:
    """Per-run step cap: the user's, else CAP_FACTOR x the predicted mean within
    [MIN_AUTO_CAP, MAX_AUTO_CAP], else DEFAULT_CAP."""
    if user_cap is not None:
        return int(user_cap)
    if predicted_mean is None or not math.isfinite(predicted_mean) or predicted_mean <= 0:
        return DEFAULT_CAP
    return int(min(MAX_AUTO_CAP, max(MIN_AUTO_CAP, math.ceil(CAP_FACTOR * predicted_mean))))


def lookup(cfg: ExitConfig) -> ExitResult | None:
    with _lock:
        res = _store.get(cfg)
        if res is not None:
            _store.move_to_end(cfg)
        return res


def _remember(cfg: ExitConfig, res: ExitResult) -> None:
    with _lock:
        _store[cfg] = res
        _store.move_to_end(cfg)
        while len(_store) > STORE_SIZE:
            _store.popitem(last=False)


DEFAULT_CAP = 5_000_000  # per run, when the theory has no prediction (e.g. light tails)
CAP_FACTOR = 25.0  # auto cap = 25 predicted means: P(Exp > 25 means) = e^-25
MIN_AUTO_CAP = 100_000
MAX_AUTO_CAP = 10_000_000_000  # simulate's limit per call
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
    from pages.simrun import make_noise

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
        cap = step_cap(predicted_mean(eta) if predicted_mean else None, cfg.max_steps)
        caps.append(cap)

        def report(frac: float, msg: str, i=i, eta=eta, cap=cap, before=steps_done) -> None:
            if progress:
                progress(frac, f"η = {eta:g} ({i + 1} of {k}, cap {cap:,} steps per run): {msg}; "
                               f"{before:,} steps in earlier η")  # fmt: skip

        r = simulate.exit_times(land, cfg.L, eta, noise, b=b, x0=cfg.x0, samples=cfg.samples,
                                seed=cfg.seed, max_steps=cap, boundaries=bounds,
                                progress=report, stream=i + 1, _progress_span=(i / k, (i + 1) / k))  # fmt: skip
        runs.append(r)
        steps_done += int(np.sum(r.times))
    times = [np.asarray(r.times) for r in runs]
    dests = [np.asarray(r.destinations) for r in runs]
    cens = [np.asarray(r.censored, dtype=bool) for r in runs]
    etas = np.asarray(cfg.etas, float)
    means = np.array([exit_mean(t, c) for t, c in zip(times, cens)])
    slope = fit_slope(etas, means)
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

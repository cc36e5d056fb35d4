"""Exit-time studies for the Exit times page. Streamlit-free.

One ``simulate.exit_times`` call per eta (so progress can be reported eta by
eta), then a least-squares slope of log mean exit time against log(1/eta).
Finished studies are pure functions of their ``ExitConfig`` and are kept in
a small process-wide LRU store, shared by all sessions.
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


@dataclass(frozen=True)
class Study:
    """What the log-log figure needs."""

    etas: np.ndarray
    mean_exit_times: np.ndarray
    slope: float | None
    predicted_slope: float | None
    field: int


@dataclass
class ExitResult:
    config: ExitConfig
    study: Study
    times: list[np.ndarray]  # per eta
    dests: list[np.ndarray]  # per eta, 0-based field index
    censored_mask: list[np.ndarray]
    destinations: dict[int, int] = field(default_factory=dict)

    @property
    def censored(self) -> int:
        return int(sum(int(np.sum(c)) for c in self.censored_mask))

    def table(self) -> pd.DataFrame:
        rows = []
        for eta, t, c in zip(self.study.etas, self.times, self.censored_mask):
            rows.append({
                "η": eta, "1/η": 1 / eta, "mean exit time": float(np.mean(t)),
                "median": float(np.median(t)), "samples": len(t), "censored": int(np.sum(c)),
            })  # fmt: skip
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
    """Least-squares slope of log(mean) against log(1/eta); None with < 2 usable points."""
    etas = np.asarray(etas, float)
    means = np.asarray(means, float)
    ok = np.isfinite(means) & (means > 0)
    if ok.sum() < 2:
        return None
    slope, _ = np.polyfit(np.log(1 / etas[ok]), np.log(means[ok]), 1)
    return float(slope)


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


MAX_STEPS = 5_000_000  # per sample; longer runs are censored (shown as lower bounds)


def run_study(
    cfg: ExitConfig, land, maxima, progress: Callable[[float, str], None] | None = None,
    max_steps: int = MAX_STEPS,
) -> ExitResult:  # fmt: skip
    """Run ``cfg`` with ``simulate.exit_study`` (or return the stored result).

    ``progress(fraction, message)`` is called as the study goes.
    """
    import simulate
    from pages.simrun import make_noise

    hit = lookup(cfg)
    if hit is not None:
        if progress:
            progress(1.0, "stored result")
        return hit
    noise = make_noise(cfg.noise, cfg.alpha, cfg.scale)
    b = None if math.isinf(cfg.b) else cfg.b
    heavy = cfg.noise in ("pareto", "student-t", "stable")
    st_ = simulate.exit_study(
        land, cfg.L, list(cfg.etas), noise, b=b, x0=cfg.x0, samples=cfg.samples, seed=cfg.seed,
        alpha=cfg.alpha if heavy else None, progress=progress, max_steps=max_steps,
        boundaries=tuple(maxima) or None,
    )  # fmt: skip
    slope = float(st_.slope) if st_.slope is not None and math.isfinite(st_.slope) else None
    pred = st_.predicted_slope if heavy else None
    study = Study(np.asarray(st_.etas, float), np.asarray(st_.mean_exit_times, float), slope,
                  pred, int(st_.field))  # fmt: skip
    times = [np.asarray(r.times) for r in st_.results]
    dests = [np.asarray(r.destinations) for r in st_.results]
    cens = [np.asarray(r.censored, dtype=bool) for r in st_.results]
    counts: dict[int, int] = {}
    for r in st_.results:
        for j, c in r.destination_counts().items():
            counts[j] = counts.get(j, 0) + c
    out = ExitResult(cfg, study, times, dests, cens, counts)
    _remember(cfg, out)
    return out

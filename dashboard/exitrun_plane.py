"""An exit-time study on a two-dimensional landscape (the Exit times page for f(x, y)):
first exits from one field for each eta, with the step caps, censored means and slope fit
of ``simulate.exit_caps`` (the one policy of the 1-D page, the command line and the
studies), as the 1-D page's ``dashboard.exitrun.ExitResult``. Streamlit-free."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dashboard import exitrun
from simulate.exit_caps import fit_exit_slope, step_cap


def run_plane_study(cfg: exitrun.ExitConfig, land, analysis, predicted_slope: float | None,
                    progress: Callable[[float, str], None] | None = None,
                    predicted_means: list[float | None] | None = None) -> exitrun.ExitResult:  # fmt: skip
    """Exit times from field ``cfg.field`` (``cfg.L`` is the ball's radius, ``cfg.x0`` the start
    (x, y)) for each eta, each capped by ``exit_caps.step_cap`` of
    its predicted mean (or ``cfg.max_steps``); the slope leaves out the eta with no exit."""
    from simulate.plane import PlaneGrids
    from simulate.plane_exits import plane_exit_times

    grids = PlaneGrids.from_analysis(analysis)
    times, dests, cens = [], [], []
    k = len(cfg.etas)
    means_in = predicted_means or [None] * k
    caps = [step_cap(m, cfg.max_steps).steps for m in means_in]
    for i, (eta, cap) in enumerate(zip(cfg.etas, caps)):

        def report(frac: float, msg: str, i=i, eta=eta, cap=cap) -> None:
            if progress:
                progress((i + min(1.0, max(0.0, frac))) / k,
                         f"η = {eta:g} ({i + 1} of {k}, cap {cap:,} steps per run): {msg}")  # fmt: skip

        t, d, c = plane_exit_times(land, grids, field=cfg.field, R=cfg.L, eta=eta, b=cfg.b, family=cfg.noise,
                                   alpha=cfg.alpha, scale=cfg.scale, x0=cfg.x0, samples=cfg.samples,
                                   seed=cfg.seed, stream=i + 1, max_steps=cap, progress=report)  # fmt: skip
        times.append(np.asarray(t))
        dests.append(np.asarray(d))
        cens.append(np.asarray(c, dtype=bool))
    etas = np.asarray(cfg.etas, float)
    means = np.array([exitrun.exit_mean(t, c) for t, c in zip(times, cens)])
    censored = np.array([int(c.sum()) for c in cens])
    fit = fit_exit_slope(etas, means, censored, [len(t) for t in times])
    slope = None if not math.isfinite(fit.slope) else fit.slope
    study = exitrun.Study(etas, means, slope, predicted_slope, cfg.field, censored, fit.points)
    counts: dict[int, int] = {}
    for d, c in zip(dests, cens):
        for j in d[~c]:
            if j >= 0:
                counts[int(j)] = counts.get(int(j), 0) + 1
    if progress:
        progress(1.0, "done")
    return exitrun.ExitResult(cfg, study, times, dests, cens, counts, caps)


def no_exit_etas(result: exitrun.ExitResult) -> list[tuple[float, int]]:
    """(eta, cap) of every eta whose samples all hit the cap: no mean, left out of the slope."""
    return [(float(e), int(cap)) for e, c, cap in zip(result.study.etas, result.censored_mask, result.caps)
            if len(c) and bool(np.all(c))]  # fmt: skip

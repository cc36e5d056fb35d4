"""The exit-time page for f(x, y): first exits from one 2-D field against 1/eta, with the
predicted exponent beta = alpha + (alpha - 1)(l* - 1) (THEORY §5, §10).

``render()`` is called by pages/exit_page.py when the landscape is two-dimensional. The
study runs ``simulate.plane_exit_times`` eta by eta from the field's minimiser (a
segment's middle) and reuses the 1-D page's result types, fit and figures
(``pages.exitrun``, ``pages.figures``). The theory gives no mean exit time for 2-D
fields here, so the step cap is the user's or ``exitrun.DEFAULT_CAP``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import landscape
from pages import exitrun, figures_runs, plane_ui, ui
from pages import state as S

STORE_KEY = "plane_exit"


@dataclass(frozen=True)
class PlaneExitConfig:
    source: str
    R: float
    etas: tuple[float, ...]
    noise: str
    alpha: float
    scale: float
    b: float
    start: tuple[float, float]
    field: int  # 0-based
    samples: int
    seed: int
    max_steps: int


def run_plane_study(cfg: PlaneExitConfig, land, analysis, predicted_slope: float | None,
                    progress: Callable[[float, str], None] | None = None) -> exitrun.ExitResult:  # fmt: skip
    """Exit times from field ``cfg.field`` for each eta (censored at ``cfg.max_steps``)."""
    from simulate.plane import PlaneGrids
    from simulate.plane_exits import plane_exit_times

    grids = PlaneGrids.from_analysis(analysis)
    times, dests, cens = [], [], []
    k = len(cfg.etas)
    for i, eta in enumerate(cfg.etas):

        def report(frac: float, msg: str, i=i, eta=eta) -> None:
            if progress:
                progress((i + min(1.0, max(0.0, frac))) / k,
                         f"η = {eta:g} ({i + 1} of {k}, cap {cfg.max_steps:,} steps per run): {msg}")  # fmt: skip

        t, d, c = plane_exit_times(land, grids, field=cfg.field, R=cfg.R, eta=eta, b=cfg.b, family=cfg.noise,
                                   alpha=cfg.alpha, scale=cfg.scale, x0=cfg.start, samples=cfg.samples,
                                   seed=cfg.seed, stream=i + 1, max_steps=cfg.max_steps, progress=report)  # fmt: skip
        times.append(np.asarray(t))
        dests.append(np.asarray(d))
        cens.append(np.asarray(c, dtype=bool))
    etas = np.asarray(cfg.etas, float)
    means = np.array([exitrun.exit_mean(t, c) for t, c in zip(times, cens)])
    study = exitrun.Study(etas, means, exitrun.fit_slope(etas, means), predicted_slope, cfg.field,
                          np.array([int(c.sum()) for c in cens]), int(np.isfinite(means).sum()))  # fmt: skip
    counts: dict[int, int] = {}
    for d, c in zip(dests, cens):
        for j in d[~c]:
            if j >= 0:
                counts[int(j)] = counts.get(int(j), 0) + 1
    if progress:
        progress(1.0, "done")
    return exitrun.ExitResult(cfg, study, times, dests, cens, counts, [cfg.max_steps] * k)


def render() -> None:
    ss = st.session_state
    p = ui.params()
    land, source, analysis, a_err = plane_ui.page_plane()
    ui.require_analysis(analysis, a_err)
    n = len(analysis.fields)
    if n < 2:
        st.warning("An exit-time study needs at least two attraction fields; see the Landscape page.",
                   icon=":material/warning:")  # fmt: skip
        ui.end_page()
    if not 1 <= int(p["field"]) <= n:
        S.adjust(ss, "field", min(max(1, int(p["field"])), n), f"this landscape has {n} fields")
    c1, c2, c3 = st.columns([1.3, 1.5, 1])
    with c1:
        ui.bind(st.selectbox, "field", "Field to leave", options=list(range(1, n + 1)),
                format_func=lambda i: f"Ω{i} (m{i} at {plane_ui.minimiser_text(analysis.fields[i - 1])}, "
                f"l* = {analysis.fields[i - 1].l_star})")  # fmt: skip
    with c2:
        ui.bind(st.text_input, "etas", "Learning rates η (comma separated)",
                help="Small η take long: exit times grow like (1/η)^β.")  # fmt: skip
    with c3:
        ui.bind(st.number_input, "samples", "Samples per η", min_value=2, max_value=500, step=1)
    ui.bind(st.number_input, "ecap", f"Step cap per run (0 = {exitrun.DEFAULT_CAP:,})", min_value=0,
            max_value=exitrun.MAX_USER_CAP, step=1_000_000,
            help="A run that has not left the field after this many steps is censored.")  # fmt: skip
    try:
        etas = sorted(set(S.parse_float_list(str(p["etas"]))), reverse=True)
        if any(not 0 < e <= 1 for e in etas):
            raise ValueError("η must be in (0, 1]")
        if len(etas) < 2:
            raise ValueError("give at least two values of η to fit a slope")
    except ValueError as e:
        st.error(f"Learning rates: {e}", icon=":material/warning:")
        ui.end_page()
    fi = int(p["field"]) - 1
    fld = analysis.fields[fi]
    b, alpha = S.effective_b(p), float(p["alpha"])
    heavy = landscape.is_heavy_tailed(str(p["noise"]), alpha)
    beta = landscape.exit_exponent(alpha, int(fld.l_star)) if heavy else None
    start = plane_ui.centre_of(fld)
    st.markdown(f"Start at m{fi + 1} = ({start[0]:.4g}, {start[1]:.4g}); width r = {fld.width:.3g}, "
                f"b = {'∞' if math.isinf(b) else f'{b:.3g}'}, l* = {fld.l_star}."
                + (f" Predicted slope β = {beta:.3g}." if beta is not None and math.isfinite(beta) else ""))  # fmt: skip
    cfg = PlaneExitConfig(source, float(p["L"]), tuple(etas), str(p["noise"]), alpha, float(p["scale"]), b,
                          start, fi, int(p["samples"]), int(p["seed"]), int(p["ecap"]) or exitrun.DEFAULT_CAP)  # fmt: skip
    store = ss.setdefault(STORE_KEY, {})
    result = store.get(cfg)
    if st.button("Run the study", key="exit_run", type="primary"):
        bar = st.progress(0.0, text="Starting… (the first run of a formula compiles its kernels)")
        try:
            result = run_plane_study(cfg, land, analysis, beta, lambda f, t: bar.progress(min(1.0, f), text=t))
        except ValueError as e:
            st.error(f"The study could not run: {e}", icon=":material/warning:")
            result = None
        else:
            store.clear()  # one study per session: bounded memory
            store[cfg] = result
    if result is None:
        st.info("Press **Run the study** to simulate. Each η runs the given number of samples from "
                "the minimiser until the iterate leaves the field.", icon=":material/timer:")  # fmt: skip
        ui.end_page()
    left, right = st.columns([3, 2])
    with left:
        ui.plot(figures_runs.exit_figure(result.study, label="clipped" if not math.isinf(b) else "no clipping"),
                key="exit_chart")  # fmt: skip
    with right:
        slope = result.study.slope
        m1, m2 = st.columns(2)
        m1.metric("Fitted slope" + (" (censored data)" if result.censored else ""),
                  "—" if slope is None or not math.isfinite(slope) else f"{slope:.2f}")  # fmt: skip
        m2.metric("Predicted slope", "—" if beta is None or not math.isfinite(beta) else f"{beta:.2f}")
        if result.censored:
            st.warning(f"{result.censored} runs hit the step cap before leaving (hollow markers); their "
                       "means use the censored-data estimate (all steps run / exits seen). Raise the "
                       "step cap for an uncensored fit.", icon=":material/warning:")  # fmt: skip
        edge_targets = [j for i, j in analysis.structure.edges if i == fi]
        ui.plot(figures_runs.destinations_figure(result.destinations, fi, edge_targets, n), key="dest_chart")
    st.dataframe(result.table(), hide_index=True, key="exit_table")
    st.download_button("Exit times (CSV)", data=result.csv(), file_name="exit_times_2d.csv", mime="text/csv",
                       key="dl_exit")  # fmt: skip

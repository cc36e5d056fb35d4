"""The live simulation for f(x, y): paths over the contour lines, the 2-D occupancy, the
field of each iterate over time and the time per field (the paper's Fig. 3(c), 3(d));
"Clipped vs unclipped" runs the paper's pair side by side.

The page app.py's navigation runs at /simulate when the landscape is two-dimensional. The
run lives in the session (``widgets.session.PLANE_RUN``; ``dashboard/simrun_plane.py``); its live parts (``liveparts.plane_parts``) follow the
frames the browser fetches from the server, as in 1-D (``widgets/livestream.py``).
"""

from __future__ import annotations

import functools
import math

import pandas as pd
import streamlit as st

import landscape
from dashboard import figures_plane as FP
from dashboard import liveparts, simrun_plane
from dashboard import state as S
from widgets import (
    fragment_timer,
    livechart,
    livestream,
    navigation,
    plane_ui,
    run_view,
    session,
    ui,
)

LIVE_GRID = 61  # contour grid of the live paths chart (bounded payload per refresh)


def _buttons(run) -> None:

    def start() -> None:
        r = session.get(session.PLANE_RUN)
        if r is not None:
            r.running, r.error = True, None

    def pause() -> None:
        r = session.get(session.PLANE_RUN)
        if r is not None:
            r.running = False

    def step() -> None:
        r = session.get(session.PLANE_RUN)
        if r is not None and not r.running:
            r.advance(r.step_chunk())

    def reset() -> None:
        session.pop(session.PLANE_RUN)
        session.write("run", "")

    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Start", icon=":material/play_arrow:", key="sim_start", type="primary",
                  disabled=run.running, on_click=start)  # fmt: skip
        st.button("Pause", icon=":material/pause:", key="sim_pause", disabled=not run.running, on_click=pause)
        st.button("Step", icon=":material/skip_next:", key="sim_step", disabled=run.running, on_click=step,
                  help=f"Advance one chunk ({run.step_chunk():,} steps per path).")  # fmt: skip
        st.button("Reset", icon=":material/restart_alt:", key="sim_reset", on_click=reset)
        ui.bind(st.toggle, "compare", "Clipped vs unclipped",
                help="The paper's pair (its Fig. 3(c)): the same noise with clipping at b and without.")


def _live(run, source: str, analysis, R: float) -> None:
    grid = plane_ui.get_f_grid(source, R, LIVE_GRID)
    run_view.live_fragment(run, session.PLANE_RUN, lambda r: _tick(r, grid, analysis, R))


def _tick(r, grid, analysis, R: float) -> None:
    stream = livechart.stream_of(r)
    started = fragment_timer.refresh_started()
    if r.running and r.steps_done == 0:
        run_view.advance_in_page(r, stream, f"Starting the run: {r.first_wait()}…")
    else:
        run_view.advance_in_page(r, stream, "")
    r.frame_parts = functools.partial(liveparts.plane_parts, grid=grid, analysis=analysis, R=R)
    parts = r.frame_parts(r)
    live = {"stream": stream, "steps": r.steps_done}
    livechart.live_text("metrics", parts["live_metrics"], "live_metrics", **live)
    if r.error:
        st.error(f"The run stopped: {r.error}", icon=":material/warning:")
    if not r.results:
        if r.running:
            st.info(f"Starting the run: {r.first_wait()}.", icon=":material/hourglass_top:")
        else:
            st.info("Press Start (or Step) to run the simulation.", icon=":material/play_arrow:")
        return
    if not r.compare:
        for keys in (("plane_paths_chart", "plane_hist_chart"), ("plane_fields_chart", "plane_frac_chart")):
            for col, key in zip(st.columns(2), keys):
                with col:
                    livechart.live_plot(parts[key], key=key, **live)
    else:
        for col, name in zip(st.columns(2), simrun_plane.CASES):
            with col:
                livechart.live_plot(parts[f"plane_hist_{name}"], key=f"plane_hist_{name}", **live)
                livechart.live_plot(parts[f"plane_frac_{name}"], key=f"plane_frac_{name}", **live)
        st.dataframe(_near_table(r), hide_index=True, key="compare_table")
        st.caption("Time within 0.5 of each minimiser set, as the paper counts it: clipped SGD avoids "
                   "the sharp minima (l* small), unclipped SGD does not.")  # fmt: skip
        if stream is not None and r.running:
            st.caption(f"The table refreshes every {livestream.SLOW_REFRESH:g} s (at {r.steps_done:,} steps per "
                       "path); the charts and the numbers above follow the run.")  # fmt: skip
    if not r.running and r.steps_done > 0:
        d1, d2 = st.columns(2)
        d1.download_button("Histogram (CSV)", data=r.histogram_csv(), file_name="histogram_2d.csv",
                           mime="text/csv", key="dl_hist")  # fmt: skip
        d2.download_button("Time per field (CSV)", data=r.fractions_csv(), file_name="fractions_2d.csv",
                           mime="text/csv", key="dl_frac")  # fmt: skip
        _theory_shares(r)
    elif r.running:
        st.caption("Downloads appear when the run is paused.")
    if stream is None:
        fragment_timer.refresh_done(r, started)
    livechart.live_text("caption", r.refresh_caption(), "live_caption", **live)


def _theory_shares(r) -> None:
    """The theory's share of this run at each wide minimum beside the measured time per field
    (the limiting chain from pi_G(x0), ``widgets.theory_plane``); shown while paused."""
    from widgets import theory_plane

    if r.compare or not r.results:
        return
    p = ui.params()
    x0 = (float(p["x0"]), float(p["y0"]))
    prediction, why_not = theory_plane.current_plane_prediction(r.cfg.source, x0)
    if prediction is None:
        st.caption(f"No prediction for this run: {why_not}")
        return
    res = next(iter(r.results.values()))
    fractions = res.field_fraction
    eta, steps = float(p["eta"]), int(r.steps_done)
    try:
        shares = prediction.run_shares(float(f"{steps:.2g}"), eta)
    except ValueError as err:
        st.caption(f"No prediction for this run: {err}")
        return
    rows = [{"wide minimum": f"m{i + 1}", "measured": f"{float(fractions[i]):.1%}",
             "theory over this run": f"{v:.1%}"} for i, v in shares.items()]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="theory_table")
    st.caption(f"Theory: the limiting chain from π_G(x₀) on the time scale 1/λ_G(η) over {steps:,} steps, "
               f"with the 2-D rates q (THEORY §11); the {landscape.LIMIT_NOTE}.")  # fmt: skip


def _near_table(r) -> pd.DataFrame:
    rows = []
    for name, res in r.results.items():
        nf = res.near_fraction
        row = {"case": name}
        for i, v in enumerate(nf[:-1]):
            row[f"near m{i + 1}"] = f"{v:.1%}"
        row["out"] = f"{nf[-1]:.1%}"
        rows.append(row)
    return pd.DataFrame(rows)


st.title("Live simulation")
navigation.dimension_changed(2)  # f(x) now: pages/simulation_page.py
p = ui.params()
land, source, analysis, a_err = plane_ui.page_plane()
ui.require_analysis(analysis, a_err)
R = float(p["L"])
plane_ui.plane_start(R)
c1, c2, c3, c4, c5, c6 = st.columns([1.5, 0.8, 0.9, 1, 1, 0.9])
run_view.run_inputs(c1, c2, c3, c6)
with c4:
    ui.bind(st.number_input, "x0", "Start x₀", min_value=-R, max_value=R, step=0.05, format="%.3f",
            help="Or click the chart below.")  # fmt: skip
with c5:
    ui.bind(st.number_input, "y0", "Start y₀", min_value=-R, max_value=R, step=0.05, format="%.3f",
            help="Or click the chart below.")  # fmt: skip
cfg = simrun_plane.config_from(p, source)
run = run_view.open_run(simrun_plane.ensure_run, cfg, land, analysis)
_buttons(run)
bb = S.effective_b(p)
st.caption(
    f"Noise: {p['noise']} with a uniform direction, α={p['alpha']:.3g}, scale={p['scale']:.3g}; "
    f"b = {'∞' if math.isinf(bb) else f'{bb:.3g}'} (sidebar; the whole step is clipped to norm b), "
    f"iterates kept in the ball of radius {R:g}. Changing a setting starts a new run."
)  # fmt: skip
_live(run, source, analysis, R)
with st.expander("Choose the start point by clicking on the landscape", expanded=False):
    fig = FP.plane_landscape_figure(plane_ui.get_f_grid(source, R, 101), analysis, R=R, b=bb,
                                    start=(float(p["x0"]), float(p["y0"])), pickable=True, height=420)  # fmt: skip
    ui.plot(fig, key="start_chart", on_select=plane_ui.pick_start("start_chart", R),
            selection_mode="points")  # fmt: skip

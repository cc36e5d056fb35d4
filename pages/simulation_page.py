"""Page 3: live simulation -- paths, occupancy and time per field, updated several times a second.

The run lives in the session (``widgets.session.RUN``) (per browser session). While it runs, the
view's live parts (numbers, charts, time per field: ``dashboard/liveparts.py``) follow the
frames the browser fetches from the server (``widgets/livestream.py``), each one chunk
further; the fragment around them reruns slowly for the tables (``ui.live_fragment``).
Start/Pause/Step/Reset are outside the fragment and change the run with a normal rerun.
Buffers are bounded by the Simulation itself.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import streamlit as st

import landscape
from dashboard import figures, liveparts, simrun
from dashboard import state as S
from landscape.sweep import wide_minima
from widgets import fragment_timer, livechart, livestream, navigation, run_view, session, ui

p = ui.params()

st.title("Live simulation")
navigation.dimension_changed(1)  # f(x, y) now: pages/simulation_plane.py

land, source, analysis, a_err = ui.page_landscape()
L = float(p["L"])
xs, ys = ui.get_curve(source, L)
maxima = tuple(analysis.maxima) if analysis is not None else ()
f_range = figures.f_view_range(ys, analysis, land.f)

domain_note = analysis.undefined_note if analysis is not None else None
if domain_note:  # log(x) on [-L, L]: say it before a run crosses it (issue 21.7)
    st.warning(figures.md_escape(domain_note) + ". Choose a "
               "smaller L or a formula defined on all of [-L, L] (e.g. log(1 + x^2)).",
               icon=":material/warning:")  # fmt: skip

# ---------------------------------------------------------------- controls
if not (-L <= float(p["x0"]) <= L):
    session.adjust("x0", max(-L, min(L, float(p["x0"]))), f"the start must lie in [-L, L] = [-{L:g}, {L:g}]")
c1, c2, c3, c4, c5 = st.columns([1.5, 1, 1, 1, 1])
run_view.run_inputs(c1, c2, c3, c5)
with c4:
    ui.bind(st.number_input, "x0", "Start x₀", min_value=-L, max_value=L, step=0.05,
            format="%.3f", help="Or click on the small landscape chart.")  # fmt: skip

cfg = simrun.config_from(p, source)
run = run_view.open_run(simrun.ensure_run, cfg, land, maxima)


def _start() -> None:
    r = session.get(session.RUN)
    if r is not None:
        r.running, r.error = True, None


def _pause() -> None:
    r = session.get(session.RUN)
    if r is not None:
        r.running = False


def _step() -> None:
    r = session.get(session.RUN)
    if r is not None and not r.running:
        r.advance(r.step_chunk())


def _reset() -> None:
    session.pop(session.RUN)
    session.write("run", "")


# Callbacks run before the page is drawn, so the buttons below show the new state.
# A horizontal container sizes each button to its label (no "S.." on a projector).
with st.container(horizontal=True, vertical_alignment="center"):
    st.button("Start", icon=":material/play_arrow:", key="sim_start", type="primary",
              disabled=run.running, on_click=_start)  # fmt: skip
    st.button("Pause", icon=":material/pause:", key="sim_pause", disabled=not run.running,
              on_click=_pause)  # fmt: skip
    st.button("Step", icon=":material/skip_next:", key="sim_step", disabled=run.running,
              on_click=_step, help=f"Advance one chunk ({run.step_chunk():,} steps per path).")  # fmt: skip
    st.button("Reset", icon=":material/restart_alt:", key="sim_reset", on_click=_reset)
    ui.bind(st.toggle, "compare", "Compare 4 cases",
            help="Heavy/light noise × clipped/unclipped side by side (paper Figs. 1 and 5).")
bb = S.effective_b(p)
st.caption(
    f"Noise: {p['noise']}, α={p['alpha']:.3g}, scale={p['scale']:.3g}; "
    f"b = {'∞' if math.isinf(bb) else f'{bb:.3g}'} (sidebar). Start runs until Pause; the views "
    "refresh several times a second. Changing a setting starts a new run."
)

def _pick_start() -> None:
    """on_select callback of the small landscape: the clicked x becomes x0 (before widgets)."""
    pts = session.chart_points("start_chart")
    if pts:
        x_new = float(pts[0]["x"])
        session.write("x0", round(max(-L, min(L, x_new)), 4))


# ---------------------------------------------------------------- live view


def transition_table(counts) -> pd.DataFrame:
    """Observed field-to-field moves, each marked as a graph edge or not."""
    edges = set(analysis.edges) if analysis is not None else set()
    c = np.asarray(counts)
    rows = [
        {"from": f"Ω{i + 1}", "to": f"Ω{j + 1}", "moves": int(c[i, j]),
         "graph edge": "yes" if (i, j) in edges else "no"}
        for i in range(c.shape[0]) for j in range(c.shape[1]) if i != j and c[i, j] > 0
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["from", "to", "moves", "graph edge"])


def theory_shares(fractions, steps: int) -> None:
    """The theory's share of this run in each field beside the measured one (issue 10):
    at this η (e^{Qt} over the run's steps) and in the η → 0 limit; says when the run is
    younger than the limit's time scale (issue 21.6) and why when there is no theory."""
    pred, why = ui.current_prediction(source, x0=float(p["x0"]))
    if pred is None or steps <= 0:
        if why:
            st.caption(f"No prediction for this run: {why}")
        return
    eta = float(p["eta"])
    rounded = float(f"{steps:.2g}")  # refreshes share one answer (expm) per 2-digit run length
    try:
        limit = ui.get_run_shares(source, float(p["L"]), float(S.effective_b(p)), str(p["noise"]),
                                  float(p["alpha"]), float(p["scale"]), float(p["x0"]), rounded, eta)  # fmt: skip
        finite = pred.finite_run_shares(rounded, eta)
        leave, unit = pred.time_scales(eta)
    except ValueError as err:
        st.caption(f"No prediction for this run: {err}")
        return
    chain = pred.start_chain
    small = {}
    if chain is not None and chain.absorbing and chain.small:
        try:
            share = pred.small_field_share(eta, pred.chains.index(chain))
            small = {k: float(v) for k, v in zip(share.fields, share.shares)}
        except ValueError:
            pass
    rows = []
    for i in range(len(finite)):
        lim = limit.get(i, small.get(i))
        rows.append({"field": f"Ω{i + 1}", "run": f"{float(fractions[i]):.1%}", "at this η": f"{finite[i]:.1%}",
                     "η → 0": "—" if lim is None else f"{lim:.1%}"})  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="theory_table")
    start = pred.start_field
    if steps < unit:
        st.info(f"A young run: {figures.si_rate(steps)} steps per path, while leaving Ω{start + 1} takes "
                f"about {figures.si_rate(leave)} steps on average and the η → 0 limit's unit of time "
                f"is 1/λ = {figures.si_rate(unit)} steps. The η → 0 column is for runs much longer than that; 'at this "
                "η' is what the theory expects of this run.", icon=":material/hourglass_top:")  # fmt: skip
    st.caption("Theory per field: 'at this η' averages e^{Qt} over the run's steps (each field "
               "left at rate 1/its mean exit time, towards Ω_j with probability q_ij/q_i); "
               f"'η → 0' is the limiting chain from π_G(x₀); the {landscape.LIMIT_NOTE}.")  # fmt: skip


def unclipped_stationary_law() -> dict[int, float] | None:
    """The heavy-tailed unclipped chain's stationary law over the minima (irreducible)."""
    family = p["noise"] if landscape.is_heavy_tailed(p["noise"], float(p["alpha"])) else "pareto"
    pred, _ = ui.current_prediction(source, b=math.inf, family=family)
    if pred is None or len(pred.chains) != 1 or pred.chains[0].stationary is None:
        return None
    chain = pred.chains[0]
    return {i: float(v) for i, v in zip(chain.large, chain.stationary)}


def compare_answer(r, done: int, stream) -> None:
    """The four cases' time per field (and the unclipped chain's stationary law), the answer
    of the comparison, as a table."""
    st.markdown("**Share of steps in each field**")
    rows = []
    for name, s in r.sims.items():
        row = {"case": name}
        for i, v in enumerate(s.field_fraction):
            row[f"Ω{i + 1}"] = f"{v:.1%}"
        rows.append(row)
    law = unclipped_stationary_law()
    if law is not None:
        row = {"case": "theory: heavy-unclipped (η → 0)"}
        for i in range(len(rows[0]) - 1):
            row[f"Ω{i + 1}"] = f"{law.get(i, 0.0):.1%}"
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="compare_table")
    if law is not None:
        st.caption("The last row is the unclipped limiting chain's stationary law (Theorems 3-5), "
                   f"to hold against the heavy-unclipped row: the {landscape.LIMIT_NOTE}.")  # fmt: skip
    if stream is not None and r.running:
        st.caption(f"The table refreshes every {livestream.SLOW_REFRESH:g} s (at {done:,} steps per path); "
                   "the panels and the numbers follow the run.")  # fmt: skip


def _live_view(r) -> None:
    stream = livechart.stream_of(r)
    started = fragment_timer.refresh_started()
    run_view.advance_in_page(r, stream, "Preparing the simulation (the first run may compile kernels)…")
    fields = []  # (minimum, sharp by r) per field: the Landscape page's shapes (issue 21.2)
    if analysis is not None and analysis.assumption1_ok:
        wide = set(wide_minima([fl.width for fl in analysis.fields]))
        fields = [(fl.minimum, fl.index not in wide) for fl in analysis.fields]
    minima = [fl.minimum for fl in analysis.fields] if analysis is not None else []
    r.frame_parts = functools.partial(liveparts.line_parts, xs=xs, ys=ys, maxima=maxima, L=L, f_range=f_range,
                                      fields=fields, minima=minima)  # fmt: skip
    parts = r.frame_parts(r)
    done = r.steps_done
    live = {"stream": stream, "steps": done}
    livechart.live_text("metrics", parts["live_metrics"], "live_metrics", **live)
    if r.error:
        st.error(f"The run stopped: {r.error}", icon=":material/warning:")
    if not r.compare:
        left, right = st.columns([3, 2])
        with left:
            livechart.live_plot(parts["traj_chart"], key="traj_chart", **live)
        with right:
            livechart.live_plot(parts["hist_chart"], key="hist_chart", **live)
            livechart.live_text("bars", parts["field_bars"], "field_bars", **live)
            theory_shares(r.sims["run"].field_fraction, done)
    else:  # the answer (time per field in each case) beside the four panels: one projector screen
        answer, panels = st.columns([5, 6])
        with panels:
            livechart.live_plot(parts["compare_chart"], key="compare_chart", **live)
        with answer:
            compare_answer(r, done, stream)
    st.caption(getattr(next(iter(r.sims.values())), "gradient_note", ""))  # which f' (issue 9)

    if not r.running and done > 0:
        d1, d2 = st.columns(2)
        d1.download_button("Histogram (CSV)", data=r.histogram_csv(), file_name="histogram.csv",
                           mime="text/csv", key="dl_hist")  # fmt: skip
        d2.download_button("Time fractions (CSV)", data=r.fractions_csv(),
                           file_name="fractions.csv", mime="text/csv", key="dl_frac")  # fmt: skip
        if not r.compare and analysis is not None and analysis.assumption1_ok:
            with st.expander("Observed moves between fields vs. the transition graph"):
                st.dataframe(transition_table(r.sims["run"].transitions), hide_index=True,
                             key="moves_table")  # fmt: skip
                st.caption("For small η the theory says moves happen (almost) only along "
                           "edges of the typical transition graph.")  # fmt: skip
    elif r.running:
        st.caption("Downloads appear when the run is paused.")
    if stream is None:
        fragment_timer.refresh_done(r, started)
    livechart.live_text("caption", r.refresh_caption(), "live_caption", **live)


run_view.live_fragment(run, session.RUN, _live_view)

# click-to-set start point
with st.expander("Choose the start point by clicking on the landscape", expanded=False):
    small = figures.landscape_figure(xs[::2], ys[::2], analysis, land.f, L=L, height=300,
                                     x0=float(p["x0"]), show_fields=False, pickable=True)  # fmt: skip
    ui.plot(small, key="start_chart", on_select=_pick_start, selection_mode="points")

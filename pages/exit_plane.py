"""The exit-time page for f(x, y): first exits from one 2-D field against 1/eta, with the
predicted exponent beta = alpha + (alpha - 1)(l* - 1) (THEORY §5, §10).

The page app.py's navigation runs at /exit-times when the landscape is two-dimensional. The
study runs ``simulate.plane_exit_times`` eta by eta from the field's minimiser (a
segment's middle) and reuses the 1-D page's result types and figures (``dashboard.exitrun``,
``dashboard.figures_runs``). Step caps, censored means and the slope follow the one policy of
``simulate.exit_caps`` as on the 1-D page: each eta's cap is 25 x the theory's mean exit
time 1/(q_i lambda_i(eta)) (``widgets.theory_plane``, THEORY §11) unless the user sets one;
an eta with no exit is named and left out of the fitted slope.
"""

from __future__ import annotations

import math

import streamlit as st

import landscape
from dashboard import exitrun, exitrun_plane, figures, figures_runs
from dashboard import state as S
from widgets import navigation, plane_ui, session, theory_plane, ui


def _predicted_means(source: str, analysis, fi: int, etas, noise) -> tuple[list | None, object, str | None]:
    """(the theory's mean exit time per eta or None, the prediction or None, why not)."""
    prediction, why_not = theory_plane.current_plane_prediction(source)
    if prediction is not None:
        return [theory_plane.mean_exit(prediction, fi, e) for e in etas], prediction, None
    from simulate.plane_exits import predicted_plane_exit_means

    fallback = predicted_plane_exit_means(analysis, noise, fi, etas)  # q taken as 1 (time scale only)
    return (None if all(m is None for m in fallback) else fallback), None, why_not


ui.exit_times_head()
navigation.dimension_changed(2)  # f(x) now: pages/exit_page.py
p = ui.params()
land, source, analysis, a_err = plane_ui.page_plane()
ui.require_analysis(analysis, a_err)
n = len(analysis.fields)
if n < 2:
    st.warning("An exit-time study needs at least two attraction fields; see the Landscape page.",
               icon=":material/warning:")  # fmt: skip
    ui.end_page()
if not 1 <= int(p["field"]) <= n:
    session.adjust("field", min(max(1, int(p["field"])), n), f"this landscape has {n} fields")
c1, c2, c3 = st.columns([1.3, 1.5, 1])
with c1:
    ui.bind(st.selectbox, "field", "Field to leave", options=list(range(1, n + 1)),
            format_func=lambda i: f"Ω{i} (m{i} at {plane_ui.minimiser_text(analysis.fields[i - 1])}, "
            f"l* = {analysis.fields[i - 1].l_star})")  # fmt: skip
ui.exit_study_inputs(c2, c3, "Small η take long: exit times grow like (1/η)^β.")
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
cfg = exitrun.ExitConfig(
    source=source, L=float(p["L"]), etas=tuple(etas), noise=str(p["noise"]), alpha=alpha,
    scale=float(p["scale"]), b=b, x0=tuple(start), field=fi, samples=int(p["samples"]),
    seed=int(p["seed"]), max_steps=int(p["ecap"]) or None,
)  # fmt: skip
noise = (str(p["noise"]), alpha, float(p["scale"]))
with st.spinner("Computing the theory's exit rates on the field map…"):
    pred_means, prediction, why_not = _predicted_means(source, analysis, fi, etas, noise)
if prediction is not None:
    q, err = float(prediction.rates.q[fi]), float(prediction.rates.errors[fi])
    st.caption(figures.md_escape(f"Theory (THEORY §11): q = {q:.4g} ± {err:.2g}, mean exit time "
                               + ", ".join(f"{m:.3g} steps at η = {e:g}" for e, m in zip(etas, pred_means))
                               + f"; the {landscape.LIMIT_NOTE}."))  # fmt: skip
elif why_not:
    st.caption(f"No predicted exit times from the theory's rates: {why_not.rstrip('.')}."
               + (" The caps use the time scale 1/λ(η) alone." if pred_means else ""))  # fmt: skip
store = session.get(session.PLANE_EXITS) or session.put(session.PLANE_EXITS, {})
result = store.get(cfg)
stop_slot = ui.exit_study_stop()
if st.button("Run the study", key="exit_run", type="primary"):
    ui.exit_stop_button(stop_slot)
    bar = st.progress(0.0, text="Starting… (the first run of a formula compiles its kernels)")
    try:
        result = exitrun_plane.run_plane_study(cfg, land, analysis, beta, lambda f, t: bar.progress(min(1.0, f), text=t),
                                 pred_means)  # fmt: skip
    except ValueError as e:
        st.error(f"The study could not run: {e}", icon=":material/warning:")
        result = None
    else:
        store.clear()  # one study per session: bounded memory
        store[cfg] = result
    stop_slot.empty()  # nothing left to stop
if result is None:
    st.info("Press **Run the study** to simulate. Each η runs the given number of samples from "
            "the minimiser until the iterate leaves the field.", icon=":material/timer:")  # fmt: skip
    ui.end_page()
shown = pred_means if prediction is not None else None
left, right = st.columns([3, 2])
with left:
    ui.plot(figures_runs.exit_figure(result.study, label="clipped" if not math.isinf(b) else "no clipping",
                                     predicted=shown), key="exit_chart")  # fmt: skip
    if shown is not None:
        st.caption("Dotted: the theory's mean exit time 1/(q λ(η)) with its own constant q "
                   f"(not fitted). It is the {landscape.LIMIT_NOTE}.")  # fmt: skip
with right:
    slope = result.study.slope
    k = len(result.study.etas)
    m1, m2 = st.columns(2)
    m1.metric("Fitted slope" + (f" ({result.study.fit_etas} of {k} η)" if result.study.fit_etas < k else ""),
              "—" if slope is None or not math.isfinite(slope) else f"{slope:.2f}")  # fmt: skip
    m2.metric("Predicted slope", "—" if beta is None or not math.isfinite(beta) else f"{beta:.2f}")
    missing = exitrun_plane.no_exit_etas(result)
    if missing:
        st.warning("No run left the field at " + ", ".join(f"η = {e:g} (cap {cap:,} steps)" for e, cap in missing)
                   + ": those η have no mean, are not drawn and are left out of the fitted slope. "
                   "Raise the step cap or drop them.", icon=":material/warning:")  # fmt: skip
    partly = result.censored - sum(result.config.samples for _ in missing)
    if partly:
        st.warning(f"{partly} runs at η with some exits hit the step cap (hollow markers); their means "
                   "use the censored-data estimate (all steps run / exits seen).",
                   icon=":material/warning:")  # fmt: skip
    if not result.censored:
        st.caption("No run was censored: every sample left the field within its step cap.")
    edge_targets = [j for i, j in analysis.structure.edges if i == fi]
    shares = prediction.rates.destinations(fi) if prediction is not None else None
    ui.plot(figures_runs.destinations_figure(result.destinations, fi, edge_targets, n, predicted_shares=shares),
            key="dest_chart")  # fmt: skip
st.dataframe(result.table(shown), hide_index=True, key="exit_table")
st.download_button("Exit times (CSV)", data=result.csv(), file_name="exit_times_2d.csv", mime="text/csv",
                   key="dl_exit")  # fmt: skip
if prediction is not None:
    with st.expander("The theory's constants for every field"):
        theory_plane.show_rates(prediction, analysis, float(result.study.etas[-1]), key="exit_rates_table")

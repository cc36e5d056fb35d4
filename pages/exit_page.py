"""Page 4: first-exit times from one field against 1/eta (the paper's Fig. 4)."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import streamlit as st

import landscape
from dashboard import exitrun, figures_runs
from dashboard import state as S
from widgets import navigation, session, ui

p = ui.params()

ui.exit_times_head()
navigation.dimension_changed(1)  # f(x, y) now: pages/exit_plane.py

land, source, analysis, a_err = ui.page_landscape()
L = float(p["L"])
ui.require_analysis(analysis, a_err)
if not analysis.assumption1_ok or len(analysis.fields) < 2:
    st.warning("An exit-time study needs at least two attraction fields and Assumption 1; "
               "see the Landscape page.", icon=":material/warning:")  # fmt: skip
    ui.end_page()

n = len(analysis.fields)
if not 1 <= int(p["field"]) <= n:
    session.adjust("field", min(max(1, int(p["field"])), n), f"this landscape has {n} fields")

c1, c2, c3 = st.columns([1.3, 1.5, 1])
with c1:
    ui.bind(
        st.selectbox, "field", "Field to leave", options=list(range(1, n + 1)),
        format_func=lambda i: f"Ω{i} (m{i} = {analysis.fields[i - 1].minimum:.3f}, "
        f"l* = {analysis.fields[i - 1].l_star})",
    )  # fmt: skip
ui.exit_study_inputs(c2, c3, ("The paper uses 0.1, 0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001. Small η "
                                "take long: exit times grow like (1/η)^β."))

fi = int(p["field"]) - 1
fld = analysis.fields[fi]
try:
    etas = sorted(set(S.parse_float_list(str(p["etas"]))), reverse=True)
    bad = [e for e in etas if not 0 < e <= 1]
    if bad:
        raise ValueError(f"η must be in (0, 1]; got {bad[0]:g}")
    if len(etas) < 2:
        raise ValueError("give at least two values of η to fit a slope")
except ValueError as e:
    st.error(f"Learning rates: {e}", icon=":material/warning:")
    ui.end_page()

b = S.effective_b(p)
alpha = float(p["alpha"])
noise = (str(p["noise"]), alpha, float(p["scale"]))
heavy = landscape.is_heavy_tailed(noise[0], alpha)
beta = (analysis.exit_exponents or [None] * n)[fi] if heavy else None
st.markdown(
    f"Start at m{fi + 1} = {fld.minimum:.4f}; field ({'-∞' if fld.left is None else f'{fld.left:.3f}'}, "
    f"{'+∞' if fld.right is None else f'{fld.right:.3f}'}), width r = {fld.width:.3g}, "
    f"b = {'∞' if math.isinf(b) else f'{b:.3g}'}, l\\* = {fld.l_star}. "
    + (f"Predicted slope β = {beta:.3g}." if beta is not None and math.isfinite(beta) else "")
    + ("" if heavy else " With this light-tailed noise exit times grow like exp(c/η): keep η large.")
)  # fmt: skip

cfg = exitrun.ExitConfig(
    source=source, L=L, etas=tuple(etas), noise=str(p["noise"]), alpha=alpha,
    scale=float(p["scale"]), b=b, x0=float(fld.minimum), field=fi, samples=int(p["samples"]),
    seed=int(p["seed"]), max_steps=int(p["ecap"]) or None,
)  # fmt: skip
both_box = ui.bind(st.checkbox, "eboth", "Also run without clipping (as in the paper's Fig. 4)",
                   disabled=math.isinf(b))
both = bool(both_box) and not math.isinf(b)
ref_cfg = dataclasses.replace(cfg, b=math.inf) if both else None
result = exitrun.lookup(cfg)
reference = exitrun.lookup(ref_cfg) if ref_cfg is not None else None

# The theory's numbers (eta -> 0 limit): mean exit time per eta and where exits land.
prediction, why_not = ui.current_prediction(source)
ref_prediction = ui.current_prediction(source, b=math.inf)[0] if both else None


def predicted_mean(pred):
    """eta -> the theory's mean exit time from the field (None without a prediction)."""
    if pred is None:
        return None
    return lambda eta: landscape.predict_exit(pred.rates, fi, eta, noise).mean_exit_time


def predicted_means(pred, etas_) -> list[float] | None:
    f = predicted_mean(pred)
    return None if f is None else [f(e) for e in etas_]


stop_slot = ui.exit_study_stop()
if st.button("Run the study", key="exit_run", type="primary"):
    ui.exit_stop_button(stop_slot)
    bar = st.progress(0.0, text="Starting…")
    parts = 2 if both else 1

    def progress_for(k: int):
        def progress(frac: float, text: str = "") -> None:
            done = (k + min(1.0, max(0.0, float(frac)))) / parts
            bar.progress(done, text=(text or "running…") + (f" [{k + 1} of {parts}]"
                                                              if parts > 1 else ""))
        return progress

    try:
        land_ = ui.get_landscape(source)
        result = exitrun.run_study(cfg, land_, analysis.maxima, progress_for(0),
                                   predicted_mean=predicted_mean(prediction), predicted_slope=beta)  # fmt: skip
        if ref_cfg is not None:
            reference = exitrun.run_study(ref_cfg, land_, analysis.maxima, progress_for(1),
                                          predicted_mean=predicted_mean(ref_prediction),
                                          predicted_slope=alpha if heavy else None)  # fmt: skip
    except ValueError as e:
        st.error(f"The study could not run: {e}", icon=":material/warning:")
        result = None
    else:
        bar.progress(1.0, text="Done")
    stop_slot.empty()  # nothing left to stop

if result is None:
    st.info("Press **Run the study** to simulate. Each η runs the given number of samples "
            "from the minimum until the iterate leaves the field.", icon=":material/timer:")  # fmt: skip
    ui.end_page()

pred_means = predicted_means(prediction, result.study.etas)
ref_means = predicted_means(ref_prediction, reference.study.etas) if reference else None
left, right = st.columns([3, 2])
with left:
    ui.plot(figures_runs.exit_figure(result.study, reference=reference.study if reference else None,
                                label="clipped" if not math.isinf(b) else "no clipping",
                                predicted=pred_means, reference_predicted=ref_means),
            key="exit_chart")  # fmt: skip
    if pred_means is not None:
        st.caption("Dotted: the theory's mean exit time 1/(q λ(η)) with its own constant q "
                   f"(not fitted). It is the {landscape.LIMIT_NOTE}.")  # fmt: skip
    elif why_not:
        st.caption(f"No predicted exit times: {why_not}")
with right:
    slope = result.study.slope
    pred = result.study.predicted_slope
    m1, m2 = st.columns(2)
    m1.metric("Fitted slope" + (" (censored data)" if result.censored else ""),
              "—" if slope is None or not math.isfinite(slope) else f"{slope:.2f}")  # fmt: skip
    m2.metric("Predicted slope", "—" if pred is None or not math.isfinite(pred) else f"{pred:.2f}")
    if reference is not None:
        rs, rp = reference.study.slope, reference.study.predicted_slope
        st.caption(f"Without clipping: fitted slope {'—' if rs is None else f'{rs:.2f}'}"
                   + (" (censored data)" if reference.censored else "")
                   + f", predicted {'—' if rp is None else f'{rp:.2f}'} (= α).")  # fmt: skip
    for res, what in ((result, ""), (reference, " without clipping")):
        if res is None or not res.censored:
            continue
        total = len(res.study.etas) * res.config.samples
        left_out = len(res.study.etas) - res.study.fit_etas
        st.warning(
            f"{res.censored} of {total} runs{what} hit the step cap before leaving (hollow "
            "markers). Their means use the exponential model's censored-data estimate (all "
            "steps run / exits seen)"
            + (f"; {left_out} η with no exit at all are left out of the fit" if left_out else "")
            + ". Raise the step cap for an uncensored fit.", icon=":material/warning:")  # fmt: skip
    if not result.censored and (reference is None or not reference.censored):
        st.caption("No run was censored: every sample left the field within its step cap.")
    edge_targets = [j for i, j in analysis.edges if i == fi]
    shares = prediction.rates.destinations(fi) if prediction is not None else None
    ui.plot(figures_runs.destinations_figure(result.destinations, fi, edge_targets, n,
                                        predicted_shares=shares),
            key="dest_chart")  # fmt: skip
    off = sum(v for j, v in result.destinations.items() if j not in edge_targets and j != fi)
    tot = sum(result.destinations.values())
    if tot:
        st.caption(f"{tot - off} of {tot} exits landed on a graph edge's target "
                   f"({', '.join(f'Ω{j + 1}' for j in edge_targets) or 'none'}).")  # fmt: skip
table = result.table(pred_means)
if reference is not None:
    table.insert(0, "case", "clipped")
    ref_table = reference.table(ref_means)
    ref_table.insert(0, "case", "no clipping")
    table = pd.concat([table, ref_table], ignore_index=True)
st.dataframe(table, hide_index=True, key="exit_table")
if reference is None:
    csv = result.csv()
else:
    csv = result.csv("clipped") + reference.csv("unclipped", header=False)
st.download_button("Exit times (CSV)", data=csv, file_name="exit_times.csv",
                   mime="text/csv", key="dl_exit")  # fmt: skip

"""Page 1: the landscape -- preset, formula or sketch; critical points and fields."""

from __future__ import annotations

import json
import math

import pandas as pd
import streamlit as st

import landscape
from dashboard import figures
from dashboard import state as S
from landscape.sweep import sharp_survivor_note, wide_minima
from widgets import landscape_choice, navigation, ui

p = ui.params()

land, source, left, right = landscape_choice.choose_landscape()
navigation.dimension_changed(1)  # f(x, y) now: pages/landscape_plane.py
L = float(p["L"])

analysis, a_err = ui.current_analysis(source)
xs, ys = ui.get_curve(source, L)

with right:  # the answer first ("In short", issue 21.8), then the chart
    short_box = st.container()
    # the heading above the chart, not in it: on a narrow screen the legend wraps to three
    # rows and grew over a figure title
    st.markdown(f"**f on [-{L:g}, {L:g}]**")
    fig = figures.landscape_figure(xs, ys, analysis, land.f, L=L, height=440)
    ui.plot(fig, key="landscape_chart")
    if a_err:
        st.warning(f"The analysis could not be done: {a_err}", icon=":material/warning:")

if analysis is not None and analysis.assumption1_ok and analysis.fields:
    surv = landscape.surviving_minima(analysis.classes)
    gone = [fl.index for fl in analysis.fields if fl.index not in surv]
    bb = S.effective_b(p)
    btxt = "without clipping" if math.isinf(bb) else f"with clipping at b = {bb:.3g}"
    names = ", ".join(f"m{m + 1}" for m in surv)
    gone_names = ", ".join(f"m{m + 1}" for m in gone)
    msg = (f"**In short:** {btxt}, heavy-tailed SGD ends up in "
           f"{figures.plural(len(surv), 'the minimum', 'the minima')} {names}"
           + (f"; {gone_names} {'is' if len(gone) == 1 else 'are'} eliminated (visited only briefly)."
              if gone else "; no minimum is eliminated at this b."))  # fmt: skip
    if not landscape.is_heavy_tailed(p["noise"], float(p["alpha"])):
        msg += (f" (The chosen {p['noise']} noise is not heavy-tailed: its iterates stay "
                "trapped near where they start.)")  # fmt: skip
    sharp_note = sharp_survivor_note([fl.width for fl in analysis.fields],
                                     [fl.l_star for fl in analysis.fields], surv, bb)  # fmt: skip
    with short_box:
        st.info(msg, icon=":material/lightbulb:")
        if sharp_note:
            st.warning(figures.md_escape(sharp_note), icon=":material/warning:")
    with right:
        navigation.page_link("simulate", label="Watch it happen in the live simulation",
                     icon=":material/play_circle:")  # fmt: skip

if analysis is not None:
    n = len(analysis.fields)
    with left:
        st.markdown("#### Assumption checks")
        if analysis.assumption1_ok:
            st.success(
                f"Assumption 1 holds on [-{L:g}, {L:g}]: "
                f"{figures.count_noun(len(analysis.minima), 'non-degenerate minimum', 'non-degenerate minima')}"
                + (f" separated by {figures.count_noun(len(analysis.maxima), 'maximum', 'maxima')}. "
                   "All theory panels apply." if analysis.maxima else
                   " and no maximum: one field, all of [-L, L], that the iterates never leave "
                   "(r = ∞: no escape distance, no exit time)."),
                icon=":material/check_circle:",
            )
        else:
            st.warning(
                "Assumption 1 fails, so the transition graph, exponents and predictions do not "
                "apply; the simulation still runs.",
                icon=":material/warning:",
            )
        for w in analysis.warnings:
            st.markdown(f"- {figures.md_escape(w)}")
    if analysis.assumption1_ok and n:
        betas = analysis.exit_exponents or (None,) * n
        wide = set(wide_minima([fl.width for fl in analysis.fields]))
        alive = set(landscape.surviving_minima(analysis.classes))
        rows = []
        for fl, beta in zip(analysis.fields, betas):
            rows.append({
                "field": f"Ω{fl.index + 1}",
                "s left": "-∞" if fl.left is None else f"{fl.left:.4f}",
                "m": round(fl.minimum, 4),
                "s right": "+∞" if fl.right is None else f"{fl.right:.4f}",
                "r": round(fl.width, 4) if math.isfinite(fl.width) else None,  # one field: nothing to leave
                "l*": fl.l_star if math.isfinite(fl.width) else None,
                "f''(m)": round(fl.curvature, 3),
                "shape": "wide" if fl.index in wide else "sharp",
                "at this b": "survives" if fl.index in alive else "eliminated",
                "β": None if beta is None or not math.isfinite(beta) else round(beta, 3),
            })  # fmt: skip
        with right:
            st.markdown("#### Attraction fields")
            st.dataframe(pd.DataFrame(rows), hide_index=True, key="fields_table")
            st.caption(figures.md_escape(
                "s left / s right: the field's edges; m: its minimum; r: the distance from the "
                "minimum to the nearer edge; l* = ⌈r/b⌉; β = α + (α−1)(l*−1), the exit-time "
                "exponent. A step of "
                "at most b needs l* = ⌈r/b⌉ jumps to leave. Shape: 'wide' if r is at least half the "
                "widest r, else 'sharp' (the chart's circles and triangles). At this b: 'survives' "
                "for the large minima of absorbing classes (filled green), 'eliminated' for the "
                "others (hollow red), which heavy-tailed clipped SGD visits only briefly."
            ))
    with right:
        st.download_button(
            "Download the analysis (JSON)",
            data=json.dumps(analysis.to_json(), indent=2),
            file_name="analysis.json", mime="application/json", key="dl_analysis",
        )  # fmt: skip

if analysis is not None and analysis.assumption1_ok and analysis.fields:
    with st.expander("Smoothing view (Kleinberg, Li & Yuan): the loss SGD effectively descends"):
        wide = max(analysis.fields, key=lambda fl: fl.width)
        names = [f"m{fl.index + 1} = {fl.minimum:.3f}" for fl in analysis.fields]
        pick = st.selectbox("Toward the minimum", options=list(range(len(names))), index=wide.index,
                            format_func=names.__getitem__, key="smooth_target")  # fmt: skip
        target = analysis.fields[pick].minimum
        eta = float(p["eta"])
        try:
            g = landscape.smoothed_loss(land.f, xs, eta, S.effective_b(p),
                                        (p["noise"], float(p["alpha"]), float(p["scale"])), land.df)  # fmt: skip
        except ValueError as err:
            st.info(f"No smoothed loss: {err}", icon=":material/info:")
        else:
            regions = landscape.one_point_convex_region(xs, g.slopes, target)
            ui.plot(figures.smoothing_figure(xs, ys, g.values, regions, target, L=L,
                                             f_range=figures.f_view_range(ys, analysis, land.f)),
                    key="smoothing_chart")  # fmt: skip
            st.caption(f"W = φ_b(η Z) is one step's clipped noise at the Live simulation's η = {eta:g}; "
                       "gradient descent on g is what SGD does on f, on average. Green: where −g' "
                       "points toward the chosen minimum.")  # fmt: skip

st.caption(f"Source: `{source[:200]}`" + (" …" if len(source) > 200 else ""))
if not math.isfinite(S.effective_b(p)):
    st.caption("Clipping is off (b = ∞): every field needs one jump to leave.")


"""Page 2: the typical transition graph for the chosen b, and the sweep over b."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import landscape
from landscape.sweep import (
    b_ranges_keeping,
    lost_minima,
    recommendation_reason,
    recommended_b,
    sharp_survivor_note,
    wide_minima,
)
from landscape.theory import gradient_norm_clip
from pages import figures, figures_graph, graph_plane, ui
from pages import state as S

ss = st.session_state
p = ui.params()

st.title("Transition graph and b tuner")
if ui.landscape_dimension() == 2:  # f(x, y): pages/graph_plane.py
    graph_plane.render()
    ui.end_page()
st.caption(figures.md_escape(
    "An edge m_i → m_j means the cheapest way out of Ω_i (l*_i jumps of size at most b) can land "
    "in Ω_j. Minima that survive are the large ones of absorbing classes: heavy-tailed clipped SGD "
    "spends almost all its time there. Move b in the sidebar or pick an interval below."
))

land, source, analysis, a_err = ui.page_landscape()
L = float(p["L"])
b = S.effective_b(p)
xs, ys = ui.get_curve(source, L)

ui.require_analysis(analysis, a_err)
if not analysis.assumption1_ok or not analysis.fields:
    st.warning(
        "Assumption 1 fails for this landscape, so there is no typical transition graph: "
        + " ".join(figures.md_escape(w) for w in analysis.warnings),
        icon=":material/warning:",
    )
    ui.plot(figures.landscape_figure(xs, ys, analysis, land.f, L=L), key="graph_chart")
    ui.end_page()

n = len(analysis.fields)
prediction, why_not = ui.current_prediction(source)
edge_probabilities = None
if prediction is not None:
    edge_probabilities = {(i, j): float(prediction.rates.destinations(i)[j]) for i, j in analysis.edges}
top_l, top_r = st.columns([3, 1], gap="medium")
with top_l:
    ui.plot(figures_graph.graph_figure(xs, ys, analysis, land.f, L=L, edge_probabilities=edge_probabilities,
                                 dark=ui.dark_theme()), key="graph_chart")  # fmt: skip
    # b too large: the sharp minima survive, right under the graph that shows it (issue 21.3)
    sharp_note = sharp_survivor_note([fl.width for fl in analysis.fields], [fl.l_star for fl in analysis.fields],
                                     landscape.surviving_minima(analysis.classes), b)  # fmt: skip
    if sharp_note:
        st.warning(figures.md_escape(sharp_note), icon=":material/warning:")
    if edge_probabilities is not None:
        st.caption("Edge labels: the limiting probability q_ij / q_i that an exit from Ω_i lands in "
                   f"Ω_j (Theorem 1), the {landscape.LIMIT_NOTE}.")  # fmt: skip
    else:
        st.caption(f"No exit probabilities on the edges: {why_not}")
with top_r:
    ui.class_summary(analysis.classes, analysis.edges, analysis.irreducible,
                     landscape.surviving_minima(analysis.classes))  # fmt: skip
    st.caption(figures.GLOSSARY)
    near = analysis.near_breakpoints
    if near:
        st.warning(f"b is at a structure change ({len(near)} jump numbers are borderline); "
                   "results at exactly this b are fragile.", icon=":material/warning:")  # fmt: skip
        with st.expander("Details"):
            for w in near:
                st.markdown(f"- {figures.md_escape(w)}")

st.markdown("#### Sweep over b")
c1, c2, c3 = st.columns([1, 1, 3])
with c1:
    ui.bind(st.number_input, "bmin", "b from", min_value=0.001, max_value=100.0, step=0.01,
            format="%.3g")  # fmt: skip
with c2:
    ui.bind(st.number_input, "bmax", "b to", min_value=0.002, max_value=200.0, step=0.1,
            format="%.3g")  # fmt: skip
bmin, bmax = float(p["bmin"]), float(p["bmax"])
intervals = ()
if bmax <= bmin:
    st.warning("'b to' must be larger than 'b from'.")
else:
    try:
        intervals = ui.get_sweep(source, L, bmin, bmax)
    except ValueError as e:
        st.warning(f"Sweep not possible: {e}", icon=":material/warning:")

if intervals:
    st.caption(
        "Each column is an interval of b with the same structure; rows are the minima. Dark "
        "green: survives; light green: absorbing class but small; grey: transient. Click a "
        "column (or use the list) to move b there."
    )
    def _pick_column() -> None:
        """on_select callback of the strip: move b into the clicked interval (before widgets)."""
        try:
            pts = ss["sweep_chart"].selection.points
            xb = float(pts[0]["x"]) if pts else None
        except (KeyError, AttributeError, IndexError, TypeError, ValueError):
            xb = None
        if xb is None:
            return
        for iv in intervals:
            if iv.b_low <= xb <= iv.b_high:
                _move_b(iv)
                return

    ui.plot(figures_graph.sweep_figure(intervals, n, b), key="sweep_chart", on_select=_pick_column,
            selection_mode="points")  # fmt: skip

    labels = [figures_graph.interval_label(iv) for iv in intervals]

    def _move_b(iv) -> None:
        """Put b inside the interval (a round value if one fits); clipping on."""
        mid = iv.b_mid if math.isfinite(iv.b_mid) else 2 * iv.b_low
        for digits in (2, 3, 4):
            r = round(mid, digits)
            if iv.b_low < r < iv.b_high:
                mid = r
                break
        S.write(ss, "clip", True)
        S.write(ss, "b", float(mid))
    current = next((i for i, iv in enumerate(intervals) if iv.b_low < b < iv.b_high), None)

    def _jump() -> None:
        if ss.get("sweep_pick") in labels:
            _move_b(intervals[labels.index(ss["sweep_pick"])])

    with c3:
        ss["sweep_pick"] = labels[current] if current is not None else None
        st.selectbox("Jump to an interval", options=labels, key="sweep_pick", on_change=_jump,
                     placeholder="choose an interval of b")  # fmt: skip
    st.download_button(
        "Download the sweep (CSV)",
        data=pd.DataFrame([{
            "b_low": iv.b_low, "b_high": iv.b_high, "irreducible": iv.irreducible,
            "classes": len(iv.classes), "l_star": " ".join(map(str, iv.l_star)),
            "surviving": " ".join(f"m{m + 1}" for m in iv.surviving),
            "edges": " ".join(f"m{i + 1}->m{j + 1}" for i, j in iv.edges),
        } for iv in intervals]).to_csv(index=False),
        file_name="sweep.csv", mime="text/csv", key="dl_sweep",
    )  # fmt: skip

st.markdown("#### Which b keeps the wide minima?")
widths = [fl.width for fl in analysis.fields]
auto_keep = wide_minima(widths)
try:
    keep = tuple(sorted({int(t) - 1 for t in str(p["keep"]).split(",") if t.strip()}))
    if any(not 0 <= k < n for k in keep):
        raise ValueError
except ValueError:
    S.adjust(ss, "keep", "", f"this landscape has {n} minima")
    keep = ()
keep = keep or auto_keep
labels_m = [f"m{i + 1}" for i in range(n)]


def _keep_changed() -> None:
    chosen = sorted(labels_m.index(v) + 1 for v in ss["keep_pick"])
    S.write(ss, "keep", ",".join(map(str, chosen)))


ss["keep_pick"] = [labels_m[k] for k in keep]
st.multiselect("Minima to keep (default: the wide ones, r at least half the widest)",
               options=labels_m, key="keep_pick", on_change=_keep_changed)  # fmt: skip
if intervals:
    ranges = b_ranges_keeping(intervals, keep)
    kept = ", ".join(labels_m[k] for k in keep)
    others = [labels_m[i] for i in range(n) if i not in keep]
    if ranges:
        rec = recommended_b(ranges)
        rows_b = [{"b from": lo, "b to": hi, "width": hi - lo} for lo, hi in ranges]
        st.dataframe(pd.DataFrame(rows_b), hide_index=True, key="keep_ranges")
        st.success(
            f"Every b in these ranges (of {bmin:g} to {bmax:g}) keeps {kept} and eliminates "
            + (", ".join(others) if others else "no other minimum")
            + (f". Recommended: **b = {rec:g}**, the middle of the widest range." if rec else "."),
            icon=":material/recommend:")  # fmt: skip
        if rec is not None:
            st.caption(recommendation_reason(ranges, rec, widths, keep, bmax))
        if rec is not None and not (math.isfinite(b) and abs(b - rec) < 1e-12):
            st.button(f"Use b = {rec:g}", key="use_recommended_b",
                      on_click=lambda: (S.write(ss, "clip", True), S.write(ss, "b", rec)))  # fmt: skip
    else:
        st.warning(f"No b between {bmin:g} and {bmax:g} keeps exactly {kept}: choose other minima "
                   "or widen the sweep.", icon=":material/warning:")  # fmt: skip
    here = next((iv for iv in intervals if iv.b_low < b < iv.b_high), None)
    if here is not None:
        lost = lost_minima(here, keep)
        if lost:
            st.warning(
                f"At b = {b:.4g}, {', '.join(labels_m[k] for k in lost)} "
                f"{'is' if len(lost) == 1 else 'are'} lost: not a large minimum of an absorbing "
                "class, so heavy-tailed clipped SGD leaves it for good.", icon=":material/warning:")  # fmt: skip
eta = float(p["eta"])
if math.isfinite(b):
    st.caption(
        f"In a training loop with learning rate η = {eta:g} (the Live simulation's η), this b is a "
        f"gradient-norm clip of c = b/η = {gradient_norm_clip(b, eta):.4g}: "
        "`torch.nn.utils.clip_grad_norm_(model.parameters(), c)` then a step of η moves at most b.")

st.markdown("#### Predicted first-exit exponents")
alpha = float(p["alpha"])
rows = []
betas = analysis.exit_exponents or tuple(landscape.exit_exponent(alpha, fl.l_star) for fl in analysis.fields)
for fl, beta in zip(analysis.fields, betas):
    rows.append({
        "field": f"Ω{fl.index + 1}", "minimum": round(fl.minimum, 4), "width r": round(fl.width, 4),
        "l*": fl.l_star, "β = α + (α−1)(l*−1)": round(beta, 3),
        "E[exit time] grows like": f"(1/η)^{beta:.2f}",
    })  # fmt: skip
st.dataframe(pd.DataFrame(rows), hide_index=True, key="exponents_table")
st.caption(
    f"For α = {alpha:.3g}. Without clipping every β equals α; with light-tailed noise exit times "
    "grow like exp(c/η) instead, so the iterates stay trapped."
)

absorbing = [k for k, c in enumerate(prediction.chains) if c.absorbing and c.small] if prediction else []
if absorbing:
    st.markdown("#### Sharp minima fade as η falls (Theorem 2)")
    k = absorbing[0]
    chain = prediction.chains[k]
    share_rows = []
    for eta_k in (1e-2, 1e-3, 1e-4, 1e-5):
        try:
            share = prediction.small_field_share(eta_k, k)
        except ValueError:
            continue
        row = {"η": eta_k, "share of steps in small fields": f"{share.total:.3%}"}
        for field_k, v in zip(share.fields, share.shares):
            row[f"Ω{field_k + 1}"] = f"{v:.3%}"
        share_rows.append(row)
    if share_rows:
        st.dataframe(pd.DataFrame(share_rows), hide_index=True, key="small_share_table")
        st.caption(figures.md_escape(
            "Long-run share of steps spent in the small fields of the absorbing class "
            f"{{{', '.join(f'm{i + 1}' for i in chain.members)}}}: it falls like "
            "η^((α−1)(l*_G − l*_small)). Hold it against the time fractions of a live run at the "
            f"same η. The {landscape.LIMIT_NOTE}."))  # fmt: skip

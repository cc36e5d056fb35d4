"""The transition-graph page for f(x, y): the 1-D graph drawing over the contour lines,
the classes, the predicted exit exponents and the theory's constants (q_i, mean exit
times, destinations, limiting chain and Theorem 2's share, ``widgets.theory_plane``; same
graph code as 1-D: the analysis' ``structure`` is a ``landscape.theory.Structure``).

The page app.py's navigation runs at /graph when the landscape is two-dimensional.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import landscape
from dashboard import figures
from dashboard import figures_plane as FP
from dashboard import state as S
from landscape.theory import gradient_norm_clip
from widgets import navigation, plane_ui, theory_plane, ui


def _theory(source: str, analysis, eta: float) -> None:
    """q_i, mean exit times, destinations, the limiting chain and Theorem 2's share at eta."""
    st.markdown("#### The theory's constants")
    with st.spinner("Computing the exit rates q_i on the field map…"):
        prediction, why_not = theory_plane.current_plane_prediction(source)
    if prediction is None:
        st.caption(f"No exit rates: {why_not}")
        return
    theory_plane.show_rates(prediction, analysis, eta, key="rates_table")
    rows = []
    for k, chain in enumerate(prediction.chains):
        if not (chain.absorbing and chain.small):
            continue
        for eta_k in (1e-2, 1e-3, 1e-4):
            try:
                share = prediction.small_field_share(eta_k, k)
            except ValueError:
                continue
            rows.append({"class": f"G{k + 1}", "η": eta_k,
                         "share of steps in small fields": f"{share.total:.3%}",
                         **{f"Ω{f + 1}": f"{v:.3%}" for f, v in zip(share.fields, share.shares)}})
    if rows:
        st.markdown("#### Sharp minima fade as η falls (Theorem 2)")
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="small_share_table")
        st.caption(f"Long-run share of steps in the small fields of each absorbing class; it falls "
                   f"like η^((α−1)(l*_G − l*_small)). The {landscape.LIMIT_NOTE}.")  # fmt: skip


st.title("Transition graph and b tuner")
navigation.dimension_changed(2)  # f(x) now: pages/graph_page.py
p = ui.params()
R = float(p["L"])
b = S.effective_b(p)
st.caption("An edge m_i → m_j means the cheapest way out of Ω_i (l*_i jumps of size at most b) "
           "can land in Ω_j. Minima that survive are the large ones of absorbing classes: "
           "heavy-tailed clipped SGD spends almost all its time there. Move b in the sidebar.")  # fmt: skip
_, source, analysis, a_err = plane_ui.page_plane()
ui.require_analysis(analysis, a_err)
if not analysis.fields:
    st.warning("No minimum in the ball: there is no transition graph.", icon=":material/warning:")
    ui.end_page()
structure = analysis.structure
top_l, top_r = st.columns([3, 1], gap="medium")
with top_l:
    ui.plot(FP.plane_graph_figure(plane_ui.get_f_grid(source, R), analysis, R=R, height=500),
            key="graph_chart")  # fmt: skip
    st.caption("Nodes sit at the minimisers (a segment's middle); an arrow m_i → m_j means the "
               "cheapest way out of Ω_i (l*_i jumps of size at most b) can land in Ω_j. The "
               "limiting exit probabilities q_ij / q_i are in the table of the theory's "
               "constants below.")  # fmt: skip
with top_r:
    ui.class_summary(structure.classes, structure.edges, structure.irreducible,
                     plane_ui.surviving(analysis))  # fmt: skip
jm = analysis.jump_matrix  # l_{i,j}, diagonal l*_i (as in 1-D)
st.markdown("#### Jumps needed between fields")
st.caption(figures.md_escape("l_{i,j} = ⌈dist(minimiser set of m_i, Ω_j) / b⌉; the diagonal "
                             "is l*_i. Edges leave each field toward its cheapest targets."))  # fmt: skip
names = [f"Ω{j + 1}" for j in range(len(jm))]
st.dataframe(pd.DataFrame(jm, index=[f"from m{i + 1}" for i in range(len(jm))], columns=names),
             key="jump_table")  # fmt: skip
st.markdown("#### Predicted first-exit exponents")
alpha = float(p["alpha"])
rows = []
for i, fl in enumerate(analysis.fields):
    beta = landscape.exit_exponent(alpha, int(fl.l_star))
    rows.append({
        "field": f"Ω{i + 1}", "minimiser": plane_ui.minimiser_text(fl), "width r": round(float(fl.width), 4),
        "l*": int(fl.l_star), "β = α + (α−1)(l*−1)": round(beta, 3) if math.isfinite(beta) else None,
        "E[exit time] grows like": f"(1/η)^{beta:.2f}" if math.isfinite(beta) else "no exit",
    })  # fmt: skip
st.dataframe(pd.DataFrame(rows), hide_index=True, key="exponents_table")
st.caption(f"For α = {alpha:.3g}. Without clipping every β equals α. The sweep over b and the b "
           "tuner are available for 1-D landscapes; move b in the sidebar to see the graph "
           "change.")  # fmt: skip
eta = float(p["eta"])
_theory(source, analysis, eta)
if math.isfinite(b):
    st.caption(
        f"In a training loop with learning rate η = {eta:g}, this b is a gradient-norm clip of "
        f"c = b/η = {gradient_norm_clip(b, eta):.4g}: `torch.nn.utils.clip_grad_norm_(params, c)`.")
st.caption(figures.md_escape(f"R = {R:g}, b = {'∞' if math.isinf(b) else f'{b:.4g}'}."))

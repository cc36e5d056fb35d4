"""The Landscape page for f(x, y): the paper's Fig. 3(b), the fields table and the checks.

The page app.py's navigation runs at /landscape when the landscape is two-dimensional; its
title, the preset/formula choice and the two columns are the 1-D page's
(``widgets.landscape_choice``).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import streamlit as st

import landscape
from dashboard import figures
from dashboard import figures_plane as FP
from dashboard import state as S
from widgets import landscape_choice, navigation, plane_ui, session, ui


@st.cache_data(max_entries=64, show_spinner=False)
def suggested_radius(source: str, R: float) -> tuple[float, int] | None:
    """(suggested R, minima it holds) from :func:`landscape.suggest_radius`, or None."""
    try:
        found = landscape.suggest_radius(ui.get_landscape(source), R)
    except ValueError:
        return None
    return None if found is None else (found.R, len(found.minima))


def _wall_warning(analysis, source: str, R: float) -> None:
    """The plain warning when minimiser sets are points on the wall, and a suggested R to apply."""
    n_wall = len(analysis.fields) - analysis.real_minima
    real = figures.count_noun(analysis.real_minima, "minimum", "minima")
    on_wall = figures.count_noun(n_wall, "point", "points")
    st.warning(
        f"In the ball of radius {R:g}: {real} of f and {on_wall} on the wall |x| = R, where f keeps "
        "decreasing outwards: iterates pile up there, which is not a minimum of f. The ball is too "
        "small for this f.", icon=":material/warning:")  # fmt: skip
    found = suggested_radius(source, R)
    hi = S.PARAMS["L"].hi
    if found is not None and found[0] != R and found[0] <= hi:
        new_R, held = found
        st.markdown(f"Where f grows: a ball of radius **R = {new_R:g}** holds its "
                    f"{figures.count_noun(held, 'minimum', 'minima')} and the saddles between them.")  # fmt: skip
        st.button(f"Use R = {new_R:g}", key="apply_suggested_R", icon=":material/open_in_full:",
                  on_click=session.write, args=("L", new_R))  # fmt: skip
    elif found is None:
        st.caption("No ball (up to radius 10⁴) is free of such wall points: f keeps decreasing "
                   "outwards somewhere (is it bounded below?).")  # fmt: skip


land, source, left, right = landscape_choice.choose_landscape()
navigation.dimension_changed(2)  # f(x) now: pages/landscape_page.py
p = ui.params()
R = float(p["L"])
bb = S.effective_b(p)
analysis, a_err = plane_ui.current_plane_analysis(source)
start = plane_ui.plane_start(R)
with right:
    fig = FP.plane_landscape_figure(
        plane_ui.get_f_grid(source, R), analysis, R=R, b=bb, start=start, pickable=True, height=470,
        title=f"f(x, y) in the ball of radius R = {R:g}; rings: distance b and l*·b",
    )  # fmt: skip
    ui.plot(fig, key="landscape_chart", on_select=plane_ui.pick_start("landscape_chart", R),
            selection_mode="points")  # fmt: skip
    st.caption(f"Click the chart to start the simulation at that point (now ({start[0]:.3g}, "
               f"{start[1]:.3g}), the pink diamond). Shaded: the attraction fields.")  # fmt: skip
    plane_fit = session.get(session.NETWORKS_PLANE_FIT)  # set by pages/networks_page.py
    if plane_fit and plane_fit["expr"].strip() == source.strip():
        st.caption(f"A network's training loss on a plane ({plane_fit['method']}, Networks "
                   f"page): {plane_fit['fit']}.")  # fmt: skip
    if a_err:
        st.warning(f"The analysis could not be done: {a_err}", icon=":material/warning:")
if analysis is None:
    ui.end_page()
alpha = float(p["alpha"])
fields = analysis.fields
with left:
    st.markdown("#### Checks")
    n_seg = sum(1 for fl in fields if fl.minimiser.is_segment)
    seg = f" ({figures.count_noun(n_seg, 'a segment', 'segments')} of minimisers)" if n_seg else ""
    if analysis.wall_points:
        _wall_warning(analysis, source, R)
    else:
        st.success(
            f"In the ball of radius {R:g}: {figures.count_noun(len(fields), 'minimiser set', 'minimiser sets')}"
            f"{seg}, {figures.count_noun(len(analysis.saddles), 'saddle', 'saddles')}, "
            f"{figures.count_noun(len(analysis.maxima), 'maximum', 'maxima')}; each field is the set "
            "from which gradient flow reaches its minimiser.", icon=":material/check_circle:")  # fmt: skip
    for w in analysis.warnings:
        st.markdown(f"- {figures.md_escape(w)}")
if not fields:
    ui.end_page()
surv = plane_ui.surviving(analysis)
gone = [i for i in range(len(fields)) if i not in surv]
btxt = "without clipping" if math.isinf(bb) else f"with clipping at b = {bb:.3g}"
names = [f"m{i + 1}" + (" (a point on the wall, not a minimum of f)" if fields[i].minimiser.at_wall else "")
         for i in surv]  # fmt: skip
msg = (f"**In short:** {btxt}, heavy-tailed SGD ends up near "
       f"{figures.plural(len(surv), 'the minimum', 'the minima')} {', '.join(names)}"
       + (f"; {', '.join(f'm{i + 1}' for i in gone)} {'is' if len(gone) == 1 else 'are'} eliminated "
          "(visited only briefly)." if gone else "; no minimum is eliminated at this b."))  # fmt: skip
if analysis.real_minima == 0:
    msg = (f"**In short:** this ball holds no minimum of f: {btxt}, heavy-tailed SGD piles up "
           f"against the wall at {', '.join(f'm{i + 1}' for i in range(len(fields)))}. "
           "Choose a larger R.")  # fmt: skip
with right:
    st.info(msg, icon=":material/lightbulb:")
    navigation.page_link("simulate", label="Watch it happen in the live simulation",
                 icon=":material/play_circle:")  # fmt: skip
    st.markdown("#### Attraction fields")
    st.dataframe(pd.DataFrame(plane_ui.fields_table(analysis, alpha)), hide_index=True, key="fields_table")
    st.caption(
        "minimiser: a point, or the two ends of a segment of minimisers; r: the distance from "
        "the minimiser set to the field's boundary inside the ball; l* = ⌈r/b⌉ (the rings on "
        "the chart: distance b dotted, l*·b dashed); area: the field's share of the ball; "
        "β = α + (α−1)(l*−1), the exit-time exponent. Shape: 'wide' if r is at least half the "
        "widest r, else 'sharp': clipped heavy-tailed SGD leaves sharp minima much sooner than wide "
        "ones; a 'wall point' is where f is least on the ball's wall, not a minimum of f. At this b: "
        "'survives' if the minimum is in an absorbing class of the transition graph. r and l* are "
        "empty for a field with nothing to escape to (one field fills the ball)."
    )
    st.download_button("Download the analysis (JSON)", data=json.dumps(analysis.to_json(), indent=2),
                       file_name="analysis.json", mime="application/json", key="dl_analysis")  # fmt: skip
st.caption(f"Source: `{source[:200]}`" + (" …" if len(source) > 200 else ""))
if not landscape.is_heavy_tailed(p["noise"], alpha):
    st.caption(f"The chosen {p['noise']} noise is not heavy-tailed: its iterates stay trapped "
               "near where they start.")  # fmt: skip

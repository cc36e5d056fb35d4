"""Page: a parameter-grid study's results (``python -m simulate study``), loaded from its folder.

Thin: loading, summaries and fits are in simulate.study_results, the figures in
dashboard.study_figures. Registered in app.py with
``st.Page("pages/studies_page.py", title="Studies", icon=":material/science:",
url_path="studies")``.
"""

from __future__ import annotations

import math

import streamlit as st

from dashboard import study_figures
from simulate import config
from simulate.errors import SimulationError
from simulate.study_results import exit_fits, latest_study, load_study
from widgets import session, ui

STUDIES_ROOT = config.REPO_ROOT / "studies"


def _default_folder() -> str:
    found = latest_study(STUDIES_ROOT)
    return str(found) if found is not None else ""


def _exit_view(res) -> None:
    cells = res.cells
    fits = exit_fits(cells)
    cens = int(cells["censored"].sum())
    st.markdown(
        f"**{int(cells['done'].sum()):,}** exit samples in **{len(cells)}** cells, "
        f"**{cens}** censored (hit the step cap; a mean with censored samples is a lower "
        "bound and is drawn with an open marker).")
    if fits:
        ui.plot(study_figures.exit_study_figure(fits), key="study_exit_chart")
        table = [{"curve": study_figures.curve_label(f.params, study_figures.varying_keys(fits)),
                  "fitted slope": None if math.isnan(f.slope) else round(f.slope, 3),
                  "predicted β": f.beta, "cells used": int(f.used.sum()),
                  "censored samples": int(f.censored.sum())} for f in fits]
        st.dataframe(table, hide_index=True, key="study_fits")
        st.caption("Finite-η corrections shrink slowly, like η^(α−1) (THEORY 9): expect the "
                   "fitted slope to approach β only as η gets small.")
    cols = ["cell_index", "eta", "b", "family", "alpha", "x0", "seed", "size", "done", "censored",
            "mean", "mean_uncensored", "median", "max_steps", "max_steps_source", "l_star", "beta"]
    st.dataframe(cells[[c for c in cols if c in cells]], hide_index=True, key="study_cells")


def _occupancy_view(res) -> None:
    rows = res.rows
    if rows.empty:
        st.info("No finished cell yet.")
        return
    bars, hist = study_figures.occupancy_figures(rows)
    ui.plot(bars, key="study_occ_bars")
    ui.plot(hist, key="study_occ_hist")
    cols = ["cell_index", "eta", "b", "family", "alpha", "x0", "seed", "size", "done", "steps"]
    st.dataframe(res.cells[[c for c in cols if c in res.cells]], hide_index=True,
                 key="study_cells")


def render() -> None:
    st.title("Studies")
    st.caption("Parameter-grid studies run with `python -m simulate study SPEC --out DIR` "
               "(locally or on a Dask cluster; see docs/STUDIES.md). Give the results folder.")
    if not session.has(session.STUDY_PATH_WIDGET):
        session.put(session.STUDY_PATH_WIDGET, _default_folder())
    path = st.text_input("Results folder", key=session.STUDY_PATH_WIDGET,
                         help="A folder written by python -m simulate study (holds study.json)")
    if not path.strip():
        st.info("No study found under studies/. Run for example "
                "`python -m simulate study studies/fig4_extended.toml --out studies/fig4` "
                "and give its folder here.")
        return
    try:
        res = load_study(path.strip())
    except SimulationError as exc:
        st.error(str(exc))
        return
    man = res.manifest
    done = int(res.cells["complete"].sum())
    st.markdown(f"**{res.kind}** study, status **{man.get('status', '?')}**: "
                f"{done} of {len(res.cells)} cells complete.")
    if res.kind == "exit-times":
        _exit_view(res)
    else:
        _occupancy_view(res)
    with st.expander("Spec, seeds and versions"):
        st.json({"spec": man.get("spec"), "versions": man.get("versions"),
                 "streams": {c["key"]: [c["seed"], c["stream"]] for c in man["cells"]}},
                expanded=1)


if __name__ == "__main__":
    render()

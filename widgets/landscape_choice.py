"""The top of the Landscape page, the same in 1-D and 2-D (``pages/landscape_page.py``,
``pages/landscape_plane.py``): the title, where f comes from (preset, formula or sketch)
in the left column, and a refused f said there (nothing else is drawn for it)."""

from __future__ import annotations

from typing import Any

import streamlit as st

import landscape
from dashboard import figures
from dashboard import state as S
from landscape.config import MAX_FORMULA_LENGTH
from widgets import session, sketch, ui

MODE_LABELS = {"preset": "Preset", "formula": "Formula", "sketch": "Sketch"}


def choose_landscape() -> tuple[Any, str, Any, Any]:
    """Draw the title and the choice of f; (landscape, its source, left column, right
    column). A refused formula or sketch is said in the columns and ends the page."""
    p = ui.params()
    st.title("Loss landscape")
    st.caption(
        "Heavy-tailed SGD with gradient clipping avoids sharp minima. Choose a function, see its "
        "minima and their attraction fields; the other pages show the transition graph, live runs "
        "and exit times for it."
    )

    ui.bind(st.segmented_control, "mode", "Where f comes from", options=S.MODES,
            format_func=MODE_LABELS.get, selection_mode="single", required=True)  # fmt: skip
    mode = p["mode"] or "preset"
    left, right = st.columns([1, 2], gap="medium")

    with left:

        if mode == "preset":
            all_presets = ui.presets()  # 1-D, then 2-D (f(x, y)) presets
            keys = list(all_presets)
            if p["preset"] not in keys:
                session.adjust("preset", landscape.DEFAULT_PRESET, "no preset has that name")
            ui.bind(
                st.selectbox, "preset", "Preset", options=keys,
                format_func=lambda k: all_presets[k].title,
                on_change=lambda: ui.apply_preset(session.params()["preset"]),
            )  # fmt: skip
            pr = all_presets[p["preset"]]
            st.caption(pr.description)
            if not pr.source.startswith("sketch:"):
                with st.expander("Its formula"):
                    st.code(pr.source, language=None, wrap_lines=True)

            def _edit_preset() -> None:
                session.write("formula", pr.source)
                session.write("mode", "formula")

            st.button("Edit this formula", key="edit_preset_formula", on_click=_edit_preset,
                      disabled=pr.source.startswith("sketch:"))  # fmt: skip
        elif mode == "formula":
            if not p["formula"]:
                session.write("formula", ui.preset_source(p["preset"]))
            ui.bind(
                st.text_area, "formula", "f(x) or f(x, y) =", height=100, max_chars=MAX_FORMULA_LENGTH,
                help=figures.md_escape(
                    "A function of x, or of x and y (then L is the radius R of a ball): + - * / ^ (or **), "
                    "sin, cos, exp, log, sqrt, tanh, abs, pi... e.g. (x^2-1)^2 + 0.3*x, "
                    "x^4/4 - x^2/2 + 0.05*sin(20*x) or (x^2+y-11)^2+(x+y^2-7)^2. Ctrl+Enter applies, "
                    f"up to {MAX_FORMULA_LENGTH:,} characters."),
            )  # fmt: skip
        else:
            sketch.sketch_editor(p)

    land, source, err = ui.current_landscape()

    if err is not None:
        with left:
            ui.show_formula_error(err, p["formula"] if mode == "formula" else None)
        with right:
            st.info("Nothing is shown for a refused landscape: the chart, the fields and the checks "
                    "return when it is fixed.", icon=":material/block:")  # fmt: skip
            st.button("Back to the last valid landscape", key="restore_landscape",
                      on_click=ui.restore_last_good, icon=":material/undo:")  # fmt: skip
        ui.end_page()
    return land, source, left, right

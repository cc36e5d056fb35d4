"""Streamlit glue shared by the pages: cached analysis, bound widgets, messages.

Only pure, input-keyed results are cached across sessions (keyed by the
landscape source text, L, b, ...). Everything per-user lives in
``st.session_state``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import streamlit as st

import landscape
from pages import figures
from pages import state as S

# ---------------------------------------------------------------- caching


@st.cache_resource(max_entries=64, show_spinner=False)
def get_landscape(source: str):
    """Parse a formula or sketch source once per process (raises FormulaError)."""
    return landscape.load_landscape(source)


@st.cache_resource(max_entries=256, show_spinner=False)
def get_analysis(source: str, L: float, b: float, alpha: float | None):
    return landscape.analyze(get_landscape(source), L, b, alpha)


@st.cache_resource(max_entries=64, show_spinner=False)
def get_curve(source: str, L: float) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = figures.curve(get_landscape(source).f, L)
    xs.setflags(write=False)
    ys.setflags(write=False)
    return xs, ys


@st.cache_resource(max_entries=64, show_spinner=False)
def get_sweep(source: str, L: float, b_min: float, b_max: float):
    return landscape.sweep(get_landscape(source), L, b_min, b_max)


# ---------------------------------------------------------------- params


def params() -> dict[str, Any]:
    return st.session_state[S.PARAMS_KEY]


def bind(widget, name: str, label: str, **kwargs):
    """Draw ``widget(label, key=name, ...)`` seeded from and stored to the params."""
    S.seed_widget(st.session_state, name)
    value = widget(label, key=name, **kwargs)
    S.store_widget(st.session_state, name)
    return value


def preset_source(key: str) -> str:
    p = landscape.PRESETS.get(key) or landscape.PRESETS[landscape.DEFAULT_PRESET]
    return p.source


def requested_source(p: dict[str, Any]) -> str:
    mode = p["mode"]
    if mode == "formula":
        return p["formula"]
    if mode == "sketch":
        return "sketch:" + p["sketch"]
    return preset_source(p["preset"])


def current_landscape() -> tuple[Any, str, Exception | None]:
    """(landscape, its source, error of the requested source or None).

    When the requested formula/sketch is bad, the last good landscape of this
    session is returned with the error, so the page keeps showing something
    sensible next to the message.
    """
    p = params()
    src = requested_source(p)
    try:
        land = get_landscape(src)
    except ValueError as err:
        good = st.session_state.get("last_good_source") or preset_source(landscape.DEFAULT_PRESET)
        try:
            land = get_landscape(good)
        except ValueError:
            good = preset_source(landscape.DEFAULT_PRESET)
            land = get_landscape(good)
        return land, good, err
    st.session_state["last_good_source"] = src
    return land, src, None


def current_analysis(source: str, *, b: float | None = None):
    """(analysis or None, error message or None) for the sidebar's L, b, alpha."""
    p = params()
    bb = S.effective_b(p) if b is None else b
    alpha = p["alpha"]  # the tail index the predictions use (also for light noise: a what-if)
    try:
        return get_analysis(source, float(p["L"]), float(bb), float(alpha)), None
    except ValueError as err:
        return None, str(err)
    except Exception as err:  # noqa: BLE001 - never show a traceback to the user
        return None, f"The analysis failed: {err}"


def page_landscape(using: str) -> tuple[Any, str, Any, str | None]:
    """(landscape, source, analysis or None, analysis error) for the pages after Landscape.

    A bad requested formula or sketch shows one warning, "...; ``using`` the last
    valid one", and the last valid landscape of the session is used instead.
    """
    land, source, err = current_landscape()
    if err is not None:
        st.warning(f"The requested landscape is invalid ({err}); {using} the last valid one.",
                   icon=":material/warning:")  # fmt: skip
    analysis, a_err = current_analysis(source)
    return land, source, analysis, a_err


def require_analysis(analysis, error: str | None) -> None:
    """Stop the page with a readable message when there is no analysis to show."""
    if analysis is None:
        st.error(f"No analysis for these settings: {error}", icon=":material/warning:")
        st.stop()


def apply_preset(key: str) -> None:
    """Load a preset's defaults (L, b, eta, x0, noise) into the params."""
    pr = landscape.PRESETS.get(key)
    if pr is None:
        return
    ss = st.session_state
    S.set_param(ss, "L", float(pr.L))
    if pr.b is None or not math.isfinite(pr.b):
        S.set_param(ss, "clip", False)
    else:
        S.set_param(ss, "clip", True)
        S.set_param(ss, "b", float(pr.b))
    S.set_param(ss, "eta", S.snap_eta(float(pr.eta)))
    S.set_param(ss, "x0", float(pr.x0))
    nd = pr.noise
    if nd.family in S.NOISE_FAMILIES:
        S.set_param(ss, "noise", nd.family)
    if nd.alpha is not None:
        S.set_param(ss, "alpha", float(nd.alpha))
    S.set_param(ss, "scale", float(nd.scale))
    S.set_param(ss, "bmax", max(float(S.PARAMS["bmin"].default) * 2, 2.0 * float(pr.L) + 0.1))
    S.set_param(ss, "bmin", float(S.PARAMS["bmin"].default))
    reset_runs()


def reset_runs() -> None:
    """Forget simulations and studies of this session (the landscape changed)."""
    for k in ("sim", "sim_running", "exit_result"):
        st.session_state.pop(k, None)


# ---------------------------------------------------------------- messages


def show_formula_error(err: Exception, text: str | None = None) -> None:
    """A clear message with a caret at the offending character; no traceback."""
    msg = getattr(err, "message", None) or str(err)
    pos = getattr(err, "position", None)
    txt = getattr(err, "text", None) or text or ""
    where = f" (character {pos + 1})" if pos is not None else ""
    st.error(f"**This formula cannot be used{where}:** {msg}", icon=":material/warning:")
    if txt and pos is not None:
        st.code(figures.formula_caret(txt, pos), language=None)


def noise_alpha_label(family: str) -> str:
    return {
        "pareto": "tail index α (Pareto shape)",
        "student-t": "degrees of freedom (= tail index α)",
        "stable": "stability index α (1 < α < 2)",
    }.get(family, "tail index α (used for predictions)")


def plot(fig, key: str, **kwargs):
    """st.plotly_chart with the modebar's image export as PNG at 2x."""
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key},
    }
    return st.plotly_chart(fig, key=key, config=config, **kwargs)

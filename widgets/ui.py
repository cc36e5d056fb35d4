"""Streamlit glue shared by the pages: cached analysis, bound widgets, messages.

Only pure, input-keyed results are cached across sessions (keyed by the
landscape source text, L, b, ...). Everything per-user lives in the session
(``widgets.session``, the one module that touches ``st.session_state``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

import landscape
from dashboard import exitrun, figures
from dashboard import state as S
from widgets import session

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


@st.cache_resource(max_entries=128, show_spinner=False)
def get_prediction(source: str, L: float, b: float, family: str, alpha: float, scale: float,
                   x0: float | None = None):  # fmt: skip
    """The theory's rates and limiting chains (eta-free) for these settings, with the
    start x0's law over the wide minima if given; raises ``landscape.TheoryError`` (a
    ValueError) where the theory does not apply."""
    analysis = get_analysis(source, L, b, alpha)
    return landscape.predict(analysis, get_landscape(source), (family, alpha, scale), x0=x0)


@st.cache_resource(max_entries=512, show_spinner=False)
def get_run_shares(source: str, L: float, b: float, family: str, alpha: float, scale: float,
                   x0: float, steps: float, eta: float) -> dict[int, float]:
    """``Prediction.run_shares`` for a run of ``steps`` steps, once per value: a live view
    asks every refresh, with ``steps`` rounded so that refreshes share the answer."""
    return get_prediction(source, L, b, family, alpha, scale, x0).run_shares(steps, eta)


def current_prediction(source: str, *, b: float | None = None, x0: float | None = None,
                       family: str | None = None):  # fmt: skip
    """(prediction or None, reason or None) for the sidebar's L, b and noise (or the
    given b and noise family)."""
    p = params()
    bb = S.effective_b(p) if b is None else b
    try:
        return get_prediction(source, float(p["L"]), float(bb), family or str(p["noise"]),
                              float(p["alpha"]), float(p["scale"]), x0), None  # fmt: skip
    except ValueError as err:
        return None, str(err)


# ---------------------------------------------------------------- params


def params() -> dict[str, Any]:
    return session.params()


def bind(widget, name: str, label: str, *, on_change=None, **kwargs):
    """Draw ``widget(label, key=name, ...)`` showing the canonical value of ``name``.

    The widget key is refreshed from the params before every draw and the
    user's edits flow back through ``on_change`` (then the caller's own
    ``on_change``), so :func:`dashboard.state.write` is the only way a value changes
    (``widgets.session.bound_widget_callbacks``).

    A number box gets no ``min_value``/``max_value`` (Streamlit's box would keep a value
    outside them, red, unapplied, while the page used the old one): the typed value is
    brought into the range here, with a notice naming the typed and the used value.
    """
    number_range = None
    if widget is st.number_input:
        number_range = (kwargs.pop("min_value", None), kwargs.pop("max_value", None))
    edited = session.bound_widget_callbacks(name, label, number_range)

    def changed() -> None:
        edited()
        if on_change is not None:
            on_change()

    return widget(label, key=name, on_change=changed, **kwargs)


def presets() -> dict[str, Any]:
    """The presets the Landscape page offers: the 1-D ones, then the 2-D ones
    (``landscape.plane_presets.ALL_PRESETS``)."""
    from landscape.plane_presets import ALL_PRESETS

    return ALL_PRESETS


def preset_source(key: str) -> str:
    p = presets().get(key) or landscape.PRESETS[landscape.DEFAULT_PRESET]
    return p.source


def requested_source(p: dict[str, Any]) -> str:
    mode = p["mode"]
    if mode == "formula":
        return p["formula"]
    if mode == "sketch":
        return "sketch:" + p["sketch"]
    return preset_source(p["preset"])


LANDSCAPE_PARAMS = ("mode", "preset", "formula", "sketch")


def current_landscape() -> tuple[Any, str, Exception | None]:
    """(landscape or None, the requested source, its error or None).

    A refused formula or sketch gives no landscape: no page shows another
    landscape's results beside it. The last valid choice of the session is
    remembered so the Landscape page can offer to go back to it.
    """
    p = params()
    src = requested_source(p)
    try:
        land = get_landscape(src)
    except ValueError as err:
        return None, src, err
    session.put(session.LAST_GOOD, {k: p[k] for k in LANDSCAPE_PARAMS})
    return land, src, None


def landscape_dimension() -> int:
    """1 or 2: the dimension of the chosen landscape (1 while it is refused)."""
    land, _, err = current_landscape()
    return 1 if err is not None else int(land.dimension)


def restore_last_good() -> None:
    """Callback: go back to the last landscape of this session that was accepted."""
    good = session.get(session.LAST_GOOD) or {"mode": "preset"}
    for name, value in good.items():
        session.write(name, value)


def landscape_caption(p: dict[str, Any], refused: bool) -> str:
    """One line naming the landscape the pages show (or that none is shown)."""
    mode = p["mode"]
    if mode == "formula":
        short = p["formula"][:40].replace("`", "'")
        args = "x, y" if not refused and landscape_dimension() == 2 else "x"
        what = f"`f({args}) = {short}{'…' if len(p['formula']) > 40 else ''}`"
    elif mode == "sketch":
        what = "your sketch"
    else:
        pr = presets().get(p["preset"])
        what = pr.title if pr else p["preset"]
    if refused:
        return f"Landscape: {what}, refused; nothing is analysed until it is fixed on the Landscape page."
    return f"Landscape: {what} (change it on the Landscape page)"


class EndPage(Exception):
    """Raised by :func:`end_page`; app.py catches it and still updates the URL and the link."""


def end_page() -> None:
    """Stop drawing this page (instead of ``st.stop()``, which would also skip app.py's
    URL and link update that follow the page)."""
    raise EndPage


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


def page_landscape() -> tuple[Any, str, Any, str | None]:
    """(landscape, source, analysis or None, analysis error) for the pages after Landscape.

    A refused formula or sketch ends the page with one message: nothing is
    shown for a landscape the user did not ask for.
    """
    land, source, err = current_landscape()
    if err is not None:
        st.error(f"The landscape is refused ({err}). Fix it on the Landscape page; nothing is "
                 "analysed until then.", icon=":material/warning:")  # fmt: skip
        # a refused landscape counts as 1-D: the Landscape page is its 1-D script
        st.page_link("pages/landscape_page.py", label="Go to the Landscape page",
                     icon=":material/landscape:")  # fmt: skip
        end_page()
    analysis, a_err = current_analysis(source)
    return land, source, analysis, a_err


def require_analysis(analysis, error: str | None) -> None:
    """End the page with a readable message when there is no analysis to show."""
    if analysis is None:
        st.error(f"No analysis for these settings: {error}", icon=":material/warning:")
        end_page()


def apply_preset(key: str) -> None:
    """Load a preset's settings (L, b, eta, start, noise: ``state.preset_defaults``) into the params."""
    for name, value in S.preset_defaults(key).items():
        session.write(name, value)
    reset_runs()


def class_summary(classes, edges, irreducible: bool, surviving) -> None:
    """The transition graph in numbers (1-D or 2-D): classes, edges, irreducibility,
    each class with its kind and large minima, and the minima that survive."""
    st.metric("Classes", len(classes), help="Communicating classes of the graph")
    st.metric("Edges", len(edges))
    st.markdown("**Irreducible**" if irreducible else "**Not irreducible**")
    for k, c in enumerate(classes):
        kind = "absorbing" if c.absorbing else "transient"
        mem = ", ".join(f"m{m + 1}" for m in c.members)
        large = ", ".join(f"m{m + 1}" for m in c.large)
        st.markdown(f"- G{k + 1} = {{{mem}}}: {kind}; large: {large}")
    st.success("Survive: " + ", ".join(f"m{m + 1}" for m in surviving), icon=":material/landscape:")


def reset_runs() -> None:
    """Forget simulations and studies of this session (the landscape changed)."""
    session.forget_runs()


# ---------------------------------------------------------------- messages


def exit_times_head() -> None:
    """The Exit times page's title and what it shows (1-D and 2-D)."""
    st.title("Exit times")
    st.caption(figures.md_escape(
        "How long do the iterates stay in one attraction field? The theory predicts "
        "E[exit time] ∝ (1/η)^β with β = α + (α−1)(l*−1): clipping makes wide fields "
        "(l* ≥ 2) hold much longer than narrow ones. This reproduces the paper's Fig. 4 on the "
        "current landscape."
    ))


def exit_study_inputs(etas_col, samples_col, etas_help: str) -> None:
    """The exit study's learning rates and samples (in their columns) and its step cap
    (below), bound to ``etas``, ``samples`` and ``ecap`` (1-D and 2-D)."""
    with etas_col:
        bind(st.text_input, "etas", "Learning rates η (comma separated)", help=etas_help)
    with samples_col:
        bind(st.number_input, "samples", "Samples per η", min_value=2, max_value=500, step=1)
    bind(st.number_input, "ecap", "Step cap per run (0 = auto: 25 × the theory's predicted mean)",
         min_value=0, max_value=exitrun.MAX_USER_CAP, step=1_000_000,
         help="A run that has not left the field after this many steps is censored. Auto sizes "
         "the cap for each η from the predicted mean exit time 1/(q λ(η)); without a prediction "
         f"(light tails) it is {exitrun.DEFAULT_CAP:,}.")  # fmt: skip


def _mark_exit_stopped() -> None:
    session.put(session.EXIT_STOPPED, True)


def exit_study_stop():
    """The exit page's Stop for a running study (1-D and 2-D): says a study stopped by the
    last click, and returns a slot holding a "Stop the study" button (empty it when the
    study ends). The click interrupts the running script at its next progress update."""
    if session.pop(session.EXIT_STOPPED, False):
        st.warning("The study was stopped; nothing of it was kept. Fewer samples or larger η "
                   "make it shorter.", icon=":material/stop_circle:")  # fmt: skip
    return st.empty()


def exit_stop_button(slot) -> None:
    """Draw the "Stop the study" button in ``slot`` (from :func:`exit_study_stop`)."""
    slot.button("Stop the study", key="exit_stop", on_click=_mark_exit_stopped, icon=":material/stop:")


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
        "pareto1": "tail index α (Pareto shape)",
        "student-t": "degrees of freedom (= tail index α)",
        "stable": "stability index α (1 < α < 2)",
    }.get(family, "tail index α (used for predictions)")


def dark_theme() -> bool:
    """True when the browser shows Streamlit's dark theme (figures that set their own
    text colours follow it)."""
    try:
        return st.context.theme.type == "dark"
    except AttributeError:  # a Streamlit without st.context.theme, or no browser (AppTest)
        return False


def plot(fig, key: str, **kwargs):
    """st.plotly_chart with the modebar's image export as PNG at 2x."""
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key},
    }
    return st.plotly_chart(fig, key=key, config=config, **kwargs)

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
    return st.session_state[S.PARAMS_KEY]


def bind(widget, name: str, label: str, *, on_change=None, **kwargs):
    """Draw ``widget(label, key=name, ...)`` showing the canonical value of ``name``.

    The widget key is refreshed from the params before every draw and the
    user's edits flow back through ``on_change`` (then the caller's own
    ``on_change``), so :func:`pages.state.write` is the only way a value changes.

    A number box gets no ``min_value``/``max_value`` (Streamlit's box would keep a value
    outside them, red, unapplied, while the page used the old one): the typed value is
    brought into the range here, with a notice naming the typed and the used value.
    """
    ss = st.session_state
    S.seed_widget(ss, name)
    lo = hi = None
    if widget is st.number_input:
        lo, hi = kwargs.pop("min_value", None), kwargs.pop("max_value", None)

    def changed() -> None:
        if widget is st.number_input:
            S.number_box_changed(ss, name, label, lo, hi)
        else:
            S.widget_changed(ss, name)
        if on_change is not None:
            on_change()

    return widget(label, key=name, on_change=changed, **kwargs)


def run_inputs(eta_col, paths_col, seed_col, every_col) -> None:
    """The live simulation's learning rate, path count, seed and recording step, one per
    column (the 1-D and 2-D pages lay their start inputs out between them)."""
    p = params()
    with eta_col:
        # log-scale choices, plus the exact eta of a shared link
        eta_options = sorted(set(S.ETA_CHOICES) | {float(p["eta"])})
        bind(st.select_slider, "eta", "Learning rate η", options=eta_options,
             format_func=lambda v: f"{v:g}", help="Log scale.")  # fmt: skip
    with paths_col:
        bind(st.number_input, "paths", "Paths", min_value=1, max_value=200, step=1)
    with seed_col:
        bind(st.number_input, "seed", "Seed", min_value=0, max_value=2**31 - 1, step=1)
    with every_col:
        bind(st.number_input, "every", "Every k-th", min_value=1, max_value=100000, step=50,
             help="Record every k-th iterate of each path.")  # fmt: skip


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


LAST_GOOD_KEY = "last_good_landscape"
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
    st.session_state[LAST_GOOD_KEY] = {k: p[k] for k in LANDSCAPE_PARAMS}
    return land, src, None


def landscape_dimension() -> int:
    """1 or 2: the dimension of the chosen landscape (1 while it is refused)."""
    land, _, err = current_landscape()
    return 1 if err is not None else int(land.dimension)


def restore_last_good() -> None:
    """Callback: go back to the last landscape of this session that was accepted."""
    good = st.session_state.get(LAST_GOOD_KEY) or {"mode": "preset"}
    for name, value in good.items():
        S.write(st.session_state, name, value)


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
    """Load a preset's defaults (L, b, eta, x0, noise) into the params."""
    pr = presets().get(key)
    if pr is None:
        return
    ss = st.session_state
    S.write(ss, "L", float(pr.L))
    if not math.isfinite(pr.b):
        S.write(ss, "clip", False)
    else:
        S.write(ss, "clip", True)
        S.write(ss, "b", float(pr.b))
    S.write(ss, "eta", S.snap_eta(float(pr.eta)))
    S.write(ss, "x0", float(pr.x0))
    y0 = getattr(pr, "y0", None)  # the start's y of a 2-D preset
    S.write(ss, "y0", float(y0) if y0 is not None else float(S.PARAMS["y0"].default))
    nd = pr.noise
    if nd.family in S.NOISE_FAMILIES:
        S.write(ss, "noise", nd.family)
    if nd.alpha is not None:
        S.write(ss, "alpha", float(nd.alpha))
    S.write(ss, "scale", float(nd.scale))
    S.write(ss, "bmax", max(float(S.PARAMS["bmin"].default) * 2, 2.0 * float(pr.L) + 0.1))
    S.write(ss, "bmin", float(S.PARAMS["bmin"].default))
    reset_runs()


def open_run(ensure_run, cfg, *args):
    """The session's live run for ``cfg`` (``simrun.ensure_run`` or
    ``simrun_plane.ensure_run``), saying when a reload resumed or lost it; a
    configuration the simulator refuses ends the page with its message."""
    ss = st.session_state
    try:
        run, how = ensure_run(ss, cfg, *args, token=str(params()["run"]))
    except ValueError as e:
        st.error(f"Cannot simulate with these settings: {e}", icon=":material/warning:")
        end_page()
    if how == "resumed":
        st.toast(f"Resumed the run after the reload ({run.steps_done:,} steps per path so far).",
                 icon=":material/replay:")  # fmt: skip
    elif how == "lost":
        st.info("The run this tab showed before the reload is no longer on the server (it was "
                "restarted, or many newer runs replaced it); this is a new run. Press Start.",
                icon=":material/info:")  # fmt: skip
    S.write(ss, "run", run.token)
    return run


def live_fragment(run, session_key: str, draw) -> None:
    """The live view of ``run`` (1-D or 2-D) as a fragment: ``draw(r)`` draws the view of
    the session's run ``st.session_state[session_key]``.

    While the run goes, the fragment reruns every ``livestream.SLOW_REFRESH`` seconds when
    the view follows the run's frames (``pages/livestream.py``), else at the run's planned
    interval; an error inside stops the run and is said. A run that stopped while the
    view followed its frames (Pause in another tab, an error in a frame) reruns the page.
    """
    from pages import livechart, livestream

    running_at_render = run.running
    if not run.running:
        interval = None
    elif livechart.stream_of(run) is not None:
        interval = livestream.SLOW_REFRESH  # the charts follow the run's frames in between
    else:
        interval = run.plan_interval()

    @st.fragment(run_every=interval)
    def live_view() -> None:
        r = st.session_state.get(session_key)
        if r is None:
            return
        if running_at_render and not r.running:
            st.rerun()
        try:
            draw(r)
        except Exception as err:  # noqa: BLE001 - stop the run, keep the data, say why
            r.running = False
            st.error(f"The live view stopped: {type(err).__name__}: {err}", icon=":material/error:")

    live_view()


def advance_in_page(r, stream, first_note: str) -> None:
    """Advance a running run from the page where no frame does it: without the frame route
    (``stream`` None), and the first chunk (kernels may load or compile; a spinner says
    ``first_note``). An error stops the run and reruns the page, which says it."""
    if not r.running or (stream is not None and r.steps_done > 0):
        return
    if r.steps_done == 0:
        with st.spinner(first_note):
            r.advance(r.chunk())
    else:
        r.advance(r.chunk())
    if r.error:
        r.running = False
        st.rerun()  # full rerun: switch the timer off


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
    for k in ("sim", "sim_running", "exit_result", "plane_sim", "plane_exit"):
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

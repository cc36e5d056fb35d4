"""SGD clip lab: the Streamlit entry point (`make run`).

Sets up navigation, loads the view parameters from the URL on a session's
first run, draws the widgets shared by all pages in the sidebar, runs the
chosen page, and writes the parameters back to the URL so a link reproduces
the view.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading

import streamlit as st


def _serve(argv: list[str]) -> int:
    """``python app.py [streamlit options]``: ``streamlit run serve.py`` (this app and the
    live views' frame route) without Streamlit's pages-directory mode (what ``make run``
    and the tests start).

    A ``pages/`` folder beside the main script makes the first script run after
    a server start use Streamlit's old pages-directory routing, which does not
    know this app's URL paths: the first visitor of a shared link such as
    ``/simulate?...`` got a "Page not found" dialog (RELIABILITY.md F7).
    ``st.navigation`` switches that mode off for good; here it is off from the
    start.
    """
    from streamlit.web import cli

    # Kernels specialised for a formula compile in a subprocess (30-60 s of one core): the
    # server never starts one because a session crossed the work threshold (Pause must
    # leave it idle; ten sessions must not queue compiles). The default preset's kernels
    # are built at install time (make warmup) and loaded at start.
    os.environ.setdefault("SIMULATE_SPECIALISE", "0")

    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
    except (ImportError, AttributeError):  # a Streamlit without the flag: nothing to do
        pass
    # serve.py is this app plus the live views' frame route (widgets/livestream.py)
    serve = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve.py")
    sys.argv = ["streamlit", "run", serve, *argv]
    return cli.main()


if __name__ == "__main__":
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:  # python app.py, not a script run
        sys.exit(_serve(sys.argv[1:]))

from dashboard import server_process
from dashboard import state as S
from widgets import session

# serve.py does this at server start; a script run without it (AppTest, `streamlit run
# app.py`) needs it as much: threads parse formulas while Streamlit parses page scripts (F18)
server_process.serialise_ast_parse()

st.set_page_config(page_title="SGD clip lab", page_icon=":material/content_cut:", layout="wide")

notices = session.init(st.query_params.to_dict())

# Room for the charts on a projector (1024x768): less padding above and beside the page,
# smaller headings, metrics that fit their column (issue 8.7).
st.html("""<style>
[data-testid="stMainBlockContainer"] {padding-top: 4.5rem; padding-left: 2rem; padding-right: 2rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 2.1rem; padding-top: 0.2rem; padding-bottom: 0.4rem;}
[data-testid="stMetricValue"] {font-size: 1.7rem;}
@media (max-width: 1100px), (max-height: 800px) {
  [data-testid="stMainBlockContainer"] {padding-top: 3.8rem; padding-left: 1rem; padding-right: 1rem;}
  [data-testid="stMainBlockContainer"] h1 {font-size: 1.6rem;}
  [data-testid="stMetricValue"] {font-size: 1.35rem;}
}
</style>""")


@st.cache_resource(show_spinner=False)
def _warm_kernels() -> threading.Thread | None:
    """Once per server process: compile/load the simulation kernels in the background,
    so the first Start or exit study does not wait for numba."""
    try:
        from simulate.warmup import warmup
    except ImportError:
        return None

    def run() -> None:
        try:
            warmup()
        except Exception:  # a failed warm-up only costs time later
            logging.getLogger("sgd-clip-lab").exception("kernel warm-up failed")

    t = threading.Thread(target=run, name="kernel-warmup", daemon=True)
    t.start()
    return t


_warm_kernels()


@st.cache_resource(show_spinner=False)
def _static_files() -> None:
    """Once per server process: Plotly.js for the live charts (widgets/livechart.py)."""
    from widgets import plotly_js

    plotly_js.ensure_plotly_js()


_static_files()

# One entry per URL; a page that draws f(x, y) its own way has a script per dimension, and
# the navigation lists those of the chosen landscape's dimension (widgets/navigation.py).
from widgets import navigation, ui  # imports landscape: after the first paint above

page = st.navigation(navigation.st_pages(ui.landscape_dimension()), position="sidebar", expanded=True)


def sidebar():
    from simulate.config import FAMILY_LABELS

    p = ui.params()
    with st.sidebar:
        st.markdown("### Shared settings")
        plane = ui.landscape_dimension() == 2  # f(x, y): L is the ball's radius R (same URL param)
        ui.bind(st.number_input, "L", "R (ball radius)" if plane else "Domain half-width L", min_value=0.05,
                max_value=50.0, step=0.1, format="%.3g",
                help="Iterates are kept in the ball |(x, y)| ≤ R." if plane else "Iterates are kept in [-L, L].")  # fmt: skip
        ui.bind(st.toggle, "clip", "Clip the gradient step (threshold b)",
                help="Off: plain heavy-tailed SGD (b = ∞).")  # fmt: skip
        # The slider spans [0.01, max(2, 2.2 L)], widened to include a b that came from a
        # link, so the link reproduces the view exactly (no silent clamping).
        b_now = float(p["b"])
        b_lo = min(0.01, b_now)
        b_hi = max(2.0, round(2.2 * float(p["L"]), 2), b_now)
        ui.bind(st.slider, "b", "Clipping threshold b", min_value=b_lo, max_value=b_hi,
                step=0.001, format="%.3f", disabled=not p["clip"],
                help="Largest step a single update may take. Sets l*_i = ceil(r_i / b).")  # fmt: skip
        ui.bind(st.selectbox, "noise", "Noise family", options=S.NOISE_FAMILIES, format_func=FAMILY_LABELS.get,
                help="Distribution of the gradient noise Z_n.")  # fmt: skip
        ui.bind(st.number_input, "alpha", ui.noise_alpha_label(p["noise"]), min_value=1.01,
                max_value=20.0, step=0.05, format="%.3g",
                help="Heavy-tail index α: also used for the predicted exponents.")  # fmt: skip
        ui.bind(st.number_input, "scale", "Noise scale", min_value=0.0, max_value=100.0,
                step=0.05, format="%.4g",
                help="Pareto: the paper's 0.1; Gaussian: σ; uniform: half-width.")  # fmt: skip
        # Filled after the page ran (see the end of this file), so it names what the page
        # shows, not what the previous run showed.
        return st.empty()


caption_box = sidebar()

for msg in notices:
    st.toast(msg, icon=":material/link:")

link_box = st.sidebar.container()

try:
    page.run()
except ui.EndPage:  # the page said what it could not show and ended early
    pass
except Exception as err:
    logging.getLogger("sgd-clip-lab").exception("page %s failed", page.title)
    st.error(
        f"Something went wrong on this page ({type(err).__name__}: {err}). Your settings are "
        "kept; change the last value you edited, or choose a preset on the Landscape page.",
        icon=":material/error:",
    )


def describe_view() -> None:
    """After the page: notices, the sidebar caption, the URL and the link box, all from the
    parameters as the page left them (so they describe what is on screen)."""
    params = session.params()
    for msg in session.pop_change_notices():
        st.toast(msg, icon=":material/info:")
    _, _, err = ui.current_landscape()
    bb = S.effective_b(params)
    with caption_box.container():
        st.caption(ui.landscape_caption(params, refused=err is not None))
        st.caption(f"Theory sees b = {'∞ (no clipping)' if math.isinf(bb) else f'{bb:.4g}'}, "
                   f"α = {params['alpha']:.3g}.")  # fmt: skip
    want = S.to_query(params)
    if st.query_params.to_dict() != want:  # only when it changed, to avoid extra traffic
        st.query_params.from_dict(want)
    with link_box:
        st.markdown("##### Link to this view")
        base = (st.context.url or "http://localhost:8501/").split("?")[0]
        st.code(S.share_url(base, params), language=None, wrap_lines=True)
        st.caption("Copy it with the icon in the box's corner; it reproduces this view.")


describe_view()

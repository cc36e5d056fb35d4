"""Streamlit glue of the live simulation pages (1-D and 2-D): the run's inputs, the
session's run, the live view as a fragment, and the first chunk advanced in the page."""

from __future__ import annotations

import streamlit as st

from dashboard import state as S
from widgets import session
from widgets.ui import bind, end_page, params


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


def open_run(ensure_run, cfg, *args):
    """The session's live run for ``cfg`` (``simrun.ensure_run`` or
    ``simrun_plane.ensure_run``), saying when a reload resumed or lost it; a
    configuration the simulator refuses ends the page with its message."""
    try:
        run, how = session.ensure_run(ensure_run, cfg, *args, token=str(params()["run"]))
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
    session.write("run", run.token)
    return run


def live_fragment(run, session_key: str, draw) -> None:
    """The live view of ``run`` (1-D or 2-D) as a fragment: ``draw(r)`` draws the view of
    the session's run under ``session_key`` (``widgets.session.RUN`` or ``PLANE_RUN``).

    While the run goes, the fragment reruns every ``livestream.SLOW_REFRESH`` seconds when
    the view follows the run's frames (``widgets/livestream.py``), else at the run's planned
    interval; an error inside stops the run and is said. A run that stopped while the
    view followed its frames (Pause in another tab, an error in a frame) reruns the page.
    """
    from widgets import livechart, livestream

    running_at_render = run.running
    if not run.running:
        interval = None
    elif livechart.stream_of(run) is not None:
        interval = livestream.SLOW_REFRESH  # the charts follow the run's frames in between
    else:
        interval = run.plan_interval()

    @st.fragment(run_every=interval)
    def live_view() -> None:
        r = session.get(session_key)
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

"""Change a running fragment's ``run_every`` timer from inside the fragment.

``st.fragment(run_every=...)`` sends the browser an ``auto_rerun`` message when the
decorator runs, i.e. on a full rerun only. A live view whose interval must follow the
server's load would need ``st.rerun()`` for that, and under load a session that did so
could lose its fragment timer for good (docs/RELIABILITY.md F13). The browser replaces a
fragment's timer whenever it receives an ``auto_rerun`` message with a new interval, so
the view sends that message itself. This uses Streamlit internals (checked with 1.67);
if they move, the view keeps the interval of its last full rerun.
"""

from __future__ import annotations

import time


def set_fragment_interval(seconds: float) -> bool:
    """Ask the browser to rerun the running fragment every ``seconds`` from now on.

    Returns
    -------
    bool
        False when not called inside a fragment run, or when this Streamlit version
        does not have the internals used (then nothing changes).
    """
    try:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            ThreadState,
            get_script_run_ctx,
        )
    except ImportError:
        return False
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return False
    try:
        fragment_id = ThreadState.get().fragment_id
    except RuntimeError:  # no script run on this thread
        return False
    if not fragment_id:
        return False
    msg = ForwardMsg()
    msg.auto_rerun.interval = float(seconds)
    msg.auto_rerun.fragment_id = fragment_id
    ctx.enqueue(msg)
    return True


def refresh_started() -> tuple[float, float]:
    """Mark the start of a live view's refresh: (wall clock, this thread's CPU clock)."""
    return time.perf_counter(), time.thread_time()


def refresh_done(run, started: tuple[float, float]) -> None:
    """End a live view's refresh: tell the run what it cost, and move the fragment's timer
    to the run's new interval if the server's load changed it.

    ``run`` is a ``dashboard.simrun.RefreshBudget`` (1-D or 2-D live run).
    """
    tick, cpu = time.perf_counter() - started[0], time.thread_time() - started[1]
    if run.running:
        run.note_tick(tick, cpu)
        new_interval = run.retime()
        if new_interval is not None:
            set_fragment_interval(new_interval)

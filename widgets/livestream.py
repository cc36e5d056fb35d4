"""Live frames over HTTP: a running view's charts and numbers without a script rerun.

A refresh of a live view used to be a rerun of its Streamlit fragment. Under load that was
the limit: the browser spent ~50 ms of Streamlit's own work on every fragment rerun before
drawing anything, and the server ran the page script (RELIABILITY.md F17). A running view
now fetches its frames from ``GET /_sgd/live/<run token>``: each request advances the run
by one chunk and answers with every live part of the view (the charts' figures, the
numbers, the refresh caption) as one JSON object, which the page's live components draw in
place (``widgets/livechart.py``). The fragment still reruns, slowly, for what is not live
(tables, downloads) and whenever a button changes the run.

The route is added by ``serve.py`` (``python app.py`` serves through it). Without it (a
plain ``streamlit run app.py``, or ``AppTest``) :func:`served` is False and the pages fall
back to refreshing through fragment reruns.

Streamlit-free: the route is a Starlette endpoint; a frame's parts come from the run's
``frame_parts`` callable, which the page sets from pure figure builders.
"""

from __future__ import annotations

import time

ROUTE = "/_sgd/live/{token}"
URL_PREFIX = "/_sgd/live/"  # what the page's components fetch, + the run's token
SLOW_REFRESH = 5.0  # seconds between fragment reruns of a streaming view (tables, captions)
_NO_STORE = {"Cache-Control": "no-store"}
_served = False

def served() -> bool:
    """True when this server process answers :data:`ROUTE` (started through ``serve.py``)."""
    return _served


def routes() -> list:
    """The Starlette routes of the live frames, for ``st.App(..., routes=...)``."""
    global _served
    from starlette.routing import Route

    _served = True
    return [Route(ROUTE, _endpoint, methods=["GET"])]


async def _endpoint(request):
    import anyio
    from starlette.responses import JSONResponse, Response

    from dashboard import simrun

    run = simrun.find_run(request.path_params["token"])
    if run is None or run.frame_parts is None:
        return JSONResponse({"running": False, "gone": True}, status_code=404, headers=_NO_STORE)
    body = await anyio.to_thread.run_sync(frame, run)
    return Response(body, media_type="application/json", headers=_NO_STORE)


def frame(run) -> bytes:
    """One live frame of ``run`` as JSON bytes: advance it by one chunk if it is running,
    then ``{"parts": {key: content}, "steps", "running", "error", "interval"}``.

    ``interval`` is when the browser should ask again: the server's refresh budget
    (``simrun.RefreshBudget.plan_interval``), so all live views together stay within
    their share of the server. An error stops the run and is said in the frame; the page
    then reruns and shows it.
    """
    import plotly.io.json

    wall, cpu = time.perf_counter(), time.thread_time()
    if run.running:
        try:
            run.advance(run.chunk())
        except Exception as err:  # noqa: BLE001 - stop the run, say why
            run.error = f"{type(err).__name__}: {err}"
        if run.error:
            run.running = False
    try:
        parts = run.frame_parts(run)
    except Exception as err:  # noqa: BLE001 - a figure that cannot be drawn stops the run
        run.running = False
        run.error = f"{type(err).__name__}: {err}"
        parts = {}
    if run.running:
        run.note_tick(time.perf_counter() - wall, time.thread_time() - cpu)
        run.plan_interval()
    body = {"parts": parts, "steps": int(run.steps_done), "running": bool(run.running),
            "error": run.error, "interval": float(run.interval)}  # fmt: skip
    return plotly.io.json.to_json_plotly(body).encode()

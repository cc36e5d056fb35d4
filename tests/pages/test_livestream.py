"""The live frames route (widgets/livestream.py): a running view's charts and numbers
without a script rerun."""

from __future__ import annotations

import asyncio
import functools
import json
import math
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

import landscape
from dashboard import simrun
from dashboard import state as S
from widgets import livestream


@pytest.fixture
def live_run(monkeypatch):
    """A 2-path live run on the paper's landscape, kept by the server, with the 1-D page's
    live parts as its frame builder."""
    from dashboard.figures import f_view_range
    from dashboard.liveparts import line_parts as live_parts

    monkeypatch.setattr(simrun, "_active_runs", {})
    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    p = S.defaults()
    p.update(paths=2)
    run, _ = simrun.ensure_run({}, simrun.config_from(p, "paper-fig2"), land, an.maxima)
    xs = np.linspace(-1.6, 1.6, 101)
    ys = np.array([float(land.f(x)) for x in xs])
    run.frame_parts = functools.partial(
        live_parts, xs=xs, ys=ys, maxima=tuple(an.maxima), L=1.6, f_range=f_view_range(ys, an, land.f),
        fields=[(fl.minimum, fl.sharp) for fl in an.fields])  # fmt: skip
    return run


def _frame(run) -> dict:
    return json.loads(livestream.frame(run))


def test_a_frame_advances_a_running_run_and_carries_every_live_part(live_run):
    live_run.running = True
    first = _frame(live_run)
    assert first["running"] and first["error"] is None
    assert first["steps"] == live_run.steps_done > 0
    assert set(first["parts"]) == {"live_metrics", "live_caption", "traj_chart", "hist_chart", "field_bars"}
    assert dict(first["parts"]["live_metrics"])["Steps per path"] == f"{first['steps']:,}"
    assert dict(first["parts"]["live_metrics"])["State"] == "running"
    assert first["interval"] in simrun.INTERVAL_LADDER
    shares = [share for _, share in first["parts"]["field_bars"]["rows"]]
    assert len(shares) == 4 and math.isclose(sum(shares), 1.0, rel_tol=1e-9)
    second = _frame(live_run)
    assert second["steps"] > first["steps"]  # each frame is one more chunk


def test_a_paused_run_is_drawn_but_not_advanced(live_run):
    live_run.running = True
    _frame(live_run)
    live_run.running = False
    a, b = _frame(live_run), _frame(live_run)
    assert a["steps"] == b["steps"] == live_run.steps_done
    assert not b["running"] and dict(b["parts"]["live_metrics"])["State"] == "paused"


def test_a_figure_that_fails_stops_the_run_and_says_why(live_run):
    live_run.running = True

    def broken(run):
        raise ValueError("no figure today")

    live_run.frame_parts = broken
    got = _frame(live_run)
    assert not got["running"] and not live_run.running
    assert got["error"] == "ValueError: no figure today" == live_run.error
    assert got["parts"] == {}


def test_a_failing_step_stops_the_run(live_run, monkeypatch):
    live_run.running = True

    def fails(steps):
        raise FloatingPointError("overflow")

    monkeypatch.setattr(live_run, "advance", fails)
    got = _frame(live_run)
    assert not got["running"] and got["error"] == "FloatingPointError: overflow"


def _get(token: str):
    """The route's answer for ``token`` (on a thread of its own: an earlier test of the
    session may leave an event loop running on this one)."""
    request = SimpleNamespace(path_params={"token": token})
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, livestream._endpoint(request)).result()


def test_the_route_answers_a_kept_run_and_refuses_any_other_token(live_run):
    live_run.running = True
    ok = _get(live_run.token)
    assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
    assert json.loads(ok.body)["steps"] > 0
    gone = _get("not-a-run")
    assert gone.status_code == 404 and json.loads(gone.body) == {"running": False, "gone": True}


def test_routes_switch_the_pages_to_frames():
    before = livestream._served
    try:
        livestream._served = False
        assert not livestream.served()
        (route,) = livestream.routes()
        assert route.path == livestream.ROUTE and livestream.served()
    finally:
        livestream._served = before

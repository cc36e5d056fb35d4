"""dashboard.simrun: live runs (memory, reloads, tokens) and the refresh and compute budget
shared by all live views of the server."""

from __future__ import annotations

import pytest

import landscape
from dashboard import state as S

# ------------------------------------------------------------------ live runs


def test_live_run_memory_is_bounded_and_config_change_restarts():
    from dashboard import simrun

    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    p = S.defaults()
    p.update(paths=3, every=1)
    session: dict = {}
    run, how = simrun.ensure_run(session, simrun.config_from(p, "paper-fig2"), land, an.maxima)
    assert how == "new"
    for _ in range(5):
        run.advance(3000)
    steps, X = run.sims["run"].trajectory()
    assert run.steps_done == 15000
    assert len(steps) <= 2000 and X.shape[0] == len(steps)  # bounded buffer
    assert "case,bin_left" in run.histogram_csv() and run.fractions_csv().count("\n") == 1 + 4
    run.running = True
    assert simrun.ensure_run(session, simrun.config_from(p, "paper-fig2"), land, an.maxima) == (run, "same")
    p["b"] = 0.3
    new, how = simrun.ensure_run(session, simrun.config_from(p, "paper-fig2"), land, an.maxima)
    assert how == "new" and new is not run and new.running and new.steps_done == 0


def test_a_reloaded_tab_finds_its_run_again():
    """A reload starts a new session; the URL's run token finds the run (issue 8.10)."""
    from dashboard import simrun

    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    p = S.defaults()
    p.update(paths=2)
    cfg = simrun.config_from(p, "paper-fig2")
    run, _ = simrun.ensure_run({}, cfg, land, an.maxima)
    run.advance(1000)
    again, how = simrun.ensure_run({}, cfg, land, an.maxima, token=run.token)
    assert how == "resumed" and again is run and again.steps_done == 1000
    other, how = simrun.ensure_run({}, cfg, land, an.maxima, token="no-such-run")
    assert how == "lost" and other is not run and other.steps_done == 0
    p["b"] = 0.3  # the reloaded URL asks for other settings: a new run
    _, how = simrun.ensure_run({}, simrun.config_from(p, "paper-fig2"), land, an.maxima, token=run.token)
    assert how == "lost"


def test_the_run_token_stays_out_of_share_links():
    p = S.defaults()
    p["run"] = "abc"
    assert S.to_query(p) == {"run": "abc"}
    assert S.share_url("http://h:1/", p) == "http://h:1/"


def _lone_live_run(monkeypatch, cost: float):
    """A 2-path live run on the paper's landscape, the only live run of the server, whose
    refreshes are measured to cost the server ``cost`` CPU seconds each."""
    from dashboard import simrun

    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    p = S.defaults()
    p.update(paths=2)
    monkeypatch.setattr(simrun, "_active_runs", {})
    monkeypatch.setattr(simrun, "_server_cost_per_refresh", lambda window=1.0: cost)
    run, _ = simrun.ensure_run({}, simrun.config_from(p, "paper-fig2"), land, an.maxima)
    return run


def test_refresh_interval_and_chunk_follow_the_server_load(monkeypatch):
    """All live views together may take TARGET_LOAD of a core: the timer interval is the
    live runs' summed refresh cost over TARGET_LOAD, on the ladder, bounded by MAX_TICK;
    the compute budget per tick is divided among live runs."""
    from dashboard import simrun

    run = _lone_live_run(monkeypatch, cost=0.01)
    run.note_tick(0.01, 0.01)
    assert run.plan_interval() == simrun.TICK            # alone and cheap: the fastest refresh
    first = run.chunk()
    run.advance(first)
    per_path_rate = run.steps_per_second / run.paths
    for k in range(19):                                   # 19 other sessions tick now
        simrun._note_active(10_000 + k, 0.05)
    total = 19 * 0.05 + run._cost
    expected = min(t for t in simrun.INTERVAL_LADDER if t >= total / simrun.TARGET_LOAD)
    assert run.plan_interval() == expected == 1.25
    run.note_tick(0.01)
    fair = per_path_rate * simrun.TICK_BUDGET / 20       # a twentieth of the budget
    assert run.chunk() == pytest.approx(max(simrun.MIN_CHUNK, min(4 * first, fair)), rel=0.01)
    run.note_tick(4.0)                                    # a very slow refresh
    assert run.plan_interval() == 2.5                     # at least 1.25 x half of it
    for _ in range(8):                                    # refreshes that stay that slow
        run.note_tick(4.0)
    assert run.plan_interval() == simrun.MAX_TICK


def test_one_slower_refresh_does_not_slow_a_lone_view(monkeypatch):
    """A lone view refreshing in ~45 ms keeps the 0.1 s interval through a 0.1 s refresh
    (the browser or the kernels' thread took the core for a moment): 8+ updates a second."""
    from dashboard import simrun

    run = _lone_live_run(monkeypatch, cost=0.045)
    for wall in (0.045, 0.05, 0.04, 0.11, 0.045):
        run.note_tick(wall)
        assert run.plan_interval() == simrun.TICK


def test_a_live_view_retimes_slower_at_once_and_faster_only_after_a_while(monkeypatch):
    """F17: views started while the server was quiet slow down when others start, without
    a rerun; they speed up again only after RETIME_DOWN_AFTER seconds (no oscillation)."""
    from dashboard import simrun

    run = _lone_live_run(monkeypatch, cost=0.01)
    run.note_tick(0.03, 0.03)
    assert run.plan_interval() == simrun.TICK
    assert run.retime(now=100.0) is None                  # nothing changed
    for k in range(9):                                     # nine more views start
        simrun._note_active(20_000 + k, 0.05)
    slower = run.retime(now=100.5)
    assert slower is not None and slower >= (9 * 0.05 + run._cost) / simrun.TARGET_LOAD
    assert run.interval == slower
    monkeypatch.setattr(simrun, "_active_runs", {})        # the others closed their tabs
    assert run.retime(now=101.0) is None and run.interval == slower   # not at once
    assert run.retime(now=100.5 + simrun.RETIME_DOWN_AFTER + 0.1) == simrun.TICK


def test_the_refresh_cost_is_the_whole_server_process_cpu_per_refresh(monkeypatch):
    """F17: the script thread sees a fifth of what a refresh costs the server; the cost
    is the process's CPU time over a window divided by the refreshes in it."""
    from dashboard import simrun

    clock = {"t": 0.0, "cpu": 0.0}
    monkeypatch.setattr(simrun.time, "monotonic", lambda: clock["t"])
    monkeypatch.setattr(simrun.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(simrun, "_server", {"time": 0.0, "cpu": 0.0, "ticks": 0, "cost": 0.05,
                                            "last": -1e9})
    clock["cpu"] = 30.0                  # before the first live refresh: not charged to them
    for _ in range(20):                  # 20 refreshes in 2 s, 1.2 s of CPU: 60 ms each
        clock["t"] += 0.1
        clock["cpu"] += 0.06
        cost = simrun._server_cost_per_refresh()
    assert cost == pytest.approx(0.06, rel=0.3)
    for _ in range(40):
        clock["t"] += 0.1
        clock["cpu"] += 0.06
        cost = simrun._server_cost_per_refresh()
    assert cost == pytest.approx(0.06, rel=0.05)
    clock["t"] += 60.0                   # a minute without live views, 20 s of other work
    clock["cpu"] += 20.0
    assert simrun._server_cost_per_refresh() == pytest.approx(cost)


def test_a_2d_live_run_is_the_same_live_run_with_plane_cases(monkeypatch):
    """A 2-D live view is a ``simrun.LiveRun`` whose runs are ``PlaneSimulation``s: it plans
    its interval, retimes and sizes its chunks with the 1-D rules, and advances; its
    results are the Run protocol's results (none before the first advance)."""
    from dashboard import simrun, simrun_plane
    from landscape.plane_analysis import analyze_plane
    from simulate.plane_run import PlaneSimulation
    from simulate.protocols import Run, RunResult

    land = landscape.load_landscape("himmelblau")
    an = analyze_plane(land, 6.0, 2.0, alpha=1.2)
    p = S.defaults()
    p.update(L=6.0, b=2.0, x0=2.9, y0=1.0, paths=2, eta=0.001, scale=0.75)
    monkeypatch.setattr(simrun, "_active_runs", {})
    monkeypatch.setattr(simrun, "_server_cost_per_refresh", lambda: 0.01)
    session = {}
    run, how = simrun_plane.ensure_run(session, simrun_plane.config_from(p, "himmelblau"), land, an)
    assert how == "new" and session == {simrun_plane.SESSION_KEY: run}
    assert isinstance(run, simrun.LiveRun) and type(run) is simrun_plane.PlaneLiveRun
    assert all(isinstance(s, PlaneSimulation) and isinstance(s, Run) for s in run.sims.values())
    assert run.results == {} and run.steps_done == 0
    run.advance(run.chunk())
    assert run.steps_done == simrun.FIRST_CHUNK
    (res,) = run.results.values()
    assert isinstance(res, RunResult) and res.dimension == 2 and res.steps_done == simrun.FIRST_CHUNK
    assert int(res.field_steps.sum()) == 2 * simrun.FIRST_CHUNK
    assert run.fractions_csv().count("\n") == 1 + len(res.field_steps)
    run.note_tick(0.02, 0.01)
    assert run.plan_interval() == simrun.TICK
    for k in range(9):
        simrun._note_active(30_000 + k, 0.05)
    assert run.retime(now=1e6) is not None and run.interval > simrun.TICK
    assert run.chunk() >= simrun.MIN_CHUNK
    # the 1-D page's ensure_run never hands out a 2-D run, even under its token
    one_d = simrun.ensure_run({}, simrun.config_from(S.defaults(), "paper-fig2"),
                              landscape.load_landscape("paper-fig2"), (), token=run.token)
    assert type(one_d[0]) is simrun.LiveRun and one_d[1] == "lost"


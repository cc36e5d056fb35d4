"""Unit tests of the dashboard's Streamlit-free helpers: URL state, figures, sketches."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import landscape
from dashboard import figures, figures_graph, figures_runs
from dashboard import state as S
from widgets import sketch

# ------------------------------------------------------------------ URL state


def test_defaults_round_trip_to_an_empty_query():
    assert S.to_query(S.defaults()) == {}
    params, notices = S.parse_query({})
    assert params == S.defaults() and notices == []


@pytest.mark.parametrize(
    "name, value",
    [("b", 0.37), ("L", 2.5), ("clip", False), ("noise", "student-t"), ("alpha", 1.7),
     ("eta", 0.0002), ("paths", 7), ("x0", -0.7), ("seed", 42), ("compare", True),
     ("etas", "0.1,0.01"), ("field", 3), ("mode", "formula")],
)  # fmt: skip
def test_each_parameter_round_trips_through_the_url(name, value):
    p = S.defaults()
    p[name] = value
    if name == "mode":
        p["formula"] = "x^2"
    q = S.to_query(p)
    back, notices = S.parse_query(q)
    assert notices == []
    assert back[name] == value


def test_formula_text_round_trips_with_special_characters():
    p = S.defaults()
    p.update(mode="formula", formula="(x^2 - 1)^2 + 0.3*x # ü & ?=")
    back, _ = S.parse_query(S.to_query(p))
    assert back["formula"] == p["formula"]


def test_text_of_unused_mode_is_not_in_the_link():
    p = S.defaults()
    p.update(formula="x^2", sketch="0,1;1,0;2,1")
    assert "formula" not in S.to_query(p) and "sketch" not in S.to_query(p)


@pytest.mark.parametrize(
    "query, name",
    [({"b": "banana"}, "b"), ({"b": "-1"}, "b"), ({"L": "inf"}, "L"), ({"paths": "1e9"}, "paths"),
     ({"noise": "cauchy"}, "noise"), ({"clip": "maybe"}, "clip"), ({"etas": "0.1,x"}, "etas"),
     ({"mode": "drawing"}, "mode")],
)  # fmt: skip
def test_bad_url_values_fall_back_with_a_notice(query, name):
    params, notices = S.parse_query(query)
    assert params[name] == S.PARAMS[name].default
    assert len(notices) == 1 and name in notices[0]


def test_repeated_query_keys_use_the_last_value():
    params, _ = S.parse_query({"b": ["0.3", "0.4"]})
    assert params["b"] == 0.4


@pytest.mark.parametrize(("query", "mode"), [
    ({"formula": "x^4-x^2"}, "formula"),  # a hand-written link names only the formula
    ({"sketch": "-1,1;0,0;1,1"}, "sketch"),
    ({"formula": "x^4-x^2", "mode": "preset"}, "preset"),  # a shared link says its mode
    ({"formula": ""}, "preset"),
])  # fmt: skip
def test_a_link_with_a_formula_and_no_mode_shows_the_formula(query, mode):
    params, notices = S.parse_query(query)
    assert params["mode"] == mode
    assert notices == []


def test_init_session_reads_the_url_once():
    session: dict = {}
    S.init_session(session, {"b": "0.3"})
    assert session["params"]["b"] == 0.3
    S.init_session(session, {"b": "0.9"})
    assert session["params"]["b"] == 0.3


def test_widget_seed_change_and_write():
    session = {"params": S.defaults()}
    S.seed_widget(session, "b")
    assert session["b"] == 0.5
    session["b"] = 0.7  # the user moves the slider
    S.widget_changed(session, "b")
    assert session["params"]["b"] == 0.7
    session["b"] = 0.01  # Streamlit re-created the widget at its default ...
    S.seed_widget(session, "b")  # ... the next draw puts the canonical value back
    assert session["b"] == 0.7
    S.write(session, "eta", 0.01)
    assert session["params"]["eta"] == 0.01
    assert "eta" not in session  # widget keys are only written when drawn


def test_adjust_names_old_and_new_value():
    session = {"params": S.defaults()}
    S.adjust(session, "x0", 1.0, "outside [-L, L] = [-1, 1]")
    assert session["params"]["x0"] == 1.0
    assert S.pop_change_notices(session) == [
        "x0 changed from 0.3 to 1: outside [-L, L] = [-1, 1]."]
    assert S.pop_change_notices(session) == []
    S.adjust(session, "x0", 1.0, "no change")
    assert S.pop_change_notices(session) == []


def test_write_refuses_unknown_names():
    with pytest.raises(KeyError):
        S.write({"params": S.defaults()}, "nope", 1)


def test_share_url():
    p = S.defaults()
    p["b"] = 0.4
    assert S.share_url("http://h:1/graph", p) == "http://h:1/graph?b=0.4"
    assert S.share_url("http://h:1/", S.defaults(), page="about") == "http://h:1/about"


def test_snap_eta_and_choices():
    assert S.snap_eta(0.001) == 0.001
    assert S.snap_eta(0.0011) == 0.001
    assert S.snap_eta(0.3) in S.ETA_CHOICES
    assert all(a < b for a, b in zip(S.ETA_CHOICES, S.ETA_CHOICES[1:]))


def test_effective_b():
    p = S.defaults()
    assert S.effective_b(p) == 0.5
    p["clip"] = False
    assert math.isinf(S.effective_b(p))


@pytest.mark.parametrize("text, ok", [("0.1, 0.03 0.01", [0.1, 0.03, 0.01]), ("1e-3;2e-3", [0.001, 0.002])])
def test_parse_float_list(text, ok):
    assert S.parse_float_list(text) == ok


@pytest.mark.parametrize("text", ["", "0.1, abc", "nan"])
def test_parse_float_list_rejects(text):
    with pytest.raises(ValueError):
        S.parse_float_list(text)


def test_sketch_string_round_trip():
    pts = [(-1.0, 1.0), (0.0, 0.0), (1.0, 0.5)]
    assert S.parse_sketch("sketch:" + S.format_sketch(pts)) == pts
    with pytest.raises(ValueError, match="point 2"):
        S.parse_sketch("0,1;oops;2,3")


# ------------------------------------------------------------------ sketches


def test_canvas_strokes_become_control_points():
    # a V drawn from the top left to the bottom middle to the top right
    w, h = sketch.CANVAS_W, sketch.CANVAS_H
    path = [["M", 0, 10]] + [["L", x, 10 + (h - 20) * (1 - abs(x - w / 2) / (w / 2))]
                             for x in np.linspace(0, w, 40)]
    pts = sketch.canvas_to_points({"objects": [{"type": "path", "path": path}]}, L=2.0)
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    assert xs[0] == -2.0 and xs[-1] == 2.0 and len(pts) == sketch.N_CONTROL
    assert ys[len(ys) // 2] < 0.1 and ys[0] > 0.9
    land = landscape.landscape_from_sketch(pts)
    assert land.kind == "sketch"


def test_empty_canvas_is_a_clear_error():
    with pytest.raises(ValueError, match="Nothing drawn"):
        sketch.canvas_to_points({"objects": []}, L=1.0)


def test_table_to_points_drops_blank_rows_and_sorts():
    df = pd.DataFrame({"x": [1.0, None, -1.0, 0.0], "y": [2.0, 3.0, 1.0, float("nan")]})
    assert sketch.table_to_points(df) == [(-1.0, 1.0), (1.0, 2.0)]


# ------------------------------------------------------------------ figures


@pytest.fixture(scope="module")
def fig2():
    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    xs, ys = figures.curve(land.f, 1.6)
    return land, an, xs, ys


def test_landscape_figure_marks_minima_and_fields(fig2):
    land, an, xs, ys = fig2
    fig = figures.landscape_figure(xs, ys, an, land.f, L=1.6)
    names = [t.name for t in fig.data]
    # b = 0.5: m2, m4 wide and surviving, m1, m3 sharp and eliminated (shape and verdict apart)
    assert names[1:3] == ["wide, survives", "sharp, eliminated"]
    assert fig.layout.legend.title.text == "minima (shape by r) at b = 0.5:"
    texts = [t for tr in fig.data if tr.text is not None for t in tr.text]
    assert {"m1", "m2", "m3", "m4", "s1", "s2", "s3"} <= set(texts)
    labels = [a.text for a in fig.layout.annotations]
    assert any("l*=2" in t for t in labels) and len(fig.layout.shapes) == 4


def test_landscape_y_range_keeps_wells_visible():
    land = landscape.load_landscape("paper-fig2-standin")  # its wall at +L dwarfs the wells
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    _xs, ys = figures.curve(land.f, 1.6)
    lo, hi = figures.f_view_range(ys, an, land.f)
    assert hi < np.nanmax(ys)  # the wall at +L is cut off
    assert lo < min(figures.critical_values(an, land.f))


def test_graph_figure_has_one_arrow_per_edge(fig2):
    land, an, xs, ys = fig2
    fig = figures_graph.graph_figure(xs, ys, an, land.f, L=1.6)
    assert len(fig.layout.annotations) == len(an.edges)
    assert "irreducible" in fig.layout.title.text


def test_sweep_figure_and_labels(fig2):
    land, _an, _xs, _ys = fig2
    ivs = landscape.sweep(land, 1.6, 0.1, 3.3)
    fig = figures_graph.sweep_figure(ivs, 4, 0.5)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (4, len(ivs))
    iv = next(i for i in ivs if i.b_low < 0.5 < i.b_high)
    assert "survive: m2, m4" in figures_graph.interval_label(iv)


def test_live_figures_are_bounded():
    steps = np.arange(2000) * 250
    X = np.random.default_rng(0).normal(size=(2000, 50))
    xs = np.linspace(-1, 1, 11)
    fig = figures_runs.trajectory_figure(steps, X, xs, xs**2, [0.0], L=1.0)
    assert len(fig.data) == 1 + 8
    assert all(len(t.x) <= 400 for t in fig.data[1:])
    h = figures_runs.histogram_figure(np.linspace(-1, 1, 5), np.array([1, 2, 3, 4]), xs, xs**2, [0.0])
    assert "10 steps" in h.layout.title.text


def test_formula_caret():
    assert figures.formula_caret("x^2 + * 3", 6) == "x^2 + * 3\n      ^"
    assert figures.formula_caret("abc", None) == "abc"


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


def test_fragment_timer_is_a_no_op_outside_a_fragment():
    from widgets import fragment_timer

    assert fragment_timer.set_fragment_interval(0.5) is False


def test_exit_study_result_is_stored_and_exported():
    from dashboard import exitrun

    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    cfg = exitrun.ExitConfig(source="paper-fig2", L=1.6, etas=(0.1, 0.05), noise="pareto",
                             alpha=1.2, scale=0.1, b=0.5, x0=-0.66, field=1, samples=3, seed=1)
    seen = []
    res = exitrun.run_study(cfg, land, an.maxima, lambda f, m: seen.append(f),
                            predicted_slope=1.4)
    assert seen and seen[-1] == pytest.approx(1.0)
    assert res.study.predicted_slope == pytest.approx(1.4)
    assert res.caps == [exitrun.DEFAULT_CAP] * 2  # no prediction given: the default cap
    assert exitrun.lookup(cfg) is res
    assert res.csv().count("\n") == 1 + 2 * 3
    assert set(res.destinations) <= {0, 2}  # edges of m2 go to m1 and m3

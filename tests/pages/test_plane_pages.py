"""AppTest for the dashboard on a 2-D landscape (issue 11): the paper's modified Himmelblau
preset chosen as a user does (the preset list), every page rendered, each setting moving
only itself."""

from __future__ import annotations

import pytest

from dashboard import state as S
from landscape.plane_presets import ALL_PRESETS
from tests.support.apptest_pages import PAGES, PRESET, open_page, open_plane, texts
from tests.support.live_parts import live_steps

pytestmark = pytest.mark.timeout(300)

def params(at) -> dict:
    return dict(at.session_state["params"])


def test_the_preset_loads_its_settings_and_the_sidebar_says_R():
    at = open_plane()
    p, pr = params(at), ALL_PRESETS[PRESET]
    assert (p["L"], p["b"], p["x0"], p["y0"]) == pytest.approx((pr.L, pr.b, pr.x0, pr.y0))
    assert at.number_input(key="L").label == "R (ball radius)"
    # the link names the preset only: its own settings are what a link leaves out
    assert dict(at.query_params) == {"preset": PRESET}
    shown, _ = S.parse_query(at.query_params)
    assert (shown["L"], shown["y0"]) == (pr.L, pr.y0)
    at = open_page()
    assert at.number_input(key="L").label == "Domain half-width L"  # 1-D as before


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception_or_error_box(page):
    at = open_plane(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "Something went wrong" not in texts(at)


def test_landscape_page_shows_four_fields_with_the_papers_jump_numbers():
    at = open_plane()
    body = texts(at)
    assert "4 minimiser sets" in body, body
    table = next(d.value for d in at.dataframe if "minimiser" in d.value.columns)
    assert sorted(table["l*"]) == [1, 1, 2, 2]  # l*_1 = l*_2 = 2 > l*_3 = l*_4 = 1 at b = 2.15
    assert set(table["shape"]) <= {"wide", "sharp"}
    assert set(table["at this b"]) <= {"survives", "eliminated"}
    assert any("In short" in i.value for i in at.info)


@pytest.mark.parametrize(("widget", "kind", "value", "url"), [
    ("L", "number_input", 4.0, "4"),
    ("b", "slider", 1.5, "1.5"),
    ("alpha", "number_input", 1.5, "1.5"),
])  # fmt: skip
def test_each_sidebar_setting_changes_only_itself(widget, kind, value, url):
    at = open_plane()
    before = params(at)
    getattr(at, kind)(key=widget).set_value(value).run()
    assert not at.exception and not at.error
    after = params(at)
    assert {k for k in before if before[k] != after[k]} == {widget}
    assert at.query_params.get(widget) == url
    assert at.number_input(key="L").label == "R (ball radius)"


def test_start_y_changes_only_itself_on_the_simulation_page():
    at = open_plane("pages/simulation_page.py")
    before = params(at)
    at.number_input(key="y0").set_value(-1.5).run()
    assert not at.exception and not at.error
    after = params(at)
    assert {k for k in before if before[k] != after[k]} - {"run"} == {"y0"}  # run: the live run's token
    assert at.query_params.get("y0") == "-1.5"


def test_a_start_outside_the_ball_is_moved_onto_its_edge_with_a_notice():
    at = open_plane("pages/simulation_page.py")
    R = ALL_PRESETS[PRESET].L
    at.number_input(key="x0").set_value(R).run()
    at.number_input(key="y0").set_value(R).run()  # (R, R): outside the ball
    assert not at.exception
    x0, y0 = params(at)["x0"], params(at)["y0"]
    assert (x0**2 + y0**2) ** 0.5 == pytest.approx(R, abs=1e-3)
    assert any("the start must lie in the ball" in t.value for t in at.toast), [t.value for t in at.toast]


def test_graph_page_draws_the_graph_of_the_shared_code():
    at = open_plane("pages/graph_page.py")
    body = texts(at)
    assert "absorbing" in body and "Survive:" in body
    assert any(d.value.shape == (4, 4) for d in at.dataframe)  # l_{i,j}


def test_simulation_step_runs_the_2d_kernel():
    at = open_plane("pages/simulation_page.py", query={"paths": "3"})
    at.button(key="sim_step").click().run(timeout=240)
    assert not at.exception and not at.error

    assert live_steps(at) > 0
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Time per field (CSV)" in labels
    at.toggle(key="compare").set_value(True).run()
    at.button(key="sim_step").click().run(timeout=240)
    assert not at.exception and not at.error
    cases = list(next(d.value for d in at.dataframe if "case" in d.value.columns)["case"])
    assert cases == ["clipped", "unclipped"]


def test_one_d_presets_still_work_after_a_2d_one():
    at = open_plane()
    at.selectbox(key="preset").set_value("paper-fig2").run()
    assert not at.exception and not at.error
    assert at.number_input(key="L").label == "Domain half-width L"
    assert "Assumption 1 holds" in texts(at)
    assert "y0" not in at.query_params  # back at its default


def test_exit_study_on_a_narrow_field_fits_a_slope():
    at = open_plane("pages/exit_page.py", query={"etas": "0.1,0.05", "samples": "4"})
    narrow = next(i for i, fl in enumerate(current_analysis(at).fields) if fl.l_star == 1)
    at.selectbox(key="field").set_value(narrow + 1).run()
    at.button(key="exit_run").click().run(timeout=240)
    assert not at.exception and not at.error
    metrics = {m.label.split(" (")[0]: m.value for m in at.metric}
    assert metrics["Predicted slope"] == "1.20"  # beta = alpha for l* = 1
    assert metrics["Fitted slope"] != "—"
    table = next(d.value for d in at.dataframe if "mean exit time" in d.value.columns)
    assert list(table["samples"]) == [4, 4]


def current_analysis(at):
    from landscape.plane_analysis import analyze_plane
    from landscape.sources import load_landscape

    p = params(at)
    return analyze_plane(load_landscape(ALL_PRESETS[PRESET].source), p["L"], p["b"], p["alpha"])


def test_a_typed_formula_in_x_and_y_is_two_dimensional():
    at = open_page(None, {"L": "2"})
    at.segmented_control(key="mode").set_value("formula").run()
    at.text_area(key="formula").input("(x^2 - 1)^2 + 0.3*x + y^2").run()
    assert not at.exception and not at.error
    assert at.number_input(key="L").label == "R (ball radius)"
    table = next(d.value for d in at.dataframe if "minimiser" in d.value.columns)
    assert len(table) == 2  # the two wells of the double well, at y = 0
    assert any("f(x, y) = (x^2 - 1)^2" in c.value for c in at.sidebar.caption)
    at.text_area(key="formula").input("(x^2 - 1)^2 + 0.3*x").run()  # back to 1-D
    assert not at.exception and not at.error
    assert at.number_input(key="L").label == "Domain half-width L"


def test_a_lone_field_has_no_width_and_a_wall_point_is_named_as_such():
    """Himmelblau at R = 1.6 (every real minimum outside the ball): one field whose
    minimiser is a wall point; nothing to escape to, so r and l* are empty, never
    'r = inf, l* = 0', and the point is not called a wide minimum."""
    import math

    import landscape
    from widgets import plane_ui

    analysis = landscape.analyze_plane(landscape.load_landscape("(x^2+y-11)^2+(x+y^2-7)^2"), 1.6, 1.0)
    (row,) = plane_ui.fields_table(analysis, 1.2)
    assert row["r"] is None and row["l*"] is None and row["β"] is None
    assert row["shape"] == "wall point"
    bowl = landscape.analyze_plane(landscape.load_landscape("x^2 + y^2"), 1.0, 1.0)
    (row,) = plane_ui.fields_table(bowl, 1.2)
    assert row["shape"] == "wide" and row["r"] is None and not math.isinf(row["f"])

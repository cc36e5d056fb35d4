"""AppTest (streamlit.testing.v1) for every page of the dashboard.

Each test starts from the entry point app.py (st.navigation) and switches
to a page with AppTest.switch_page, as the Streamlit docs recommend.
Widgets are found by key.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support.apptest_pages import PAGES, frame_with, open_page, texts
from tests.support.live_parts import live_metric, live_part, live_steps

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_defaults_without_exception(page):
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_shared_widgets_found_by_key():
    at = open_page()
    assert at.number_input(key="L").value == pytest.approx(1.6)
    assert at.slider(key="b").value == pytest.approx(0.5)
    assert at.toggle(key="clip").value is True
    assert at.selectbox(key="noise").value == "pareto"
    assert at.number_input(key="alpha").value == pytest.approx(1.2)
    assert at.selectbox(key="preset").value == "paper-fig2"


def test_default_landscape_is_paper_fig2():
    at = open_page()
    body = texts(at)
    assert "Assumption 1 holds" in body
    assert "4 non-degenerate minima" in body
    df = at.dataframe[0].value
    assert list(df["shape"]) == ["sharp", "wide", "sharp", "wide"]  # by r (issue 21.2)
    assert list(df["at this b"]) == ["eliminated", "survives", "eliminated", "survives"]
    assert list(df["l*"]) == [1, 2, 1, 2]


def test_bad_formula_shows_message_not_exception():
    at = open_page()
    at.segmented_control(key="mode").set_value("formula").run()
    at.text_area(key="formula").input("x^2 + * 3").run()
    assert not at.exception
    errs = [e.value for e in at.error]
    assert any("cannot be used" in e for e in errs), errs
    # the caret line points under the bad character
    code = [c.value for c in at.code]
    assert any(c.splitlines()[-1].strip() == "^" for c in code if "\n" in c), code
    # nothing of another landscape stays beside the refused one (issue 8.3) ...
    assert len(at.dataframe) == 0
    assert not at.success
    assert not any("In short" in i.value for i in at.info)
    # ... the sidebar says the formula is refused, and one click goes back
    assert any("refused" in c.value for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]
    at.button(key="restore_landscape").click().run()
    assert not at.exception
    assert at.session_state["params"]["formula"] != "x^2 + * 3"  # the last accepted text
    assert not at.error
    assert len(at.dataframe) >= 1


def test_good_formula_changes_critical_points():
    at = open_page()
    at.segmented_control(key="mode").set_value("formula").run()
    at.text_area(key="formula").input("(x^2 - 1)^2 + 0.3*x").run()
    assert not at.exception and not at.error
    assert "2 non-degenerate minima" in texts(at)
    assert at.query_params.get("formula") == "(x^2 - 1)^2 + 0.3*x"


def test_broken_assumption_preset_is_explained():
    at = open_page(query={"preset": "broken-assumption"})
    assert not at.exception
    assert "Assumption 1 fails" in texts(at)
    at.switch_page("pages/graph_page.py").run()
    assert not at.exception
    assert "no typical transition graph" in texts(at)


def test_changing_b_changes_the_graph():
    at = open_page("pages/graph_page.py")
    before = texts(at)
    assert "G1 = {m1, m2, m3, m4}: absorbing" in before
    at.slider(key="b").set_value(0.3).run()
    assert not at.exception
    after = texts(at)
    assert after != before
    assert at.query_params.get("b") == "0.3"


def test_paper_fig3_structure_at_b_0_4():
    at = open_page("pages/graph_page.py", query={"preset": "paper-fig3", "b": "0.4"})
    assert not at.exception
    body = texts(at)
    assert "G1 = {m1, m2}: absorbing" in body
    assert "G2 = {m3}: transient" in body


def test_clipping_off_is_reflected():
    at = open_page("pages/graph_page.py")
    at.toggle(key="clip").set_value(False).run()
    assert not at.exception
    assert at.query_params.get("clip") == "0"
    assert "∞" in texts(at)


def test_sweep_jump_moves_b_into_interval():
    at = open_page("pages/graph_page.py")
    sb = at.selectbox(key="sweep_pick")
    options = sb.options
    bounds = [tuple(float(v) for v in o.split("(")[1].split(")")[0].split(",")) for o in options]
    k = next(i for i, (lo, hi) in enumerate(bounds) if lo > 0.6)  # an interval away from b = 0.5
    sb.set_value(options[k]).run()
    assert not at.exception
    b = at.slider(key="b").value
    assert bounds[k][0] < b < bounds[k][1]


def test_url_parameters_seed_the_view():
    at = open_page("pages/simulation_page.py", query={"eta": "0.01", "paths": "5", "x0": "-0.7"})
    assert not at.exception
    assert at.select_slider(key="eta").value == pytest.approx(0.01)
    assert at.number_input(key="paths").value == 5
    assert at.number_input(key="x0").value == pytest.approx(-0.7)


def test_bad_url_parameters_fall_back_to_defaults():
    at = open_page(query={"b": "banana", "L": "-3", "noise": "cauchy"})
    assert not at.exception
    assert at.slider(key="b").value == pytest.approx(0.5)
    assert at.number_input(key="L").value == pytest.approx(1.6)
    assert at.selectbox(key="noise").value == "pareto"


def test_simulation_step_start_pause_reset():
    at = open_page("pages/simulation_page.py")
    for key in ("eta", "paths", "seed", "x0", "every", "compare"):
        assert at.session_state[key] is not None
    at.button(key="sim_step").click().run()
    assert not at.exception

    def metric(label):
        return live_metric(at, label)

    s1 = live_steps(at)
    assert s1 > 0
    at.button(key="sim_start").click().run()
    assert metric("State") == "running"
    at.run()  # one more tick
    s2 = live_steps(at)
    assert s2 > s1
    at.button(key="sim_pause").click().run()
    assert metric("State") == "paused"
    s3 = live_steps(at)
    at.run()
    assert live_steps(at) == s3
    labels = [d.proto.label for d in at.get("download_button")]
    assert "Histogram (CSV)" in labels and "Time fractions (CSV)" in labels
    at.button(key="sim_reset").click().run()
    assert metric("Steps per path") == "0"


def test_compare_mode_runs_four_cases():
    at = open_page("pages/simulation_page.py", query={"paths": "2"})
    at.toggle(key="compare").set_value(True).run()
    at.button(key="sim_step").click().run()
    assert not at.exception
    cases = list(at.dataframe[-1].value["case"])
    assert cases[:4] == ["heavy-clipped", "heavy-unclipped", "light-clipped", "light-unclipped"]
    assert cases[4:] == ["theory: heavy-unclipped (η → 0)"]
    # the live chart's four panels label the minima m1..m4 (issue 8.11)
    layout = live_part(at, "compare_chart")["content"]["layout"]
    labels = {a["text"] for a in layout.get("annotations", [])}
    assert {"m1", "m2", "m3", "m4"} <= labels, labels


def test_exit_study_runs_and_shows_slopes():
    at = open_page("pages/exit_page.py", query={"etas": "0.1,0.03", "samples": "4"})
    assert not at.exception
    assert at.selectbox(key="field").value == 2
    at.button(key="exit_run").click().run(timeout=120)
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Fitted slope" in labels and "Predicted slope" in labels
    pred = next(m.value for m in at.metric if m.label == "Predicted slope")
    assert pred == "1.40"


def test_exit_page_rejects_bad_eta_list():
    at = open_page("pages/exit_page.py")
    at.text_input(key="etas").input("0.1, fast").run()
    assert not at.exception
    assert any("Learning rates" in e.value for e in at.error)


def test_about_page_cites_the_papers():
    at = open_page("pages/about_page.py")
    body = texts(at)
    assert "Eliminating Sharp Minima from SGD with Truncated" in body
    assert "Kleinberg" in body and "2510.20905" in body
    assert len(at.get("latex")) >= 5


def test_linked_values_outside_the_widget_grids_are_kept_exactly():
    at = open_page("pages/simulation_page.py", query={"b": "0.001", "eta": "0.0011", "L": "1"})
    assert not at.exception
    assert at.slider(key="b").value == pytest.approx(0.001)
    assert at.select_slider(key="eta").value == pytest.approx(0.0011)
    assert at.query_params.get("b") == "0.001" and at.query_params.get("eta") == "0.0011"


def test_start_point_outside_the_domain_is_clamped_with_a_notice():
    at = open_page("pages/simulation_page.py", query={"x0": "5"})
    assert not at.exception
    assert at.number_input(key="x0").value == pytest.approx(1.6)
    assert any("x0 changed from 5 to 1.6" in t.value for t in at.toast), [t.value for t in at.toast]


def test_exit_study_with_unclipped_reference():
    at = open_page("pages/exit_page.py", query={"etas": "0.1,0.05", "samples": "3", "eboth": "1"})
    assert at.checkbox(key="eboth").value is True
    at.button(key="exit_run").click().run(timeout=120)
    assert not at.exception and not at.error
    assert any("Without clipping" in c.value for c in at.caption)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t["name"] for t in spec["data"]]
    assert any(n.startswith("no clipping: predicted slope 1.20") for n in names), names


# ------------------------------------------------------------ the theory's numbers (issue 10)


def test_graph_page_recommends_b_and_warns_when_a_wide_minimum_is_lost():
    at = open_page("pages/graph_page.py", query={"preset": "paper-fig2-standin", "b": "0.35"})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("m4 is lost" in w for w in warnings), warnings
    assert any("Recommended: **b = 0.5**" in s.value for s in at.success)
    assert len(frame_with(at, "b from")) >= 1
    at.button(key="use_recommended_b").click().run()
    assert not at.exception
    assert at.slider(key="b").value == pytest.approx(0.5)
    assert not any("is lost" in w.value for w in at.warning)
    assert any("c = b/η = 500" in c.value for c in at.caption)


def test_live_run_shows_the_theorys_share_beside_the_measured_one():
    at = open_page("pages/simulation_page.py", query={"paths": "3"})
    at.button(key="sim_step").click().run()
    assert not at.exception
    table = frame_with(at, "η → 0")
    assert list(table["field"]) == ["Ω1", "Ω2", "Ω3", "Ω4"]
    shares = [float(table["η → 0"][i].rstrip("%")) for i in (1, 3)]  # the wide minima m2, m4
    assert sum(shares) == pytest.approx(100, abs=0.2)  # x0 = 0.3 lies in an absorbing class
    finite = [float(v.rstrip("%")) for v in table["at this η"]]
    assert sum(finite) == pytest.approx(100, abs=0.3)  # e^{Qt} over the run: a law over all fields


def test_compare_mode_shows_the_unclipped_stationary_law():
    at = open_page("pages/simulation_page.py", query={"paths": "2", "compare": "1"})
    at.button(key="sim_step").click().run()
    assert not at.exception
    table = frame_with(at, "case")
    theory = table[table["case"].str.startswith("theory")]
    assert len(theory) == 1
    law = [float(theory[f"Ω{i}"].iloc[0].rstrip("%")) for i in range(1, 5)]
    assert sum(law) == pytest.approx(100, abs=0.3)


def test_smoothing_view_needs_clipping_for_heavy_noise():
    at = open_page()
    assert not at.exception
    assert any("W = φ_b(η Z)" in c.value for c in at.caption)
    at = open_page(query={"clip": "0"})
    assert any("No smoothed loss" in i.value for i in at.info)


def test_theorem2_table_matches_theory_md():
    """THEORY.md 9: stand-in, b = 0.5, eta = 1e-3: predicted share in small fields 0.55%."""
    at = open_page("pages/graph_page.py", query={"preset": "paper-fig2-standin"})
    table = frame_with(at, "share of steps in small fields")
    row = table[np.isclose(table["η"], 1e-3)]
    assert float(row["share of steps in small fields"].iloc[0].rstrip("%")) == pytest.approx(0.55, abs=0.01)
    shares = [float(v.rstrip("%")) for v in table["share of steps in small fields"]]
    assert shares == sorted(shares, reverse=True)  # falls as eta falls

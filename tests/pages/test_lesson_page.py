"""The lesson (issue 20): its steps (pure) and the page under AppTest.

Browser walk, presenter mode and exports: tests/browser/test_browser_lesson.py.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscape
from dashboard import lesson_runs, slides
from dashboard import lesson_steps as LS
from dashboard import state as S

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/lesson_page.py"
pytestmark = pytest.mark.timeout(180)


# ---------------------------------------------------------------- the steps (pure)
def test_lesson_has_the_papers_story_in_six_steps():
    assert [s.key for s in LS.STEPS] == ["minima", "light", "heavy", "clip", "chain", "choose_b"]
    for s in LS.STEPS:
        assert s.title and s.formula and s.look_for and "?" in s.question
        sentences = [t for t in re.split(r"(?<=[.!?])\s+", s.script) if t]
        assert 3 <= len(sentences) <= 5, (s.key, len(sentences))
        if s.predict is not None:
            assert len(s.predict.values) == len(s.predict.choices)
    assert [s.key for s in LS.STEPS if s.has_2d] == ["minima", "chain", "choose_b"]


@pytest.mark.parametrize("number", range(1, 7))
def test_every_steps_settings_are_valid_view_parameters(number):
    for dim in (1, 2) if LS.step_at(number).has_2d else (1,):
        params = LS.step_at(number).params(dim)
        assert set(params) <= set(S.PARAMS)
        for name, value in params.items():  # what a link carries must parse back to the same value
            assert S.PARAMS[name].parse(S.PARAMS[name].format(value)) == value, name


def test_step_numbers_are_clamped():
    assert LS.clamp_step(0) == 1 and LS.clamp_step(99) == LS.step_count()
    assert LS.step_at(4).key == "clip"


def test_reveals_without_runs_give_the_papers_answers():
    """Fig. 3 at b = 0.4: {m1, m2} absorbing, {m3} transient, m2 survives (THEORY §4);
    Fig. 2 at b = 0.5: r_2 = 0.601, l*_2 = 2 (THEORY §6)."""
    step = LS.step_at(6)
    params = step.params(1)
    an = landscape.analyze(landscape.load_landscape(params["preset"]), params["L"], params["b"], 1.2)
    r = lesson_runs.reveal_survive(an, step.predict)
    assert step.predict.choices[r.answer] == "m₂ only"
    an2 = landscape.analyze(landscape.load_landscape("paper-fig2"), 1.6, 0.5, 1.2)
    r = lesson_runs.reveal_jumps(an2, LS.step_at(1).predict)
    assert LS.step_at(1).predict.choices[r.answer] == "2" and "0.601" in r.theory


def test_animation_file_has_frames_settings_and_inlined_plotly():
    snaps = [{"data": [{"type": "scatter", "x": [0, 1], "y": [k, k]}, {"type": "scatter", "x": [0], "y": [0]}],
              "layout": {"title": {"text": f"t{k}"}}} for k in range(3)]
    fig = slides.animated_figure(snaps, ["1", "2", "3"])
    assert [f["traces"] for f in fig["frames"]] == [[0]] * 3  # the still trace is sent once
    page = slides.animation_html(fig, title="run", settings={"eta": 0.001, "b": "<0.5>"})
    assert "&lt;0.5&gt;" in page and len(page) > 3_000_000  # Plotly.js inlined
    assert not re.search(r"<script[^>]*\bsrc=", page)  # nothing fetched: plays offline
    blob = re.search(r'<script type="application/json" id="settings">(.*?)</script>', page).group(1)
    assert json.loads(blob) == {"eta": 0.001, "b": "<0.5>"}
    assert "Plotly.addFrames" in page and page.count('"traces":[0]') == 3  # three frames


def test_slide_figure_is_1920_wide_with_large_type():
    fig = {"data": [{"type": "scatter", "x": [0, 1], "y": [0, 1], "line": {"width": 1}}],
           "layout": {"xaxis": {"title": {"text": "x"}}, "annotations": [{"text": "m1", "font": {"size": 11}}]}}
    out = slides.slide_figure(fig)
    assert out["layout"]["width"] == 1920 and out["layout"]["font"]["size"] >= 28
    assert out["layout"]["xaxis"]["title"]["font"]["size"] >= 28
    assert out["layout"]["annotations"][0]["font"]["size"] >= 22
    assert out["data"][0]["line"]["width"] == 2 and fig["data"][0]["line"]["width"] == 1  # input unchanged


def test_side_by_side_keeps_every_trace_on_its_own_axes():
    left = {"data": [{"x": [0], "y": [0]}, {"x": [0], "y": [0], "xaxis": "x2"}],
            "layout": {"xaxis": {"domain": [0, 0.2]}, "xaxis2": {"domain": [0.2, 1], "anchor": "y"}}}
    right = {"data": [{"x": [0], "y": [0]}, {"x": [0], "y": [0], "yaxis": "y2"}],
             "layout": {"yaxis2": {"overlaying": "y", "side": "right"},
                        "shapes": [{"xref": "x", "yref": "paper", "x0": 0, "x1": 0}]}}
    out = slides.side_by_side(left, right, split=0.5, gap=0.1)
    assert [(t.get("xaxis", "x"), t.get("yaxis", "y")) for t in out["data"]] == [
        ("x", "y"), ("x2", "y"), ("x3", "y2"), ("x3", "y3")]
    assert out["layout"]["xaxis3"]["domain"] == [0.6, 1.0] and out["layout"]["xaxis2"]["domain"] == [0.1, 0.5]
    assert out["layout"]["yaxis3"]["overlaying"] == "y2" and out["layout"]["yaxis2"]["anchor"] == "x3"
    assert out["layout"]["shapes"][0]["xref"] == "x3"


# ---------------------------------------------------------------- the page (AppTest)
def open_lesson(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    at.switch_page(PAGE).run()
    return at


def test_lesson_page_sets_each_steps_state_with_next_and_back():
    at = open_lesson()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["params"]["step"] == 1
    seen = []
    for number in range(1, LS.step_count() + 1):
        params = at.session_state["params"]
        want = LS.step_at(number).params(1)
        assert {k: params[k] for k in want} == want, number
        assert at.title[0].value.startswith(f"{number}. ")
        assert not at.exception and not at.error, (number, [e.value for e in at.error])
        seen.append(params["preset"])
        if number < LS.step_count():
            at.button(key="lesson_next").click().run()
    assert at.button(key="lesson_next").disabled
    at.button(key="lesson_back").click().run()
    assert at.session_state["params"]["step"] == LS.step_count() - 1
    assert at.session_state["params"]["compare"] is True  # step 5's four cases
    assert seen[-1] == "paper-fig3"


def test_a_link_opens_the_class_on_step_4_and_the_prediction_is_revealed():
    at = open_lesson({"step": "4"})
    assert at.session_state["params"]["step"] == 4 and at.session_state["params"]["clip"] is True
    assert at.session_state["params"]["b"] == 0.5 and at.session_state["params"]["eboth"] is True
    at.button(key="lesson_choice_1").click().run()  # "2α − 1 = 1.4"
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.markdown) + "\n".join(s.value for s in at.success)
    assert "2α − 1 = 1.4" in text and "fitted slope" in text
    slope = float(re.search(r"fitted slope \*\*([0-9.]+)\*\*", text).group(1))
    assert slope == pytest.approx(1.4, abs=0.15)  # THEORY §6: Fig. 4, clipped slope 2α − 1
    assert at.session_state["lesson_chosen"][("clip", 1)] == 1


def test_2d_step_uses_the_papers_fig3_landscape():
    at = open_lesson({"step": "6", "preset": "paper-himmelblau"})
    assert not at.exception, [e.value for e in at.exception]
    params = at.session_state["params"]
    assert params["preset"] == "paper-himmelblau" and params["b"] == pytest.approx(2.15)
    at.button(key="lesson_choice_0").click().run()  # "Ω₁ and Ω₂"
    assert not at.exception
    assert any("survive" in m.value and "Ω1, Ω2" in m.value for m in at.markdown)
    assert all(math.isfinite(v) for v in np.atleast_1d(params["L"]))


@pytest.mark.parametrize(("raw", "number"), [("15", 6), ("abc", 1), ("-3", 1)])
def test_a_bad_step_in_the_url_is_clamped_or_ignored(raw, number):
    at = open_lesson({"step": raw})
    assert not at.exception and not at.error
    assert at.session_state["params"]["step"] == number
    assert at.title[0].value.startswith(f"{number}. ")


def test_the_2d_toggle_switches_the_step_to_the_papers_fig3_and_back():
    at = open_lesson()
    at.toggle(key="lesson_2d").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["params"]["preset"] == "paper-himmelblau"
    at.button(key="lesson_next").click().run()  # step 2 has no 2-D version: back to Fig. 2
    assert at.session_state["params"]["preset"] == "paper-fig2"
    assert at.session_state["params"]["noise"] == "gaussian"


def test_step_5_in_2d_is_fig3c_clipped_sgd_avoids_the_narrow_fields():
    """Fig. 3(c) (THEORY §10-11): from (2.9, 1.0) in Ω3, clipped at b = 2.15 the narrow Ω3, Ω4
    (l* = 1) get little time, unclipped SGD spends far more there; the theory puts the clipped
    run at the wide minima of Ω1 and Ω2 only. Fixed seed 1, 4 paths x 2,000,000 steps, eta = 2e-3
    (measured: Ω3 + Ω4 2.8% clipped, 25.3% unclipped; stationary law Ω1 28.5%, Ω2 71.5%)."""
    at = open_lesson({"step": "5"})
    at.toggle(key="lesson_2d").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    params = at.session_state["params"]
    want = LS.step_at(5).params(2)
    assert {k: params[k] for k in want} == want and params["preset"] == "paper-himmelblau"
    assert params["compare"] is True and params["eta"] == pytest.approx(2e-3) and params["seed"] == 1
    assert at.query_params["preset"] == "paper-himmelblau" and at.query_params["step"] == "5"  # the URL state
    at.button(key="lesson_choice_2").click().run()  # "at the wide minima of Ω₁ and Ω₂"
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    assert "at the wide minima of Ω₁ and Ω₂" in at.success[0].value and "(right)" in at.success[0].value
    text = "\n".join(m.value for m in at.markdown)
    found = re.search(r"Ω3 \+ Ω4: clipped \*\*([0-9.]+)%\*\* of the steps, unclipped \*\*([0-9.]+)%\*\*", text)
    clipped, unclipped = float(found.group(1)), float(found.group(2))
    assert clipped < 0.5 * unclipped and clipped < 10 and unclipped > 15, (clipped, unclipped)
    theory = {int(i): float(v) for v, i in re.findall(r"\*\*([0-9]+)%\*\* at Ω([0-9])", text)}
    assert set(theory) == {1, 2} and sum(theory.values()) == pytest.approx(100, abs=1)
    assert at.session_state["lesson_chosen"][("chain", 2)] == 2
    at.button(key="lesson_next").click().run()  # 2-D stays on: step 6 in 2-D
    assert at.session_state["params"]["preset"] == "paper-himmelblau" and at.session_state["params"]["step"] == 6


def test_share_bars_put_each_run_beside_the_theory():
    from dashboard.figures_runs import share_bars_figure

    fig = share_bars_figure(["Ω1", "Ω2"], {"clipped": [0.25, 0.75], "unclipped": [0.5, 0.5]},
                            theory=[0.3, 0.7], theory_label="theory", as_dict=True)
    assert [(t["type"], t["name"]) for t in fig["data"]] == [("bar", "clipped"), ("bar", "unclipped"),
                                                             ("scatter", "theory")]
    assert fig["data"][0]["y"] == [0.25, 0.75] and fig["data"][0]["text"] == ["25%", "75%"]
    assert fig["data"][2]["y"] == [0.3, 0.7] and fig["layout"]["barmode"] == "group"

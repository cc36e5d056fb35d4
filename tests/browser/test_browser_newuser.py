"""A new user's paths through the app after the split of pages/ (pages, widgets, dashboard),
clicked in the browser as a person does (found with tests/browser/explore_newuser.py).

Each test fails without its fix:

- the Lesson, opened again after a 2-D formula was typed on the Landscape page, showed
  "No analysis for these settings: this landscape is two-dimensional (it uses y): use
  landscape.plane_analysis.analyze_plane" instead of its step (it kept the typed f(x, y)
  under a 1-D step);
- the Live simulation page, opened after a new landscape was chosen, said "The run this tab
  showed before the reload is no longer on the server" although nothing was reloaded (the
  URL still named the session's own old run);
- a hand-written link ``/graph?formula=...`` (no ``mode``) showed the default landscape,
  not the formula it names;
- a 2-D exit study on Himmelblau (R = 5, l* = 6: caps of 10^10 steps) had no Stop, only a
  progress bar that did not move for hours;
- the live histogram's right axis title "f(x)" was drawn over its tick labels;
- the lesson's formulas of steps 3, 5 and 6 were cut off at 1024x768;
- at 1024 px the landscape chart's legend (wrapped to three rows) covered "f on [-1.6, 1.6]".

The 1400-px cases of the last three are guards (they passed before the fix).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.support.clicks import (
    assert_no_error_box,
    go_to,
    query,
    settle,
    shot,
    sidebar_captions,
    type_formula,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"
NOT_RELOADED = "no longer on the server"


def alerts(page) -> list[str]:
    """The texts of the page's error alerts (st.error)."""
    return [e.inner_text() for e in page.locator("[data-testid='stAlertContentError']").all()]


def test_lesson_after_a_typed_2d_formula_shows_its_step(page, server):
    page.goto(server + "/lesson")
    settle(page, 90)
    assert_no_error_box(page, "lesson, first visit")
    go_to(page, "Landscape")
    type_formula(page, HIMMELBLAU)
    assert "f(x, y)" in sidebar_captions(page)
    go_to(page, "Lesson")
    settle(page, 90)
    shot(page, "newuser-lesson-after-2d-formula")
    assert_no_error_box(page, "lesson after a 2-D formula")
    assert not alerts(page), alerts(page)
    page.locator("[class*='st-key-lesson_chart_'] .js-plotly-plot").first.wait_for(state="visible")
    assert query(page).get("mode") != "formula"  # the step's own landscape is on screen
    assert "f(x, y)" not in sidebar_captions(page)


@pytest.mark.parametrize(("first", "formula"), [
    ("/simulate?paths=5", HIMMELBLAU),
    (f"/simulate?formula={quote(HIMMELBLAU)}&L=5&paths=5", "x^4-x^2"),
], ids=["1d-to-2d", "2d-to-1d"])  # fmt: skip
def test_live_page_after_a_new_landscape_does_not_speak_of_a_reload(page, server, first, formula):
    page.goto(server + first)
    settle(page, 90)
    assert "run" in page.url  # the URL names this tab's run (for a reload)
    go_to(page, "Landscape")
    type_formula(page, formula)
    go_to(page, "Live simulation")
    settle(page, 90)
    page.locator(".st-key-sim_start").wait_for()
    shot(page, f"newuser-live-after-new-landscape-{'2d' if 'y' in formula else '1d'}")
    assert_no_error_box(page, "live page after a new landscape")
    assert page.get_by_text(NOT_RELOADED).count() == 0


@pytest.mark.parametrize(("path", "formula", "extra"), [
    ("graph", "x^4-x^2+0.3*x", ""),
    ("simulate", HIMMELBLAU, "&L=5"),
    ("exit-times", HIMMELBLAU, "&L=5"),
], ids=["graph-1d", "simulate-2d", "exit-times-2d"])  # fmt: skip
def test_hand_written_formula_link_shows_that_formula(page, server, path, formula, extra):
    page.goto(f"{server}/{path}?formula={quote(formula)}{extra}")
    settle(page, 90)
    shot(page, f"newuser-link-{path}")
    assert_no_error_box(page, f"/{path}?formula=")
    caption = sidebar_captions(page)
    short = formula[:40]
    assert short in caption, caption
    assert query(page).get("mode") == "formula"
    assert query(page).get("formula") == formula
    if "y" in formula:
        assert "R (ball radius)" in page.locator("[data-testid='stSidebar']").inner_text()


def test_a_long_2d_exit_study_can_be_stopped(page, server):
    """Himmelblau at R = 5 leaves its field Ω2 (l* = 6) after some 10^10 steps per run: the
    study must offer Stop as the 1-D page does, not a spinner without end."""
    page.goto(f"{server}/exit-times?formula={quote(HIMMELBLAU)}&L=5&etas=0.1,0.05&samples=4")
    settle(page, 90)
    assert "R (ball radius)" in page.locator("[data-testid='stSidebar']").inner_text()
    page.locator(".st-key-exit_run button").click()
    stop = page.locator(".st-key-exit_stop button")
    stop.wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(1000)
    stop.click()
    page.get_by_text("The study was stopped").first.wait_for(timeout=60_000)
    settle(page)
    shot(page, "newuser-exit-2d-stopped")
    assert_no_error_box(page, "a stopped 2-D exit study")
    assert page.locator(".st-key-exit_stop button").count() == 0
    page.locator(".st-key-exit_run button").wait_for(state="visible")


HIST_AXIS_JS = """() => {
  const d = document.querySelector('.st-key-hist_chart .js-plotly-plot');
  if (!d) return null;
  const title = d.querySelector('.g-y2title text');
  const ticks = [...d.querySelectorAll('.y2tick text')];
  if (!title || !ticks.length) return null;
  return [Math.max(...ticks.map(t => t.getBoundingClientRect().right)),
          title.getBoundingClientRect().left, d.getBoundingClientRect().right,
          title.getBoundingClientRect().right];
}"""


@pytest.mark.parametrize("width", [1400, 1024])
def test_live_histogram_axis_title_clears_its_tick_labels(page, server, width):
    page.set_viewport_size({"width": width, "height": 1000 if width > 1100 else 768})
    page.goto(server + "/simulate?paths=5")
    settle(page, 90)
    page.locator(".st-key-hist_chart .js-plotly-plot").first.wait_for(state="visible", timeout=60_000)
    page.wait_for_function(f"() => ({HIST_AXIS_JS})() !== null", timeout=30_000)
    tick_right, title_left, chart_right, title_right = page.evaluate(HIST_AXIS_JS)
    shot(page, f"newuser-live-hist-axis-{width}")
    assert_no_error_box(page, "live page")
    assert title_left >= tick_right, (tick_right, title_left)  # f(x) is not drawn over "-0.332"
    assert title_right <= chart_right + 1  # nor cut off at the chart's edge


FORMULA_FITS_JS = """() => [...document.querySelectorAll('.katex-display')].map(e => {
    const col = e.closest("[data-testid='stColumn']").getBoundingClientRect();
    const f = {width: e.scrollWidth};
    return [Math.round(f.width), Math.round(col.width)]; })"""


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1400, 1000)])
def test_lesson_formulas_fit_their_column(page, server, width, height):
    """Steps 3, 5 and 6 ran off the column at 1024x768 ("survivors = large minima of absorbi")."""
    page.set_viewport_size({"width": width, "height": height})
    for step in range(1, 7):
        page.goto(f"{server}/lesson?step={step}")
        settle(page, 90)
        page.locator(".katex-display").first.wait_for(state="visible")
        page.wait_for_timeout(300)  # KaTeX laid out
        sizes = page.evaluate(FORMULA_FITS_JS)
        if step in (3, 6):
            shot(page, f"newuser-lesson-formula-{step}-{width}")
        assert_no_error_box(page, f"lesson step {step}")
        assert sizes and all(formula <= column for formula, column in sizes), (step, sizes)


OVERLAP_JS = """(key) => {
  const d = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const legend = d.querySelector('.legend').getBoundingClientRect();
  const title = d.querySelector('.gtitle');
  if (!title) return null;
  const t = title.getBoundingClientRect();
  return t.bottom > legend.top && t.top < legend.bottom && t.right > legend.left && t.left < legend.right;
}"""


@pytest.mark.parametrize(("width", "height"), [(1024, 768), (1400, 1000)])
def test_landscape_chart_heading_clears_its_legend(page, server, width, height):
    """At 1024 px the legend (its title and two rows) grew over "f on [-1.6, 1.6]"."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + "/")
    settle(page, 90)
    page.locator(".st-key-landscape_chart .js-plotly-plot .legend").first.wait_for(state="attached")
    shot(page, f"newuser-landscape-heading-{width}")
    assert_no_error_box(page, "landscape page")
    assert page.evaluate(OVERLAP_JS, "landscape_chart") in (None, False)
    assert page.get_by_text("f on [-1.6, 1.6]").first.is_visible()

"""Issue 11 in Chromium: the dashboard on a 2-D landscape, clicked as a person does.

Pick the paper's modified Himmelblau in the preset list, see its fields, click the chart to
set the start, walk every page (Step on the live simulation), and never meet an error box.
Screenshots of the 2-D Landscape page at 1400x1000 and on a projector (1024x768), light
and dark, go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from dashboard import state as S
from landscape.plane_presets import ALL_PRESETS
from tests.support.clicks import (
    assert_no_error_box,
    go_to,
    pick_plane_preset,
    plot_div,
    query,
    settle,
    shot,
    steps_done,
    trace_texts,
    wait_for_live,
    wait_for_run,
)
from tests.support.harness import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

PRESET = "paper-himmelblau"
PAGE_TITLES = ("Transition graph", "Live simulation", "Exit times", "About", "Landscape")


def data_to_screen(page, key: str, x: float, y: float) -> tuple[float, float]:
    """Page pixel of the data point (x, y) of the Plotly chart ``key``."""
    return tuple(page.evaluate(
        "([key, x, y]) => { const d = document.querySelector(`.st-key-${key} .js-plotly-plot`);"
        " const r = d.getBoundingClientRect(); const xa = d._fullLayout.xaxis, ya = d._fullLayout.yaxis;"
        " return [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)]; }", [key, x, y]))


def test_plane_pages_walk_without_error_boxes(page, server, browser):
    pick_plane_preset(page, server)
    assert_no_error_box(page, "2-D landscape page")
    pr = ALL_PRESETS[PRESET]
    shown, _ = S.parse_query(query(page))   # the state the link carries
    assert shown["preset"] == PRESET and shown["L"] == pr.L and shown["y0"] == pr.y0, query(page)
    side = page.locator("[data-testid='stSidebar']")
    assert side.get_by_text("R (ball radius)").first.is_visible()
    labels = set(trace_texts(page, "landscape_chart"))
    assert {"m1", "m2", "m3", "m4"} <= labels, labels
    assert page.get_by_text("4 minimiser sets").first.is_visible()
    shot(page, "plane-01-landscape-1400x1000")

    # click the chart at a grid point: the start moves there (URL and link box)
    target = (-2.1, 2.1)  # a point of the 41 x 41 pick grid over [-4.2, 4.2]^2
    chart = plot_div(page, "landscape_chart")
    chart.scroll_into_view_if_needed()
    px, py = data_to_screen(page, "landscape_chart", *target)
    page.mouse.click(px, py)
    page.wait_for_function("() => location.search.includes('x0=-2.1')", timeout=30_000)
    settle(page)
    q = query(page)
    assert (float(q["x0"]), float(q["y0"])) == pytest.approx(target), q
    assert_no_error_box(page, "after the click on the chart")

    # every page after it, with a Step on the live simulation
    for title in PAGE_TITLES:
        go_to(page, title)
        settle(page, 90)
        if title == "Live simulation":
            page.locator(".st-key-sim_step button").first.click()
            # the first run of a formula compiles its kernels
            wait_for_live(page, "Steps per path", "[1-9]", timeout=180_000)
            wait_for_run(page)
            s1 = steps_done(page)
            assert s1 > 0
            plot_div(page, "plane_paths_chart")
            plot_div(page, "plane_hist_chart")
            page.locator(".st-key-sim_start button").first.click()  # live: the run goes on by itself
            wait_for_live(page, "State", "running")
            page.wait_for_timeout(3000)
            assert steps_done(page) > s1
            page.locator(".st-key-sim_pause button").first.click()
            wait_for_live(page, "State", "paused")
            wait_for_run(page)
        if title == "Transition graph":
            plot_div(page, "graph_chart")
        assert_no_error_box(page, title)
        assert not page.errors, page.errors
        shot(page, f"plane-02-{title.split()[0].lower()}")
    assert float(query(page)["x0"]) == pytest.approx(target[0])  # nothing moved on the way

    # projector and dark mode: the chart starts above the fold
    for scheme in ("light", "dark"):
        ctx = browser.new_context(viewport={"width": 1024, "height": 768}, color_scheme=scheme)
        small = ctx.new_page()
        try:
            small.goto(page.url)
            box = plot_div(small, "landscape_chart").bounding_box()
            settle(small, 90)
            assert_no_error_box(small, f"1024x768 {scheme}")
            assert box["y"] < 768 - 200, box  # at least the top of the chart is on screen
            small.screenshot(path=str(ARTIFACTS / f"plane-03-landscape-1024x768-{scheme}.png"))
            if scheme == "dark":  # the live charts on the dark theme, after one Step
                go_to(small, "Live simulation")
                small.locator(".st-key-sim_step button").first.click()
                plot_div(small, "plane_hist_chart")
                settle(small, 90)
                assert_no_error_box(small, "live simulation, 1024x768 dark")
                small.screenshot(path=str(ARTIFACTS / "plane-04-simulation-1024x768-dark.png"), full_page=True)
        finally:
            ctx.close()

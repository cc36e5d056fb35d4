"""Issue 18 items 5-6 in Chromium: the 2-D pages show the theory's numbers beside the simulation.

On the paper's modified Himmelblau: the Transition graph page has the table of q_i, mean
exit times and destinations with the limiting chain; the Exit times page, run on the
narrow field Omega_3 (l* = 1) at two learning rates, draws the predicted mean exit times,
sizes its caps from them and shows simulated / predicted per eta. No error box anywhere.
Screenshots at 1400x1000 and 1024x768, light and dark, go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.support.clicks import (
    assert_no_error_box,
    go_to,
    pick_plane_preset,
    plot_div,
    settle,
    wait_for_run,
)
from tests.support.harness import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


def _rates_table(page):
    """The caption under the rates table (the table itself is a canvas grid)."""
    caption = page.get_by_text("Limiting chain: class G1").first
    caption.wait_for(timeout=240_000)
    return caption


def test_plane_theory_on_the_graph_and_exit_pages(page, server, browser):
    pick_plane_preset(page, server)
    go_to(page, "Transition graph")
    settle(page, 120)
    _rates_table(page).scroll_into_view_if_needed()
    assert page.get_by_text("The theory's constants").first.is_visible()
    assert page.get_by_text("long-run share m1").first.is_visible()
    assert_no_error_box(page, "graph page with the rates")
    graph_url = page.url

    go_to(page, "Exit times")
    settle(page, 120)
    page.goto(page.url + "&field=3&etas=0.1%2C0.05&samples=6")
    settle(page, 120)
    assert page.get_by_text("Theory (THEORY §11): q = ").first.is_visible()
    page.locator(".st-key-exit_run button").first.click()
    plot_div(page, "exit_chart")
    wait_for_run(page, 240)
    names = page.evaluate(
        "() => document.querySelector('.st-key-exit_chart .js-plotly-plot').data.map(t => t.name)")
    assert any("theory 1/(q λ(η))" in n for n in names), names
    assert page.get_by_text("Predicted slope").first.is_visible()
    assert page.get_by_text("Dotted: the theory's mean exit time").first.is_visible()
    assert_no_error_box(page, "exit page after the study")
    assert not page.errors, page.errors
    page.screenshot(path=str(ARTIFACTS / "plane-theory-exit-1500x1000.png"), full_page=True)

    for width, height, scheme in ((1400, 1000, "light"), (1024, 768, "light"), (1024, 768, "dark")):
        ctx = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        small = ctx.new_page()
        try:
            small.goto(graph_url)
            plot_div(small, "graph_chart")
            settle(small, 120)
            _rates_table(small).scroll_into_view_if_needed()
            assert_no_error_box(small, f"graph page {width}x{height} {scheme}")
            small.screenshot(path=str(ARTIFACTS / f"plane-theory-graph-{width}x{height}-{scheme}.png"),
                             full_page=True)
        finally:
            ctx.close()

"""Issue 18, item 6 in Chromium: a 2-D formula typed at the 1-D default L = 1.6.

Himmelblau's four minima all lie outside the ball of radius 1.6: the Landscape page
must say that what it found are points on the wall (no green check), suggest a radius
that holds the minima, and apply it with one click (R in the URL, the four minima
inside). Screenshots at 1400x1000 and 1024x768, light and dark, go to test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.support.clicks import assert_no_error_box, plot_div, query, settle, shot, type_formula
from tests.support.harness import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

HIMMELBLAU = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
WALL_TEXT = "on the wall |x| = R"
GREEN_TEXT = "each field is the set from which gradient flow reaches"


def test_wall_points_warn_and_the_suggested_radius_applies(page, server, browser):
    page.goto(server + "/")
    plot_div(page, "landscape_chart")
    settle(page)
    type_formula(page, HIMMELBLAU)
    page.get_by_text(WALL_TEXT).first.wait_for(timeout=90_000)
    settle(page, 90)
    assert_no_error_box(page, "Himmelblau at R = 1.6")
    assert float(query(page).get("L", 1.6)) == 1.6      # the 1-D default is kept
    assert page.get_by_text(GREEN_TEXT).count() == 0     # no green check
    assert page.get_by_text("0 minima of f").first.is_visible()
    button = page.locator(".st-key-apply_suggested_R button")
    assert button.inner_text().strip().endswith("Use R = 6"), button.inner_text()
    assert page.get_by_text("this ball holds no minimum of f").count() >= 1
    before = page.url
    shot(page, "plane-radius-01-wall-warning")
    for width, height, scheme in ((1400, 1000, "light"), (1024, 768, "light"),
                                  (1024, 768, "dark")):
        ctx = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme=scheme)
        other = ctx.new_page()
        try:
            other.goto(before)
            other.get_by_text(WALL_TEXT).first.wait_for(timeout=90_000)
            settle(other, 90)
            assert_no_error_box(other, f"{width}x{height} {scheme}")
            other.screenshot(path=str(ARTIFACTS / f"plane-radius-02-{width}x{height}-{scheme}.png"))
        finally:
            ctx.close()

    button.click()
    page.get_by_text(GREEN_TEXT).first.wait_for(timeout=90_000)
    settle(page, 90)
    assert float(query(page)["L"]) == 6.0
    assert page.get_by_text("4 minimiser sets").first.is_visible()
    assert page.get_by_text(WALL_TEXT).count() == 0
    assert page.locator(".st-key-apply_suggested_R").count() == 0
    assert_no_error_box(page, "after applying R = 6")
    assert not page.errors, page.errors
    shot(page, "plane-radius-03-applied")

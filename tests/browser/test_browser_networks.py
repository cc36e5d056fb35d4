"""End-to-end: the Networks page in Chromium: train, stop, train tiny, the table, open the slice."""

from __future__ import annotations

import pytest

from tests.support.clicks import shot, wait_for_run

pytestmark = [pytest.mark.browser, pytest.mark.timeout(400)]

SOMETHING_WRONG = "Something went wrong"


def no_error_box(page) -> None:
    assert page.get_by_text(SOMETHING_WRONG).count() == 0, page.inner_text("body")[:2000]
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("viewport", [(1400, 1000)])
def test_networks_train_stop_table_slice(page, server, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    # a long run, stopped after its first progress
    page.goto(server + "/networks?nmodel=mlp&nsteps=5000&nmethods=SB,Our1&nseeds=1")
    wait_for_run(page)
    no_error_box(page)
    page.locator(".st-key-networks_train button").click()
    page.get_by_text("seed 0: step").first.wait_for(timeout=120_000)
    shot(page, "networks-01-training")
    page.locator(".st-key-networks_stop button").click()
    wait_for_run(page, timeout=120)
    no_error_box(page)
    assert page.get_by_text("Stopped").count() + page.get_by_text("No run finished").count() > 0
    # a tiny run to the end: the table beside the slides' row
    page.goto(server + "/networks?nmodel=mlp&nsteps=20&nmethods=SB,Our1&nseeds=1")
    wait_for_run(page)
    page.locator(".st-key-networks_train button").click()
    page.get_by_text("beside the slides").first.wait_for(timeout=180_000)
    wait_for_run(page)
    no_error_box(page)
    assert page.locator(".st-key-networks_scatter .js-plotly-plot").count() == 1
    shot(page, "networks-02-table")
    # a reload finds the finished table again
    page.reload()
    page.get_by_text("beside the slides").first.wait_for(timeout=60_000)
    # open the slice on the Landscape page
    page.get_by_role("button", name="Open this slice as a landscape").click()
    page.wait_for_url("**mode=sketch**", timeout=60_000)   # the Landscape page is the app's root
    page.locator(".st-key-landscape_chart .js-plotly-plot").first.wait_for(timeout=90_000)
    wait_for_run(page)
    no_error_box(page)
    assert "nsteps=20" in page.url and "alpha=" in page.url
    shot(page, "networks-03-slice-landscape")
    assert not page.errors, page.errors

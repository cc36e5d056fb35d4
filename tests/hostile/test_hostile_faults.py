"""Faults (issue #5): stopping, leaving, closing, reloading, shared links, back button.

Against a real ``streamlit run app.py`` on 127.0.0.1 in Debian's chromium:

* Pause keeps what was shown (steps, charts) and stops the server's work;
* leaving the simulation page mid-run and coming back loses nothing shown;
* closing the tab mid-run (live simulation, exit-time study) leaves no work
  burning CPU on the server (/proc/<pid>/stat, children included) and no
  child process;
* reloading, opening a shared link in a fresh browser and the back button
  land on a consistent state (the widgets show what the URL says).
"""

from __future__ import annotations

import os
import time
import urllib.parse

import pytest

from tests.support import harness as LT

pytestmark = [
    pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(400),
    pytest.mark.skipif(not os.path.exists(LT.CHROMIUM), reason=f"{LT.CHROMIUM} is not installed"),
    pytest.mark.skipif(not (LT.ROOT / "app.py").exists(), reason="no dashboard yet"),
]

IDLE_CORES = 0.10        # a server with no active work uses less than this
FORMULA = "x**4 - x**2 + 0.05*sin(7x)"


@pytest.fixture(scope="module")
def server():
    LT.ARTIFACTS.mkdir(exist_ok=True)
    port = LT.free_port()
    proc = LT.start_server(port, LT.ARTIFACTS / "faults-server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        yield proc, url
    finally:
        LT.stop_server(proc)


def _open(browser, url: str, path: str, query: dict):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/{path}?{urllib.parse.urlencode(query)}", wait_until="domcontentloaded")
    return ctx, page, errors


def _steps(page) -> int | None:
    return LT.parse_steps(page.evaluate(LT.METRIC_JS))


def _wait_steps_above(page, value: int, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        steps = _steps(page)
        if steps is not None and steps > value:
            return steps
        page.wait_for_timeout(300)
    raise AssertionError(f"the step counter never went above {value}")


def _server_cores(pid: int, seconds: float) -> tuple[float, dict]:
    a = LT.proc_sample(pid)
    time.sleep(seconds)
    b = LT.proc_sample(pid)
    return (b["cpu"] - a["cpu"]) / (b["t"] - a["t"]), b


def _wait_idle(pid: int, within: float = 20.0, window: float = 4.0) -> float:
    """Lowest server CPU (cores) over a `window`, tried until `within` s have passed."""
    deadline = time.monotonic() + within
    best = float("inf")
    while time.monotonic() < deadline:
        cores, _ = _server_cores(pid, window)
        best = min(best, cores)
        if best < IDLE_CORES:
            break
    return best


def _problems(page) -> list[str]:
    return page.evaluate(LT.PROBLEMS_JS)


def test_a_shared_link_on_a_fresh_server_opens_without_a_dialog(browser):
    """F7: the very first visit after a server start is a deep link with parameters;
    it must show that page with those parameters and no "Page not found" dialog."""
    port = LT.free_port()
    proc = LT.start_server(port, LT.ARTIFACTS / "fresh-server.log")
    try:
        ctx, page, errors = _open(browser, f"http://127.0.0.1:{port}", "simulate",
                                  {"paths": "3", "eta": "0.002"})
        try:
            page.locator(".st-key-sim_start button").wait_for()
            page.wait_for_timeout(2000)
            dialogs = page.locator("[role='dialog']").all_inner_texts()
            assert not dialogs, dialogs
            assert page.locator("h1").first.inner_text() == "Live simulation"
            assert page.locator(".st-key-paths input").input_value() == "3"
            assert not _problems(page) and not errors
        finally:
            ctx.close()
    finally:
        LT.stop_server(proc)


def _start_live(browser, url):
    ctx, page, errors = _open(browser, url, "simulate", {"mode": "formula", "formula": FORMULA})
    start = page.locator(".st-key-sim_start button")
    start.wait_for(state="visible")
    start.click()
    _wait_steps_above(page, 0)
    return ctx, page, errors


def test_pause_keeps_what_was_shown_and_stops_work(server, browser):
    proc, url = server
    ctx, page, errors = _start_live(browser, url)
    try:
        _wait_steps_above(page, 200_000)
        page.locator(".st-key-sim_pause button").click()
        page.wait_for_timeout(1500)
        shown = _steps(page)
        assert shown and shown > 0
        cores = _wait_idle(proc.pid)
        assert cores < IDLE_CORES, f"server still uses {cores:.2f} cores after Pause"
        assert _steps(page) == shown, "the paused view changed"
        assert page.locator(".st-key-traj_chart .js-plotly-plot").count() == 1
        assert page.locator(".st-key-hist_chart .js-plotly-plot").count() == 1
        # downloads appear when paused: what was shown can be kept
        assert page.locator(".st-key-dl_hist button, .st-key-dl_hist a").count() >= 1
        assert not _problems(page) and not errors
    finally:
        ctx.close()


def test_leaving_mid_run_loses_nothing_shown(server, browser):
    proc, url = server
    ctx, page, errors = _start_live(browser, url)
    try:
        before = _wait_steps_above(page, 100_000)
        page.get_by_role("link", name="About").click()
        page.wait_for_timeout(1500)
        cores = _wait_idle(proc.pid)
        assert cores < IDLE_CORES, f"the run keeps burning {cores:.2f} cores on another page"
        page.get_by_role("link", name="Live simulation").click()
        page.locator(".st-key-sim_start button, .st-key-sim_pause button").first.wait_for()
        page.wait_for_timeout(2000)
        after = _steps(page)
        assert after is not None and after >= before, (
            f"steps shown before leaving: {before:,}; after coming back: {after}")
        assert not _problems(page) and not errors
    finally:
        ctx.close()


def test_closing_the_tab_mid_run_leaves_no_work(server, browser):
    proc, url = server
    ctx, page, _ = _start_live(browser, url)
    _wait_steps_above(page, 100_000)
    busy, _ = _server_cores(proc.pid, 3.0)
    ctx.close()
    cores = _wait_idle(proc.pid)
    sample = LT.proc_sample(proc.pid)
    assert cores < IDLE_CORES, (
        f"server CPU {cores:.2f} cores after the tab closed (was {busy:.2f} while running)")
    assert sample["children"] == 0, f"{sample['children']} child processes left"


def _start_long_exit_study(browser, url, seed: int = 0):
    """Open the Exit times page on a long study (eta down to 1e-4, 200 samples), press
    Run and wait until its progress bar shows; (context, page, page errors). Tests use
    different seeds so that none can be answered from the store of finished studies."""
    query = {"etas": "0.001,0.0003,0.0001", "samples": "200", "field": "2", "seed": str(seed)}
    ctx, page, errors = _open(browser, url, "exit-times", query)
    button = page.locator(".st-key-exit_run button")
    button.wait_for(state="visible")
    button.click()
    page.locator("[data-testid='stProgress']").first.wait_for(timeout=60_000)
    page.wait_for_timeout(2000)
    return ctx, page, errors


def test_closing_the_tab_mid_exit_study_leaves_no_work(server, browser):
    """A long exit-time study is abandoned by closing the tab."""
    proc, url = server
    ctx, _, _ = _start_long_exit_study(browser, url)
    busy, _ = _server_cores(proc.pid, 2.0)
    ctx.close()
    cores = _wait_idle(proc.pid, within=30.0)
    assert cores < IDLE_CORES, (
        f"the abandoned exit study keeps {cores:.2f} cores busy (was {busy:.2f})")


def test_stop_button_ends_a_long_exit_study(server, browser):
    """Stop interrupts the study at its next progress update; the page says so."""
    proc, url = server
    ctx, page, errors = _start_long_exit_study(browser, url, seed=11)
    try:
        page.locator(".st-key-exit_stop button").click()
        page.get_by_text("The study was stopped").wait_for(timeout=60_000)
        cores = _wait_idle(proc.pid, within=30.0)
        assert cores < IDLE_CORES, f"the stopped study keeps {cores:.2f} cores busy"
        assert page.locator("[data-testid='stProgress']").count() == 0
        assert page.locator(".st-key-exit_run button").is_visible()
        assert not _problems(page) and not errors
    finally:
        ctx.close()


def _sidebar_number(page, label: str) -> float:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput']").filter(
        has_text=label).locator("input")
    return float(box.input_value())


def test_reload_and_shared_link_land_on_the_same_view(server, browser):
    _proc, url = server
    query = {"mode": "formula", "formula": FORMULA, "L": "1.3", "alpha": "1.7", "eta": "0.002"}
    ctx, page, errors = _open(browser, url, "simulate", query)
    try:
        page.locator(".st-key-sim_start button").wait_for()
        assert _sidebar_number(page, "Domain half-width L") == pytest.approx(1.3)
        assert _sidebar_number(page, "tail index") == pytest.approx(1.7)
        page.wait_for_timeout(1000)
        link = page.evaluate(LT.LINK_JS).replace("\n", "")
        assert urllib.parse.urlencode({"formula": FORMULA}) in link
        # reload: the same parameters again
        page.reload(wait_until="domcontentloaded")
        page.locator(".st-key-sim_start button").wait_for()
        assert _sidebar_number(page, "Domain half-width L") == pytest.approx(1.3)
        assert _sidebar_number(page, "tail index") == pytest.approx(1.7)
        # the shared link, opened by someone else
        ctx2 = browser.new_context(viewport={"width": 1300, "height": 900})
        other = ctx2.new_page()
        other.set_default_timeout(120_000)
        other.goto(link, wait_until="domcontentloaded")
        other.locator(".st-key-sim_start button").wait_for()
        assert _sidebar_number(other, "Domain half-width L") == pytest.approx(1.3)
        assert _sidebar_number(other, "tail index") == pytest.approx(1.7)
        assert other.evaluate(LT.LINK_JS).replace("\n", "") == link
        ctx2.close()
        assert not errors
    finally:
        ctx.close()


def test_back_button_lands_on_a_consistent_state(server, browser):
    _proc, url = server
    ctx, page, errors = _open(browser, url, "", {"L": "1.3"})  # Landscape, the default page
    try:
        page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput']").first.wait_for()
        page.get_by_role("link", name="Live simulation").click()
        page.locator(".st-key-sim_start button").wait_for()
        # change L on the simulation page: the URL follows
        box = page.locator("[data-testid='stSidebar'] [data-testid='stNumberInput']").filter(
            has_text="Domain half-width L").locator("input")
        box.fill("1.1")
        box.press("Enter")
        page.wait_for_function("() => location.search.includes('L=1.1')", timeout=30_000)
        page.go_back(wait_until="domcontentloaded")
        page.wait_for_timeout(3000)
        shown_l = _sidebar_number(page, "Domain half-width L")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        url_l = float(query.get("L", ["1.6"])[0])
        assert shown_l == pytest.approx(url_l), (
            f"after Back the URL says L = {url_l} but the sidebar shows L = {shown_l} "
            f"({page.url})")
        assert not _problems(page) and not errors
    finally:
        ctx.close()

"""Issue 20 in Chromium: the lesson walked as a teacher does on a 1024x768 projector.

Presenter mode, light and dark: every step with Next (and Back), its state checked (the
URL, the title and buttons, its chart), no error box, and the step fits one screen without
scrolling, before and after the class's prediction is revealed. The exports are
downloaded and checked: PNG 1920 px wide, SVG that parses, an animation file with frames.
Screenshots: test-artifacts/lesson-*.png.
"""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dashboard import lesson_runs
from dashboard import lesson_steps as LS
from dashboard import state as S
from tests.support.clicks import assert_no_error_box, query, sidebar_settings, wait_for_run
from tests.support.harness import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

FITS_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return {doc: document.scrollingElement.scrollHeight, inner: window.innerHeight,
          main: main ? main.scrollHeight : 0, mainClient: main ? main.clientHeight : 0};
}"""


def chart(page, step: LS.Step):
    el = page.locator(f".st-key-lesson_chart_{step.key} .js-plotly-plot").first
    el.wait_for(timeout=120_000)
    return el


def assert_fits(page, where: str) -> None:
    m = page.evaluate(FITS_JS)
    assert m["doc"] <= m["inner"], (where, m)
    assert m["main"] <= m["mainClient"], (where, m)  # Streamlit scrolls inside stMain


def assert_step(page, number: int) -> None:
    step = LS.step_at(number)
    page.wait_for_function("n => { const h = document.querySelector('h1'); return h && h.innerText.startsWith(n + '. '); }",
                           arg=number, timeout=120_000)  # fmt: skip
    wait_for_run(page, 120)
    heading = page.locator("h1").first
    assert heading.inner_text().startswith(f"{number}. {step.title}"), heading.inner_text()
    q = query(page)
    assert int(q.get("step", "1")) == number, q
    assert q.get("present") == "1", q
    shown, notices = S.parse_query(q)  # the whole state of the step, as the link carries it
    assert not notices, notices
    assert {k: shown[k] for k in step.params(1)} == step.params(1), q
    assert page.locator(".st-key-lesson_back button").is_disabled() == (number == 1)
    assert page.locator(".st-key-lesson_next button").is_disabled() == (number == LS.step_count())
    if step.predict is not None:
        buttons = page.locator(".st-key-lesson_choices button")
        assert buttons.count() == len(step.predict.choices)
    chart(page, step)
    assert page.locator("[data-testid='stSidebar']").is_hidden()  # presenter: no sidebar
    assert_no_error_box(page, f"step {number}")
    assert not page.errors, page.errors


def reveal(page, number: int, choice: int = 0) -> None:
    page.locator(f".st-key-lesson_choice_{choice} button").click()
    page.locator("[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentWarning']").first.wait_for(
        timeout=180_000)
    wait_for_run(page, 180)
    page.wait_for_timeout(800)
    assert_no_error_box(page, f"step {number} revealed")
    assert page.get_by_text("Theory:").first.is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lesson_walk_in_presenter_mode(browser, warm_server, scheme):
    ctx = browser.new_context(viewport={"width": 1024, "height": 768}, color_scheme=scheme)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        page.goto(warm_server + "/lesson?present=1")
        for number in range(1, LS.step_count() + 1):
            assert_step(page, number)
            page.wait_for_timeout(600)  # the chart's first paint
            assert_fits(page, f"step {number}, {scheme}")
            page.screenshot(path=str(ARTIFACTS / f"lesson-{number}-{scheme}.png"))
            if scheme == "light" and LS.step_at(number).predict is not None:
                reveal(page, number)
                assert_fits(page, f"step {number} revealed, {scheme}")
                page.screenshot(path=str(ARTIFACTS / f"lesson-{number}-{scheme}-revealed.png"))
                # the choice and the answer stay on screen
                assert page.locator(".st-key-lesson_choice_0 button[kind='primary']").count() == 1
            if number < LS.step_count():
                page.locator(".st-key-lesson_next button").click()
        page.locator(".st-key-lesson_back button").click()
        assert_step(page, LS.step_count() - 1)
        # a link opens the class on step 4
        page.goto(warm_server + "/lesson?step=4&present=1")
        assert_step(page, 4)
    finally:
        ctx.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def animation_frames(html: str) -> list[dict]:
    """The frames an exported animation adds to its chart (``Plotly.addFrames(id, [...])``)."""
    at = html.index("Plotly.addFrames(")
    start = html.index("[", html.index(",", at))
    frames, _ = json.JSONDecoder().raw_decode(html[start:])
    return frames


def download(page, label: str) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label).first.click()
    path = info.value.path()
    return Path(path).read_bytes()


def test_lesson_exports_and_presenter_toggle(page, warm_server):
    page.goto(warm_server + "/lesson?step=2")
    chart(page, LS.step_at(2))
    assert page.locator("[data-testid='stSidebar']").is_visible()
    side = sidebar_settings(page)  # the step's state in the shared widgets: Gaussian noise, no clipping
    assert side["clip"] == "False" and side["noise"] == "Gaussian" and float(side["scale"]) == 1.0, side
    reveal(page, 2)
    png = download(page, "Download PNG")
    width, height = png_size(png)
    assert (width, height) == (1920, 1080), (width, height)
    (ARTIFACTS / "lesson-export.png").write_bytes(png)
    svg = download(page, "Download SVG")
    root = ET.fromstring(svg.decode())
    assert root.tag.endswith("svg") and float(root.get("width")) == 1920
    texts = [t.text or "" for t in root.iter() if t.tag.endswith("text")]
    assert any("step" in t for t in texts), texts[:20]  # the axis titles are in the image
    html = download(page, "Download animation").decode()
    assert "Plotly.addFrames" in html and not re.search(r"<script[^>]*\bsrc=", html)
    frames = animation_frames(html)
    assert len(frames) == lesson_runs.FRAMES and all(f["data"] and f["traces"] for f in frames)
    assert [f["name"] for f in frames][-1] == f"{lesson_runs.LIGHT_STEPS:,}"  # steps per path
    assert '"noise"' in html and "gaussian" in html  # the settings are written in it
    (ARTIFACTS / "lesson-export-animation.html").write_text(html)
    print(f"export sizes: PNG {len(png):,} B, SVG {len(svg):,} B, animation {len(html):,} B")
    # the run replayed in the page: the chart holds the frames and Play moves through them
    page.locator(".st-key-lesson_replay label").first.click()
    replay = page.locator(".st-key-lesson_chart_light_replay .js-plotly-plot").first
    replay.wait_for(timeout=60_000)
    n_frames = page.evaluate("() => document.querySelector('.st-key-lesson_chart_light_replay .js-plotly-plot')"
                             "._transitionData._frames.length")  # fmt: skip
    assert n_frames == lesson_runs.FRAMES
    page.locator(".st-key-lesson_chart_light_replay .updatemenu-button").first.click()
    page.wait_for_function("() => document.querySelector('.st-key-lesson_chart_light_replay .js-plotly-plot')"
                           ".layout.sliders[0].active > 0", timeout=30_000)  # fmt: skip
    assert_no_error_box(page, "replay")
    # presenter mode from its toggle: the sidebar goes, the URL says so
    page.locator(".st-key-present label").first.click()
    wait_for_run(page, 60)
    page.wait_for_timeout(500)
    assert query(page).get("present") == "1"
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    assert_no_error_box(page, "presenter toggle")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_step_5_in_2d_from_its_toggle(browser, warm_server, scheme):
    """Step 5's 2-D toggle (the same control and URL state as steps 1 and 6) opens the paper's
    Fig. 3(c); the reveal draws the time per field of both runs and the theory, on one screen."""
    ctx = browser.new_context(viewport={"width": 1024, "height": 768}, color_scheme=scheme)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    try:
        page.goto(warm_server + "/lesson?step=5&present=1")
        chart(page, LS.step_at(5))
        page.locator(".st-key-lesson_2d label").first.click()
        page.wait_for_function("() => new URLSearchParams(location.search).get('preset') === 'paper-himmelblau'",
                               timeout=60_000)  # fmt: skip
        wait_for_run(page, 120)
        q = query(page)
        shown, notices = S.parse_query(q)
        assert not notices and int(q["step"]) == 5, (q, notices)
        assert {k: shown[k] for k in LS.step_at(5).params(2)} == LS.step_at(5).params(2), q
        assert page.locator(".st-key-lesson_2d input").is_checked()
        reveal(page, 5, choice=2)  # "at the wide minima of Ω₁ and Ω₂": the theory's answer
        assert page.locator("[data-testid='stAlertContentSuccess']").count() == 1
        names = page.evaluate("() => document.querySelector('.st-key-lesson_chart_chain .js-plotly-plot')"
                              ".data.map(t => t.type + ':' + t.name)")  # fmt: skip
        assert names == ["bar:clipped (b = 2.15)", "bar:unclipped", "scatter:theory (clipped, η → 0)"], names
        page.screenshot(path=str(ARTIFACTS / f"lesson-5-2d-{scheme}-revealed.png"))
        assert_fits(page, f"step 5 in 2-D revealed, {scheme}")
        assert_no_error_box(page, "step 5 in 2-D")
        assert not page.errors, page.errors
    finally:
        ctx.close()

"""What a person sees and changes, read from the DOM: sidebar settings, the URL,
the link box, app error boxes. Shared by the click-through browser tests."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from landscape.plane_presets import ALL_PRESETS
from tests.support.harness import ARTIFACTS

ERROR_TEXTS = ("Something went wrong",)


def error_boxes(page) -> list[str]:
    """Streamlit exception boxes and the app's own "Something went wrong" boxes."""
    out = [e.inner_text()[:300] for e in page.locator("[data-testid='stException']").all()]
    for t in ERROR_TEXTS:
        out += [e.inner_text()[:300] for e in page.get_by_text(t).all()]
    return out


def assert_no_error_box(page, where: str) -> None:
    boxes = error_boxes(page)
    assert not boxes, f"{where}: {boxes}"


def query(page) -> dict[str, str]:
    """The page URL's query as a flat dict, without the live run's token (``run``), which
    names this tab's run for a reload and is left out of share links."""
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items() if k != "run"}


def link_box_query(page) -> dict[str, str]:
    """The query of the URL shown in the sidebar's 'Link to this view' box."""
    text = page.locator("[data-testid='stSidebar'] [data-testid='stCode']").last.inner_text().strip()
    return {k: v[-1] for k, v in parse_qs(urlparse(text).query).items()}


def sidebar_settings(page) -> dict[str, str]:
    """The shared settings as the sidebar widgets show them."""
    side = page.locator("[data-testid='stSidebar']")
    return {
        "L": side.locator(".st-key-L input").input_value(),
        "clip": str(side.locator(".st-key-clip input").is_checked()),
        "b": side.locator(".st-key-b [data-testid='stSliderThumbValue']").inner_text(),
        "noise": side.locator(".st-key-noise input").input_value(),
        "alpha": side.locator(".st-key-alpha input").input_value(),
        "scale": side.locator(".st-key-scale input").input_value(),
    }


def sidebar_captions(page) -> str:
    return "\n".join(c.inner_text() for c in
                     page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']").all())


def settle(page, timeout: float = 60.0) -> None:
    """Wait for the script run and for the URL to match the link box (one more run may follow)."""
    wait_for_run(page, timeout)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if query(page) == link_box_query(page):
                return
        except Exception:  # noqa: BLE001, S110 - the box is being redrawn
            pass
        page.wait_for_timeout(200)


def type_number(page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key} input").first
    box.fill(value)
    box.press("Enter")
    settle(page)


def wait_for_run(page, timeout: float = 60.0) -> None:
    """Wait until Streamlit reports no script run in progress (twice in a row)."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        running = page.evaluate(
            "() => !!document.querySelector(\"[data-testid='stStatusWidget'] "
            "[data-testid='stStatusWidgetRunningIcon'], [data-testid='stStatusWidgetRunningManIcon']\")"
        )
        stale = page.locator("[data-stale='true']").count()
        calm = calm + 1 if not running and stale == 0 else 0
        if calm >= 3:
            return
        page.wait_for_timeout(200)


def plot_div(page, key: str):
    loc = page.locator(f".st-key-{key} .js-plotly-plot")
    loc.first.wait_for(state="visible", timeout=60_000)
    return loc.first


def trace_texts(page, key: str) -> list[str]:
    """All per-point text labels of a chart's traces (e.g. 'm1', 's2')."""
    return page.evaluate(
        f"() => {{ const d = document.querySelector('.st-key-{key} .js-plotly-plot');"
        " if (!d || !d.data) return []; const out = [];"
        " for (const t of d.data) { if (Array.isArray(t.text)) out.push(...t.text); }"
        " return out; }"
    )


LIVE_METRIC_JS = """(label) => {
  const m = [...document.querySelectorAll('.st-key-live_metrics .sgd-metric')]
      .find(e => e.firstChild.textContent === label);
  return m ? m.lastChild.textContent : null;
}"""


def metric_value(page, label: str) -> str:
    """The live view's number ``label`` ("Steps per path", "State", ...)."""
    return page.evaluate(LIVE_METRIC_JS, label) or ""


def wait_for_live(page, label: str, pattern: str, timeout: float = 30_000) -> None:
    """Wait until the live number ``label`` matches the regular expression ``pattern``."""
    page.wait_for_function(
        f"([label, pattern]) => {{ const v = ({LIVE_METRIC_JS})(label);"
        " return v !== null && new RegExp(pattern).test(v); }",
        arg=[label, pattern], timeout=timeout)  # fmt: skip


def steps_done(page) -> int:
    return int(metric_value(page, "Steps per path").replace(",", "") or 0)


def go_to(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first.click()
    wait_for_run(page)


PLANE_PRESET = "paper-himmelblau"


def pick_plane_preset(page, server, preset: str = PLANE_PRESET) -> None:
    page.goto(server + "/")
    plot_div(page, "landscape_chart")
    settle(page)
    page.locator(".st-key-preset").click()
    page.get_by_role("option", name=ALL_PRESETS[preset].title).click()
    page.wait_for_function(
        "() => { const d = document.querySelector('.st-key-landscape_chart .js-plotly-plot');"
        " return d && d.data && d.data.some(t => t.type === 'contour'); }", timeout=90_000)
    settle(page, 90)


def type_formula(page, text: str) -> None:
    """Switch the Landscape page to Formula, type ``text`` and apply it (Ctrl+Enter)."""
    page.locator(".st-key-mode button").filter(has_text="Formula").click()
    settle(page)
    box = page.locator(".st-key-formula textarea")
    box.fill(text)
    box.press("Control+Enter")
    settle(page)


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/<name>.png and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

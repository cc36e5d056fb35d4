"""What a person sees and changes, read from the DOM: sidebar settings, the URL,
the link box, app error boxes. Shared by the click-through browser tests."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

from .test_browser_app import wait_for_run

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

"""Browser-test harness: a real `streamlit run app.py` on a free port, driven by
Debian's Chromium through Playwright's sync API.

The server is started once per session, waited for on /_stcore/health and
killed at the end. Every test is marked ``browser``; all are skipped (not
failed) when /usr/bin/chromium is absent. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import harness as LT
from tests.support.clicks import shot  # noqa: F401  (re-exported: it used to live here)
from tests.support.harness import ARTIFACTS, CHROMIUM


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def server():
    """Base URL of a streamlit server running app.py; killed after the session."""
    ARTIFACTS.mkdir(exist_ok=True)
    port = LT.free_port()
    proc = LT.start_server(port, ARTIFACTS / "streamlit-server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        LT.stop_server(proc)


@pytest.fixture(scope="session")
def warm_server(browser, server):
    """Open the default page once, so every test starts on a server that has run the
    app (kernels loaded, caches warm)."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(server + "/")
    pg.locator(".st-key-landscape_chart .js-plotly-plot").first.wait_for(timeout=90_000)
    ctx.close()
    return server


@pytest.fixture
def page(browser, warm_server):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    ctx.close()

"""Fixtures shared by every browser-driven test (tests/browser, faults, short load).

One pytest process may hold only one sync Playwright at a time: a second
``sync_playwright()`` while the first is open fails with "using Playwright Sync
API inside the asyncio loop". So Debian's chromium is launched once per session
here and every module borrows it (each test opens its own browser context).
"""

from __future__ import annotations

import pytest

from tests.load.load_test import CHROMIUM, LAUNCH_ARGS


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium driven by Playwright's sync API, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()

"""Fixtures shared by every browser-driven test (tests/browser, tests/hostile/test_hostile_faults.py,
the short load tests in tests/load).

One pytest process may hold only one sync Playwright at a time: a second
``sync_playwright()`` while the first is open fails with "using Playwright Sync
API inside the asyncio loop". So Debian's chromium is launched once per session
here and every module borrows it (each test opens its own browser context).
"""

from __future__ import annotations

import pytest

from tests.support.harness import chromium_browser


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium driven by Playwright's sync API, closed at the end."""
    with chromium_browser() as launched:
        yield launched


@pytest.fixture(scope="session")
def browser(chromium):
    """The same chromium under the name the browser and fault tests use."""
    return chromium

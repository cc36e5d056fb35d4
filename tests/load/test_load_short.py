"""Short version of the load test for the default pytest run (well under 90 s).

The full run is ``.venv/bin/python tests/load/load_test.py --sessions 10 --minutes 3``
(see docs/RELIABILITY.md); this one uses 2 sessions for 20 s of steady state and
the same checks: no errors, isolation, progress, bounded memory, an idle server
and no child process after the tabs were closed mid-run.
"""

from __future__ import annotations

import os

import pytest

from . import load_test

pytestmark = [
    pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(240),
    pytest.mark.skipif(not os.path.exists(load_test.CHROMIUM),
                       reason=f"{load_test.CHROMIUM} is not installed"),
    pytest.mark.skipif(not (load_test.ROOT / "app.py").exists(), reason="no dashboard yet"),
]


def test_short_load_run(chromium):
    result = load_test.run(sessions=2, minutes=1 / 3, interval=4.0, idle=8.0, paths=20,
                           warmup_timeout=150.0, quiet=True, shared_browser=chromium)
    print(load_test.summary(result))
    failed = [name for name, ok in result["verdict"].items() if not ok]
    assert not failed, f"{failed}\n{load_test.summary(result)}"

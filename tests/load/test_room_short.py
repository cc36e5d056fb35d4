"""Short version of the full-room measurement (tests/load/room_test.py): three sessions'
live runs fetched by light clients for 15 s. No error, every view updated at least once a
second, and the server's CPU per update measured."""

from __future__ import annotations

import os

import pytest

from . import load_test, room_test

pytestmark = [
    pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(300),
    pytest.mark.skipif(not os.path.exists(load_test.CHROMIUM), reason=f"{load_test.CHROMIUM} is not installed"),
]


def test_short_room_run(chromium):
    result = room_test.run(sessions=3, minutes=0.25, warmup=5.0, quiet=True, shared_browser=chromium)
    print(room_test.summary(result))
    assert not result["errors"], result["errors"]
    assert result["updates_per_s"]["min"] >= 1.0, room_test.summary(result)
    assert 0 < result["server_cpu_ms_per_update"] < 1000

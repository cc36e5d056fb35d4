"""Read the live parts of a simulation page (``widgets/livechart.py``) from an ``AppTest``.

The live numbers are drawn by the page's live component, not by ``st.metric``: each part's
payload is the JSON the browser gets (``{"key", "kind", "content", "stream", "steps"}``).
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def live_part(at: AppTest, key: str) -> dict:
    """The payload of the live part ``key`` on the page."""
    for element in at.get("bidi_component"):
        if element.proto.id.endswith("-" + key):
            return json.loads(element.proto.bytes)
    raise AssertionError(f"no live part {key!r} on the page")


def live_metric(at: AppTest, label: str) -> str:
    """The value of the live number ``label`` ("Steps per path", "State", ...)."""
    rows = dict(live_part(at, "live_metrics")["content"])
    return rows[label]


def live_steps(at: AppTest) -> int:
    """Steps per path so far, as the page shows it."""
    return int(live_metric(at, "Steps per path").replace(",", ""))

"""Streamlit glue in widgets/ that runs without a page: sketches from the canvas, the
fragment timer outside a fragment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import landscape
from widgets import sketch

# ------------------------------------------------------------------ sketches


def test_canvas_strokes_become_control_points():
    # a V drawn from the top left to the bottom middle to the top right
    w, h = sketch.CANVAS_W, sketch.CANVAS_H
    path = [["M", 0, 10]] + [["L", x, 10 + (h - 20) * (1 - abs(x - w / 2) / (w / 2))]
                             for x in np.linspace(0, w, 40)]
    pts = sketch.canvas_to_points({"objects": [{"type": "path", "path": path}]}, L=2.0)
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    assert xs[0] == -2.0 and xs[-1] == 2.0 and len(pts) == sketch.N_CONTROL
    assert ys[len(ys) // 2] < 0.1 and ys[0] > 0.9
    land = landscape.landscape_from_sketch(pts)
    assert land.kind == "sketch"


def test_empty_canvas_is_a_clear_error():
    with pytest.raises(ValueError, match="Nothing drawn"):
        sketch.canvas_to_points({"objects": []}, L=1.0)


def test_table_to_points_drops_blank_rows_and_sorts():
    df = pd.DataFrame({"x": [1.0, None, -1.0, 0.0], "y": [2.0, 3.0, 1.0, float("nan")]})
    assert sketch.table_to_points(df) == [(-1.0, 1.0), (1.0, 2.0)]


def test_fragment_timer_is_a_no_op_outside_a_fragment():
    from widgets import fragment_timer

    assert fragment_timer.set_fragment_interval(0.5) is False

"""Sketching a landscape: freehand canvas and/or a table of control points.

The conversions (canvas strokes -> control points, table <-> sketch string)
are pure functions; ``sketch_editor`` is the Streamlit part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dashboard import state as S

CANVAS_W, CANVAS_H = 300, 200
N_CONTROL = 17


def stroke_points(json_data: dict | None) -> np.ndarray:
    """All (x, y) canvas-pixel points of the freehand paths in a Fabric.js JSON."""
    pts: list[tuple[float, float]] = []
    for obj in (json_data or {}).get("objects", []) or []:
        path = obj.get("path")
        if not path:
            continue
        for cmd in path:
            nums = [v for v in cmd[1:] if isinstance(v, (int, float))]
            for k in range(0, len(nums) - 1, 2):
                pts.append((float(nums[k]), float(nums[k + 1])))
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def canvas_to_points(
    json_data: dict | None, L: float, *, width: int = CANVAS_W, height: int = CANVAS_H,
    n: int = N_CONTROL,
) -> list[tuple[float, float]]:  # fmt: skip
    """Resample drawn strokes into ``n`` control points over [-L, L].

    The canvas spans x in [-L, L] left to right and f in [0, 1] bottom to top.
    Bins with no ink are filled by linear interpolation; fewer than 4 inked
    bins raise ValueError (draw across more of the width).
    """
    pts = stroke_points(json_data)
    if len(pts) < 2:
        raise ValueError("Nothing drawn yet: draw a curve from left to right across the canvas.")
    x = -L + 2 * L * np.clip(pts[:, 0], 0, width) / width
    y = 1.0 - np.clip(pts[:, 1], 0, height) / height
    grid = np.linspace(-L, L, n)
    half = L / (n - 1)
    vals = np.full(n, np.nan)
    for i, g in enumerate(grid):
        sel = np.abs(x - g) <= half
        if sel.any():
            vals[i] = float(np.mean(y[sel]))
    ok = np.isfinite(vals)
    if ok.sum() < 4:
        raise ValueError("The drawing is too short: draw across most of the canvas width.")
    vals = np.interp(grid, grid[ok], vals[ok])
    return [(round(float(a), 4), round(float(b), 4)) for a, b in zip(grid, vals)]


def landscape_to_points(f, L: float, n: int = N_CONTROL) -> list[tuple[float, float]]:
    """Control points that sample f (scaled to [0, 1]) -- a starting sketch."""
    grid = np.linspace(-L, L, n)
    with np.errstate(all="ignore"):
        y = np.asarray(f(grid), dtype=float)
    y = np.where(np.isfinite(y), y, np.nan)
    lo, hi = np.nanmin(y), np.nanmax(y)
    y = (y - lo) / (hi - lo) if hi > lo else np.zeros_like(y)
    return [(round(float(a), 4), round(float(b), 4)) for a, b in zip(grid, y)]


def table_to_points(df: Any) -> list[tuple[float, float]]:
    """Rows of a DataFrame with columns x, y -> sorted points; blank rows dropped."""
    pts = []
    for x, y in zip(df["x"], df["y"]):
        try:
            xf, yf = float(x), float(y)
        except (TypeError, ValueError):
            continue
        if np.isfinite(xf) and np.isfinite(yf):
            pts.append((xf, yf))
    pts.sort()
    return pts


def sketch_editor(p: dict[str, Any]) -> None:
    """Canvas + control-point table; writes p['sketch'] (via set_param)."""
    import pandas as pd
    import streamlit as st

    from widgets import session, ui

    L = float(p["L"])
    if not p["sketch"]:
        try:
            land = ui.get_landscape(ui.preset_source(p["preset"]))
            session.write("sketch", S.format_sketch(landscape_to_points(land.f, L)))
        except ValueError:
            session.write("sketch", S.format_sketch([(-L, 1), (-L / 2, 0), (0, 0.6), (L / 2, 0.1), (L, 1)]))

    st.markdown("Draw f from left (x = -L) to right (x = +L), then **Use drawing**; "
                "or edit the control points below. The curve through them is smooth.")  # fmt: skip
    try:
        from streamlit_drawable_canvas import st_canvas

        canvas = st_canvas(
            stroke_width=3, stroke_color="#1f3b73", background_color="#f7f7fb",
            height=CANVAS_H, width=CANVAS_W, drawing_mode="freedraw", key="sketch_canvas",
        )  # fmt: skip
        canvas_data = canvas.json_data
    except Exception as err:  # noqa: BLE001 - the canvas is optional
        st.info(f"The drawing canvas is unavailable ({err}); edit the table instead.")
        canvas_data = None
    if st.button("Use drawing", key="use_drawing"):
        try:
            pts = canvas_to_points(canvas_data, L)
        except ValueError as err:
            st.warning(str(err))
        else:
            session.write("sketch", S.format_sketch(pts))
            session.pop(session.SKETCH_TABLE_WIDGET)
            session.pop(session.SKETCH_BASE)
            st.rerun()

    if not session.has(session.SKETCH_TABLE_WIDGET) or not session.has(session.SKETCH_BASE):
        try:
            base = S.parse_sketch(p["sketch"])
        except ValueError:
            base = []
        session.put(session.SKETCH_BASE, pd.DataFrame(base, columns=["x", "y"], dtype=float))
    edited = st.data_editor(
        session.get(session.SKETCH_BASE), key=session.SKETCH_TABLE_WIDGET, num_rows="dynamic", hide_index=True,
        column_config={
            "x": st.column_config.NumberColumn("x", format="%.3f", required=True),
            "y": st.column_config.NumberColumn("f(x)", format="%.3f", required=True),
        },
    )  # fmt: skip
    pts = table_to_points(edited)
    session.write("sketch", S.format_sketch(pts))

"""Streamlit glue for two-dimensional landscapes (THEORY §10): cached analysis and grids,
the start point (x0, y0) in the ball, a click on a chart to move it.

A landscape is two-dimensional when ``landscape.load_landscape`` returns a
``PlaneLandscape`` (``dimension == 2``). The sidebar's L is then the ball's radius R
(same URL parameter ``L``); the start is (x0, y0).
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
import streamlit as st
from cachetools import LRUCache

import landscape
from dashboard import figures_plane as FP
from dashboard import state as S
from widgets import session, ui

ANALYSES_KEPT = 64
_ANALYSES: LRUCache = LRUCache(maxsize=ANALYSES_KEPT)
_ANALYSES_LOCK = threading.Lock()


def get_plane_analysis(source: str, R: float, b: float, alpha: float | None, progress=None):
    """``analyze_plane`` once per (formula, R, b, alpha) and process; ``progress(share,
    stage)`` is called only while it is computed. (A process-wide LRU instead of
    ``st.cache_resource``, which may not draw the progress bar from inside the function.)"""
    from landscape.plane_analysis import analyze_plane

    key = (source, R, b, alpha)
    with _ANALYSES_LOCK:
        hit = _ANALYSES.get(key)
    if hit is not None:
        return hit
    analysis = analyze_plane(ui.get_landscape(source), R, b, alpha, progress=progress)
    with _ANALYSES_LOCK:
        _ANALYSES[key] = analysis
    return analysis


@st.cache_resource(max_entries=32, show_spinner=False)
def get_f_grid(source: str, R: float, n: int = 161) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f on the grid the contour charts draw (read-only arrays)."""
    grid = FP.f_grid(ui.get_landscape(source).f, R, n)
    for a in grid:
        a.setflags(write=False)
    return grid


def current_plane_analysis(source: str, *, b: float | None = None):
    """(analysis or None, error message or None) for the sidebar's R, b and alpha."""
    p = ui.params()
    bb = S.effective_b(p) if b is None else b
    slot = st.empty()
    bar = []

    def progress(share: float, stage: str) -> None:  # only called when the analysis is computed
        text = f"Analysing f in the ball: {stage}"
        if not bar:
            bar.append(slot.progress(0.0, text=text))
        bar[0].progress(min(1.0, max(0.0, float(share))), text=text)

    try:
        return get_plane_analysis(source, float(p["L"]), float(bb), float(p["alpha"]), progress), None
    except ValueError as err:
        return None, str(err)
    except Exception as err:  # noqa: BLE001 - never show a traceback to the user
        return None, f"The analysis failed: {err}"
    finally:
        slot.empty()


def page_plane() -> tuple[Any, str, Any, str | None]:
    """(landscape, source, analysis or None, error) for the 2-D pages after Landscape
    (a refused landscape never gets here: the pages dispatch on ``ui.landscape_dimension()``)."""
    land, source, _ = ui.current_landscape()
    analysis, err = current_plane_analysis(source)
    return land, source, analysis, err


def plane_start(R: float) -> tuple[float, float]:
    """The start (x0, y0), moved onto the ball's edge (with a notice) if it lies outside."""
    p = ui.params()
    x0, y0 = float(p["x0"]), float(p["y0"])
    r = math.hypot(x0, y0)
    if r > R:
        k = R / r
        why = f"the start must lie in the ball of radius R = {R:g}"
        session.adjust("x0", round(x0 * k, 4), why)
        session.adjust("y0", round(y0 * k, 4), why)
        x0, y0 = float(p["x0"]), float(p["y0"])
    return x0, y0


def pick_start(chart_key: str, R: float):
    """An ``on_select`` callback for a chart drawn with ``pickable=True``: the clicked grid
    point becomes the start (x0, y0)."""

    def picked() -> None:
        try:
            pts = session.chart_points(chart_key)
            x, y = float(pts[0]["x"]), float(pts[0]["y"])
        except (KeyError, IndexError, TypeError, ValueError):
            return
        r = math.hypot(x, y)
        if r > R:
            x, y = x * R / r, y * R / r
        session.write("x0", round(x, 4))
        session.write("y0", round(y, 4))

    return picked


def minimiser_text(fl) -> str:
    """'(3, 2)' for a point, '(2.6, 2)–(3.4, 2)' for a segment."""
    pts = np.asarray(fl.minimiser.points, dtype=float).reshape(-1, 2)
    return "–".join(f"({x:.4g}, {y:.4g})" for x, y in pts)


def surviving(analysis) -> tuple[int, ...]:
    """Large minima of absorbing classes (0-based), from the shared graph code."""
    return landscape.surviving_minima(analysis.structure.classes)


def fields_table(analysis, alpha: float) -> list[dict[str, Any]]:
    """One row per field: minimiser, f there, width r, l*, shape, verdict at this b, area, beta.

    A field with nothing to escape to (one field in the ball) has no width and no l*:
    those cells are left empty, as in the 1-D table, and the caption says why. A
    minimiser on the ball's wall is a "wall point", not a wide or sharp minimum.
    """
    large = FP.large_fields(analysis)
    alive = set(surviving(analysis))
    rows = []
    for i, fl in enumerate(analysis.fields):
        bounded = math.isfinite(float(fl.width))
        lstar = int(fl.l_star) if bounded else None
        at_wall = bool(fl.minimiser.at_wall)
        rows.append({
            "field": f"Ω{i + 1}", "minimiser": minimiser_text(fl), "f": round(float(fl.minimiser.value), 4),
            "r": round(float(fl.width), 4) if bounded else None, "l*": lstar,
            "shape": "wall point" if at_wall else ("wide" if i in large else "sharp"),
            "at this b": "survives" if i in alive else "eliminated",
            "area": f"{float(fl.area_share):.0%}",
            "β": round(landscape.exit_exponent(alpha, lstar), 3) if lstar else None,
        })  # fmt: skip
    return rows


def centre_of(fl) -> tuple[float, float]:
    """Where a run starts in field ``fl``: its minimum, or its segment's middle."""
    return FP.centre(fl.minimiser.points)

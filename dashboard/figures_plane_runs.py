"""Plotly figure builders for runs on two-dimensional landscapes: sampled paths over the
contours, the occupancy histogram, the field of each path over time (the paper's Fig. 3(d))
and the time per field. Pure: no Streamlit; plain dicts for the live views (``as_dict``).
The landscape's own drawing (contours, fields, critical points) is ``dashboard.figures_plane``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import CURVE, MAXC, PATH_COLOURS, SHARP, WIDE, sub
from dashboard.figures_plane import (
    MARGIN,
    ball_shape,
    contour_trace,
    critical_traces,
    large_fields,
    square_axes,
)
from dashboard.figures_runs import figure_or_dict


def plane_paths_figure(trace, grid, analysis, *, R: float, max_paths: int = 6, max_points: int = 600,
                       height: int = 460, title: str = "", as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """Sampled paths (``trace``: (paths, k, 2)) over the contour lines, the last point of each
    marked; at most ``max_paths`` paths of ``max_points`` points (bounded payload per refresh)."""
    tr = np.asarray(trace, dtype=float)
    xs, ys, z = grid
    data: list[dict] = [contour_trace(xs, ys, z, ncontours=16, hover=False)]
    if analysis is not None:
        data += critical_traces(analysis)
    if tr.ndim == 3 and tr.shape[1] > 0:
        k = tr.shape[1]
        idx = np.linspace(0, k - 1, min(k, max_points)).astype(int) if k > max_points else slice(None)
        for p in range(min(tr.shape[0], max_paths)):
            pts = np.round(tr[p][idx], 3)  # a thousandth of a unit: plenty on screen, short JSON
            colour = PATH_COLOURS[p % len(PATH_COLOURS)]
            data.append({"type": "scatter", "x": np.round(pts[:, 0], 4), "y": np.round(pts[:, 1], 4), "mode": "lines",
                         "line": {"color": colour, "width": 1}, "opacity": 0.8, "showlegend": False,
                         "hoverinfo": "skip"})  # fmt: skip
            data.append({"type": "scatter", "x": [tr[p, -1, 0]], "y": [tr[p, -1, 1]], "mode": "markers",
                         "marker": {"color": colour, "size": 9, "line": {"color": "#fff", "width": 1}},
                         "showlegend": False,
                         "hovertemplate": f"path {p + 1} now (%{{x:.3f}}, %{{y:.3f}})<extra></extra>"})  # fmt: skip
    layout = {"height": height, "margin": dict(MARGIN), "hovermode": "closest", "uirevision": "plane-paths",
              "shapes": [ball_shape(R)], "showlegend": False,
              "title": {"text": title, "y": 0.98} if title else None, **square_axes(R)}  # fmt: skip
    layout["margin"]["t"] = 40 if title else 20
    return figure_or_dict(data, layout, as_dict)


def _coarsen(h: np.ndarray, max_bins: int) -> np.ndarray:
    """Sum k x k blocks of ``h`` so that neither side exceeds ``max_bins`` (k divides the
    side; the default 200 bins become 100)."""
    k = max(1, math.ceil(max(h.shape) / max_bins))
    while h.shape[0] % k or h.shape[1] % k:
        k += 1
    if k == 1:
        return h
    return h.reshape(h.shape[0] // k, k, h.shape[1] // k, k).sum(axis=(1, 3))


def plane_occupancy_figure(histogram, extent, analysis, *, R: float, height: int = 420,
                           title: str = "Where the iterates are", max_bins: int = 100,
                           as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """The 2-D occupancy histogram ([row = y bin, col = x bin] over ``extent``, as
    ``simulate.plane`` counts it) on a log colour scale, empty cells blank, with the minima.
    At most ``max_bins`` per side are drawn (blocks summed: a bounded payload per refresh)."""
    h = _coarsen(np.atleast_2d(np.asarray(histogram, dtype=float)), max_bins)
    total = int(h.sum())
    x0, x1, y0, y1 = extent
    ex, ey = np.linspace(x0, x1, h.shape[1] + 1), np.linspace(y0, y1, h.shape[0] + 1)
    z = np.full(h.shape, np.nan)
    np.log10(h, out=z, where=h > 0)
    data: list[dict] = [{
        "type": "heatmap", "x": (ex[:-1] + ex[1:]) / 2, "y": (ey[:-1] + ey[1:]) / 2, "z": np.round(z, 3),
        "customdata": h.astype(np.int64), "colorscale": "Viridis", "showscale": False, "name": "visits",
        "hovertemplate": "(%{x:.2f}, %{y:.2f})<br>%{customdata:,.0f} visits<extra></extra>",
    }]  # fmt: skip
    if analysis is not None:
        data += critical_traces(analysis)
    layout = {"height": height, "margin": {"l": 45, "r": 15, "t": 55, "b": 40}, "hovermode": "closest",
              "uirevision": "plane-hist", "shapes": [ball_shape(R)], "showlegend": False,
              "title": {"text": f"{title}<br><sub>{total:,} steps, log colour scale</sub>", "y": 0.97},
              **square_axes(R)}  # fmt: skip
    return figure_or_dict(data, layout, as_dict)


def _field_names(m: int) -> list[str]:
    return [f"Ω{sub(i)}" for i in range(m)]


def field_index_figure(steps, trace_fields, m: int, *, max_paths: int = 3, max_points: int = 1500,
                       height: int = 260, as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """Which field each path is in over time (the paper's Fig. 3(d)); a value outside
    0..m-1 (not in any field) is drawn on a row "out" below Ω1."""
    tf = np.atleast_2d(np.asarray(trace_fields))
    steps = np.asarray(steps)
    data: list[dict] = []
    k = tf.shape[1] if tf.size else 0
    idx = np.linspace(0, k - 1, min(k, max_points)).astype(int) if k > max_points else np.arange(k)
    for p in range(min(tf.shape[0] if tf.size else 0, max_paths)):
        row = tf[p][idx].astype(float)
        row = np.where((row >= 0) & (row < m), row + 1, 0).astype(np.int64)
        data.append({"type": "scatter", "x": steps[idx] if len(steps) == k else idx, "y": row,
                     "mode": "lines", "line": {"shape": "hv", "width": 1.5, "color": PATH_COLOURS[p % 10]},
                     "name": f"path {p + 1}",
                     "hovertemplate": "step %{x:,}<br>field %{y}<extra>path " + str(p + 1) + "</extra>"})  # fmt: skip
    layout = {"height": height, "margin": {"l": 55, "r": 15, "t": 40, "b": 40}, "hovermode": "closest",
              "uirevision": "plane-fields",
              "title": {"text": "Field of the iterate over time", "y": 0.95, "x": 0.02, "xanchor": "left"},
              "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
              "xaxis": {"title": {"text": "step (per path)"}},
              "yaxis": {"tickvals": list(range(m + 1)), "ticktext": ["out", *_field_names(m)],
                        "range": [-0.4, m + 0.4]}}  # fmt: skip
    return figure_or_dict(data, layout, as_dict)


def field_time_figure(field_fraction: Sequence[float], analysis=None, *,
                      near_fraction: Sequence[float] | None = None, height: int = 280,
                      title: str = "Time per field", as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """Share of the steps in each field (the last entry: in no field), and, if given, within
    0.5 of each field's minimiser (the paper's count; last: "out")."""
    fr = np.asarray(field_fraction, dtype=float)
    m = len(fr) - 1
    large = large_fields(analysis) if analysis is not None else set()
    colours = [(WIDE if i in large else SHARP) if analysis is not None else CURVE for i in range(m)] + [MAXC]
    names = [*_field_names(m), "out"]
    data: list[dict] = [{"type": "bar", "x": names, "y": fr, "name": "in the field", "marker": {"color": colours},
                         "text": [f"{v:.1%}" for v in fr], "textposition": "outside",
                         "hovertemplate": "%{x}: %{y:.2%} of steps in the field<extra></extra>"}]  # fmt: skip
    if near_fraction is not None:
        nf = np.asarray(near_fraction, dtype=float)
        data.append({"type": "bar", "x": [*_field_names(len(nf) - 1), "out"], "y": nf,
                     "name": "within 0.5 of its minimiser (paper)",
                     "marker": {"color": colours[: len(nf)], "opacity": 0.55, "pattern": {"shape": "/"}},
                     "text": [f"{v:.1%}" for v in nf], "textposition": "outside",
                     "hovertemplate": "%{x}: %{y:.2%} of steps near the minimiser<extra></extra>"})  # fmt: skip
    layout: dict[str, Any] = {
        "height": height, "barmode": "group", "margin": {"l": 50, "r": 15, "t": 60, "b": 35},
        "uirevision": "plane-frac", "title": {"text": title, "y": 0.97, "x": 0.02, "xanchor": "left"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        "yaxis": {"range": [0, 1.15], "tickformat": ".0%"}, "showlegend": near_fraction is not None,
    }  # fmt: skip
    return figure_or_dict(data, layout, as_dict)

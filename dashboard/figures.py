"""Plotly figure builders for the landscape and graph pages, the shared palette and the
text helpers. Pure: no Streamlit import.

Each builder takes plain arrays and the frozen result objects of
``landscape``/``simulate`` and returns a ``plotly.graph_objects.Figure``.
Minima: the marker's shape is their geometry (circle: wide, triangle: sharp, by the
field width r), its colour the verdict at this b (filled green: survives, hollow red:
eliminated); maxima grey.
Figures of runs (live paths, occupancy, exit studies) are in ``dashboard.figures_runs``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from landscape.sweep import wide_minima
from landscape.theory import surviving_minima

WIDE = "#2ca02c"
SHARP = "#d62728"
MAXC = "#7f7f7f"
START = "#e377c2"  # the start point x0
NEUTRAL = "#888888"  # lines that must show on white and on the dark theme
DEGEN = "#ff7f0e"
CURVE = "#3d6fc4"  # mid-tone: readable on the light and the dark theme
GRAPH_CURVE = {False: "rgba(31,59,115,0.4)", True: "rgba(170,195,240,0.6)"}  # f under the graph, per theme
FIELD_FILLS = ("rgba(31,119,180,0.07)", "rgba(255,127,14,0.07)")
CLASS_COLOURS = ("#1f77b4", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e")
PATH_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip

LAYOUT = {
    "margin": {"l": 50, "r": 20, "t": 50, "b": 45},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    "hovermode": "closest",
}


GLOSSARY = (
    "**absorbing**: a class of minima the iterates do not leave · **large**: a minimum that "
    "needs the most jumps of its class to leave (l\\* = l\\*\\_G); the large minima of absorbing "
    "classes survive · **l\\* = ⌈r/b⌉**: jumps of size at most b needed to leave a field of "
    "width r · **β = α + (α−1)(l\\*−1)**: the mean exit time grows like (1/η)^β."
)
"""A one-line glossary of the transition-graph words (markdown, ``*`` escaped)."""


def theme_text_colours(dark: bool) -> tuple[str, str]:
    """(text, background) colours of labels drawn over a chart: Streamlit's text and
    background colours of the light or the dark theme."""
    return ("#fafafa", "rgba(14,17,23,0.85)") if dark else ("#31333f", "rgba(255,255,255,0.85)")


def sub(i: int) -> str:
    """1-based subscript label used in the paper: 1 -> '1'."""
    return str(i + 1)


def plural(n: int, one: str, many: str) -> str:
    """``one`` if n == 1 else ``many``."""
    return one if n == 1 else many


def count_noun(n: int, one: str, many: str) -> str:
    """'1 maximum', '3 maxima'."""
    return f"{n} {plural(n, one, many)}"


def si_rate(value: float) -> str:
    """A rate that fits a narrow metric: 41,470,000 -> '41.5 M'."""
    for factor, unit in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{unit}"
    return f"{value:.3g}"


def md_escape(text: str) -> str:
    """Text with * and _ shown as typed in markdown (l*_{1,2} is not italics)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def curve(f, L: float, n: int = 801) -> tuple[np.ndarray, np.ndarray]:
    """Sample f on [-L, L]; non-finite values become NaN so Plotly leaves gaps."""
    xs = np.linspace(-L, L, n)
    with np.errstate(all="ignore"):
        ys = np.asarray(f(xs), dtype=float)
    if ys.shape != xs.shape:
        ys = np.broadcast_to(ys, xs.shape).astype(float)
    ys = np.where(np.isfinite(ys), ys, np.nan)
    return xs, ys


def y_range(ys: np.ndarray, focus: Sequence[float] = ()) -> tuple[float, float]:
    """A y range for f: the whole curve, or -- if the curve shoots off near the walls --
    a window around the critical values ``focus`` so the wells stay visible."""
    finite = ys[np.isfinite(ys)]
    if finite.size == 0:
        return -1.0, 1.0
    lo, hi = float(np.min(finite)), float(np.max(finite))
    fc = [float(v) for v in focus if v is not None and math.isfinite(v)]
    if len(fc) >= 2:
        flo, fhi = min(fc), max(fc)
        span = max(fhi - flo, 1e-12)
        if hi - lo > 4 * span:
            lo, hi = max(lo, flo - 0.6 * span), min(hi, fhi + 1.5 * span)
    pad = 0.08 * (hi - lo) if hi > lo else 1.0
    return lo - pad, hi + pad


def f_view_range(ys: np.ndarray, analysis, f) -> tuple[float, float]:
    """The y range the landscape chart uses (wells visible even if f explodes at the walls)."""
    return y_range(ys, critical_values(analysis, f) if analysis is not None else ())


def critical_values(analysis, f) -> list[float]:
    pts = list(getattr(analysis, "minima", ())) + list(getattr(analysis, "maxima", ()))
    if f is None or not pts:
        return []
    with np.errstate(all="ignore"):
        return [float(v) for v in np.asarray(f(np.asarray(pts, dtype=float)), dtype=float)]


def _field_bounds(field, L: float) -> tuple[float, float]:
    left = -L if field.left is None else max(field.left, -L)
    right = L if field.right is None else min(field.right, L)
    return left, right


def escape_text(width: float, l_star, sep: str = ", ") -> str:
    """"r=0.211, l*=2", or words for a field with nothing to escape to (r infinite)."""
    if width is None or not math.isfinite(float(width)):
        return "one field: nothing to escape to"
    lstar = "—" if l_star is None else str(int(l_star))
    return f"r={float(width):.3g}{sep}l*={lstar}"


def field_label(field, b: float) -> str:
    return f"Ω{sub(field.index)}<br>{escape_text(field.width, field.l_star, sep='<br>')}"


def _roomy_labels(centres: Sequence[float], L: float, share: float = 0.11) -> list[bool]:
    """For each field label centred at ``centres``: is it at least ``share`` of the axis
    [-L, L] away from its neighbours (room for the three-line label on a projector)?"""
    gap = share * 2 * L
    return [all(abs(c - centres[j]) >= gap for j in (i - 1, i + 1) if 0 <= j < len(centres))
            for i, c in enumerate(centres)]


def landscape_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    analysis: Any | None,
    f=None,
    *,
    title: str = "",
    L: float | None = None,
    show_fields: bool = True,
    height: int = 430,
    x0: float | None = None,
    pickable: bool = False,
) -> go.Figure:
    """f on [-L, L] with minima/maxima marked and attraction fields shaded.

    ``pickable``: give the curve (invisible) markers, so a click selects a point of it
    (Plotly selects markers, not bare lines) -- used to choose the start point.

    ``analysis`` may be None (nothing to mark) or an ``landscape.Analysis``;
    if its assumption checks failed the fields are not shaded.
    """
    L = float(L if L is not None else xs[-1])
    fig = go.Figure()
    pick = {
        "mode": "lines+markers", "marker": {"size": 6, "color": "rgba(31,59,115,0.01)"},
        "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}},
    } if pickable else {"mode": "lines"}  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, name="f(x)", line={"color": CURVE, "width": 2.5},
            hovertemplate=("click to start here: " if pickable else "")
            + "x=%{x:.3f}<br>f=%{y:.4g}<extra></extra>", **pick,
        )
    )  # fmt: skip
    y_lo, y_hi = y_range(ys, critical_values(analysis, f) if analysis is not None else ())
    if analysis is not None:
        ok = bool(getattr(analysis, "assumption1_ok", True))
        if show_fields and ok:
            bounds = [_field_bounds(fld, L) for fld in analysis.fields]
            full = _roomy_labels([(a + c) / 2 for a, c in bounds], L)
            for fld, (a, c), roomy in zip(analysis.fields, bounds, full):
                fig.add_vrect(
                    x0=a, x1=c, fillcolor=FIELD_FILLS[fld.index % 2], line_width=0, layer="below"
                )
                # a field too close to its neighbours for the whole label gets its name only,
                # alternately higher and lower (14 fields stay legible); the whole label is its
                # hover text
                fig.add_annotation(
                    x=(a + c) / 2, y=1.0 if roomy or fld.index % 2 == 0 else 0.95, yref="paper",
                    yanchor="top", showarrow=False, font={"size": 11},
                    text=field_label(fld, analysis.b) if roomy else f"Ω{sub(fld.index)}",
                    hovertext=field_label(fld, analysis.b),
                )  # fmt: skip
        _mark_critical_points(fig, analysis, f, ok)
    if x0 is not None and f is not None and math.isfinite(x0):
        with np.errstate(all="ignore"):
            y0 = float(np.asarray(f(np.array([x0], dtype=float)))[0])
        fig.add_trace(
            go.Scatter(
                x=[x0], y=[y0], mode="markers", name="start x₀",
                marker={"symbol": "diamond", "size": 12, "color": START, "line": {"color": "#fff", "width": 1}},
                hovertemplate="start x₀=%{x:.3f}<extra></extra>",
            )
        )  # fmt: skip
    # leave headroom for field labels
    top = y_hi + 0.28 * (y_hi - y_lo)
    layout = dict(LAYOUT)
    if title:
        layout["margin"] = {"l": 50, "r": 20, "t": 80, "b": 45}
    fig.update_layout(title={"text": title, "y": 0.98} if title else None, height=height,
                      xaxis_title="x", yaxis_title="f(x)", **layout)
    fig.update_xaxes(range=[-L * 1.02, L * 1.02])
    bottom = y_lo - (0.08 * (y_hi - y_lo) if analysis is not None else 0.0)  # the lowest "m1" label
    fig.update_yaxes(range=[bottom, top])
    return fig


def _mark_critical_points(fig: go.Figure, analysis, f, ok: bool) -> None:
    def fy(pts):
        if f is None or len(pts) == 0:
            return [None] * len(pts)
        with np.errstate(all="ignore"):
            return list(np.asarray(f(np.asarray(pts, dtype=float)), dtype=float))

    fields = list(analysis.fields) if ok else []
    if fields:
        wide = set(wide_minima([fl.width for fl in fields]))
        alive = set(surviving_minima(analysis.classes))
        at_b = "without clipping" if not math.isfinite(analysis.b) else f"at b = {analysis.b:.3g}"
        for is_wide, survives in ((True, True), (False, True), (True, False), (False, False)):
            group = [fl for fl in fields if (fl.index in wide) == is_wide and (fl.index in alive) == survives]
            if not group:
                continue
            shape = "wide" if is_wide else "sharp"
            verdict = "survives" if survives else "eliminated"
            colour = WIDE if survives else SHARP
            xm = [fl.minimum for fl in group]
            fig.add_trace(
                go.Scatter(
                    x=xm, y=fy(xm), mode="markers+text", name=f"{shape}, {verdict}",
                    marker={"color": colour if survives else "rgba(0,0,0,0)", "size": 13,
                            "symbol": "circle" if is_wide else "triangle-down",
                            "line": {"color": colour, "width": 1 if survives else 2.5}},
                    text=[f"m{sub(fl.index)}" for fl in group], textposition="bottom center",
                    textfont={"color": colour},
                    customdata=[[escape_text(fl.width, fl.l_star), fl.curvature] for fl in group],
                    hovertemplate=f"minimum x=%{{x:.4f}}: {shape}, {verdict} {at_b}<br>"
                    "%{customdata[0]}<br>f''=%{customdata[1]:.3g}<extra></extra>",
                )
            )  # fmt: skip
        fig.update_layout(legend_title_text=f"minima (shape by r) {at_b}:")
    else:
        xm = list(analysis.minima)
        if xm:
            fig.add_trace(
                go.Scatter(
                    x=xm, y=fy(xm), mode="markers", name="minimum",
                    marker={"color": WIDE, "size": 12}, hovertemplate="minimum x=%{x:.4f}<extra></extra>",
                )
            )  # fmt: skip
    xs_max = list(analysis.maxima)
    if xs_max:
        fig.add_trace(
            go.Scatter(
                x=xs_max, y=fy(xs_max), mode="markers+text", name="maximum",
                marker={"color": MAXC, "size": 11, "symbol": "x"},
                text=[f"s{i + 1}" for i in range(len(xs_max))], textposition="top center",
                hovertemplate="maximum x=%{x:.4f}<extra></extra>",
            )
        )  # fmt: skip
    deg = list(getattr(analysis, "degenerate", ()) or ())
    if deg:
        fig.add_trace(
            go.Scatter(
                x=deg, y=fy(deg), mode="markers", name="degenerate critical point",
                marker={"color": DEGEN, "size": 12, "symbol": "square"},
                hovertemplate="degenerate x=%{x:.4f}<extra></extra>",
            )
        )  # fmt: skip


def smoothing_figure(xs, ys, gs, regions, target: float, *, L: float, height: int = 360,
                     f_range=None) -> go.Figure:  # fmt: skip
    """f and the smoothed loss g(x) = E[f(x - W)], with the region where g is one-point
    convex toward the minimum ``target`` shaded (Kleinberg, Li & Yuan)."""
    fig = go.Figure()
    for lo, hi in regions:
        fig.add_vrect(x0=lo, x1=hi, fillcolor=WIDE, opacity=0.12, line_width=0)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="f(x)",
                             line={"color": CURVE, "width": 1.5, "dash": "dot"}))  # fmt: skip
    fig.add_trace(go.Scatter(x=xs, y=gs, mode="lines", name="g(x) = E[f(x − W)]",
                             line={"color": SHARP, "width": 2.5}))  # fmt: skip
    fig.add_vline(x=target, line={"color": WIDE, "width": 2})
    layout = dict(LAYOUT)
    layout["margin"] = {"l": 50, "r": 20, "t": 50, "b": 45}
    fig.update_layout(height=height, title={"text": "Smoothed loss; green: one-point convex toward "
                                                    f"x* = {target:.3f}", "y": 0.97}, **layout)  # fmt: skip
    fig.update_xaxes(range=[-L * 1.02, L * 1.02], title="x")
    if f_range is not None:
        fig.update_yaxes(range=list(f_range))
    return fig


def formula_caret(text: str, position: int | None, width: int = 80) -> str:
    """Two lines: the formula and a caret under the offending character."""
    if position is None:
        return text
    pos = max(0, min(int(position), len(text)))
    start = max(0, pos - width // 2)
    shown = text[start : start + width]
    return f"{shown}\n{' ' * (pos - start)}^"

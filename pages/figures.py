"""Plotly figure builders for the dashboard. Pure: no Streamlit import.

Each builder takes plain arrays and the frozen result objects of
``landscape``/``simulate`` and returns a ``plotly.graph_objects.Figure``.
Colours: wide (large) minima green, sharp (small) minima red, maxima grey.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

WIDE = "#2ca02c"
SHARP = "#d62728"
MAXC = "#7f7f7f"
START = "#e377c2"  # the start point x0
NEUTRAL = "#888888"  # lines that must show on white and on the dark theme
DEGEN = "#ff7f0e"
CURVE = "#3d6fc4"  # mid-tone: readable on the light and the dark theme
FIELD_FILLS = ("rgba(31,119,180,0.07)", "rgba(255,127,14,0.07)")
CLASS_COLOURS = ("#1f77b4", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e")
PATH_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip

_LAYOUT = {
    "margin": {"l": 50, "r": 20, "t": 50, "b": 45},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    "hovermode": "closest",
}


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


def _y_range(ys: np.ndarray, focus: Sequence[float] = ()) -> tuple[float, float]:
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
    return _y_range(ys, critical_values(analysis, f) if analysis is not None else ())


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


def field_label(field, b: float) -> str:
    lstar = "—" if field.l_star is None else str(field.l_star)
    return f"Ω{sub(field.index)}<br>r={field.width:.3g}<br>l*={lstar}"


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
    y_lo, y_hi = _y_range(ys, critical_values(analysis, f) if analysis is not None else ())
    if analysis is not None:
        ok = bool(getattr(analysis, "assumption1_ok", True))
        if show_fields and ok:
            for fld in analysis.fields:
                a, c = _field_bounds(fld, L)
                fig.add_vrect(
                    x0=a, x1=c, fillcolor=FIELD_FILLS[fld.index % 2], line_width=0, layer="below"
                )
                fig.add_annotation(
                    x=(a + c) / 2, y=1.0, yref="paper", yanchor="top", showarrow=False,
                    text=field_label(fld, analysis.b), font={"size": 11},
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
    layout = dict(_LAYOUT)
    if title:
        layout["margin"] = {"l": 50, "r": 20, "t": 80, "b": 45}
    fig.update_layout(title={"text": title, "y": 0.98} if title else None, height=height,
                      xaxis_title="x", yaxis_title="f(x)", **layout)
    fig.update_xaxes(range=[-L * 1.02, L * 1.02])
    fig.update_yaxes(range=[y_lo, top])
    return fig


def _mark_critical_points(fig: go.Figure, analysis, f, ok: bool) -> None:
    def fy(pts):
        if f is None or len(pts) == 0:
            return [None] * len(pts)
        with np.errstate(all="ignore"):
            return list(np.asarray(f(np.asarray(pts, dtype=float)), dtype=float))

    fields = list(analysis.fields) if ok else []
    if fields:
        wide = [fl for fl in fields if not fl.sharp]
        sharp = [fl for fl in fields if fl.sharp]
        for group, colour, name, symbol in (
            (wide, WIDE, "wide (large) minimum", "circle"),
            (sharp, SHARP, "sharp (small) minimum", "triangle-down"),
        ):
            if not group:
                continue
            xm = [fl.minimum for fl in group]
            fig.add_trace(
                go.Scatter(
                    x=xm, y=fy(xm), mode="markers+text", name=name,
                    marker={"color": colour, "size": 13, "symbol": symbol, "line": {"color": "#fff", "width": 1}},
                    text=[f"m{sub(fl.index)}" for fl in group], textposition="bottom center",
                    customdata=[[fl.width, fl.l_star, fl.curvature] for fl in group],
                    hovertemplate="minimum x=%{x:.4f}<br>r=%{customdata[0]:.3g}, "
                    "l*=%{customdata[1]}<br>f''=%{customdata[2]:.3g}<extra></extra>",
                )
            )  # fmt: skip
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


def _bezier(p0, p1, c, n=30):
    """The quadratic Bezier curve from p0 to p1 with control point c."""
    t = np.linspace(0, 1, n)
    cx, cy = c
    x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * cx + t**2 * p1[0]
    y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * cy + t**2 * p1[1]
    return x, y


def class_of(analysis) -> dict[int, int]:
    return {m: k for k, c in enumerate(analysis.classes) for m in c.members}


def graph_figure(
    xs: np.ndarray, ys: np.ndarray, analysis, f, *, L: float, height: int = 470,
    edge_probabilities: Mapping[tuple[int, int], float] | None = None,
) -> go.Figure:  # fmt: skip
    """The typical transition graph over the landscape.

    Nodes at the minima, coloured by communicating class; stars mark the large
    minima of each class; arrows are the edges m_i -> m_j (rightward arcs
    above, leftward arcs below), labelled with the limiting probability
    q_ij / q_i of leaving Omega_i for Omega_j when ``edge_probabilities`` is given.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="lines", name="f(x)", line={"color": "rgba(31,59,115,0.35)", "width": 2},
            hoverinfo="skip",
        )
    )  # fmt: skip
    y_lo, y_hi = _y_range(ys, critical_values(analysis, f))
    span = y_hi - y_lo
    for s in analysis.maxima:
        fig.add_vline(x=s, line={"color": MAXC, "width": 1, "dash": "dot"})
    mins = np.asarray([fl.minimum for fl in analysis.fields], dtype=float)
    with np.errstate(all="ignore"):
        ym = np.asarray(f(mins), dtype=float) if len(mins) else np.array([])

    def control(i: int, j: int, p0, p1) -> tuple[float, float]:
        h = (0.22 + 0.08 * (abs(j - i) - 1)) * span * (1 if j > i else -1)
        return (p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2 + h

    add_graph(fig, mins, ym, analysis, [fl.l_star for fl in analysis.fields], control=control, label_offset=0.09 * span,
              edge_probabilities=edge_probabilities)  # fmt: skip
    b = analysis.b
    btxt = "no clipping" if not math.isfinite(b) else f"b = {b:.4g}"
    struct = "irreducible" if analysis.irreducible else f"{len(analysis.classes)} classes"
    layout = dict(_LAYOUT)
    layout["margin"] = {"l": 50, "r": 20, "t": 80, "b": 45}
    fig.update_layout(
        title={"text": f"Typical transition graph, {btxt}: {struct}, {len(analysis.edges)} edges",
                   "y": 0.98},
        height=height, xaxis_title="x", yaxis_title="f(x)", **layout,
    )  # fmt: skip
    fig.update_xaxes(range=[-L * 1.02, L * 1.02])
    fig.update_yaxes(range=[y_lo - 0.25 * span, y_hi + 0.3 * span])
    return fig


def add_graph(fig: go.Figure, node_x, node_y, graph, l_star: Sequence[int], *, control,
              label_offset: float, edge_probabilities: Mapping[tuple[int, int], float] | None = None) -> None:
    """Draw a typical transition graph onto ``fig`` (1-D and 2-D landscapes share it).

    ``graph`` has ``edges`` and ``classes`` (with ``members``, ``large``, ``absorbing``): a
    ``landscape.Analysis`` or a ``landscape.theory.Structure``; node i sits at (node_x[i], node_y[i]). ``control(i, j, p0, p1)``
    gives the Bezier control point of the arc i -> j. Labels go ``label_offset`` below
    the nodes, in their own trace, so they never sit on a star.
    """
    mins, ym = np.asarray(node_x, dtype=float), np.asarray(node_y, dtype=float)
    cls = class_of(graph)
    large_all = {m for c in graph.classes for m in c.large}
    # edges
    for i, j in graph.edges:
        p0, p1 = (mins[i], ym[i]), (mins[j], ym[j])
        bx, by = _bezier(p0, p1, control(i, j, p0, p1), n=41)
        bx, by = bx[3:-4], by[3:-4]  # stop short of the nodes so arrowheads show
        colour = CLASS_COLOURS[cls.get(i, 0) % len(CLASS_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=bx[:-1], y=by[:-1], mode="lines", line={"color": colour, "width": 2.5},
                showlegend=False, hoverinfo="skip",
            )
        )  # fmt: skip
        fig.add_annotation(
            x=bx[-1], y=by[-1], ax=bx[-3], ay=by[-3], xref="x", yref="y", axref="x", ayref="y",
            showarrow=True, arrowhead=3, arrowsize=1.6, arrowwidth=2.2, arrowcolor=colour, text="",
        )  # fmt: skip
        if edge_probabilities is not None and (i, j) in edge_probabilities:
            mid = len(bx) // 2
            fig.add_trace(go.Scatter(
                x=[bx[mid]], y=[by[mid]], mode="text", showlegend=False,
                text=[f"{edge_probabilities[(i, j)]:.0%}"], textfont={"color": colour, "size": 13},
                textposition="top center" if j > i else "bottom center",
                hovertemplate=f"P(m{sub(i)} → m{sub(j)}) = q{sub(i)}{sub(j)}/q{sub(i)} = "
                f"{edge_probabilities[(i, j)]:.3f}<extra></extra>",
            ))  # fmt: skip
    # nodes, one trace per class
    for k, c in enumerate(graph.classes):
        colour = CLASS_COLOURS[k % len(CLASS_COLOURS)]
        kind = "absorbing" if c.absorbing else "transient"
        members = list(c.members)
        large = set(c.large)
        fig.add_trace(
            go.Scatter(
                x=[mins[m] for m in members], y=[ym[m] for m in members],
                mode="markers", name=f"class G{k + 1} ({kind})",
                marker={
                    "color": colour if c.absorbing else "#fff",
                    "size": [22 if m in large else 14 for m in members],
                    "symbol": ["star" if m in large else "circle" for m in members],
                    "line": {"color": colour, "width": 3},
                },
                text=[f"m{sub(m)}" + (" (large)" if m in large else "") for m in members],
                customdata=[[l_star[m], kind] for m in members],
                hovertemplate="%{text}<br>x=%{x:.3f}<br>l*=%{customdata[0]}, %{customdata[1]}"
                "<extra></extra>",
            )
        )  # fmt: skip
    # labels in their own trace, a fixed distance below the nodes, so they never sit on a star
    fig.add_trace(go.Scatter(
        x=mins, y=ym - label_offset, mode="text", showlegend=False, hoverinfo="skip",
        text=[f"m{sub(m)}" + ("<br>large" if m in large_all else "") for m in range(len(mins))],
        textposition="bottom center",
    ))  # fmt: skip


def sweep_figure(intervals: Sequence[Any], n_fields: int, b: float, *, height: int = 260) -> go.Figure:
    """The b sweep as a strip: one row per minimum, one column per interval.

    Cell colour: green = survives (a large minimum of an absorbing class),
    light green = in an absorbing class but small, grey = transient.
    The dashed line marks the chosen b.
    """
    fig = go.Figure()
    if not intervals:
        fig.update_layout(title="No structure change in this range of b", height=height)
        return fig
    edges_b = [intervals[0].b_low] + [iv.b_high for iv in intervals]
    z = np.zeros((n_fields, len(intervals)))
    text = [["" for _ in intervals] for _ in range(n_fields)]
    for c_i, iv in enumerate(intervals):
        absorbing = {m for c in iv.classes if c.absorbing for m in c.members}
        struct = "irreducible" if iv.irreducible else f"{len(iv.classes)} classes"
        for m in range(n_fields):
            if m in iv.surviving:
                z[m, c_i] = 2
                state = "survives"
            elif m in absorbing:
                z[m, c_i] = 1
                state = "absorbing class, small"
            else:
                z[m, c_i] = 0
                state = "transient"
            lst = iv.l_star[m] if m < len(iv.l_star) else "?"
            text[m][c_i] = (
                f"b in ({iv.b_low:.4g}, {iv.b_high:.4g})<br>{struct}<br>"
                f"m{m + 1}: {state}, l*={lst}<br>edges: {len(iv.edges)}"
            )
    fig.add_trace(
        go.Heatmap(
            x=edges_b, y=[f"m{m + 1}" for m in range(n_fields)], z=z, zmin=0, zmax=2,
            colorscale=[[0, "#d9d9d9"], [0.5, "#c7e9c0"], [1, WIDE]], showscale=False,
            xgap=1, ygap=2, hoverinfo="skip",
        )
    )  # fmt: skip
    # Invisible markers at the cell centres: Plotly selects markers (not heatmap cells),
    # so these make a click on a column pick that interval of b.
    cx, cy, ct = [], [], []
    for c_i, iv in enumerate(intervals):
        hi = iv.b_high if math.isfinite(iv.b_high) else iv.b_low * 2
        mid = math.sqrt(iv.b_low * hi) if iv.b_low > 0 else hi / 2
        for m in range(n_fields):
            cx.append(mid)
            cy.append(f"m{m + 1}")
            ct.append(text[m][c_i])
    fig.add_trace(
        go.Scatter(
            x=cx, y=cy, mode="markers", marker={"size": 16, "color": "rgba(0,0,0,0.01)"},
            text=ct, hovertemplate="%{text}<br><i>click to move b here</i><extra></extra>",
            selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
            showlegend=False,
        )
    )  # fmt: skip
    if math.isfinite(b):
        fig.add_vline(x=b, line={"color": NEUTRAL, "width": 2, "dash": "dash"})
        fig.add_annotation(x=math.log10(b), y=1.0, yref="paper", text=f"b={b:.3g}", showarrow=False,
                           yanchor="bottom", font={"size": 11})  # fmt: skip
    fig.update_xaxes(type="log", title="clipping threshold b (log scale)")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height, margin={"l": 50, "r": 20, "t": 30, "b": 45})
    return fig


def interval_label(iv) -> str:
    struct = "irreducible" if iv.irreducible else f"{len(iv.classes)} classes"
    surv = ", ".join(f"m{m + 1}" for m in iv.surviving) or "none"
    return f"b ∈ ({iv.b_low:.3g}, {iv.b_high:.3g}): {struct}; survive: {surv}"


def _hline(y: float, *, xref: str = "paper", yref: str = "y") -> dict:
    return {"type": "line", "xref": xref, "x0": 0, "x1": 1, "yref": yref, "y0": y, "y1": y,
                "line": {"color": MAXC, "width": 1, "dash": "dot"}}  # fmt: skip


def _vline(x: float, *, xref: str = "x", yref: str = "paper", y0: float = 0, y1: float = 1) -> dict:
    return {"type": "line", "xref": xref, "x0": x, "x1": x, "yref": yref, "y0": y0, "y1": y1,
                "line": {"color": MAXC, "width": 1, "dash": "dot"}}  # fmt: skip


def _step_area(edges: np.ndarray, heights: np.ndarray, hovertemplate: str, **trace) -> dict:
    """A histogram as one filled step line: one SVG path however many bins (a bar trace
    draws one element per bin, which the browser redraws at every live refresh)."""
    edges = np.asarray(edges, dtype=float)
    heights = np.asarray(heights, dtype=float)
    return {"type": "scatter", "x": edges, "y": np.append(heights, heights[-1:]), "mode": "lines",
            "line": {"shape": "hv", "width": 0.8, "color": "rgba(214,39,40,0.9)"},
            "fill": "tozeroy", "fillcolor": "rgba(214,39,40,0.6)", "hovertemplate": hovertemplate,
            **trace}  # fmt: skip


def _figure(data: list, layout: dict, as_dict: bool) -> go.Figure | dict:
    """A Plotly figure, or the plain dict when ``as_dict`` (the live charts serialise it
    directly: ``go.Figure`` validates and deep-copies every array, ~10-80 ms a refresh)."""
    return {"data": data, "layout": layout} if as_dict else go.Figure({"data": data, "layout": layout})


# The live views are rebuilt several times a second: they are assembled as plain
# dicts (no make_subplots, which costs ~80 ms per call) to keep a tick cheap.


def trajectory_figure(
    steps: np.ndarray,
    X: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    maxima: Sequence[float],
    *,
    L: float,
    max_paths: int = 8,
    max_points: int = 400,
    height: int = 420,
    title: str = "",
    f_range: tuple[float, float] | None = None,
    as_dict: bool = False,
) -> go.Figure | dict:
    """Paths over time (right) beside the landscape turned sideways (left).

    At most ``max_paths`` paths and ``max_points`` points per path are drawn
    (bounded payload per refresh).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    steps = np.asarray(steps)
    if len(steps) > max_points:
        idx = np.linspace(0, len(steps) - 1, max_points).astype(int)
        steps, X = steps[idx], X[idx]
    data = [{"type": "scatter", "x": ys, "y": xs, "mode": "lines", "xaxis": "x", "yaxis": "y",
                 "line": {"color": CURVE, "width": 2}, "name": "f", "showlegend": False, "hoverinfo": "skip"}]
    for p in range(min(X.shape[1] if X.size else 0, max_paths)):
        data.append({
            "type": "scatter", "x": steps, "y": X[:, p], "mode": "lines", "xaxis": "x2", "yaxis": "y",
            "line": {"width": 1, "color": PATH_COLOURS[p % 10]}, "name": f"path {p + 1}", "showlegend": False,
            "hovertemplate": "step %{x}<br>x=%{y:.3f}<extra>path " + str(p + 1) + "</extra>",
        })  # fmt: skip
    layout = {
        "height": height, "margin": {"l": 50, "r": 20, "t": 40, "b": 45}, "uirevision": "traj",
        "title": {"text": title} if title else None, "hovermode": "closest",
        "xaxis": dict(domain=[0, 0.17], title={"text": "f"}, showticklabels=False,
                   **({"range": list(f_range)} if f_range else {})),
        "xaxis2": {"domain": [0.19, 1], "title": {"text": "step (per path)"}, "anchor": "y"},
        "yaxis": {"range": [-L * 1.03, L * 1.03], "title": {"text": "x"}},
        "shapes": [_hline(s) for s in maxima],
    }  # fmt: skip
    return _figure(data, layout, as_dict)


def histogram_figure(
    edges: np.ndarray, counts: np.ndarray, xs: np.ndarray, ys: np.ndarray, maxima: Sequence[float],
    *, height: int = 320, title: str = "Where the iterates are", f_range=None, as_dict: bool = False,
) -> go.Figure | dict:  # fmt: skip
    """Occupancy counts (bars; they grow as the run goes) with f overlaid on a second axis."""
    edges = np.asarray(edges, dtype=float)
    counts = np.asarray(counts, dtype=float)
    total = int(counts.sum())
    data = [
        _step_area(edges, counts, "bin from x=%{x:.3f}<br>%{y:,.0f} visits<extra></extra>", name="visits"),
        {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": "f(x)", "yaxis": "y2",
             "line": {"color": CURVE, "width": 1.5}, "hoverinfo": "skip"},
    ]  # fmt: skip
    layout = {
        "height": height, "uirevision": "hist", "hovermode": "closest",
        "title": {"text": f"{title}<br><sub>{total:,} steps</sub>", "y": 0.99, "yanchor": "top"},
        "margin": {"l": 50, "r": 50, "t": 70, "b": 40},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "xaxis": {"title": {"text": "x"}},
        "yaxis": {"title": {"text": "visits"}, "rangemode": "tozero"},
        "yaxis2": dict(title={"text": "f(x)"}, overlaying="y", side="right", showgrid=False,
                    **({"range": list(f_range)} if f_range else {})),
        "shapes": [_vline(s) for s in maxima],
    }  # fmt: skip
    return _figure(data, layout, as_dict)


def fractions_figure(fractions: Sequence[float], analysis, *, height: int = 300,
                     title: str = "Time fraction per field") -> go.Figure:  # fmt: skip
    fr = np.asarray(fractions, dtype=float)
    fields = list(analysis.fields) if analysis is not None else []
    labels, colours, hover = [], [], []
    for i in range(len(fr)):
        if i < len(fields):
            fl = fields[i]
            labels.append(f"Ω{i + 1} (m{i + 1}={fl.minimum:.2f})")
            colours.append(SHARP if fl.sharp else WIDE)
            hover.append("sharp" if fl.sharp else "wide")
        else:
            labels.append(f"Ω{i + 1}")
            colours.append(MAXC)
            hover.append("")
    fig = go.Figure(
        go.Bar(x=labels, y=fr, marker_color=colours, text=[f"{v:.1%}" for v in fr],
               textposition="outside", customdata=hover,
               hovertemplate="%{x}: %{y:.2%} (%{customdata})<extra></extra>")
    )  # fmt: skip
    fig.update_layout(height=height, title=title, yaxis={"range": [0, 1.12], "tickformat": ".0%"},
                      margin={"l": 50, "r": 20, "t": 40, "b": 45}, uirevision="frac")  # fmt: skip
    return fig


def _add_study(fig: go.Figure, study, label: str, colour: str, symbol: str) -> None:
    etas = np.asarray(study.etas, dtype=float)
    means = np.asarray(study.mean_exit_times, dtype=float)
    inv = 1.0 / etas
    ok = np.isfinite(means) & (means > 0)
    cens = np.asarray(getattr(study, "censored", np.zeros(len(etas))), dtype=int)
    # a mean built on censored runs is drawn hollow and says so on hover
    fig.add_trace(
        go.Scatter(x=inv[ok], y=means[ok], mode="markers", name=f"{label}: mean exit time",
                   marker={"size": 11, "color": colour,
                           "symbol": [symbol if c == 0 else f"{symbol}-open" for c in cens[ok]]},
                   customdata=cens[ok],
                   hovertemplate="1/η=%{x:.4g}<br>E[σ]≈%{y:.4g} steps<br>%{customdata} censored runs"
                   "<extra>" + label + "</extra>")
    )  # fmt: skip
    if ok.sum() < 2:
        return
    lx, ly = np.log10(inv[ok]), np.log10(means[ok])
    xx = np.array([lx.min(), lx.max()])
    slope = getattr(study, "slope", None)
    if slope is not None and math.isfinite(slope):
        icpt = float(np.mean(ly) - slope * np.mean(lx))
        fig.add_trace(go.Scatter(x=10**xx, y=10 ** (icpt + slope * xx), mode="lines",
                                 name=f"{label}: fitted slope {slope:.2f}"
                                 + (f" ({int(cens.sum())} censored runs)" if cens.sum() else ""),
                                 line={"color": colour, "width": 2}))  # fmt: skip
    pred = getattr(study, "predicted_slope", None)
    if pred is not None and math.isfinite(pred):
        icpt = float(np.mean(ly) - pred * np.mean(lx))
        fig.add_trace(go.Scatter(x=10**xx, y=10 ** (icpt + pred * xx), mode="lines",
                                 name=f"{label}: predicted slope {pred:.2f}",
                                 line={"color": colour, "width": 1.5, "dash": "dash"}))  # fmt: skip


def _add_theory(fig: go.Figure, etas, means, label: str, colour: str) -> None:
    """The theory's mean exit times (its own constant, not fitted) as a dotted line."""
    etas = np.asarray(etas, float)
    means = np.asarray(means, float)
    ok = np.isfinite(means) & (means > 0)
    if ok.sum() >= 1:
        fig.add_trace(go.Scatter(x=1.0 / etas[ok], y=means[ok], mode="lines+markers",
                                 name=f"{label}: theory 1/(q λ(η))", marker={"size": 5},
                                 line={"color": colour, "width": 1.5, "dash": "dot"},
                                 hovertemplate="1/η=%{x:.4g}<br>predicted %{y:.4g} steps"
                                 "<extra></extra>"))  # fmt: skip


def exit_figure(study, *, reference=None, label: str = "clipped", height: int = 440,
                predicted=None, reference_predicted=None) -> go.Figure:  # fmt: skip
    """Mean first-exit time against 1/eta (log-log) with fitted and predicted slopes.

    ``reference``: an optional second study (e.g. without clipping, as in the paper's
    Fig. 4) drawn in another colour. ``predicted`` / ``reference_predicted``: the
    theory's mean exit times at the study's etas, drawn dotted.
    """
    fig = go.Figure()
    _add_study(fig, study, label, SHARP, "circle")
    if predicted is not None:
        _add_theory(fig, study.etas, predicted, label, SHARP)
    if reference is not None:
        _add_study(fig, reference, "no clipping", CURVE, "square")
        if reference_predicted is not None:
            _add_theory(fig, reference.etas, reference_predicted, "no clipping", CURVE)
    fig.update_xaxes(type="log", title="1/η")
    fig.update_yaxes(type="log", title="mean first exit time (steps)")
    layout = dict(_LAYOUT)
    layout["margin"] = {"l": 60, "r": 20, "t": 100 if reference is not None else 80, "b": 45}
    fig.update_layout(height=height, title={"text": "First exit time against 1/η (log-log)",
                                            "y": 0.98}, **layout)  # fmt: skip
    return fig


def destinations_figure(counts: Mapping[int, int], source: int, edge_targets: Sequence[int],
                        n_fields: int, *, height: int = 300, predicted_shares=None) -> go.Figure:  # fmt: skip
    """Where the iterates landed on leaving the field, edge targets highlighted; with the
    theory's shares q_ij / q_i, the counts they predict for the same number of exits."""
    labels = [f"Ω{j + 1}" for j in range(n_fields)]
    vals = [int(counts.get(j, 0)) for j in range(n_fields)]
    colours = [WIDE if j in edge_targets else ("#bbbbbb" if j != source else "#ffffff")
               for j in range(n_fields)]  # fmt: skip
    fig = go.Figure(
        go.Bar(x=labels, y=vals, marker_color=colours, marker_line={"color": NEUTRAL, "width": 1},
               text=[str(v) for v in vals], textposition="outside", name="observed exits",
               hovertemplate="%{x}: %{y} exits<extra></extra>")
    )  # fmt: skip
    total = sum(vals)
    if predicted_shares is not None and total:
        fig.add_trace(go.Scatter(
            x=labels, y=[float(s) * total for s in predicted_shares], mode="markers",
            name="predicted (q_ij / q_i)", marker={"symbol": "line-ew-open", "size": 28,
                                                    "line": {"width": 3, "color": SHARP}},
            customdata=[float(s) for s in predicted_shares],
            hovertemplate="%{x}: predicted %{customdata:.1%} of exits<extra></extra>"))  # fmt: skip
    fig.update_layout(
        height=height, showlegend=predicted_shares is not None,
        legend={"orientation": "h", "y": -0.2},
        title=f"Exits from Ω{source + 1} landed in (green: edge of m{source + 1})",
        margin={"l": 50, "r": 20, "t": 50, "b": 45},
    )
    return fig


def compare_figure(hists: Mapping[str, tuple[np.ndarray, np.ndarray]], xs, ys, maxima,
                   *, height: int = 520, f_range=None, minima: Sequence[float] = (),
                   as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """The paper's four cases side by side (Figs. 1 and 5): occupancy histograms, f in outline,
    the minima labelled m1, m2, ... in every panel."""
    names = list(hists)
    yfin = ys[np.isfinite(ys)]
    ylo, yhi = (float(yfin.min()), float(yfin.max())) if yfin.size else (0.0, 1.0)
    if f_range is not None:
        ylo, yhi = float(f_range[0]), float(f_range[1])
        ys = np.clip(ys, ylo, yhi)
    data, shapes, annotations = [], [], []
    layout: dict[str, Any] = {"height": height, "uirevision": "cmp", "showlegend": False,
                                  "margin": {"l": 40, "r": 20, "t": 40, "b": 40}, "hovermode": "closest"}
    for k, name in enumerate(names):
        r, c = k // 2, k % 2
        ax = "" if k == 0 else str(k + 1)
        xd = [0.0, 0.47] if c == 0 else [0.53, 1.0]
        yd = [0.56, 1.0] if r == 0 else [0.0, 0.44]
        edges, counts = hists[name]
        edges = np.asarray(edges, float)
        counts = np.asarray(counts, float)
        tot = counts.sum()
        dens = counts / tot if tot > 0 else counts
        peak = float(dens.max()) if dens.size and dens.max() > 0 else 1.0
        scaled = (ys - ylo) / (yhi - ylo if yhi > ylo else 1.0) * peak
        data.append(_step_area(edges, dens, "bin from x=%{x:.3f}: %{y:.2%}<extra></extra>",
                               xaxis="x" + ax, yaxis="y" + ax))
        data.append({"type": "scatter", "x": xs, "y": scaled, "mode": "lines", "xaxis": "x" + ax,
                         "yaxis": "y" + ax, "line": {"color": CURVE, "width": 1}, "hoverinfo": "skip"})  # fmt: skip
        layout["xaxis" + ax] = {"domain": xd, "anchor": "y" + ax}
        layout["yaxis" + ax] = {"domain": yd, "anchor": "x" + ax, "tickformat": ".0%"}
        for s in maxima:
            shapes.append(_vline(s, xref="x" + ax, yref="y" + ax + " domain"))
        for i, m in enumerate(minima):
            annotations.append({"text": f"m{sub(i)}", "x": float(m), "xref": "x" + ax,
                                "y": 0.93, "yref": "y" + ax + " domain", "showarrow": False,
                                "font": {"size": 11, "color": MAXC}})  # fmt: skip
        annotations.append({"text": f"<b>{name}</b> ({int(tot):,} steps)", "xref": "x" + ax + " domain",
                                "yref": "y" + ax + " domain", "x": 0.5, "y": 1.0, "yanchor": "bottom",
                                "showarrow": False})  # fmt: skip
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    return _figure(data, layout, as_dict)


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
    layout = dict(_LAYOUT)
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

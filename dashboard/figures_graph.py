"""Plotly figures of the typical transition graph and of the b sweep. Pure: no Streamlit.

Nodes are the minima (coloured by communicating class), arcs the typical transitions
m_i -> m_j (l_{i,j} = l*_i), labelled with their limiting probabilities q_ij/q_i when
given; the sweep strip shows the graph's classes and survivors for every b. The palette
and text helpers are ``dashboard.figures``'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import (
    CLASS_COLOURS,
    GRAPH_CURVE,
    LAYOUT,
    MAXC,
    NEUTRAL,
    WIDE,
    critical_values,
    sub,
    theme_text_colours,
    y_range,
)


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
    edge_probabilities: Mapping[tuple[int, int], float] | None = None, dark: bool = False,
) -> go.Figure:  # fmt: skip
    """The typical transition graph over the landscape (``dark``: drawn for the dark theme).

    Nodes at the minima, coloured by communicating class; stars mark the large
    minima of each class; arrows are the edges m_i -> m_j (rightward arcs
    above, leftward arcs below), labelled with the limiting probability
    q_ij / q_i of leaving Omega_i for Omega_j when ``edge_probabilities`` is given.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="lines", name="f(x)", line={"color": GRAPH_CURVE[dark], "width": 2},
            hoverinfo="skip",
        )
    )  # fmt: skip
    y_lo, y_hi = y_range(ys, critical_values(analysis, f))
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
              edge_probabilities=edge_probabilities, dark=dark)  # fmt: skip
    b = analysis.b
    btxt = "no clipping" if not math.isfinite(b) else f"b = {b:.4g}"
    struct = "irreducible" if analysis.irreducible else f"{len(analysis.classes)} classes"
    layout = dict(LAYOUT)
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
              label_offset: float, edge_probabilities: Mapping[tuple[int, int], float] | None = None,
              dark: bool = False) -> None:
    """Draw a typical transition graph onto ``fig`` (1-D and 2-D landscapes share it).

    ``graph`` has ``edges`` and ``classes`` (with ``members``, ``large``, ``absorbing``): a
    ``landscape.Analysis`` or a ``landscape.theory.Structure``; node i sits at (node_x[i], node_y[i]). ``control(i, j, p0, p1)``
    gives the Bezier control point of the arc i -> j. Labels go ``label_offset`` below
    the nodes, in their own trace, so they never sit on a star. ``dark``: the page shows
    the dark theme (the edge labels' text and background follow it).
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
            # a boxed label beside the arc: the theme's text on the theme's background,
            # framed in the class colour (legible on the light and the dark theme)
            mid = len(bx) // 2
            fg, bg = theme_text_colours(dark)
            fig.add_annotation(
                x=bx[mid], y=by[mid], xref="x", yref="y", showarrow=False,
                text=f"{edge_probabilities[(i, j)]:.0%}", font={"color": fg, "size": 13},
                bgcolor=bg, bordercolor=colour, borderwidth=1.5, borderpad=2,
                yshift=14 if j > i else -14,
                hovertext=f"P(m{sub(i)} → m{sub(j)}) = q{sub(i)}{sub(j)}/q{sub(i)} = "
                f"{edge_probabilities[(i, j)]:.3f}",
            )  # fmt: skip
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

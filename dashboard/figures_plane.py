"""Plotly figure builders for two-dimensional landscapes (THEORY §10). Pure: no Streamlit.

They take plain arrays and a ``landscape.plane_analysis.PlaneAnalysis`` (duck-typed:
``fields`` with ``minimiser.points`` / ``width`` / ``l_star``, ``saddles``, ``maxima``,
``structure.classes``, ``extent``, ``label_grid``, ``b``) and return Plotly figures, or
plain dicts for the live views (``as_dict``, as in ``dashboard/figures_runs.py``). Colours are
mid-tones and the field shading is semi-transparent, so every chart reads on Streamlit's
light and dark themes (the theme supplies background and text colours).
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import MAXC, SHARP, START, WIDE, escape_text, sub
from dashboard.figures_graph import add_graph
from dashboard.figures_runs import figure_or_dict
from landscape import theory
from landscape.sweep import wide_minima
from landscape.theory import surviving_minima

FIELD_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#e377c2")
FIELD_ALPHA = 0.22
SADDLE = "#ff7f0e"
# contour lines from a mid blue to a mid orange: both read on white and on the dark theme
CONTOUR_SCALE = [[0.0, "#3d6fc4"], [0.5, "#8a8a8a"], [1.0, "#c4793d"]]
MARGIN = {"l": 45, "r": 15, "t": 60, "b": 40}


def field_colour(i: int, alpha: float | None = None) -> str:
    """The colour of field i (0-based), opaque or with ``alpha``."""
    h = FIELD_COLOURS[i % len(FIELD_COLOURS)]
    if alpha is None:
        return h
    r, g, b = int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)
    return f"rgba({r},{g},{b},{alpha})"


def f_grid(f, R: float, n: int = 161) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f on an n x n grid over [-R, R]^2 as (xs, ys, Z[row = y, col = x]); NaN outside the
    ball of radius R and where f is not finite (Plotly leaves those cells blank)."""
    xs = np.linspace(-R, R, n)
    gx, gy = np.meshgrid(xs, xs)
    with np.errstate(all="ignore"):
        z = np.asarray(f(gx, gy), dtype=float)
    z = np.broadcast_to(z, gx.shape).astype(float)
    z[~np.isfinite(z) | (gx**2 + gy**2 > R * R * (1 + 1e-9))] = np.nan
    return xs, xs.copy(), z


def large_fields(analysis) -> set[int]:
    """Fields whose minimiser is a large minimum of its communicating class (wide)."""
    structure = getattr(analysis, "structure", None)
    return set(theory.large_fields(getattr(structure, "classes", None) or ()))


def centre(points) -> tuple[float, float]:
    """Where a minimiser set is labelled: its point, or its segment's middle."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    return float(pts[:, 0].mean()), float(pts[:, 1].mean())


def ring(points, radius: float, n: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """The points at distance ``radius`` from a minimiser set (a circle around a point, a
    stadium around a segment), as a closed polyline."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) == 1 or np.allclose(pts[0], pts[-1]):
        t = np.linspace(0, 2 * math.pi, n)
        return pts[0, 0] + radius * np.cos(t), pts[0, 1] + radius * np.sin(t)
    p, q = pts[0], pts[-1]
    a = math.atan2(q[1] - p[1], q[0] - p[0])
    t1 = np.linspace(a - math.pi / 2, a + math.pi / 2, n // 2)  # cap around q
    t2 = t1 + math.pi  # cap around p
    x = np.concatenate([q[0] + radius * np.cos(t1), p[0] + radius * np.cos(t2), [q[0] + radius * np.cos(t1[0])]])
    y = np.concatenate([q[1] + radius * np.sin(t1), p[1] + radius * np.sin(t2), [q[1] + radius * np.sin(t1[0])]])
    return x, y


def ball_shape(R: float) -> dict:
    return {"type": "circle", "xref": "x", "yref": "y", "x0": -R, "y0": -R, "x1": R, "y1": R,
            "line": {"color": MAXC, "width": 1.5}}  # fmt: skip


def square_axes(R: float) -> dict:
    pad = 1.04 * R
    return {"xaxis": {"range": [-pad, pad], "title": {"text": "x"}, "constrain": "domain"},
            "yaxis": {"range": [-pad, pad], "title": {"text": "y"}, "scaleanchor": "x", "scaleratio": 1,
                      "constrain": "domain"}}  # fmt: skip


def contour_trace(xs, ys, z, *, ncontours: int = 22, hover: bool = True) -> dict:
    """Contour lines of f; levels of log(1 + f - min f), so wells and walls both show."""
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else 0.0
    with np.errstate(all="ignore"):
        lz = np.log1p(np.maximum(z - lo, 0.0))
    # rounded: the live charts send plain dicts, whose numbers go to the browser as text
    trace = {"type": "contour", "x": xs, "y": ys, "z": np.round(lz, 3), "ncontours": ncontours, "showscale": False,
             "contours": {"coloring": "lines"}, "line": {"width": 1}, "colorscale": CONTOUR_SCALE,
             "name": "f", "showlegend": False}  # fmt: skip
    if hover:
        trace["customdata"] = np.round(z, 4)
        trace["hovertemplate"] = "x=%{x:.3f}, y=%{y:.3f}<br>f=%{customdata:.4g}<extra></extra>"
    else:
        trace["hoverinfo"] = "skip"
    return trace


def _field_shading(analysis, max_cells: int = 151) -> dict | None:
    """The attraction fields as a semi-transparent heatmap (-1: outside the ball, blank)."""
    grid = np.asarray(getattr(analysis, "label_grid", np.empty((0, 0))))
    m = len(analysis.fields)
    if grid.ndim != 2 or grid.size == 0 or m == 0:
        return None
    step = max(1, math.ceil(grid.shape[0] / max_cells))
    lab = grid[::step, ::step].astype(float)
    lab[lab < 0] = np.nan
    x0, x1, y0, y1 = analysis.extent
    xs = np.linspace(x0, x1, grid.shape[1])[::step]
    ys = np.linspace(y0, y1, grid.shape[0])[::step]
    scale = []
    for i in range(m):
        c = field_colour(i, FIELD_ALPHA)
        scale += [[i / m, c], [(i + 1) / m, c]]
    return {"type": "heatmap", "x": xs, "y": ys, "z": lab, "zmin": -0.5, "zmax": m - 0.5,
            "colorscale": scale, "showscale": False, "hoverinfo": "skip", "name": "fields",
            "showlegend": False}  # fmt: skip


def critical_traces(analysis, *, text: bool = True) -> list[dict]:
    """Minimiser sets (points or segments), saddles and maxima.

    As in 1-D (``dashboard.figures``): the marker's shape is the geometry (circle: wide,
    triangle: sharp, by the field width r), its colour the verdict at this b (filled
    green: survives, hollow red: eliminated). A point on the ball's wall, where f still
    decreases outwards, is not a minimum of f: a grey diamond.
    """
    out: list[dict] = []
    fields = list(analysis.fields)
    structure = getattr(analysis, "structure", None)
    alive = set(surviving_minima(getattr(structure, "classes", None) or ()))
    wide = set(wide_minima([fl.width for fl in fields]))
    b = getattr(analysis, "b", math.inf)
    at_b = "without clipping" if not math.isfinite(b) else f"at b = {b:.3g}"
    groups = [(True, True), (False, True), (True, False), (False, False), (None, None)]
    for is_wide, survives in groups:
        at_wall = is_wide is None
        group = [(i, fl) for i, fl in enumerate(fields)
                 if bool(getattr(fl.minimiser, "at_wall", False)) == at_wall
                 and (at_wall or ((i in wide) == is_wide and (i in alive) == survives))]
        if not group:
            continue
        if at_wall:
            name, colour, symbol = "wall point (not a minimum of f)", MAXC, "diamond"
        else:
            name = f"{'wide' if is_wide else 'sharp'}, {'survives' if survives else 'eliminated'}"
            colour = WIDE if survives else SHARP
            symbol = "circle" if is_wide else "triangle-down"
        xs, ys, labels, custom = [], [], [], []
        for i, fl in group:
            pts = np.asarray(fl.minimiser.points, dtype=float).reshape(-1, 2)
            if len(pts) > 1:  # the segment itself, thick, in the verdict's colour
                out.append({"type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": "lines",
                            "line": {"color": colour, "width": 6}, "showlegend": False,
                            "hovertemplate": f"minimiser segment of Ω{sub(i)}<extra></extra>"})  # fmt: skip
            cx, cy = centre(pts)
            xs.append(cx)
            ys.append(cy)
            labels.append(f"m{sub(i)}")
            custom.append([escape_text(fl.width, fl.l_star)])
        filled = at_wall or survives
        out.append({
            "type": "scatter", "x": xs, "y": ys, "mode": "markers+text" if text else "markers",
            "name": name,
            "marker": {"color": colour if filled else "rgba(0,0,0,0)", "size": 12, "symbol": symbol,
                       "line": {"color": "#fff" if filled else colour, "width": 1 if filled else 2.5}},
            "text": labels, "textposition": "top right", "customdata": custom,
            "textfont": {"size": 15, "color": colour, "weight": "bold"},
            "hovertemplate": f"%{{text}} (%{{x:.3f}}, %{{y:.3f}}): {name} {at_b}<br>"
                             "%{customdata[0]}<extra></extra>",
        })  # fmt: skip
    for pts, name, colour, symbol in ((analysis.saddles, "saddle", SADDLE, "x"),
                                      (analysis.maxima, "maximum", MAXC, "triangle-up")):  # fmt: skip
        pts = np.asarray(pts, dtype=float).reshape(-1, 2)
        if len(pts):
            out.append({"type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": "markers", "name": name,
                        "marker": {"color": colour, "size": 10, "symbol": symbol},
                        "hovertemplate": name + " (%{x:.3f}, %{y:.3f})<extra></extra>"})  # fmt: skip
    return out


def _rings(analysis, b: float) -> list[dict]:
    """Rings of radius b (dotted) and l*·b (dashed) around each minimiser set (Fig. 3(b))."""
    out: list[dict] = []
    if not math.isfinite(b) or b <= 0:
        return out
    for i, fl in enumerate(analysis.fields):
        radii = [(b, "dot", "b")]
        if fl.l_star and fl.l_star > 1:
            radii.append((fl.l_star * b, "dash", f"l*·b = {fl.l_star}·b"))
        for radius, dash, what in radii:
            x, y = ring(fl.minimiser.points, radius)
            out.append({"type": "scatter", "x": x, "y": y, "mode": "lines", "showlegend": False,
                        "line": {"color": field_colour(i), "width": 1.5, "dash": dash},
                        "hovertemplate": f"Ω{sub(i)}: distance {what} = {radius:.3g} from m{sub(i)}"
                                         "<extra></extra>"})  # fmt: skip
    return out


def pick_grid(R: float, n: int = 41) -> dict:
    """Nearly invisible markers on a grid inside the ball: Plotly selects markers (not
    heatmap cells), so a click on one of them chooses the start point."""
    xs = np.linspace(-R, R, n)
    gx, gy = np.meshgrid(xs, xs)
    inside = gx**2 + gy**2 <= R * R
    return {"type": "scatter", "x": gx[inside], "y": gy[inside], "mode": "markers", "showlegend": False,
            "marker": {"size": 9, "color": "rgba(128,128,128,0.01)"}, "name": "pick",
            "selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}},
            "hovertemplate": "click to start here: (%{x:.2f}, %{y:.2f})<extra></extra>"}  # fmt: skip


def _start(start) -> dict:
    return {"type": "scatter", "x": [start[0]], "y": [start[1]], "mode": "markers", "name": "start",
            "marker": {"symbol": "diamond", "size": 13, "color": START, "line": {"color": "#fff", "width": 1}},
            "hovertemplate": "start (%{x:.3f}, %{y:.3f})<extra></extra>"}  # fmt: skip


def plane_landscape_figure(grid, analysis, *, R: float, b: float | None = None, start=None,
                           pickable: bool = False, height: int = 520, title: str = "",
                           show_fields: bool = True, as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """The paper's Fig. 3(b): contour lines of f in the ball, fields shaded, minima (points or
    segments), saddles and maxima marked, rings of radius b and l*·b around each minimiser.

    ``grid`` is ``f_grid(f, R)``; ``analysis`` may be None (contours only). ``start``: (x0, y0)
    drawn as a diamond. ``pickable``: add :func:`pick_grid` so a click selects a start.
    """
    xs, ys, z = grid
    data: list[dict] = []
    if analysis is not None and show_fields:
        shade = _field_shading(analysis)
        if shade is not None:
            data.append(shade)
    data.append(contour_trace(xs, ys, z, hover=not pickable))
    if pickable:
        data.append(pick_grid(R))
    if analysis is not None:
        bb = analysis.b if b is None else b
        data += _rings(analysis, float(bb) if bb is not None else math.inf)
        data += critical_traces(analysis)
    if start is not None and all(math.isfinite(float(v)) for v in start):
        data.append(_start(start))
    layout = {"height": height, "margin": dict(MARGIN), "hovermode": "closest", "shapes": [ball_shape(R)],
              "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
              "title": {"text": title, "y": 0.99} if title else None, **square_axes(R)}  # fmt: skip
    if title:
        layout["margin"]["t"] = 80
    return figure_or_dict(data, layout, as_dict)


def plane_graph_figure(grid, analysis, *, R: float, height: int = 520,
                       edge_probabilities=None) -> go.Figure:  # fmt: skip
    """The typical transition graph over the contour lines: the 1-D graph's drawing
    (``dashboard.figures_graph.add_graph``) with the nodes at the minimisers and each arc bent to
    the left of its direction (so i -> j and j -> i do not overlap)."""
    xs, ys, z = grid
    fig = go.Figure()
    shade = _field_shading(analysis)
    if shade is not None:
        fig.add_trace(go.Heatmap(shade))
    fig.add_trace(go.Contour(contour_trace(xs, ys, z, ncontours=16, hover=False)))
    centres = np.array([centre(fl.minimiser.points) for fl in analysis.fields], dtype=float).reshape(-1, 2)

    def control(i: int, j: int, p0, p1) -> tuple[float, float]:
        dx, dy = p1[0] - p0[0], p1[1] - p0[1]
        return (p0[0] + p1[0]) / 2 - 0.2 * dy, (p0[1] + p1[1]) / 2 + 0.2 * dx

    structure = analysis.structure
    add_graph(fig, centres[:, 0], centres[:, 1], structure, [fl.l_star for fl in analysis.fields],
              control=control, label_offset=0.08 * R, edge_probabilities=edge_probabilities)  # fmt: skip
    b = analysis.b
    btxt = "no clipping" if b is None or not math.isfinite(b) else f"b = {b:.4g}"
    struct = "irreducible" if structure.irreducible else f"{len(structure.classes)} classes"
    layout = {"height": height, "margin": {"l": 45, "r": 15, "t": 80, "b": 40}, "hovermode": "closest",
              "shapes": [ball_shape(R)],
              "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
              "title": {"text": f"Typical transition graph, {btxt}: {struct}, {len(structure.edges)} edges",
                        "y": 0.98}, **square_axes(R)}  # fmt: skip
    fig.update_layout(layout)
    return fig

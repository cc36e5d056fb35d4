"""Plotly figures of runs: live paths and occupancy, the four-way comparison, exit
studies and their destinations. Pure: no Streamlit import.

The live figures are rebuilt several times a second, so they are assembled as plain
dicts (``as_dict=True``) for ``widgets.livechart``. Palette and text helpers: ``dashboard.figures``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import CURVE, LAYOUT, MAXC, NEUTRAL, PATH_COLOURS, SHARP, WIDE, sub


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


def figure_or_dict(data: list, layout: dict, as_dict: bool) -> go.Figure | dict:
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
    height: int = 380,  # x-axis on a projector's first screen (1024x768, issue 21.8)
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
    return figure_or_dict(data, layout, as_dict)


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
        # a two-line title anchored at its top is drawn a line too high (cut off): centred
        # 16 px below the top, it sits in the top 45 px, above the legend
        "title": {"text": f"{title}<br><sub>{total:,} steps</sub>", "y": 1 - 16 / height, "yanchor": "middle"},
        "margin": {"l": 50, "r": 50, "t": 80, "b": 40},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "xaxis": {"title": {"text": "x"}},
        "yaxis": {"title": {"text": "visits"}, "rangemode": "tozero"},
        # automargin: the right margin grows to hold f's tick labels ("-0.387") and its title,
        # which 50 px drew over each other
        "yaxis2": dict(title={"text": "f(x)"}, overlaying="y", side="right", showgrid=False, automargin=True,
                    **({"range": list(f_range)} if f_range else {})),
        "shapes": [_vline(s) for s in maxima],
    }  # fmt: skip
    return figure_or_dict(data, layout, as_dict)


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
    layout = dict(LAYOUT)
    # the legend below the axes: however many rows it wraps to, it never covers the title
    layout["legend"] = {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0}
    layout["margin"] = {"l": 60, "r": 20, "t": 50, "b": 120 if reference is not None else 100}
    fig.update_layout(height=height + 40, title={"text": "First exit time against 1/η (log-log)",
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
        # two short lines: a narrow column (1024 px) shows it whole
        title={"text": f"Exits from Ω{source + 1} landed in<br><sub>green: an edge of m{source + 1}</sub>",
               "y": 1 - 14 / height, "yanchor": "top"},
        margin={"l": 50, "r": 20, "t": 60, "b": 45},
    )
    return fig


def compare_figure(hists: Mapping[str, tuple[np.ndarray, np.ndarray]], xs, ys, maxima,
                   *, height: int = 420, f_range=None, minima: Sequence[float] = (),
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
    return figure_or_dict(data, layout, as_dict)


def share_bars_figure(categories: Sequence[str], measured: Mapping[str, Sequence[float]], *,
                      theory: Sequence[float] | None = None, theory_label: str = "theory",
                      title: str = "Share of the run's time", height: int = 420,
                      as_dict: bool = False) -> go.Figure | dict:  # fmt: skip
    """Share of each run's time per category (a field, a minimum), one bar per run side by
    side, and the theory's share per category as a diamond over the bars (the paper's
    Fig. 3(c) as bars: clipped against unclipped)."""
    data: list[dict] = []
    for k, (name, shares) in enumerate(measured.items()):
        values = [float(v) for v in shares]
        data.append({"type": "bar", "x": list(categories), "y": values, "name": name,
                     "marker": {"color": PATH_COLOURS[k % len(PATH_COLOURS)]},
                     "text": [f"{v:.0%}" for v in values], "textposition": "outside", "cliponaxis": False,
                     "hovertemplate": "%{x}: %{y:.1%} of the steps<extra>" + name + "</extra>"})  # fmt: skip
    if theory is not None:
        data.append({"type": "scatter", "x": list(categories), "y": [float(v) for v in theory], "mode": "markers",
                     "name": theory_label, "marker": {"symbol": "diamond", "size": 14, "color": NEUTRAL},
                     "hovertemplate": "%{x}: %{y:.1%} (" + theory_label + ")<extra></extra>"})  # fmt: skip
    layout = {"height": height, "barmode": "group", "uirevision": "shares", "hovermode": "closest",
              "margin": {"l": 55, "r": 15, "t": 80, "b": 40},
              "title": {"text": title, "y": 0.98, "x": 0.02, "xanchor": "left"},
              "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
              "yaxis": {"range": [0, 1.08], "tickformat": ".0%", "title": {"text": "share of the steps"}}}  # fmt: skip
    return figure_or_dict(data, layout, as_dict)

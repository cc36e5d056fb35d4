"""Plotly figures of a parameter-grid study (the Studies page). Pure: no Streamlit import."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import CLASS_COLOURS

_VARYING = ("b", "family", "alpha", "scale", "expr", "L", "x0", "seed")


def _fmt(key: str, value) -> str:
    if key == "b":
        return "b=∞ (no clipping)" if math.isinf(float(value)) else f"b={float(value):g}"
    if key == "expr":
        text = str(value)
        return f"f={text[:24]}…" if len(text) > 25 else f"f={text}"
    return f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"


def curve_label(params: dict, varying) -> str:
    """Legend text naming only the parameters that vary between the curves."""
    parts = [_fmt(k, params[k]) for k in varying]
    return ", ".join(parts) or _fmt("b", params["b"])


def varying_keys(fits) -> list[str]:
    """The curve parameters that differ between the fits."""
    return [k for k in _VARYING if len({repr(f.params[k]) for f in fits}) > 1]


def exit_study_figure(fits, *, height: int = 480) -> go.Figure:
    """Mean first-exit time against 1/eta (log-log), one colour per curve.

    Filled markers: no sample censored. Open markers: some samples hit the
    step cap, so the mean (censored samples counted at the cap) is a lower
    bound; the hover says how many. Solid line: least-squares slope over the
    cells with at least one exit; dashed: the theory's slope beta through
    the same points' centre.
    """
    fig = go.Figure()
    varying = varying_keys(fits)
    for i, f in enumerate(fits):
        colour = CLASS_COLOURS[i % len(CLASS_COLOURS)]
        label = curve_label(f.params, varying)
        inv = 1.0 / f.etas
        ok = np.isfinite(f.means) & (f.means > 0)
        cens = f.censored > 0
        text = [f"{c} of {n} censored" + (" (mean is a lower bound)" if c else "")
                for c, n in zip(f.censored, f.samples)]
        for mask, symbol, suffix in ((ok & ~cens, "circle", ""),
                                     (ok & cens, "circle-open", " (censored: lower bound)")):
            if mask.any():
                fig.add_trace(go.Scatter(
                    x=inv[mask], y=f.means[mask], mode="markers", name=label + suffix,
                    legendgroup=label, text=np.array(text)[mask],
                    marker={"size": 11, "color": colour, "symbol": symbol,
                            "line": {"width": 2, "color": colour}},
                    hovertemplate="1/η=%{x:.4g}<br>mean exit %{y:.4g} steps<br>%{text}"
                                  "<extra>" + label + "</extra>"))
        use = ok & f.used
        if use.sum() < 2:
            continue
        lx, ly = np.log10(inv[use]), np.log10(f.means[use])
        xx = np.array([lx.min(), lx.max()])
        if math.isfinite(f.slope):
            icpt = float(np.mean(ly) - f.slope * np.mean(lx))
            fig.add_trace(go.Scatter(x=10**xx, y=10 ** (icpt + f.slope * xx), mode="lines",
                                     name=f"{label}: fitted slope {f.slope:.2f}",
                                     legendgroup=label, line={"color": colour, "width": 2}))
        if f.beta is not None and math.isfinite(f.beta):
            icpt = float(np.mean(ly) - f.beta * np.mean(lx))
            fig.add_trace(go.Scatter(x=10**xx, y=10 ** (icpt + f.beta * xx), mode="lines",
                                     name=f"{label}: predicted slope β = {f.beta:.2f}",
                                     legendgroup=label,
                                     line={"color": colour, "width": 1.5, "dash": "dash"}))
    fig.update_xaxes(type="log", title="1/η")
    fig.update_yaxes(type="log", title="mean first exit time (steps)")
    fig.update_layout(height=height, title="First exit time against 1/η (log-log)",
                      margin={"l": 60, "r": 20, "t": 50, "b": 45},
                      legend={"orientation": "h", "y": -0.18})
    return fig


def cell_label(row: pd.Series, varying) -> str:
    parts = [f"η={row['eta']:g}"] + [_fmt(k, row[k]) for k in varying]
    return ", ".join(parts)


def occupancy_figures(rows: pd.DataFrame, *, height: int = 420) -> tuple[go.Figure, go.Figure]:
    """(share of time per field, grouped by cell; histogram density on [-L, L] per cell)."""
    varying = [k for k in _VARYING if rows[k].astype(str).nunique() > 1]
    bars, hist = go.Figure(), go.Figure()
    for i, (_, r) in enumerate(rows.iterrows()):
        colour = CLASS_COLOURS[i % len(CLASS_COLOURS)]
        label = cell_label(r, varying)
        frac = np.asarray(r["field_fraction"], dtype=float)
        bars.add_trace(go.Bar(x=[f"Ω{j + 1}" for j in range(len(frac))], y=frac, name=label,
                              marker_color=colour, text=[f"{v:.1%}" for v in frac],
                              textposition="outside"))
        counts = np.asarray(r["hist"], dtype=float)
        edges = np.linspace(-r["L"], r["L"], len(counts) + 1)
        width = edges[1] - edges[0]
        dens = counts / max(counts.sum(), 1.0) / width
        hist.add_trace(go.Scatter(x=0.5 * (edges[:-1] + edges[1:]), y=dens, mode="lines",
                                  name=label, line={"color": colour, "shape": "hvh"}))
    bars.update_layout(height=height, barmode="group", title="Share of time per field",
                       yaxis={"tickformat": ".0%"}, margin={"l": 50, "r": 20, "t": 50, "b": 45})
    hist.update_layout(height=height, title="Where the iterates spent their time (density)",
                       xaxis_title="x", yaxis_title="density",
                       margin={"l": 50, "r": 20, "t": 50, "b": 45})
    return bars, hist

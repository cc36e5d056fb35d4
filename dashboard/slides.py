"""Figures for slides and offline animations (the lesson's exports). Pure: no Streamlit.

* :func:`slide_figure`: a chart restyled for a 1920 px wide slide (white background, dark
  text, type sized for the back of a room); the browser renders it to PNG or SVG with
  Plotly.js (``widgets/exports.py``), so the server spends no CPU on images.
* :func:`side_by_side`: two figure dicts in one (the live view's paths beside its histogram).
* :func:`animated_figure`: snapshots of a run as Plotly frames with a Play button and a slider.
* :func:`animation_html`: that figure as one self-contained HTML file (Plotly.js inlined, no
  network), with the run's settings written in it.
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.io.json

SLIDE_WIDTH = 1920
SLIDE_HEIGHT = 1080
SLIDE_FONT = 30  # px: axis titles and text on a 1920 px slide
SLIDE_TICKS = 24
_AXIS = re.compile(r"^[xy]axis\d*$")


def as_dict(fig) -> dict:
    """A plain figure dict (numpy arrays kept) from a ``go.Figure`` or a dict (deep copy)."""
    if isinstance(fig, Mapping):
        return copy.deepcopy(dict(fig))
    return copy.deepcopy(fig.to_plotly_json())


def _scaled(size, factor: float, floor: int) -> int:
    return int(max(floor, round(float(size) * factor))) if size else floor


def slide_figure(fig, *, width: int = SLIDE_WIDTH, height: int = SLIDE_HEIGHT) -> dict:
    """``fig`` restyled for a slide ``width`` px wide: white background, dark text, fonts of
    :data:`SLIDE_FONT` px (ticks :data:`SLIDE_TICKS`), thicker lines, wider margins; the
    animation controls dropped. The data are not changed."""
    out = as_dict(fig)
    layout = dict(out.get("layout") or {})
    factor = width / 900  # the page draws charts about 900 px wide
    layout.update(width=width, height=height, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
                  template=None)  # fmt: skip
    layout["font"] = {**(layout.get("font") or {}), "size": SLIDE_FONT, "color": "#222222"}
    margin = dict(layout.get("margin") or {})
    layout["margin"] = {k: int(margin.get(k, 60) * factor * 0.9) for k in ("l", "r", "t", "b")}
    layout["margin"]["l"] = max(layout["margin"]["l"], 130)
    layout["margin"]["b"] = max(layout["margin"]["b"], 110)
    title = layout.get("title")
    if isinstance(title, Mapping):
        layout["title"] = {**title, "font": {**(title.get("font") or {}), "size": int(SLIDE_FONT * 1.2)}}
    elif isinstance(title, str) and title:
        layout["title"] = {"text": title, "font": {"size": int(SLIDE_FONT * 1.2)}}
    for key in [k for k in layout if _AXIS.match(k)]:
        axis = dict(layout[key] or {})
        axis["tickfont"] = {**(axis.get("tickfont") or {}), "size": SLIDE_TICKS}
        axis.setdefault("gridcolor", "#e3e3e3")
        t = axis.get("title")
        if isinstance(t, str):
            axis["title"] = {"text": t, "font": {"size": SLIDE_FONT}}
        elif isinstance(t, Mapping):
            axis["title"] = {**t, "font": {**(t.get("font") or {}), "size": SLIDE_FONT}}
        layout[key] = axis
    layout["annotations"] = [
        {**a, "font": {**(a.get("font") or {}), "size": _scaled((a.get("font") or {}).get("size"), factor, 24)}}
        for a in layout.get("annotations") or ()
    ]  # fmt: skip
    if "legend" in layout or layout.get("showlegend", True):
        layout["legend"] = {**(layout.get("legend") or {}), "font": {"size": SLIDE_TICKS}}
    layout.pop("updatemenus", None)
    layout.pop("sliders", None)
    for trace in out.get("data") or ():
        line = trace.get("line")
        if isinstance(line, Mapping) and line.get("width"):
            trace["line"] = {**line, "width": float(line["width"]) * 2}
        marker = trace.get("marker")
        if isinstance(marker, Mapping) and isinstance(marker.get("size"), int | float):
            trace["marker"] = {**marker, "size": float(marker["size"]) * 1.8}
    out["layout"] = layout
    out.pop("frames", None)
    return out


def side_by_side(left, right, *, split: float = 0.58, gap: float = 0.07) -> dict:
    """One figure with ``left`` in the x-domain [0, split] and ``right`` in
    [split + gap, 1]: the right figure's axes are renumbered after the left's, its traces,
    shapes and annotations follow them. Titles become annotations above each part."""
    lf, rf = as_dict(left), as_dict(right)
    ll, rl = dict(lf.get("layout") or {}), dict(rf.get("layout") or {})
    n_x = 1 + max([int(k[5:] or 1) for k in ll if k.startswith("xaxis")] or [1])
    n_y = 1 + max([int(k[5:] or 1) for k in ll if k.startswith("yaxis")] or [1])

    def ren(ref: str) -> str:  # 'x' -> 'x3', 'y2' -> 'y4', 'x domain' -> 'x3 domain'
        if not ref or ref == "paper" or ref[0] not in "xy":
            return ref
        head, _, tail = ref.partition(" ")
        k = int(head[1:] or 1) - 1 + (n_x if head[0] == "x" else n_y)
        return head[0] + str(k) + (" " + tail if tail else "")

    def squeeze(domain, lo: float, hi: float) -> list[float]:
        a, b = domain or (0.0, 1.0)
        return [lo + (hi - lo) * float(a), lo + (hi - lo) * float(b)]

    layout = {k: v for k, v in ll.items() if not _AXIS.match(k) and k not in ("title", "shapes", "annotations")}
    annotations: list[dict] = []
    shapes: list[dict] = []
    for part, lay, lo, hi, rename in ((lf, ll, 0.0, split, False), (rf, rl, split + gap, 1.0, True)):
        axes = {k: dict(v or {}) for k, v in lay.items() if _AXIS.match(k)}
        axes.setdefault("xaxis", {})
        axes.setdefault("yaxis", {})
        for key, axis in axes.items():
            letter, number = key[0], key[5:] or "1"
            name = ren(letter + number) if rename else letter + number
            if letter == "x":
                axis["domain"] = squeeze(axis.get("domain"), lo, hi)
            if rename:
                other = "y" if letter == "x" else "x"
                axis.setdefault("anchor", other)  # the default anchor would be the left part's axis
                for ref in ("anchor", "overlaying", "matches"):
                    if isinstance(axis.get(ref), str):
                        axis[ref] = ren(axis[ref])
            layout[letter + "axis" + ("" if name[1:] == "1" else name[1:])] = axis
        for tr in part.get("data") or ():
            if rename:
                tr["xaxis"], tr["yaxis"] = ren(tr.get("xaxis", "x")), ren(tr.get("yaxis", "y"))
        for sh in lay.get("shapes") or ():
            sh = dict(sh)
            for ref in ("xref", "yref"):
                if sh.get(ref) == "paper" and ref == "xref":
                    sh["x0"], sh["x1"] = (lo + (hi - lo) * float(sh.get("x0", 0)), lo + (hi - lo) * float(sh.get("x1", 1)))
                elif rename:
                    sh[ref] = ren(sh.get(ref, ref[0]))
            shapes.append(sh)
        for an in lay.get("annotations") or ():
            an = dict(an)
            if rename:
                an["xref"], an["yref"] = ren(an.get("xref", "x")), ren(an.get("yref", "y"))
            annotations.append(an)
        title = lay.get("title")
        text = title.get("text") if isinstance(title, Mapping) else title
        if text:
            annotations.append({"text": f"<b>{text}</b>", "xref": "paper", "yref": "paper", "x": (lo + hi) / 2,
                                "y": 1.0, "yanchor": "bottom", "showarrow": False, "font": {"size": 14}})  # fmt: skip
    layout["shapes"], layout["annotations"] = shapes, annotations
    layout["height"] = max(int(ll.get("height") or 400), int(rl.get("height") or 400))
    layout["margin"] = {"l": 55, "r": 55, "t": 70, "b": 45}
    layout["showlegend"] = False
    return {"data": list(lf.get("data") or []) + list(rf.get("data") or []), "layout": layout}


def _same(a, b) -> bool:
    try:
        return json.dumps(a, default=lambda v: np.asarray(v).tolist(), sort_keys=True) == json.dumps(
            b, default=lambda v: np.asarray(v).tolist(), sort_keys=True)
    except TypeError:
        return False


def animated_figure(snapshots: Sequence[Mapping[str, Any]], labels: Sequence[str], *,
                    duration_ms: int = 350) -> dict:  # fmt: skip
    """Snapshots of one chart (figure dicts with the same traces) as an animation: the last
    snapshot is shown, Play runs from the first; a slider names each frame by ``labels``.

    Frames carry only the traces that change (the landscape curve is sent once)."""
    if not snapshots:
        raise ValueError("an animation needs at least one snapshot")
    snaps = [as_dict(s) for s in snapshots]
    first_data = snaps[0]["data"]
    moving = [i for i in range(len(first_data))
              if any(not _same(first_data[i], s["data"][i]) for s in snaps[1:])]  # fmt: skip
    frames = []
    for snap, label in zip(snaps, labels, strict=True):
        lay = snap.get("layout") or {}
        frame_layout = {k: lay[k] for k in ("title", "annotations") if k in lay}
        frames.append({"name": label, "data": [snap["data"][i] for i in moving], "traces": moving,
                       "layout": frame_layout})  # fmt: skip
    out = {"data": snaps[-1]["data"], "layout": dict(snaps[-1].get("layout") or {}), "frames": frames}
    play = {"frame": {"duration": duration_ms, "redraw": True}, "fromcurrent": False,
            "transition": {"duration": 0}, "mode": "immediate"}  # fmt: skip
    layout = out["layout"]
    # the controls sit below the x-axis titles (pixel offsets from the plot's bottom edge);
    # the steps show in the titles, so the slider's own labels are hidden
    layout["updatemenus"] = [{"type": "buttons", "direction": "left", "x": 0.0, "y": 0, "xanchor": "left",
                              "yanchor": "top", "showactive": False, "pad": {"t": 52, "r": 8},
                              "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                                          {"label": "❚❚", "method": "animate",
                                           "args": [[None], {"frame": {"duration": 0}, "mode": "immediate"}]}]}]  # fmt: skip
    layout["sliders"] = [{"active": len(frames) - 1, "x": 0.16, "len": 0.84, "y": 0, "yanchor": "top",
                          "currentvalue": {"visible": False}, "pad": {"t": 44}, "font": {"size": 1},
                          "ticklen": 2, "minorticklen": 0,
                          "steps": [{"label": f["name"], "method": "animate",
                                     "args": [[f["name"]], {"frame": {"duration": 0, "redraw": True},
                                                            "mode": "immediate"}]} for f in frames]}]  # fmt: skip
    margin = dict(layout.get("margin") or {})
    margin["b"] = max(int(margin.get("b", 45)), 100)
    layout["margin"] = margin
    layout["height"] = int(layout.get("height") or 420) + 55
    return out


def final_frame(fig: Mapping[str, Any]) -> dict:
    """An animated figure as a still of its last snapshot (no frames, no controls)."""
    layout = {k: v for k, v in (fig.get("layout") or {}).items() if k not in ("updatemenus", "sliders")}
    if fig.get("frames"):
        layout["height"] = int(layout.get("height") or 500) - 55
        layout["margin"] = {**(layout.get("margin") or {}), "b": 45}
    return {"data": fig.get("data") or [], "layout": layout}


def animation_html(fig: Mapping[str, Any], *, title: str, settings: Mapping[str, Any]) -> str:
    """A self-contained HTML page (Plotly.js inlined: it plays offline, without the app)
    showing the animated ``fig``, with ``title`` and the run's ``settings`` written above
    it and in a ``<script type="application/json" id="settings">`` block."""
    import plotly.io as pio

    body = pio.to_html(fig, include_plotlyjs=True, full_html=False, auto_play=False,
                       config={"displaylogo": False, "responsive": True})  # fmt: skip
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in settings.items())  # fmt: skip
    blob = plotly.io.json.to_json_plotly(dict(settings)).replace("</", "<\\/")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1.5rem;}}"
            "table{border-collapse:collapse;font-size:0.9rem;}th,td{padding:0.15rem 0.8rem 0.15rem 0;"
            "text-align:left;}</style></head><body>"
            f"<h2>{html.escape(title)}</h2><table>{rows}</table>"
            f"<script type=\"application/json\" id=\"settings\">{blob}</script>{body}</body></html>")  # fmt: skip

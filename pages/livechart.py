"""Live charts drawn in place: a Plotly figure updated with ``Plotly.react`` on the same div.

``st.plotly_chart`` derives a passive chart's element id from its content, so every
new figure of a live view is a new element: the browser drops the old chart and builds
a new one (blank frames, zoom and pan lost at every refresh; issue 8.9, Streamlit PR
#16052). This component keeps one div per ``key`` and hands each new figure to
``Plotly.react``, which honours ``layout.uirevision``, so a zoom survives the refreshes.

Plotly.js is the copy inside the installed plotly package, served by Streamlit's static
file serving (``static/plotly.min.js``, copied on first use; nothing is fetched from the
network).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly
import plotly.io.json
import streamlit as st

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PLOTLY_JS = "plotly.min.js"
PLOTLY_URL = "app/static/" + PLOTLY_JS  # relative to the app's base URL

_JS = """
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__sgdPlotlyLoading) {
    window.__sgdPlotlyLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = new URL('/PLOTLY_URL', window.location.origin).href;
      s.onload = () => resolve(window.Plotly);
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  return window.__sgdPlotlyLoading;
}

export default function (component) {
  const { data, parentElement } = component;
  let el = parentElement.querySelector('div.live-plot');
  if (!el) {
    el = document.createElement('div');
    el.className = 'live-plot';
    parentElement.appendChild(el);
  }
  // the payload is UTF-8 JSON bytes {figure, config}: Streamlit forwards bytes as they are
  // (a dict would be dumped to JSON twice more on the server, once only to hash it)
  const payload = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  const fig = payload.figure;
  loadPlotly().then((Plotly) => {
    // follow the app's light or dark theme: transparent backgrounds, the page's text colour
    const text = getComputedStyle(parentElement).color || '#31333f';
    const layout = Object.assign({}, fig.layout, {
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)',
      font: Object.assign({ color: text }, fig.layout.font || {}),
    });
    // 'allow': Plotly's default ('hide past div') measures every tick label with
    // getBoundingClientRect, a forced layout of the page, at every live refresh
    const axis = { gridcolor: 'rgba(128,128,128,0.25)', ticklabeloverflow: 'allow' };
    for (const k of Object.keys(layout)) {
      if (/^[xy]axis\\d*$/.test(k)) {
        layout[k] = Object.assign({ zerolinecolor: 'rgba(128,128,128,0.4)' }, axis, layout[k]);
      }
    }
    if (!layout.xaxis) layout.xaxis = Object.assign({}, axis);
    if (!layout.yaxis) layout.yaxis = Object.assign({}, axis);
    Plotly.react(el, fig.data, layout, payload.config);
  });
}
""".replace("PLOTLY_URL", PLOTLY_URL)


def ensure_plotly_js() -> Path:
    """Copy the plotly package's Plotly.js into ``static/`` (once per version)."""
    source = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    target = STATIC_DIR / PLOTLY_JS
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        STATIC_DIR.mkdir(exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target


_component = st.components.v2.component("sgd_live_chart", js=_JS, isolate_styles=False)


def live_plot(fig, key: str, height: int | None = None) -> None:
    """Draw ``fig`` (a ``go.Figure`` or a plain figure dict) in the live chart ``key``,
    updating the chart already on the page."""
    config = {"displaylogo": False, "responsive": True,
              "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key}}  # fmt: skip
    if isinstance(fig, dict):
        h = height or int(fig.get("layout", {}).get("height") or 400)
    else:
        h = height or int(fig.layout.height or 400)
        fig = fig.to_plotly_json()
    # numpy arrays as they are, no validation; orjson when installed
    payload = plotly.io.json.to_json_plotly({"figure": fig, "config": config}).encode()
    _component(key=key, data=payload, height=h)

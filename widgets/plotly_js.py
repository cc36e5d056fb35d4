"""Plotly.js in the browser for the app's own components (the live charts of
``widgets/livechart.py``, the slide exports of ``widgets/exports.py``): the copy inside the
installed plotly package, served by Streamlit's static file serving
(``static/plotly.min.js``, copied on first use; nothing is fetched from the network), and
the one JavaScript loader that fetches it once per page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PLOTLY_JS = "plotly.min.js"
PLOTLY_URL = "app/static/" + PLOTLY_JS  # relative to the app's base URL

LOAD_PLOTLY_JS = """
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
""".replace("PLOTLY_URL", PLOTLY_URL)
"""JavaScript defining ``loadPlotly()``: a promise of ``window.Plotly``, the script loaded
once per page however many components ask (put it at the top of a component's ``js``)."""


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

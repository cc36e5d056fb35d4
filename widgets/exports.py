"""Exports for slides: "Download PNG" and "Download SVG" of a chart at 1920 px wide, and
"Download animation" of a run (a self-contained HTML file of Plotly frames).

The images are made in the browser: Plotly.js (the copy the app serves for its live
charts, ``widgets/livechart.py``) renders the slide version of the figure
(``slides.slide_figure``) with ``Plotly.toImage`` and the page saves it. The server spends
no CPU on images and needs no image engine (kaleido is not installed here, and a Chromium
per export would take a core of the 2-core server from a room of live runs). The animation
file is built on the server only when its button is pressed (a callable ``data``).
"""

from __future__ import annotations

import plotly.io.json
import streamlit as st

from dashboard import slides
from widgets.plotly_js import LOAD_PLOTLY_JS, ensure_plotly_js

_JS = LOAD_PLOTLY_JS + """
async function save(fig, format, name, button) {
  const old = button.textContent;
  button.disabled = true;
  button.textContent = 'Preparing…';
  try {
    const Plotly = await loadPlotly();
    const url = await Plotly.toImage({data: fig.data, layout: fig.layout},
      {format: format, width: fig.layout.width, height: fig.layout.height, scale: 1});
    const a = document.createElement('a');
    a.href = url;
    a.download = name + '.' + format;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    button.disabled = false;
    button.textContent = old;
  }
}

export default function (component) {
  const { data, parentElement } = component;
  const payload = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  let box = parentElement.querySelector('div.sgd-export');
  if (!box) {
    box = document.createElement('div');
    box.className = 'sgd-export';
    for (const format of ['png', 'svg']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sgd-export-' + format;
      b.textContent = 'Download ' + format.toUpperCase();
      b.addEventListener('click', () => save(box.__fig, format, box.__name, b));
      box.appendChild(b);
    }
    parentElement.appendChild(box);
  }
  box.__fig = payload.figure;
  box.__name = payload.name;
}
"""

_CSS = """
.sgd-export { display: flex; gap: 0.5rem; flex-wrap: wrap; }
.sgd-export button { font: inherit; font-size: 0.875rem; padding: 0.25rem 0.75rem; border-radius: 0.5rem;
  border: 1px solid rgba(128, 128, 128, 0.45); background: transparent; color: inherit; cursor: pointer; }
.sgd-export button:hover { border-color: #ff4b4b; color: #ff4b4b; }
"""

_component = st.components.v2.component("sgd_slide_export", js=_JS, css=_CSS, isolate_styles=False)


def image_buttons(fig, name: str, key: str) -> None:
    """"Download PNG" and "Download SVG" of ``fig`` (a ``go.Figure`` or dict) for a slide,
    1920 px wide (``slides.slide_figure``), saved as ``name``.png / .svg."""
    ensure_plotly_js()
    payload = plotly.io.json.to_json_plotly({"figure": slides.slide_figure(fig), "name": name}).encode()
    _component(key=key, data=payload, height="content")


def animation_button(fig: dict, *, title: str, settings: dict, name: str, key: str) -> None:
    """"Download animation": ``fig``'s frames as one HTML file that plays offline, with the
    run's settings written in it (built when pressed)."""

    def build() -> str:
        return slides.animation_html(fig, title=title, settings=settings)

    st.download_button("Download animation", data=build, file_name=f"{name}.html", mime="text/html",
                       key=key, icon=":material/movie:", on_click="ignore")  # fmt: skip

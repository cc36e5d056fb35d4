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

import plotly.io.json
import streamlit as st

from widgets import livestream
from widgets.plotly_js import LOAD_PLOTLY_JS

_JS = LOAD_PLOTLY_JS + """
function drawPlot(el, fig, Plotly) {
  // follow the app's light or dark theme: transparent backgrounds, the page's text colour
  const text = getComputedStyle(el).color || '#31333f';
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
  Plotly.react(el, fig.data, layout, el.__sgdConfig);
}

// text parts: the same few elements updated in place (no layout of new nodes per frame)
function drawText(el, kind, content) {
  if (kind === 'metrics') {
    if (el.childElementCount !== content.length) {
      el.innerHTML = content.map(() => '<div class="sgd-metric"><div class="sgd-metric-label"></div>'
        + '<div class="sgd-metric-value"></div></div>').join('');
    }
    content.forEach(([label, value], i) => {
      const m = el.children[i];
      if (m.firstChild.textContent !== label) m.firstChild.textContent = label;
      if (m.lastChild.textContent !== value) m.lastChild.textContent = value;
    });
  } else if (kind === 'bars') {
    const rows = content.rows;
    if (el.childElementCount !== rows.length + 1) {
      el.innerHTML = '<div class="sgd-bars-title"></div>' + rows.map(() => '<div class="sgd-bar">'
        + '<div class="sgd-bar-text"></div><div class="sgd-bar-track"><div class="sgd-bar-fill"></div>'
        + '</div></div>').join('');
    }
    el.firstChild.textContent = content.title;
    rows.forEach(([text, share], i) => {
      const b = el.children[i + 1];
      b.firstChild.textContent = text;
      b.lastChild.firstChild.style.width = (100 * Math.max(0, Math.min(1, share))).toFixed(2) + '%';
    });
  } else {
    if (el.textContent !== content) el.textContent = content;
  }
}

function draw(el, kind, content, Plotly) {
  if (kind === 'plot') drawPlot(el, content, Plotly); else drawText(el, kind, content);
}

// One poller per run token and window: fetches a frame, hands each part to the element
// subscribed under its key, asks again after the interval the server gives.
const STREAMS = window.__sgdLive || (window.__sgdLive = {});

function getStream(token) {
  if (!STREAMS[token]) STREAMS[token] = { token, subs: new Map(), active: false, timer: null };
  return STREAMS[token];
}

function stopStream(s) {
  s.active = false;
  clearTimeout(s.timer);
}

function startStream(s) {
  if (s.active) return;
  s.active = true;
  s.timer = setTimeout(() => poll(s), 0);
}

async function poll(s) {
  for (const el of [...s.subs.keys()]) if (!el.isConnected) s.subs.delete(el);
  if (!s.active) return;
  if (s.subs.size === 0) { stopStream(s); delete STREAMS[s.token]; return; }
  const t0 = performance.now();
  let frame;
  try {
    const r = await fetch(new URL('URL_PREFIX' + s.token, window.location.origin), { cache: 'no-store' });
    frame = r.ok ? await r.json() : { running: false, gone: true, parts: {} };
  } catch (e) {  // the server restarts or the network drops: try again in a second
    if (s.active) s.timer = setTimeout(() => poll(s), 1000);
    return;
  }
  if (!s.active) return;  // paused meanwhile: the page has drawn the state itself
  const Plotly = await loadPlotly();
  for (const [el, sub] of s.subs) {
    const content = frame.parts[sub.key];
    if (content === undefined || content === null) continue;
    draw(el, sub.kind, content, Plotly);
    el.__sgdSteps = frame.steps;
  }
  if (!frame.running) {  // paused in another tab, or stopped by an error: the page reruns
    stopStream(s);
    const sub = s.subs.values().next().value;
    if (sub) sub.stopped(frame.steps);
    return;
  }
  const wait = Math.max(0, 1000 * frame.interval - (performance.now() - t0));
  s.timer = setTimeout(() => poll(s), wait);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  // the payload is UTF-8 JSON bytes: Streamlit forwards bytes as they are
  // (a dict would be dumped to JSON twice more on the server, once only to hash it)
  const payload = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
  let el = parentElement.querySelector('div.live-part');
  if (!el) {
    el = document.createElement('div');
    el.className = 'live-part live-' + payload.kind;
    parentElement.appendChild(el);
  }
  el.__sgdConfig = payload.config;
  const st = payload.stream;
  // a frame of the same run that the stream drew here already is newer than the page's copy
  const sameRun = st && el.__sgdToken === st.token;
  const show = (Plotly) => {
    if (payload.content !== null && !(sameRun && el.__sgdSteps > payload.steps)) {
      draw(el, payload.kind, payload.content, Plotly);
      el.__sgdSteps = payload.steps;
    }
  };
  if (payload.kind === 'plot') loadPlotly().then(show); else show(null);
  if (el.__sgdToken && (!st || el.__sgdToken !== st.token) && STREAMS[el.__sgdToken]) {
    STREAMS[el.__sgdToken].subs.delete(el);
  }
  el.__sgdToken = st ? st.token : null;
  if (!st) return;
  const s = getStream(st.token);
  s.subs.set(el, { key: payload.key, kind: payload.kind, stopped: (steps) => setTriggerValue('stopped', steps) });
  if (st.running) startStream(s); else stopStream(s);
}
""".replace("URL_PREFIX", livestream.URL_PREFIX)


_CSS = """
.live-metrics { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; }
.sgd-metric { flex: 1 1 0; min-width: 6.5rem; }
.sgd-metric-label { font-size: 0.875rem; opacity: 0.75; }
.sgd-metric-value { font-size: clamp(1.1rem, 2.1vw, 1.75rem); line-height: 1.35; white-space: nowrap; }
.sgd-bars-title { font-weight: 600; margin-bottom: 0.25rem; }
.sgd-bar { margin-bottom: 0.35rem; }
.sgd-bar-text { font-size: 0.875rem; }
.sgd-bar-track { height: 0.5rem; border-radius: 0.25rem; background: rgba(128, 128, 128, 0.25); }
.sgd-bar-fill { height: 100%; border-radius: 0.25rem; background: #ff4b4b; }
.live-caption { font-size: 0.875rem; opacity: 0.7; }
"""

_component = st.components.v2.component("sgd_live_chart", js=_JS, css=_CSS, isolate_styles=False)


def stream_of(run) -> dict | None:
    """How the live parts of ``run`` follow its frames (``widgets/livestream.py``): its token
    and whether it runs; None where this server has no frame route (the page then
    refreshes them through fragment reruns)."""
    if not livestream.served():
        return None
    return {"token": run.token, "running": bool(run.running)}


def _mount(key: str, kind: str, content, config, stream: dict | None, steps: int, height) -> None:
    # numpy arrays as they are, no validation; orjson when installed
    payload = plotly.io.json.to_json_plotly({"key": key, "kind": kind, "content": content, "config": config,
                                              "stream": stream, "steps": int(steps)}).encode()  # fmt: skip
    _component(key=key, data=payload, height=height, on_stopped_change=_rerun_on_stop)


def _rerun_on_stop() -> None:
    """The stream saw its run stop (paused in another tab, or an error): the fragment
    reruns, and ``ui.live_fragment`` then reruns the whole page in the new state."""


def live_plot(fig, key: str, height: int | None = None, *, stream: dict | None = None, steps: int = 0) -> None:
    """Draw ``fig`` (a ``go.Figure`` or a plain figure dict) in the live chart ``key``,
    updating the chart already on the page; with ``stream`` (``stream_of(run)``) the chart
    then follows the run's frames, which carry ``key``'s figure."""
    config = {"displaylogo": False, "responsive": True,
              "toImageButtonOptions": {"format": "png", "scale": 2, "filename": key}}  # fmt: skip
    if isinstance(fig, dict):
        h = height or int(fig.get("layout", {}).get("height") or 400)
    else:
        h = height or int(fig.layout.height or 400)
        fig = fig.to_plotly_json()
    _mount(key, "plot", fig, config, stream, steps, h)


def live_text(kind: str, content, key: str, *, stream: dict | None = None, steps: int = 0) -> None:
    """Live numbers drawn in place: ``kind`` "metrics" (``[[label, value], ...]``), "bars"
    (``{"title": .., "rows": [[text, share], ...]}``) or "caption" (a string)."""
    _mount(key, kind, content, None, stream, steps, "content")

"""Load test: many browser sessions, each running a live simulation on its own formula.

    .venv/bin/python tests/load/load_test.py --sessions 10 --minutes 3

What it does (everything on 127.0.0.1, bounded in time and count, stops by itself):

1. starts the dashboard (``python app.py``, i.e. ``streamlit run app.py``) on a free loopback port (or uses --url);
2. opens ``--sessions`` browser contexts in one headless Debian chromium, each
   on ``/simulate?mode=formula&formula=<its own formula>`` and presses Start;
3. for ``--minutes`` samples every ``--interval`` seconds: the server's RSS
   and CPU time (/proc/<pid>/stat and status, children included), and in every
   page the "Steps per path" metric, uncaught page errors, Streamlit exception
   boxes and error alerts, and the connection state. A tiny script in each page
   counts how often the metric changes (the view's update rate);
4. checks isolation: each page's plotted landscape curve must be its own
   f (compared point by point with ``landscape.parse_formula(formula).f``),
   and its link box must carry its own formula;
5. fault check: closes every tab in the middle of the runs and measures the
   server's CPU over ``--idle`` seconds afterwards (no orphan work may keep
   burning CPU) and its child processes;
6. writes ``test-artifacts/load-<time>.json`` and prints a summary; exit code 0
   if the targets hold (0 errors, every session updating, isolation, bounded
   memory, idle server after the tabs closed), 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update"]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

#: one formula per session: polynomial wells (Horner path) and non-polynomial
#: ones (compiled gradient), all different
FORMULAS = [
    "x**4 - x**2 + 0.01*x",
    "x**4 - x**2 + 0.05*sin(7x)",
    "x**4 - 1.2x**2 + 0.1x",
    "(x**2 - 1)**2 + 0.3*cos(5x)",
    "x**6 - 2x**4 + x**2 + 0.05x",
    "x**4 - x**2 + 0.02*sin(11x)",
    "0.5x**4 - x**2 - 0.2x",
    "x**4 - 1.5x**2 + 0.2*cos(3x)",
    "(x**2 - 0.8)**2 + 0.1x",
    "x**4 - x**2 + 0.03*sin(13x) + 0.02x",
    "x**4 - 0.7x**2",
    "x**4 - x**2 + 0.04*cos(9x)",
    "2x**4 - 2x**2 + 0.1x**3",
    "x**4 - x**2 + 0.06*sin(5x)",
    "x**8 - x**2 + 0.01x",
    "x**4 - 1.1x**2 + 0.05*cos(17x)",
]

# the live view's "Steps per path" (widgets/livechart.py draws the numbers in place)
METRIC_JS = """() => {
  const v = document.querySelector('.st-key-live_metrics .sgd-metric-value');
  return v ? v.textContent : null;
}"""

WATCH_JS = """() => {
  if (window.__loadWatch) return;
  window.__loadWatch = {changes: 0, last: null, lastChange: Date.now(), maxGap: 0};
  setInterval(() => {
    const w = window.__loadWatch;
    const m = document.querySelector('.st-key-live_metrics .sgd-metric-value');
    const v = m ? m.textContent : null;
    if (v !== null && v !== w.last) {
      const now = Date.now();
      if (w.last !== null) { w.changes += 1; w.maxGap = Math.max(w.maxGap, now - w.lastChange); }
      w.last = v; w.lastChange = now;
    }
  }, 100);
}"""

READ_WATCH_JS = """() => {
  const w = window.__loadWatch;
  if (!w) return null;
  return {changes: w.changes, maxGap: Math.max(w.maxGap, Date.now() - w.lastChange)};
}"""

PROBLEMS_JS = """() => {
  const out = [];
  for (const e of document.querySelectorAll("[data-testid='stException']"))
    out.push('exception: ' + e.innerText.slice(0, 300));
  for (const e of document.querySelectorAll("[data-testid='stAlertContentError']"))
    out.push('error: ' + e.innerText.slice(0, 300));
  const status = document.querySelector("[data-testid='stConnectionStatus']");
  if (status && /connect/i.test(status.innerText)) out.push('connection: ' + status.innerText);
  return out;
}"""

CURVE_JS = """() => {
  const d = document.querySelector('.st-key-traj_chart .js-plotly-plot');
  if (!d || !d._fullData || !d._fullData.length) return null;
  const t = d._fullData[0];
  return {name: t.name, f: Array.from(t.x), x: Array.from(t.y)};
}"""

STATUS_JS = """() => Array.from(document.querySelectorAll(
  ".st-key-live_metrics, .st-key-live_caption, [data-testid='stCaptionContainer']"))
  .map(e => e.innerText.replace(/\\s+/g, ' ')).join(' | ')"""

LINK_JS = """() => {
  const c = document.querySelector("[data-testid='stSidebar'] [data-testid='stCode']");
  return c ? c.innerText : null;
}"""


# ---------------------------------------------------------------------------
# the server and /proc
# ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def start_server(port: int, log_path: Path, extra: list[str] | None = None,
                 env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    env = dict(os.environ, NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR",
                                                          str(ROOT / ".cache" / "numba")))
    env.update(env_extra or {})
    log = open(log_path, "w")  # noqa: SIM115 - stays open for the server's lifetime
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", *(extra or [])],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while not healthy(url):
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_path}")
        if time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("streamlit did not become healthy within 90 s")
        time.sleep(0.3)
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def descendants(pid: int) -> list[int]:
    """Child processes (recursively) of ``pid``, from /proc/<pid>/task/*/children."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def proc_sample(pid: int) -> dict:
    """CPU seconds (self, reaped children, live children) and RSS (MB) of a process."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    with open(f"/proc/{pid}/statm") as fh:
        rss_pages = int(fh.read().split()[1])
    threads = int(fields[17])
    kids = descendants(pid)
    kid_cpu, kid_rss = 0, 0
    for k in kids:
        try:
            with open(f"/proc/{k}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
            kid_cpu += int(f[11]) + int(f[12])
            with open(f"/proc/{k}/statm") as fh:
                kid_rss += int(fh.read().split()[1])
        except OSError:
            pass
    return {"t": time.monotonic(), "cpu": (utime + stime + cutime + cstime + kid_cpu) / TICKS,
            "rss_mb": rss_pages * PAGE_SIZE / 2**20, "children": len(kids),
            "children_rss_mb": kid_rss * PAGE_SIZE / 2**20, "threads": threads}


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------
@dataclass
class Session:
    index: int
    formula: str
    context: object = None
    page: object = None
    errors: list = field(default_factory=list)
    steps: list = field(default_factory=list)         # (t, steps per path) samples
    started_at: float | None = None
    first_update_s: float | None = None
    intervals: int = 0
    updated_intervals: int = 0
    changes: int = 0
    max_gap_s: float = 0.0
    isolation: list = field(default_factory=list)     # problems found
    notes: list = field(default_factory=list)         # known defects seen (not errors)


def parse_steps(text: str | None) -> int | None:
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else None


def open_session(browser, base: str, s: Session, paths: int, timeout_ms: int) -> None:
    """Open the session's deep link (does not wait for the page)."""
    s.context = browser.new_context(viewport={"width": 1300, "height": 900})
    s.page = s.context.new_page()
    s.page.set_default_timeout(timeout_ms)
    s.page.on("pageerror", lambda e, s=s: s.errors.append(f"pageerror: {str(e)[:300]}"))
    query = urllib.parse.urlencode({"mode": "formula", "formula": s.formula, "paths": paths})
    s.page.goto(f"{base}/simulate?{query}", wait_until="commit")


def start_session(s: Session) -> None:
    """Wait for the page, press Start and install the update counter."""
    start = s.page.locator(".st-key-sim_start button")
    start.wait_for(state="visible")
    dismiss_page_not_found(s)
    start.click()          # waits until the button is enabled and stable
    s.started_at = time.monotonic()
    s.page.evaluate(WATCH_JS)


def dismiss_page_not_found(s: Session) -> None:
    """A plain ``streamlit run app.py`` shows a "Page not found" modal over the right
    page when the first visitor after a server start opens a deep link (F7; the
    ``python app.py`` launcher prevents it). It is an error; close it and go on."""
    s.page.wait_for_timeout(500)
    dialog = s.page.locator("[role='dialog']").filter(has_text="Page not found")
    if dialog.count():
        s.errors.append("'Page not found' modal over the deep-linked page (F7)")
        s.page.keyboard.press("Escape")
        if dialog.count():
            dialog.locator("button").first.click()
        dialog.first.wait_for(state="detached", timeout=10_000)


def check_isolation(s: Session) -> None:
    import numpy as np

    import landscape

    curve = s.page.evaluate(CURVE_JS)
    for _ in range(10):  # a full rerun (new refresh interval) redraws the chart for a moment
        if curve and curve["x"]:
            break
        s.page.wait_for_timeout(500)
        curve = s.page.evaluate(CURVE_JS)
    if not curve or not curve["x"]:
        s.isolation.append("no landscape curve on the page")
        return
    xs = np.asarray(curve["x"], dtype=float)
    shown = np.asarray([np.nan if v is None else v for v in curve["f"]], dtype=float)
    # the reference f is computed here, in the test process: give its parser all the time
    # it needs (the machine is saturated by the run itself, F8), and only here (a global
    # change leaked into the parser tests that run after the short load test)
    saved = landscape.config.PARSE_TIMEOUT
    landscape.config.PARSE_TIMEOUT = max(saved, 30.0)
    try:
        expected = landscape.parse_formula(s.formula).f(xs)
    finally:
        landscape.config.PARSE_TIMEOUT = saved
    ok = np.isfinite(shown) & np.isfinite(expected)
    if ok.sum() < 10 or not np.allclose(shown[ok], expected[ok], rtol=1e-6, atol=1e-9):
        worst = float(np.nanmax(np.abs(shown[ok] - expected[ok]))) if ok.any() else math.nan
        s.isolation.append(f"the plotted f is not this session's f (max diff {worst:.3g})")
    link = s.page.evaluate(LINK_JS) or ""
    wanted = urllib.parse.urlencode({"formula": s.formula})
    if wanted not in link.replace("\n", ""):
        s.isolation.append(f"the link box does not carry this session's formula: {link[:200]!r}")


def late_visitor(browser, base: str, timeout: float) -> dict:
    """Seconds until a new visitor's landscape page is drawn while the others run."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    page = ctx.new_page()
    t0 = time.monotonic()
    out: dict = {"timeout_s": timeout}
    try:
        page.goto(f"{base}/?mode=preset", wait_until="commit", timeout=timeout * 1000)
        page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=timeout * 1000)
        out["first_chart_s"] = round(time.monotonic() - t0, 1)
    except Exception as error:  # noqa: BLE001 - not served in time is the finding
        out["error"] = str(error).splitlines()[0][:200]
    finally:
        ctx.close()
    return out


def safe_eval(s: Session, script: str):
    """page.evaluate that reports a failure as a session error instead of raising."""
    try:
        return s.page.evaluate(script)
    except Exception as error:  # noqa: BLE001
        message = f"page not readable: {str(error).splitlines()[0][:200]}"
        if message not in s.errors:
            s.errors.append(message)
        return None


def page_problems(s: Session) -> list[str]:
    try:
        return s.page.evaluate(PROBLEMS_JS)
    except Exception as error:  # noqa: BLE001 - a dead page is a problem to report
        return [f"page not readable: {str(error)[:200]}"]


# ---------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------
@contextlib.contextmanager
def chromium_browser(existing=None):
    """Yield ``existing`` (a Playwright browser owned by the caller, e.g. a pytest
    session fixture: one process may run only one sync Playwright at a time), or
    launch Debian's chromium for the duration of the block."""
    if existing is not None:
        yield existing
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def run(sessions: int = 10, minutes: float = 3.0, interval: float = 5.0, idle: float = 15.0,
        paths: int = 20, url: str | None = None, warmup_timeout: float = 240.0,
        quiet: bool = False, late_timeout: float = 120.0,
        server_args: list[str] | None = None, shared_browser=None) -> dict:
    if sessions > len(FORMULAS):
        raise SystemExit(f"at most {len(FORMULAS)} sessions (one formula each)")
    if minutes <= 0 or minutes > 60 or interval <= 0:
        raise SystemExit("--minutes must be in (0, 60], --interval > 0")
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    ARTIFACTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    server = None
    if url is None:
        port = free_port()
        server = start_server(port, ARTIFACTS / f"load-server-{stamp}.log", server_args)
        url = f"http://127.0.0.1:{port}"
    host = urllib.parse.urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load test only targets loopback addresses")
    pid = server.pid if server else None
    samples: list[dict] = []
    result: dict = {"sessions": sessions, "minutes": minutes, "paths": paths, "url": url,
                    "started": stamp, "server_args": server_args or []}
    all_sessions = [Session(i, FORMULAS[i]) for i in range(sessions)]
    t_begin = time.monotonic()
    try:
        with chromium_browser(shared_browser) as browser:
            if pid:
                samples.append(dict(proc_sample(pid), phase="before"))
            for s in all_sessions:     # all pages load at once, as real users would
                open_session(browser, url, s, paths, int(warmup_timeout * 1000))
            for s in all_sessions:
                t_open = time.monotonic()
                try:
                    start_session(s)
                except Exception as error:  # noqa: BLE001 - a session that cannot start is a finding
                    s.errors.append(f"could not press Start: {str(error).splitlines()[0][:200]}")
                    shot = ARTIFACTS / f"load-{stamp}-session{s.index + 1}.png"
                    try:
                        s.page.screenshot(path=str(shot))
                    except Exception:  # noqa: BLE001, S110 - the screenshot is a best-effort extra
                        pass
                say(f"session {s.index + 1}: {'started' if not s.errors else 'FAILED'} "
                    f"{s.formula} ({time.monotonic() - t_open:.0f} s)")
            # warm-up: every session has shown progress at least once
            deadline = time.monotonic() + warmup_timeout
            pending = set(range(sessions))
            while pending and time.monotonic() < deadline:
                for s in all_sessions:
                    if s.index in pending and (parse_steps(safe_eval(s, METRIC_JS)) or 0) > 0:
                        s.first_update_s = time.monotonic() - s.started_at
                        pending.discard(s.index)
                time.sleep(0.5)
            for i in pending:
                all_sessions[i].errors.append("never showed any progress during warm-up")
            result["warmup_s"] = time.monotonic() - t_begin
            say(f"warm-up done after {result['warmup_s']:.0f} s")
            for s in all_sessions:     # count updates from the steady phase on
                safe_eval(s, "() => { if (window.__loadWatch) {"
                                " window.__loadWatch.changes = 0; window.__loadWatch.maxGap = 0;"
                                " window.__loadWatch.lastChange = Date.now(); } }")
            last = {s.index: parse_steps(safe_eval(s, METRIC_JS)) for s in all_sessions}
            steady_start = time.monotonic()
            if pid:
                samples.append(dict(proc_sample(pid), phase="steady"))
            end = steady_start + minutes * 60
            while time.monotonic() < end:
                time.sleep(min(interval, max(0.0, end - time.monotonic())))
                if pid:
                    samples.append(dict(proc_sample(pid), phase="steady"))
                for s in all_sessions:
                    steps = parse_steps(safe_eval(s, METRIC_JS))
                    s.steps.append((time.monotonic() - steady_start, steps))
                    s.intervals += 1
                    if steps is not None and last[s.index] is not None and steps > last[s.index]:
                        s.updated_intervals += 1
                    last[s.index] = steps
                    for problem in page_problems(s):
                        if problem not in s.errors:
                            s.errors.append(problem)
                if samples and not quiet:
                    smp = samples[-1]
                    say(f"t={time.monotonic() - steady_start:5.0f}s  rss={smp['rss_mb']:.0f} MB"
                        f"  children={smp['children']}  steps="
                        + ",".join(str(last[i]) for i in range(sessions)))
            steady_s = time.monotonic() - steady_start
            # one more visitor arrives while everybody is running
            result["late_visitor"] = late_visitor(browser, url, late_timeout)
            say(f"late visitor: {result['late_visitor']}")
            for s in all_sessions:
                watch = safe_eval(s, READ_WATCH_JS) or {}
                s.changes = int(watch.get("changes", 0))
                s.max_gap_s = float(watch.get("maxGap", 0)) / 1000
                if s.intervals and s.updated_intervals < 0.8 * s.intervals:
                    # evidence for a stalled view: what the page says, and a picture
                    shot = ARTIFACTS / f"load-{stamp}-stalled-session{s.index + 1}.png"
                    try:
                        s.page.screenshot(path=str(shot), full_page=True)
                        s.notes.append(f"stalled view: {shot.name}; page says: "
                                       + (safe_eval(s, STATUS_JS) or "")[:300])
                    except Exception as error:  # noqa: BLE001 - evidence is a best-effort extra
                        s.notes.append(f"stalled view (no screenshot: {str(error)[:100]})")
                try:
                    check_isolation(s)
                except Exception as error:  # noqa: BLE001
                    s.isolation.append(f"could not check: {str(error).splitlines()[0][:200]}")
            # fault: leave every page in the middle of its run
            for s in all_sessions:
                s.context.close()
            closed_at = time.monotonic()
            if pid:
                samples.append(dict(proc_sample(pid), phase="closed"))
                time.sleep(idle)
                samples.append(dict(proc_sample(pid), phase="idle"))
    finally:
        if server is not None:
            stop_server(server)

    # ---------------------------------------------------------------- figures
    per_session = []
    for s in all_sessions:
        per_session.append({
            "session": s.index + 1, "formula": s.formula, "errors": s.errors,
            "first_update_s": s.first_update_s,
            "updated_intervals": f"{s.updated_intervals}/{s.intervals}",
            "updated_fraction": s.updated_intervals / s.intervals if s.intervals else 0.0,
            "view_updates_per_s": s.changes / steady_s if steady_s else 0.0,
            "max_gap_s": s.max_gap_s,
            "final_steps_per_path": s.steps[-1][1] if s.steps else None,
            "isolation_problems": s.isolation, "notes": s.notes})
    result["per_session"] = per_session
    result["steady_s"] = steady_s
    result["errors"] = sum(len(p["errors"]) for p in per_session)
    result["isolation_problems"] = sum(len(p["isolation_problems"]) for p in per_session)
    result["min_updated_fraction"] = min(p["updated_fraction"] for p in per_session)
    rates = [p["view_updates_per_s"] for p in per_session]
    result["view_updates_per_s"] = {"min": min(rates), "mean": sum(rates) / len(rates),
                                    "max": max(rates)}
    result["max_gap_s"] = max(p["max_gap_s"] for p in per_session)
    if pid:
        steady = [x for x in samples if x["phase"] == "steady"]
        rss = [x["rss_mb"] for x in steady]
        half = steady[len(steady) // 2:]
        slope = 0.0
        if len(half) >= 3:
            ts = [x["t"] for x in half]
            rs = [x["rss_mb"] for x in half]
            mt, mr = sum(ts) / len(ts), sum(rs) / len(rs)
            den = sum((t - mt) ** 2 for t in ts)
            slope = sum((t - mt) * (r - mr) for t, r in zip(ts, rs)) / den * 60 if den else 0.0
        cpu_steady = (steady[-1]["cpu"] - steady[0]["cpu"]) / (steady[-1]["t"] - steady[0]["t"])
        closed = next(x for x in samples if x["phase"] == "closed")
        idle_sample = next(x for x in samples if x["phase"] == "idle")
        cpu_idle = (idle_sample["cpu"] - closed["cpu"]) / (idle_sample["t"] - closed["t"])
        result["server"] = {
            "rss_mb_before": samples[0]["rss_mb"],
            "rss_mb_after_warmup": rss[0], "rss_mb_max": max(rss), "rss_mb_end": rss[-1],
            "rss_mb_after_close": idle_sample["rss_mb"],
            "rss_slope_mb_per_min_second_half": slope,
            "rss_series_mb": [round(x, 1) for x in rss],
            "cpu_cores_steady": cpu_steady,
            "cpu_share_per_session": cpu_steady / sessions,
            "cpu_cores_after_tabs_closed": cpu_idle,
            "idle_window_s": idle_sample["t"] - closed["t"],
            "children_after_close": idle_sample["children"],
            "threads_steady_max": max(x["threads"] for x in steady),
            "threads_after_close": idle_sample["threads"],
            "seconds_from_close_to_idle_sample": idle_sample["t"] - closed_at,
        }
    result["verdict"] = verdict(result)
    out = ARTIFACTS / f"load-{stamp}.json"
    out.write_text(json.dumps(result, indent=1))
    result["report"] = str(out)
    say(summary(result))
    return result


def verdict(r: dict) -> dict:
    checks = {
        "no errors": r["errors"] == 0,
        "a new visitor is served while the others run": "first_chart_s" in r.get(
            "late_visitor", {"first_chart_s": 0}),
        "isolation": r["isolation_problems"] == 0,
        "every session kept updating (>= 80% of intervals)": r["min_updated_fraction"] >= 0.8,
    }
    srv = r.get("server")
    if srv:
        growth = srv["rss_mb_end"] - srv["rss_mb_after_warmup"]
        checks["memory bounded (< 25% growth after warm-up)"] = (
            growth <= 0.25 * srv["rss_mb_after_warmup"])
        checks["server idle after the tabs closed (< 0.1 core)"] = (
            srv["cpu_cores_after_tabs_closed"] < 0.1)
        checks["no child process left"] = srv["children_after_close"] == 0
    return checks


def summary(r: dict) -> str:
    lines = [f"server options: {' '.join(r.get('server_args') or []) or '(defaults)'}",
             (f"load test: {r['sessions']} sessions x {r['steady_s'] / 60:.1f} min steady "
              f"(warm-up {r.get('warmup_s', 0):.0f} s), {r['paths']} paths each"),
             f"errors: {r['errors']}   isolation problems: {r['isolation_problems']}",
             (f"view updates per session: min {r['view_updates_per_s']['min']:.2f}/s, mean "
             f"{r['view_updates_per_s']['mean']:.2f}/s, max {r['view_updates_per_s']['max']:.2f}/s;"
             f" intervals with progress >= {r['min_updated_fraction']:.0%} in every session;"
             f" longest gap {r['max_gap_s']:.1f} s"),
             f"new visitor during the run: {r.get('late_visitor')}"]
    srv = r.get("server")
    if srv:
        lines.append(
            f"server RSS: {srv['rss_mb_before']:.0f} MB before, {srv['rss_mb_after_warmup']:.0f}"
            f" after warm-up, max {srv['rss_mb_max']:.0f}, end {srv['rss_mb_end']:.0f} "
            f"(second-half slope {srv['rss_slope_mb_per_min_second_half']:+.1f} MB/min), "
            f"{srv['rss_mb_after_close']:.0f} after the tabs closed")
        lines.append(
            f"server CPU: {srv['cpu_cores_steady']:.2f} cores while running = "
            f"{srv['cpu_share_per_session']:.1%} of a core per session; "
            f"{srv['cpu_cores_after_tabs_closed']:.3f} cores in the {srv['idle_window_s']:.0f} s "
            f"after all tabs closed; {srv['children_after_close']} child processes left")
    for p in r["per_session"]:
        lines.append(f"  #{p['session']:>2} {p['formula']:<38} updates {p['view_updates_per_s']:.2f}/s"
                     f"  progress {p['updated_intervals']:>5}  gap {p['max_gap_s']:.1f}s"
                     f"  steps {p['final_steps_per_path']}  errors {len(p['errors'])}"
                     f"  isolation {'ok' if not p['isolation_problems'] else p['isolation_problems']}")
        for e in p["errors"][:3] + p["notes"]:
            lines.append(f"       {e}")
    lines.append("verdict: " + ", ".join(f"{k}: {'PASS' if v else 'FAIL'}"
                                         for k, v in r["verdict"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--idle", type=float, default=15.0,
                        help="seconds to watch the server after the tabs closed")
    parser.add_argument("--paths", type=int, default=20)
    parser.add_argument("--url", default=None, help="use a running server on 127.0.0.1")
    parser.add_argument("--server-arg", action="append", default=[], metavar="OPTION=VALUE",
                        help="extra `streamlit run` option, e.g. --server-arg=--runner.postScriptGC=false")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    result = run(args.sessions, args.minutes, args.interval, args.idle, args.paths, args.url,
                 server_args=args.server_arg)
    return 0 if all(result["verdict"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The harness the browser, fault and load tests share: a real ``python app.py`` on a free
loopback port, Debian's chromium through Playwright, the server's CPU and memory from /proc,
and the few page probes (JavaScript run in a page) that more than one of them reads.

Moved here from tests/load/load_test.py, which still uses it (and re-exports it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update"]
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# the live view's "Steps per path" (widgets/livechart.py draws the numbers in place)
METRIC_JS = """() => {
  const v = document.querySelector('.st-key-live_metrics .sgd-metric-value');
  return v ? v.textContent : null;
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

LINK_JS = """() => {
  const c = document.querySelector("[data-testid='stSidebar'] [data-testid='stCode']");
  return c ? c.innerText : null;
}"""


def parse_steps(text: str | None) -> int | None:
    """The integer in a metric's text ("12,000" -> 12000), or None when it has no digits."""
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits else None


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

"""A full room: many sessions on one server, each with a live run, fetched by light clients.

    .venv/bin/python tests/load/room_test.py --sessions 30 --minutes 3

Thirty headless browsers do not fit on the 2-core server beside it (ten were the limit,
docs/RELIABILITY.md), so the server is measured alone with light clients that do what a
running view's browser does (``widgets/livechart.py``): fetch the frame route
``GET /_sgd/live/<run token>``, decode the JSON, and ask again ``interval`` seconds (the
server's answer) after the previous request began, one request in flight per view.

1. starts the dashboard (``python app.py``) on a free loopback port, or uses ``--url``;
2. creates ``--sessions`` live runs the way students do: one headless chromium opens
   ``/simulate?seed=<i>`` (the default landscape, the paper's Fig. 2, 20 paths; one run per
   seed), presses Start and reads the run's token from the URL, then moves on (the run keeps
   running on the server; what a closed tab's browser did, a light client now does);
3. one thread per session polls its run's frames for ``--minutes``: updates (frames whose
   step count grew), errors (non-200, an ``error`` in the frame, a run that stopped);
4. samples the server's CPU (/proc, children included) over the window: CPU per update,
   the server's load in cores; and the clients' own CPU (they share the 2 cores);
5. writes ``test-artifacts/room-<time>.json`` and prints a summary; exit code 0 if there
   was no error and every session got at least ``--min-rate`` updates a second.

Not measured here: the slow fragment rerun of each view (tables, every
``livestream.SLOW_REFRESH`` = 5 s) and the browsers' own drawing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.load import load_test as LT


@dataclass
class Client:
    index: int
    token: str = ""
    updates: int = 0
    frames: int = 0
    errors: list = field(default_factory=list)
    last_steps: int = -1
    intervals: list = field(default_factory=list)
    max_gap: float = 0.0
    bytes: int = 0
    first_steps: int = -1  # steps per path at the first frame of the measurement


def create_runs(base: str, sessions: int, paths: int, timeout_ms: int = 240_000,
                shared_browser=None) -> list[Client]:  # fmt: skip
    """One live run per session, started from the simulation page as a student does."""
    clients = []
    with LT.chromium_browser(shared_browser) as browser:
        ctx = browser.new_context(viewport={"width": 1300, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(timeout_ms)
        for i in range(sessions):
            c = Client(i)
            page.goto(f"{base}/simulate?seed={i + 1}&paths={paths}")
            page.locator(".st-key-sim_start button").click()
            page.wait_for_function("() => /[?&]run=[^&]+/.test(location.search) && "
                                   "document.querySelector('.st-key-sim_pause button:not([disabled])')")
            c.token = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["run"][-1]
            errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
            if errors.count():
                c.errors.append("page: " + errors.first.inner_text()[:200])
            clients.append(c)
        ctx.close()
    return clients


def poll(base: str, c: Client, until: float) -> None:
    """Fetch ``c``'s frames as the browser's poller does until ``until`` (monotonic)."""
    url = f"{base}/_sgd/live/{c.token}"
    last_update = time.monotonic()
    while True:
        t0 = time.monotonic()
        if t0 >= until:
            return
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = r.read()
            frame = json.loads(body)
        except (urllib.error.URLError, OSError, ValueError) as err:
            c.errors.append(f"{type(err).__name__}: {err}"[:200])
            time.sleep(1.0)
            continue
        c.frames += 1
        c.bytes += len(body)
        if frame.get("error"):
            c.errors.append(f"frame error: {frame['error']}"[:200])
        if not frame.get("running"):
            c.errors.append("the run stopped")
            return
        now = time.monotonic()
        if c.first_steps < 0:
            c.first_steps = int(frame.get("steps", 0))
        if int(frame.get("steps", -1)) > c.last_steps:
            if c.last_steps >= 0:
                c.updates += 1
                c.max_gap = max(c.max_gap, now - last_update)
            c.last_steps, last_update = int(frame["steps"]), now
        interval = float(frame.get("interval", 1.0))
        c.intervals.append(interval)
        time.sleep(max(0.0, interval - (time.monotonic() - t0)))


def run(sessions: int = 30, minutes: float = 3.0, paths: int = 20, url: str | None = None,
        warmup: float = 20.0, quiet: bool = False, shared_browser=None) -> dict:  # fmt: skip
    LT.ARTIFACTS.mkdir(exist_ok=True)
    proc = None
    if url is None:
        port = LT.free_port()
        proc = LT.start_server(port, LT.ARTIFACTS / "room-server.log")
        url = f"http://127.0.0.1:{port}"
    try:
        t_create = time.monotonic()
        clients = create_runs(url, sessions, paths, shared_browser=shared_browser)
        created_s = time.monotonic() - t_create
        say = (lambda *a: None) if quiet else print
        say(f"{len(clients)} runs created in {created_s:.0f} s; warming up {warmup:.0f} s")
        end_warm = time.monotonic() + warmup
        threads = [threading.Thread(target=poll, args=(url, c, end_warm), daemon=True) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c in clients:  # measure from here
            c.updates, c.frames, c.bytes, c.intervals, c.max_gap, c.first_steps = 0, 0, 0, [], 0.0, -1
            c.errors = [e for e in c.errors if e.startswith("page:")]
        pid = proc.pid if proc is not None else None
        s0 = LT.proc_sample(pid) if pid else None
        cpu0, t0 = time.process_time(), time.monotonic()
        until = t0 + 60.0 * minutes
        threads = [threading.Thread(target=poll, args=(url, c, until), daemon=True) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60.0 * minutes + 60)
        wall = time.monotonic() - t0
        client_cpu = time.process_time() - cpu0
        s1 = LT.proc_sample(pid) if pid else None
    finally:
        if proc is not None:
            LT.stop_server(proc)
    rates = [c.updates / wall for c in clients]
    total_updates = sum(c.updates for c in clients)
    server_cpu = (s1["cpu"] - s0["cpu"]) if s0 and s1 else None
    result = {
        "sessions": sessions, "paths": paths, "minutes": minutes, "wall_s": wall, "runs_created_s": created_s,
        "updates_per_s": {"min": min(rates), "median": statistics.median(rates), "max": max(rates),
                          "mean": statistics.fmean(rates)},
        "total_updates_per_s": total_updates / wall,
        "steps_per_path_per_s": statistics.median([(c.last_steps - c.first_steps) / wall for c in clients]),
        "max_gap_s": max(c.max_gap for c in clients),
        "interval_s": {"median": statistics.median([i for c in clients for i in c.intervals] or [0])},
        "frame_kb": (sum(c.bytes for c in clients) / max(1, sum(c.frames for c in clients))) / 1024,
        "server_cpu_s": server_cpu,
        "server_cores": None if server_cpu is None else server_cpu / wall,
        "server_cpu_ms_per_update": None if server_cpu is None else 1000 * server_cpu / max(1, total_updates),
        "server_rss_mb": None if s1 is None else s1["rss_mb"],
        "client_cores": client_cpu / wall,
        "errors": {c.index: c.errors for c in clients if c.errors},
    }
    cost = result["server_cpu_ms_per_update"]
    if cost:
        # the server gives all live views TARGET_LOAD of a core (simrun.TARGET_LOAD, the GIL)
        from dashboard.simrun import TARGET_LOAD

        result["capacity_sessions_at_1_per_s"] = int(1000 * TARGET_LOAD / cost)
    result["ok"] = not result["errors"] and min(rates) >= 1.0
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (LT.ARTIFACTS / f"room-{stamp}.json").write_text(json.dumps(result, indent=2))
    return result


def summary(r: dict) -> str:
    u = r["updates_per_s"]
    return (f"{r['sessions']} sessions x {r['paths']} paths, {r['wall_s']:.0f} s: updates/s per session "
            f"min {u['min']:.2f}, median {u['median']:.2f}, max {u['max']:.2f} (all {r['total_updates_per_s']:.1f}/s); "
            f"longest gap {r['max_gap_s']:.1f} s; {r['steps_per_path_per_s']:,.0f} steps per path a second "
            f"(median); server {r['server_cores']:.2f} cores, "
            f"{r['server_cpu_ms_per_update']:.1f} ms CPU per update, RSS {r['server_rss_mb']:.0f} MB; "
            f"clients {r['client_cores']:.2f} cores; frame {r['frame_kb']:.0f} kB; "
            f"capacity at 1 update/s: {r.get('capacity_sessions_at_1_per_s')} sessions; "
            f"errors: {sum(len(v) for v in r['errors'].values())}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--paths", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of polling before the measurement")
    parser.add_argument("--url", default=None, help="use a running server on 127.0.0.1 (no server CPU then)")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 32:
        print("--sessions must be 1..32 (the server keeps 32 runs)", file=sys.stderr)
        return 2
    r = run(args.sessions, args.minutes, args.paths, args.url, args.warmup)
    print(summary(r) if r["server_cpu_s"] is not None else json.dumps(r, indent=2))
    return 0 if r["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

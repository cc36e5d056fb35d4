"""A new user's click-through (an exploration script, not a test): run it against a running
server, ``python tests/browser/explore_newuser.py http://127.0.0.1:8765 PHASE...``; it saves
screenshots as test-artifacts/newuser/<phase>-<step>-<size>-<theme>.png and prints every
error box, console error and stuck spinner it meets."""

from __future__ import annotations

import sys
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from tests.support import clicks as C
from tests.support.harness import ARTIFACTS, CHROMIUM, LAUNCH_ARGS

HIMMELBLAU = "(x^2+y-11)^2+(x+y^2-7)^2"
SIZES = {"big": (1400, 1000), "small": (1024, 768)}
OUT = ARTIFACTS / "newuser"
PAGES = ["Landscape", "Transition graph & b tuner", "Live simulation", "Exit times", "Studies",
         "Networks", "Lesson", "About"]


def look(pg, name: str, report: list[str]) -> None:
    C.wait_for_run(pg, 90)
    OUT.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    boxes = C.error_boxes(pg)
    errs = [e.inner_text()[:200] for e in pg.locator("[data-testid='stAlertContentError']").all()]
    warns = [e.inner_text()[:120] for e in pg.locator("[data-testid='stAlertContentWarning']").all()]
    line = f"{name}: url={pg.url[len(pg.base):] if hasattr(pg, 'base') else pg.url}"
    if boxes:
        line += f"\n   ERRORBOX {boxes}"
    if errs:
        line += f"\n   error alerts {errs}"
    if warns:
        line += f"\n   warnings {warns}"
    if pg.errors:
        line += f"\n   JS {pg.errors[-3:]}"
        pg.errors.clear()
    print(line, flush=True)
    report.append(line)


def new_page(browser, size: str, theme: str):
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, color_scheme=theme)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    return ctx, pg


def phase_menu(browser, server, size, theme, report):
    """Every page from the menu, 1-D then 2-D (typed Himmelblau, R = 5)."""
    ctx, pg = new_page(browser, size, theme)
    pg.goto(server + "/")
    C.plot_div(pg, "landscape_chart")
    for title in PAGES:
        C.go_to(pg, title)
        look(pg, f"menu1d-{title.split()[0].lower()}-{size}-{theme}", report)
    C.go_to(pg, "Landscape")
    C.type_formula(pg, HIMMELBLAU)
    C.type_number(pg, "L", "5")
    look(pg, f"menu2d-typed-{size}-{theme}", report)
    for title in PAGES:
        C.go_to(pg, title)
        look(pg, f"menu2d-{title.split()[0].lower()}-{size}-{theme}", report)
    ctx.close()


def phase_presets(browser, server, size, theme, report):
    """Preset 1-D -> 2-D -> 1-D, a sketch, a bad formula, L and b extremes."""
    ctx, pg = new_page(browser, size, theme)
    C.pick_plane_preset(pg, server)
    look(pg, f"preset-2d-{size}-{theme}", report)
    pg.locator(".st-key-preset").click()
    pg.get_by_role("option", name="Asymmetric double well").first.click()
    C.settle(pg, 90)
    look(pg, f"preset-back1d-{size}-{theme}", report)
    pg.locator(".st-key-mode button").filter(has_text="Sketch").click()
    C.settle(pg)
    look(pg, f"sketch-{size}-{theme}", report)
    for i, bad in enumerate(["x^^2", "import os", "x+" * 999 + "x"]):
        C.type_formula(pg, bad)
        look(pg, f"bad{i}-{size}-{theme}", report)
    C.type_formula(pg, "x^4-x^2")
    for v in ["0", "50", "1e9"]:
        C.type_number(pg, "L", v)
        look(pg, f"L{v}-{size}-{theme}", report)
    ctx.close()


def phase_links(browser, server, size, theme, report):
    """Shared links in a fresh tab, 1-D and 2-D, on /graph, /simulate, /exit-times."""
    ctx, pg = new_page(browser, size, theme)
    for dim, f in (("1d", "x^4-x^2+0.3*x"), ("2d", HIMMELBLAU)):
        for path in ("graph", "simulate", "exit-times"):
            extra = "&L=5" if dim == "2d" else ""
            pg.goto(f"{server}/{path}?formula={quote(f)}{extra}")
            C.wait_for_run(pg, 90)
            pg.wait_for_timeout(1500)
            look(pg, f"link-{dim}-{path}-{size}-{theme}", report)
    ctx.close()


def phase_live(browser, server, size, theme, report):
    """Start/Pause, reload mid-run, Back/Forward, an exit study; then the same in 2-D."""
    ctx, pg = new_page(browser, size, theme)
    for dim, url in (("1d", "/simulate?paths=5"), ("2d", f"/simulate?formula={quote(HIMMELBLAU)}&L=5&paths=5")):
        pg.goto(server + url)
        C.wait_for_run(pg, 90)
        pg.locator(".st-key-sim_start button").click()
        pg.wait_for_timeout(5000)
        look(pg, f"live{dim}-running-{size}-{theme}", report)
        pg.reload()
        pg.wait_for_timeout(5000)
        look(pg, f"live{dim}-reloaded-{size}-{theme}", report)
        pg.locator(".st-key-sim_pause button").click()
        pg.wait_for_timeout(1500)
        look(pg, f"live{dim}-paused-{size}-{theme}", report)
        C.go_to(pg, "Exit times")
        box = pg.locator(".st-key-etas input")
        if box.count():
            box.fill("0.1,0.05,0.03")
            box.press("Enter")
            C.settle(pg)
        pg.locator(".st-key-exit_run button").click()
        pg.wait_for_timeout(3000)
        look(pg, f"exit{dim}-running-{size}-{theme}", report)
        C.wait_for_run(pg, 240)
        look(pg, f"exit{dim}-done-{size}-{theme}", report)
        pg.go_back()
        pg.wait_for_timeout(3000)
        look(pg, f"back{dim}-{size}-{theme}", report)
        pg.go_forward()
        pg.wait_for_timeout(3000)
        look(pg, f"forward{dim}-{size}-{theme}", report)
    ctx.close()


def phase_lesson(browser, server, size, theme, report):
    ctx, pg = new_page(browser, size, theme)
    pg.goto(server + "/lesson")
    C.wait_for_run(pg, 90)
    look(pg, f"lesson-1-{size}-{theme}", report)
    for i in range(2, 7):
        pg.get_by_role("button", name="Next").first.click()
        C.wait_for_run(pg, 90)
        look(pg, f"lesson-{i}-{size}-{theme}", report)
    pg.get_by_role("button", name="Back").first.click()
    C.wait_for_run(pg, 90)
    look(pg, f"lesson-back-{size}-{theme}", report)
    ctx.close()


def phase_networks(browser, server, size, theme, report):
    """Tiny training, then the plane and the slice opened as landscapes, then the live page."""
    ctx, pg = new_page(browser, size, theme)
    pg.goto(server + "/networks?nmodel=mlp&nseeds=1&nsteps=10&nmethods=SB,SB%2BClip")
    C.wait_for_run(pg, 120)
    look(pg, f"networks-before-{size}-{theme}", report)
    pg.locator(".st-key-networks_train button").click()
    pg.wait_for_timeout(3000)
    C.wait_for_run(pg, 300)
    look(pg, f"networks-trained-{size}-{theme}", report)
    pg.get_by_role("button", name="Open this plane as a landscape").first.click()
    pg.wait_for_timeout(3000)
    C.wait_for_run(pg, 300)
    look(pg, f"networks-plane-{size}-{theme}", report)
    C.go_to(pg, "Live simulation")
    look(pg, f"networks-plane-live-{size}-{theme}", report)
    C.go_to(pg, "Networks")
    pg.get_by_role("button", name="Open this slice as a landscape").first.click()
    pg.wait_for_timeout(3000)
    C.wait_for_run(pg, 300)
    look(pg, f"networks-slice-{size}-{theme}", report)
    ctx.close()


PHASES = {f.__name__[6:]: f for f in (phase_menu, phase_presets, phase_links, phase_live, phase_lesson, phase_networks)}

if __name__ == "__main__":
    server, names = sys.argv[1], sys.argv[2:]
    combos = [("big", "light"), ("small", "dark")]
    report: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for name in names:
            phase, _, combo = name.partition(":")
            for size, theme in ([tuple(combo.split(","))] if combo else combos):
                try:
                    PHASES[phase](browser, server, size, theme, report)
                except Exception as err:  # noqa: BLE001 - an exploration goes on
                    print(f"{name} {size} {theme}: FAILED {type(err).__name__}: {str(err)[:300]}", flush=True)
        browser.close()

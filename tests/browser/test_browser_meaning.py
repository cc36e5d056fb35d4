"""Issue 21: say what the app means. One test per point of the issue, following its clicks
in Debian's Chromium against a real server; each fails on the main of 2026-12-06 (before
issue 21). Screenshots at 1024x768 and 1400x1000, light and dark, go to
test-artifacts/meaning-*.png.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest

from tests.support.clicks import assert_no_error_box, go_to, plot_div, query, settle, type_number
from tests.support.harness import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

SIZES = ((1024, 768), (1400, 1000))
SCHEMES = ("light", "dark")

TRACES_JS = """(key) => {
  const d = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  if (!d || !d.data) return [];
  return d.data.map(t => ({name: t.name || '', text: Array.isArray(t.text) ? t.text : [],
                           line: (t.line && t.line.color) || '', mode: t.mode || ''}));
}"""

ANNOTATIONS_JS = """(key) => {
  const d = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  return d && d.layout && d.layout.annotations ? d.layout.annotations.map(a => ({
      text: a.text || '', bg: a.bgcolor || '', font: (a.font && a.font.color) || ''})) : [];
}"""


def traces(page, key: str) -> list[dict]:
    return page.evaluate(TRACES_JS, key)


def marker_groups(page, key: str = "landscape_chart") -> dict[str, str]:
    """{'m1': legend name of the trace that draws m1, ...} for the minima markers."""
    out = {}
    for t in traces(page, key):
        for label in t["text"]:
            if re.fullmatch(r"m\d+", str(label)):
                out[label] = t["name"]
    return out


@contextmanager
def view(browser, url: str, width: int, height: int, scheme: str):
    """A fresh tab of ``width`` x ``height`` in the ``scheme`` colour scheme on ``url``."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    pg = ctx.new_page()
    pg.set_default_timeout(60_000)
    try:
        pg.goto(url)
        settle(pg, 90)
        yield pg
    finally:
        ctx.close()


def screenshots(browser, url: str, name: str, chart: str, check=None) -> None:
    """Open ``url`` at both sizes in both themes, wait for ``chart``, run ``check(page)``
    and keep a screenshot of the first screen."""
    for w, h in SIZES:
        for scheme in SCHEMES:
            with view(browser, url, w, h, scheme) as pg:
                plot_div(pg, chart)
                settle(pg, 90)
                assert_no_error_box(pg, f"{name} {w}x{h} {scheme}")
                if check is not None:
                    check(pg, w, h, scheme)
                pg.screenshot(path=str(ARTIFACTS / f"meaning-{name}-{w}x{h}-{scheme}.png"))


def _relative_luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb' or 'rgba(r,g,b,a)' drawn over #0e1117."""
    if colour.startswith("#"):
        r, g, b, a = int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 1.0
    else:
        nums = [float(v) for v in re.findall(r"[\d.]+", colour)]
        r, g, b = nums[:3]
        a = nums[3] if len(nums) > 3 else 1.0
    bg = (14, 17, 23)
    mixed = [a * c + (1 - a) * k for c, k in zip((r, g, b), bg)]

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(mixed[0]) + 0.7152 * channel(mixed[1]) + 0.0722 * channel(mixed[2])


def contrast_on_dark(colour: str) -> float:
    """WCAG contrast ratio of ``colour`` against Streamlit's dark background #0e1117."""
    back = _relative_luminance("#0e1117")
    return (_relative_luminance(colour) + 0.05) / (back + 0.05)


# ---------------------------------------------------------------- point 1


def test_1_dark_graph_page_curve_and_edge_labels_are_legible(browser, warm_server):
    """Dark mode, graph page: the f(x) curve and the edge labels stand out from the
    near-black background (main: navy rgba(31,59,115,0.35), contrast 1.3)."""

    def check(pg, w, h, scheme):
        curve = next(t for t in traces(pg, "graph_chart") if t["name"] == "f(x)")
        labels = [a for a in pg.evaluate(ANNOTATIONS_JS, "graph_chart") if a["text"].endswith("%")]
        assert labels, "no edge labels"
        if scheme == "dark":
            assert contrast_on_dark(curve["line"]) >= 3.0, curve
            for a in labels:
                assert contrast_on_dark(a["font"]) >= 7.0 and a["bg"], a

    screenshots(browser, warm_server + "/graph", "1-graph", "graph_chart", check)


# ---------------------------------------------------------------- point 2


@pytest.mark.parametrize(("b", "expected"), [
    (0.168, {"m1": "sharp, eliminated", "m2": "wide, survives",
             "m3": "sharp, eliminated", "m4": "wide, eliminated"}),
    (0.888, {"m1": "sharp, survives", "m2": "wide, survives",
             "m3": "sharp, eliminated", "m4": "wide, eliminated"}),
])  # fmt: skip
def test_2_markers_keep_shape_and_verdict_apart(page, server, browser, b, expected):
    """Landscape page at b = 0.168 and 0.888: each minimum's marker names its geometry (wide /
    sharp, by r) and its verdict at this b, as "In short" and the table do (main: m4 green
    "wide (large) minimum" while eliminated; m1, m3 "wide (large)" at 0.888)."""
    page.goto(f"{server}/?b={b}")
    plot_div(page, "landscape_chart")
    settle(page)
    assert_no_error_box(page, f"landscape at b = {b}")
    groups = marker_groups(page)
    for m, want in expected.items():
        assert groups[m].startswith(want), (m, groups)
    short = page.locator("[data-testid='stAlert']").filter(has_text="In short:").first.inner_text()
    gone = [m for m, want in expected.items() if want.endswith("eliminated")]
    assert all(m in short.split(";")[1] for m in gone), short  # the eliminated ones, after ';'
    if b == 0.168:
        screenshots(browser, f"{server}/?b={b}", "2-landscape", "landscape_chart")


# ---------------------------------------------------------------- point 3


def test_3_b_too_large_says_the_sharp_minima_survive(page, server, browser):
    """Graph page at b = 0.95 on the paper's landscape: all four minima survive and a warning
    says so in plain words; the recommended b comes with its reason and a glossary."""
    page.goto(server + "/graph?b=0.95")
    plot_div(page, "graph_chart")
    settle(page)
    assert_no_error_box(page, "graph at b = 0.95")
    warning = page.get_by_text("the sharp minima m1, m3 are not eliminated").first
    warning.wait_for()
    assert "larger than their escape distance r" in warning.inner_text()
    assert page.get_by_text(re.compile(r"Why b = [\d.]+: every b in")).count() >= 1
    glossary = page.get_by_text(re.compile("absorbing: a class of minima")).first.inner_text()
    assert all(w in glossary for w in ("large:", "l* = ⌈r/b⌉", "β = α")), glossary
    # the Landscape page says it beside "In short"
    go_to(page, "Landscape")
    page.get_by_text("the sharp minima m1, m3 are not eliminated").first.wait_for()
    screenshots(browser, server + "/graph?b=0.95", "3-graph", "graph_chart")


# ---------------------------------------------------------------- point 4


def box_value(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


@pytest.mark.parametrize(("key", "typed", "shown", "url"), [
    ("L", "0", "0.05", "0.05"),
    ("L", "1000000", "50", "50"),
])  # fmt: skip
def test_4_a_number_box_shows_the_value_in_use(page, server, key, typed, shown, url):
    """Typing L = 0 or L = 1000000 and Enter: the box shows the value the page uses and a
    notice names both (main: the rejected value stayed in the box, red, unapplied)."""
    page.goto(server + "/")
    plot_div(page, "landscape_chart")
    settle(page)
    type_number(page, key, typed)
    page.get_by_text(f"= {typed} is").first.wait_for()  # the notice names the typed value
    assert page.get_by_text(f"using {shown}").count() >= 1
    assert box_value(page, key) == shown
    assert query(page)[key] == url
    assert page.get_by_text("Press Enter to apply").count() == 0
    assert_no_error_box(page, f"{key} = {typed}")


def test_4_samples_box_shows_what_the_study_runs(page, server, browser):
    """Exit times, Samples = 100000 and Enter: the box shows 500 (the most the study runs),
    the URL too; main kept 100000 in the box and ran 20."""
    page.goto(server + "/exit-times")
    settle(page)
    type_number(page, "samples", "100000")
    page.get_by_text("= 100000 is above the largest allowed, 500; using 500").first.wait_for()
    assert box_value(page, "samples") == "500"
    assert query(page)["samples"] == "500"
    type_number(page, "samples", "3")  # an ordinary value goes through as typed
    assert box_value(page, "samples") == "3" and query(page)["samples"] == "3"
    for w, h in SIZES:
        with view(browser, server + "/exit-times?samples=3", w, h, "dark") as pg:
            assert_no_error_box(pg, f"exit page {w}x{h}")
            pg.screenshot(path=str(ARTIFACTS / f"meaning-4-exit-{w}x{h}-dark.png"))


# ---------------------------------------------------------------- point 5


def long_formula(length: int = 617) -> str:
    """A valid formula of exactly ``length`` characters (more than main's 500-character
    URL limit, less than the parser's 1,000)."""
    text = "(x^2-1)^2 + 0.3*x"
    k = 1
    while len(text) < length - 40:
        text += f" + 0.0001*cos({k}*x)"
        k += 1
    pad = length - len(text) - len(" + 0.01*x^2")
    return text + " + 0.01" + "0" * pad + "*x^2"


def test_5_a_link_carries_every_formula_the_parser_accepts(page, server, browser):
    """A valid 617-character formula shared by the link opens as itself (main: "Ignored
    formula is longer than 500 characters; using ." and the default landscape)."""
    formula = long_formula()
    assert len(formula) == 617
    url = f"{server}/?mode=formula&formula={quote(formula)}"
    page.goto(url)
    plot_div(page, "landscape_chart")
    settle(page)
    assert page.get_by_text("Ignored").count() == 0
    assert page.locator(".st-key-formula textarea").input_value() == formula
    assert query(page)["formula"] == formula
    # a formula longer than the parser takes: the toast names what is shown instead
    page.goto(f"{server}/?mode=formula&formula={quote(formula * 2)}")
    plot_div(page, "landscape_chart")
    note = page.get_by_text("Ignored formula is longer than 1000 characters").first
    note.wait_for()
    assert "using the default preset's formula" in note.inner_text()
    screenshots(browser, url, "5-long-formula", "landscape_chart")


# ---------------------------------------------------------------- point 6

YOUNG_RUN = "/simulate?mode=formula&formula=" + quote("(x^2-1)^2 + 0.3*x") + "&x0=0.3&paths=3"


TABLE_HEADERS_JS = """() => [...document.querySelectorAll("[data-testid='stDataFrame']")]
    .map(e => [...e.querySelectorAll('th')].map(t => t.innerText.trim()))"""


def collapse_sidebar(pg) -> None:
    """Close the sidebar as a teacher does before projecting."""
    side = pg.locator("[data-testid='stSidebar']")
    side.hover()
    pg.locator("[data-testid='stSidebarCollapseButton'] button").first.click()
    pg.wait_for_function("() => { const s = document.querySelector(\"[data-testid='stSidebar']\");"
                         " return s && s.getAttribute('data-collapsed') === 'true'; }")
    pg.wait_for_timeout(500)  # the main block widens


def step_once(pg) -> None:
    pg.locator(".st-key-sim_step button").first.click()
    pg.mouse.move(5, 700)  # no tooltip over the screenshot
    settle(pg, 90)


def test_6_theory_beside_a_young_run_says_so_and_gives_the_finite_run_prediction(page, server, browser):
    """(x^2-1)^2 + 0.3 x from x0 = 0.3 (a sharp field): after one Step the theory table
    shows every field at this eta (e^{Qt}) beside the eta -> 0 limit, and says the run is
    younger than the limit's time scale (main: only "theory over this run", 100% at m1)."""
    page.goto(server + YOUNG_RUN)
    settle(page, 90)
    step_once(page)
    note = page.locator("[data-testid='stAlert']").filter(has_text="A young run").first
    note.wait_for()
    assert re.search(r"leaving Ω2 takes about [\d.]+ [kMG]? ?steps", note.inner_text()), note.inner_text()
    page.wait_for_function(f"() => ({TABLE_HEADERS_JS})().some(h => h.includes('at this η'))")
    headers = page.evaluate(TABLE_HEADERS_JS)
    assert ["field", "run", "at this η", "η → 0"] in headers, headers
    for w, h in SIZES:
        for scheme in SCHEMES:
            with view(browser, server + YOUNG_RUN, w, h, scheme) as pg:
                step_once(pg)
                pg.get_by_text("A young run").first.scroll_into_view_if_needed()
                assert_no_error_box(pg, f"young run {w}x{h} {scheme}")
                pg.screenshot(path=str(ARTIFACTS / f"meaning-6-young-run-{w}x{h}-{scheme}.png"))


# ---------------------------------------------------------------- point 8


def test_8_projector_answer_first_and_whole_charts(browser, warm_server):
    """1024x768, sidebar collapsed: "In short" above the fold on the Landscape page, the live
    paths chart's x-axis on screen, compare mode's four panels in one screen."""
    for scheme in SCHEMES:
        with view(browser, warm_server + "/", 1024, 768, scheme) as pg:
            plot_div(pg, "landscape_chart")
            collapse_sidebar(pg)
            box = pg.locator("[data-testid='stAlert']").filter(has_text="In short:").first.bounding_box()
            pg.screenshot(path=str(ARTIFACTS / f"meaning-8-landscape-projector-{scheme}.png"))
            assert box["y"] + box["height"] <= 768, box
        with view(browser, warm_server + "/simulate?paths=3", 1024, 768, scheme) as pg:
            collapse_sidebar(pg)
            step_once(pg)
            axis = pg.locator(".st-key-traj_chart .xtitle").first
            axis.wait_for()
            box = axis.bounding_box()
            pg.screenshot(path=str(ARTIFACTS / f"meaning-8-live-projector-{scheme}.png"))
            assert box["y"] + box["height"] <= 768, box
        with view(browser, warm_server + "/simulate?paths=2&compare=1", 1024, 768, scheme) as pg:
            collapse_sidebar(pg)
            step_once(pg)
            chart = plot_div(pg, "compare_chart")
            box = chart.bounding_box()
            pg.screenshot(path=str(ARTIFACTS / f"meaning-8-compare-projector-{scheme}.png"))
            assert box["y"] + box["height"] <= 768, box  # all four panels in one screen


# ---------------------------------------------------------------- point 7

BOXES_JS = """([key, selector]) => {
  const d = document.querySelector('.st-key-' + key + ' .js-plotly-plot');
  return d ? [...d.querySelectorAll(selector)].map(e => {
      const r = e.getBoundingClientRect();
      return {text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height}; }) : [];
}"""


def boxes(pg, key: str, selector: str) -> list[dict]:
    return pg.evaluate(BOXES_JS, [key, selector])


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def formula_url(server: str, text: str, path: str = "/", extra: str = "") -> str:
    return f"{server}{path}?mode=formula&formula={quote(text)}{extra}"


def alerts(pg) -> str:
    return "\n".join(pg.locator("[data-testid='stAlert']").all_inner_texts())


def test_7_the_smaller_points(page, server, browser):
    # abs(x)^1.5 - cos(5x): f'' is +infinity at 0, said once, not "f'' = 0"
    page.goto(formula_url(server, "abs(x)^1.5 - cos(5*x)"))
    plot_div(page, "landscape_chart")
    settle(page)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "has f'' = +∞" in text and "degenerate minimum at x = 0" not in text, text
    # one minimum: no "r = inf, separated by 0 maxima"
    page.goto(formula_url(server, "x^2"))
    plot_div(page, "landscape_chart")
    settle(page)
    text = alerts(page)
    assert "no maximum: one field" in text and "separated by 0 maxima" not in text, text
    # sin(x: the same character on every page (the '(' is the 4th)
    page.goto(formula_url(server, "sin(x"))
    settle(page)
    assert "(character 4)" in alerts(page)
    go_to(page, "Transition graph")
    assert "at character 4" in alerts(page)
    # log(x) on [-1.6, 1.6]: the live page names the domain problem before a run
    page.goto(formula_url(server, "log(x)", "/simulate"))
    settle(page, 90)
    assert "f is undefined or infinite for x between -1.6 and 0" in alerts(page)
    # markdown keeps the * of l*_G - l*_small (Theorem 2 caption, graph page)
    page.goto(server + "/graph?b=0.35&preset=paper-fig2-standin")
    plot_div(page, "graph_chart")
    settle(page)
    assert page.get_by_text("η^((α−1)(l*_G − l*_small))", exact=False).count() >= 1
    for w, h in SIZES:
        for scheme in SCHEMES:
            # "m1" inside the plot area; 14 fields' labels apart
            with view(browser, formula_url(server, "cos(11*x) + 0.05*x^2", extra="&L=3.8"), w, h, scheme) as pg:
                plot_div(pg, "landscape_chart")
                settle(pg, 90)
                labels = [b for b in boxes(pg, "landscape_chart", ".annotation") if b["text"].startswith("Ω")]
                assert len(labels) >= 14, labels
                clashes = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:] if overlap(a, b)]
                assert not clashes, clashes
                area = boxes(pg, "landscape_chart", ".nsewdrag")[0]
                for t in boxes(pg, "landscape_chart", ".textpoint"):
                    if re.fullmatch(r"m\d+", t["text"]):
                        assert t["y"] + t["h"] <= area["y"] + area["h"] + 1, (t, area)
                pg.screenshot(path=str(ARTIFACTS / f"meaning-7-fourteen-fields-{w}x{h}-{scheme}.png"))
    # the exit chart's legend stays off its title (a tiny study, with and without clipping)
    with view(browser, server + "/exit-times?samples=2&etas=0.1,0.05&eboth=1", 1024, 768, "light") as pg:
        pg.locator(".st-key-exit_run button").first.click()
        plot_div(pg, "exit_chart")
        settle(pg, 120)
        title = boxes(pg, "exit_chart", ".gtitle")[0]
        legend = boxes(pg, "exit_chart", ".legend")[0]
        assert not overlap(title, legend), (title, legend)
        pg.locator(".st-key-exit_chart").scroll_into_view_if_needed()
        pg.screenshot(path=str(ARTIFACTS / "meaning-7-exit-chart-1024x768-light.png"))

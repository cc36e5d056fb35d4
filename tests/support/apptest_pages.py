"""AppTest helpers shared by the page tests: the pages, opening one, its text."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60  # the first run imports numba/sympy and may compile kernels

PAGES = [
    "pages/landscape_page.py",
    "pages/graph_page.py",
    "pages/simulation_page.py",
    "pages/exit_page.py",
    "pages/studies_page.py",
    "pages/about_page.py",
]


def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def plane_script(page: str) -> str:
    """The script app.py's navigation runs for ``page`` (a 1-D page script) on a 2-D landscape."""
    from widgets.navigation import PAGES as ENTRIES

    return next((e.script_for(2) for e in ENTRIES if e.script == page), page)


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def frame_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


PRESET = "paper-himmelblau"


def open_plane(page: str | None = None, query: dict | None = None):
    """The app with the 2-D preset picked in the Landscape page's list (its defaults load)."""
    at = open_page(None, query)
    at.selectbox(key="preset").set_value(PRESET).run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(plane_script(page)).run()
    return at

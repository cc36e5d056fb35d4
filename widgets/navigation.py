"""The app's pages: one entry per URL, and for the pages that draw a 2-D landscape their
own way, one script per dimension (``pages/<name>_page.py`` and ``pages/<name>_plane.py``).

``st.navigation`` (app.py) gets, on every run, the scripts for the dimension of the chosen
landscape: the same titles, icons and URL paths either way, so a link and the menu do not
change when f(x) becomes f(x, y). Streamlit names a page by its URL path, so a browser on
``/simulate`` stays there when the dimension changes. Links and page switches go through
:func:`page_link` / :func:`switch_to`, which name the page by its URL path.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageEntry:
    """One page of the menu: its URL path, title, icon, and script(s) under ``pages/``."""

    url_path: str
    title: str
    icon: str
    script: str  # the 1-D page (or the only one)
    plane_script: str | None = None  # the page for a 2-D landscape, if it has its own
    default: bool = False

    def script_for(self, dimension: int) -> str:
        return self.plane_script if dimension == 2 and self.plane_script else self.script


PAGES = (
    PageEntry("landscape", "Landscape", ":material/landscape:", "pages/landscape_page.py",
              "pages/landscape_plane.py", default=True),
    PageEntry("graph", "Transition graph & b tuner", ":material/hub:", "pages/graph_page.py",
              "pages/graph_plane.py"),
    PageEntry("simulate", "Live simulation", ":material/play_circle:", "pages/simulation_page.py",
              "pages/simulation_plane.py"),
    PageEntry("exit-times", "Exit times", ":material/timer:", "pages/exit_page.py", "pages/exit_plane.py"),
    PageEntry("studies", "Studies", ":material/science:", "pages/studies_page.py"),
    PageEntry("networks", "Networks", ":material/neurology:", "pages/networks_page.py"),
    PageEntry("lesson", "Lesson", ":material/school:", "pages/lesson_page.py"),
    PageEntry("about", "About", ":material/menu_book:", "pages/about_page.py"),
)  # fmt: skip

_BY_PATH = {entry.url_path: entry for entry in PAGES}


def st_pages(dimension: int) -> list:
    """The ``st.Page`` list for ``st.navigation`` when the landscape has ``dimension``."""
    return [st.Page(e.script_for(dimension), title=e.title, icon=e.icon, url_path=e.url_path, default=e.default)
            for e in PAGES]  # fmt: skip


def _current_dimension() -> int:
    from widgets import ui  # imports landscape

    return ui.landscape_dimension()


def script(url_path: str) -> str:
    """The script that serves ``url_path`` for the current landscape."""
    return _BY_PATH[url_path].script_for(_current_dimension())


def page_link(url_path: str, label: str, icon: str | None = None) -> None:
    """``st.page_link`` to the page at ``url_path``."""
    st.page_link(script(url_path), label=label, icon=icon)


def switch_to(url_path: str) -> None:
    """``st.switch_page`` to the page at ``url_path``."""
    st.switch_page(script(url_path))


def dimension_changed(page_dimension: int) -> None:
    """For a page script of one dimension: if the landscape's dimension changed while this
    run drew the page (the Landscape page's choice of f), run again, so that the navigation
    picks the other dimension's script."""
    if _current_dimension() != page_dimension:
        st.rerun()

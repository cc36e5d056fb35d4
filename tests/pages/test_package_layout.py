"""The dashboard's layout (issue 17): ``dashboard/`` never imports Streamlit, ``pages/``
holds only the page scripts that app.py's navigation runs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every module of dashboard/ imported with streamlit made unimportable (a finder that
# refuses it); the script prints the modules it imported.
_NO_STREAMLIT = """
import importlib, pkgutil, sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "streamlit" or name.startswith("streamlit."):
            raise ImportError("streamlit is not allowed in dashboard/")
        return None

sys.meta_path.insert(0, Refuse())
import dashboard
names = [m.name for m in pkgutil.iter_modules(dashboard.__path__, "dashboard.")]
for name in names:
    importlib.import_module(name)
assert not any(m == "streamlit" or m.startswith("streamlit.") for m in sys.modules)
print(" ".join(names))
"""


def test_every_dashboard_module_imports_without_streamlit():
    out = subprocess.run([sys.executable, "-c", _NO_STREAMLIT], cwd=ROOT, capture_output=True, check=False,
                         text=True, timeout=240)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    imported = set(out.stdout.split())
    expected = {f"dashboard.{p.stem}" for p in (ROOT / "dashboard").glob("*.py") if p.stem != "__init__"}
    assert imported == expected and len(expected) >= 10


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_dashboard_module_names_streamlit_even_lazily():
    """Also imports inside functions (the subprocess above only runs module level)."""
    offenders = {p.name: sorted(m for m in _imported_modules(p) if m.split(".")[0] in ("streamlit", "widgets", "pages"))
                 for p in (ROOT / "dashboard").glob("*.py")}  # fmt: skip
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_widgets_session_touches_the_session_state():
    """One owner of the session's keys: no other module names ``st.session_state`` in code."""
    touching = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", ".cache/", "tests/")) or rel == "widgets/session.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Attribute) and n.attr == "session_state" for n in ast.walk(tree)):
            touching.append(rel)
    assert touching == []


def test_pages_holds_only_the_scripts_the_navigation_runs():
    """Every file of pages/ is a page script of ``widgets.navigation.PAGES`` (1-D and 2-D
    alike), and every script named there exists; nothing imports a page script."""
    from widgets.navigation import PAGES

    named = {s for e in PAGES for s in (e.script, e.plane_script) if s}
    scripts = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"}
    assert scripts == named
    assert all(e.plane_script for e in PAGES if e.url_path in ("landscape", "graph", "simulate", "exit-times"))
    for path in [*ROOT.glob("*.py"), *(ROOT / "widgets").glob("*.py"), *(ROOT / "dashboard").glob("*.py"),
                 *(ROOT / "pages").glob("*.py")]:  # fmt: skip
        assert not {m for m in _imported_modules(path) if m == "pages" or m.startswith("pages.")}, path


def test_a_change_of_dimension_during_a_run_reruns_into_the_other_script():
    """A 2-D preset, then "Formula" with no formula yet: the run starts on the 1-D script (an
    empty formula counts as 1-D), the page fills in the preset's f(x, y), and the page reruns
    into pages/landscape_plane.py (its 2-D chart and fields), at the same URL."""
    from tests.support.apptest_pages import open_plane, texts

    at = open_plane()
    at.session_state["params"]["formula"] = ""
    at.segmented_control(key="mode").set_value("formula").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert at.session_state["params"]["mode"] == "formula" and "y" in at.session_state["params"]["formula"]
    body = texts(at)
    assert "4 minimiser sets" in body and "Something went wrong" not in body
    assert at.number_input(key="L").label == "R (ball radius)"

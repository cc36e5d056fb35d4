"""AppTest of the Studies page (pages/studies_page.py) on small studies run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulate.study import run_study
from simulate.study_spec import load_spec
from tests.support.study_specs import EXIT_SPEC, OCC_SPEC

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "studies_page.py")
pytestmark = pytest.mark.timeout(180)


def _page_script():
    from pages.studies_page import render

    render()


def open_page(folder) -> AppTest:
    at = AppTest.from_function(_page_script, default_timeout=60)
    at.session_state["study_path"] = str(folder)
    return at.run()


def body(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(map(str, parts))


@pytest.fixture(scope="module")
def exit_study(tmp_path_factory):
    out = tmp_path_factory.mktemp("exit")
    run_study(load_spec(EXIT_SPEC.replace("chunk = 3", "chunk = 5\nmax_steps = 3000")), out,
              workers=0)
    return out


def test_exit_study_plots_slopes_and_censoring(exit_study):
    at = open_page(exit_study)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    text = body(at)
    assert "4 of 4 cells complete" in text
    assert "censored" in text
    fits = at.dataframe[0].value
    assert sorted(fits["predicted β"]) == pytest.approx([1.2, 1.4])
    cells = at.dataframe[1].value
    assert len(cells) == 4 and cells["censored"].sum() > 0       # max_steps = 3000 censors some
    chart = at.get("plotly_chart")
    assert len(chart) == 1
    spec = str(chart[0].proto.spec)
    assert "predicted slope" in spec and "lower bound" in spec


def test_occupancy_study_plots_each_cell(tmp_path):
    run_study(load_spec(OCC_SPEC), tmp_path, workers=0)
    at = open_page(tmp_path)
    assert not at.exception, [e.value for e in at.exception]
    assert "2 of 2 cells complete" in body(at)
    assert len(at.get("plotly_chart")) == 2


def test_a_folder_without_a_study_is_an_error_not_an_exception(tmp_path):
    at = open_page(tmp_path)
    assert not at.exception
    assert any("not a study results folder" in e.value for e in at.error)


def test_page_file_runs_as_a_script(exit_study):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["study_path"] = str(exit_study)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Studies" in [t.value for t in at.title]

"""AppTest of the Networks page: tiny training, the table, the URL, opening a slice."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/networks_page.py"
TINY = {"nmodel": "mlp", "nsteps": "20", "nmethods": "SB,Our1", "nseeds": "1"}

pytestmark = pytest.mark.timeout(240)


def open_page(query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    at.switch_page(PAGE).run()
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(map(str, parts))


def test_train_table_and_open_the_slice():
    at = open_page(TINY)
    assert not at.exception and "Something went wrong" not in texts(at)
    assert "Press Train: 2 method(s)" in texts(at)
    at.button(key="networks_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Something went wrong" not in texts(at)
    table = at.dataframe[0].value
    assert list(table["method"]) == ["SB", "Our1"]
    assert list(table["slides: test acc."]) == ["69.20%", "69.47%"]
    assert "δ = 0.01" in texts(at)
    assert at.query_params.get("nsteps") == ["20"] or at.query_params.get("nsteps") == "20"
    # a rerun (as after a reload) finds the finished table without training again
    at.run()
    assert list(at.dataframe[0].value["method"]) == ["SB", "Our1"]
    at.selectbox(key="networks_slice_method").select("Our1").run()
    at.button(key="networks_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    params = at.session_state["params"]
    assert params["mode"] == "sketch" and params["sketch"].count(";") == 99
    assert 1.01 <= params["alpha"] <= 20.0 and params["L"] == 1.0
    assert "Something went wrong" not in texts(at)


def test_bad_settings_show_a_message():
    at = open_page({**TINY, "nmethods": "Adam"})
    assert not at.exception
    assert "choose at least one method" in texts(at)
    at = open_page({**TINY, "ndata": "fmnist:/no/such/file.npz"})
    at.button(key="networks_train").click().run()
    assert not at.exception and "no such file" in texts(at)


def test_open_the_plane_puts_its_formula_in_the_url_state():
    at = open_page({**TINY, "nmethods": "SB"})
    at.button(key="networks_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="networks_open_plane").click().run()
    assert not at.exception, [e.value for e in at.exception]
    params = at.session_state["params"]
    assert params["mode"] == "formula" and params["L"] == 1.0
    assert "x" in params["formula"] and "y" in params["formula"] and len(params["formula"]) <= 1000
    assert 1.01 <= params["alpha"] <= 20.0 and params["noise"] == "pareto"
    url = at.query_params.get("formula")
    assert (url[0] if isinstance(url, list) else url) == params["formula"]
    fit = at.session_state["networks_plane_fit"]
    assert fit["expr"] == params["formula"] and "of the sampled loss range" in fit["fit"]
    # the Landscape page shows the plane (2-D) and states the fit beside it
    assert "Something went wrong" not in texts(at)
    assert "A network's training loss on a plane (SB, Networks page): polynomial" in texts(at)

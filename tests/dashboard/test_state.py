"""dashboard.state: the URL parameters, their defaults, checks and round trips."""

from __future__ import annotations

import math

import pytest

from dashboard import state as S

# ------------------------------------------------------------------ URL state


def test_defaults_round_trip_to_an_empty_query():
    assert S.to_query(S.defaults()) == {}
    params, notices = S.parse_query({})
    assert params == S.defaults() and notices == []


@pytest.mark.parametrize(
    "name, value",
    [("b", 0.37), ("L", 2.5), ("clip", False), ("noise", "student-t"), ("alpha", 1.7),
     ("eta", 0.0002), ("paths", 7), ("x0", -0.7), ("seed", 42), ("compare", True),
     ("etas", "0.1,0.01"), ("field", 3), ("mode", "formula")],
)  # fmt: skip
def test_each_parameter_round_trips_through_the_url(name, value):
    p = S.defaults()
    p[name] = value
    if name == "mode":
        p["formula"] = "x^2"
    q = S.to_query(p)
    back, notices = S.parse_query(q)
    assert notices == []
    assert back[name] == value


def test_the_default_preset_sets_the_defaults_so_default_links_stay_empty():
    picked = S.preset_defaults(S.PARAMS["preset"].default)
    assert picked and all(S.defaults()[name] == value for name, value in picked.items()), picked


def test_a_hand_written_preset_link_takes_the_presets_own_settings():
    """?preset=himmelblau shows Himmelblau in its ball R = 6 with b = 2 (as picking it on
    the page does), not inside the default L = 1.6; what the link gives wins."""
    params, notices = S.parse_query({"preset": "himmelblau"})
    assert notices == []
    assert (params["L"], params["b"], params["x0"], params["y0"], params["scale"]) == (6.0, 2.0, 2.9, 1.0, 0.75)
    assert params["eta"] == S.snap_eta(5e-4) and params["bmax"] == 12.1
    params, _ = S.parse_query({"preset": "himmelblau", "L": "5", "mode": "preset"})
    assert params["L"] == 5.0 and params["b"] == 2.0
    params, _ = S.parse_query({"preset": "himmelblau", "mode": "formula", "formula": "x^2"})
    assert params["L"] == S.PARAMS["L"].default   # a formula is not the preset


@pytest.mark.parametrize("preset", ["himmelblau", "paper-himmelblau", "kleinberg-ripples", "paper-fig3"])
def test_preset_links_are_short_and_exact(preset):
    p = S.defaults()
    p.update(preset=preset, **S.preset_defaults(preset))
    assert S.to_query(p) == {"preset": preset}
    p["L"] = S.PARAMS["L"].default        # set back to the global default: still in the link
    back, _ = S.parse_query(S.to_query(p))
    assert back == p


def test_formula_text_round_trips_with_special_characters():
    p = S.defaults()
    p.update(mode="formula", formula="(x^2 - 1)^2 + 0.3*x # ü & ?=")
    back, _ = S.parse_query(S.to_query(p))
    assert back["formula"] == p["formula"]


def test_text_of_unused_mode_is_not_in_the_link():
    p = S.defaults()
    p.update(formula="x^2", sketch="0,1;1,0;2,1")
    assert "formula" not in S.to_query(p) and "sketch" not in S.to_query(p)


@pytest.mark.parametrize(
    "query, name",
    [({"b": "banana"}, "b"), ({"b": "-1"}, "b"), ({"L": "inf"}, "L"), ({"paths": "1e9"}, "paths"),
     ({"noise": "cauchy"}, "noise"), ({"clip": "maybe"}, "clip"), ({"etas": "0.1,x"}, "etas"),
     ({"mode": "drawing"}, "mode")],
)  # fmt: skip
def test_bad_url_values_fall_back_with_a_notice(query, name):
    params, notices = S.parse_query(query)
    assert params[name] == S.PARAMS[name].default
    assert len(notices) == 1 and name in notices[0]


def test_repeated_query_keys_use_the_last_value():
    params, _ = S.parse_query({"b": ["0.3", "0.4"]})
    assert params["b"] == 0.4


@pytest.mark.parametrize(("query", "mode"), [
    ({"formula": "x^4-x^2"}, "formula"),  # a hand-written link names only the formula
    ({"sketch": "-1,1;0,0;1,1"}, "sketch"),
    ({"formula": "x^4-x^2", "mode": "preset"}, "preset"),  # a shared link says its mode
    ({"formula": ""}, "preset"),
])  # fmt: skip
def test_a_link_with_a_formula_and_no_mode_shows_the_formula(query, mode):
    params, notices = S.parse_query(query)
    assert params["mode"] == mode
    assert notices == []


def test_init_session_reads_the_url_once():
    session: dict = {}
    S.init_session(session, {"b": "0.3"})
    assert session["params"]["b"] == 0.3
    S.init_session(session, {"b": "0.9"})
    assert session["params"]["b"] == 0.3


def test_widget_seed_change_and_write():
    session = {"params": S.defaults()}
    S.seed_widget(session, "b")
    assert session["b"] == 0.5
    session["b"] = 0.7  # the user moves the slider
    S.widget_changed(session, "b")
    assert session["params"]["b"] == 0.7
    session["b"] = 0.01  # Streamlit re-created the widget at its default ...
    S.seed_widget(session, "b")  # ... the next draw puts the canonical value back
    assert session["b"] == 0.7
    S.write(session, "eta", 0.01)
    assert session["params"]["eta"] == 0.01
    assert "eta" not in session  # widget keys are only written when drawn


def test_adjust_names_old_and_new_value():
    session = {"params": S.defaults()}
    S.adjust(session, "x0", 1.0, "outside [-L, L] = [-1, 1]")
    assert session["params"]["x0"] == 1.0
    assert S.pop_change_notices(session) == [
        "x0 changed from 0.3 to 1: outside [-L, L] = [-1, 1]."]
    assert S.pop_change_notices(session) == []
    S.adjust(session, "x0", 1.0, "no change")
    assert S.pop_change_notices(session) == []


def test_write_refuses_unknown_names():
    with pytest.raises(KeyError):
        S.write({"params": S.defaults()}, "nope", 1)


def test_share_url():
    p = S.defaults()
    p["b"] = 0.4
    assert S.share_url("http://h:1/graph", p) == "http://h:1/graph?b=0.4"
    assert S.share_url("http://h:1/", S.defaults(), page="about") == "http://h:1/about"


def test_snap_eta_and_choices():
    assert S.snap_eta(0.001) == 0.001
    assert S.snap_eta(0.0011) == 0.001
    assert S.snap_eta(0.3) in S.ETA_CHOICES
    assert all(a < b for a, b in zip(S.ETA_CHOICES, S.ETA_CHOICES[1:]))


def test_effective_b():
    p = S.defaults()
    assert S.effective_b(p) == 0.5
    p["clip"] = False
    assert math.isinf(S.effective_b(p))


@pytest.mark.parametrize("text, ok", [("0.1, 0.03 0.01", [0.1, 0.03, 0.01]), ("1e-3;2e-3", [0.001, 0.002])])
def test_parse_float_list(text, ok):
    assert S.parse_float_list(text) == ok


@pytest.mark.parametrize("text", ["", "0.1, abc", "nan"])
def test_parse_float_list_rejects(text):
    with pytest.raises(ValueError):
        S.parse_float_list(text)


def test_sketch_string_round_trip():
    pts = [(-1.0, 1.0), (0.0, 0.0), (1.0, 0.5)]
    assert S.parse_sketch("sketch:" + S.format_sketch(pts)) == pts
    with pytest.raises(ValueError, match="point 2"):
        S.parse_sketch("0,1;oops;2,3")

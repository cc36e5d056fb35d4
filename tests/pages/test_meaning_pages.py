"""Issue 21, say what the app means: the words and numbers behind the 1-D pages (pure
functions) and the pages themselves through AppTest. The browser tests of the same points
are in tests/browser/test_browser_meaning.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

import landscape
from dashboard import state as S
from landscape.chain import finite_eta_generator, time_average_law
from landscape.config import MAX_FORMULA_LENGTH
from landscape.sweep import (
    b_ranges_keeping,
    recommendation_reason,
    recommended_b,
    sharp_survivor_note,
    wide_minima,
)
from tests.support.apptest_pages import frame_with, open_page

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def fig2():
    return landscape.load_landscape("paper-fig2")


def _note(land, b):
    a = landscape.analyze(land, 1.6, b, 1.2)
    return sharp_survivor_note([f.width for f in a.fields], [f.l_star for f in a.fields],
                               landscape.surviving_minima(a.classes), b)  # fmt: skip


# ---------------------------------------------------------------- point 3


def test_sharp_survivors_are_named_with_their_reason(fig2):
    assert _note(fig2, 0.5) is None  # m1, m3 eliminated: nothing to say
    note = _note(fig2, 0.95)  # all four survive
    assert note.startswith("At this b the sharp minima m1, m3 are not eliminated: b = 0.95 is "
                           "larger than their escape distance r (r1 = 0.211, r3 = 0.204)")
    assert "the sharp minimum m1 is not eliminated" in _note(fig2, 0.888)  # m3 goes, m1 stays
    assert _note(fig2, math.inf).startswith("Without clipping the sharp minima m1, m3")


def test_recommendation_says_why_and_when_it_hangs_on_the_sweep_end():
    land = landscape.load_landscape("x^6 - 3*x^4 + 2.2*x^2 + 0.1*x")  # three wide minima
    widths = [f.width for f in landscape.analyze(land, 1.6, 0.5, 1.2).fields]
    keep = wide_minima(widths)
    ranges = b_ranges_keeping(landscape.sweep(land, 1.6, 0.05, 3.3), keep)
    rec = recommended_b(ranges)
    assert rec == 2.0  # the middle of (0.735, 3.3): barely clipping
    why = recommendation_reason(ranges, rec, widths, keep, 3.3)
    assert "every b in (0.735, 3.3) keeps m1, m2, m3, all the minima" in why
    assert "runs to the end of the sweep (b to = 3.3)" in why
    assert "larger than every field's r" in why


# ---------------------------------------------------------------- point 4


@pytest.mark.parametrize(("typed", "used", "words"), [
    (0.0, 0.05, "L = 0 is below the smallest allowed, 0.05; using 0.05."),
    (1e6, 50.0, "L = 1000000 is above the largest allowed, 50; using 50."),
    (2.5, 2.5, None),
    (None, 1.6, "the box is empty; using 1.6."),
])  # fmt: skip
def test_number_box_clamps_and_names_both_values(typed, used, words):
    session = {S.PARAMS_KEY: S.defaults(), "L": typed}
    S.number_box_changed(session, "L", "L", 0.05, 50.0)
    assert session[S.PARAMS_KEY]["L"] == used
    assert S.pop_change_notices(session) == ([words] if words else [])


def test_samples_box_keeps_the_integer_type():
    session = {S.PARAMS_KEY: S.defaults(), "samples": 100000}
    S.number_box_changed(session, "samples", "Samples per η", 2, 500)
    assert session[S.PARAMS_KEY]["samples"] == 500 and isinstance(session[S.PARAMS_KEY]["samples"], int)


# ---------------------------------------------------------------- point 5


def test_links_carry_every_formula_the_parser_accepts():
    longest = "x^2" + " + 0*x" * ((MAX_FORMULA_LENGTH - 3) // 6)
    assert 990 < len(longest) <= MAX_FORMULA_LENGTH
    params, notices = S.parse_query({"mode": "formula", "formula": longest})
    assert params["formula"] == longest and not notices
    params, notices = S.parse_query({"mode": "formula", "formula": longest + " + 0*x"})
    assert notices == [(f"Ignored formula is longer than {MAX_FORMULA_LENGTH} characters; using the "
                        "default preset's formula.")]  # fmt: skip


# ---------------------------------------------------------------- point 6


def test_time_average_of_a_two_state_chain_is_its_closed_form():
    a, c, T = 3e-6, 1e-7, 2e6  # leave state 0 at rate a, state 1 at rate c, T steps
    Q = np.array([[-a, a], [c, -c]])
    got = time_average_law(Q, np.array([1.0, 0.0]), T)
    s = a + c
    in_start = c / s + (a / s) * (1 - math.exp(-s * T)) / (s * T)
    np.testing.assert_allclose(got, [in_start, 1 - in_start], rtol=1e-10)


def test_a_young_run_from_a_sharp_field_gets_the_finite_eta_prediction():
    """Issue 21.6: (x^2-1)^2 + 0.3 x from x0 = 0.3, 21 M steps at eta = 1e-3: the run spent
    36.9% at m1 and 63.1% in the sharp field; the eta -> 0 limit says 100% at m1."""
    land = landscape.load_landscape("(x^2-1)^2 + 0.3*x")
    pred = landscape.predict(landscape.analyze(land, 1.6, 0.5, 1.2), land, ("pareto", 1.2, 0.1), x0=0.3)
    assert pred.run_shares(2.1e7, 1e-3) == {0: pytest.approx(1.0)}
    leave, unit = pred.time_scales(1e-3)
    assert 2.1e7 < leave < unit  # the run is younger than both time scales
    finite = pred.finite_run_shares(2.1e7, 1e-3)
    np.testing.assert_allclose(finite, [0.338, 0.662], atol=0.01)  # the run: 0.369, 0.631
    long_run = pred.finite_run_shares(1e13, 1e-3)
    small = pred.small_field_share(1e-3, 0).total  # Theorem 2's long-run share, 1.69%
    assert long_run[1] == pytest.approx(small, rel=0.05)
    gen = finite_eta_generator(pred.rates.q_matrix, pred.rates.l_star, pred.tail_at_inverse_eta(1e-3), 1e-3)
    np.testing.assert_allclose(gen.sum(axis=1), 0.0, atol=1e-18)
    np.testing.assert_allclose(-1 / np.diag(gen), [e.mean_exit_time for e in
                                                   landscape.predict(landscape.analyze(land, 1.6, 0.5, 1.2), land,
                                                                     ("pareto", 1.2, 0.1), eta=1e-3).exits],
                               rtol=1e-12)  # fmt: skip


# ---------------------------------------------------------------- pages (AppTest)


def test_landscape_page_table_keeps_shape_and_verdict_apart():
    at = open_page(query={"b": "0.168"})
    assert not at.exception
    table = frame_with(at, "shape")
    assert list(table["shape"]) == ["sharp", "wide", "sharp", "wide"]
    assert list(table["at this b"]) == ["eliminated", "survives", "eliminated", "eliminated"]


def test_graph_page_warns_when_b_is_too_large():
    at = open_page("pages/graph_page.py", query={"b": "0.95"})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("the sharp minima m1, m3 are not eliminated" in w for w in warnings), warnings
    captions = [c.value for c in at.caption]
    assert any(c.startswith("**absorbing**") for c in captions)
    assert any(c.startswith("Why b = ") for c in captions)

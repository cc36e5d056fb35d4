"""The theory's constants in two dimensions (THEORY.md 11): closed forms and quadrature values.

The disc landscape's origin field is exactly the disc of radius rho = 0.8 for
every eps (tests/support/plane_disc.py); with b > rho every jump longer than rho
leaves, so q = rho^-alpha (clipped or not). For b = 0.5 (l* = 2) THEORY.md 11
gives q = 1.5919 (eps = 0) and 1.7129 (eps = 0.05) by an independent
quadrature; ours must agree within the error it states, and state an error
below 4 %.
"""

import json
import math

import pytest

from landscape import TheoryError, load_landscape
from landscape.__main__ import main
from landscape.plane_analysis import analyze_plane
from landscape.predict import predict_plane
from landscape.rates_plane import plane_exit_rates
from landscape.tails import tail_probability
from landscape.theory import time_scale
from tests.support.plane_disc import RHO, disc_analysis, disc_formula

ALPHA = 1.2
CLOSED_FORM = RHO ** -ALPHA          # 1.30700...
NOISE = ("pareto", ALPHA, 0.1)


@pytest.mark.parametrize("b", [1.0, math.inf])
def test_disc_one_jump_is_rho_to_minus_alpha(b):
    rates = plane_exit_rates(disc_analysis(0.05, b), ALPHA)
    assert rates.l_star[0] == 1 and rates.methods[0] == "rays"
    assert abs(CLOSED_FORM - 1.3070) < 1e-4
    assert rates.errors[0] < 0.01 * CLOSED_FORM
    assert abs(rates.q[0] - CLOSED_FORM) <= rates.errors[0]
    assert rates.destinations(0)[1] == pytest.approx(1.0)


@pytest.mark.parametrize(("eps", "published"), [(0.0, 1.5919), (0.05, 1.7129)])
def test_disc_two_jumps_matches_the_quadrature(eps, published):
    rates = plane_exit_rates(disc_analysis(eps, 0.5), ALPHA)
    assert rates.l_star[0] == 2 and rates.methods[0] == "qmc"
    assert rates.errors[0] < 0.04 * published
    assert abs(rates.q[0] - published) <= rates.errors[0]


def test_two_jumps_exceed_the_one_jump_disc_value():
    """l* = 2 from the disc: the eps = 0.05 bumps make leaving easier than eps = 0."""
    flat = plane_exit_rates(disc_analysis(0.0, 0.5), ALPHA).q[0]
    bumpy = plane_exit_rates(disc_analysis(0.05, 0.5), ALPHA).q[0]
    assert bumpy - flat > 0.05


@pytest.fixture(scope="module")
def disc_prediction():
    land = load_landscape(disc_formula(0.05))
    analysis = analyze_plane(land, 1.0, 1.0, ALPHA, grid=151)
    return analysis, predict_plane(analysis, NOISE, eta=0.01, x0=(0.0, 0.0))


def test_prediction_from_the_analysis_keeps_the_closed_form(disc_prediction):
    analysis, prediction = disc_prediction
    origin = prediction.start_field
    assert analysis.fields[origin].minimiser.points.tolist() == [[0.0, 0.0]]
    q, error = prediction.rates.q[origin], prediction.rates.errors[origin]
    assert abs(q - CLOSED_FORM) <= error < 0.01 * CLOSED_FORM


def test_prediction_json_is_the_1d_contract_plus_minimum(disc_prediction):
    analysis, prediction = disc_prediction
    data = json.loads(json.dumps(prediction.to_json(), allow_nan=False))
    assert set(data) == {"fields", "classes", "start", "warnings"}
    origin = prediction.start_field
    entry = data["fields"][origin]
    assert entry["minimum"] == [0.0, 0.0] and entry["l_star"] == 1
    lam = time_scale(float(tail_probability("pareto", ALPHA, 0.1, 100.0)), 0.01, 1)
    assert entry["lambda"] == pytest.approx(lam)
    assert entry["mean_exit_time"] == pytest.approx(1 / (entry["q"] * lam))
    assert sum(entry["destinations"].values()) == pytest.approx(1.0)
    assert data["start"]["field"] == origin + 1
    for row, fld in zip(data["fields"], analysis.fields, strict=True):
        assert row["minimum"] == fld.minimiser.to_json()
        assert row["q_error"] is not None and row["q_error"] >= 0


def test_segment_minimiser_gives_a_range():
    """A valley of minimisers along y = 0, |x| <= 0.3 (f = y^2 + pieces): q over its points."""
    land = load_landscape("y^2 + max(abs(x) - 0.3, 0)^2 - 0.5*max(abs(x) - 0.8, 0)^3")
    analysis = analyze_plane(land, 1.5, 0.6, ALPHA, grid=151)
    segments = [f for f in analysis.fields if f.minimiser.is_segment]
    if not segments:
        pytest.skip("the analysis reports no segment here")
    i = segments[0].index
    prediction = predict_plane(analysis, NOISE, eta=0.01)
    entry = prediction.to_json()["fields"][i]
    assert "segment" in entry["minimum"]
    low, high = entry["q_range"]["min"], entry["q_range"]["max"]
    assert low <= entry["q"] <= high


def test_light_tails_and_large_l_star_are_refused(disc_prediction):
    analysis = disc_analysis(0.0, 0.3)          # l* = 3
    with pytest.raises(TheoryError, match="l\\* = 2 only"):
        plane_exit_rates(analysis, ALPHA)
    real = disc_prediction[0]
    with pytest.raises(TheoryError, match="not heavy tailed"):
        predict_plane(real, ("gaussian", None, 1.0))
    with pytest.raises(TheoryError, match="not in the ball"):
        predict_plane(real, NOISE, x0=(2.0, 0.0))


def test_cli_predict_plane_json(capsys):
    argv = ["predict", "--expr", disc_formula(0.05), "--R", "1", "--b", "1", "--noise",
            "pareto", "--alpha", "1.2", "--scale", "0.1", "--eta", "0.01", "--x0", "0,0",
            "--grid", "151", "--json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    origin = data["start"]["field"] - 1
    assert data["fields"][origin]["minimum"] == [0.0, 0.0]
    assert data["fields"][origin]["q"] == pytest.approx(CLOSED_FORM, rel=0.01)


@pytest.mark.parametrize(("x0", "message"), [("0", "two numbers X,Y"), ("1,2,3", "X or X,Y")])
def test_cli_predict_plane_bad_x0(capsys, x0, message):
    argv = ["predict", "--expr", disc_formula(0.05), "--R", "1", "--b", "1", "--alpha", "1.2",
            "--scale", "0.1", "--x0", x0, "--grid", "151", "--json"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in json.loads(captured.out)["error"]
    assert len(captured.err.strip().splitlines()) == 1


def test_cli_predict_1d_refuses_two_numbers(capsys):
    assert main(["predict", "--expr", "paper-fig2", "--x0", "0.1,0.2", "--json"]) == 2
    assert "one number" in json.loads(capsys.readouterr().out)["error"]

"""``python -m simulate exit-study`` for f(x, y): the 1-D JSON, theory-sized caps, no-exit eta;
and the 2-D Exit times page naming the eta with no exit (AppTest).

The statistical check uses the cheap l* = 1 disc (THEORY.md 11: q = 0.8^-1.2,
b = 1, Lomax alpha = 1.2, scale 0.1), seed 0, 200 samples per eta: the
simulated mean over the predicted one 1/(q lambda(eta)) must lie in
[0.75, 1.3] (THEORY.md 11 measured 0.95 at eta = 0.01 with an independent
simulator; 200 exponential samples have a standard error of 7 %).
"""

import json

import pytest

from simulate.cli import main
from tests.support.plane_disc import disc_formula

DISC = ["--expr", disc_formula(0.05), "--R", "1", "--b", "1", "--noise", "pareto",
        "--alpha", "1.2", "--scale", "0.1", "--x0", "0,0"]
ONE_D_KEYS = {"etas", "mean_exit_times", "slope", "predicted_slope", "intercept", "r_value",
              "field", "l_star", "censored", "max_steps", "max_steps_source",
              "predicted_mean_exit_times"}


def _study(capsys, *extra):
    assert main(["exit-study", *DISC, *extra, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_disc_exit_study_matches_the_theory(capsys):
    out = _study(capsys, "--etas", "0.01,0.005", "--samples", "200", "--seed", "0")
    assert ONE_D_KEYS <= set(out)
    assert out["l_star"] == 1 and out["predicted_slope"] == pytest.approx(1.2)
    assert out["censored"] == [0, 0] and out["no_exit_etas"] == []
    assert out["max_steps_source"] == ["theory", "theory"]
    for mean, predicted, cap in zip(out["mean_exit_times"], out["predicted_mean_exit_times"],
                                    out["max_steps"], strict=True):
        assert 0.75 <= mean / predicted <= 1.3
        assert cap >= 25 * predicted
    assert out["slope"] is not None


def test_eta_without_exit_is_named_and_left_out(capsys):
    out = _study(capsys, "--etas", "0.01,0.001", "--samples", "5", "--max-steps", "10")
    assert out["max_steps"] == [10, 10] and out["max_steps_source"] == ["user", "user"]
    assert out["censored"] == [5, 5]
    assert out["no_exit_etas"] == [0.01, 0.001]
    assert out["slope"] is None and out["mean_exit_times"] == [None, None]
    assert all(m > 0 for m in out["predicted_mean_exit_times"])


@pytest.mark.parametrize(("argv", "message"), [
    (["--x0", "0"], "two numbers X,Y"),
    (["--etas", "0.01"], "at least two learning rates"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, message):
    base = {"--etas": "0.01,0.005", "--samples": "3", **dict(zip(argv[::2], argv[1::2]))}
    rest = [v for k, val in base.items() for v in (k, val)]
    assert main(["exit-study", *DISC[:-2], *([] if "--x0" in argv else DISC[-2:]), *rest,
                 "--json"]) == 2
    captured = capsys.readouterr()
    assert message in json.loads(captured.out)["error"]
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.timeout(300)
def test_exit_page_names_the_eta_with_no_exit_and_fits_without_it():
    from tests.support.apptest_pages import open_plane, texts

    at = open_plane("pages/exit_page.py", query={"etas": "0.1,0.0001", "samples": "8",
                                                 "ecap": "50"})
    at.selectbox(key="field").set_value(3).run()      # Omega_3, l* = 1: ~65 steps at eta 0.1
    at.button(key="exit_run").click().run(timeout=240)
    assert not at.exception and not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "No run left the field at η = 0.0001 (cap 50 steps)" in warnings
    assert "left out of the fitted slope" in warnings
    labels = [m.label for m in at.metric]
    assert "Fitted slope (1 of 2 η)" in labels
    assert "q = 0.37" in texts(at)                  # the theory's q of Omega_3 beside the run

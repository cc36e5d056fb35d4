"""Command line contract of ``python -m landscape predict``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from landscape.__main__ import main
from landscape.presets import polynomial_from_critical_points

ROOT = Path(__file__).resolve().parents[2]
STAND_IN = polynomial_from_critical_points(
    ("-1.51", "-1.3", "-0.66", "0.2", "0.49", "0.7", "1.32"), 5)
NOISE = ["--noise", "pareto", "--alpha", "1.2", "--scale", "0.1"]


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_subprocess_predict_json_shape():
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    completed = subprocess.run(
        [sys.executable, "-m", "landscape", "predict", "--expr", STAND_IN, "--L", "1.6",
         "--b", "0.5", *NOISE, "--eta", "1e-3", "--x0", "0.3", "--json"],
        capture_output=True, text=True, cwd=ROOT, env=environment, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert set(data) == {"fields", "classes", "start", "warnings"}
    assert [f["field"] for f in data["fields"]] == [1, 2, 3, 4]
    field2 = data["fields"][1]
    assert set(field2) == {"field", "l_star", "q", "destinations", "lambda", "mean_exit_time"}
    assert field2["l_star"] == 2 and field2["q"] == pytest.approx(1.266, abs=1e-3)
    assert field2["destinations"]["1"] == pytest.approx(0.836, abs=1e-3)
    assert set(field2["destinations"]) == {"1", "3", "4"}
    assert field2["mean_exit_time"] == pytest.approx(1 / (field2["q"] * field2["lambda"]))
    group, = data["classes"]
    assert set(group) == {"members", "large", "absorbing", "generator", "killing",
                          "stationary"}
    assert group["members"] == [1, 2, 3, 4] and group["large"] == [2, 4]
    assert group["absorbing"] is True and group["killing"] == [0.0, 0.0]
    assert group["stationary"] == pytest.approx([0.824, 0.176], abs=1e-3)
    assert len(group["generator"]) == 2 and len(group["generator"][0]) == 2
    assert data["start"]["field"] == 3
    assert data["start"]["initial"] == pytest.approx({"2": 0.404, "4": 0.596}, abs=1e-3)


def test_predict_unclipped_without_eta_or_x0(capsys):
    data = _json(capsys, ["predict", "--expr", STAND_IN, "--L", "1.6", *NOISE, "--json"])
    assert data["start"] is None
    assert all(f["lambda"] is None and f["mean_exit_time"] is None for f in data["fields"])
    assert data["fields"][1]["q"] == pytest.approx(1.453, abs=1e-3)
    assert data["classes"][0]["stationary"] == pytest.approx([0.134, 0.423, 0.054, 0.390],
                                                             abs=1e-3)


def test_predict_preset_and_transient_class(capsys):
    # paper-fig3 at b = 0.4: G_1 = {m_1, m_2} absorbing, G_2 = {m_3} transient
    data = _json(capsys, ["predict", "--expr", "paper-fig3", "--json"])
    first, second = data["classes"]
    assert first["absorbing"] and not second["absorbing"]
    assert second["members"] == [3] and second["stationary"] is None
    assert second["killing"][0] == pytest.approx(data["fields"][2]["q"])


def test_predict_text_output_carries_the_note(capsys):
    assert main(["predict", "--expr", STAND_IN, "--L", "1.6", "--b", "0.5", *NOISE,
                 "--eta", "1e-3", "--x0", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "eta^(alpha - 1)" in out and "stationary m2 82.4%, m4 17.6%" in out


@pytest.mark.parametrize("argv, message", [
    (["--L", "1.6", "--noise", "gaussian", "--scale", "1"], "not heavy tailed"),
    (["--L", "1.6", "--noise", "stable", "--alpha", "2", "--scale", "1"], "not heavy tailed"),
    (["--L", "1.6", "--b", "0.1", *NOISE], "up to l* = 6"),
    (["--L", "1.6", "--b", "0.31", *NOISE], "Assumption 3"),
    (["--L", "1.6", *NOISE, "--x0", "2"], "not in [-L, L]"),
    (["--L", "1.6", *NOISE, "--eta", "-1"], "eta must be"),
    (["--L", "1.6", "--noise", "pareto"], "--alpha and --scale"),
    (["--L", "1.6", "--noise", "cauchy", "--alpha", "1", "--scale", "1"], "invalid choice"),
    (["--L", "1.6", "--noise", "pareto", "--alpha", "0.8", "--scale", "0.1"],
     "alpha must be"),
])
def test_predict_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(["predict", "--expr", STAND_IN, *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1
    assert message in captured.err
    assert "error" in json.loads(captured.out)


def test_predict_broken_assumption_1(capsys):
    assert main(["predict", "--expr", "broken-assumption"]) == 2
    assert "do not apply" in capsys.readouterr().err

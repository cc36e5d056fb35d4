"""python -m networks: JSON shapes and exit codes (2 with one stderr line on bad input)."""

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import levy_stable

from networks.cli import main


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_tail_index_json(tmp_path, capsys):
    path = tmp_path / "s.npy"
    np.save(path, levy_stable.rvs(1.5, 0.0, size=20_000, random_state=3))
    code, out, _ = run(["tail-index", str(path), "--estimator", "mohammadi", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["estimator"] == "mohammadi" and result["n"] == 20_000
    assert abs(result["alpha"] - 1.5) < 0.15 and result["ci"][0] <= result["alpha"] <= result["ci"][1]
    np.save(tmp_path / "v.npy", np.random.default_rng(0).standard_normal((300, 4)))
    code, out, _ = run(["tail-index", str(tmp_path / "v.npy"), "--json"], capsys)
    assert code == 0 and json.loads(out)["n"] == 300 and json.loads(out)["estimator"] == "hill"


@pytest.mark.parametrize("argv, message", [
    (["tail-index", "/no/such.npy", "--json"], "no such file"),
    (["tail-index", "BAD", "--json"], "not a readable"),
    (["compare", "--methods", "SB,Adam", "--json"], "unknown method"),
    (["compare", "--seeds", "0", "--json"], "--seeds"),
    (["compare", "--dataset", "fmnist:/no/such/dir", "--steps", "1", "--seeds", "1", "--json"],
     "no such file"),
    (["compare", "--b", "-1", "--json"], "b must"),
    (["slice", "--direction", "sideways", "--json"], "--direction"),
    (["slice", "--method", "Adam", "--json"], "unknown method"),
    (["slice", "--points", "2", "--json"], "points must be"),
    (["frobnicate", "--json"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(argv, message, capsys, tmp_path):
    if "BAD" in argv:
        (tmp_path / "bad.npy").write_text("nonsense")
        argv = [str(tmp_path / "bad.npy") if a == "BAD" else a for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2
    assert message in json.loads(out)["error"]
    assert err.count("\n") == 1 and err.startswith("error:")


def test_compare_json_schema(capsys):
    code, out, _ = run(["compare", "--model", "mlp", "--steps", "10", "--seeds", "1",
                        "--methods", "SB,Our2", "--eta", "0.05", "--b", "inf", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["settings"]["steps"] == 10 and result["settings"]["b"] == "inf"
    assert [row["method"] for row in result["rows"]] == ["SB", "Our2"]
    for row in result["rows"]:
        for name in ("test_accuracy", "expected_sharpness", "max_eigenvalue", "tail_index"):
            assert set(row[name]) >= {"mean", "sd"}
        assert row["seconds"] > 0


def test_slice_expr_is_accepted_by_landscape_analyze(capsys):
    code, out, _ = run(["slice", "--model", "mlp", "--steps", "10", "--method", "SB",
                        "--direction", "between:Our1", "--points", "101", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and len(result["xs"]) == len(result["losses"]) == 101
    assert result["expr"].startswith("sketch:") and result["expr"].count(";") == 99
    analysed = subprocess.run([sys.executable, "-m", "landscape", "analyze", "--expr", result["expr"],
                               "--L", "1.5", "--b", "inf", "--json"],
                              check=False, capture_output=True, text=True, timeout=120)
    assert analysed.returncode == 0, analysed.stderr
    assert json.loads(analysed.stdout)["L"] == 1.5   # analysed as a landscape (no error)

"""Command line contract: ``python -m landscape analyze|sweep|presets``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from landscape.__main__ import main
from landscape.presets import PAPER_FIG2_MINIMA

ROOT = Path(__file__).resolve().parents[2]


def _run(*args):
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "landscape", *args], capture_output=True,
                          text=True, cwd=ROOT, env=environment, timeout=60, check=False)


def test_subprocess_analyze_json_fig2():
    completed = _run("analyze", "--expr", "paper-fig2", "--L", "1.6", "--b", "0.5",
                     "--alpha", "1.2", "--json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["minima"] == pytest.approx(PAPER_FIG2_MINIMA, abs=1e-9)
    assert data["maxima"] == pytest.approx([-1.3, 0.2, 0.7], abs=1e-9)
    assert [f["l_star"] for f in data["fields"]] == [1, 2, 1, 2]
    assert data["irreducible"] is True
    assert data["classes"] == [{"members": [1, 2, 3, 4], "absorbing": True, "large": [2, 4]}]
    assert data["exit_exponents"] == pytest.approx([1.2, 1.4, 1.2, 1.4])
    assert [1, 2] in data["edges"] and data["warnings"] == []


def test_subprocess_analyze_appendix_formula_text():
    # the paper's appendix formula typed on the command line (not the preset key)
    formula = ("(x+1.6)(x+1.3)^2(x-0.2)^2(x-0.7)^2(x-1.6)(0.05abs(1.65-x))^0.6"
               "(1+1/(0.01+4(x-0.5)^2))(1+1/(0.1+4(x+1.5)^2))(1-exp(-5(x+0.8)^2)/4)")
    completed = _run("analyze", "--expr", formula, "--L", "1.6", "--b", "0.5", "--json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["minima"] == pytest.approx(PAPER_FIG2_MINIMA, abs=1e-9)
    assert data["maxima"] == pytest.approx([-1.3, 0.2, 0.7], abs=1e-12)
    assert data["assumption1_ok"] is True and data["warnings"] == []


def test_subprocess_bad_input_exit_2_one_line():
    completed = _run("analyze", "--expr", "__import__('os').system('echo hi')", "--L", "1",
                     "--b", "0.5", "--json")
    assert completed.returncode == 2
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "Traceback" not in completed.stderr
    assert "error" in json.loads(completed.stdout)
    assert "hi" not in completed.stdout.replace('"', " ").split()


def test_subprocess_argparse_error_is_one_line():
    completed = _run("analyze", "--L", "1")
    assert completed.returncode == 2
    assert len(completed.stderr.strip().splitlines()) == 1
    assert "--expr" in completed.stderr


@pytest.mark.parametrize("argv", [
    ["analyze", "--expr", "x^2 + z", "--L", "1", "--b", "0.5"],   # y makes it 2-D (issue 11)
    ["analyze", "--expr", "sin^-1 x", "--L", "1", "--b", "0.5"],
    ["analyze", "--expr", "x \u0445", "--L", "1", "--b", "0.5"],
    ["analyze", "--expr", "*".join(f"sin({k}x)" for k in range(1, 40)), "--L", "1", "--b", "0.5"],
    ["analyze", "--expr", "x^2", "--L", "0", "--b", "0.5"],
    ["analyze", "--expr", "x^2", "--L", "1", "--b", "-1"],
    ["analyze", "--expr", "x^2", "--L", "1", "--b", "abc"],
    ["analyze", "--expr", "x^2", "--L", "1"],
    ["analyze", "--expr", "x^2", "--L", "1", "--b", "1", "--alpha", "0.5"],
    ["sweep", "--expr", "paper-fig3", "--b-min", "1e-6", "--b-max", "1"],
    ["sweep", "--expr", "paper-fig3", "--b-min", "1", "--b-max", "0.5"],
    ["frobnicate"],
    [],
])
@pytest.mark.parametrize("as_json", [False, True])
def test_bad_input_in_process(argv, as_json, capsys):
    code = main(argv + (["--json"] if as_json else []))
    out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    if as_json:
        assert set(json.loads(out)) == {"error"}


def test_analyze_b_inf_and_table(capsys):
    assert main(["analyze", "--expr", "paper-fig3", "--b", "inf", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["b"] == "inf" and all(f["l_star"] == 1 for f in data["fields"])
    assert main(["analyze", "--expr", "paper-fig3", "--L", "1.6", "--b", "0.4",
                 "--alpha", "1.2"]) == 0
    table = capsys.readouterr().out
    assert "class G1 = {m1, m2} absorbing" in table and "irreducible: no" in table


def test_sweep_json_and_table(capsys):
    assert main(["sweep", "--expr", "paper-fig3", "--L", "1.6", "--b-min", "0.3",
                 "--b-max", "inf", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    intervals = data["intervals"]
    assert intervals[0]["b_low"] == 0.3 and intervals[-1]["b_high"] == "inf"
    assert any(i["b_low"] < 0.4 < i["b_high"] and not i["irreducible"] for i in intervals
               if i["b_high"] != "inf")
    assert main(["sweep", "--expr", "paper-fig3", "--b-min", "0.3", "--b-max", "1"]) == 0
    assert "surviving" in capsys.readouterr().out


def test_presets_json(capsys):
    assert main(["presets", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    keys = [p["key"] for p in data]
    assert keys[0] == "paper-fig2"
    assert set(keys) == {"paper-fig2", "paper-fig2-standin", "paper-fig3", "asymmetric-double-well",
                         "kleinberg-ripples", "broken-assumption"}
    assert all({"source", "L", "b", "eta", "x0", "noise"} <= set(p) for p in data)
    assert main(["presets"]) == 0
    assert "paper-fig2" in capsys.readouterr().out


def test_sketch_source_on_command_line(capsys):
    source = "sketch:-1.5,1.0;-1.0,0.0;-0.3,0.6;0.4,-0.2;1.2,0.9"
    assert main(["analyze", "--expr", source, "--L", "2", "--b", "0.5", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["minima"]) == 2

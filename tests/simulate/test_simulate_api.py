"""Public API: validation, the paper's qualitative results, exit study, four-way, CLI."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

from simulate import (
    PAPER_HEAVY,
    PAPER_LIGHT,
    Noise,
    Simulation,
    SimulationError,
    exit_study,
    exit_times,
    four_way,
)
from simulate.cli import main as cli_main
from tests.support.standin_fig2 import FIG2, FIG2_S, L, Land

X = sp.Symbol("x", real=True)


def _sim(**kw):
    args = {"land": FIG2, "L": L, "eta": 0.001, "noise": PAPER_HEAVY, "b": 0.5, "x0": 0.3, "paths": 2,
                "boundaries": FIG2_S}
    args.update(kw)
    return Simulation(args.pop("land"), args.pop("L"), args.pop("eta"), args.pop("noise"), **args)


@pytest.mark.parametrize("kw", [
    {"eta": 0.0}, {"eta": -1e-3}, {"eta": math.nan}, {"b": 0.0}, {"b": -0.5},
    {"L": 0.0}, {"L": -1.0}, {"L": math.inf}, {"x0": 2.0}, {"x0": -1.7},
    {"x0": [0.1, 0.2, 0.3]}, {"x0": math.nan}, {"paths": 0}, {"paths": 10**9},
    {"paths": 2.5}, {"seed": -1}, {"record_every": 0}, {"buffer_size": 0},
    {"hist_bins": -1}, {"noise": Noise("pareto", 0.8, 0.1)}, {"noise": Noise("stable", 2.2)},
    {"noise": "levy"}, {"land": "not a landscape"}, {"boundaries": ["a"]},
    {"land": Land(sp.Symbol("y") * X)},
])
def test_bad_parameters_raise(kw):
    with pytest.raises(SimulationError):
        _sim(**kw)


def test_bad_advance_and_exit_parameters():
    sim = _sim()
    for steps in (-1, 1.5, "10", 10**12, True):
        with pytest.raises(SimulationError):
            sim.advance(steps)
    big = _sim(paths=100_000, buffer_size=1, hist_bins=0)
    with pytest.raises(SimulationError, match="too much work"):
        big.advance(10**6)
    with pytest.raises(SimulationError):
        exit_times(FIG2, L, 0.01, PAPER_HEAVY, x0=-0.7, samples=0, boundaries=FIG2_S)
    with pytest.raises(SimulationError):
        exit_times(FIG2, L, 0.01, PAPER_HEAVY, x0=-0.7, samples=3, boundaries=FIG2_S,
                   max_steps=0)
    with pytest.raises(SimulationError):
        exit_study(FIG2, L, [0.1], PAPER_HEAVY, x0=-0.7, samples=3, boundaries=FIG2_S)
    with pytest.raises(SimulationError):
        four_way(FIG2, L, 0.01, b=None, x0=0.3, paths=1, steps=10, boundaries=FIG2_S)
    assert issubclass(SimulationError, ValueError)


def test_light_trapped_heavy_escapes_fig2():
    """Paper Fig. 1 in miniature: Gaussian stays in Omega_3, Pareto leaves it;
    clipping keeps the heavy-tailed iterates out of the sharp fields."""
    kw = {"paths": 20, "x0": 0.3, "eta": 0.001, "hist_bins": 0, "buffer_size": 1}
    light = _sim(noise=PAPER_LIGHT, **kw)
    light.advance(1_000_000)
    assert light.field_steps[2] == light.total_steps            # never left m_3's field
    clip = _sim(noise=PAPER_HEAVY, **kw)
    clip.advance(1_000_000)
    free = _sim(noise=PAPER_HEAVY, b=math.inf, **kw)
    free.advance(1_000_000)
    for s in (clip, free):
        assert s.transitions[2].sum() > 0                      # escaped from Omega_3
    sharp = [s.field_fraction[[0, 2]].sum() for s in (clip, free)]
    assert sharp[0] < 0.05 and sharp[1] > 2 * sharp[0]
    assert clip.field_fraction[[1, 3]].sum() > 0.95


def test_exit_study_slopes_match_theory():
    """Fig. 4 on a fast grid: beta = 2 alpha - 1 = 1.4 with b = 0.5 (l*_2 = 2),
    beta = alpha = 1.2 unclipped. Tolerance 0.2: with 40 / 200 samples per eta the
    fitted slope varies by about +-0.13 from seed to seed."""
    etas = [0.1, 0.03, 0.01, 0.003]
    seen = []
    for b, beta, samples in ((0.5, 1.4, 40), (math.inf, 1.2, 200)):
        calls = []
        st = exit_study(FIG2, L, etas, PAPER_HEAVY, b=b, x0=-0.7, samples=samples, seed=1,
                        boundaries=FIG2_S, progress=lambda f, m, calls=calls: calls.append(f))
        assert st.field == 1 and st.predicted_slope == pytest.approx(beta)
        assert st.l_star == (2 if math.isfinite(b) else 1)
        assert abs(st.slope - beta) < 0.2, (b, st.slope)
        assert np.all(np.diff(st.mean_exit_times) > 0)
        assert calls and calls[-1] == 1.0 and all(0 <= c <= 1 for c in calls)
        assert st.censored.sum() == 0
        seen.append(st.slope)
    assert seen[0] > seen[1]


def test_exit_times_censoring_and_destinations():
    res = exit_times(FIG2, L, 0.001, PAPER_LIGHT, b=0.5, x0=0.49, samples=3,
                     boundaries=FIG2_S, max_steps=5000)
    assert res.n_censored == 3 and np.all(res.exit_steps == 5000)
    assert np.all(res.destinations == -1) and res.to_json()["destinations"] == {}
    res = exit_times(FIG2, L, 0.05, PAPER_HEAVY, b=0.5, x0=-0.7, samples=50, boundaries=FIG2_S)
    assert res.n_censored == 0 and set(res.destination_counts()) <= {0, 2}
    js = res.to_json()
    assert sum(js["destinations"].values()) == 50 and js["field"] == 2


def test_four_way():
    fracs = []
    sims = four_way(FIG2, L, 0.01, b=0.5, x0=0.3, paths=2, steps=20_000, boundaries=FIG2_S,
                    progress=lambda f, m: fracs.append(f), chunk=5000)
    assert list(sims) == ["heavy-clipped", "heavy-unclipped", "light-clipped", "light-unclipped"]
    assert all(s.steps_done == 20_000 for s in sims.values())
    assert sims["heavy-clipped"].b == 0.5 and math.isinf(sims["heavy-unclipped"].b)
    assert sims["light-clipped"].noise == PAPER_LIGHT
    assert fracs[-1] == 1.0 and fracs == sorted(fracs)


def test_summary_json_shape():
    sim = _sim(eta=0.01, paths=3)
    sim.advance(20_000)
    out = sim.to_json()
    assert out["steps"] == 20_000 and out["paths"] == 3
    assert len(out["field_fraction"]) == 4 and sum(out["field_fraction"]) == pytest.approx(1)
    assert all(1 <= i <= 4 and 1 <= j <= 4 and c > 0 for i, j, c in out["transitions"])
    json.dumps(out)


# ---------------------------------------------------------------------- CLI
def _cli(args, capsys):
    code = cli_main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_run_json(capsys):
    code, out, err = _cli(["run", "--x0", "0.3", "--eta", "0.01", "--paths", "4", "--steps",
                           "20000", "--b", "0.5", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"steps", "paths", "field_fraction", "transitions", "seconds",
                      "steps_per_second"}
    assert d["steps"] == 20000 and d["paths"] == 4 and len(d["field_fraction"]) == 4


def test_cli_exit_times_and_study(capsys):
    code, out, err = _cli(["exit-times", "--x0", "-0.7", "--eta", "0.1", "--samples", "5",
                           "--b", "0.5", "--json"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert len(d["exit_times"]) == 5 and d["mean"] == pytest.approx(np.mean(d["exit_times"]))
    assert sum(d["destinations"].values()) == 5 and set(d["destinations"]) <= {"1", "3"}
    code, out, err = _cli(["exit-study", "--x0", "-0.7", "--etas", "0.3,0.1", "--samples", "5",
                           "--json", "--noise", "pareto", "--alpha", "1.5"], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["etas"] == [0.3, 0.1] and len(d["mean_exit_times"]) == 2
    assert d["predicted_slope"] == pytest.approx(1.5)


def test_cli_other_expression_and_text(capsys):
    code, out, err = _cli(["run", "--expr", "x^4/4 - x^2/2", "--L", "2", "--x0", "0.5",
                           "--eta", "0.05", "--steps", "1000", "--paths", "2",
                           "--noise", "gaussian", "--scale", "0.5"], capsys)
    assert code == 0, err
    assert "time in each field" in out


def test_cli_pareto1_noise(capsys):
    """Pareto I is a CLI choice that reaches the kernels (same seed, another occupancy
    than Lomax: every draw is one scale larger) and is validated like the other families."""
    runs = {}
    for family in ("pareto1", "pareto"):
        code, out, err = _cli(["run", "--x0", "-0.7", "--eta", "0.05", "--paths", "2",
                               "--steps", "20000", "--noise", family, "--json"], capsys)
        assert code == 0, err
        runs[family] = json.loads(out)["field_fraction"]
    assert runs["pareto1"] != runs["pareto"]
    code, out, err = _cli(["run", "--x0", "0", "--eta", "0.01", "--steps", "10", "--noise",
                           "pareto1", "--alpha", "0.9", "--json"], capsys)
    assert code == 2 and "alpha" in json.loads(out)["error"]


@pytest.mark.parametrize("args", [
    ["run", "--x0", "5", "--eta", "0.01", "--steps", "10"],
    ["run", "--x0", "0", "--eta", "-1", "--steps", "10"],
    ["run", "--x0", "0", "--eta", "0.01", "--steps", "10", "--b", "0"],
    ["run", "--x0", "0", "--eta", "0.01", "--steps", "10", "--noise", "stable", "--alpha", "3"],
    ["run", "--x0", "0", "--eta", "0.01"],
    ["run", "--x0", "0", "--eta", "0.01", "--steps", "10", "--expr", "x^^2"],
    ["exit-study", "--x0", "0", "--etas", "0.1,abc", "--samples", "3"],
    ["frobnicate"],
])
def test_cli_bad_input_exits_2(args, capsys):
    code, out, err = _cli(args + ["--json"], capsys)
    assert code == 2
    assert "error" in json.loads(out)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_subprocess_contract():
    p = subprocess.run([sys.executable, "-m", "simulate", "run", "--x0", "9", "--eta", "0.1",
                        "--steps", "5"], capture_output=True, text=True, timeout=120,
                       check=False)
    assert p.returncode == 2 and p.stderr.startswith("error:") and p.stderr.count("\n") == 1


def test_landscape_integration_defaults():
    landscape = pytest.importorskip("landscape")
    p = landscape.PRESETS["paper-fig2"]
    land = landscape.load_landscape(p.source)
    sim = Simulation(land, p.L, 0.01, PAPER_HEAVY, b=p.b, x0=p.x0, paths=2)
    an = landscape.analyze(land, p.L, p.b, 1.2)
    np.testing.assert_allclose(sim.boundaries, an.maxima)
    sim.advance(5000)
    for x, f in zip(sim.positions, sim.current_fields):
        assert an.field_of(float(x)) == f
    st = exit_study(land, p.L, [0.3, 0.1], PAPER_HEAVY, b=p.b, x0=-0.7, samples=5)
    assert st.l_star == an.fields[1].l_star == 2 and st.predicted_slope == pytest.approx(1.4)

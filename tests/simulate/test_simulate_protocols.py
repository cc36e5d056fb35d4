"""One contract per concept (issue 17): the same checks on a 1-D and a 2-D instance of a run,
its result, exit times, an exit study, a generated gradient and an analysis."""

import math

import numpy as np
import pytest

from landscape import analyze, load_landscape
from landscape.plane_analysis import analyze_plane
from simulate import Noise, Simulation, compile_gradient, exit_study, exit_times
from simulate.exit_caps import censored_mean
from simulate.plane_exits import plane_exit_study, plane_exit_times
from simulate.plane_run import PlaneSimulation
from simulate.protocols import (
    ExitSamples,
    ExitStudy,
    GeneratedGradient,
    Run,
    RunResult,
)
from tests.support.plane_himmelblau import GRAD, R, quadrant_grids

NOISE = Noise("pareto", 1.2, 2.0)
STANDIN = load_landscape("paper-fig2-standin")   # a polynomial f': no compile
L, B = 1.6, 0.5
PATHS, STEPS = 3, 2000

RUN_KEYS = {"steps", "paths", "field_fraction", "transitions", "seconds", "steps_per_second",
            "gradient", "gradient_note"}
EXIT_KEYS = {"exit_times", "mean", "destinations", "censored", "field", "max_steps", "gradient"}
STUDY_KEYS = {"etas", "mean_exit_times", "slope", "predicted_slope", "intercept", "r_value",
              "field", "l_star", "censored", "max_steps", "max_steps_source",
              "predicted_mean_exit_times"}


def make_run(dimension: int):
    if dimension == 1:
        return Simulation(STANDIN, L, 0.01, NOISE, b=B, x0=0.3, paths=PATHS, seed=3)
    return PlaneSimulation(GRAD, R, 0.01, NOISE, b=0.3, x0=(2.9, 1.0), paths=PATHS, seed=3,
                           grids=quadrant_grids(), record_every=10)


def make_exit_times(dimension: int, samples: int = 6):
    if dimension == 1:
        return exit_times(STANDIN, L, 0.05, NOISE, b=B, x0=0.3, samples=samples, seed=2,
                          max_steps=20_000)
    return plane_exit_times(GRAD, quadrant_grids(), field=0, R=R, eta=0.05, b=math.inf,
                            family=NOISE, x0=(2.9, 1.0), samples=samples, seed=2,
                            max_steps=20_000)


@pytest.fixture(scope="module")
def plane_paper():
    land = load_landscape("paper-himmelblau")
    return land, analyze_plane(land, 4.2, 2.15, 1.2, grid=101)


@pytest.mark.parametrize("dimension", [1, 2])
def test_a_run_and_its_result_have_one_contract(dimension):
    run = make_run(dimension)
    assert isinstance(run, Run) and run.dimension == dimension and run.paths == PATHS
    assert run.steps_done == 0
    run.advance(STEPS // 2)
    run.advance(STEPS // 2)
    assert run.steps_done == STEPS
    res = run.result
    assert isinstance(res, RunResult) and res.dimension == dimension
    assert res.error is None and res.steps_done == STEPS and res.paths == PATHS
    # one entry per field (2-D: one more, the last, for cells of no field)
    n = len(res.field_steps) - (dimension == 2)
    assert res.transitions.shape == (n, n)
    assert int(res.field_steps.sum()) == PATHS * STEPS
    assert isinstance(res.field_fraction, np.ndarray)
    np.testing.assert_allclose(res.field_fraction, res.field_steps / (PATHS * STEPS))
    assert res.steps_per_second == pytest.approx(PATHS * STEPS / res.seconds)
    assert res.gradient_note
    out = res.to_json()
    assert RUN_KEYS <= set(out)
    assert out["steps"] == STEPS and out["paths"] == PATHS
    assert len(out["field_fraction"]) == len(res.field_steps)
    assert sum(c for _, _, c in out["transitions"]) == int(res.transitions.sum())
    assert all(1 <= i <= n and 1 <= j <= n for i, j, _ in out["transitions"])  # 1-based


@pytest.mark.parametrize("dimension", [1, 2])
def test_exit_times_have_one_contract(dimension):
    res = make_exit_times(dimension)
    assert isinstance(res, ExitSamples)
    samples = res.exit_steps.size
    assert samples == 6 and res.destinations.shape == res.censored.shape == (samples,)
    assert res.eta == 0.05 and res.max_steps == 20_000
    assert np.all(res.exit_steps[res.censored] == res.max_steps)
    assert np.all(res.destinations[~res.censored] >= 0)
    assert np.all(res.destinations[~res.censored] != res.field)
    assert sum(res.destination_counts().values()) == samples - res.n_censored
    assert res.n_censored < samples                  # some samples exit
    assert res.mean == censored_mean(res.exit_steps, res.censored)
    assert res.x0 == (0.3 if dimension == 1 else (2.9, 1.0))
    assert res.gradient and res.gradient_note
    out = res.to_json()
    assert set(out) == EXIT_KEYS                 # 1-D and 2-D: the same JSON object
    assert out["field"] == res.field + 1 and out["exit_times"] == res.exit_steps.tolist()


@pytest.mark.parametrize("dimension", [1, 2])
def test_an_exit_study_has_one_contract(dimension, plane_paper):
    etas = [0.2, 0.1]
    if dimension == 1:
        study = exit_study(STANDIN, L, etas, NOISE, b=B, x0=-0.7, samples=4, seed=1,
                           max_steps=50_000)
    else:
        land, analysis = plane_paper
        study = plane_exit_study(land, analysis, etas, NOISE, x0=(3.05, 1.03), samples=4,
                                 seed=1, max_steps=50_000)
    assert isinstance(study, ExitStudy)
    assert len(study.results) == 2 and all(isinstance(r, ExitSamples) for r in study.results)
    assert [r.eta for r in study.results] == etas
    np.testing.assert_array_equal(study.mean_exit_times, [r.mean for r in study.results])
    np.testing.assert_array_equal(study.censored, [r.n_censored for r in study.results])
    assert study.predicted_slope == pytest.approx(1.2 + 0.2 * (study.l_star - 1))
    assert [c.steps for c in study.caps] == [50_000, 50_000]
    out = study.to_json()
    assert set(out) == STUDY_KEYS
    assert out["field"] == study.field + 1 and out["etas"] == etas


@pytest.mark.parametrize("dimension", [1, 2])
def test_a_generated_gradient_has_one_contract(dimension):
    gradient = compile_gradient(STANDIN) if dimension == 1 else GRAD
    assert isinstance(gradient, GeneratedGradient)
    assert gradient.key and gradient.code
    assert gradient.kernels() is not None


def test_one_registry_keeps_the_generated_gradients_of_both_dimensions(monkeypatch):
    """1-D and 2-D gradients share ``simulate._codegen``'s registry: one object per formula,
    the least recently used dropped past its size (made again, with the same key, when asked)."""
    import sympy
    from cachetools import LRUCache

    from simulate import _codegen
    from simulate.plane_gradient import compile_plane_gradient

    monkeypatch.setattr(_codegen, "_REGISTRY", LRUCache(maxsize=2))
    x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
    line = compile_gradient(sympy.sin(x) + 3)
    plane = compile_plane_gradient(sympy.cos(x) + y, x * y)
    assert compile_gradient(sympy.sin(x) + 3) is line
    assert compile_plane_gradient(sympy.cos(x) + y, x * y) is plane
    assert set(_codegen._REGISTRY) == {line.key, plane.key} and line.key != plane.key
    compile_gradient(x**3 + sympy.exp(x))          # a third formula: the oldest use is dropped
    assert line.key not in _codegen._REGISTRY and plane.key in _codegen._REGISTRY
    again = compile_gradient(sympy.sin(x) + 3)
    assert again is not line and again.key == line.key and again.code == line.code


@pytest.mark.parametrize("dimension", [1, 2])
def test_an_analysis_has_one_jump_matrix_meaning(dimension, plane_paper):
    """l_{i,j} with l*_i on the diagonal, in both dimensions."""
    analysis = analyze(STANDIN, L, B) if dimension == 1 else plane_paper[1]
    assert analysis.dimension == dimension
    jm = np.asarray(analysis.jump_matrix)
    np.testing.assert_array_equal(np.diag(jm), [f.l_star for f in analysis.fields])
    for i, j in analysis.edges:                  # an edge: a cheapest way out, l_{i,j} = l*_i
        assert jm[i, j] == jm[i, i]

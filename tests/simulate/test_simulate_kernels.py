"""Kernels against the slow reference, invariants, reproducibility, NaN stops, gradients."""

import math

import numba
import numpy as np
import pytest
import sympy as sp

from simulate import Noise, Simulation, compile_gradient
from simulate.exits import exit_times
from tests.support import naive_simulate as naive
from tests.support.standin_fig2 import FIG2, FIG2_S, L, Land, X


def _sim(noise, **kw):
    args = {"b": 0.5, "x0": 0.3, "paths": 3, "seed": 5, "boundaries": FIG2_S, "record_every": 1,
                "buffer_size": 1000, "hist_bins": 40}
    args.update(kw)
    return Simulation(args.pop("land", FIG2), L, args.pop("eta", 0.05), noise, **args)


@pytest.mark.parametrize("noise,b", [
    (Noise("pareto", 1.2, 0.1), 0.5), (Noise("pareto", 1.5, 5.0), math.inf),
    (Noise("pareto1", 1.3, 0.05), 0.5),
    (Noise("gaussian", None, 1.0), 0.5), (Noise("student-t", 2.0, 1.0), 0.3),
    (Noise("stable", 1.5, 0.5), 0.5), (Noise("uniform", None, 3.0), math.inf),
    (Noise("none"), math.inf)])
def test_matches_naive_reference(noise, b):
    steps = 400
    sim = _sim(noise, b=b, x0=np.array([0.3, -0.7, 1.5]))
    sim.advance(steps)
    coef = compile_gradient(FIG2).coefficients
    ref = naive.run(lambda x: naive.horner(coef, x), L, 0.05, noise.family, noise.alpha, noise.scale, b=b,
                    x0s=[0.3, -0.7, 1.5], steps=steps, seed=5, bounds=FIG2_S, hist_bins=40)
    # rounding differs (libm vs inlined log/exp, FMA in Horner): agree to ~1e-9
    np.testing.assert_allclose(sim.positions, ref["x"], rtol=1e-9, atol=1e-9)
    _, traj = sim.trajectory()
    np.testing.assert_allclose(traj, np.array(ref["traj"]).T, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(sim.field_steps, ref["field_steps"])
    np.testing.assert_array_equal(sim.transitions, ref["trans"])
    np.testing.assert_array_equal(sim.histogram()[1], ref["hist"])
    assert sim.field_steps.sum() == 3 * steps == sim.total_steps


def test_invariants_clip_and_wall():
    b = 0.05
    sim = _sim(Noise("pareto", 1.1, 1.0), b=b, paths=4, eta=0.1, buffer_size=5001)
    sim.advance(5000)
    steps, traj = sim.trajectory()
    assert steps[0] == 0 and steps[-1] == 5000 and traj.shape == (5001, 4)
    assert np.all(np.abs(traj) <= L)
    assert np.all(np.abs(np.diff(traj, axis=0)) <= b * (1 + 1e-12))
    assert np.any(np.abs(traj) == L) or np.any(np.abs(np.diff(traj, axis=0)) >= b * (1 - 1e-12))


def test_wall_reached_without_clipping():
    sim = _sim(Noise("pareto", 1.1, 1.0), b=math.inf, paths=2, eta=0.5, buffer_size=3001)
    sim.advance(3000)
    _, traj = sim.trajectory()
    assert np.all(np.abs(traj) <= L) and np.any(np.abs(traj) == L)


def _snapshot(sim):
    return (sim.positions, sim.trajectory()[1], sim.histogram()[1], sim.field_steps,
            sim.transitions, sim.path_steps)


@pytest.mark.parametrize("noise", [Noise("pareto", 1.2, 0.1), Noise("student-t", 1.5, 0.3)])
def test_reproducible_across_threads_and_chunks(noise):
    kw = {"paths": 7, "eta": 0.01, "record_every": 7, "buffer_size": 50, "hist_bins": 30}
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = _sim(noise, **kw)
        a.advance(3000)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = _sim(noise, **kw)
        for n in (1, 255, 256, 257, 600, 1631):     # odd cuts across noise blocks
            b.advance(n)
    finally:
        numba.set_num_threads(old)
    for u, v in zip(_snapshot(a), _snapshot(b)):
        np.testing.assert_array_equal(u, v)


def test_paths_are_independent_of_path_count():
    """Path p's stream is (seed, p): adding paths does not change the first ones."""
    a = _sim(Noise("pareto", 1.2, 0.1), paths=2)
    b = _sim(Noise("pareto", 1.2, 0.1), paths=5)
    a.advance(500)
    b.advance(500)
    np.testing.assert_array_equal(a.positions, b.positions[:2])


def test_ring_buffer_is_bounded():
    sim = _sim(Noise("pareto", 1.2, 0.1), paths=2, record_every=10, buffer_size=16)
    sim.advance(1000)
    steps, traj = sim.trajectory()
    assert traj.shape == (16, 2)
    np.testing.assert_array_equal(steps, np.arange(850, 1001, 10))
    sim.advance(3)
    steps, traj = sim.trajectory()
    assert steps[-1] == 1000 and traj.shape == (16, 2)


def test_nan_gradient_stops_with_message():
    # f' = sqrt(x): gradient descent overshoots below 0, where sqrt is NaN
    sim = Simulation(Land(sp.sqrt(X)), 2.0, 0.1, Noise("none"), x0=1.0, paths=2,
                     boundaries=[], record_every=1, buffer_size=500)
    sim.advance(400)
    assert sim.error is not None and "not finite" in sim.error and "step" in sim.error
    assert "x = -" in sim.error
    done = sim.steps_done
    assert 0 < done < 400
    assert np.all(np.isfinite(sim.positions))
    _, traj = sim.trajectory()
    assert np.all(np.isfinite(traj[: done + 1]))
    sim.advance(100)                       # the run has stopped
    assert sim.steps_done == done


def test_infinite_gradient_at_start():
    sim = Simulation(Land(1 / X), 1.0, 0.01, Noise("pareto", 1.2, 0.1), x0=0.0, paths=1,
                     boundaries=[])
    sim.advance(10)
    assert sim.error and "x = 0" in sim.error and "step 1" in sim.error
    assert sim.steps_done == 0


def test_log_gradient_nan_for_negative_x():
    res = exit_times(Land(sp.log(X)), 1.0, 0.5, Noise("none"), x0=-0.5, samples=2,
                     boundaries=[0.5], max_steps=10)
    assert res.error and "not finite" in res.error
    assert res.n_censored == 2


def test_non_polynomial_gradient_matches_reference():
    d = sp.Piecewise((X**3 - X, X < 0.5), (sp.sin(3 * X) - 0.62, True)) + sp.exp(-X**2) / 10
    land = Land(d)
    g = compile_gradient(land)
    assert not g.is_polynomial
    sim = Simulation(land, 2.0, 0.02, Noise("gaussian", None, 2.0), x0=[0.1, -1.0], paths=2,
                     boundaries=[0.0], record_every=1, buffer_size=600, hist_bins=0)
    sim.advance(500)
    ref = naive.run(g.py, 2.0, 0.02, "gaussian", None, 2.0, x0s=[0.1, -1.0], steps=500,
                    bounds=[0.0])
    np.testing.assert_allclose(sim.positions, ref["x"], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(sim.transitions, ref["trans"])


def test_gradient_cached_in_process_and_on_disk(tmp_path):
    from simulate import config

    d = sp.atan(X) + sp.cos(X) / 7
    g1 = compile_gradient(Land(d))
    assert compile_gradient(Land(d)) is g1
    g1.cfunc  # noqa: B018  (compiles / loads)
    path = config.cache_dir() / "gradients" / f"g_{g1.key}.py"
    assert path.exists()
    assert g1.py(0.3) == pytest.approx(math.atan(0.3) + math.cos(0.3) / 7)
    np.testing.assert_allclose(g1(np.array([0.3, -2.0])),
                               [g1.py(0.3), g1.py(-2.0)], rtol=1e-15)


def test_polynomial_gradient_uses_horner():
    g = compile_gradient(FIG2)
    assert g.is_polynomial and g.coefficients.shape == (8,)
    xs = np.linspace(-1.6, 1.6, 7)
    np.testing.assert_allclose(np.polyval(g.coefficients, xs), g(xs), rtol=1e-12, atol=1e-12)


def test_exit_times_match_reference():
    noise = Noise("pareto", 1.2, 0.1)
    res = exit_times(FIG2, L, 0.1, noise, b=0.5, x0=-0.7, samples=4, seed=3,
                     boundaries=FIG2_S, stream=0)
    g = compile_gradient(FIG2)
    for j in range(4):
        t, dest = naive.exit_time(g.py, L, 0.1, "pareto", 1.2, 0.1, b=0.5, x0=-0.7,
                                  bounds=FIG2_S, seed=3, sample=j)
        assert (res.exit_steps[j], res.destinations[j]) == (t, dest)


def test_nan_on_one_path_other_paths_continue():
    """Paths are advanced in pairs: a failing path must not stop or shift its partner."""
    eta, x0s = 0.1, [0.5, 1.9, 1.0]

    def stop_step(x):  # plain GD on f' = sqrt(x): first step whose gradient is NaN
        for k in range(1, 10_000):
            if x < 0:
                return k
            x -= eta * math.sqrt(x)
        return None

    expected = [stop_step(v) for v in x0s]
    assert len(set(expected)) == 3
    sim = Simulation(Land(sp.sqrt(X)), 2.0, eta, Noise("none"), x0=x0s, paths=3,
                     boundaries=[], record_every=1, buffer_size=1000, hist_bins=0)
    sim.advance(max(expected) + 50)
    np.testing.assert_array_equal(sim.path_steps, [k - 1 for k in expected])
    assert f"step {min(expected)}" in sim.error
    _, traj = sim.trajectory()
    for p, k in enumerate(expected):
        assert np.all(np.isfinite(traj[:k, p])) and np.all(np.isnan(traj[k:, p]))


def test_concurrent_advance_from_threads():
    """Two sessions advancing at once (Streamlit script threads) get the sequential numbers."""
    import threading

    noise = Noise("pareto", 1.2, 0.1)
    ref = [_sim(noise, seed=s, paths=4, eta=0.01) for s in (1, 2)]
    for s in ref:
        s.advance(20_000)
    sims = [_sim(noise, seed=s, paths=4, eta=0.01) for s in (1, 2)]
    threads = [threading.Thread(target=lambda s=s: [s.advance(2_000) for _ in range(10)])
               for s in sims]
    for t in threads:
        t.start()
    for _ in range(20):                  # readers while advancing
        for s in sims:
            s.positions, s.histogram(), s.trajectory(), s.field_fraction
    for t in threads:
        t.join()
    for a, b in zip(ref, sims):
        np.testing.assert_array_equal(a.positions, b.positions)
        np.testing.assert_array_equal(a.histogram()[1], b.histogram()[1])

"""Kernels specialised per formula: same numbers as the generic path, built in the background.

These are tests of the exact f' (``tabulate=False``); the tabulated f' is
tested in ``tests/simulate/test_simulate_table.py``.

The first test compiles the specialised kernels of the paper's appendix
formula in a subprocess (about a minute cold on the 2-core VM, under a second
once numba's disk cache holds them).
"""

import math
import threading

import numpy as np
import pytest
import sympy as sp

from simulate import Noise, Simulation, compile_gradient, exit_times, specialise
from simulate import _kernels as generic_kernels
from tests.support.paper_appendix import MAXIMA, AppendixLandscape, L

X = sp.Symbol("x", real=True)
COMPILE_TIMEOUT = 900


def _snapshot(sim):
    return (sim.positions, sim.trajectory()[1], sim.histogram()[1], sim.field_steps,
            sim.transitions, sim.path_steps)


def _run(land, kernels, noise, b, x0, steps=60_000):
    sim = Simulation(land, L, 0.01, noise, b=b, x0=x0, paths=3, seed=9, boundaries=MAXIMA,
                     record_every=7, buffer_size=500, hist_bins=64, tabulate=False)
    sim.forced_kernels = kernels          # None: whatever gradient.kernels() serves
    sim.advance(steps // 2)
    sim.advance(steps - steps // 2)
    return sim


@pytest.fixture(scope="module")
def appendix():
    land = AppendixLandscape()
    g = compile_gradient(land)
    assert not g.is_polynomial
    assert g.wait(timeout=COMPILE_TIMEOUT), g.specialise_error
    assert g.kernel_path == "specialised"
    return land, g


@pytest.mark.parametrize("noise,b", [(Noise("pareto", 1.2, 0.1), 0.5),
                                     (Noise("pareto1", 1.5, 0.05), math.inf),
                                     (Noise("gaussian", None, 1.0), 0.5)])
def test_specialised_run_bit_identical_to_generic(appendix, noise, b):
    land, g = appendix
    x0 = np.array([0.3, -0.7, 1.5])
    generic = _run(land, generic_kernels, noise, b, x0)
    special = _run(land, None, noise, b, x0)
    assert g.kernels() is not generic_kernels
    assert special.total_steps == 3 * 60_000 and generic.error is None
    if noise.heavy:   # the comparison covers jumps between fields, clipping and the wall
        assert special.transitions.sum() > 0
    for a, c in zip(_snapshot(generic), _snapshot(special)):
        np.testing.assert_array_equal(a, c)       # bit for bit, not approximately


def test_specialised_exit_times_bit_identical_to_generic(appendix):
    land, _ = appendix
    kw = {"b": 0.5, "x0": -0.7, "samples": 6, "seed": 4, "boundaries": MAXIMA,
          "max_steps": 3_000_000, "tabulate": False}
    noise = Noise("pareto", 1.2, 0.1)
    generic = exit_times(land, L, 0.05, noise, kernels=generic_kernels, **kw)
    special = exit_times(land, L, 0.05, noise, **kw)
    assert generic.n_censored < 6
    np.testing.assert_array_equal(generic.exit_steps, special.exit_steps)
    np.testing.assert_array_equal(generic.destinations, special.destinations)


def test_switch_mid_run_changes_no_number(appendix):
    """A run that moves from the generic to the specialised kernels between
    chunks (what a live view sees) gives the numbers of a run on either."""
    land, _ = appendix
    noise = Noise("pareto", 1.2, 0.1)
    x0 = np.array([0.3, -0.7, 1.5])
    ref = _run(land, generic_kernels, noise, 0.5, x0)
    sim = Simulation(land, L, 0.01, noise, b=0.5, x0=x0, paths=3, seed=9, boundaries=MAXIMA,
                     record_every=7, buffer_size=500, hist_bins=64, tabulate=False)
    sim.forced_kernels = generic_kernels
    sim.advance(20_000)
    sim.forced_kernels = None
    sim.advance(40_000)
    for a, c in zip(_snapshot(ref), _snapshot(sim)):
        np.testing.assert_array_equal(a, c)


def test_generated_module_calls_f_directly(appendix):
    _, g = appendix
    text = specialise.module_text(g)
    assert "_grad(fn, coef, mode, " not in text
    assert text.count("= grad_cell(x") == 3 and "def grad_py(x):" in text
    path, _ = specialise.module_path(g)
    assert path.exists() and path.with_suffix(".ok").exists()


def test_first_frame_does_not_wait_for_the_compile(monkeypatch):
    """While the specialised kernels compile, advance runs on the generic path
    and returns; a failed compile leaves the generic path serving, with a reason."""
    release = threading.Event()

    def slow_failing_compile(path, name):
        release.wait(60)
        raise RuntimeError("compiler exploded")

    monkeypatch.setattr(specialise, "_compile_in_subprocess", slow_failing_compile)
    g = compile_gradient(sp.atan(X) * sp.cos(X) + X**3 / 9 + sp.Rational(1, 7919))
    path, _ = specialise.module_path(g)
    path.with_suffix(".ok").unlink(missing_ok=True)
    g.specialise()
    sim = Simulation(g, 2.0, 0.01, Noise("pareto", 1.2, 0.1), b=0.5, x0=0.1, paths=2,
                     boundaries=[], hist_bins=0, tabulate=False)
    sim.advance(50_000)                 # would hang here if it waited for the compile
    assert sim.steps_done == 50_000
    assert not g.ready() and g.kernel_path == "generic" and g.specialise_error is None
    release.set()
    assert g.wait(timeout=60) is False
    assert "compiler exploded" in g.specialise_error
    sim.advance(1000)
    assert sim.steps_done == 51_000 and g.kernels() is generic_kernels


def test_automatic_start_only_after_enough_work(monkeypatch):
    from simulate import config

    started = []
    monkeypatch.setattr(specialise.Specialisation, "start",
                        lambda self: started.append(self) or self)
    monkeypatch.setattr(config, "SPECIALISE_MIN_WORK", 10_000)
    g = compile_gradient(sp.sin(X) * sp.exp(X / 5) + sp.Rational(1, 7907))
    sim = Simulation(g, 2.0, 0.01, Noise("none"), x0=0.1, paths=2, boundaries=[], hist_bins=0,
                     tabulate=False)
    sim.advance(4_000)
    assert not started
    sim.advance(1_000)
    assert len(started) == 1
    monkeypatch.setenv(config.SPECIALISE_ENV, "0")
    g2 = compile_gradient(sp.sin(X) * sp.exp(X / 5) + sp.Rational(1, 7883))
    Simulation(g2, 2.0, 0.01, Noise("none"), x0=0.1, paths=2, boundaries=[],
               hist_bins=0, tabulate=False).advance(20_000)
    assert len(started) == 1


def test_polynomial_needs_no_specialisation():
    g = compile_gradient(X**3 - X)
    assert g.ready() and g.wait(0) and g.kernel_path == "polynomial"
    assert g.kernels() is generic_kernels


def test_oversized_gradient_refused():
    from simulate import SimulationError
    from simulate import config as simulate_config

    big = sum(sp.sin((k + 1) * X) * sp.exp(X / (k + 2)) for k in range(40))
    old = simulate_config.MAX_BODY_CHARS
    try:
        simulate_config.MAX_BODY_CHARS = 500
        with pytest.raises(SimulationError, match="too large"):
            compile_gradient(big)
    finally:
        simulate_config.MAX_BODY_CHARS = old


@pytest.mark.slow
def test_specialised_nan_stop_identical_to_generic():
    """A gradient that turns NaN (sqrt of a negative x) stops each path at the same
    step, with the same message, on both paths (compiles one more formula)."""
    g = compile_gradient(sp.sqrt(X) + sp.Rational(1, 7877) * X)
    assert g.wait(timeout=COMPILE_TIMEOUT), g.specialise_error
    sims = []
    for kernels in (generic_kernels, None):
        sim = Simulation(g, 2.0, 0.1, Noise("none"), x0=[0.5, 1.9, 1.0], paths=3,
                         boundaries=[], record_every=1, buffer_size=1000, hist_bins=0,
                         tabulate=False)
        sim.forced_kernels = kernels
        sim.advance(500)
        sims.append(sim)
    generic, special = sims
    assert generic.error is not None and generic.error == special.error
    np.testing.assert_array_equal(generic.path_steps, special.path_steps)
    np.testing.assert_array_equal(generic.trajectory()[1], special.trajectory()[1])


def test_compile_subprocess_ends_with_its_process(tmp_path):
    """A process that exits while its specialised kernels compile (a short CLI run)
    takes the compile subprocess with it."""
    import os
    import subprocess
    import sys
    import time

    child = (
        "import sys, time\n"
        "import sympy as sp\n"
        "from simulate import compile_gradient, specialise\n"
        "x = sp.Symbol('x', real=True)\n"
        "g = compile_gradient(sp.atan(x) * sp.sin(x) + sp.Rational(1, 7873)).specialise()\n"
        "for _ in range(600):\n"
        "    if specialise._WORKERS: break\n"
        "    time.sleep(0.05)\n"
        "print(next(iter(specialise._WORKERS)).pid, flush=True)\n")
    env = dict(os.environ, SIMULATE_CACHE_DIR=str(tmp_path))   # nothing cached: it must compile
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                         timeout=120, env=env, check=True).stdout
    pid = int(out.split()[-1])
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, 9)
    raise AssertionError("the compile subprocess outlived its parent")

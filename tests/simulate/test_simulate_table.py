"""The tabulated f' (simulate.table): accurate, used only when checked, same numbers
as the exact path up to its error, reproducible, and the step invariants hold."""

import numpy as np
import pytest
import sympy as sp
from numba import njit

from simulate import Noise, Simulation, compile_gradient, config, exit_times
from simulate._kernel_steps import gradient_at, no_cell
from simulate.table import TABLE_MODE, build_table, choose_gradient, gradient_table
from tests.support.paper_appendix import MAXIMA, AppendixLandscape, L

X = sp.Symbol("x", real=True)
HEAVY = Noise("pareto", 1.2, 0.1)


class Land:
    def __init__(self, dexpr):
        self.dexpr = dexpr


@pytest.fixture(scope="module")
def appendix():
    land = AppendixLandscape()
    g = compile_gradient(land)
    return land, g, gradient_table(g, L)


@njit
def _kernel_values(placeholder, coef, xs):
    """f' as the kernels compute it in table mode, carrying the piece state along xs."""
    out = np.empty(xs.shape[0])
    cell = no_cell(coef, 3)
    for i in range(xs.shape[0]):
        out[i], cell = gradient_at(placeholder, coef, 3, xs[i], cell)
    return out


def test_appendix_table_is_usable_and_accurate_off_its_check_points(appendix):
    _, g, table = appendix
    assert table.usable and table.reason is None
    assert table.relative_error <= config.TABLE_TOLERANCE
    # an independent check: random points, not the build's check grid
    x = np.random.default_rng(5).uniform(-L, L, 400_000)
    x = np.concatenate((x, table.bounds, [-L, L], np.array(MAXIMA)))
    err = np.abs(table(x) - g(x))
    assert err.max() <= config.TABLE_TOLERANCE * np.abs(g(x)).max()


def test_kernel_table_values_depend_on_x_only(appendix):
    """The kernels' piece lookup gives the NumPy table's values, and the same
    value at x whatever piece the path was in before (no history)."""
    _, g, table = appendix
    rng = np.random.default_rng(2)
    x = np.concatenate((np.cumsum(rng.normal(0, 2e-3, 50_000)) % (2 * L) - L,
                        table.bounds, [-L, L]))
    coef = table.coefficients
    walk = _kernel_values(g.kernel_function_placeholder, coef, x)
    order = rng.permutation(x.size)
    jumps = np.empty_like(walk)
    jumps[order] = _kernel_values(g.kernel_function_placeholder, coef, x[order])
    np.testing.assert_array_equal(walk, jumps)
    np.testing.assert_allclose(walk, table(x), rtol=0, atol=1e-13 * table.scale)


def test_tabulated_run_agrees_with_exact_run(appendix):
    """Same seed, same noise: the tabulated and the exact run follow each other
    (paths in the basins of the appendix landscape, heavy noise with clipping)."""
    land, _, _ = appendix
    kw = {"b": 0.5, "x0": np.array([0.3, -0.7, 1.3, -1.5]), "paths": 4, "seed": 11,
          "boundaries": MAXIMA, "record_every": 10, "buffer_size": 20_000, "hist_bins": 64}
    runs = {}
    for tab in (True, False):
        sim = Simulation(land, L, 0.001, HEAVY, tabulate=tab, **kw)
        sim.advance(200_000)
        runs[tab] = sim
    tab, exact = runs[True], runs[False]
    assert tab.gradient_method == "tabulated" and exact.gradient_method != "tabulated"
    assert "tabulated" in tab.gradient_note and "exact" in exact.gradient_note
    _, xt = tab.trajectory()
    _, xe = exact.trajectory()
    assert np.abs(xt - xe).max() < 1e-6
    np.testing.assert_array_equal(tab.transitions, exact.transitions)
    np.testing.assert_array_equal(tab.field_steps, exact.field_steps)
    assert tab.transitions.sum() > 0          # jumps, clipping and walls were exercised


def test_tabulated_run_reproducible_and_chunk_independent(appendix):
    land, _, _ = appendix
    kw = {"b": 0.5, "x0": 0.3, "paths": 3, "seed": 4, "boundaries": MAXIMA,
          "record_every": 3, "buffer_size": 1000, "hist_bins": 50}
    a = Simulation(land, L, 0.002, HEAVY, **kw)
    a.advance(30_000)
    b = Simulation(land, L, 0.002, HEAVY, **kw)
    for n in (1, 999, 12_000, 17_000):
        b.advance(n)
    assert a.gradient_method == "tabulated"
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.trajectory()[1], b.trajectory()[1])
    np.testing.assert_array_equal(a.histogram()[1], b.histogram()[1])


def test_tabulated_step_invariants(appendix):
    """|X_{n+1} - X_n| <= b and |X_n| <= L on every recorded step (every step recorded)."""
    land, _, _ = appendix
    b = 0.05
    sim = Simulation(land, L, 0.05, Noise("pareto", 1.1, 0.5), b=b, x0=[0.3, -1.5], paths=2,
                     seed=3, boundaries=MAXIMA, record_every=1, buffer_size=50_000)
    sim.advance(49_000)
    assert sim.gradient_method == "tabulated" and sim.error is None
    _, xs = sim.trajectory()
    assert np.abs(xs).max() <= L
    assert np.abs(np.diff(xs, axis=0)).max() <= b * (1 + 1e-12)
    assert np.isclose(np.abs(xs).max(), L)                     # the wall was hit
    assert np.abs(np.diff(xs, axis=0)).max() >= b * (1 - 1e-12)  # and the clip


def test_tabulated_exit_times_agree_with_exact(appendix):
    land, _, _ = appendix
    kw = {"b": 0.5, "x0": -0.7, "samples": 8, "seed": 4, "boundaries": MAXIMA,
          "max_steps": 2_000_000}
    tab = exit_times(land, L, 0.05, HEAVY, **kw)
    exact = exit_times(land, L, 0.05, HEAVY, tabulate=False, **kw)
    assert tab.gradient == "tabulated" and exact.gradient in ("generic", "specialised")
    assert tab.n_censored < 8
    np.testing.assert_array_equal(tab.exit_steps, exact.exit_steps)
    np.testing.assert_array_equal(tab.destinations, exact.destinations)


@pytest.mark.parametrize("dexpr,why", [
    (3 * X**2 - 1 + sp.sign(X - sp.Rational(1, 3)) / 100, "error"),   # f' jumps inside a piece
    (1 / (X - sp.Rational(1, 3)), "error"),                           # a pole
    (sp.sqrt(X + 1), "not finite"),                                   # NaN below -1
])
def test_table_refused_where_it_would_be_wrong(dexpr, why):
    g = compile_gradient(Land(dexpr))
    choice = choose_gradient(g, 1.5)
    assert not choice.tabulated and choice.method in ("generic", "specialised")
    assert choice.args()[2] != TABLE_MODE
    assert why in choice.note and "exact" in choice.note


def test_kink_of_f_prime_found_at_the_landscape_kinks():
    """f' = 3x^2 - 1 + |x - 1/3| / 100 has a kink (f'' jumps) at 1/3; passing it as a
    kink puts check points beside it; the table is used only within the tolerance."""
    d = 3 * X**2 - 1 + sp.Abs(X - sp.Rational(1, 3)) / 100
    g = compile_gradient(Land(d))
    t = build_table(g, 1.5, 256, kinks=(1 / 3,))
    x = np.linspace(1 / 3 - 1e-3, 1 / 3 + 1e-3, 20_001)
    if t.usable:
        assert np.abs(t(x) - g(x)).max() <= config.TABLE_TOLERANCE * t.scale
    else:
        assert t.relative_error > config.TABLE_TOLERANCE


def test_polynomial_and_opt_out_use_no_table(appendix):
    land, g, _ = appendix
    assert choose_gradient(compile_gradient(Land(X**3 - X)), 2.0).method == "polynomial"
    assert choose_gradient(g, L, tabulate=False).table is None
    sim = Simulation(land, L, 0.01, HEAVY, b=0.5, paths=1, boundaries=MAXIMA, tabulate=False)
    assert sim.gradient_method in ("generic", "specialised")
    assert sim.to_json()["gradient"] == sim.gradient_method


def test_table_cached_on_disk(tmp_path, monkeypatch, appendix):
    from simulate import table as table_module

    _, g, _ = appendix
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(table_module, "_TABLES", {})
    first = gradient_table(g, 1.2)
    assert list((tmp_path / "gradients").glob("t_*.npz"))
    monkeypatch.setattr(table_module, "_TABLES", {})
    monkeypatch.setattr(table_module, "build_table", None)    # must not rebuild
    again = gradient_table(g, 1.2)
    np.testing.assert_array_equal(first.coefficients, again.coefficients)
    assert again.max_error == first.max_error and again.cells == first.cells

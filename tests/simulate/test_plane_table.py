"""Tabulated grad f of a 2-D landscape (simulate.plane_table) and the generic kernels that
evaluate it (simulate._kernels_plane_table): the stated error, the cells left exact, the
choice of gradient, reproducibility, and runs against the slow reference."""

import math

import numpy as np
import pytest
import sympy as sp

import landscape
from simulate import Noise, config
from simulate._kernels_plane_table import (
    MODE_SHIFT,
    kink_coordinate_np,
    kink_table,
    locate_cell,
    table_values_kernel,
)
from simulate.plane import simulate_plane
from simulate.plane_gradient import X, Y, as_plane_gradient, choose_plane_gradient
from simulate.plane_table import build_plane_table, plane_table
from tests.support import naive_plane as naive
from tests.support.plane_himmelblau import GRAD, HIMMELBLAU, quadrant_grids

R = 4.2
PAPER = landscape.load_landscape("paper-himmelblau")
TOL = config.PLANE_TABLE_TOLERANCE


def _in_ball(n, R, seed=0):
    rng = np.random.default_rng(seed)
    r = R * np.sqrt(rng.uniform(0, 1, n))
    t = rng.uniform(-math.pi, math.pi, n)
    return r * np.cos(t), r * np.sin(t)


def _cell_max(grad, table, x, y, k=11):
    """max |grad f| over a k x k grid of each point's cell (the scale the error is
    stated against)."""
    h = 2 * table.R / table.cells
    last = table.edges.shape[1] - 2
    col = np.clip(np.searchsorted(table.edges[0], x, side="right") - 1, 0, last)
    row = np.clip(np.searchsorted(table.edges[1], y, side="right") - 1, 0, last)
    u = np.linspace(0, 1, k)
    cx = (table.edges[0][col][:, None, None] + h * u[None, None, :])
    cy = (table.edges[1][row][:, None, None] + h * u[None, :, None])
    cx, cy = np.broadcast_arrays(cx, cy)
    gx, gy = grad(cx, cy)
    return np.hypot(gx, gy).reshape(len(x), -1).max(axis=1)


@pytest.mark.parametrize("name,grad,radius", [
    ("paper-himmelblau", as_plane_gradient(PAPER), R),
    ("smooth, not polynomial", as_plane_gradient((sp.exp(0.3 * X) * sp.cos(Y) + X**3 / (1 + Y**2),
                                                  -sp.exp(0.3 * X) * sp.sin(X * Y))), 2.0)])
def test_table_error_within_the_stated_tolerance(name, grad, radius):
    """At 4,000 random points of tabulated cells, |table - grad f| <= tolerance x max
    |grad f| on the point's cell (the check's measure, at points it never saw)."""
    table = plane_table(grad, radius)
    assert table.usable, table.reason
    x, y = _in_ball(4000, radius)
    tx, ty = table(x, y)
    ok = np.isfinite(tx)
    assert ok.mean() > 0.9                        # nearly all of the ball is tabulated
    ex, ey = grad(x[ok], y[ok])
    err = np.hypot(tx[ok] - ex, ty[ok] - ey)
    scale = _cell_max(grad, table, x[ok], y[ok])
    assert (err <= TOL * scale).all(), f"{name}: worst {np.max(err / scale):.2e}"
    assert table.relative_error <= TOL


def test_polynomial_cubic_gradient_is_tabulated_exactly():
    """Himmelblau's grad f has degree <= 3 in each variable: the bicubic cells are exact
    (to rounding), at the coarsest cell count."""
    table = plane_table(GRAD, R)
    assert table.usable and table.exact_cells == 0 and table.cells == config.PLANE_TABLE_CELLS[0]
    x, y = _in_ball(2000, R)
    tx, ty = table(x, y)
    ex, ey = GRAD(x, y)
    np.testing.assert_allclose(tx, ex, rtol=0, atol=1e-11 * np.abs(ex).max())
    np.testing.assert_allclose(ty, ey, rtol=0, atol=1e-11 * np.abs(ey).max())


def _modes(table, x, y):
    """Each point's cell (fine cell in a refined one): -1 exact, else its mode (0 plain,
    1 / 2 / 3: t / s / both in the kink coordinate)."""
    raw = table.locate(np.asarray(x, float), np.asarray(y, float))[0]
    return np.where(raw < 0, -1, raw >> MODE_SHIFT)


def test_kinks_and_the_singular_line_are_exact_cells_only_where_they_matter():
    """The paper's cut min(h, 12 |y + 2.9|^1.1) acts only in its box x in [-5.5, -0.5],
    |y + 2.9| < 2: on y = -2.9 inside the box, where the min takes 12 |y + 2.9|^1.1
    (13.2 sign(u) |u|^0.1 in grad f, u = y + 2.9), cells are tabulated in the kink
    coordinate sign(u) |u|^0.1 (mode 2); where the min's switching curve crosses the
    line (x from -1.89 to -1.77 near it, in fine cells) they are exact; the box's right
    edge x = -0.5, where grad f jumps, is an edge of the cells (``Lattice``): the cells on
    both sides are tabulated (on the line itself, the formula's own value); the same
    line outside the box and the fields the paths start in are tabulated plainly."""
    grad = as_plane_gradient(PAPER)
    table = plane_table(grad, R)
    x = np.array([-3.0, -1.0, -2.5, -1.8, -0.5 + 1e-12, 2.0, 2.9, 3.1, 0.0, -0.5 + 1e-12,
                  -0.5 - 1e-12, -0.5])
    y = np.array([-2.9, -2.9, -2.93, -2.9, -1.5, -2.9, 1.0, -0.9, 3.0, -2.9, -2.9, -1.5])
    np.testing.assert_array_equal(_modes(table, x, y), [2, 2, 2, -1, 0, 0, 0, 0, 0, 0, 2, -1])
    assert (table.edges[0] == -0.5).any()
    tx, _ = table(x, y)
    assert np.isnan(tx[[3, -1]]).all() and np.isfinite(tx[:-1]).sum() == 10
    assert table.exact_share < 0.01 and table.kink_cells > 100
    assert "kink coordinate" in table.describe()


def test_kink_cells_within_the_stated_tolerance_down_to_the_line():
    """Points at |y + 2.9| from 1e-12 to 0.2 on both sides of the line, x along the
    segment: in the kink cells (coarse, or fine cells of the refined cells where the min
    switches), |table - grad f| <= tolerance x max |grad f| of the (coarse) cell, where no
    polynomial in y would do (|u|^0.1: the same relative error at every cell size); more
    than 90 % of these points are tabulated."""
    grad = as_plane_gradient(PAPER)
    table = plane_table(grad, R)
    rng = np.random.default_rng(5)
    x = rng.uniform(-3.0, -0.6, 3000)
    y = -2.9 + rng.choice([-1.0, 1.0], 3000) * 10.0 ** rng.uniform(-12, np.log10(0.2), 3000)
    kinked = _modes(table, x, y) == 2
    assert kinked.mean() > 0.9
    assert table.locate(x[kinked], y[kinked])[3].sum() > 50    # fine cells of refined ones
    tx, ty = table(x[kinked], y[kinked])
    ex, ey = grad(x[kinked], y[kinked])
    err = np.hypot(tx - ex, ty - ey)
    scale = _cell_max(grad, table, x[kinked], y[kinked])
    assert (err <= TOL * scale).all(), f"worst {np.max(err / scale):.2e}"


@pytest.mark.parametrize("q,rtol", [(0.1, 5e-8), (0.5, 5e-8), (1.1, 5e-8), (2.5, 5e-7)])
def test_kink_coordinate_is_the_power_to_5e_8(q, rtol):
    """sign(u) 2^(q (e - 1023)) (A_j + B_j m) (a table of 2^(q k) and the secants of m^q on
    1,024 segments of [1, 2), no libm): NumPy's sign(u) |u|^q to 5e-8 relative for q <= 1.1
    (5e-7 at q = 2.5), from tiny u (|u|^q not subnormal) to |u| = 8, both signs, and 0 at
    0. (The table is fitted and checked in this coordinate: its error is the check's,
    whatever this one's.)"""
    row = kink_table(0.0, q)
    u = np.concatenate([10.0 ** np.linspace(-300 / max(q, 1.0), 0.9, 20001), [0.0]])
    u = np.concatenate([u, -u])
    want = np.sign(u) * np.abs(u) ** q
    np.testing.assert_allclose(kink_coordinate_np(u, row), want, rtol=rtol, atol=0)


def test_kernel_evaluates_the_table_and_the_exact_cells():
    """The generic kernel's (df/dx, df/dy): the table's NumPy formula in tabulated cells
    (to rounding), the compiled exact formula in exact cells."""
    grad = as_plane_gradient(PAPER)
    table = plane_table(grad, R)
    x, y = _in_ball(3000, R, seed=3)
    near = np.linspace(-2.1, -1.6, 400)                   # where the min switches: fine cells
    x = np.concatenate((x, [-3.0, -1.0, -2.5, -1.9, -0.5, -0.5], near, near))
    y = np.concatenate((y, [-2.9, -2.9, -2.93, -2.9, -1.5, -2.0], -2.9 + 0 * near + 1e-3,
                        -2.9 - 0.05 + 0 * near))
    out = np.empty((x.size, 4))
    table_values_kernel(x, y, out, *table.kernel_args(), grad.exact_cfunc())
    assert table.coefficients.ctypes.data % 64 == 0       # rows loaded 64 bytes at a time
    # the run kernel's SIMD evaluation and the exit kernel's scalar one: the same numbers
    np.testing.assert_array_equal(out[:, :2], out[:, 2:])
    tx, ty = table(x, y)
    ex, ey = grad(x, y)
    tab = np.isfinite(tx)
    assert (~tab).sum() >= 3 and (_modes(table, x, y) == 2).sum() >= 3    # exact and kink cells
    assert (table.locate(x, y)[3] & tab).sum() > 100                       # fine cells
    np.testing.assert_allclose(out[tab, 0], tx[tab], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[tab, 1], ty[tab], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[~tab, 0], ex[~tab], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out[~tab, 1], ey[~tab], rtol=1e-12, atol=1e-12)


def test_the_kernels_fast_cell_check_never_accepts_a_point_of_another_cell():
    """The run and exit kernels keep a path's cell while fl(fl(x - m_x)^2) < w2 and
    fl(fl(y - m_y)^2) < w2 (``locate_cell``'s m_x, m_y, w2), so the value at X still depends
    on X only: at points within a few ulps of every edge of paper-himmelblau's cells, coarse
    and fine (refined), the check passes only for the cell ``locate_cell`` finds, and it
    passes inside the cells. An exact cell's w2 is -1: the check never passes there."""
    table = plane_table(as_plane_gradient(PAPER), R)
    args = table.kernel_args()
    tix, tgeo, tcen, tedge, tsub, tfine = (args[0], args[2], args[3], args[4], args[6],
                                           args[7])

    def located(x, y):
        out = locate_cell(x, y, tix, tgeo, tcen, tedge, tsub, tfine)
        return (out[2], out[3], out[4], out[5], out[6]), out[8], out[9], out[10]

    rng = np.random.default_rng(3)
    edges_x = np.concatenate([table.edges[0][1:-1], table.fine[0][1:-1]])
    edges_y = np.concatenate([table.edges[1][1:-1], table.fine[1][1:-1]])
    near_x, near_y = rng.choice(edges_x, 600), rng.choice(edges_y, 600)
    accepted = 0
    for ex, ey in zip(near_x, near_y):
        if ex * ex + ey * ey > R * R:
            continue
        for dx in (-1.0, 0.0, 1.0):         # the cells at the corner (ex, ey)
            for dy in (-1.0, 0.0, 1.0):
                state, mx, my, w2 = located(ex + dx * 1e-9, ey + dy * 1e-9)
                for qx in (ex, np.nextafter(ex, -np.inf), np.nextafter(ex, np.inf)):
                    for qy in (ey, np.nextafter(ey, -np.inf), np.nextafter(ey, np.inf)):
                        if max((qx - mx) ** 2, (qy - my) ** 2) < w2:
                            assert located(qx, qy)[0] == state
                            accepted += 1
    assert accepted > 1000          # the check does pass right next to the edges
    x, y = _in_ball(2000, R, seed=4)
    inside = [located(a, b) for a, b in zip(x, y)]
    assert all(max((a - mx) ** 2, (b - my) ** 2) < w2
               for (a, b), (st, mx, my, w2) in zip(zip(x, y), inside) if st[4] >= 0)
    assert all(w2 == -1.0 for st, _, _, w2 in inside if st[4] < 0)


def test_a_formula_no_table_resolves_is_refused_and_runs_exact():
    """grad f oscillating faster than the finest cells resolve: the table is refused (the
    reason says why) and the run uses the exact formula."""
    grad = as_plane_gradient((sp.cos(90 * X) * sp.cos(90 * Y), sp.sin(90 * X)))
    table = build_plane_table(grad, 1.0, config.PLANE_TABLE_CELLS[-1])
    assert not table.usable and "fail the check" in table.reason
    choice = choose_plane_gradient(grad, 1.0)
    assert not choice.tabulated and choice.method.startswith("exact")
    assert "no table" in choice.note


def test_a_new_smooth_formula_runs_without_any_compile():
    """A formula never seen: the run uses the table through the generic kernels; the
    formula's own module (cfunc, specialised kernels) is never built."""
    c = float(np.random.default_rng().integers(1, 10**6)) / 10**6   # a new formula per run
    f = (X**2 + Y - 11) ** 2 / 10 + (X + Y**2 - 7) ** 2 / 10 + c * sp.cos(X) * sp.exp(Y / 5)
    grad = as_plane_gradient((sp.diff(f, X), sp.diff(f, Y)))
    res = simulate_plane(grad, quadrant_grids(), R=R, eta=5e-3, b=1.0, family="pareto",
                         alpha=1.2, scale=1.0, x0=(2.9, 1.0), paths=2, steps=2000, seed=1)
    assert res.gradient_note.startswith("grad f tabulated") and res.error is None
    assert "module" not in grad._cache and not grad.compiling()


@pytest.mark.parametrize("noise,b", [
    (Noise("pareto", 1.2, 20.0), 0.3), (Noise("pareto", 1.5, 50.0), math.inf),
    (Noise("pareto1", 1.3, 10.0), 0.3), (Noise("gaussian", None, 20.0), 0.3),
    (Noise("student-t", 2.0, 5.0), 0.2), (Noise("stable", 1.5, 5.0), 0.3),
    (Noise("uniform", None, 30.0), math.inf), (Noise("none"), math.inf)])
def test_tabulated_run_matches_the_naive_reference_with_the_exact_gradient(noise, b):
    """The paper's modified Himmelblau, tabulated (exact cells included), against the slow
    reference with the exact grad f: the same streams, so the paths agree to the table's
    error carried over 300 steps: each step moves by at most eta x tolerance x max|grad f|
    on the path's cells more or less than the reference's, so a path is off by at most
    about steps x eta x tolerance x G, G the largest |grad f| on the reference's path (a
    factor 3 for the growth of the difference between two nearby paths)."""
    x0s = [(2.9, 1.0), (-2.0, -2.9), (-0.5, -2.0)]       # a right field; the cut's segment
    grids = quadrant_grids()
    grad = as_plane_gradient(PAPER)
    kw = {"R": R, "eta": 0.01, "b": b, "family": noise.family, "alpha": noise.alpha, "scale": noise.scale,
              "paths": 3, "steps": 300, "seed": 7, "record_every": 1, "trace_points": 1000, "bins": 20}
    res = simulate_plane(grad, grids, x0=np.array(x0s), **kw)
    assert res.gradient_note.startswith("grad f tabulated")
    labels, nears = grids.kernel_grids(R)
    fn = sp.lambdify((X, Y), list(grad.exprs), "math")

    def gfun(x, y):
        return tuple(float(v) for v in fn(x, y))

    ref = naive.run(gfun, labels, nears, grids.extent, R=R, eta=0.01, b=b, family=noise.family,
                    alpha=noise.alpha, scale=noise.scale, x0s=x0s, steps=300, seed=7, bins=20,
                    m=4)
    tr = np.asarray(ref["trace"], dtype=float).reshape(-1, 2)
    G = np.hypot(*grad(tr[:, 0], tr[:, 1])).max()
    bound = 3 * 300 * 0.01 * TOL * G
    ref_tr = np.asarray(ref["trace"])
    diff = np.abs(res.trace - ref_tr)
    if noise.family == "none":
        # on the cut's segment grad f = (0, 1.32 sign(u) |u|^0.1), u = y + 2.9, is not
        # Lipschitz: without noise a path ends oscillating across the line, and which side
        # a step lands on may differ between two nearby paths; from a path's first step
        # within 0.02 of the line only x is compared, and both must stay within 0.02 of it
        on = np.maximum.accumulate((np.abs(ref_tr[..., 1] + 2.9) < 0.02)
                                   & (ref_tr[..., 0] < -0.5), axis=1)
        assert (np.abs(res.trace[on][:, 1] + 2.9) < 0.02).all()
        diff[on, 1] = 0.0
    assert diff.max() <= bound
    steps = np.hypot(*np.diff(res.trace, axis=1).transpose(2, 0, 1))
    assert steps.max() <= b * (1 + 1e-12)
    assert np.hypot(res.trace[..., 0], res.trace[..., 1]).max() <= R * (1 + 1e-12)


def test_tabulated_run_invariants_and_reproducibility():
    """|step| <= b, |X| <= R with exact cells on the way; the same numbers whatever the
    slicing and the thread count."""
    import numba

    grad = as_plane_gradient(PAPER)
    kw = {"R": R, "eta": 0.02, "b": 0.25, "family": "pareto", "alpha": 1.2, "scale": 40.0,
              "x0": (-2.0, -2.9), "paths": 4, "seed": 3}
    full = simulate_plane(grad, quadrant_grids(), steps=6000, trace_points=6001, record_every=1,
                          **kw)
    tr = full.trace
    steps = np.hypot(*np.diff(tr, axis=1).transpose(2, 0, 1))
    assert steps.max() <= 0.25 * (1 + 1e-12) and (steps > 0.25 * (1 - 1e-9)).sum() > 100
    assert np.hypot(tr[..., 0], tr[..., 1]).max() <= R * (1 + 1e-12)
    table = plane_table(grad, R)
    assert np.isnan(table(tr[..., 0].ravel(), tr[..., 1].ravel())[0]).sum() > 50  # exact cells
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        part = simulate_plane(grad, quadrant_grids(), steps=1000, trace_points=6001,
                              record_every=1, **kw)
        for chunk in (7, 4993):
            part = simulate_plane(grad, quadrant_grids(), steps=chunk, state=part.state,
                                  trace_points=6001, record_every=1, **kw)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(part.trace, full.trace)
    np.testing.assert_array_equal(part.histogram, full.histogram)
    np.testing.assert_array_equal(part.transitions, full.transitions)


def test_exact_generic_and_specialised_kernels_agree_bit_for_bit():
    """tabulate=False: the generic kernels calling the formula's cfunc, and its own
    kernels once compiled (``make warmup`` compiles the paper-himmelblau ones): the same
    numbers bit for bit, also when a run switches from one to the other on the way."""
    from simulate.plane import compile_specialised

    grad = as_plane_gradient(PAPER)
    compile_specialised(grad)
    generic = choose_plane_gradient(grad, R, tabulate=False).generic_exact_kernels()
    kw = {"R": R, "eta": 0.01, "b": 0.3, "family": "pareto", "alpha": 1.2, "scale": 20.0,
              "x0": np.array([(2.9, 1.0), (-2.0, -2.9)]), "paths": 2, "seed": 11, "record_every": 1,
              "trace_points": 3001, "tabulate": False}
    a = simulate_plane(grad, quadrant_grids(), steps=3000, _kernels=generic, **kw)
    b = simulate_plane(grad, quadrant_grids(), steps=3000, _kernels=grad.module(), **kw)
    c = simulate_plane(grad, quadrant_grids(), steps=1200, _kernels=generic, **kw)
    c = simulate_plane(grad, quadrant_grids(), steps=1800, _kernels=grad.module(),
                       state=c.state, **kw)
    assert len(grad.module().run_plane_kernel.signatures) == 1    # warmed with real types
    assert len(grad.module().exit_plane_kernel.signatures) == 1
    for other in (b, c):
        np.testing.assert_array_equal(other.trace, a.trace)
        np.testing.assert_array_equal(other.histogram, a.histogram)
        np.testing.assert_array_equal(other.field_steps, a.field_steps)
    assert not np.isnan(a.trace).any()


def test_himmelblau_sympy_and_table_agree_in_a_run():
    """The tabulated and the exact Himmelblau runs agree to rounding (cubic cells are exact)."""
    kw = {"R": R, "eta": 0.01, "b": 0.3, "family": "pareto", "alpha": 1.2, "scale": 2.0, "x0": (2.9, 1.0),
              "paths": 3, "steps": 3000, "seed": 7}
    grad = as_plane_gradient((sp.diff(HIMMELBLAU, X), sp.diff(HIMMELBLAU, Y)))
    a = simulate_plane(grad, quadrant_grids(), **kw)
    b = simulate_plane(grad, quadrant_grids(), tabulate=False, **kw)
    np.testing.assert_allclose(a.final, b.final, rtol=0, atol=1e-9)


def test_the_first_start_says_what_it_waits_for():
    """Before the first chunk: a new formula waits for its table (under a second), a
    tabulated one for nothing; the live view's state reads "starting", not "paused"."""
    from types import SimpleNamespace

    from dashboard import simrun_plane
    from simulate.plane import first_run_wait
    from simulate.warmup import warm_plane

    warm_plane()
    grad = as_plane_gradient(PAPER)
    plane_table(grad, R)
    assert first_run_wait(grad, R) == "nothing to compile: starting at once"
    new = as_plane_gradient((X + float(np.random.default_rng().uniform(1, 2)), Y))
    assert first_run_wait(new, R).startswith("tabulating grad f on the ball (under 1 s)")
    g = quadrant_grids()
    analysis = SimpleNamespace(extent=g.extent, label_grid=g.label_grid, near_grid=g.near_grid)
    cfg = simrun_plane.PlaneRunConfig(source="paper-himmelblau", L=R, eta=5e-4, noise="pareto",
                                      alpha=1.2, scale=0.75, b=2.15, b_compare=2.15, x0=2.9,
                                      paths=2, seed=0, every=10, compare=False, y0=1.0)
    run = simrun_plane.PlaneLiveRun(cfg, PAPER, analysis)
    assert dict(run.live_metrics())["State"] == "paused"
    run.running = True
    assert dict(run.live_metrics())["State"] == "starting"
    assert run.first_wait() == "nothing to compile: starting at once"
    run.advance(run.chunk())
    assert run.steps_done > 0 and dict(run.live_metrics())["State"] == "running"

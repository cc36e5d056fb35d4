"""2-D kernels (issue 11): slow reference, invariants, reproducibility, noise, exit times."""

import math

import numba
import numpy as np
import pytest
import sympy as sp

from simulate import Noise, SimulationError
from simulate.plane import PlaneGrids, draw_plane_noise, simulate_plane
from simulate.plane_exits import plane_exit_times
from simulate.plane_gradient import X, Y
from tests.support import naive_plane as naive
from tests.support.plane_himmelblau import GRAD, HIMMELBLAU, MINIMA, PUSH, R, quadrant_grids


def descent_grids(R=5.5, n=101):
    """Fields of Himmelblau by plain gradient descent from every cell centre:
    the label is the minimum the descent ends at."""
    xs = np.linspace(-R, R, n)
    x, y = np.meshgrid(xs, xs)
    for _ in range(4000):
        gx, gy = GRAD(x, y)
        x, y = x - 0.01 * gx, y - 0.01 * gy
    d = np.hypot(x[..., None] - MINIMA[:, 0], y[..., None] - MINIMA[:, 1])
    labels = np.argmin(d, axis=-1).astype(np.int16)
    assert d.min(axis=-1).max() < 1e-3            # every descent converged
    cx, cy = np.meshgrid(xs, xs)
    nears = np.full((n, n), -1, dtype=np.int16)
    for i in range(4):
        nears[np.hypot(cx - MINIMA[i, 0], cy - MINIMA[i, 1]) < 0.5] = i
    return PlaneGrids((-R, R, -R, R), labels, nears, fields=4)


def _run(grids=None, **kw):
    args = {"R": R, "eta": 0.01, "b": 0.3, "family": "pareto", "alpha": 1.2, "scale": 2.0,
            "x0": (2.9, 1.0), "paths": 3, "steps": 300, "seed": 7, "record_every": 1,
            "trace_points": 1000, "bins": 20}
    args.update(kw)
    return simulate_plane(args.pop("grad", GRAD), grids or quadrant_grids(args["R"]), **args)


@pytest.mark.parametrize("noise,b", [
    (Noise("pareto", 1.2, 20.0), 0.3), (Noise("pareto", 1.5, 50.0), math.inf),
    (Noise("pareto1", 1.3, 10.0), 0.3), (Noise("gaussian", None, 20.0), 0.3),
    (Noise("student-t", 2.0, 5.0), 0.2), (Noise("stable", 1.5, 5.0), 0.3),
    (Noise("uniform", None, 30.0), math.inf), (Noise("none"), math.inf)])
def test_matches_naive_reference(noise, b):
    x0s = [(2.9, 1.0), (-0.3, -0.2), (0.0, -4.2)]
    grids = quadrant_grids()
    res = _run(grids, family=noise.family, alpha=noise.alpha, scale=noise.scale, b=b,
               x0=np.array(x0s))
    labels, nears = grids.kernel_grids(R)
    gfun = sp.lambdify((X, Y), (sp.diff(HIMMELBLAU, X), sp.diff(HIMMELBLAU, Y)), "math")
    ref = naive.run(gfun, labels, nears, grids.extent, R=R, eta=0.01, b=b, family=noise.family,
                    alpha=noise.alpha, scale=noise.scale, x0s=x0s, steps=300, seed=7, bins=20,
                    m=4)
    # rounding differs (libm vs inlined log/exp, FMA): agree to ~1e-9
    np.testing.assert_allclose(res.final, ref["final"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res.trace, ref["trace"], rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(res.trace_fields, ref["trace_fields"])
    np.testing.assert_array_equal(res.field_steps, ref["field_steps"])
    np.testing.assert_array_equal(res.near_steps, ref["near_steps"])
    np.testing.assert_array_equal(res.transitions, ref["trans"])
    np.testing.assert_array_equal(res.histogram, ref["hist"])
    assert res.field_steps.sum() == res.near_steps.sum() == res.histogram.sum() == 3 * 300
    if noise.family != "none":
        assert res.transitions.sum() > 0          # the test crosses fields
        assert res.field_steps[-1] > 0             # and cells of no field


def test_invariants_step_norm_and_ball():
    """|X_{n+1} - X_n| <= b for every step, |X_n| <= R, and both bounds are reached."""
    b = 0.25
    res = _run(b=b, scale=50.0, steps=20_000, paths=4, trace_points=20_001)
    tr = res.trace
    steps = np.hypot(*np.diff(tr, axis=1).transpose(2, 0, 1))
    radius = np.hypot(tr[..., 0], tr[..., 1])
    assert steps.max() <= b * (1 + 1e-12)
    assert radius.max() <= R * (1 + 1e-12)
    assert (steps > b * (1 - 1e-9)).sum() > 100           # clipping happened
    assert (radius > R * (1 - 1e-12)).sum() > 10           # and the projection


def test_reproducible_under_seed_slicing_and_threads():
    full = _run(steps=3000, paths=5, trace_points=4000)
    again = _run(steps=3000, paths=5, trace_points=4000)
    np.testing.assert_array_equal(full.trace, again.trace)
    part = _run(steps=1000, paths=5, trace_points=4000)
    for chunk in (7, 1, 1992):
        part = _run(steps=chunk, paths=5, state=part.state)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        part = _run(steps=0, paths=5, state=part.state)
        one = _run(steps=3000, paths=5, trace_points=4000)
    finally:
        numba.set_num_threads(previous)
    for other in (part, one):
        assert other.steps_done == 3000
        np.testing.assert_array_equal(other.final, full.final)
        np.testing.assert_array_equal(other.trace, full.trace)
        np.testing.assert_array_equal(other.trace_fields, full.trace_fields)
        np.testing.assert_array_equal(other.histogram, full.histogram)
        np.testing.assert_array_equal(other.field_steps, full.field_steps)
        np.testing.assert_array_equal(other.near_steps, full.near_steps)
        np.testing.assert_array_equal(other.transitions, full.transitions)
    assert not np.array_equal(_run(steps=3000, paths=5, seed=8).final, full.final)


def test_state_of_another_run_is_refused():
    res = _run(steps=10)
    with pytest.raises(SimulationError, match="another run"):
        _run(steps=10, eta=0.02, state=res.state)


@pytest.mark.parametrize("bad,match", [
    ({"x0": (5.0, 0.0)}, "outside the ball"), ({"x0": (1.0,)}, "x0"),
    ({"paths": 0}, "paths"), ({"eta": -1}, "eta"), ({"family": "cauchy"}, "unknown noise"),
    ({"grad": (X * sp.Symbol("z"), Y)}, "only depend on x and y")])
def test_bad_input_is_a_clear_error(bad, match):
    with pytest.raises(SimulationError, match=match):
        _run(**bad)


def test_noise_matches_reference_and_is_isotropic():
    z = draw_plane_noise(Noise("pareto", 1.2, 0.75), 200_000, seed=3, paths=2)
    ref = naive.noise("pareto", 1.2, 0.75, 500, seed=3, path=1)
    np.testing.assert_allclose(z[1, :500], ref, rtol=1e-12)
    angle = np.arctan2(z[..., 1], z[..., 0]).ravel()
    n = angle.size
    # 16 equal sectors: chi-square with 15 degrees of freedom, 99.9 % quantile 37.7
    counts = np.histogram(angle, bins=16, range=(-np.pi, np.pi))[0]
    chi2 = ((counts - n / 16) ** 2 / (n / 16)).sum()
    assert chi2 < 37.7
    # first and second circular moments vanish: |mean| < 4 / sqrt(2 n) each (sd 1/sqrt(2n))
    for k in (1, 2):
        assert abs(np.cos(k * angle).mean()) < 4 / math.sqrt(2 * n)
        assert abs(np.sin(k * angle).mean()) < 4 / math.sqrt(2 * n)


@pytest.mark.parametrize("family,shift", [("pareto", 1.0), ("pareto1", 0.0)])
def test_noise_norm_has_the_pareto_tail(family, shift):
    """|Z| / scale = |W|: P(|W| > t) = (t + shift)^(-alpha) (Lomax: shift 1, Pareto I: 0);
    within 4 binomial standard deviations at fixed seed."""
    alpha, scale = 1.2, 0.75
    z = draw_plane_noise(Noise(family, alpha, scale), 400_000, seed=11)
    w = np.hypot(z[..., 0], z[..., 1]).ravel() / scale
    n = w.size
    if family == "pareto1":
        assert w.min() >= 1 - 1e-12
    for t in (1.5, 3.0, 10.0, 100.0, 1000.0):
        p = (t + shift) ** -alpha
        assert abs((w > t).mean() - p) < 4 * math.sqrt(p * (1 - p) / n), t


def test_gradient_descent_stays_in_its_field():
    """No noise: descent from near each minimum stays in that minimum's field
    (labels by descent from the cells) and ends near it."""
    grids = descent_grids()
    start = MINIMA + 0.3
    res = _run(grids, R=5.5, family="none", b=math.inf, x0=start, paths=4, steps=5000)
    np.testing.assert_array_equal(res.field_steps, [5000, 5000, 5000, 5000, 0])
    assert res.transitions.sum() == 0
    np.testing.assert_allclose(res.final, MINIMA, atol=1e-5)
    assert res.near_steps[:4].min() > 4900         # all but the first steps near the minimum
    np.testing.assert_array_equal(res.field_fraction, [0.25, 0.25, 0.25, 0.25, 0.0])


def test_a_gradient_that_is_not_finite_stops_the_path():
    res = _run(grad=(sp.log(X), sp.Integer(0)), family="none", x0=np.array(
        [(-0.5, 0.0), (0.5, 0.0)]), paths=2, steps=100)
    assert "not finite" in res.error and "path 1, step 1" in res.error
    np.testing.assert_array_equal(res.state.path_steps, [0, 100])
    assert np.isnan(res.trace[0, 1:]).all() and np.isfinite(res.trace[1]).all()
    assert res.field_steps.sum() == 100


def test_rim_cells_take_the_field_inside_the_ball():
    """A path pushed against the wall stays in its field: cells outside the ball
    count as the nearest cell inside it."""
    grids = quadrant_grids()
    res = _run(grids, grad=PUSH, family="none", b=math.inf,
               x0=(1.0, 1.0), paths=1, steps=2000)
    assert np.hypot(*res.final[0]) == pytest.approx(R)
    np.testing.assert_array_equal(res.field_steps, [2000, 0, 0, 0, 0])


# --- exit times ----------------------------------------------------------------------------

def _half_planes(n=201):
    """Field 0: x < 0, field 1: x >= 0 (cell centres), on [-1, 1]^2."""
    xs = np.linspace(-1, 1, n)
    labels = np.broadcast_to((xs >= 0).astype(np.int16)[None, :], (n, n)).copy()
    return PlaneGrids((-1, 1, -1, 1), labels, np.full((n, n), -1, np.int16))


@pytest.mark.parametrize("b,expected", [(math.inf, 50), (0.003, 234)])
def test_exit_time_of_a_constant_drift(b, expected):
    """f = -x - y, no noise: X moves by min(eta sqrt 2, b) a step along the diagonal from
    (-0.5013, -0.5); it leaves field 0 (x < 0) at the first step whose x is nearer a cell
    centre >= 0 (x >= -0.005)."""
    assert math.ceil((0.5013 - 0.005) / (min(0.01 * math.sqrt(2), b) / math.sqrt(2))) == expected
    steps, dest, cens = plane_exit_times(PUSH, _half_planes(),
                                         field=0, R=1.4, eta=0.01, b=b, family="none",
                                         x0=(-0.5013, -0.5), samples=3, seed=0, max_steps=10_000)
    np.testing.assert_array_equal(steps, [expected] * 3)
    np.testing.assert_array_equal(dest, [1, 1, 1])
    assert not cens.any()


def test_exit_time_is_geometric_when_each_step_restarts():
    """f = |X|^2 / (2 eta): X_{n+1} = eta Z_n, i.i.d., so the exit from the disc |X| < r0
    is geometric with p = P(eta scale |W| > r0) = (1 + r0 / (eta scale))^(-alpha)
    (Lomax |W|). Mean 1 / p, within 5 standard errors (plus the grid's half-cell)."""
    eta, scale, alpha, r0, Rb, n = 0.01, 10.0, 1.2, 1.0, 3.0, 601
    xs = np.linspace(-Rb, Rb, n)
    inside = np.hypot(xs[None, :], xs[:, None]) < r0
    grids = PlaneGrids((-Rb, Rb, -Rb, Rb), np.where(inside, 0, 1).astype(np.int16),
                       np.full((n, n), -1, np.int16))
    samples = 4000
    res = plane_exit_times((X / eta, Y / eta), grids, field=0, R=Rb, eta=eta, b=math.inf,
                           family="pareto", alpha=alpha, scale=scale, x0=(0.2, 0.0),
                           samples=samples, seed=5, max_steps=100_000)
    steps, dest, cens = res
    assert not cens.any() and (dest == 1).all()
    p = (1 + r0 / (eta * scale)) ** -alpha
    se = math.sqrt(1 - p) / p / math.sqrt(samples)
    half_cell = 1 / p * alpha * (Rb / (n - 1)) / (eta * scale + r0)   # |d(1/p)/d r0| dx / 2
    assert abs(steps.mean() - 1 / p) < 5 * se + half_cell
    # the geometric law: P(exit at step 1) = p
    assert abs((steps == 1).mean() - p) < 5 * math.sqrt(p * (1 - p) / samples)


def test_exit_start_in_another_field_is_refused():
    with pytest.raises(SimulationError, match="not in field 1"):
        plane_exit_times(PUSH, _half_planes(), field=0, R=1.4,
                         eta=0.01, b=1, family="none", x0=(0.5, 0.0), samples=1, max_steps=10)


# --- command line ---------------------------------------------------------------------------

CLI_HIMMELBLAU = ["--expr", "((x^2+y-11)^2+(x+y^2-7)^2)/10", "--R", "4.2", "--eta", "5e-4",
                  "--b", "2.15", "--alpha", "1.2", "--scale", "0.75"]


def test_cli_run_in_the_plane(capsys):
    import json

    from simulate.cli import main

    assert main(["run", *CLI_HIMMELBLAU, "--x0", "2.9,1.0", "--steps", "20000", "--paths", "3",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == 20000 and out["paths"] == 3 and out["steps_per_second"] > 0
    assert len(out["field_fraction"]) == len(out["near_fraction"]) >= 3
    assert sum(out["field_fraction"]) + out["no_field_fraction"] == pytest.approx(1)
    assert sum(out["near_fraction"]) + out["out_fraction"] == pytest.approx(1)
    # the start (2.9, 1.0) lies in the field of the minimum (3, 2): most time is spent there
    assert max(out["field_fraction"]) > 0.5


@pytest.mark.parametrize("x0,match", [("2.9", "two numbers"), ("1,2,3", "X or X,Y"),
                                      ("5,0", "outside the ball")])
def test_cli_plane_bad_start_exits_2(capsys, x0, match):
    from simulate.cli import main

    assert main(["run", *CLI_HIMMELBLAU, "--x0", x0, "--steps", "10"]) == 2
    assert match in capsys.readouterr().err

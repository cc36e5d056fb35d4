"""The lattice of the 2-D table's cells (simulate.plane_lattice): an axis-parallel jump of
grad f on the cells' edges, so that the cells beside it tabulate."""

import numpy as np
import sympy as sp

from simulate import config
from simulate._kernels_plane_table import table_values_kernel
from simulate.plane_cells import Exact, tabulate
from simulate.plane_gradient import X, Y, as_plane_gradient
from simulate.plane_lattice import Lattice
from simulate.plane_table import build_plane_table
from tests.simulate.test_plane_table import TOL, _cell_max


def test_a_jump_of_grad_f_along_axis_lines_lies_on_cell_edges():
    """f = x^2 + y^2 + (1 + y^2/4) |x - 0.37| + (1 + x^2/3) |y + 0.61|: grad f jumps across
    x = 0.37 and y = -0.61. On the plain lattice of [-R, R]^2 the cells those lines cross are
    exact; on the table's lattice (``Lattice``: shifted per axis, one more cell) both lines
    are edges and no cell is exact; at points 1e-12 to 1e-2 from the lines, on both sides,
    the table is within the stated tolerance of grad f; on a line itself the kernels and
    ``PlaneTable`` take the formula's own value."""
    f = X**2 + Y**2 + (1 + Y**2 / 4) * sp.Abs(X - 0.37) + (1 + X**2 / 3) * sp.Abs(Y + 0.61)
    grad = as_plane_gradient((sp.diff(f, X), sp.diff(f, Y)))
    radius, n = 2.0, config.PLANE_TABLE_CELLS[0]
    plain = Lattice.around(radius, n)
    exact_plain = tabulate(Exact(grad), plain, *plain.cells_in_ball(radius))[2]
    assert exact_plain.sum() >= n                    # both lines, across the ball
    table = build_plane_table(grad, radius, n)
    assert table.usable and table.exact_cells == 0 and table.cells == n
    assert table.index.shape == (n + 1, n + 1)
    assert (table.edges[0] == 0.37).any() and (table.edges[1] == -0.61).any()
    assert table.edges[0, 0] <= -radius and table.edges[0, -1] >= radius
    rng = np.random.default_rng(2)
    d = rng.choice([-1.0, 1.0], 4000) * 10.0 ** rng.uniform(-12, -2, 4000)
    along = rng.uniform(-1.5, 1.5, 4000)
    x = np.concatenate([0.37 + d[:2000], along[2000:]])
    y = np.concatenate([along[:2000], -0.61 + d[2000:]])
    tx, ty = table(x, y)
    assert np.isfinite(tx).all()
    ex, ey = grad(x, y)
    err = np.hypot(tx - ex, ty - ey)
    scale = _cell_max(grad, table, x, y)
    assert (err <= TOL * scale).all(), f"worst {np.max(err / scale):.2e}"
    on_x, on_y = np.array([0.37, 0.37, 0.2]), np.array([0.5, -0.61, -0.61])
    out = np.empty((3, 4))
    table_values_kernel(on_x, on_y, out, *table.kernel_args(), grad.exact_cfunc())
    np.testing.assert_allclose(out[:, :2].T, grad(on_x, on_y), rtol=1e-12, atol=1e-12)
    assert np.isnan(table(on_x, on_y)[0]).all()


def test_the_plain_lattice_is_unchanged_and_a_shifted_one_covers_the_square():
    """Without a line the edges are -R + j 2R/n, j = 0 .. n, as before the shift existed
    (tables of formulas without an axis-parallel switch line are unchanged); with a line
    on an axis, that axis' edges hold it exactly, keep the side 2R/n, and both axes have
    n + 1 cells covering [-R, R]; the fine lattice of a refined cell keeps the line too."""
    R, n = 4.2, 64
    plain = Lattice.around(R, n)
    np.testing.assert_array_equal(plain.edges(0), -R + (2.0 * R / n) * np.arange(n + 1))
    np.testing.assert_array_equal(plain.edges(1), plain.edges(0))
    for a in (-0.5, 0.0, 1e-3, 4.19, -4.19, -R + 2.0 * R / n):
        lat = Lattice.around(R, n, (a, None))
        for edges in (lat.edges(0), lat.refined(8).edges(0)):
            assert (edges == a).sum() == 1
            assert edges[0] <= -R and edges[-1] >= R
            np.testing.assert_allclose(np.diff(edges), 2.0 * R / n / (edges.size - 1) * lat.count,
                                       rtol=1e-9)
        assert lat.count == n + 1 and lat.refined(8).count == 8 * (n + 1)
        np.testing.assert_array_equal(lat.edges(1), -R + (2.0 * R / n) * np.arange(n + 2))

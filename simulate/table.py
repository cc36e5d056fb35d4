"""f' tabulated on [-L, L] and interpolated in the kernels (cubic Hermite).

The kernels' step costs ~8 ns without f'; an f' like the paper's appendix
formula (nine factors, ``|u|**0.6``, ``exp``, two quotients) costs ~29 ns of
scalar code on top, and the numba wheels have no vector maths library
(SVML) to evaluate it for several paths at once. A table makes any smooth
f' cost what a polynomial costs:

* nodes y_j = -L + j h, j = 0..N (N cells, h = 2L / N), f'(y_j) and
  f''(y_j) from the formula's vectorised NumPy functions (SymPy's
  ``lambdify``);
* on each cell the cubic Hermite interpolant of those values and slopes
  (C^1 across cells), stored in powers of s = (x - centre) / h in
  [-1/2, 1/2]: g = (a0 + a1 s) + s^2 (a2 + a3 s), the same 4 multiply-adds
  as the kernels' polynomial path; the cell comes from one multiply-add and
  a rounding (no division, no branch);
* **checked when built**: the interpolant is compared with the exact f' at
  the quarter points and the midpoint of every cell (where a cubic Hermite
  error is largest) and at the landscape's kinks; the table is *usable* only
  if the largest error is at most ``config.TABLE_TOLERANCE`` times max |f'|
  on the nodes (the interpolation error is h^4/384 max |f^(5)| for a smooth f,
  so the finer grid of ``config.TABLE_CELLS`` is tried when the coarse one
  misses by less than the factor 16 per halving of h). A kink of f' inside
  [-L, L], a pole or a NaN fails the check and the kernels keep the exact f'.

A tabulated run uses the same random streams as an exact one, so the two agree
to the interpolation error until a path passes near a local maximum, where any
difference grows (tested: ``tests/test_simulate_table.py``).

Tables are cached in the process and on disk (``<cache>/gradients/t_*.npz``),
keyed by the gradient's key, L, N and the check points, so a run is
reproducible under a seed.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass

import numpy as np
import sympy

from . import config

#: bump when the table layout or the check changes
_TABLE_VERSION = "1"
#: rows of the kernel array before the cells: (1/h, L/h - 1/2, L/h - 1/2 + 1.5 * 2**52, 0)
HEADER_ROWS = 1
#: 1.5 * 2**52: adding it rounds a double of magnitude < 2**51 to an integer
ROUND_MAGIC = 6755399441055744.0
#: kernel path code of the tabulated f' (``simulate._kernels._grad``)
TABLE_MODE = 3


@dataclass(frozen=True, eq=False)
class GradientTable:
    """f' on [-L, L] as cubic Hermite pieces, with its measured error.

    Attributes
    ----------
    L : float
        Half-width of the tabulated interval [-L, L].
    cells : int
        Number of cells N (nodes: N + 1); odd, so that L/h - 1/2 = (N - 1)/2
        is an integer and adding 1.5 * 2**52 to it is exact.
    coefficients : numpy.ndarray
        What the kernels receive (``kernel_coefficients``): a header row
        (1/h, L/h - 1/2, L/h - 1/2 + 1.5 * 2**52, 0), then (a0, a1, a2, a3) of the cells k = -1..N
        flattened; cells -1 and N are cells 0 and N - 1 re-expanded one cell
        further (so x = +-L needs no branch).
    max_error : float
        Largest |table - f'| at the check points (inf if f' or f'' is not
        finite on a node).
    scale : float
        max |f'| on the nodes (the error is relative to it).
    checked_points : int
        How many points the error was measured at.
    reason : str or None
        Why the table is not usable (None if it is).
    """

    L: float
    cells: int
    coefficients: np.ndarray
    max_error: float
    scale: float
    checked_points: int
    reason: str | None = None

    @property
    def relative_error(self) -> float:
        """max_error / max |f'| (inf if not finite)."""
        if not math.isfinite(self.max_error) or self.scale <= 0:
            return 0.0 if self.max_error == 0 else math.inf
        return self.max_error / self.scale

    @property
    def usable(self) -> bool:
        """True if the kernels may use the table (error within ``config.TABLE_TOLERANCE``)."""
        return self.reason is None and self.relative_error <= config.TABLE_TOLERANCE

    def describe(self) -> str:
        """One line for a caption: which f' and how exact."""
        if self.usable:
            return (f"f' tabulated (cubic Hermite, {self.cells:,} cells on [-{self.L:g}, {self.L:g}]): "
                    f"max error {self.relative_error:.1e} x max|f'| at {self.checked_points:,} "
                    f"check points (tolerance {config.TABLE_TOLERANCE:.0e})")
        why = self.reason or (f"error {self.relative_error:.1e} x max|f'| > "
                              f"{config.TABLE_TOLERANCE:.0e}")
        return f"f' exact (compiled formula): no table ({why})"

    def __call__(self, x) -> np.ndarray:
        """The tabulated f' at x (NumPy; the kernels compute the same up to rounding)."""
        x = np.asarray(x, dtype=float)
        c = self.coefficients.reshape(-1, 4)
        w = x * c[0, 0] + c[0, 1]
        k = np.clip(np.rint(w), -1, self.cells).astype(np.int64)
        s = w - k
        a = c[k + 1 + HEADER_ROWS]
        return (a[..., 0] + a[..., 1] * s) + s * s * (a[..., 2] + a[..., 3] * s)


def cell_coefficients(g: np.ndarray, d: np.ndarray, h: float) -> np.ndarray:
    """(N + 2, 4) powers-of-s coefficients of the cubic Hermite pieces.

    Cell k joins nodes k and k + 1 (values g, f'' values d); s in [-1/2, 1/2]
    from its left to its right end. Rows: cell -1 (cell 0 shifted by one
    cell), cells 0..N-1, cell N (cell N - 1 shifted by one).
    """
    g0, g1 = g[:-1], g[1:]
    d0, d1 = h * d[:-1], h * d[1:]            # slopes per unit of s
    a = np.empty((len(g0) + 2, 4))
    core = a[1:-1]
    core[:, 0] = 0.5 * (g0 + g1) + 0.125 * (d0 - d1)
    core[:, 1] = 1.5 * (g1 - g0) - 0.25 * (d0 + d1)
    core[:, 2] = 0.5 * (d1 - d0)
    core[:, 3] = 2.0 * (g0 - g1) + d0 + d1
    a0, a1, a2, a3 = core[0]                   # p_0(s - 1): cell -1
    a[0] = (a0 - a1 + a2 - a3, a1 - 2 * a2 + 3 * a3, a2 - 3 * a3, a3)
    a0, a1, a2, a3 = core[-1]                  # p_{N-1}(s + 1): cell N
    a[-1] = (a0 + a1 + a2 + a3, a1 + 2 * a2 + 3 * a3, a2 + 3 * a3, a3)
    return a


def build_table(df, d2f, L: float, cells: int, kinks=()) -> GradientTable:
    """Tabulate f' on [-L, L] with ``cells`` cells and measure the error.

    Parameters
    ----------
    df, d2f : callable
        Vectorised f' and f'' (NumPy arrays in and out).
    L : float
    cells : int
    kinks : sequence of float
        Points of [-L, L] where f' or f'' may not be smooth; checked too.
    """
    L = float(L)
    h = 2.0 * L / cells
    nodes = -L + h * np.arange(cells + 1)
    nodes[-1] = L
    with np.errstate(all="ignore"):
        g = _values(df, nodes)
        d = _values(d2f, nodes)
    if not (np.all(np.isfinite(g)) and np.all(np.isfinite(d))):
        bad = nodes[~(np.isfinite(g) & np.isfinite(d))][0]
        return GradientTable(L, cells, np.zeros(4), math.inf, math.inf, 0,
                             f"f' or f'' is not finite at x = {bad:.6g}")
    if cells % 2 == 0:
        raise ValueError("the number of cells must be odd")
    off = (cells - 1) // 2                     # = L/h - 1/2
    header = np.array([[1.0 / h, float(off), off + ROUND_MAGIC, 0.0]])
    table = GradientTable(L, cells, np.concatenate((header, cell_coefficients(g, d, h))).ravel(),
                          0.0, float(np.abs(g).max()), 0)
    quarter = np.array([0.25, 0.5, 0.75])
    checks = (nodes[:-1, None] + h * quarter).ravel()
    k = np.asarray([v for v in kinks if -L <= v <= L], dtype=float)
    eps = 1e-9 * L
    checks = np.concatenate((checks, k, np.clip(k - eps, -L, L), np.clip(k + eps, -L, L)))
    with np.errstate(all="ignore"):
        exact = _values(df, checks)
        err = np.abs(table(checks) - exact)
    max_err = float(err.max()) if np.all(np.isfinite(err)) else math.inf
    reason = None
    if not math.isfinite(max_err):
        reason = f"f' is not finite at x = {checks[~np.isfinite(err)][0]:.6g}"
    return GradientTable(L, cells, table.coefficients, max_err, table.scale, checks.size, reason)


def _values(fn, x: np.ndarray) -> np.ndarray:
    out = np.asarray(fn(x), dtype=float)
    return np.broadcast_to(out, x.shape).astype(float) if out.shape != x.shape else out


_TABLES: dict[str, GradientTable] = {}
_TABLES_LOCK = threading.Lock()


def second_derivative(gradient):
    """Vectorised NumPy f'' of a :class:`~simulate.gradient.Gradient` (its f' differentiated
    by SymPy; the Dirac part of a kink dropped, as for f')."""
    x = gradient.symbol
    d2 = sympy.diff(gradient.expr, x)
    d2 = d2.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)
    fn = sympy.lambdify(x, d2, "numpy", cse=True)
    return lambda v: fn(v)


def gradient_table(gradient, L: float, kinks=()) -> GradientTable:
    """The table of a non-polynomial gradient on [-L, L] (usable or with the reason not).

    Tries the grids of ``config.TABLE_CELLS`` from coarse to fine; a finer one
    only when the coarser misses the tolerance by less than its refinement
    can gain (h^4). Cached in the process and in ``<cache>/gradients``.
    """
    kinks = tuple(sorted(float(v) for v in kinks))
    ident = f"{_TABLE_VERSION}|{gradient.key}|{float(L)!r}|{config.TABLE_CELLS}|{kinks!r}"
    key = hashlib.sha256(ident.encode()).hexdigest()[:24]
    with _TABLES_LOCK:
        hit = _TABLES.get(key)
    if hit is not None:
        return hit
    path = config.cache_dir() / "gradients" / f"t_{key}.npz"
    table = _load(path)
    if table is None:
        table = _build_best(gradient, float(L), kinks)
        _save(path, table)
    with _TABLES_LOCK:
        return _TABLES.setdefault(key, table)


def _build_best(gradient, L: float, kinks) -> GradientTable:
    try:
        d2f = second_derivative(gradient)
    except Exception as exc:  # noqa: BLE001 - any SymPy failure: no table, exact f'
        return GradientTable(L, 0, np.zeros(4), math.inf, math.inf, 0,
                             f"f'' could not be built: {type(exc).__name__}")
    table = None
    for cells in config.TABLE_CELLS:
        if table is not None:
            gain = (cells / table.cells) ** 4
            if table.reason is not None or table.relative_error > gain * config.TABLE_TOLERANCE:
                break
        table = build_table(gradient, d2f, L, cells, kinks)
        if table.usable:
            break
    return table


def _load(path) -> GradientTable | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            reason = str(z["reason"])
            return GradientTable(float(z["L"]), int(z["cells"]), z["coefficients"].copy(),
                                 float(z["max_error"]), float(z["scale"]),
                                 int(z["checked_points"]), reason or None)
    except (OSError, KeyError, ValueError):
        return None


def _save(path, t: GradientTable) -> None:
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, L=t.L, cells=t.cells, coefficients=t.coefficients,
                     max_error=t.max_error, scale=t.scale, checked_points=t.checked_points,
                     reason=t.reason or "")
        os.replace(tmp, path)
    except OSError:
        pass        # no disk cache: the table is rebuilt next time


@dataclass(frozen=True, eq=False)
class GradientChoice:
    """Which f' the kernels of one run use, fixed when the run is made.

    Attributes
    ----------
    gradient : Gradient
    table : GradientTable or None
        The table tried for a non-polynomial f' (None: polynomial, or
        ``tabulate=False``); used only if ``table.usable``.
    """

    gradient: object
    table: GradientTable | None

    @property
    def tabulated(self) -> bool:
        return self.table is not None and self.table.usable

    @property
    def method(self) -> str:
        """``"polynomial"``, ``"tabulated"``, or the exact path now in use:
        ``"generic"`` (cfunc call) or ``"specialised"``."""
        return "tabulated" if self.tabulated else self.gradient.kernel_path

    @property
    def note(self) -> str:
        """One line for a caption or a JSON: which f' the kernels use and how exact."""
        if self.gradient.is_polynomial:
            return "f' exact (polynomial, evaluated from its coefficients)"
        if self.table is None:
            return f"f' exact (compiled formula, {self.gradient.kernel_path} kernels)"
        if self.tabulated:
            return self.table.describe()
        return self.table.describe() + f", {self.gradient.kernel_path} kernels"

    def args(self) -> tuple:
        """(fn, coef, mode): the kernels' first three arguments."""
        g = self.gradient
        if self.tabulated:
            return g.kernel_function_placeholder, self.table.coefficients, TABLE_MODE
        return g.kernel_function, g.kernel_coefficients, g.kernel_mode

    def kernels(self, work: int = 0):
        """The kernel module to call now: the generic one for a table (it has the
        table path built in, nothing to compile), else ``gradient.kernels(work)``."""
        if self.tabulated:
            from . import _kernels

            return _kernels
        return self.gradient.kernels(work)


def choose_gradient(gradient, L: float, *, tabulate: bool = True, kinks=()) -> GradientChoice:
    """The f' a run on [-L, L] uses: the table if ``tabulate`` and it passes its check,
    else the exact f' (polynomial coefficients, or the compiled formula)."""
    if gradient.is_polynomial or not tabulate:
        return GradientChoice(gradient, None)
    return GradientChoice(gradient, gradient_table(gradient, L, kinks))


def kinks_of(land, L: float) -> tuple[float, ...]:
    """The landscape's kinks in [-L, L] if it can tell (``Landscape.kinks``), else ()."""
    fn = getattr(land, "kinks", None)
    if not callable(fn):
        return ()
    try:
        return tuple(float(v) for v in fn(L))
    except Exception:  # noqa: BLE001 - a landscape that cannot tell: the dense check stays
        return ()

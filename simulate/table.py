"""f' tabulated on [-L, L] as degree-7 pieces, and the kernels' use of it.

The kernels' step costs ~8 ns without f'; an f' like the paper's appendix
formula (nine factors, ``|u|**0.6``, ``exp``, two quotients) costs ~29 ns of
scalar code on top, and the numba wheels have no vector maths library (SVML)
to evaluate it for several paths at once. A table makes any smooth f' cost
what a polynomial costs:

* [-L, L] is cut into N equal pieces; on each, f' (the formula's compiled
  ``cfunc``, the exact path's own code) is interpolated at the 8 Chebyshev
  points by a polynomial of degree 7 (near-minimax, no f'' needed),
  stored in powers of t = x - (centre of the piece), highest first: the
  kernels evaluate it with the very Estrin scheme of the polynomial path;
* the kernels keep the piece a path is in (its coefficients' offset, bounds
  and centre) and look a piece up only when the iterate leaves it (a
  predictable branch, like the field check), so the coefficient loads never
  wait for x and a step costs what a degree-7 polynomial costs. The value at x
  is always that of the piece holding x (B[j] <= x < B[j + 1]): it depends
  on x only, not on the path's history or on how a run is chunked;
* **checked when built**: the pieces are compared with the exact f' at 33
  equally spaced points of every piece (both ends included) and at the
  landscape's kinks; the table is *usable* only if the largest error is at
  most ``config.TABLE_TOLERANCE`` times the largest |f'| on the piece (at
  most that times max |f'| on [-L, L], and safe near a pole). N is the
  first of ``config.TABLE_CELLS`` that passes. A kink of f' inside [-L, L],
  a pole or a NaN fails the check, and the kernels keep the exact f'.

A tabulated run uses the same random streams as an exact one, so the two
agree to the interpolation error until a path passes near a local maximum,
where any difference grows (tested: ``tests/simulate/test_simulate_table.py``).

Tables are cached in the process and on disk (``<cache>/gradients/t_*.npz``),
keyed by the gradient's key, L, the cell counts and the kinks, so a run is
reproducible under a seed.
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.polynomial import chebyshev

from . import (
    _jit,  # noqa: F401  (numba cache location)
    config,
)

#: bump when the table layout or the check changes
_TABLE_VERSION = "5"
#: kernel path code of the tabulated f' (``simulate._kernel_steps.gradient_at``)
TABLE_MODE = 3
#: degree of the pieces (the kernels' Estrin scheme takes 8 coefficients)
DEGREE = 7
#: equally spaced check points per piece, both ends included
CHECKS_PER_CELL = 33


@dataclass(kw_only=True, frozen=True, eq=False)
class GradientTable:
    """f' on [-L, L] as polynomial pieces of degree 7, with its measured error.

    Attributes
    ----------
    L : float
        Half-width of the tabulated interval [-L, L].
    cells : int
        Number of pieces N.
    coefficients : numpy.ndarray
        What the kernels receive: ``[1/h, L, N, first, B_0 .. B_N, pad, pieces]``
        with h = 2L/N, B the piece bounds (B_0 = -L, B_N = L), and from index
        ``first`` (a multiple of 8) the 8 coefficients of each piece, highest
        power of t = x - centre first.
    max_error : float
        Largest |table - f'| at the check points (inf if f' is not finite there).
    scale : float
        max |f'| at the check points.
    relative_error : float
        The largest, over the pieces, of the piece's largest error divided by
        the largest |f'| on that piece: at most the error relative to max |f'|
        on [-L, L] (the brief's measure), and not fooled by a pole, whose huge
        |f'| would make any error look small next to max |f'|.
    checked_points : int
        How many points the error was measured at.
    reason : str or None
        Why the table is not usable beyond its error (None if it is).
    """

    L: float
    cells: int
    coefficients: np.ndarray
    max_error: float
    scale: float
    relative_error: float
    checked_points: int
    reason: str | None = None

    @property
    def usable(self) -> bool:
        """True if the kernels may use the table (error within ``config.TABLE_TOLERANCE``)."""
        return self.reason is None and self.relative_error <= config.TABLE_TOLERANCE

    def describe(self) -> str:
        """One line for a caption: which f' and how exact."""
        if self.usable:
            return (f"f' tabulated ({self.cells:,} pieces of degree {DEGREE} on "
                    f"[-{self.L:g}, {self.L:g}]): max error {self.relative_error:.1e} x max|f'| "
                    f"of its piece at {self.checked_points:,} check points "
                    f"(tolerance {config.TABLE_TOLERANCE:.0e})")
        why = self.reason or (f"best table error {self.relative_error:.1e} x max|f'| on a "
                              f"piece > {config.TABLE_TOLERANCE:.0e}")
        return f"f' exact (compiled formula): no table ({why})"

    @property
    def bounds(self) -> np.ndarray:
        """The piece bounds B_0 = -L < ... < B_N = L."""
        return self.coefficients[4:5 + self.cells]

    def __call__(self, x) -> np.ndarray:
        """The tabulated f' at x (NumPy, the kernels' formula; equal up to rounding)."""
        x = np.asarray(x, dtype=float)
        b = self.bounds
        j = np.clip(np.searchsorted(b, x, side="right") - 1, 0, self.cells - 1)
        first = int(self.coefficients[3])
        c = self.coefficients[first:].reshape(-1, DEGREE + 1)[j]
        return _estrin8(c, x - 0.5 * (b[j] + b[j + 1]))


def _estrin8(c: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The kernels' ``_estrin8`` on rows of coefficients c (..., 8), highest first."""
    t2 = t * t
    t4 = t2 * t2
    lo = (c[..., 7] + c[..., 6] * t) + (c[..., 5] + c[..., 4] * t) * t2
    hi = (c[..., 3] + c[..., 2] * t) + (c[..., 1] + c[..., 0] * t) * t2
    return lo + hi * t4


def _cheb_to_power() -> np.ndarray:
    """(8, 8) matrix: row k = power-basis coefficients (lowest first) of T_k."""
    m = np.zeros((DEGREE + 1, DEGREE + 1))
    for k in range(DEGREE + 1):
        p = chebyshev.cheb2poly(np.eye(DEGREE + 1)[k])
        m[k, :len(p)] = p
    return m


def build_table(df, L: float, cells: int, kinks=()) -> GradientTable:
    """Tabulate f' on [-L, L] with ``cells`` pieces and measure the error.

    Parameters
    ----------
    df : callable
        Vectorised f' (NumPy arrays in and out).
    L : float
    cells : int
    kinks : sequence of float
        Points of [-L, L] where f' may not be smooth; checked too.
    """
    L = float(L)
    h = 2.0 * L / cells
    b = -L + h * np.arange(cells + 1)
    b[-1] = L
    centre = 0.5 * (b[:-1] + b[1:])
    radius = 0.5 * (b[1:] - b[:-1])
    nodes = np.cos(np.pi * (np.arange(DEGREE + 1) + 0.5) / (DEGREE + 1))
    with np.errstate(all="ignore"):
        values = _values(df, (centre[:, None] + radius[:, None] * nodes).ravel())
    if not np.all(np.isfinite(values)):
        return GradientTable(L=L, cells=cells, coefficients=np.zeros(8), max_error=math.inf,
                             scale=math.inf, relative_error=math.inf, checked_points=0,
                             reason="f' is not finite everywhere on [-L, L]")
    cheb = np.linalg.solve(chebyshev.chebvander(nodes, DEGREE), values.reshape(cells, -1).T).T
    power = (cheb @ _cheb_to_power()) / radius[:, None] ** np.arange(DEGREE + 1)
    first = 8 * ((5 + cells + 7) // 8)
    out = np.zeros(first + 8 * cells)
    out[:4] = (1.0 / h, L, cells, first)
    out[4:5 + cells] = b
    out[first:] = power[:, ::-1].ravel()
    table = GradientTable(L=L, cells=cells, coefficients=out, max_error=0.0, scale=0.0,
                          relative_error=0.0, checked_points=0)

    u = np.linspace(-1.0, 1.0, CHECKS_PER_CELL)
    checks = (centre[:, None] + radius[:, None] * u).ravel()
    k = np.asarray([v for v in kinks if -L <= v <= L], dtype=float)
    eps = 1e-9 * L
    checks = np.clip(np.concatenate((checks, k, k - eps, k + eps)), -L, L)
    with np.errstate(all="ignore"):
        exact = _values(df, checks)
        err = np.abs(table(checks) - exact)
    if not np.all(np.isfinite(err)):
        bad = checks[~np.isfinite(err)][0]
        return GradientTable(L=L, cells=cells, coefficients=out, max_error=math.inf,
                             scale=math.inf, relative_error=math.inf, checked_points=checks.size,
                             reason=f"f' is not finite at x = {bad:.6g}")
    piece = np.clip(np.searchsorted(b, checks, side="right") - 1, 0, cells - 1)
    piece_err = np.zeros(cells)
    piece_scale = np.zeros(cells)
    np.maximum.at(piece_err, piece, err)
    np.maximum.at(piece_scale, piece, np.abs(exact))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(piece_err == 0, 0.0, piece_err / piece_scale)
    return GradientTable(L=L, cells=cells, coefficients=out, max_error=float(err.max()),
                         scale=float(np.abs(exact).max()),
                         relative_error=float(np.nan_to_num(ratio, nan=math.inf).max()),
                         checked_points=checks.size)


def _values(fn, x: np.ndarray) -> np.ndarray:
    out = np.asarray(fn(x), dtype=float)
    return np.broadcast_to(out, x.shape).astype(float) if out.shape != x.shape else out


_TABLES: dict[str, GradientTable] = {}
_TABLES_LOCK = threading.Lock()


def gradient_table(gradient, L: float, kinks=()) -> GradientTable:
    """The table of a non-polynomial gradient on [-L, L] (usable or with the reason not).

    Tries the piece counts of ``config.TABLE_CELLS`` from coarse to fine and
    keeps the first that passes; stops early (table not usable) when halving
    the pieces twice running does not cut the error by 8 (a kink or a jump of f',
    where no table of smooth pieces converges). Cached in the process and in
    ``<cache>/gradients``.
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


@njit(cache=True, error_model="numpy")
def _evaluate(fn, x, out):
    for i in range(x.shape[0]):
        out[i] = fn(x[i])


def compiled_values(gradient):
    """Vectorised f' by the gradient's compiled ``cfunc``: the very code of the
    exact kernel path (so the check compares the table with what an exact run
    computes), and faster to get than SymPy's ``lambdify`` of a large f'."""
    fn = gradient.cfunc

    def values(x):
        x = np.ascontiguousarray(x, dtype=float)
        out = np.empty_like(x)
        _evaluate(fn, x.ravel(), out.ravel())
        return out
    return values


def _build_best(gradient, L: float, kinks) -> GradientTable:
    table = None
    df = compiled_values(gradient)
    slow = 0
    for cells in config.TABLE_CELLS:
        coarser = table
        table = build_table(df, L, cells, kinks)
        if table.usable or table.reason is not None:      # fine enough, or hopeless
            break
        if coarser is not None and table.relative_error > coarser.relative_error / 8:
            slow += 1
            if slow == 2:  # a smooth f' gains ~2^8 a halving once resolved: a kink or a jump
                break
        else:
            slow = 0
    return table


def _load(path) -> GradientTable | None:
    try:
        with np.load(path, allow_pickle=False) as z:
            reason = str(z["reason"])
            return GradientTable(L=float(z["L"]), cells=int(z["cells"]),
                                 coefficients=z["coefficients"].copy(),
                                 max_error=float(z["max_error"]), scale=float(z["scale"]),
                                 relative_error=float(z["relative_error"]),
                                 checked_points=int(z["checked_points"]), reason=reason or None)
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
                     max_error=t.max_error, scale=t.scale, relative_error=t.relative_error,
                     checked_points=t.checked_points,
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

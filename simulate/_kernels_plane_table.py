"""The 2-D kernels with grad f from a table (``simulate.plane_table``): compiled once.

``run_table_kernel`` and ``exit_table_kernel`` are the per-formula templates of
``simulate._kernels_plane`` (same steps, noise streams and bookkeeping) with the
line ``gx, gy = grad(x, y)`` written out as a table lookup (:func:`table_kernels_text`:
generated text, one module in the cache folder, compiled once per machine); only
grad f differs:

* the square [-R, R]^2 is cut into cells of side h (edges ``tedge`` per axis,
  shifted to put a switch line of grad f on an edge, see ``simulate.plane_lattice``;
  a point on that line, ``tgeo[4:6]``, is evaluated exactly); ``tix[row, col]`` is the
  offset (in blocks of 32) of the cell's coefficients in ``tco`` plus its mode
  << ``MODE_SHIFT``, or -1 for an *exact* cell (one the table's check refused,
  or that a kink, jump or singularity of grad f may cross);
* a tabulated cell holds two bicubic polynomials (df/dx, df/dy) in
  t = x - c_x, s = y - c_y (c the cell's centre): ``tco[k, 8 i + 2 m + d]``
  is the coefficient of t^i s^j, j = (0, 2, 1, 3)[m], of component d
  (0: df/dx, 1: df/dy): the layout of ``cell_grad_simd`` (five vector
  multiply-adds for both components, used by the run kernel, which steps two
  paths in lockstep and so is bound by its instruction count); ``cell_grad``
  does the same operations in scalars (the exit kernel steps one path at a
  time, bound by the latency of a step, where the scalar form is shorter);
  both give the same numbers;
* ``tix[row, col] = -2 - r`` (r >= 0): the cell is refined, cut into m x m fine cells
  whose entries are ``tsub[r]`` (as ``tix``'s) with their edges and centres in ``tfine``;
* a cell of mode 1 (2) takes t (s) in the kink coordinate of the x (y) axis' kink
  line v = a: sign(v - a) |v - a|^q (``kink_offset``, parameters in ``tk``; see
  ``simulate.plane_cells``), less the cell's centre in that coordinate;
* an exact cell calls ``fn(x, y, out)``, the formula's compiled ``cfunc``
  (the very ``grad`` the specialised kernels inline), through a first-class
  function type: one compiled kernel serves every formula. A table whose
  every cell is exact (n = 1, ``tix = [[-1]]``) is the exact generic path.

Each path keeps its current cell (index, block, centre, mode) and looks a cell up
only when the iterate leaves it (a predictable branch), so the coefficient
loads do not wait for X. The step first tries a one-branch check
(``max((x - m_x)^2, (y - m_y)^2) < w2``, see ``locate_cell``); the four edge
compares run only when it fails. The value at X depends on X only (the cell j with
edges[j] <= X < edges[j + 1] in each axis, clamped), not on the path's
history or chunking.
"""
from __future__ import annotations

import ast
import hashlib
import math
import re
from pathlib import Path

import numba
import numpy as np
from numba import cfunc, njit, prange, types

from . import _kernels_plane, config
from ._cell_poly import BLOCK_SIZE, cell_grad, cell_grad_simd
from ._generated import load_generated
from ._jit import JIT, ONE_BITS, f64_as_i64, f64_data_pointer, i64_as_f64

_INF = np.inf  # a global the generated table kernels read (numba freezes it)



#: a cell's mode sits in bits 28, 29 of ``tix`` (1: x, 2: y in the kink coordinate)
MODE_SHIFT = 28
_BLOCK_MASK = (1 << MODE_SHIFT) - 1
#: ``tk[axis]``: a (15 unused), then 2^(q (e - 1023)) for e < 2048 (from ``KINK_T``), then
#: the secant A_j + B_j m of m^q on each of 2^KINK_BITS segments of [1, 2) (from ``KINK_J``,
#: A_j, B_j interleaved): see ``kink_offset`` (tables on disk hold it: ``KINK_WIDTH`` is
#: part of their key)
KINK_T = 16
KINK_BITS = 10
KINK_J = KINK_T + 2048
KINK_WIDTH = KINK_J + 2 * (1 << KINK_BITS)
_MANTISSA = (1 << 52) - 1
_SEGMENT = (1 << KINK_BITS) - 1


@njit(inline="always")
def _axis_cell(v, edges, axis, inv):
    """j with edges[axis, j] <= v < edges[axis, j + 1] (j clamped to 0 .. n - 1), and that
    cell's bounds (-inf / inf at the ends): the first guess by arithmetic, then checked
    against the stored edges so the cell depends on v only."""
    n = edges.shape[1] - 1
    j = min(max(np.int64((v - edges[axis, 0]) * inv), 0), n - 1)
    while j > 0 and v < edges[axis, j]:
        j -= 1
    while j < n - 1 and v >= edges[axis, j + 1]:
        j += 1
    return j, edges[axis, j] if j > 0 else -_INF, edges[axis, j + 1] if j < n - 1 else _INF


@njit(inline="always")
def _sub_cell(v, first, m, edges, axis, inv, lo, hi):
    """The fine cell j (first <= j < first + m) of a refined cell [lo, hi) holding v, and
    its bounds (lo, hi at the ends), as ``_axis_cell`` does on the coarse edges."""
    j = first + min(max(np.int64((v - edges[axis, first]) * inv), 0), m - 1)
    while j > first and v < edges[axis, j]:
        j -= 1
    while j < first + m - 1 and v >= edges[axis, j + 1]:
        j += 1
    return (j, edges[axis, j] if j > first else lo,
            edges[axis, j + 1] if j < first + m - 1 else hi)


@njit(inline="always")
def _frame(raw, col, row, edges, centres, r):
    """(c_x, c_y, m_x, m_y, w2) of cell (col, row) of ``edges`` (rows 0, 1: x, y): c in the
    coordinates of its mode (``centres[r + 2 + axis]`` on an axis the mode sets),
    m = ``centres[r]``, ``centres[r + 1]``, w2 = fl(w^2) with w the least distance from m
    to an edge (see ``locate_cell``). Rows, not slices: a slice is an array struct."""
    mx = centres[r, col]
    my = centres[r + 1, row]
    w = min(mx - edges[0, col], edges[0, col + 1] - mx, my - edges[1, row], edges[1, row + 1] - my)
    cx = centres[r + 2, col] if raw >= 0 and (raw >> MODE_SHIFT) & 1 else mx
    cy = centres[r + 3, row] if raw >= 0 and (raw >> MODE_SHIFT) & 2 else my
    return cx, cy, mx, my, w * w


@njit(error_model="numpy")
def _fine_cell(x, y, col, row, raw, xlo, xhi, ylo, yhi, tgeo, tsub, tfine):
    """(entry, c_x, c_y, m_x, m_y, w2, x_lo, x_hi, y_lo, y_hi) of the fine cell holding
    (x, y) in refined cell -2 - raw at (col, row) of bounds xlo .. yhi (see
    ``locate_cell``). A call: the coarse lookup stays short where it is inlined."""
    m = tsub.shape[1]
    fcol, xlo, xhi = _sub_cell(x, col * m, m, tfine, 0, tgeo[2] * m, xlo, xhi)
    frow, ylo, yhi = _sub_cell(y, row * m, m, tfine, 1, tgeo[3] * m, ylo, yhi)
    raw = np.int64(tsub[-2 - raw, frow - row * m, fcol - col * m])
    cx, cy, mx, my, w2 = _frame(raw, fcol, frow, tfine, tfine, 2)
    return raw, cx, cy, mx, my, w2, xlo, xhi, ylo, yhi


@njit(inline="always", error_model="numpy")
def locate_cell(x, y, tix, tgeo, tcen, tedge, tsub, tfine):
    """(c_x, c_y, x_lo, x_hi, y_lo, y_hi, block, mode, m_x, m_y, w) of the cell holding
    (x, y): a cell of the grid, or of a refined cell (``tix`` <= -2) its fine cell
    (``tsub``, ``tfine``, by ``_fine_cell``); c in the cell's coordinate (the kink
    coordinate on an axis its mode sets), m its centre in x, y and w2 = fl(w^2), w =
    min(m_x - e_0, e_1 - m_x, m_y - .., ..) over its edges e (-1 for an exact cell):
    fl(fl(x - m_x)^2) < w2 and fl(fl(y - m_y)^2) < w2 imply that (x, y) lies in the cell
    (rounding is monotone), the kernels' one-branch fast check (the squares are those the
    cell's evaluation uses).
    A point on a line of the lattice (``tgeo[4]``: x = line, ``tgeo[5]``: y = line; NaN:
    none) gets the formula's own value there (an exact cell of bounds x_lo = x_hi = x: the
    next step looks up again); the cells beside the line hold the limits from their sides.
    Inlined, with the refined cells' lookup a call (``_fine_cell``): A/B on paper-himmelblau
    1.035-1.048 against the whole lookup as a call (inlined whole, LLVM turned it into
    selects on the common path, a third of the step rate)."""
    if x == tgeo[4] or y == tgeo[5]:
        return x, y, x, x, y, y, np.int64(-1), np.int64(0), x, y, -1.0
    col, xlo, xhi = _axis_cell(x, tedge, 0, tgeo[2])
    row, ylo, yhi = _axis_cell(y, tedge, 1, tgeo[3])
    raw = np.int64(tix[row, col])
    if raw <= -2:
        raw, cx, cy, mx, my, w2, xlo, xhi, ylo, yhi = _fine_cell(x, y, col, row, raw, xlo, xhi,
                                                                 ylo, yhi, tgeo, tsub, tfine)
    else:
        cx, cy, mx, my, w2 = _frame(raw, col, row, tedge, tcen, 0)
    if raw < 0:
        return cx, cy, xlo, xhi, ylo, yhi, np.int64(-1), np.int64(0), mx, my, -1.0
    return cx, cy, xlo, xhi, ylo, yhi, raw & _BLOCK_MASK, raw >> MODE_SHIFT, mx, my, w2


@njit(inline="always", error_model="numpy")
def kink_offset(v, c, tk, axis):
    """sigma(v - a) - c: the kink coordinate sigma(u) = sign(u) 2^(q (e - 1023)) (A_j + B_j m)
    of the axis' kink line (``tk[axis]``: a, q) less c, with |u| = 2^(e - 1023) m, m in
    [1, 2), and A_j + B_j m the secant of m^q on the segment j of [1, 2) that holds m (its
    top ``KINK_BITS`` bits; relative error below 5e-8 for q <= 1.1, 5e-7 at q = 2.5,
    continuous and monotone; the table is fitted and checked in this very coordinate, see
    ``kink_coordinate_np``). No libm call: bits, two table loads, one multiply-add (a
    degree-7 polynomial in m before: 2-9 % slower on paper-himmelblau's run)."""
    u = v - tk[axis, 0]
    bits = f64_as_i64(u)
    m = i64_as_f64((bits & _MANTISSA) | ONE_BITS)
    j = KINK_J + 2 * ((bits >> (52 - KINK_BITS)) & _SEGMENT)
    p = tk[axis, j] + m * tk[axis, j + 1]
    return math.copysign(tk[axis, KINK_T + ((bits >> 52) & 2047)], u) * p - c


@njit(inline="always", error_model="numpy")
def cell_offsets(x, y, cx, cy, mode, tk):
    """(t, s): the cell's coordinates of (x, y) less its centre: x - c_x, y - c_y, or on an
    axis the mode sets (1: x, 2: y) the kink coordinate (``kink_offset``)."""
    if mode == 0:
        return x - cx, y - cy
    return (kink_offset(x, cx, tk, 0) if mode & 1 else x - cx,
            kink_offset(y, cy, tk, 1) if mode & 2 else y - cy)


def kink_table(a: float, q: float) -> np.ndarray:
    """The row of ``tk`` for the kink line v = a with exponent q (see ``kink_offset``)."""
    row = np.zeros(KINK_WIDTH)
    row[0] = a
    with np.errstate(over="ignore", under="ignore"):
        row[KINK_T:KINK_J] = np.exp2(q * (np.arange(2048) - 1023.0))
    row[KINK_T] = 0.0                  # u = 0 (and subnormal u) -> 0
    j = np.arange(1 << KINK_BITS)
    m0, m1 = 1.0 + j / (1 << KINK_BITS), 1.0 + (j + 1) / (1 << KINK_BITS)
    slope = (m1 ** q - m0 ** q) / (m1 - m0)
    row[KINK_J::2] = m0 ** q - slope * m0
    row[KINK_J + 1::2] = slope
    return row


def kink_coordinate_np(u: np.ndarray, row: np.ndarray) -> np.ndarray:
    """sigma(u) of ``kink_offset`` in NumPy (the same operations: equal up to rounding)."""
    u = np.ascontiguousarray(u, dtype=float)
    bits = u.view(np.int64)
    m = ((bits & _MANTISSA) | ONE_BITS).view(np.float64)
    j = KINK_J + 2 * ((bits >> (52 - KINK_BITS)) & _SEGMENT)
    p = row[j] + m * row[j + 1]
    return np.copysign(row[KINK_T + ((bits >> 52) & 2047)], u) * p


def exact_only_table(R: float) -> tuple:
    """(tix, tco, tgeo, tcen, tedge, tk, tsub, tfine) of a table whose one cell is exact:
    the generic kernels then call the exact ``cfunc`` everywhere."""
    return (np.full((1, 1), -1, np.int32), np.zeros((1, BLOCK_SIZE)),
            np.array([-R, -R, 0.5 / R, 0.5 / R, np.nan, np.nan]), np.zeros((4, 1)),
            np.array([[-R, R], [-R, R]]), np.zeros((2, KINK_WIDTH)),
            np.full((1, 1, 1), -1, np.int32), np.zeros((6, 2)))


# The run and exit kernels are the templates of ``simulate._kernels_plane`` with each
# ``gx, gy = grad(x, y)  # path s`` written out as the lookup below (generated text, compiled
# once per machine): each path keeps its cell in scalars (c_x, c_y, x_lo, x_hi, y_lo, y_hi,
# block, mode). An inlined helper holding these branches and taking the arrays left NRT
# reference counting of the arrays in the loop (a third of the step rate on this machine).

_CELL_STATE = ("{i}cx{s}, cy{s}, xl{s}, xh{s}, yl{s}, yh{s}, k{s}, md{s}, mx{s}, my{s}, hw{s} = "
               "0.0, 0.0, _INF, -_INF, _INF, -_INF, np.int64(-1), np.int64(0), 0.0, 0.0, -1.0\n")
_LOOKUP = """\
{i}xg{s} = {x}
{i}yg{s} = {y}
{i}tr{s} = xg{s} - mx{s}
{i}sr{s} = yg{s} - my{s}
{i}if max(tr{s} * tr{s}, sr{s} * sr{s}) < hw{s}:
{i}    if md{s} == 0:
{i}        gx, gy = {cell}(tco, k{s}, tr{s}, sr{s})
{i}    else:
{i}        ts{s} = cell_offsets(xg{s}, yg{s}, cx{s}, cy{s}, md{s}, tk)
{i}        gx, gy = {cell}(tco, k{s}, ts{s}[0], ts{s}[1])
{i}else:
{i}    if xg{s} < xl{s} or xg{s} >= xh{s} or yg{s} < yl{s} or yg{s} >= yh{s}:
{i}        cx{s}, cy{s}, xl{s}, xh{s}, yl{s}, yh{s}, k{s}, md{s}, mx{s}, my{s}, hw{s} = \\
{i}            locate_cell(xg{s}, yg{s}, tix, tgeo, tcen, tedge, tsub, tfine)
{i}    if k{s} >= 0:
{i}        ts{s} = cell_offsets(xg{s}, yg{s}, cx{s}, cy{s}, md{s}, tk)
{i}        gx, gy = {cell}(tco, k{s}, ts{s}[0], ts{s}[1])
{i}    else:
{i}        fn(xg{s}, yg{s}, bufp)
{i}        gx = buf[0]
{i}        gy = buf[1]
"""
_TABLE_ARGS = ", tix, tco, tgeo, tcen, tedge, tk, tsub, tfine, fn"
#: the kernels' names here, and the cell evaluation each uses (see the module docstring)
_KERNELS = {"run_plane_kernel": ("run_table_kernel", "cell_grad_simd"),
            "exit_plane_kernel": ("exit_table_kernel", "cell_grad")}
_STATE_RE = re.compile(r"^(\s*)# \[gradient state: (.*)\]$")
_GRAD_RE = re.compile(r"^(\s*)gx, gy = grad\((.+), (.+)\)  # path (\w+)$")


def table_kernels_text() -> str:
    """The source of ``run_table_kernel`` and ``exit_table_kernel``: the templates with
    grad f from the table."""
    lines, cell, in_signature = [], None, False
    for line in _kernels_plane.template_source().splitlines():
        if line.startswith("def "):
            name = line[4:line.index("(")]
            new, cell = _KERNELS[name]
            line = line.replace(name, new, 1)
            in_signature = True
        if in_signature and line.endswith("):"):
            line = line[:-2] + _TABLE_ARGS + "):"
            in_signature = False
        state, grad = _STATE_RE.match(line), _GRAD_RE.match(line)
        if state:
            i = state.group(1)
            lines.append(f"{i}buf = np.empty(2)\n{i}bufp = f64_data_pointer(buf)\n"
                         + "".join(_CELL_STATE.format(i=i, s=s) for s in state.group(2).split()))
        elif grad:
            i, x, y, s = grad.groups()
            lines.append(_LOOKUP.format(i=i, x=x, y=y, s=s, cell=cell))
        else:
            lines.append(line + "\n")
    return "".join(lines)


def _code_of(source: str) -> str:
    """The code of a module without its docstrings and comments (what a compile depends
    on: editing the prose does not recompile)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _generated_module():
    """The generated module of the table kernels (written to the cache folder once per
    version of the sources it is made of; numba caches its compiled kernels)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(numba.__version__.encode())
    for name in ("_kernels_plane.py", "_plane_noise.py", "_kernels_plane_table.py", "_cell_poly.py",
                 "_jit.py", "rng.py", "config.py"):
        h.update(_code_of((here / name).read_text()).encode())
    key = h.hexdigest()[:12]
    text = (f'"""Generated by simulate._kernels_plane_table -- do not edit. Key {key}."""\n'
            + _kernels_plane.GENERATED_HEADER
            + "from simulate._jit import f64_data_pointer\n"
            + "from simulate._kernels_plane_table import (\n    cell_grad,\n    cell_grad_simd,\n"
            + "    cell_offsets,\n    locate_cell,\n)\n\n\n" + table_kernels_text()
            + "\n\nrun_table_kernel = njit(parallel=True, **JIT)(run_table_kernel)\n"
            + "exit_table_kernel = njit(parallel=True, **JIT)(exit_table_kernel)\n")
    # the file is named as this module so that numba's cache files are
    # ``_kernels_plane_table.run_table_kernel-*`` (``simulate.plane.first_run_wait``)
    path = config.cache_dir() / "gradients" / f"table_{key}" / "_kernels_plane_table.py"
    return load_generated(path, text, f"_simulate_plane_table_kernels_{key}")


@njit(parallel=True, **JIT)
def table_values_kernel(x, y, out, tix, tco, tgeo, tcen, tedge, tk, tsub, tfine, fn):
    """out[i] = the run kernel's (df/dx, df/dy) at (x[i], y[i]), then (columns 2, 3, if
    out has 4) the exit kernel's (tests, and the exact cells' check)."""
    for i in prange(x.shape[0]):
        buf = np.empty(2)
        cx, cy, _, _, _, _, k, md, _, _, _ = locate_cell(x[i], y[i], tix, tgeo, tcen, tedge,
                                                         tsub, tfine)
        if k >= 0:
            t, s = cell_offsets(x[i], y[i], cx, cy, md, tk)
            gx, gy = cell_grad_simd(tco, k, t, s)
            hx, hy = cell_grad(tco, k, t, s)
        else:
            fn(x[i], y[i], f64_data_pointer(buf))
            gx = hx = buf[0]
            gy = hy = buf[1]
        out[i, 0] = gx
        out[i, 1] = gy
        if out.shape[1] == 4:
            out[i, 2] = hx
            out[i, 3] = hy


@cfunc(types.void(types.float64, types.float64, types.CPointer(types.float64)), cache=True)
def nan_gradient(x, y, out):
    """Stands in for the exact ``cfunc`` when a table has no exact cell (never called)."""
    out[0] = np.nan
    out[1] = np.nan


_GENERATED = _generated_module()
run_table_kernel = _GENERATED.run_table_kernel
exit_table_kernel = _GENERATED.exit_table_kernel

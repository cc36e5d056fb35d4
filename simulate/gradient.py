"""f' of a landscape, compiled for the numba kernels.

Design (measured on the 2-core dev machine, see ``bench/README.md``):

* The kernels are compiled **once** and take the gradient as a numba
  first-class function (``types.FunctionType(float64(float64))``): every
  ``cfunc`` with that signature has the same numba type, so a new formula
  does not recompile the kernels (the parallel run kernel costs ~50 s to
  compile cold on the dev VM, a ``cfunc`` 0.1-0.35 s). The indirect call
  costs ~10 % of the step rate against an inlined gradient.
* Polynomial gradients (every preset of the paper) skip the call
  altogether: their coefficients go to the kernel, which evaluates them by
  Horner's rule inline -- no compilation at all for a new polynomial, and
  the fastest path.
* Other expressions go through SymPy's common-subexpression elimination
  (``sympy.cse``) and are printed with SymPy's ``math``-module printer
  (Piecewise becomes a ternary) as the body of ``grad_py(x)`` in a small
  module ``<cache>/gradients/g_<hash>.py`` decorated ``cfunc(...,
  cache=True)``, keyed by a hash of ``srepr(f')``: the compiled code is
  reused within the process (the registry of
  ``simulate._codegen``, shared with 2-D) and across restarts (numba's disk cache).
  That ``cfunc`` is the *generic* path; the same ``grad_py`` text is also
  inlined into kernels specialised for the formula (``simulate.specialise``),
  compiled in the background and used as soon as they are ready
  (:meth:`Gradient.kernels`, :meth:`Gradient.ready`, :meth:`Gradient.wait`).
* Runs use neither when the f' can be *tabulated* on [-L, L]
  (``simulate.table``: degree-7 pieces checked against the exact f'); the
  exact paths above are the fallback, and ``tabulate=False`` forces them.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from numba import cfunc, float64

from . import (
    _jit,  # noqa: F401  (numba cache location)
    config,
)
from ._codegen import checked_code, expression_key, function_body, generated_gradient
from ._generated import function_source, load_generated, write_generated  # noqa: F401
from .errors import SimulationError

#: bump when the generated module text changes
_CODEGEN_VERSION = "4"

_SIG = float64(float64)


@cfunc(_SIG, cache=True)
def _zero_gradient(x):  # placeholder passed to the kernels on the Horner path
    return 0.0


@dataclass(frozen=True, eq=False)
class Gradient:
    """A compiled f'.

    Attributes
    ----------
    expr : sympy.Expr
        f' in one real symbol.
    key : str
        Hash of the expression (the cache key).
    coefficients : numpy.ndarray or None
        Polynomial coefficients, highest degree first (Horner order), or
        None if f' is not a polynomial; the kernels then call ``cfunc``.
    code : str
        The body of ``grad_py(x)`` (``math`` module, after common-subexpression
        elimination) f' was printed to: assignments, then ``return ...``.
    """

    expr: Any
    key: str
    coefficients: np.ndarray | None
    code: str
    symbol: Any
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)
    _special: Any = field(default=None, repr=False)

    # --- kernels specialised for this formula (simulate.specialise) -----------
    def _specialisation(self):
        with self._lock:
            if self._special is None:
                from .specialise import Specialisation

                object.__setattr__(self, "_special", Specialisation(self))
            return self._special

    def kernels(self, work: int = 0):
        """The module whose ``run_kernel`` / ``exit_kernel`` to call now.

        The kernels specialised for this formula once they are compiled and
        loaded, else the generic ones (``simulate._kernels``: polynomial
        coefficients inline, any other f' through ``cfunc``). Both give the
        same numbers bit for bit. Never waits for a compile. ``work`` (steps
        times paths about to run) counts towards
        ``config.SPECIALISE_MIN_WORK``, past which the background compile
        starts by itself (``config.specialise_enabled()``).
        """
        from . import _kernels

        if self.is_polynomial:
            return _kernels
        return self._specialisation().kernels(work) or _kernels

    def specialise(self) -> Gradient:
        """Start compiling the kernels specialised for this formula in the
        background (no-op if started, or for a polynomial f'); return self."""
        if not self.is_polynomial:
            self._specialisation().start()
        return self

    def ready(self) -> bool:
        """True when the fastest kernels for this f' are in use: always for a
        polynomial, else once the specialised kernels are loaded."""
        return self.is_polynomial or self._specialisation().ready()

    def wait(self, timeout: float | None = None) -> bool:
        """Start the specialisation if needed and block until it is ready,
        failed or ``timeout`` seconds passed; return :meth:`ready`."""
        if self.is_polynomial:
            return True
        return self._specialisation().start().wait(timeout)

    @property
    def kernel_path(self) -> str:
        """``"polynomial"``, ``"generic"`` (cfunc call) or ``"specialised"``."""
        if self.is_polynomial:
            return "polynomial"
        return "specialised" if self.ready() else "generic"

    @property
    def specialise_error(self) -> str | None:
        """Why the specialised kernels could not be built (None if fine or
        not tried); the generic path keeps serving."""
        return None if self._special is None else self._special.error

    @property
    def is_polynomial(self) -> bool:
        return self.coefficients is not None

    @property
    def cfunc(self):
        """numba ``cfunc`` float64(float64) of f' (compiled or loaded on first use)."""
        with self._lock:
            if "cfunc" not in self._cache:
                self._cache["cfunc"] = _load_module(self).grad
            return self._cache["cfunc"]

    @property
    def kernel_function(self):
        """What the kernels receive: ``cfunc``, or a placeholder on the Horner path."""
        return _zero_gradient if self.is_polynomial else self.cfunc

    @property
    def kernel_function_placeholder(self):
        """The placeholder ``cfunc`` for kernel paths that do not call f' (Horner, table)."""
        return _zero_gradient

    @property
    def kernel_coefficients(self) -> np.ndarray:
        """Coefficients for the kernels (padded to 8 for the Estrin path)."""
        c = self.coefficients
        if c is None:
            return np.zeros(1)
        if len(c) <= 8:
            return np.concatenate((np.zeros(8 - len(c)), c))
        return c

    @property
    def kernel_mode(self) -> int:
        """0: call ``cfunc``; 1: Estrin, degree <= 7; 2: Horner."""
        if self.coefficients is None:
            return 0
        return 1 if len(self.coefficients) <= 8 else 2

    def py(self, x: float) -> float:
        """Plain-Python scalar f'(x) (SymPy's ``lambdify`` of ``expr``; the kernels' code may
        differ from it in the last bits: see ``simulate._codegen``)."""
        with self._lock:
            if "py" not in self._cache:
                self._cache["py"] = sympy.lambdify(self.symbol, self.expr, "math")
        try:
            return float(self._cache["py"](float(x)))
        except (ZeroDivisionError, ValueError, OverflowError):
            return math.nan

    def __call__(self, x):
        """Vectorised NumPy evaluation of f'."""
        with self._lock:
            if "np" not in self._cache:
                self._cache["np"] = sympy.lambdify(self.symbol, self.expr, "numpy")
        xa = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            out = np.asarray(self._cache["np"](xa), dtype=float)
        return np.broadcast_to(out, xa.shape).copy() if out.shape != xa.shape else out


def compile_gradient(land) -> Gradient:
    """The numba-callable f' of a landscape, cached in-process and on disk.

    Parameters
    ----------
    land : Landscape, Gradient or sympy.Expr
        Anything with a ``.dexpr`` (SymPy f' in one real symbol), an
        already compiled :class:`Gradient` (returned as is), or a SymPy
        expression taken to *be* f'.

    Returns
    -------
    Gradient

    Raises
    ------
    SimulationError
        If f' has more than one symbol or uses a function that cannot be
        compiled.
    """
    if isinstance(land, Gradient):
        return land
    dexpr = getattr(land, "dexpr", land)
    if isinstance(dexpr, int | float):
        dexpr = sympy.Float(dexpr)
    if not isinstance(dexpr, sympy.Basic):
        raise SimulationError(
            f"cannot use {type(land).__name__} as a landscape: it needs a SymPy .dexpr")
    key = expression_key(_CODEGEN_VERSION, dexpr)
    return generated_gradient(key, lambda: _build(dexpr, key))


def _build(dexpr, key: str) -> Gradient:
    syms = sorted(dexpr.free_symbols, key=str)
    if len(syms) > 1:
        raise SimulationError(
            f"the gradient may only depend on x, found symbols {', '.join(map(str, syms))}")
    x = syms[0] if syms else sympy.Symbol("x", real=True)
    xs = sympy.Symbol("x", real=True)
    expr = dexpr.subs(x, xs) if x != xs else dexpr
    # f' of a Heaviside/abs kink: the Dirac part is zero almost everywhere
    expr = expr.replace(lambda e: isinstance(e, sympy.DiracDelta), lambda e: sympy.S.Zero)
    coefs = _poly_coefficients(expr, xs)
    code = _function_body(expr)
    return Gradient(expr=expr, key=key, coefficients=coefs, code=code, symbol=xs)


def _function_body(expr) -> str:
    """Body of ``grad_py(x)`` (``simulate._codegen``), checked and bounded."""
    return checked_code(lambda: function_body(expr), expr)


def _poly_coefficients(expr, x) -> np.ndarray | None:
    if not expr.is_polynomial(x):
        return None
    try:
        poly = sympy.Poly(expr, x)
        if poly.degree() > config.MAX_HORNER_DEGREE:
            return None
        c = np.array([float(v) for v in poly.all_coeffs()], dtype=float)
    except (sympy.PolynomialError, TypeError, ValueError):
        return None
    if not np.all(np.isfinite(c)):
        return None
    return c


_MODULE_TEMPLATE = '''\
"""Generated by simulate.gradient -- do not edit. Key {key}.

f'(x) = {expr}
"""
import math

from numba import cfunc, float64


{source}

grad = cfunc(float64(float64), cache=True, error_model="numpy", fastmath=False)(grad_py)
'''


def _load_module(g: Gradient):
    path = config.cache_dir() / "gradients" / f"g_{g.key}.py"
    text = _MODULE_TEMPLATE.format(key=g.key, expr=str(g.expr).replace('"', "'")[:2000],
                                   source=function_source(g))

    def retry_uncached(mod, exc):  # grad_py is defined before the cfunc line
        try:
            mod.grad = cfunc(_SIG, error_model="numpy", fastmath=False)(mod.grad_py)
        except Exception:  # noqa: BLE001 - any numba failure becomes a SimulationError
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SimulationError(f"cannot compile the gradient {g.expr} for numba: {first}") from exc
        return mod

    return load_generated(path, text, f"_simulate_gradient_{g.key}", retry_uncached)

"""The one entry of generated gradients, 1-D and 2-D: f' (or grad f) printed as the Python body
both kernel paths compile (generic cfunc, specialised kernels), its key, its checks and the one
registry of the compiled gradients (:func:`generated_gradient`).

Three rewrites before printing, each exact up to the rounding of one
operation, and applied once, so the generic and the specialised paths still
compile the very same text (bit-identical results):

* **constants folded**: a subexpression without x that is not a rational
  number (``20**(2/5)``, ``exp(2)``, ``pi``) becomes the nearest double, so
  no ``pow`` / ``exp`` call is left to run per step;
* **one power per base**: b**p for several non-integer rational p of the same
  fractional part (f' of ``|u|**0.6`` has ``|u|**(3/5)`` and ``|u|**(-2/5)``)
  become b**r times integer powers of b, r = p - floor(p): one libm ``pow``
  per base instead of one per exponent (the slowest call of a step);
* **the power factored out**: when that b**r multiplies every term of f',
  f' = b**r * (sum of the rest), so the ``pow`` runs alongside the rest;
* **common subexpressions** (``sympy.cse``): each is computed once, in a
  temporary ``_t0, _t1, ...``.

SymPy's ``math``-module printer (Piecewise becomes a ternary) prints the result.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

import sympy
from cachetools import LRUCache
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from . import config
from .errors import SimulationError

T = TypeVar("T")
_REGISTRY: LRUCache = LRUCache(maxsize=config.GENERATED_GRADIENTS)
_REGISTRY_LOCK = threading.Lock()


class _FractionalPower(sympy.Function):
    """b**r kept as one node: cse computes it once and Mul cannot merge it back."""

    nargs = 2


class _Printer(PythonCodePrinter):
    """``math``-module printer that also prints :class:`_FractionalPower` as ``b**r``."""

    def _print__FractionalPower(self, expr):
        base, exponent = expr.args
        return (f"{self.parenthesize(base, PRECEDENCE['Pow'])}**"
                f"({self._print(exponent)})")


def fold_constants(expr: sympy.Expr) -> sympy.Expr:
    """Replace every maximal subexpression without symbols that is not a
    rational number (and is real) by the nearest double."""
    if not expr.args:
        return expr
    if not expr.free_symbols and expr.is_number and not expr.is_Rational:
        value = expr.evalf(30)
        if value.is_real and value.is_finite:
            v = float(value)
            if math.isfinite(v):
                return sympy.Float(repr(v), 17)
        return expr
    new_args = tuple(fold_constants(a) for a in expr.args)
    return expr.func(*new_args) if new_args != expr.args else expr


def share_fractional_powers(expr: sympy.Expr) -> sympy.Expr:
    """b**p -> b**r * b**(p - r), r = p - floor(p), for bases with at least two
    non-integer rational exponents of one fractional part r."""
    groups = defaultdict(set)
    for node in sympy.preorder_traversal(expr):
        if node.is_Pow and node.exp.is_Rational and not node.exp.is_Integer \
                and node.base.free_symbols:
            p = node.exp
            groups[(node.base, p - sympy.floor(p))].add(node)
    mapping = {}
    for (base, r), nodes in groups.items():
        if len({n.exp for n in nodes}) < 2:
            continue
        root = _FractionalPower(base, r)
        for node in nodes:
            k = node.exp - r
            mapping[node] = root if k == 0 else sympy.Mul(root, sympy.Pow(base, k),
                                                           evaluate=False)
    return expr.xreplace(mapping) if mapping else expr


def factor_out_powers(expr: sympy.Expr) -> sympy.Expr:
    """R * (sum of t_i / R) when the fractional power R is a factor of every
    term t_i of the sum f': the slow ``pow`` then runs alongside the rest of
    f' instead of ahead of a chain of products (one multiply after it)."""
    terms = sympy.Add.make_args(expr)
    if len(terms) < 2:
        return expr
    for root in sorted(expr.atoms(_FractionalPower), key=sympy.default_sort_key):
        if all(root in sympy.Mul.make_args(t) for t in terms):
            rest = [sympy.Mul(*[f for f in sympy.Mul.make_args(t) if f != root]) for t in terms]
            return sympy.Mul(root, sympy.Add(*rest), evaluate=False)
    return expr


def function_body(expr: sympy.Expr) -> list[str]:
    """Lines of the body of ``grad_py(x)``: assignments, then ``return ...``.

    Raises whatever SymPy's printer raises for an unsupported function.
    """
    printer = _Printer({"fully_qualified_modules": True, "strict": True})
    expr = factor_out_powers(share_fractional_powers(fold_constants(expr)))
    temps, (reduced,) = sympy.cse(expr, symbols=sympy.numbered_symbols("_t"))
    lines = [f"{sym} = {printer.doprint(sub)}" for sym, sub in temps]
    lines.append(f"return {printer.doprint(reduced)}")
    return lines


def tuple_function_body(exprs) -> list[str]:
    """Lines of the body of ``grad_py(x, y)`` returning a tuple of the expressions.

    The same rewrites as :func:`function_body` (fractional powers shared over
    all the expressions), then one ``sympy.cse`` over all of them (df/dx and df/dy share most of
    their subexpressions); the last line is ``return (float(e1), float(e2), ...)`` (a constant
    component is printed as an int otherwise).
    """
    printer = _Printer({"fully_qualified_modules": True, "strict": True})
    # powers shared across the components too (df/dx may hold b**(11/10), df/dy b**(1/10))
    joint = share_fractional_powers(fold_constants(sympy.Tuple(*exprs)))
    rewritten = [factor_out_powers(e) for e in joint]
    temps, reduced = sympy.cse(rewritten, symbols=sympy.numbered_symbols("_t"))
    lines = [f"{sym} = {printer.doprint(sub)}" for sym, sub in temps]
    lines.append("return (" + ", ".join(f"float({printer.doprint(r)})" for r in reduced) + ",)")
    return lines


@functools.lru_cache(maxsize=256)
def expression_key(prefix: str, *exprs) -> str:
    """The registry and disk-cache key of compiled SymPy expressions: a hash of ``prefix``
    and their ``srepr``, remembered per expressions (``srepr`` of the appendix formula's
    f' takes ~25 ms, which every run made on it would pay otherwise)."""
    return hashlib.sha256((prefix + "|".join(sympy.srepr(e) for e in exprs)).encode()).hexdigest()[:24]


def checked_code(make_lines, described) -> str:
    """The generated lines of ``make_lines()`` joined into code, refused with a
    ``SimulationError`` naming ``described`` if SymPy cannot print them as plain
    one-line statements or if they are longer than ``config.MAX_BODY_CHARS``."""
    try:
        lines = make_lines()
    except Exception as exc:  # sympy raises PrintMethodNotImplementedError & co.
        raise SimulationError(f"cannot compile the gradient {described}: {exc}") from exc
    if any("\n" in line or "#" in line for line in lines):
        raise SimulationError(f"cannot compile the gradient {described}: unsupported function")
    body = "\n".join(lines)
    if len(body) > config.MAX_BODY_CHARS:
        raise SimulationError(
            f"the gradient is too large to compile ({len(body):,} characters of code after "
            f"common-subexpression elimination, limit {config.MAX_BODY_CHARS:,})")
    return body


def generated_gradient(key: str, build: Callable[[], T]) -> T:
    """The compiled gradient of ``key`` (a 1-D ``Gradient`` or a 2-D ``PlaneGradient``), made
    once per process by ``build()`` and kept in the one registry of both dimensions.

    The registry keeps the ``config.GENERATED_GRADIENTS`` most recently used; one dropped is
    made again when asked for (its compiled code is still in numba's disk cache).
    """
    with _REGISTRY_LOCK:
        hit = _REGISTRY.get(key)
    if hit is not None:
        return hit
    made = build()
    with _REGISTRY_LOCK:
        return _REGISTRY.setdefault(key, made)

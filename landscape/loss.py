"""The :class:`Landscape` object: f with f', f'' and their vectorised versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.special
import sympy

from . import config
from .vocabulary import X

#: parts of f where it may fail to be C^2 (where their argument is 0, or ties)
NON_SMOOTH = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, sympy.Piecewise)


def node_count(expression: sympy.Basic, limit: int | None = None) -> int:
    """Nodes of the expression tree (repeated subtrees counted each time), up to ``limit``."""
    count = 0
    for _ in sympy.preorder_traversal(expression):
        count += 1
        if limit is not None and count > limit:
            break
    return count


def _needed(expression: sympy.Expr, replacements) -> list[tuple[sympy.Symbol, sympy.Expr]]:
    """The common subexpressions (from ``sympy.cse``) that ``expression`` uses, in order."""
    index = {symbol: k for k, (symbol, _) in enumerate(replacements)}
    wanted: set[sympy.Symbol] = set()
    stack = [s for s in expression.free_symbols if s in index]
    while stack:
        symbol = stack.pop()
        if symbol not in wanted:
            wanted.add(symbol)
            stack.extend(s for s in replacements[index[symbol]][1].free_symbols if s in index)
    return [pair for pair in replacements if pair[0] in wanted]


def vectorise(expression: sympy.Expr, replacements=None,
              variables: tuple[sympy.Symbol, ...] = (X,)) -> Callable[..., np.ndarray]:
    """Vectorised float64 numpy function of x (or of ``variables``); NaN where undefined or complex.

    Parameters
    ----------
    expression : sympy.Expr
        In :data:`X` (or ``variables``), or (with ``replacements``) in those and
        the symbols of common subexpressions.
    replacements : list of (Symbol, Expr), optional
        Common subexpressions as returned by ``sympy.cse`` (already computed
        for f, f', f'' together); without them, large expressions get their
        own.
    variables : tuple of Symbol
        The arguments of the returned function, in order (``(X, Y)`` for a
        2-D landscape); its arguments are broadcast together.
    """
    if replacements is not None:
        shared = (_needed(expression, replacements), expression)
        cse = lambda expressions: shared   # lambdify takes a cse callable
    else:
        cse = node_count(expression, config.CSE_NODES) > config.CSE_NODES
    arguments = variables[0] if len(variables) == 1 else list(variables)
    function = sympy.lambdify(arguments, expression,
                              modules=[{"erf": scipy.special.erf}, "numpy"], cse=cse)

    def evaluate(*coordinates):
        points = np.broadcast_arrays(*(np.asarray(c, dtype=np.float64) for c in coordinates))
        shape = points[0].shape
        with np.errstate(all="ignore"):
            try:
                values = np.asarray(function(*points))
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                values = np.full(shape, np.nan)
            if np.iscomplexobj(values):
                real = np.where(np.abs(values.imag) <= 1e-12 * (1 + np.abs(values.real)),
                                values.real, np.nan)
                values = real
            values = np.broadcast_to(values.astype(np.float64, copy=False), shape)
        return np.array(values, dtype=np.float64)

    evaluate.__doc__ = f"Vectorised numpy evaluation of {expression}."
    return evaluate


def drop_deltas(expression: sympy.Expr) -> sympy.Expr:
    """The expression with Dirac deltas (derivatives of jumps) replaced by 0."""
    if expression.has(sympy.DiracDelta):
        expression = expression.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return expression


def switching_expressions(expression: sympy.Expr) -> list[sympy.Expr]:
    """Expressions whose zeros are where f may fail to be C^2.

    The argument of abs, sign and Heaviside; the differences of the arguments
    of max and min; the base of a power u^p with a non-integer constant p < 2
    (u^0.6 has an infinite derivative at u = 0).
    """
    switches: list[sympy.Expr] = []
    for part in sympy.preorder_traversal(expression):
        if isinstance(part, (sympy.Abs, sympy.sign, sympy.Heaviside)):
            switches.append(part.args[0])
        elif isinstance(part, (sympy.Max, sympy.Min)):
            arguments = part.args
            switches.extend(a - b for i, a in enumerate(arguments) for b in arguments[i + 1:])
        elif isinstance(part, sympy.Pow) and part.exp.is_number and not part.exp.is_integer \
                and bool(part.exp < 2) and part.base.has(X):
            switches.append(part.base)
    return [s for s in dict.fromkeys(switches) if s.has(X)]


@dataclass(frozen=True)
class Landscape:
    """A loss function f(x) with its derivatives, ready for analysis.

    Attributes
    ----------
    source : str
        What reloads it with :func:`landscape.load_landscape`: formula text, or
        ``"sketch:x1,y1;x2,y2;..."``.
    kind : str
        ``"formula"`` or ``"sketch"``.
    expr : sympy.Expr
        f in the symbol :data:`X`.
    """

    source: str
    kind: str
    expr: sympy.Expr = field(repr=False)

    dimension = 1      # class attribute (not a field): a PlaneLandscape has 2

    @cached_property
    def dexpr(self) -> sympy.Expr:
        """f' (Dirac deltas of abs/sign/pieces dropped)."""
        return drop_deltas(sympy.diff(self.expr, X))

    @cached_property
    def d2expr(self) -> sympy.Expr:
        """f'' (Dirac deltas of abs/sign/pieces dropped)."""
        return drop_deltas(sympy.diff(self.dexpr, X))

    @cached_property
    def f(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised f (float64 in, float64 out, NaN where undefined)."""
        return vectorise(self.expr)

    @cached_property
    def df(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised f'."""
        return vectorise(self.dexpr)

    @cached_property
    def d2f(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised f''."""
        return vectorise(self.d2expr)

    @cached_property
    def is_polynomial(self) -> bool:
        """True if f is a polynomial in x."""
        return bool(self.expr.is_polynomial(X))

    @cached_property
    def is_smooth(self) -> bool:
        """False if f contains abs, sign, max/min or pieces (it may fail to be C^2 there)."""
        return not self.expr.has(*NON_SMOOTH)

    @cached_property
    def _switches(self) -> list[Callable[[np.ndarray], np.ndarray]]:
        if self.kind == "sketch":      # a natural cubic spline is C^2 everywhere
            return []
        return [vectorise(s) for s in switching_expressions(self.expr)]

    def kinks(self, L: float, points: int = 4001) -> tuple[float, ...]:
        """Points of [-L, L] where f may fail to be C^2 (see :func:`switching_expressions`).

        Sign changes and zeros of each switching expression on a grid of
        ``points`` points, refined by bisection; empty for sketches and for
        formulas without abs, sign, max/min or fractional powers.
        """
        grid = np.linspace(-L, L, points)
        found: list[np.ndarray] = []
        for switch in self._switches:
            values = switch(grid)
            signs = np.sign(values)
            found.append(grid[values == 0])
            brackets = np.flatnonzero(signs[:-1] * signs[1:] < 0)
            low, high = grid[brackets], grid[brackets + 1]
            low_sign = signs[brackets]
            for _ in range(60):           # bisection of every bracket at once
                middle = 0.5 * (low + high)
                same = np.sign(switch(middle)) == low_sign
                low = np.where(same, middle, low)
                high = np.where(same, high, middle)
            found.append(0.5 * (low + high))
        points_found = np.concatenate(found) if found else np.empty(0)
        return tuple(sorted({round(float(v), 12) for v in points_found}))

    @property
    def formula(self) -> str:
        """f as text; for formulas it is the source, for sketches SymPy's form."""
        return self.source if self.kind == "formula" else sympy.sstr(self.expr)

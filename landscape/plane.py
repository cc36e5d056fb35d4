"""The :class:`PlaneLandscape` object: f(x, y) with its gradient and Hessian.

A formula whose variables include y is two-dimensional (THEORY.md section
10). The parser (:func:`landscape.formula.parse_any_formula`) builds f, the
gradient (df/dx, df/dy) and the Hessian (fxx, fxy, fyy) under the same bounds
as in 1-D and pre-fills the vectorised versions here; built by hand (tests),
they are made on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.special
import sympy

from . import config
from .errors import AnalysisError
from .loss import NON_SMOOTH, drop_deltas, vectorise
from .vocabulary import X, Y

_VARIABLES = (X, Y)


def _vectorise_together(expressions) -> Callable[..., tuple[np.ndarray, ...]]:
    """One NumPy function of (x, y) giving all ``expressions`` (shared subexpressions once).

    NaN where a value is undefined or complex, as :func:`landscape.loss.vectorise`.
    """
    function = sympy.lambdify(list(_VARIABLES), list(expressions),
                              modules=[{"erf": scipy.special.erf}, "numpy"], cse=True)

    def evaluate(x, y):
        points = np.broadcast_arrays(np.asarray(x, dtype=np.float64),
                                     np.asarray(y, dtype=np.float64))
        shape = points[0].shape
        results = []
        with np.errstate(all="ignore"):
            try:
                values = function(*points)
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                values = [np.full(shape, np.nan) for _ in expressions]
            for value in values:
                value = np.asarray(value)
                if np.iscomplexobj(value):
                    value = np.where(np.abs(value.imag) <= 1e-12 * (1 + np.abs(value.real)),
                                     value.real, np.nan)
                results.append(np.array(np.broadcast_to(value.astype(np.float64), shape)))
        return tuple(results)

    return evaluate




def _lambdify_cost(expression) -> int:
    """Rough cost of the lambdified expression in array operations (np.power counts 12)."""
    cost = 0
    for node in sympy.preorder_traversal(expression):
        if node.is_Pow:
            cost += 1 if node.exp in (2, -1) else 12
        elif node.is_Add or node.is_Mul:
            cost += len(node.args) - 1
        elif isinstance(node, sympy.Function):
            cost += 4
    return cost


def _polynomial_evaluator(expressions) -> Callable[..., tuple[np.ndarray, ...]] | None:
    """A faster NumPy evaluator of polynomials in x and y (real coefficients), else None.

    The powers of y are formed once, each coefficient of a power of x from
    them, then Horner's scheme in x: about two array operations per monomial
    (no np.power, which the lambdified expression calls once per power and
    which is slow). None if an expression is not such a polynomial or the
    lambdified expressions are cheaper (Rosenbrock's factored form).
    """
    polys = []
    try:
        for expression in expressions:
            if not expression.is_polynomial(*_VARIABLES):
                return None
            poly = sympy.Poly(expression, *_VARIABLES)
            if not (poly.domain.is_ZZ or poly.domain.is_QQ or poly.domain.is_RR):
                return None
            polys.append(poly)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, TypeError, ValueError):
        return None
    degree_x = max(max(p.degree(X), 0) for p in polys)
    degree_y = max(max(p.degree(Y), 0) for p in polys)
    terms = [[((i, j), float(c)) for (i, j), c in p.terms() if c != 0] for p in polys]
    horner_cost = sum(2 * len(t) for t in terms) + len(polys) * degree_x + degree_y
    if max(degree_x, degree_y) > config.PLANE_MAX_HORNER_DEGREE \
            or horner_cost >= sum(_lambdify_cost(e) for e in expressions):
        return None
    by_power = [[[(j, c) for (i, j), c in t if i == power] for power in range(degree_x + 1)]
                for t in terms]

    def evaluate(x, y):
        points = np.broadcast_arrays(np.asarray(x, dtype=np.float64),
                                     np.asarray(y, dtype=np.float64))
        flat_x, flat_y = points[0].ravel(), points[1].ravel()
        results = []
        with np.errstate(all="ignore"):
            powers = [np.ones_like(flat_y)]
            for _ in range(degree_y):
                powers.append(powers[-1] * flat_y)
            for rows in by_power:
                value = np.zeros_like(flat_x)
                for power in range(degree_x, -1, -1):
                    if power < degree_x:
                        value *= flat_x
                    for j, c in rows[power]:
                        value += c * powers[j]
                results.append(value.reshape(points[0].shape))
        return tuple(results)

    return evaluate


@dataclass(frozen=True)
class PlaneLandscape:
    """A loss function f(x, y) on the plane, ready for analysis and simulation.

    Attributes
    ----------
    expr : sympy.Expr
        f in the symbols :data:`~landscape.vocabulary.X` and
        :data:`~landscape.vocabulary.Y`.
    text : str
        The formula as the user wrote it (stripped); what reloads it with
        :func:`landscape.load_landscape`.
    name : str or None
        A preset's key, if it came from one.
    """

    expr: sympy.Expr = field(repr=False)
    text: str
    name: str | None = None

    dimension = 2      # class attribute (not a field); a 1-D Landscape has 1
    kind = "formula"

    @property
    def source(self) -> str:
        """What reloads this landscape with :func:`landscape.load_landscape`."""
        return self.text

    @property
    def formula(self) -> str:
        """f as text."""
        return self.text

    @cached_property
    def gradient_exprs(self) -> tuple[sympy.Expr, sympy.Expr]:
        """(df/dx, df/dy), Dirac deltas of abs/sign/pieces dropped."""
        return (drop_deltas(sympy.diff(self.expr, X)), drop_deltas(sympy.diff(self.expr, Y)))

    @cached_property
    def hessian_exprs(self) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
        """(d2f/dx2, d2f/dxdy, d2f/dy2), Dirac deltas dropped."""
        fx, fy = self.gradient_exprs
        return (drop_deltas(sympy.diff(fx, X)), drop_deltas(sympy.diff(fx, Y)),
                drop_deltas(sympy.diff(fy, Y)))

    @cached_property
    def _f(self) -> Callable[..., np.ndarray]:
        fast = _polynomial_evaluator([self.expr])
        if fast is not None:
            return lambda x, y: fast(x, y)[0]
        return vectorise(self.expr, variables=_VARIABLES)

    @cached_property
    def _gradient(self) -> Callable[..., tuple[np.ndarray, ...]]:
        return _polynomial_evaluator(self.gradient_exprs) \
            or _vectorise_together(self.gradient_exprs)

    @cached_property
    def _hessian(self) -> Callable[..., tuple[np.ndarray, ...]]:
        return _polynomial_evaluator(self.hessian_exprs) \
            or _vectorise_together(self.hessian_exprs)

    def f(self, x, y=None) -> np.ndarray:
        """f at the points (x, y) (broadcast; float64, NaN where undefined).

        Called with x alone (1-D code meeting a 2-D landscape) it raises an
        ``AnalysisError`` saying so, not a ``TypeError``.
        """
        if y is None:
            raise AnalysisError("this landscape is two-dimensional (its formula uses y): "
                                "f needs both x and y")
        return self._f(x, y)

    def gradient(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(df/dx, df/dy) at the points (x, y)."""
        return self._gradient(x, y)

    def hessian(self, x, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fxx, fxy, fyy) at the points (x, y)."""
        return self._hessian(x, y)

    @cached_property
    def is_smooth(self) -> bool:
        """False if f contains abs, sign, max/min or pieces (it may fail to be C^2 there)."""
        return not self.expr.has(*NON_SMOOTH)


def plane_from_parts(expression, text, gradient, hessian, replacements, reduced,
                     name: str | None = None) -> PlaneLandscape:
    """A :class:`PlaneLandscape` with the parser's expressions and shared subexpressions.

    ``reduced`` holds f, fx, fy, fxx, fxy, fyy after ``sympy.cse`` (see
    :func:`landscape.formula_build.checked_plane_expressions`).
    """
    land = PlaneLandscape(expression, text, name)
    cache = land.__dict__            # pre-fill the cached properties
    cache["gradient_exprs"] = tuple(gradient)
    cache["hessian_exprs"] = tuple(hessian)
    fast = _polynomial_evaluator([expression])
    cache["_f"] = (lambda x, y: fast(x, y)[0]) if fast is not None \
        else vectorise(reduced[0], replacements, _VARIABLES)
    return land

"""Build f, f' and f'' from a whitelisted tree, with bounds on what it costs.

The tree has passed :func:`landscape.formula_check.check_tree`. Construction
goes node by node with plain float values alongside, so constant exponents
and constant powers are bounded (``9**9**9**9``, ``x**(10**100)``) before
SymPy would try to compute them. Then f', f'' are built and the work is
bounded by what it costs, not by the size of the printed f'': the number of
operations of f, f', f'' after common-subexpression elimination
(``sympy.cse``) must stay within ``config.MAX_CSE_OPS``; before each
derivative is paid for, its size is predicted from the distinct
subexpressions (:func:`derivative_cost`, ``config.MAX_DERIVATIVE_COST``), so
products of many factors are refused at once; and the whole build runs in a
forked worker under ``config.PARSE_TIMEOUT``.
"""

from __future__ import annotations

import ast
import math
from fractions import Fraction

import sympy

from . import config
from .errors import (
    FormulaError,
    NumberRangeError,
    TooComplexError,
    UndefinedValueError,
)
from .loss import drop_deltas, node_count
from .vocabulary import CONSTANT_VALUES, CONSTANTS, FLOAT_FUNCTIONS, FUNCTIONS, VARIABLES, X, Y


class _Builder:
    """Walk a whitelisted AST and build the SymPy expression bottom-up.

    Each visit returns ``(expr, value)`` where ``value`` is the float value
    of a constant sub-expression (None if it depends on x), computed with
    plain float arithmetic so that size checks never ask SymPy to evaluate.
    """

    def __init__(self, text: str, origin: list[int], literals: dict[int, str]):
        self.text = text
        self.origin = origin
        self.literals = literals

    def fail(self, kind: type[FormulaError], message: str, node: ast.AST) -> FormulaError:
        offset = min(getattr(node, "col_offset", 0), len(self.origin) - 1)
        return kind(message, self.text, self.origin[offset] if offset >= 0 else None)

    def visit(self, node: ast.AST) -> tuple[sympy.Expr, float | None]:
        if isinstance(node, ast.Expression):
            return self.visit(node.body)
        if isinstance(node, ast.Constant):
            exact = Fraction(self.literals[node.col_offset])
            return sympy.Rational(exact.numerator, exact.denominator), float(exact)
        if isinstance(node, ast.Name):
            if node.id in VARIABLES:
                return VARIABLES[node.id], None
            return CONSTANTS[node.id], CONSTANT_VALUES[node.id]
        if isinstance(node, ast.UnaryOp):
            operand, value = self.visit(node.operand)
            if isinstance(node.op, ast.USub):
                return -operand, (None if value is None else -value)
            return operand, value
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: ast.BinOp) -> tuple[sympy.Expr, float | None]:
        left, left_value = self.visit(node.left)
        right, right_value = self.visit(node.right)
        both = left_value is not None and right_value is not None
        op = node.op
        if isinstance(op, ast.Add):
            return left + right, (left_value + right_value if both else None)
        if isinstance(op, ast.Sub):
            return left - right, (left_value - right_value if both else None)
        if isinstance(op, ast.Mult):
            return left * right, (left_value * right_value if both else None)
        if isinstance(op, ast.Div):
            if right_value is not None and right == 0:
                raise self.fail(UndefinedValueError, "division by zero", node)
            value = None
            if both:
                value = left_value / right_value if right_value != 0 else math.nan
            return left / right, value
        return self.power(node, left, left_value, right, right_value)

    def power(self, node, base, base_value, exponent, exponent_value):
        if exponent_value is not None:
            if not math.isfinite(exponent_value) or \
                    abs(exponent_value) > config.MAX_POWER_EXPONENT:
                raise self.fail(
                    NumberRangeError,
                    f"exponent too large (|p| must be at most {config.MAX_POWER_EXPONENT})",
                    node)
            if base_value is not None:
                if base_value == 0 and exponent_value < 0:
                    raise self.fail(UndefinedValueError,
                                    "division by zero (0 to a negative power)", node)
                size = abs(exponent_value) * math.log10(max(abs(base_value), 1e-300))
                if not math.isfinite(size) or abs(size) > config.MAX_CONSTANT_POWER_LOG10:
                    raise self.fail(NumberRangeError, "constant power too large", node)
        elif base_value is not None and not math.isfinite(base_value):
            raise self.fail(NumberRangeError, "constant base too large", node)
        value = None
        if base_value is not None and exponent_value is not None:
            try:
                value = float(base_value ** exponent_value)
            except (OverflowError, ZeroDivisionError, TypeError):
                value = math.nan
        return sympy.Pow(base, exponent), value

    def call(self, node: ast.Call) -> tuple[sympy.Expr, float | None]:
        name = node.func.id
        pairs = [self.visit(argument) for argument in node.args]
        result = FUNCTIONS[name](*(expr for expr, _ in pairs))
        values = [value for _, value in pairs]
        value = None
        if all(v is not None for v in values):
            try:
                value = float(FLOAT_FUNCTIONS[name](*values))
            except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                value = math.nan
        return result, value


def derivative_cost(expression: sympy.Expr, symbol: sympy.Symbol = X) -> int:
    """Predicted size of d/dx (or d/d ``symbol``) of ``expression``, from its distinct subexpressions.

    Each distinct part that depends on the symbol is counted once (shared parts are
    differentiated once): a product of n factors of which k depend on x
    contributes k (n + 1), since the product rule writes k products of n
    factors; any other part 2 + 2 (number of arguments). It costs one pass
    over the expression and is paid before the derivative is.
    """
    seen: set[sympy.Basic] = set()
    stack = [expression]
    cost = 0
    while stack and cost <= config.MAX_DERIVATIVE_COST:
        part = stack.pop()
        if part in seen or not part.has(symbol):
            continue
        seen.add(part)
        if isinstance(part, sympy.Mul):
            varying = sum(1 for factor in part.args if factor.has(symbol))
            cost += varying * (len(part.args) + 1)
        else:
            cost += 2 + 2 * len(part.args)
        stack.extend(part.args)
    return cost


def _derivative(expression: sympy.Expr, name: str, text: str,
                symbol: sympy.Symbol = X) -> sympy.Expr:
    """d/d``symbol``, refused early if its predicted size is too large."""
    if derivative_cost(expression, symbol) > config.MAX_DERIVATIVE_COST:
        raise TooComplexError(
            f"the formula is too complex ({name} would have more than "
            f"{config.MAX_DERIVATIVE_COST} distinct parts)", text)
    return drop_deltas(sympy.diff(expression, symbol))


def _check_real(expression: sympy.Expr, text: str) -> None:
    """Refuse undefined and complex constants in f."""
    if expression.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise UndefinedValueError("the formula is undefined (division by zero or similar)",
                                  text)
    if expression.has(sympy.I):
        raise UndefinedValueError("the formula is not real-valued", text)
    for power in expression.atoms(sympy.Pow):
        if power.base.is_number and power.base.is_negative and power.exp.is_number \
                and not power.exp.is_integer:
            raise UndefinedValueError(
                f"the constant {power} is not real (SymPy takes the principal complex root); "
                "write e.g. -(8^(1/3)) instead of (-8)^(1/3)", text)


def _cse_cost(expressions: list[sympy.Expr], limit: int, what: str, text: str):
    """``sympy.cse`` of the expressions, refused if its operation count exceeds ``limit``."""
    replacements, reduced = sympy.cse(expressions)
    cost = sum(node_count(value) for _, value in replacements) \
        + sum(node_count(value) for value in reduced)
    if cost > limit:
        raise TooComplexError(
            f"the formula is too complex ({what} have {cost} parts after common "
            f"subexpressions are shared, limit {limit})", text)
    return replacements, reduced


def checked_plane_expressions(expression: sympy.Expr, text: str):
    """Check f(x, y) and build its gradient and Hessian; or raise a FormulaError.

    Returns
    -------
    (expr, (fx, fy), (fxx, fxy, fyy), replacements, reduced)
        ``reduced`` holds f, fx, fy, fxx, fxy, fyy after ``sympy.cse`` of the six.

    The cost bound is ``config.MAX_PLANE_CSE_OPS`` on the six after common
    subexpressions; each derivative is predicted first as in 1-D.
    """
    _check_real(expression, text)
    if not expression.free_symbols & {X, Y}:
        raise UndefinedValueError(
            "the formula does not depend on x or y (a constant has no landscape)", text)
    fx = _derivative(expression, "df/dx", text, X)
    fy = _derivative(expression, "df/dy", text, Y)
    fxx = _derivative(fx, "d2f/dx2", text, X)
    fxy = _derivative(fx, "d2f/dxdy", text, Y)
    fyy = _derivative(fy, "d2f/dy2", text, Y)
    replacements, reduced = _cse_cost([expression, fx, fy, fxx, fxy, fyy],
                                      config.MAX_PLANE_CSE_OPS,
                                      "f, its gradient and its Hessian", text)
    return expression, (fx, fy), (fxx, fxy, fyy), replacements, reduced


def checked_expressions(expression: sympy.Expr, text: str):
    """Check f and build f', f''; or raise a FormulaError.

    Returns
    -------
    (expr, dexpr, d2expr, replacements, reduced)
        f, f', f'' and their common subexpressions (``sympy.cse`` of the three).

    The cost bound is the operation count of [f, f', f''] after
    common-subexpression elimination (``config.MAX_CSE_OPS``).
    """
    _check_real(expression, text)
    if X not in expression.free_symbols:
        raise UndefinedValueError(
            "the formula does not depend on x (a constant has no landscape)", text)
    first = _derivative(expression, "f'", text)
    second = _derivative(first, "f''", text)
    replacements, reduced = _cse_cost([expression, first, second], config.MAX_CSE_OPS,
                                      "f, f' and f''", text)
    return expression, first, second, replacements, reduced


def build(tree: ast.Expression, text: str, origin: list[int], literals: dict[int, str]):
    """Bounded construction and the derivatives; runs in a time-bounded worker."""
    expression, _ = _Builder(text, origin, literals).visit(tree)
    return checked_expressions(expression, text)


def build_any(tree: ast.Expression, text: str, origin: list[int], literals: dict[int, str]):
    """:func:`build` for a formula in x, or the 2-D build if f depends on y.

    Returns
    -------
    (dimension, value)
        1 and the tuple of :func:`checked_expressions`, or 2 and the tuple of
        :func:`checked_plane_expressions`.
    """
    expression, _ = _Builder(text, origin, literals).visit(tree)
    if Y in expression.free_symbols:
        return 2, checked_plane_expressions(expression, text)
    return 1, checked_expressions(expression, text)


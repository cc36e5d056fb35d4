"""Safe entry of a loss function f(x): formulas and sketched control points.

A formula is never evaluated as Python. The text goes through four gates:

1. character checks (length, ASCII only, no control characters, no quotes,
   brackets other than ``( )``, underscores, ...), each refusal naming the
   character and its position;
2. a small tokenizer that also turns ``^`` into ``**`` and inserts the
   multiplication sign of ``2x``, ``3(x+1)``, ``(x+1)(x-1)``, ``pi x``;
3. ``ast.parse(..., mode="eval")`` (which only parses) and a walk of the tree
   that accepts a whitelist of node types, names and functions;
4. construction of the SymPy expression node by node with bounds on literal
   size and constant exponents, so that ``9**9**9**9`` or ``x**(10**100)`` are
   refused before SymPy would try to compute them.

Accepted formula language
-------------------------
numbers (``2``, ``0.05``, ``1e-3``; kept exact as rationals), the variable
``x``, the constants ``pi`` and ``e``/``E``, ``+ - * / ** ^``, unary minus,
parentheses, implicit multiplication, and the one-argument functions in
:data:`FUNCTIONS`: sin cos tan cot sec csc, asin/arcsin acos/arccos
atan/arctan, sinh cosh tanh asinh/arcsinh, exp, log/ln (natural), log10,
log2, sqrt, abs, sign, erf, sigmoid (1/(1+e^-u)),
softplus (log(1+e^u)).

Sketches
--------
``landscape_from_sketch(points)`` turns control points (x_k, y_k) into the
natural cubic spline through them (C^2, linear beyond the outer points), as a
SymPy ``Piecewise``. Its ``source`` is ``"sketch:x1,y1;x2,y2;..."``, which
:func:`load_landscape` reads back exactly.
"""

from __future__ import annotations

import ast
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np
import scipy.special
import sympy

from . import config
from ._bounded import WorkerUnavailable, run_bounded
from .errors import FormulaError

X = sympy.Symbol("x", real=True)
"""The variable of every landscape."""


def _sigmoid(u):
    return 1 / (1 + sympy.exp(-u))


def _softplus(u):
    return sympy.log(1 + sympy.exp(u))


FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc,
    "asin": sympy.asin, "arcsin": sympy.asin,
    "acos": sympy.acos, "arccos": sympy.acos,
    "atan": sympy.atan, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "asinh": sympy.asinh, "arcsinh": sympy.asinh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
    "log10": lambda u: sympy.log(u) / sympy.log(10),
    "log2": lambda u: sympy.log(u) / sympy.log(2),
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs, "sign": sympy.sign,
    "erf": sympy.erf, "sigmoid": _sigmoid, "softplus": _softplus,
}
"""Whitelisted one-argument functions, by the name a user types."""

# Float versions, used only to bound constant exponents without asking SymPy
# to evaluate anything (evalf of exp(exp(exp(100))) would not terminate).
_FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan,
    "cot": lambda u: 1 / math.tan(u), "sec": lambda u: 1 / math.cos(u),
    "csc": lambda u: 1 / math.sin(u),
    "asin": math.asin, "arcsin": math.asin, "acos": math.acos, "arccos": math.acos,
    "atan": math.atan, "arctan": math.atan,
    "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "asinh": math.asinh, "arcsinh": math.asinh,
    "exp": math.exp, "log": math.log, "ln": math.log, "log10": math.log10,
    "log2": math.log2, "sqrt": math.sqrt,
    "abs": abs, "sign": lambda u: float(np.sign(u)), "erf": math.erf,
    "sigmoid": lambda u: 1 / (1 + math.exp(-u)),
    "softplus": lambda u: math.log1p(math.exp(u)),
}

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E}
_CONSTANT_VALUES = {"pi": math.pi, "e": math.e, "E": math.e}

_FORBIDDEN_CHARACTERS = {
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "_": "the character '_' is not allowed (only x, pi, e and the listed functions)",
    ":": "':' is not allowed (no lambdas, slices or annotations)",
    "=": "'=' is not allowed (no assignments or comparisons)",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "'!' is not allowed (no factorials or comparisons)",
    ",": "',' is not allowed (every function takes one argument)",
    ";": "';' is not allowed (one expression only)",
    "\n": "line breaks are not allowed (one expression only)",
    "\r": "line breaks are not allowed (one expression only)",
}
_ALLOWED_PUNCTUATION = set("+-*/^(). \t")

_TOKEN_RE = re.compile(
    r"(?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9]*)"
    r"|(?P<op>\*\*|\^|[-+*/()])"
    r"|(?P<space>[ \t]+)"
)


@dataclass(frozen=True)
class _Token:
    kind: str      # "number" | "name" | "op"
    text: str
    position: int  # offset in the user's text


# --------------------------------------------------------------------------
# gate 1: characters
# --------------------------------------------------------------------------
def _check_characters(text: str) -> None:
    if len(text) > config.MAX_FORMULA_LENGTH:
        raise FormulaError(
            f"the formula is too long ({len(text)} characters, limit "
            f"{config.MAX_FORMULA_LENGTH})", text[:config.MAX_FORMULA_LENGTH],
            config.MAX_FORMULA_LENGTH - 1)
    if not text.strip():
        raise FormulaError("the formula is empty", text)
    depth = 0
    open_positions: list[int] = []
    for position, char in enumerate(text):
        if ord(char) > 127:
            name = unicodedata.name(char, "unnamed")
            raise FormulaError(
                f"non-ASCII character U+{ord(char):04X} ({name}) is not allowed; "
                "type plain ASCII (e.g. '-' not a dash, '*' not a dot)", text, position)
        if char in _FORBIDDEN_CHARACTERS:
            raise FormulaError(_FORBIDDEN_CHARACTERS[char], text, position)
        if ord(char) < 32 and char != "\t" or ord(char) == 127:
            raise FormulaError(f"control character {ord(char)!r} is not allowed", text, position)
        if not (char.isalnum() or char in _ALLOWED_PUNCTUATION):
            raise FormulaError(f"the character {char!r} is not allowed", text, position)
        if char == "(":
            depth += 1
            open_positions.append(position)
            if depth > config.MAX_BRACKET_DEPTH:
                raise FormulaError(
                    f"parentheses are nested too deeply (limit {config.MAX_BRACKET_DEPTH})",
                    text, position)
        elif char == ")":
            if depth == 0:
                raise FormulaError("unmatched ')'", text, position)
            depth -= 1
            open_positions.pop()
    if open_positions:
        raise FormulaError("'(' is never closed", text, open_positions[-1])


# --------------------------------------------------------------------------
# gate 2: tokens, '^' and implicit multiplication
# --------------------------------------------------------------------------
def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    operator_run = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            char = text[position]
            if char == ".":
                raise FormulaError(
                    "'.' outside a number: attribute access is not allowed", text, position)
            raise FormulaError(f"unexpected character {char!r}", text, position)
        kind = match.lastgroup
        if kind == "name":
            _check_name(match.group(), text, position)
        if kind != "space":
            token_text = match.group()
            if kind == "op" and token_text in "+-*/**^":
                operator_run += 1
                if operator_run > 3:
                    raise FormulaError("too many operators in a row", text, position)
            else:
                operator_run = 0
            tokens.append(_Token(kind, "**" if token_text == "^" else token_text, position))
        position = match.end()
    return tokens


_KEYWORD_PROBLEMS = {
    "lambda": "lambdas are not allowed",
    "import": "imports are not allowed",
    "for": "comprehensions and loops are not allowed",
    "if": "conditional expressions are not allowed",
    "else": "conditional expressions are not allowed",
    "and": "boolean operators are not allowed",
    "or": "boolean operators are not allowed",
    "not": "boolean operators are not allowed",
}


def _check_name(name: str, text: str, position: int) -> None:
    if name == "x" or name in CONSTANTS or name in FUNCTIONS:
        return
    if name in _KEYWORD_PROBLEMS:
        raise FormulaError(_KEYWORD_PROBLEMS[name], text, position)
    if len(name) == 1:
        raise FormulaError(f"unknown variable '{name}' (the only variable is x)", text, position)
    raise FormulaError(f"unknown name '{name}' (allowed: x, pi, e and the functions "
                       f"{', '.join(sorted(set(FUNCTIONS)))})", text, position)


def _is_value_end(token: _Token) -> bool:
    return (token.kind == "number" or token.text == ")"
            or (token.kind == "name" and token.text not in FUNCTIONS))


def _is_value_start(token: _Token) -> bool:
    return token.kind in ("number", "name") or token.text == "("


def _to_python_text(tokens: list[_Token], text: str) -> tuple[str, list[int], dict[int, str]]:
    """Join tokens into Python syntax; return it, an offset map and the literals.

    ``origin[k]`` is the offset in the user's text of character ``k`` of the
    result; ``literals`` maps the result offset of each number to its text.
    """
    pieces: list[str] = []
    origin: list[int] = []
    literals: dict[int, str] = {}
    length = 0

    def emit(piece: str, source_position: int) -> None:
        nonlocal length
        pieces.append(piece)
        origin.extend([source_position] * len(piece))
        length += len(piece)

    previous: _Token | None = None
    for token in tokens:
        if previous is not None:
            if previous.kind == "number" and token.kind == "number":
                raise FormulaError("two numbers in a row", text, token.position)
            if previous.kind == "name" and previous.text in FUNCTIONS and token.text != "(":
                raise FormulaError(
                    f"function '{previous.text}' must be followed by '(' "
                    f"(write {previous.text}(x))", text, previous.position)
            if _is_value_end(previous) and _is_value_start(token):
                emit("*", token.position)
        if token.kind == "name" and token.text in FUNCTIONS and token is tokens[-1]:
            raise FormulaError(f"function '{token.text}' needs an argument", text, token.position)
        if token.kind == "number":
            literals[length] = token.text
        emit(token.text, token.position)
        emit(" ", token.position + len(token.text) - 1)
        previous = token
    return "".join(pieces), origin, literals


# --------------------------------------------------------------------------
# gates 3 and 4: whitelist walk and bounded construction
# --------------------------------------------------------------------------
_NODE_NAMES = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts",
    ast.Lambda: "lambdas", ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons",
    ast.BoolOp: "boolean operators", ast.IfExp: "conditional expressions",
    ast.Tuple: "tuples", ast.List: "lists", ast.Dict: "dictionaries",
    ast.Set: "sets", ast.Starred: "starred arguments",
    ast.JoinedStr: "strings", ast.NamedExpr: "assignments",
    ast.Await: "await", ast.Yield: "yield",
}


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
        self.nodes = 0

    def fail(self, message: str, node: ast.AST | None = None) -> FormulaError:
        position = None
        if node is not None and hasattr(node, "col_offset"):
            offset = min(node.col_offset, len(self.origin) - 1)
            position = self.origin[offset] if offset >= 0 else None
        return FormulaError(message, self.text, position)

    def visit(self, node: ast.AST, depth: int = 0) -> tuple[sympy.Expr, float | None]:
        self.nodes += 1
        if depth > config.MAX_AST_DEPTH:
            raise self.fail(f"the formula is nested too deeply (limit {config.MAX_AST_DEPTH})",
                            node)
        if self.nodes > config.MAX_AST_NODES:
            raise self.fail(f"the formula is too large (limit {config.MAX_AST_NODES} parts)",
                            node)
        if isinstance(node, ast.Expression):
            return self.visit(node.body, depth + 1)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise self.fail("only unary '+' and '-' are allowed", node)
            operand, value = self.visit(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return -operand, (None if value is None else -value)
            return operand, value
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        what = _NODE_NAMES.get(type(node), f"'{type(node).__name__}' expressions")
        raise self.fail(f"{what} are not allowed", node)

    def constant(self, node: ast.Constant) -> tuple[sympy.Expr, float]:
        literal = self.literals.get(node.col_offset)
        if literal is None or not isinstance(node.value, (int, float)) \
                or isinstance(node.value, bool):
            raise self.fail("only plain numbers are allowed as constants", node)
        mantissa, _, exponent = literal.lower().partition("e")
        if len(mantissa.replace(".", "")) > config.MAX_LITERAL_DIGITS:
            raise self.fail(
                f"number with too many digits (limit {config.MAX_LITERAL_DIGITS})", node)
        if exponent and abs(int(exponent)) > config.MAX_LITERAL_EXPONENT:
            raise self.fail(
                f"number too large or too small (exponent limit "
                f"{config.MAX_LITERAL_EXPONENT})", node)
        exact = Fraction(literal)
        return sympy.Rational(exact.numerator, exact.denominator), float(exact)

    def name(self, node: ast.Name) -> tuple[sympy.Expr, float | None]:
        if node.id == "x":
            return X, None
        if node.id in CONSTANTS:
            return CONSTANTS[node.id], _CONSTANT_VALUES[node.id]
        if node.id in FUNCTIONS:
            raise self.fail(f"function '{node.id}' must be called, e.g. {node.id}(x)", node)
        if len(node.id) == 1:
            raise self.fail(f"unknown variable '{node.id}' (the only variable is x)", node)
        raise self.fail(f"unknown name '{node.id}'", node)

    def binary(self, node: ast.BinOp, depth: int) -> tuple[sympy.Expr, float | None]:
        left, left_value = self.visit(node.left, depth + 1)
        right, right_value = self.visit(node.right, depth + 1)
        both = left_value is not None and right_value is not None
        op = node.op
        if isinstance(op, ast.Add):
            return left + right, (left_value + right_value if both else None)
        if isinstance(op, ast.Sub):
            return left - right, (left_value - right_value if both else None)
        if isinstance(op, ast.Mult):
            return left * right, (_float_mul(left_value, right_value) if both else None)
        if isinstance(op, ast.Div):
            if right_value is not None and right == 0:
                raise self.fail("division by zero", node)
            value = _float_div(left_value, right_value) if both else None
            return left / right, value
        if isinstance(op, ast.Pow):
            return self.power(node, left, left_value, right, right_value)
        raise self.fail(f"the operator '{type(op).__name__}' is not allowed "
                        "(use + - * / ** ^)", node)

    def power(self, node, base, base_value, exponent, exponent_value):
        if exponent_value is not None:
            if not math.isfinite(exponent_value) or \
                    abs(exponent_value) > config.MAX_POWER_EXPONENT:
                raise self.fail(
                    f"exponent too large (|p| must be at most {config.MAX_POWER_EXPONENT})",
                    node)
            if base_value is not None:
                if base_value == 0 and exponent_value < 0:
                    raise self.fail("division by zero (0 to a negative power)", node)
                size = abs(exponent_value) * math.log10(max(abs(base_value), 1e-300))
                if not math.isfinite(size) or abs(size) > config.MAX_CONSTANT_POWER_LOG10:
                    raise self.fail("constant power too large", node)
        elif base_value is not None and not math.isfinite(base_value):
            raise self.fail("constant base too large", node)
        value = None
        if base_value is not None and exponent_value is not None:
            try:
                value = float(base_value ** exponent_value)
            except (OverflowError, ZeroDivisionError, TypeError):
                value = math.nan
        return sympy.Pow(base, exponent), value

    def call(self, node: ast.Call, depth: int) -> tuple[sympy.Expr, float | None]:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only calls of the listed functions are allowed", node)
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function '{name}'", node)
        if node.keywords or len(node.args) != 1:
            raise self.fail(f"function '{name}' takes exactly one argument", node)
        argument, value = self.visit(node.args[0], depth + 1)
        result = FUNCTIONS[name](argument)
        if value is not None:
            try:
                value = float(_FLOAT_FUNCTIONS[name](value))
            except (ValueError, OverflowError, ZeroDivisionError, TypeError):
                value = math.nan
        return result, value


def _float_mul(a: float, b: float) -> float:
    return a * b


def _float_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        return math.nan


# --------------------------------------------------------------------------
# the Landscape object
# --------------------------------------------------------------------------
_NON_SMOOTH = (sympy.Abs, sympy.sign, sympy.Piecewise)


def _vectorise(expression: sympy.Expr) -> Callable[[np.ndarray], np.ndarray]:
    """Vectorised float64 numpy function of x; NaN where undefined or complex."""
    function = sympy.lambdify(X, expression, modules=[{"erf": scipy.special.erf}, "numpy"])

    def evaluate(x):
        points = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            try:
                values = np.asarray(function(points))
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                values = np.full(points.shape, np.nan)
            if np.iscomplexobj(values):
                real = np.where(np.abs(values.imag) <= 1e-12 * (1 + np.abs(values.real)),
                                values.real, np.nan)
                values = real
            values = np.broadcast_to(values.astype(np.float64, copy=False), points.shape)
        return np.array(values, dtype=np.float64)

    evaluate.__doc__ = f"Vectorised numpy evaluation of {expression}."
    return evaluate


def _size(expression: sympy.Expr, limit: int) -> int:
    count = 0
    for _ in sympy.preorder_traversal(expression):
        count += 1
        if count > limit:
            break
    return count


@dataclass(frozen=True)
class Landscape:
    """A loss function f(x) with its derivatives, ready for analysis.

    Attributes
    ----------
    source : str
        What reloads it with :func:`load_landscape`: formula text, or
        ``"sketch:x1,y1;x2,y2;..."``.
    kind : str
        ``"formula"`` or ``"sketch"``.
    expr : sympy.Expr
        f in the symbol :data:`X`.
    """

    source: str
    kind: str
    expr: sympy.Expr = field(repr=False)

    @cached_property
    def dexpr(self) -> sympy.Expr:
        """f' (Dirac deltas of abs/sign/pieces dropped)."""
        return _drop_deltas(sympy.diff(self.expr, X))

    @cached_property
    def d2expr(self) -> sympy.Expr:
        """f'' (Dirac deltas of abs/sign/pieces dropped)."""
        return _drop_deltas(sympy.diff(self.dexpr, X))

    @cached_property
    def f(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised f (float64 in, float64 out, NaN where undefined)."""
        return _vectorise(self.expr)

    @cached_property
    def df(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised f'."""
        return _vectorise(self.dexpr)

    @cached_property
    def d2f(self) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised f''."""
        return _vectorise(self.d2expr)

    @cached_property
    def is_polynomial(self) -> bool:
        """True if f is a polynomial in x."""
        return bool(self.expr.is_polynomial(X))

    @cached_property
    def is_smooth(self) -> bool:
        """False if f contains abs, sign or pieces (it may fail to be C^2 there)."""
        return not self.expr.has(*_NON_SMOOTH)

    @property
    def formula(self) -> str:
        """f as text; for formulas it is the source, for sketches SymPy's form."""
        return self.source if self.kind == "formula" else sympy.sstr(self.expr)


def _drop_deltas(expression: sympy.Expr) -> sympy.Expr:
    if expression.has(sympy.DiracDelta):
        expression = expression.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return expression


def _checked_expressions(expression: sympy.Expr, text: str):
    """Check f and build f', f''; (expr, dexpr, d2expr) or FormulaError."""
    if expression.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise FormulaError("the formula is undefined (division by zero or similar)", text)
    if expression.has(sympy.I):
        raise FormulaError("the formula is not real-valued", text)
    for power in expression.atoms(sympy.Pow):
        if power.base.is_number and power.base.is_negative and power.exp.is_number \
                and not power.exp.is_integer:
            raise FormulaError(
                f"the constant {power} is not real (SymPy takes the principal complex root); "
                "write e.g. -(8^(1/3)) instead of (-8)^(1/3)", text)
    others = expression.free_symbols - {X}
    if others:
        raise FormulaError(f"unknown variables {sorted(map(str, others))}", text)
    if X not in expression.free_symbols:
        raise FormulaError("the formula does not depend on x (a constant has no landscape)",
                           text)
    expressions = [expression]
    for name in ("f", "f'", "f''"):
        if name != "f":
            expressions.append(_drop_deltas(sympy.diff(expressions[-1], X)))
        if _size(expressions[-1], config.MAX_EXPR_OPS) > config.MAX_EXPR_OPS:
            raise FormulaError(f"the formula is too complex ({name} has more than "
                               f"{config.MAX_EXPR_OPS} parts)", text)
    return tuple(expressions)


def _build(tree, text, origin, literals):
    """Gate 4 and the derivatives; runs in a time-bounded worker."""
    expression, _ = _Builder(text, origin, literals).visit(tree)
    return _checked_expressions(expression, text)


_parse_cache: OrderedDict[str, Landscape] = OrderedDict()
_parse_lock = threading.Lock()


def parse_formula(text: str) -> Landscape:
    """Parse a formula in x typed by a user, without ever evaluating it.

    Parameters
    ----------
    text : str
        E.g. ``"x**4/4 - x^2/2 + 0.05 sin(30x)"``.

    Returns
    -------
    Landscape
        f, f', f'' are built and checked here (size, real values), under the
        time bound ``config.PARSE_TIMEOUT``.

    Raises
    ------
    FormulaError
        With a message naming the problem and, where possible, its position.
    """
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, not {type(text).__name__}")
    with _parse_lock:
        if text in _parse_cache:
            _parse_cache.move_to_end(text)
            return _parse_cache[text]
    _check_characters(text)
    tokens = _tokenize(text)
    if not tokens:
        raise FormulaError("the formula is empty", text)
    python_text, origin, literals = _to_python_text(tokens, text)
    try:
        tree = ast.parse(python_text, mode="eval")
    except SyntaxError as error:
        offset = (error.offset or 1) - 1
        position = origin[min(max(offset, 0), len(origin) - 1)] if origin else None
        reason = (error.msg or "invalid syntax").replace("invalid syntax", "incomplete or "
                                                         "malformed formula")
        raise FormulaError(f"cannot read the formula: {reason}", text, position) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("the formula is too complex to read", text) from None
    arguments = (tree, text, origin, literals)
    try:
        status, value = run_bounded(_build, arguments, config.PARSE_TIMEOUT)
    except WorkerUnavailable:
        status, value = "ok", _build(*arguments)
    if status == "error":
        if isinstance(value, FormulaError):
            raise value
        raise FormulaError(f"the formula cannot be handled ({value})", text)
    if status != "ok":
        raise FormulaError(f"the formula is too complex (building f, f' and f'' took more "
                           f"than {config.PARSE_TIMEOUT:g} s)", text)
    expression, first, second = value
    landscape = Landscape(text.strip(), "formula", expression)
    landscape.__dict__["dexpr"] = first   # pre-fill the cached properties
    landscape.__dict__["d2expr"] = second
    for name in ("f", "df", "d2f"):
        getattr(landscape, name)
    with _parse_lock:
        _parse_cache[text] = landscape
        while len(_parse_cache) > config.CACHE_SIZE:
            _parse_cache.popitem(last=False)
    return landscape


# --------------------------------------------------------------------------
# sketches
# --------------------------------------------------------------------------
_SKETCH_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SKETCH_RE = re.compile(rf"^\s*({_SKETCH_NUMBER})\s*,\s*({_SKETCH_NUMBER})\s*$")


def _format_number(value: float) -> str:
    return repr(float(value))


def landscape_from_sketch(points: Sequence[tuple[float, float]]) -> Landscape:
    """Natural cubic spline through sketched control points.

    Parameters
    ----------
    points : sequence of (x, y)
        At least 3 and at most ``config.MAX_SKETCH_POINTS`` points with
        distinct x (they are sorted by x).

    Returns
    -------
    Landscape
        ``kind == "sketch"``; f is C^2, passes through every point, and is
        continued linearly beyond the outer points (second derivative 0 there).
        ``source`` is the exact ``"sketch:..."`` string that reloads it.
    """
    try:
        array = np.array([(float(px), float(py)) for px, py in points], dtype=np.float64)
    except (TypeError, ValueError):
        raise FormulaError("a sketch is a list of (x, y) number pairs") from None
    if len(array) < 3:
        raise FormulaError("a sketch needs at least 3 points")
    if len(array) > config.MAX_SKETCH_POINTS:
        raise FormulaError(f"a sketch has at most {config.MAX_SKETCH_POINTS} points")
    if not np.all(np.isfinite(array)) or np.abs(array).max() > 1e6:
        raise FormulaError("sketch points must be finite numbers of size at most 1e6")
    array = array[np.argsort(array[:, 0], kind="stable")]
    if np.any(np.diff(array[:, 0]) <= 1e-9 * max(1.0, np.abs(array[:, 0]).max())):
        raise FormulaError("sketch points must have distinct x values")
    source = "sketch:" + ";".join(f"{_format_number(px)},{_format_number(py)}"
                                  for px, py in array)
    from scipy.interpolate import CubicSpline

    spline = CubicSpline(array[:, 0], array[:, 1], bc_type="natural")
    knots = array[:, 0]
    slope_first = float(spline(knots[0], 1))
    slope_last = float(spline(knots[-1], 1))
    # Each piece in Horner form in t = x - x_k, with its derivatives written
    # out directly (sympy.diff of 100 Float pieces would take seconds).
    value_pieces, slope_pieces, curvature_pieces = [], [], []
    left_end = sympy.Float(knots[0])
    before = sympy.StrictLessThan(X, left_end)
    value_pieces.append((_horner((array[0, 1], slope_first), X - left_end), before))
    slope_pieces.append((sympy.Float(slope_first), before))
    curvature_pieces.append((sympy.S.Zero, before))
    for k in range(len(knots) - 1):
        c3, c2, c1, c0 = (float(c) for c in spline.c[:, k])
        t = sympy.Add(X, sympy.Float(-knots[k]), evaluate=False)
        condition = sympy.StrictLessThan(X, sympy.Float(knots[k + 1]))
        value_pieces.append((_horner((c0, c1, c2, c3), t), condition))
        slope_pieces.append((_horner((c1, 2 * c2, 3 * c3), t), condition))
        curvature_pieces.append((_horner((2 * c2, 6 * c3), t), condition))
    right_end = sympy.Float(knots[-1])
    value_pieces.append((_horner((array[-1, 1], slope_last), X - right_end), True))
    slope_pieces.append((sympy.Float(slope_last), True))
    curvature_pieces.append((sympy.S.Zero, True))
    expression = sympy.Piecewise(*value_pieces, evaluate=False)
    if X not in expression.free_symbols:
        raise FormulaError("the sketch does not depend on x")
    landscape = Landscape(source, "sketch", expression)
    cache = landscape.__dict__   # pre-fill the cached properties
    cache["dexpr"] = sympy.Piecewise(*slope_pieces, evaluate=False)
    cache["d2expr"] = sympy.Piecewise(*curvature_pieces, evaluate=False)
    cache["is_polynomial"] = False
    cache["is_smooth"] = True
    for name, order in (("f", 0), ("df", 1), ("d2f", 2)):
        cache[name] = _spline_function(spline, knots[0], knots[-1], order)
    return landscape


def _horner(coefficients, t):
    """c_0 + t (c_1 + t (c_2 + ...)) built without SymPy's (slow) simplification."""
    result = sympy.Float(coefficients[-1])
    for coefficient in coefficients[-2::-1]:
        result = sympy.Add(sympy.Float(coefficient), sympy.Mul(t, result, evaluate=False),
                           evaluate=False)
    return result


def _spline_function(spline, first: float, last: float, order: int):
    """Vectorised derivative ``order`` of a natural spline continued linearly."""
    slope_first = float(spline(first, 1))
    slope_last = float(spline(last, 1))

    def evaluate(x):
        points = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            values = np.asarray(spline(np.clip(points, first, last), order), dtype=np.float64)
            below = points < first
            above = points > last
            if order == 0:
                values = values + np.where(below, slope_first * (points - first), 0.0) \
                    + np.where(above, slope_last * (points - last), 0.0)
            elif order == 2:
                values = np.where(below | above, 0.0, values)
        return np.array(np.broadcast_to(values, points.shape), dtype=np.float64)

    return evaluate


def parse_sketch(source: str) -> Landscape:
    """Read a ``"sketch:x1,y1;x2,y2;..."`` string back into a landscape."""
    if len(source) > config.MAX_SKETCH_SOURCE_LENGTH:
        raise FormulaError(f"the sketch text is too long (limit "
                           f"{config.MAX_SKETCH_SOURCE_LENGTH} characters)")
    body = source.strip()[len("sketch:"):]
    points = []
    offset = len(source) - len(source.lstrip()) + len("sketch:")
    for chunk in body.split(";"):
        match = _SKETCH_RE.match(chunk)
        if match is None:
            raise FormulaError("a sketch point must read 'x,y' with plain numbers",
                               source, offset)
        points.append((float(match.group(1)), float(match.group(2))))
        offset += len(chunk) + 1
    return landscape_from_sketch(points)


def load_landscape(source: str) -> Landscape:
    """Load a landscape from its source text.

    Parameters
    ----------
    source : str
        Formula text, a ``"sketch:..."`` string, or the key of a preset
        (``"paper-fig2"``, ...; its formula is loaded).
    """
    if not isinstance(source, str):
        raise FormulaError(f"the landscape source must be text, not {type(source).__name__}")
    stripped = source.strip()
    if stripped.startswith("sketch:"):
        return parse_sketch(stripped)
    from .presets import PRESETS

    if stripped in PRESETS:
        return load_landscape(PRESETS[stripped].source)
    return parse_formula(source)

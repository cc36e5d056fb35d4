"""The whitelist pass over the parsed tree, before any SymPy object exists.

Like PrairieLearn's ``CheckAST``: ``ast.parse(..., mode="eval")`` only parses;
this walk accepts a short list of node types (numbers, the names x, y, pi, e,
unary and binary arithmetic, calls of listed functions with the right number
of arguments) and bounds the depth and size of the tree and the size of each
literal. Anything else is refused with the offset of the offending node in the
user's text.
"""

from __future__ import annotations

import ast

from . import config
from .errors import (
    ForbiddenConstructError,
    FunctionUseError,
    NumberRangeError,
    TooComplexError,
    UnknownNameError,
)
from .vocabulary import CONSTANTS, FUNCTIONS, SEVERAL_ARGUMENTS, VARIABLES

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
_BINARY_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


class _Whitelist:
    def __init__(self, text: str, origin: list[int], literals: dict[int, str]):
        self.text = text
        self.origin = origin
        self.literals = literals
        self.nodes = 0

    def position(self, node: ast.AST) -> int | None:
        offset = getattr(node, "col_offset", None)
        if offset is None or not self.origin:
            return None
        return self.origin[min(max(offset, 0), len(self.origin) - 1)]

    def visit(self, node: ast.AST, depth: int = 0) -> None:
        self.nodes += 1
        if depth > config.MAX_AST_DEPTH:
            raise TooComplexError(
                f"the formula is nested too deeply (limit {config.MAX_AST_DEPTH})",
                self.text, self.position(node))
        if self.nodes > config.MAX_AST_NODES:
            raise TooComplexError(
                f"the formula is too large (limit {config.MAX_AST_NODES} parts)",
                self.text, self.position(node))
        if isinstance(node, ast.Expression):
            self.visit(node.body, depth + 1)
        elif isinstance(node, ast.Constant):
            self.constant(node)
        elif isinstance(node, ast.Name):
            self.name(node)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ForbiddenConstructError("only unary '+' and '-' are allowed",
                                              self.text, self.position(node))
            self.visit(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINARY_OPERATORS):
                raise ForbiddenConstructError(
                    f"the operator '{type(node.op).__name__}' is not allowed (use + - * / ** ^)",
                    self.text, self.position(node))
            self.visit(node.left, depth + 1)
            self.visit(node.right, depth + 1)
        elif isinstance(node, ast.Call):
            self.call(node, depth)
        else:
            what = _NODE_NAMES.get(type(node), f"'{type(node).__name__}' expressions")
            raise ForbiddenConstructError(f"{what} are not allowed", self.text,
                                          self.position(node))

    def constant(self, node: ast.Constant) -> None:
        literal = self.literals.get(node.col_offset)
        if literal is None or not isinstance(node.value, (int, float)) \
                or isinstance(node.value, bool):
            raise ForbiddenConstructError("only plain numbers are allowed as constants",
                                          self.text, self.position(node))
        mantissa, _, exponent = literal.lower().partition("e")
        if len(mantissa.replace(".", "")) > config.MAX_LITERAL_DIGITS:
            raise NumberRangeError(
                f"number with too many digits (limit {config.MAX_LITERAL_DIGITS})",
                self.text, self.position(node))
        if exponent and abs(int(exponent)) > config.MAX_LITERAL_EXPONENT:
            raise NumberRangeError(
                f"number too large or too small (exponent limit "
                f"{config.MAX_LITERAL_EXPONENT})", self.text, self.position(node))

    def name(self, node: ast.Name) -> None:
        if node.id in VARIABLES or node.id in CONSTANTS:
            return
        if node.id in FUNCTIONS:
            raise FunctionUseError(f"function '{node.id}' must be called, e.g. {node.id}(x)",
                                   self.text, self.position(node))
        if len(node.id) == 1:
            raise UnknownNameError(f"unknown variable '{node.id}' (the variables are x and y)",
                                   self.text, self.position(node))
        raise UnknownNameError(f"unknown name '{node.id}'", self.text, self.position(node))

    def call(self, node: ast.Call, depth: int) -> None:
        if not isinstance(node.func, ast.Name):
            raise ForbiddenConstructError("only calls of the listed functions are allowed",
                                          self.text, self.position(node))
        name = node.func.id
        if name not in FUNCTIONS:
            raise UnknownNameError(f"unknown function '{name}'", self.text,
                                   self.position(node))
        if node.keywords:
            raise ForbiddenConstructError("keyword arguments are not allowed", self.text,
                                          self.position(node))
        if name in SEVERAL_ARGUMENTS:
            if not node.args:
                raise FunctionUseError(f"function '{name}' needs at least one argument",
                                       self.text, self.position(node))
        elif len(node.args) != 1:
            raise FunctionUseError(
                f"function '{name}' takes exactly one argument (',' separates arguments "
                "only in max and min)", self.text, self.position(node))
        for argument in node.args:
            self.visit(argument, depth + 1)


def check_tree(tree: ast.AST, text: str, origin: list[int], literals: dict[int, str]) -> None:
    """Refuse any node of ``tree`` outside the formula language (see the module docstring).

    Parameters
    ----------
    tree : ast.Expression
        ``ast.parse(python, mode="eval")`` of the text from
        :func:`landscape.formula_apply.python_text`.
    text : str
        The user's text (for error messages).
    origin, literals
        As returned by :func:`~landscape.formula_apply.python_text`.
    """
    _Whitelist(text, origin, literals).visit(tree)

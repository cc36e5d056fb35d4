"""The words a formula may use: the variables x and y, constants and functions.

One table per kind, read by the tokenizer (which names exist), the whitelist
pass (how many arguments) and the builder (what SymPy object they make).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import sympy

X = sympy.Symbol("x", real=True)
"""The variable of every landscape (the first coordinate of a 2-D one)."""

Y = sympy.Symbol("y", real=True)
"""The second variable: a formula that uses it is a 2-D landscape f(x, y)."""

VARIABLES: dict[str, sympy.Symbol] = {"x": X, "y": Y}
"""The variables a formula may use, by name."""


def _sigmoid(u):
    return 1 / (1 + sympy.exp(-u))


def _softplus(u):
    return sympy.log(1 + sympy.exp(u))


FUNCTIONS: dict[str, Callable[..., sympy.Expr]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "cot": sympy.cot, "sec": sympy.sec, "csc": sympy.csc,
    "asin": sympy.asin, "arcsin": sympy.asin,
    "acos": sympy.acos, "arccos": sympy.acos,
    "atan": sympy.atan, "arctan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "asinh": sympy.asinh, "arcsinh": sympy.asinh,
    "acosh": sympy.acosh, "arccosh": sympy.acosh,
    "atanh": sympy.atanh, "arctanh": sympy.atanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
    "log10": lambda u: sympy.log(u) / sympy.log(10),
    "log2": lambda u: sympy.log(u) / sympy.log(2),
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs, "Abs": sympy.Abs, "sign": sympy.sign, "sgn": sympy.sign,
    "erf": sympy.erf, "sigmoid": _sigmoid, "softplus": _softplus,
    "max": sympy.Max, "Max": sympy.Max, "min": sympy.Min, "Min": sympy.Min,
}
"""Whitelisted functions, by the name a user types."""

SEVERAL_ARGUMENTS = frozenset({"max", "Max", "min", "Min"})
"""Functions that take one or more arguments; every other one takes exactly one."""

# Float versions, used only to bound constant exponents without asking SymPy
# to evaluate anything (evalf of exp(exp(exp(100))) would not terminate).
FLOAT_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan,
    "cot": lambda u: 1 / math.tan(u), "sec": lambda u: 1 / math.cos(u),
    "csc": lambda u: 1 / math.sin(u),
    "asin": math.asin, "arcsin": math.asin, "acos": math.acos, "arccos": math.acos,
    "atan": math.atan, "arctan": math.atan,
    "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "asinh": math.asinh, "arcsinh": math.asinh,
    "acosh": math.acosh, "arccosh": math.acosh,
    "atanh": math.atanh, "arctanh": math.atanh,
    "exp": math.exp, "log": math.log, "ln": math.log, "log10": math.log10,
    "log2": math.log2, "sqrt": math.sqrt,
    "abs": abs, "Abs": abs, "sign": lambda u: float(np.sign(u)),
    "sgn": lambda u: float(np.sign(u)), "erf": math.erf,
    "sigmoid": lambda u: 1 / (1 + math.exp(-u)),
    "softplus": lambda u: math.log1p(math.exp(u)),
    "max": max, "Max": max, "min": min, "Min": min,
}

CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E}
CONSTANT_VALUES: dict[str, float] = {"pi": math.pi, "e": math.e, "E": math.e}

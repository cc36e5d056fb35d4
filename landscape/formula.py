"""Safe entry of a loss function f(x) as formula text.

A formula is never evaluated as Python. The text goes through these gates,
each in its own module and each refusing with a
:class:`~landscape.errors.FormulaError` subclass that names the problem and
its offset in the user's text:

1. :mod:`landscape.formula_text`: pasted characters normalised to ASCII
   (Unicode minus, full-width brackets, ``×``, ``π``, superscripts), then
   character checks and tokens (``^`` is ``**``);
2. :mod:`landscape.formula_apply`: functions applied (``sin 5x`` is
   ``sin(5x)``) and implicit multiplication inserted, giving Python text;
3. ``ast.parse(..., mode="eval")`` (which only parses) and
   :mod:`landscape.formula_check`, a whitelist walk of the tree;
4. :mod:`landscape.formula_build`: SymPy objects built node by node with
   bounded literals and powers, then f', f'' with the cost bounded after
   common-subexpression elimination, in a worker under a time bound.

A formula may use x and y. :func:`parse_any_formula` returns a 1-D
:class:`~landscape.loss.Landscape` or, when f depends on y, a
:class:`~landscape.plane.PlaneLandscape` (gradient and Hessian built and
bounded the same way). :func:`parse_formula` keeps its 1-D contract for the
callers that need f(x): it refuses the name y.

The accepted language is listed in ``landscape/README.md`` and in
:data:`landscape.vocabulary.FUNCTIONS`.
"""

from __future__ import annotations

import ast
import threading

from cachetools import LRUCache

from . import config
from ._bounded import WorkerUnavailable, run_bounded
from .errors import FormulaError, FormulaSyntaxError, TooComplexError, UnknownNameError
from .formula_apply import python_text
from .formula_build import build_any
from .formula_check import check_tree
from .formula_text import check_characters, normalise, tokenize
from .loss import Landscape, vectorise
from .plane import PlaneLandscape, plane_from_parts

_parse_cache: LRUCache = LRUCache(maxsize=config.CACHE_SIZE)
_parse_lock = threading.Lock()


def _read(text: str) -> tuple[ast.Expression, list[int], dict[int, str]]:
    """Gates 1-3: the whitelisted tree, its offset map and its literals."""
    source = normalise(text)
    check_characters(source)
    tokens = tokenize(source)
    python, origin, literals = python_text(tokens, text)
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError as error:
        offset = (error.offset or 1) - 1
        position = origin[min(max(offset, 0), len(origin) - 1)] if origin else None
        reason = (error.msg or "invalid syntax").replace(
            "invalid syntax", "incomplete or malformed formula")
        raise FormulaSyntaxError(f"cannot read the formula: {reason}", text,
                                 position) from None
    except (RecursionError, MemoryError, ValueError):
        raise TooComplexError("the formula is too complex to read", text) from None
    check_tree(tree, text, origin, literals)
    return tree, origin, literals


def parse_formula(text: str) -> Landscape:
    """Parse a formula in x typed (or pasted) by a user, without ever evaluating it.

    Parameters
    ----------
    text : str
        E.g. ``"x**4/4 - x^2/2 + 0.05 sin(30x)"``.

    Returns
    -------
    Landscape
        f, f', f'' are built and checked here (cost after common
        subexpressions, real values), under the time bound
        ``config.PARSE_TIMEOUT``.

    Raises
    ------
    FormulaError
        A subclass naming the kind of problem, with a message and, where
        possible, the offset of the problem in ``text``. The name y is
        refused here (:func:`parse_any_formula` takes f(x, y)).
    """
    return _parse(text, bounded=True, plane=False)


def parse_any_formula(text: str) -> Landscape | PlaneLandscape:
    """:func:`parse_formula` for a formula in x, or in x and y.

    Returns
    -------
    Landscape or PlaneLandscape
        A :class:`~landscape.plane.PlaneLandscape` if f (once built) depends
        on y, else a 1-D :class:`~landscape.loss.Landscape`.
    """
    return _parse(text, bounded=True, plane=True)


def parse_trusted_formula(text: str) -> Landscape | PlaneLandscape:
    """:func:`parse_any_formula` for text written by this package (the presets).

    Every gate but the time bound: f and its derivatives are built in this
    process, so a preset is never refused because the machine is busy. Never
    pass user text.
    """
    return _parse(text, bounded=False, plane=True)


def _refuse_y(tree: ast.Expression, text: str, origin: list[int]) -> None:
    """The 1-D entry point: the name y is an unknown variable there."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "y":
            offset = min(max(node.col_offset, 0), len(origin) - 1) if origin else None
            raise UnknownNameError(
                "unknown variable 'y' here: this takes a formula in x only (a formula in x "
                "and y is a 2-D landscape)", text, origin[offset] if origin else None)


def _parse(text: str, bounded: bool, plane: bool) -> Landscape | PlaneLandscape:
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, not {type(text).__name__}")
    with _parse_lock:
        cached = _parse_cache.get(text)
        if cached is not None and (plane or cached.dimension == 1):
            return cached
    tree, origin, literals = _read(text)
    if not plane:
        _refuse_y(tree, text, origin)
    arguments = (tree, text, origin, literals)
    try:
        if not bounded:
            raise WorkerUnavailable("trusted text: no time bound")
        status, value = run_bounded(build_any, arguments, config.PARSE_TIMEOUT)
    except WorkerUnavailable:
        status, value = "ok", build_any(*arguments)
    if status == "error":
        if isinstance(value, FormulaError):
            raise value
        raise FormulaError(f"the formula cannot be handled ({value})", text)
    if status != "ok":
        raise TooComplexError(f"the formula is too complex (building f and its derivatives "
                              f"took more than {config.PARSE_TIMEOUT:g} s)", text)
    dimension, value = value
    if dimension == 2:
        expression, gradient, hessian, replacements, reduced = value
        landscape = plane_from_parts(expression, text.strip(), gradient, hessian,
                                     replacements, reduced)
        return _remember(text, landscape)
    expression, first, second, replacements, reduced = value
    landscape = Landscape(text.strip(), "formula", expression)
    cache = landscape.__dict__   # pre-fill the cached properties
    cache["dexpr"] = first
    cache["d2expr"] = second
    for name, shared in zip(("f", "df", "d2f"), reduced, strict=True):
        cache[name] = vectorise(shared, replacements)
    return _remember(text, landscape)


def _remember(text: str, landscape):
    with _parse_lock:
        _parse_cache[text] = landscape
    return landscape

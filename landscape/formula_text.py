"""From what a user typed (or pasted) to tokens, never evaluated.

Two steps, each refusing with a :class:`~landscape.errors.FormulaError`
subclass that carries the offset of the bad character in the user's text:

1. :func:`normalise`: characters pasted from a PDF or a phone become ASCII,
   as PrairieLearn does (its ``full_unidecode``): the minus sign U+2212 and
   dashes become ``-``, ``×`` and ``·`` become ``*``, ``÷`` becomes ``/``,
   ``π`` becomes ``pi``, superscripts become powers (``x²`` is ``x^(2)``),
   invisible joiners are dropped, and any other character whose NFKC form is
   ASCII takes that form (full-width ``（＋）``, mathematical italic ``𝑥``,
   no-break and thin spaces). What is left that is not ASCII is refused.
2. :func:`check_characters` and :func:`tokenize`: a whitelist of characters,
   balanced parentheses of bounded depth, and tokens (numbers, names,
   operators) with ``^`` read as ``**``.

Function application and implicit multiplication follow in
:mod:`landscape.formula_apply`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import config
from .errors import (
    CharacterError,
    ForbiddenConstructError,
    FormulaSyntaxError,
    TooComplexError,
    UnknownNameError,
)
from .vocabulary import CONSTANTS, FUNCTIONS, VARIABLES

# --------------------------------------------------------------------------
# 1. normalisation
# --------------------------------------------------------------------------
_REPLACEMENTS = {
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
    "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*", "\u2217": "*",
    "\u00f7": "/", "\u2215": "/", "\u2044": "/",
    "\u03c0": "pi", "\u1d28": "pi",
}
_DROPPED = set("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_SUPERSCRIPTS = dict(zip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
                         "\u207a\u207b\u207d\u207e\u02e3\u1d61",
                         "0123456789+-()xx", strict=True))


@dataclass(frozen=True)
class Normalised:
    """ASCII text and, for each of its characters, the offset in the user's text."""

    text: str
    origin: tuple[int, ...]
    original: str

    def position(self, offset: int) -> int | None:
        """Offset in the user's text of character ``offset`` of :attr:`text`."""
        if not self.origin:
            return None
        return self.origin[min(max(offset, 0), len(self.origin) - 1)]


def normalise(text: str) -> Normalised:
    """Map pasted characters to ASCII (see the module docstring), keeping offsets."""
    if len(text) > config.MAX_FORMULA_LENGTH:
        raise TooComplexError(
            f"the formula is too long ({len(text)} characters, limit "
            f"{config.MAX_FORMULA_LENGTH})", text[:config.MAX_FORMULA_LENGTH],
            config.MAX_FORMULA_LENGTH - 1)
    pieces: list[str] = []
    origin: list[int] = []
    in_superscript = False
    for offset, char in enumerate(text):
        if char in _SUPERSCRIPTS:
            piece = ("^(" if not in_superscript else "") + _SUPERSCRIPTS[char]
            in_superscript = True
        else:
            if in_superscript:
                pieces.append(")")
                origin.append(offset - 1)
                in_superscript = False
            if char.isascii() or char in _DROPPED:
                piece = "" if char in _DROPPED else char
            elif char in _REPLACEMENTS:
                piece = _REPLACEMENTS[char]
            else:
                folded = unicodedata.normalize("NFKC", char)
                piece = folded if folded.isascii() and folded.isprintable() else char
        pieces.append(piece)
        origin.extend([offset] * len(piece))
    if in_superscript:
        pieces.append(")")
        origin.append(len(text) - 1)
    return Normalised("".join(pieces), tuple(origin), text)


# --------------------------------------------------------------------------
# 2. characters and tokens
# --------------------------------------------------------------------------
_FORBIDDEN_CHARACTERS = {
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "[": "subscripts and lists are not allowed",
    "]": "subscripts and lists are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "_": "the character '_' is not allowed (only x, y, pi, e and the listed functions)",
    ":": "':' is not allowed (no lambdas, slices or annotations)",
    "=": "'=' is not allowed (no assignments or comparisons)",
    "<": "comparisons are not allowed",
    ">": "comparisons are not allowed",
    "!": "'!' is not allowed (no factorials or comparisons)",
    "|": "'|' is not allowed: write abs(u) for |u|",
    ";": "';' is not allowed (one expression only)",
    "\n": "line breaks are not allowed (one expression only)",
    "\r": "line breaks are not allowed (one expression only)",
}
_ALLOWED_PUNCTUATION = set("+-*/^(),. \t")

_TOKEN_RE = re.compile(
    r"(?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9]*)"
    r"|(?P<op>\*\*|\^|[-+*/(),])"
    r"|(?P<space>[ \t]+)"
)


@dataclass(frozen=True)
class Token:
    """One token; ``position`` is its offset in the user's (original) text."""

    kind: str      # "number" | "name" | "op"
    text: str
    position: int


def check_characters(source: Normalised) -> None:
    """Refuse forbidden characters and unbalanced or too deep parentheses."""
    text, original = source.text, source.original
    if len(text) > 4 * config.MAX_FORMULA_LENGTH:
        raise TooComplexError("the formula is too long once its characters are read",
                              original)
    if not text.strip():
        raise FormulaSyntaxError("the formula is empty", original)
    open_positions: list[int] = []
    for offset, char in enumerate(text):
        where = source.position(offset)
        if not char.isascii():
            name = unicodedata.name(char, "unnamed")
            raise CharacterError(
                f"non-ASCII character U+{ord(char):04X} ({name}) is not allowed; "
                "type plain ASCII (e.g. '-' not a dash, '*' not a dot)", original, where)
        if char in _FORBIDDEN_CHARACTERS:
            raise CharacterError(_FORBIDDEN_CHARACTERS[char], original, where)
        if ord(char) < 32 and char != "\t" or ord(char) == 127:
            raise CharacterError(f"control character {ord(char)!r} is not allowed",
                                 original, where)
        if not (char.isalnum() or char in _ALLOWED_PUNCTUATION):
            raise CharacterError(f"the character {char!r} is not allowed", original, where)
        if char == "(":
            open_positions.append(offset)
            if len(open_positions) > config.MAX_BRACKET_DEPTH:
                raise TooComplexError(
                    f"parentheses are nested too deeply (limit {config.MAX_BRACKET_DEPTH})",
                    original, where)
        elif char == ")":
            if not open_positions:
                raise FormulaSyntaxError("unmatched ')'", original, where)
            open_positions.pop()
    if open_positions:
        raise FormulaSyntaxError("'(' is never closed", original,
                                 source.position(open_positions[-1]))


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


def _check_name(name: str, text: str, position: int | None) -> None:
    if name in VARIABLES or name in CONSTANTS or name in FUNCTIONS:
        return
    if name in _KEYWORD_PROBLEMS:
        raise UnknownNameError(_KEYWORD_PROBLEMS[name], text, position)
    if len(name) == 1:
        raise UnknownNameError(f"unknown variable '{name}' (the variables are x and y)",
                               text, position)
    raise UnknownNameError(f"unknown name '{name}' (allowed: x, y, pi, e and the functions "
                           f"{', '.join(sorted(set(FUNCTIONS)))})", text, position)


def tokenize(source: Normalised) -> list[Token]:
    """Numbers, names and operators of the normalised text (``^`` becomes ``**``)."""
    text, original = source.text, source.original
    tokens: list[Token] = []
    offset = 0
    operator_run = 0
    while offset < len(text):
        match = _TOKEN_RE.match(text, offset)
        where = source.position(offset)
        if match is None:
            if text[offset] == ".":
                raise ForbiddenConstructError(
                    "'.' outside a number: attribute access is not allowed", original, where)
            raise CharacterError(f"unexpected character {text[offset]!r}", original, where)
        kind = match.lastgroup
        if kind == "name":
            _check_name(match.group(), original, where)
        if kind != "space":
            token_text = match.group()
            if kind == "op" and token_text in "+-*/**^":
                operator_run += 1
                if operator_run > 3:
                    raise FormulaSyntaxError("too many operators in a row", original, where)
            else:
                operator_run = 0
            tokens.append(Token(kind, "**" if token_text == "^" else token_text, where))
        offset = match.end()
    if not tokens:
        raise FormulaSyntaxError("the formula is empty", original)
    return tokens

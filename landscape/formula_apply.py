"""Function application and implicit multiplication: tokens to Python text.

A function name takes either a parenthesised argument list (``sin(x)``,
``max(x, 0)``) or, as PrairieLearn reads it, the implicit product that
follows it: ``sin 5x`` is ``sin(5x)``, ``sin x^2`` is ``sin(x^2)``,
``sin atan x`` is ``sin(atan(x))``. That argument ends at an explicit
operator (``+ - * / ,``) or at the next function name, so ``sin x cos x`` is
``sin(x) cos(x)`` and ``sin x/2`` is ``sin(x)/2``. A plain number after
``^`` raises the function's value: ``log^2 2x`` and ``sin**2(x)`` are
``(log(2x))^2`` and ``(sin(x))^2``.
"""

from __future__ import annotations

from . import config
from .errors import FormulaSyntaxError, FunctionUseError, TooComplexError
from .formula_text import Token
from .vocabulary import FUNCTIONS


def _is_function(token: Token) -> bool:
    return token.kind == "name" and token.text in FUNCTIONS


def _closing(tokens: list[Token], start: int) -> int:
    """Index of the ')' matching the '(' at ``start`` (brackets are balanced)."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].text == "(":
            depth += 1
        elif tokens[index].text == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


class _Applier:
    def __init__(self, tokens: list[Token], text: str):
        self.tokens = tokens
        self.text = text

    def power_of(self, index: int) -> tuple[Token | None, int]:
        """``f^p``: the plain number p (or None) and the index after it."""
        tokens = self.tokens
        name = tokens[index - 1].text
        if index < len(tokens) and tokens[index].text == "**":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is not None and following.kind == "number":
                return following, index + 2
            if following is not None and following.text == "-":
                raise FunctionUseError(
                    f"'{name}^-...' is ambiguous: write a{name}(x) for the inverse function "
                    f"or 1/{name}(x) for the reciprocal", self.text, tokens[index].position)
            raise FunctionUseError(
                f"only a plain number may follow '{name}^' (write {name}(x)^p for other "
                "powers)", self.text, tokens[index].position)
        return None, index

    def extent(self, index: int, depth: int) -> tuple[Token | None, int, int, bool]:
        """(power, argument start, argument end, bare) of the function at ``index``."""
        if depth > config.MAX_BRACKET_DEPTH:
            raise TooComplexError(f"functions are nested too deeply (limit "
                                  f"{config.MAX_BRACKET_DEPTH})", self.text,
                                  self.tokens[index].position)
        power, start = self.power_of(index + 1)
        tokens = self.tokens
        if start < len(tokens) and tokens[start].text == "(":
            return power, start, _closing(tokens, start) + 1, False
        return power, start, self.bare_end(index, start, depth), True

    def bare_end(self, function: int, start: int, depth: int) -> int:
        """End of the implicit product that a function name without '(' takes."""
        tokens = self.tokens
        index = start
        while index < len(tokens):
            token = tokens[index]
            if _is_function(token):
                if index == start:      # sin atan x: the inner application is the argument
                    _, _, index, _ = self.extent(index, depth + 1)
                break
            if token.kind in ("number", "name"):
                index += 1
            elif token.text == "(":
                index = _closing(tokens, index) + 1
            else:
                break
            while index < len(tokens) and tokens[index].text == "**":   # x^2, x^-1, x^(..)
                index += 1
                if index < len(tokens) and tokens[index].text in "+-":
                    index += 1
                if index < len(tokens) and tokens[index].text == "(":
                    index = _closing(tokens, index) + 1
                elif index < len(tokens) and not _is_function(tokens[index]) \
                        and tokens[index].kind in ("number", "name"):
                    index += 1
        if index == start:
            name = tokens[function].text
            raise FunctionUseError(f"function '{name}' needs an argument: write {name}(...)",
                                   self.text, tokens[function].position)
        return index

    def apply(self, start: int, stop: int, depth: int = 0) -> list[Token]:
        """Tokens[start:stop] with every function followed by '(' ... ')'."""
        tokens = self.tokens
        result: list[Token] = []
        index = start
        while index < stop:
            token = tokens[index]
            if not _is_function(token):
                result.append(token)
                index += 1
                continue
            power, begin, end, bare = self.extent(index, depth)
            if bare:
                argument = [Token("op", "(", token.position),
                            *self.apply(begin, end, depth + 1),
                            Token("op", ")", tokens[end - 1].position)]
            else:
                argument = [tokens[begin], *self.apply(begin + 1, end - 1, depth + 1),
                            tokens[end - 1]]
            if power is None:
                result.extend([token, *argument])
            else:
                result.extend([Token("op", "(", token.position), token, *argument,
                               Token("op", ")", power.position),
                               Token("op", "**", power.position), power])
            index = end
        return result


def _is_value_end(token: Token) -> bool:
    return (token.kind == "number" or token.text == ")"
            or (token.kind == "name" and token.text not in FUNCTIONS))


def _is_value_start(token: Token) -> bool:
    return token.kind in ("number", "name") or token.text == "("


def python_text(tokens: list[Token], text: str) -> tuple[str, list[int], dict[int, str]]:
    """Apply functions, insert implicit '*', and join into Python syntax.

    Returns
    -------
    (python, origin, literals)
        ``origin[k]`` is the offset in the user's text of character ``k`` of
        ``python``; ``literals`` maps the offset in ``python`` of each number
        to its text.
    """
    tokens = _Applier(tokens, text).apply(0, len(tokens))
    pieces: list[str] = []
    origin: list[int] = []
    literals: dict[int, str] = {}
    length = 0

    def emit(piece: str, source_position: int) -> None:
        nonlocal length
        pieces.append(piece)
        origin.extend([source_position] * len(piece))
        length += len(piece)

    previous: Token | None = None
    for token in tokens:
        if previous is not None:
            if previous.kind == "number" and token.kind == "number":
                raise FormulaSyntaxError("two numbers in a row", text, token.position)
            if _is_value_end(previous) and _is_value_start(token):
                emit("*", token.position)
        if token.kind == "number":
            literals[length] = token.text
        emit(token.text, token.position)
        emit(" ", token.position)
        previous = token
    return "".join(pieces), origin, literals

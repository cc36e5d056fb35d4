"""Errors a user can cause; their messages can be shown as they are.

Every refusal of a formula is a :class:`FormulaError` (a ``ValueError``)
with ``.message``, ``.text`` (what the user typed) and ``.position`` (0-based
offset into ``.text``, or None). Like PrairieLearn's ``sympy_utils``, each
kind of problem has its own subclass, so callers and tests can tell them apart
without reading the message.
"""

from __future__ import annotations


class FormulaError(ValueError):
    """The text of a formula (or sketch) cannot be turned into a landscape.

    Parameters
    ----------
    message : str
        What is wrong, in words.
    text : str
        The original text the user typed.
    position : int or None
        0-based offset into ``text`` where the problem is, if known.
    """

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.message = message
        self.text = text
        self.position = position
        super().__init__(self._render())

    def __reduce__(self):
        return (type(self), (self.message, self.text, self.position))

    def _render(self) -> str:
        if self.position is None or not self.text:
            return self.message
        start = max(0, self.position - 8)
        snippet = self.text[start:self.position + 8]
        snippet = snippet.encode("unicode_escape").decode("ascii")
        return f"{self.message} (at character {self.position + 1}: '{snippet}')"  # 1-based for people


class CharacterError(FormulaError):
    """A character that no formula may contain (quotes, '_', control, look-alikes...)."""


class FormulaSyntaxError(FormulaError):
    """The text does not read as a formula (unbalanced brackets, dangling operator...)."""


class ForbiddenConstructError(FormulaError):
    """Python syntax outside the whitelist (attributes, lambdas, comparisons...)."""


class UnknownNameError(FormulaError):
    """A variable other than x, or a function that is not in the list."""


class FunctionUseError(FormulaError):
    """A known function used wrongly (no argument, wrong number of arguments)."""


class NumberRangeError(FormulaError):
    """A literal or a constant power too large or too small to handle."""


class UndefinedValueError(FormulaError):
    """Division by zero, a complex value, or a formula that does not depend on x."""


class TooComplexError(FormulaError):
    """Too long, too deeply nested, or too costly to build f, f' and f''."""


class SketchError(FormulaError):
    """Sketched control points (or their ``sketch:`` text) that cannot make a spline."""


class AnalysisError(ValueError):
    """Bad parameters for an analysis (L, b, alpha, sweep range)."""


class TheoryError(AnalysisError):
    """A prediction of the theory does not apply or cannot be computed (says which and why)."""

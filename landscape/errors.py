"""Errors a user can cause; their messages can be shown as they are."""

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
        return f"{self.message} (at character {self.position}: '{snippet}')"


class AnalysisError(ValueError):
    """Bad parameters for an analysis (L, b, alpha, sweep range)."""


class TheoryError(AnalysisError):
    """A prediction of the theory does not apply or cannot be computed (says which and why)."""

"""Load a landscape from its source text: a formula, a sketch or a preset key."""

from __future__ import annotations

from .errors import FormulaError
from .formula import parse_formula
from .loss import Landscape
from .presets import PRESETS
from .sketch import parse_sketch


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
    if stripped in PRESETS:
        return load_landscape(PRESETS[stripped].source)
    return parse_formula(source)

"""Load a landscape from its source text: a formula, a sketch or a preset key."""

from __future__ import annotations

import dataclasses

from .errors import FormulaError
from .formula import parse_any_formula, parse_trusted_formula
from .loss import Landscape
from .plane import PlaneLandscape
from .plane_presets import ALL_PRESETS
from .sketch import parse_sketch


def load_landscape(source: str) -> Landscape | PlaneLandscape:
    """Load a landscape from its source text.

    Parameters
    ----------
    source : str
        Formula text in x (a 1-D :class:`~landscape.loss.Landscape`) or in x
        and y (a :class:`~landscape.plane.PlaneLandscape`), a
        ``"sketch:..."`` string, or the key of a preset (``"paper-fig2"``,
        ``"paper-himmelblau"``, ...; its formula is loaded). The presets' own
        formulas are built in this process without the parser's time bound,
        so a busy machine never refuses them.
    """
    if not isinstance(source, str):
        raise FormulaError(f"the landscape source must be text, not {type(source).__name__}")
    stripped = source.strip()
    if stripped.startswith("sketch:"):
        return parse_sketch(stripped)
    key = stripped if stripped in ALL_PRESETS else None
    if key is not None:
        stripped = ALL_PRESETS[key].source
    if stripped in _PRESET_SOURCES:      # our own text: built without the time bound
        land = parse_trusted_formula(stripped)
        return _named(land, key) if key is not None and land.dimension == 2 else land
    return parse_any_formula(source)


def _named(land: PlaneLandscape, key: str) -> PlaneLandscape:
    """The preset's landscape carrying its key as ``name`` (built functions shared)."""
    named = dataclasses.replace(land, name=key)
    named.__dict__.update({k: v for k, v in land.__dict__.items()
                           if k not in ("expr", "text", "name")})
    return named


_PRESET_SOURCES = frozenset(preset.source for preset in ALL_PRESETS.values())

"""Pure analysis of one-dimensional loss landscapes for truncated heavy-tailed SGD.

Formula entry (``formula*.py``, never evaluated), sketches, critical points, attraction fields,
the typical transition graph, the clipping-threshold sweep and presets. Never
imports Streamlit. See ``landscape.analysis`` for a maths primer.
"""

from .analysis import (
    Analysis,
    CommunicatingClass,
    CriticalPoints,
    Field,
    Structure,
    analyze,
    critical_points,
    exit_exponent,
    structure_for_widths,
)
from .errors import AnalysisError, FormulaError
from .formula import parse_formula
from .loss import Landscape
from .presets import DEFAULT_PRESET, PRESETS, NoiseDefaults, Preset
from .sketch import landscape_from_sketch
from .sources import load_landscape
from .sweep import SweepInterval, breakpoints, sweep
from .vocabulary import FUNCTIONS, X

__all__ = [
    "DEFAULT_PRESET",
    "FUNCTIONS",
    "PRESETS",
    "Analysis",
    "AnalysisError",
    "CommunicatingClass",
    "CriticalPoints",
    "Field",
    "FormulaError",
    "Landscape",
    "NoiseDefaults",
    "Preset",
    "Structure",
    "SweepInterval",
    "X",
    "analyze",
    "breakpoints",
    "critical_points",
    "exit_exponent",
    "landscape_from_sketch",
    "load_landscape",
    "parse_formula",
    "structure_for_widths",
    "sweep",
]

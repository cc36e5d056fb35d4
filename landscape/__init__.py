"""Pure analysis of one-dimensional loss landscapes for truncated heavy-tailed SGD.

Formula entry (``formula*.py``, never evaluated), sketches, critical points, attraction
fields, the typical transition graph, the clipping-threshold sweep and presets, and
the theory's numbers: closed forms (``theory``), noise tails (``tails``),
Theorem 1's rates (``rates``), the limiting chain (``chain``), the smoothed
loss (``smoothing``) and all of it at once (``predict``). Never imports
Streamlit. See ``landscape.analysis`` for a maths primer.
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
from .chain import ClassChain, limiting_chains, run_shares, small_field_share
from .errors import AnalysisError, FormulaError, TheoryError
from .formula import parse_formula
from .loss import Landscape
from .predict import Prediction, predict, predict_from_points
from .presets import DEFAULT_PRESET, PRESETS, NoiseDefaults, Preset
from .rates import ExitPrediction, ExitRates, exit_rates, predict_exit
from .sketch import landscape_from_sketch
from .smoothing import SmoothedLoss, one_point_convex_region, smoothed_loss
from .sources import load_landscape
from .sweep import SweepInterval, breakpoints, sweep
from .tails import is_heavy_tailed, tail_index, tail_probability
from .theory import LIMIT_NOTE, clip_threshold, surviving_minima
from .vocabulary import FUNCTIONS, X

__all__ = [
    "DEFAULT_PRESET",
    "FUNCTIONS",
    "LIMIT_NOTE",
    "PRESETS",
    "Analysis",
    "AnalysisError",
    "ClassChain",
    "CommunicatingClass",
    "CriticalPoints",
    "ExitPrediction",
    "ExitRates",
    "Field",
    "FormulaError",
    "Landscape",
    "NoiseDefaults",
    "Prediction",
    "Preset",
    "SmoothedLoss",
    "Structure",
    "SweepInterval",
    "TheoryError",
    "X",
    "analyze",
    "breakpoints",
    "clip_threshold",
    "critical_points",
    "exit_exponent",
    "exit_rates",
    "is_heavy_tailed",
    "landscape_from_sketch",
    "limiting_chains",
    "load_landscape",
    "one_point_convex_region",
    "parse_formula",
    "predict",
    "predict_exit",
    "predict_from_points",
    "run_shares",
    "small_field_share",
    "smoothed_loss",
    "structure_for_widths",
    "surviving_minima",
    "sweep",
    "tail_index",
    "tail_probability",
]

"""Pure analysis of one- and two-dimensional loss landscapes for truncated heavy-tailed SGD.

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
    Field,
    Structure,
    analyze,
    exit_exponent,
    structure_for_widths,
)
from .chain import ClassChain, limiting_chains, run_shares, small_field_share
from .critical import CriticalPoints, critical_points
from .errors import AnalysisError, FormulaError, TheoryError
from .formula import parse_any_formula, parse_formula
from .loss import Landscape
from .plane import PlaneLandscape
from .plane_analysis import MinimiserSet, PlaneAnalysis, PlaneField, analyze_plane
from .plane_presets import ALL_PRESETS, PLANE_PRESETS
from .plane_radius import RadiusSuggestion, suggest_radius
from .predict import Prediction, predict, predict_from_points
from .presets import DEFAULT_PRESET, PRESETS, NoiseDefaults, Preset
from .rates import ExitPrediction, ExitRates, exit_rates, predict_exit
from .sketch import landscape_from_sketch
from .smoothing import SmoothedLoss, one_point_convex_region, smoothed_loss
from .sources import load_landscape
from .sweep import SweepInterval, breakpoints, sweep
from .tails import is_heavy_tailed, tail_index, tail_probability
from .theory import LIMIT_NOTE, clip_threshold, parse_clip_threshold, surviving_minima
from .vocabulary import FUNCTIONS, X, Y

__all__ = [
    "ALL_PRESETS",
    "DEFAULT_PRESET",
    "FUNCTIONS",
    "LIMIT_NOTE",
    "PLANE_PRESETS",
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
    "MinimiserSet",
    "NoiseDefaults",
    "PlaneAnalysis",
    "PlaneField",
    "PlaneLandscape",
    "Prediction",
    "Preset",
    "RadiusSuggestion",
    "SmoothedLoss",
    "Structure",
    "SweepInterval",
    "TheoryError",
    "X",
    "Y",
    "analyze",
    "analyze_plane",
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
    "parse_any_formula",
    "parse_clip_threshold",
    "parse_formula",
    "predict",
    "predict_exit",
    "predict_from_points",
    "run_shares",
    "small_field_share",
    "smoothed_loss",
    "structure_for_widths",
    "suggest_radius",
    "surviving_minima",
    "sweep",
    "tail_index",
    "tail_probability",
]

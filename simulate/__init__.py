"""Simulation of (truncated) heavy-tailed SGD on 1-D and 2-D landscapes.

X <- phi(X - phi(eta (f'(X) - Z), b), L) for many paths at once (numba,
parallel over paths, an explicit random stream per path). Public API: see
``docs/DESIGN.md``. Never imports Streamlit.
"""

from . import specialise as _specialise
from . import specialise_warm as _specialise_warm
from .compare import four_way
from .errors import SimulationError
from .exits import ExitStudy, ExitTimes, exit_study, exit_times
from .gradient import Gradient, compile_gradient
from .noise import PAPER_HEAVY, PAPER_LIGHT, Noise, make_noise
from .protocols import ExitSamples, GeneratedGradient, Run, RunResult
from .rng import draw_noise, seed_states
from .simulation import Simulation
from .warmup import warmup

_specialise.set_warmer(_specialise_warm.warm)

#: Study API, imported on first use (``simulate.study`` pulls in Dask).
_LAZY = {"run_study": "study", "load_spec": "study_spec", "StudySpec": "study_spec",
         "load_study": "study_results", "StudyResults": "study_results",
         # 2-D (issue 11)
         "simulate_plane": "plane", "PlaneGrids": "plane", "PlaneRunResult": "plane",
         "PlaneSimulation": "plane_run",
         "draw_plane_noise": "plane", "plane_exit_times": "plane_exits",
         "PlaneExitTimes": "plane_exits", "compile_plane_gradient": "plane_gradient",
         "PlaneGradient": "plane_gradient"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PAPER_HEAVY",
    "PAPER_LIGHT",
    "ExitSamples",
    "ExitStudy",
    "ExitTimes",
    "GeneratedGradient",
    "Gradient",
    "Noise",
    "PlaneExitTimes",
    "PlaneGradient",
    "PlaneGrids",
    "PlaneRunResult",
    "PlaneSimulation",
    "Run",
    "RunResult",
    "Simulation",
    "SimulationError",
    "StudyResults",
    "StudySpec",
    "compile_gradient",
    "compile_plane_gradient",
    "draw_noise",
    "draw_plane_noise",
    "exit_study",
    "exit_times",
    "four_way",
    "load_spec",
    "load_study",
    "make_noise",
    "plane_exit_times",
    "run_study",
    "seed_states",
    "simulate_plane",
    "warmup",
]

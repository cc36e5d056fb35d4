"""Validation and parameter resolution shared by the drivers."""

from __future__ import annotations

import contextlib
import math
import numbers
import threading

import numpy as np

from landscape import theory

from . import config
from .errors import SimulationError


def positive(name: str, value, *, allow_inf: bool = False) -> float:
    """float(value) > 0 (finite unless allow_inf), else SimulationError."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SimulationError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(v) or v <= 0 or (math.isinf(v) and not allow_inf):
        raise SimulationError(f"{name} must be a positive{'' if allow_inf else ' finite'} number, got {v!r}")
    return v


def count(name: str, value, lo: int, hi: int) -> int:
    """An integer in [lo, hi], else SimulationError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | float | np.floating):
        raise SimulationError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, float | np.floating) and (
            not math.isfinite(value) or value != int(value)):
        raise SimulationError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if not lo <= v <= hi:
        raise SimulationError(f"{name} must be between {lo:,} and {hi:,}, got {v:,}")
    return v


def clip_threshold(b) -> float:
    """b as a positive float, ``math.inf`` for no clipping (``landscape.theory.clip_threshold``)."""
    try:
        return theory.clip_threshold(b)
    except ValueError as exc:
        raise SimulationError(f"b (clipping threshold): {exc}") from None


def parse_clip_threshold(value) -> float:
    """b from a user (command line, TOML): None and the words of no clipping -> inf
    (``landscape.theory.parse_clip_threshold``)."""
    try:
        return theory.parse_clip_threshold(value)
    except ValueError as exc:
        raise SimulationError(f"b (clipping threshold): {exc}") from None


def seed_value(seed) -> int:
    return count("seed", seed, 0, config.MAX_SEED)


def start_points(x0, paths: int, L: float) -> np.ndarray:
    """x0 (scalar or (paths,) array) as a float array inside [-L, L]."""
    try:
        xs = np.array(x0, dtype=float, copy=True)
    except (TypeError, ValueError):
        raise SimulationError(f"x0 must be a number or an array of numbers, got {x0!r}") from None
    if xs.ndim == 0:
        xs = np.full(paths, float(xs))
    elif xs.shape != (paths,):
        raise SimulationError(f"x0 must be a number or have one entry per path ({paths}), got shape {xs.shape}")
    if not np.all(np.isfinite(xs)):
        raise SimulationError("x0 must be finite")
    bad = np.abs(xs) > L
    if bad.any():
        raise SimulationError(f"start point x0 = {xs[bad][0]:g} is outside [-L, L] = [{-L:g}, {L:g}]")
    return xs


def boundaries_for(land, L: float, boundaries) -> np.ndarray:
    """Sorted interior field boundaries (the maxima s_1..s_{n-1}) inside (-L, L).

    Uses ``boundaries`` if given, else the maxima of
    ``landscape.critical_points(land, L)`` (cached; no transition graph).
    """
    if boundaries is None:
        points = critical_points_for(land, L)
        if points is None:
            raise SimulationError(
                "field boundaries are needed: pass boundaries= (the maxima) or a landscape.Landscape")
        boundaries = points.maxima
    try:
        s = np.array(sorted(float(v) for v in boundaries), dtype=float)
    except (TypeError, ValueError):
        raise SimulationError(f"boundaries must be numbers, got {boundaries!r}") from None
    if not np.all(np.isfinite(s)):
        raise SimulationError("boundaries must be finite")
    return s


def critical_points_for(land, L: float):
    """``landscape.critical_points(land, L)`` if ``land`` is a landscape, else None."""
    if not hasattr(land, "expr"):
        return None
    from landscape.critical import critical_points

    try:
        return critical_points(land, L)
    except ValueError as exc:
        raise SimulationError(str(exc)) from exc


def extended(bounds: np.ndarray) -> np.ndarray:
    return np.concatenate(([-np.inf], bounds, [np.inf]))


def field_of(bounds: np.ndarray, x) -> np.ndarray:
    """0-based field index of x: Omega_i = [s_i, s_{i+1}) (s_0 = -inf), as landscape.field_of."""
    return np.searchsorted(bounds, x, side="right")


def work_check(paths: int, steps: int) -> None:
    if paths * steps > config.MAX_WORK:
        raise SimulationError(
            f"{paths:,} paths x {steps:,} steps is too much work for one call "
            f"(limit {config.MAX_WORK:,} steps in total); advance in smaller chunks")


_WORKQUEUE_LOCK = threading.Lock()


def launch_guard():
    """Context for a parallel kernel launch.

    numba's ``workqueue`` threading layer must not be entered from two
    threads at once (e.g. two Streamlit sessions); ``omp`` and ``tbb`` can.
    Launches are serialised only when the layer is workqueue (or not yet
    chosen).
    """
    import numba

    try:
        layer = numba.threading_layer()
    except ValueError:          # no parallel kernel has run yet
        layer = None
    return _WORKQUEUE_LOCK if layer in (None, "workqueue") else contextlib.nullcontext()


@contextlib.contextmanager
def thread_budget(paths: int):
    """Run a parallel kernel launched from a non-main thread on one thread when
    ``paths < config.SHARED_PARALLEL_MIN_PATHS``.

    A server (Streamlit) advances many sessions' runs from many threads at once;
    each launch of a ``parallel=True`` kernel then starts its own team of
    ``NUMBA_NUM_THREADS`` threads, and with the OpenMP layer these teams spin
    waiting for each other on the 2 cores: with 10 live sessions every view
    froze (RELIABILITY.md, finding F9). The sessions are the parallelism there.
    ``numba.set_num_threads`` is per thread, so the CLI and the benchmarks
    (main thread) keep every core.
    """
    import numba

    if threading.current_thread() is threading.main_thread() or \
            paths >= config.SHARED_PARALLEL_MIN_PATHS:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)

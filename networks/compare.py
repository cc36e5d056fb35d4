"""The slides' table: each method trained with several seeds, its measures summarised.

:func:`run_compare` trains every (method, seed), measures it and returns the
rows of the table (mean and sample standard deviation over seeds);
:data:`SLIDES_ROW` is the slides' published row for Corrupted FMNIST with
LeNet (THEORY.md section 8), shown beside the measured one for reference.
:func:`slice_line` gives a trained model's loss along a line and
:func:`slice_plane` on a plane (fitted by a polynomial f(x, y));
:func:`slice_of` trains the model(s) and slices.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import jax.numpy as jnp
import numpy as np

from .config import TrainSettings, check_methods
from .data import DataSet, load_dataset
from .plane_slices import (
    PLANE_DEGREE,
    PLANE_GRID,
    check_plane_settings,
    fit_plane,
    loss_on_plane,
    orthogonal_direction,
    plane_axis,
)
from .slices import filter_normalised_direction, line_ts, loss_along_line, slice_to_sketch
from .train import TrainResult, measure, model_for, train

#: The slides' row "Corrupted FMNIST, LeNet": method -> (test accuracy, expected sharpness).
SLIDES_ROW = {"LB": (0.6866, 0.032), "SB": (0.6920, 0.008), "SB+Clip": (0.6877, 0.009),
              "SB+Noise": (0.6443, 0.047), "Our1": (0.6947, 0.003), "Our2": (0.7006, 0.002)}
#: Measures summarised in each row.
ROW_MEASURES = ("test_accuracy", "train_accuracy", "test_loss", "train_loss",
                "expected_sharpness", "max_eigenvalue", "tail_index")


def data_for(settings: TrainSettings) -> DataSet:
    """The settings' data set (split and corruption fixed by ``data_seed``)."""
    return load_dataset(settings.dataset, settings.n_train, settings.corrupt, settings.data_seed)


def summary(values) -> dict:
    """{"mean", "sd", "n"} of the finite values (sd with n - 1; 0 for one value); None if none."""
    finite = np.asarray([v for v in values if v is not None and math.isfinite(v)], float)
    if finite.size == 0:
        return {"mean": None, "sd": None, "n": 0}
    sd = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    return {"mean": float(finite.mean()), "sd": sd, "n": int(finite.size)}


def table_rows(measured: list[dict]) -> list[dict]:
    """Rows of the table from per-run measures (dicts with method, seed, seconds, measures).

    ``diverged`` counts the runs that diverged (:func:`networks.train.has_diverged`, or
    a loss that is not finite): their accuracy and loss are in the row, their sharpness,
    eigenvalue and tail index are not measured (a measure with ``n`` = 0 has mean None).
    """
    rows = []
    for method in dict.fromkeys(m["method"] for m in measured):
        runs = [m for m in measured if m["method"] == method]
        row = {"method": method, "seeds": [m["seed"] for m in runs]}
        for name in ROW_MEASURES:
            row[name] = summary([m.get(name, math.nan) for m in runs])
        row["seconds"] = float(sum(m["seconds"] for m in runs))
        row["diverged"] = sum(1 for m in runs if m.get("diverged")
                              or not math.isfinite(m.get("train_loss", math.nan)))
        rows.append(row)
    return rows


def run_one(settings: TrainSettings, data: DataSet, method: str, seed: int,
            progress: Callable[[dict], bool | None] | None = None) -> tuple[TrainResult, dict]:
    """Train and measure one (method, seed); the dict is the run's flat record."""
    result = train(settings, data, method, seed, progress=progress)
    clock = time.perf_counter()
    measures = measure(settings, data, result)
    record = {"method": method, "seed": seed, "steps": result.steps_done, "stopped": result.stopped,
              "seconds": result.seconds, "measure_seconds": time.perf_counter() - clock,
              **{k: v for k, v in measures.items() if k != "tail_ci"},
              "tail_ci_low": measures.get("tail_ci", [math.nan])[0],
              "tail_ci_high": measures.get("tail_ci", [math.nan, math.nan])[1]}
    return result, record


def run_compare(settings: TrainSettings, methods, seeds) -> dict:
    """The table: ``{"settings", "rows", "runs"}`` for ``methods`` x ``seeds``."""
    methods = check_methods(methods)
    data = data_for(settings)
    records = [run_one(settings, data, method, int(seed))[1] for method in methods for seed in seeds]
    return {"settings": settings.to_json(), "rows": table_rows(records), "runs": records}


def slice_line(settings: TrainSettings, data: DataSet, theta0: np.ndarray, direction: np.ndarray,
               kind: str, points: int) -> dict:
    """The training loss along theta0 + t direction: ``{"expr", "xs", "losses"}``."""
    model = model_for(settings, data)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    ts = line_ts(kind, points)
    losses = loss_along_line(lambda t: model.loss(t, x, y), theta0, direction, ts)
    return {"expr": slice_to_sketch(ts, losses), "xs": ts.tolist(), "losses": losses.tolist()}


def slice_plane(settings: TrainSettings, data: DataSet, theta0: np.ndarray, first: np.ndarray,
                second: np.ndarray, grid: int = PLANE_GRID, degree: int = PLANE_DEGREE) -> dict:
    """The training loss on theta0 + x first + y second, (x, y) in [-1, 1]^2, and its fit.

    Returns ``{"expr", "xs", "ys", "losses", "fit_error"}``: ``losses[i][j]`` at
    (xs[j], ys[i]) as measured; ``expr`` is the fitted f(x, y) of the loss minus its
    lowest sample (see :func:`networks.plane_slices.fit_plane`).
    """
    check_plane_settings(grid, degree)
    model = model_for(settings, data)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    axis = plane_axis(grid)
    losses = loss_on_plane(lambda t: model.loss(t, x, y), theta0, first, second, axis, axis)
    fit = fit_plane(axis, axis, losses, degree)
    return {"expr": fit.expr, "xs": axis.tolist(), "ys": axis.tolist(), "losses": losses.tolist(),
            "fit_error": fit.fit_error}


def plane_directions(theta: np.ndarray, segments, seed: int,
                     other: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two filter-normalised random directions, or (other - theta, a random one orthogonal to it)."""
    if other is None:
        return (filter_normalised_direction(theta, segments, seed),
                filter_normalised_direction(theta, segments, seed + 7919))
    first = other - theta
    return first, orthogonal_direction(first, theta, segments, seed)


def slice_of(settings: TrainSettings, method: str, seed: int, direction: str, points: int,
             plane: dict | None = None) -> dict:
    """Train ``method`` (and the other end of a "between:OTHER" line) and slice the loss.

    ``plane`` (``{"grid": n, "degree": d}``): slice on a plane instead of a line
    (:func:`slice_plane`; "between:OTHER" puts OTHER at the point (1, 0)).
    """
    if plane is not None:
        check_plane_settings(plane["grid"], plane["degree"])
    data = data_for(settings)
    model = model_for(settings, data)
    theta = train(settings, data, method, seed, record_tail=False).theta
    other = None
    if direction != "random":
        other_method = check_methods([direction.removeprefix("between:")])[0]
        other = train(settings, data, other_method, seed, record_tail=False).theta
    if plane is not None:
        first, second = plane_directions(theta, model.segments, seed, other)
        out = slice_plane(settings, data, theta, first, second, plane["grid"], plane["degree"])
    elif other is None:
        vector = filter_normalised_direction(theta, model.segments, seed)
        out = slice_line(settings, data, theta, vector, "random", points)
    else:
        out = slice_line(settings, data, theta, other - theta, "between", points)
    out.update(method=method, seed=seed, direction=direction, settings=settings.to_json())
    return out

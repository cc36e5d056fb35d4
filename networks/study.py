"""Study kind "training": the compare grid (methods x seeds x b x ...) as cells of a study.

Read by ``simulate.study_spec.build_spec`` when ``kind = "training"``; each cell
is one (method, seed, settings) training run, one chunk of size 1, run by
``simulate.study_run.run_chunk`` on the Dask runner and written to Parquet
(one row: the run's measures), so a study resumes where it stopped::

    kind = "training"
    dataset = "digits-corrupted"
    model = "mlp"
    steps = 200
    [grid]
    method = ["SB", "Our1"]
    seed = [0, 1]
    b = [0.2, "inf"]

Any field of :class:`networks.config.TrainSettings` may be given at the top
level; ``method``, ``seed``, ``b``, ``eta`` and ``steps`` may be lists under
``[grid]``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from dataclasses import asdict, dataclass, fields

from .config import TrainSettings, check_methods
from .errors import NetworksError

GRID_KEYS = ("method", "seed", "b", "eta", "steps")
_SETTING_KEYS = {f.name for f in fields(TrainSettings)}
_TOP_KEYS = {"kind", "title", "note", "grid", "method", "seed"} | _SETTING_KEYS


@dataclass(frozen=True)
class TrainingCell:
    """One training run of a study (the study runner's cell interface: index, key, kind,
    size, chunk)."""

    index: int
    key: str
    method: str
    seed: int
    settings: dict
    b: float
    eta: float
    steps: int
    kind: str = "training"
    size: int = 1
    chunk: int = 1

    def to_json(self) -> dict:
        out = asdict(self)
        out["b"] = "inf" if math.isinf(self.b) else self.b
        return out


def _b_value(value) -> float:
    if isinstance(value, str) and value.strip().lower() in ("inf", "none"):
        return math.inf
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NetworksError(f'b must be a number or "inf", got {value!r}')
    return float(value)


def build_training_cells(raw: dict) -> tuple[TrainingCell, ...]:
    """The cells of a "training" spec mapping; :class:`NetworksError` names a bad key."""
    grid = raw.get("grid", {})
    if not isinstance(grid, dict):
        raise NetworksError("[grid] must be a table")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise NetworksError(f"unknown key(s) in the training study: {', '.join(unknown)}")
    bad = sorted(set(grid) - set(GRID_KEYS))
    if bad:
        raise NetworksError(f"unknown key(s) in [grid]: {', '.join(bad)} (known: {', '.join(GRID_KEYS)})")
    axes = {}
    for key in GRID_KEYS:
        if key in grid and key in raw:
            raise NetworksError(f"{key} is given twice (top level and [grid]); give it once")
        values = grid.get(key, [raw[key]] if key in raw else [None])
        if not isinstance(values, list) or not values:
            raise NetworksError(f"[grid] {key} must be a non-empty list")
        axes[key] = values
    base = {k: v for k, v in raw.items() if k in _SETTING_KEYS}
    if "b" in base:
        base["b"] = _b_value(base["b"])
    cells = []
    for index, combo in enumerate(itertools.product(*(axes[k] for k in GRID_KEYS))):
        values = dict(zip(GRID_KEYS, combo))
        method = check_methods([values["method"] or "SB"])[0]
        seed = values["seed"] if values["seed"] is not None else 0
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise NetworksError(f"seed must be an integer >= 0, got {seed!r}")
        changes = dict(base)
        for key in ("b", "eta", "steps"):
            if values[key] is not None:
                changes[key] = _b_value(values[key]) if key == "b" else values[key]
        try:
            settings = TrainSettings(**changes)
        except TypeError as err:
            raise NetworksError(f"bad training settings: {err}") from None
        identity = {"method": method, "seed": seed, "settings": settings.to_json()}
        key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
        cells.append(TrainingCell(index, f"{key}-s{seed}", method, seed, settings.to_json(),
                                  settings.b, settings.eta, settings.steps))
    if len({c.key for c in cells}) != len(cells):
        raise NetworksError("two cells of the grid are the same run (a repeated value?)")
    return tuple(cells)


def cell_settings(cell: TrainingCell) -> TrainSettings:
    values = dict(cell.settings)
    values["b"] = _b_value(values["b"])
    return TrainSettings(**values)


def run_training_chunk(cell: TrainingCell, first: int, count: int) -> dict:
    """Train and measure the cell's run: ``{"record", "error", "seconds", "cpu_seconds"}``."""
    from .compare import data_for, run_one

    wall, cpu = time.perf_counter(), time.process_time()
    try:
        settings = cell_settings(cell)
        record = run_one(settings, data_for(settings), cell.method, cell.seed)[1]
        error = ""
    except NetworksError as err:
        record, error = {"method": cell.method, "seed": cell.seed}, str(err)
    return {"record": record, "error": error, "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu}


def training_row(cell: TrainingCell, result: dict) -> dict:
    """The Parquet row of a finished cell."""
    record = {k: v for k, v in result["record"].items() if k not in ("method", "seed")}
    return {"cell": cell.key, "cell_index": cell.index, "method": cell.method, "seed": cell.seed,
            "b": cell.b, "eta": cell.eta, "steps_asked": cell.steps, **record,
            "error": result["error"], "chunk_seconds": result["seconds"],
            "chunk_cpu_seconds": result["cpu_seconds"]}

"""Parameter-grid study specs: parse and validate a TOML file, expand it into cells.

A study is a grid of runs of one kind, ``"exit-times"`` (first exits from
the field of x0: per cell and sample the exit step, the destination, the
censoring) or ``"occupancy"`` (per cell: histogram on [-L, L], steps per
field, field-to-field transition counts). Any parameter may be a single
value at the top level or a list under ``[grid]``; the cells are the
Cartesian product, in the order of :data:`GRID_KEYS`::

    kind = "exit-times"
    expr = "x^4/4 - x^2/2"      # formula text or a preset key ("paper-fig2")
    L = 2.0
    x0 = -1.0
    samples = 10
    seed = 4
    [noise]
    family = "pareto"
    alpha = 1.2
    scale = 0.1
    [grid]
    eta = [0.03, 0.01]
    b = [0.5, "inf"]

Sample j of a cell uses the random stream ``(seed, stream, j)``, ``stream``
a hash of the cell's parameters, so its numbers do not depend on how the
cell is cut into chunks, on the workers, or on the other cells of the grid.
Every bad value raises :class:`~simulate.SimulationError` with one line that
names it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from landscape.theory import NO_CLIP_TEXT

from . import _common as C
from . import config
from .errors import SimulationError
from .exit_caps import predicted_exit_means, step_cap
from .noise import make_noise

KINDS = ("exit-times", "occupancy", "training")  # training: networks.study
#: Parameters that may take a list under [grid], in the order of the product.
GRID_KEYS = ("expr", "L", "family", "alpha", "scale", "b", "eta", "x0", "seed")
NOISE_KEYS = ("family", "alpha", "scale")
_TOP_KEYS = {"kind", "samples", "paths", "steps", "bins", "max_steps", "chunk", "noise", "grid",
             "title", "note"} | set(GRID_KEYS) - set(NOISE_KEYS)


@dataclass(frozen=True)
class Cell:
    """One point of the grid with everything a worker needs to run it.

    ``size`` is the number of samples (exit times) or paths (occupancy);
    ``boundaries`` are the field boundaries (maxima) used by the kernels;
    ``start_field`` is 0-based; ``l_star`` / ``beta`` are the start field's
    jump number and predicted exit-time slope (None for light tails);
    ``theory_scale`` is the theory's mean exit time 1/(q lambda(eta)) of
    THEORY 9 (steps; 1/lambda when q is unknown, None when there is no
    prediction); ``max_steps`` caps one exit sample and ``max_steps_source``
    says where the cap came from (``simulate.exit_caps``: "user" for the
    spec's own, "theory" or "default").
    """

    index: int
    key: str
    kind: str
    expr: str
    L: float
    family: str
    alpha: float | None
    scale: float
    b: float
    eta: float
    x0: float
    seed: int
    stream: int
    size: int
    steps: int
    bins: int
    max_steps: int
    max_steps_source: str
    chunk: int
    boundaries: tuple[float, ...]
    start_field: int
    l_star: int
    beta: float | None
    theory_scale: float | None

    def to_json(self) -> dict:
        d = asdict(self)
        d["b"] = "inf" if math.isinf(self.b) else self.b
        d["boundaries"] = list(self.boundaries)
        return d


@dataclass(frozen=True)
class StudySpec:
    """A parsed, validated study: the raw mapping and its cells."""

    kind: str
    raw: dict
    cells: tuple[Cell, ...]

    def to_json(self) -> dict:
        return {"kind": self.kind, "spec": self.raw, "cells": [c.to_json() for c in self.cells]}


def load_spec(source: str | Path) -> StudySpec:
    """Read a study spec from a TOML file path (or TOML text if it contains a newline)."""
    text = str(source)
    if "\n" not in text:
        path = Path(text)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SimulationError(f"cannot read the study spec {path}: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SimulationError(f"the study spec is not valid TOML: {exc}") from None
    return build_spec(raw)


def build_spec(raw: dict) -> StudySpec:
    """Validate a spec mapping (as read from TOML) and expand it into cells."""
    if not isinstance(raw, dict):
        raise SimulationError("the study spec must be a table of keys")
    if raw.get("kind") == "training":  # a grid of network trainings (networks.study)
        from networks.errors import NetworksError
        from networks.study import build_training_cells

        try:
            return StudySpec(kind="training", raw=raw, cells=build_training_cells(raw))
        except NetworksError as exc:
            raise SimulationError(str(exc)) from None
    unknown = sorted(set(raw) - _TOP_KEYS - set(NOISE_KEYS))
    if unknown:
        raise SimulationError(f"unknown key(s) in the study spec: {', '.join(unknown)} "
                              f"(known: {', '.join(sorted(_TOP_KEYS))})")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise SimulationError(f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    noise = raw.get("noise", {})
    grid = raw.get("grid", {})
    for name, table in (("[noise]", noise), ("[grid]", grid)):
        if not isinstance(table, dict):
            raise SimulationError(f"{name} must be a table")
    bad = sorted(set(noise) - set(NOISE_KEYS))
    if bad:
        raise SimulationError(f"unknown key(s) in [noise]: {', '.join(bad)} "
                              f"(known: {', '.join(NOISE_KEYS)})")
    bad = sorted(set(grid) - set(GRID_KEYS))
    if bad:
        raise SimulationError(f"unknown key(s) in [grid]: {', '.join(bad)} "
                              f"(known: {', '.join(GRID_KEYS)})")
    axes = {}
    for key in GRID_KEYS:
        places = [k for k, t in (("top level", raw), ("[noise]", noise), ("[grid]", grid))
                  if key in t]
        if len(places) > 1:
            raise SimulationError(f"{key} is given twice ({' and '.join(places)}); give it once")
        if key in grid:
            vals = grid[key]
            if not isinstance(vals, list) or not vals:
                raise SimulationError(f"[grid] {key} must be a non-empty list, got {vals!r}")
            if len({json.dumps(v) for v in vals}) != len(vals):
                raise SimulationError(f"[grid] {key} has a repeated value")
            axes[key] = vals
        elif key in noise:
            axes[key] = [noise[key]]
        elif key in raw:
            axes[key] = [raw[key]]
        else:
            axes[key] = [None]
    if axes["eta"] == [None]:
        raise SimulationError("eta (the learning rate) is missing: give eta or [grid] eta")
    if axes["x0"] == [None]:
        raise SimulationError("x0 (the start point) is missing")
    sizes = _sizes(kind, raw)
    n_cells = math.prod(len(v) for v in axes.values())
    if n_cells > 100_000:
        raise SimulationError(f"the grid has {n_cells:,} cells; at most 100,000 are allowed")
    cache: dict = {}
    cells = []
    for index, combo in enumerate(itertools.product(*(axes[k] for k in GRID_KEYS))):
        cells.append(_cell(index, kind, dict(zip(GRID_KEYS, combo)), sizes, cache))
    keys = [c.key for c in cells]
    if len(set(keys)) != len(keys):
        raise SimulationError("two cells of the grid are the same run (a repeated value?)")
    return StudySpec(kind=kind, raw=raw, cells=tuple(cells))


def _sizes(kind: str, raw: dict) -> dict:
    def integer(name, lo, hi, default=None):
        if name not in raw:
            if default is None:
                raise SimulationError(f"{name} is missing (a {kind} study needs it)")
            return default
        return C.count(name, raw[name], lo, hi)

    if kind == "exit-times":
        for k in ("paths", "steps", "bins"):
            if k in raw:
                raise SimulationError(f"{k} belongs to occupancy studies; an exit-times study "
                                      "has samples and max_steps")
        out = {"size": integer("samples", 1, config.MAX_SAMPLES), "steps": 0, "bins": 0}
        out["max_steps"] = (None if "max_steps" not in raw else
                            C.count("max_steps", raw["max_steps"], 1, 10**15))
    else:
        for k in ("samples", "max_steps"):
            if k in raw:
                raise SimulationError(f"{k} belongs to exit-times studies; an occupancy study "
                                      "has paths, steps and bins")
        out = {"size": integer("paths", 1, config.MAX_PATHS),
               "steps": integer("steps", 1, config.MAX_STEPS_PER_ADVANCE),
               "bins": integer("bins", 1, config.MAX_HIST_BINS, config.STUDY_DEFAULT_BINS),
               "max_steps": None}
    out["chunk"] = None if "chunk" not in raw else C.count("chunk", raw["chunk"], 1, out["size"])
    return out


def _number(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise SimulationError(f"{name} must be a number, got {v!r}")
    return float(v)


def _clip(v) -> float:
    """b of a TOML spec: a number, or "inf" / "none" / absent for no clipping."""
    if isinstance(v, str) and v.strip().lower() not in NO_CLIP_TEXT:
        raise SimulationError(f'b must be a number or "inf" (no clipping), got {v!r}')
    if v is not None and not isinstance(v, str):
        _number("b", v)
    return C.parse_clip_threshold(v)


def _landscape(expr, L, cache):
    import landscape

    if expr is None:
        expr = landscape.DEFAULT_PRESET
    if not isinstance(expr, str):
        raise SimulationError(f"expr must be formula text, got {expr!r}")
    key = ("land", expr)
    if key not in cache:
        try:
            cache[key] = landscape.load_landscape(expr)
        except ValueError as exc:
            raise SimulationError(f"expr {expr[:60]!r}: {' '.join(str(exc).split())}") from None
    if L is None:
        preset = landscape.PRESETS.get(expr.strip())
        if preset is None:
            raise SimulationError("L (the wall) is missing; it is needed unless expr is a preset key")
        L = preset.L
    return expr, cache[key], C.positive("L", _number("L", L))


def _cell(index: int, kind: str, v: dict, sizes: dict, cache: dict) -> Cell:
    import landscape

    expr, land, L = _landscape(v["expr"], v["L"], cache)
    family = v["family"] if v["family"] is not None else "pareto"
    if not isinstance(family, str):
        raise SimulationError(f"noise family must be text, got {family!r}")
    alpha = None if v["alpha"] is None else _number("alpha", v["alpha"])
    scale = None if v["scale"] is None else _number("scale", v["scale"])
    noise = make_noise(family, alpha, scale)
    b = _clip(v["b"])
    eta = C.positive("eta (learning rate)", _number("eta", v["eta"]))
    x0 = _number("x0", v["x0"])
    if abs(x0) > L:
        raise SimulationError(f"x0 = {x0:g} is outside [-L, L] = [{-L:g}, {L:g}]")
    seed = C.seed_value(0 if v["seed"] is None else v["seed"])
    akey = ("analysis", expr, L, b, noise.tail_index)
    if akey not in cache:
        try:
            cache[akey] = landscape.analyze(land, L, b, noise.tail_index)
        except ValueError as exc:
            raise SimulationError(f"landscape analysis failed: {' '.join(str(exc).split())}") from None
    an = cache[akey]
    bounds = tuple(float(s) for s in an.maxima)
    start = int(C.field_of(bounds, x0)) if bounds else 0
    ext = (-math.inf, *bounds, math.inf)
    if kind == "exit-times" and ext[start] <= -L and ext[start + 1] > L:
        raise SimulationError("the start field is all of [-L, L]: there is nothing to exit "
                              "(the landscape has a single field)")
    l_star = 1
    if math.isfinite(b) and start < len(an.fields):
        l_star = int(an.fields[start].l_star)
    a = noise.tail_index
    beta = None if a is None else float(landscape.exit_exponent(a, l_star))
    predicted = predicted_exit_means(land, L, b, noise, start, [eta])[0]
    cap_choice = step_cap(predicted, sizes["max_steps"])
    cap, source, theory = cap_choice.steps, cap_choice.source, cap_choice.predicted_mean
    chunk = sizes["chunk"]
    if chunk is None:
        per = theory if kind == "exit-times" else sizes["steps"]
        chunk = (config.STUDY_DEFAULT_CHUNK if per is None else
                 max(1, min(sizes["size"], int(config.STUDY_CHUNK_TARGET_STEPS // max(per, 1.0)))))
    identity = {"kind": kind, "expr": expr, "L": L, "family": noise.family, "alpha": noise.alpha,
                "scale": noise.scale, "b": "inf" if math.isinf(b) else b, "eta": eta, "x0": x0,
                "steps": sizes["steps"], "bins": sizes["bins"],
                "max_steps": cap if kind == "exit-times" else 0}
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    key = f"{digest[:16]}-s{seed}"
    stream = int(digest[16:24], 16) & 0x7FFFFFFF
    return Cell(index=index, key=key, kind=kind, expr=expr, L=L, family=noise.family,
                alpha=noise.alpha, scale=noise.scale, b=b, eta=eta, x0=x0, seed=seed,
                stream=stream, size=sizes["size"], steps=sizes["steps"], bins=sizes["bins"],
                max_steps=cap if kind == "exit-times" else 0,
                max_steps_source=source if kind == "exit-times" else "",
                chunk=chunk, boundaries=bounds, start_field=start, l_star=l_star, beta=beta,
                theory_scale=theory)

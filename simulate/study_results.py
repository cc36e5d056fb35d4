"""Read a study's results folder: the tables, per-cell summaries and the log-log fits.

Pure pandas/NumPy (no Streamlit); the dashboard's Studies page and
``run_study`` both use it. See :mod:`simulate.study` for the folder layout.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import SimulationError
from .exit_caps import fit_exit_slope
from .study_manifest import write_manifest

#: Columns that identify a curve of exit time against eta (everything but eta).
CURVE_KEYS = ("expr", "L", "family", "alpha", "scale", "b", "x0", "seed")


@dataclass(frozen=True)
class StudyResults:
    """A loaded study.

    Attributes
    ----------
    path : Path
    manifest : dict
        The study.json (spec, cells, versions, status).
    cells : DataFrame
        One row per cell: its parameters, ``samples`` (or ``paths``) done,
        ``complete``, and for exit times ``mean`` (censored samples count
        as the cap: a lower bound when ``censored`` > 0), ``mean_uncensored``,
        ``median``, ``censored``, ``l_star``, ``beta``, ``theory_scale``.
    rows : DataFrame
        Exit times: one row per cell and sample. Occupancy: one row per cell
        with ``hist``, ``field_steps``, ``field_fraction``, ``transitions``.
    """

    path: Path
    manifest: dict
    cells: pd.DataFrame
    rows: pd.DataFrame

    @property
    def kind(self) -> str:
        return self.manifest["kind"]


def _cell_frame(cells: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(cells)
    df = df.rename(columns={"key": "cell", "index": "cell_index"})
    df["b"] = [math.inf if v == "inf" else float(v) for v in df["b"]]
    if "start_field" not in df:  # a training study (networks.study): no landscape fields
        return df.drop(columns=["settings"], errors="ignore")
    df["start_field"] = df["start_field"] + 1
    return df.drop(columns=["boundaries"])


def _training_tables(path: Path, cells: pd.DataFrame):
    frames = _read_chunks(path, cells["cell"])
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["cell"])
    done = rows["cell"].value_counts()
    cells["done"] = cells["cell"].map(done).fillna(0).astype(int)
    cells["complete"] = cells["done"] >= cells["size"]
    return cells, rows.sort_values("cell_index").reset_index(drop=True) if len(rows) else rows


def _read_chunks(path: Path, keys) -> list[pd.DataFrame]:
    frames = []
    for key in keys:
        d = path / "chunks" / key
        if d.is_dir():
            frames += [pd.read_parquet(f) for f in sorted(d.glob("*.parquet"))]
    return frames


def _exit_tables(path: Path, cells: pd.DataFrame):
    frames = _read_chunks(path, cells["cell"])
    rows = (pd.concat(frames, ignore_index=True) if frames else
            pd.DataFrame(columns=["cell", "sample", "exit_time", "destination", "censored"]))
    size = dict(zip(cells["cell"], cells["size"]))
    if len(rows):
        rows = rows[rows["sample"] < rows["cell"].map(size)]
        rows = rows.drop_duplicates(["cell", "sample"]).sort_values(["cell_index", "sample"])
        rows = rows.reset_index(drop=True)
    g = rows.groupby("cell")
    t = rows["exit_time"].astype(float)
    unc = t.where(~rows["censored"].astype(bool))
    stats = pd.DataFrame({
        "done": g.size(),
        "censored": g["censored"].sum().astype(int),
        # censored samples included, steps run / exits (exit_caps.censored_mean)
        "mean": t.groupby(rows["cell"]).sum() / (g.size() - g["censored"].sum()).where(
            lambda exits: exits > 0),
        "mean_uncensored": unc.groupby(rows["cell"]).mean(),
        "median": t.groupby(rows["cell"]).median(),
        "exits_left": ((rows["destination"] > 0) & (rows["destination"] < rows["start_field"]))
        .groupby(rows["cell"]).sum() if len(rows) else pd.Series(dtype=int),
    })
    cells = cells.merge(stats, left_on="cell", right_index=True, how="left")
    cells["done"] = cells["done"].fillna(0).astype(int)
    cells["censored"] = cells["censored"].fillna(0).astype(int)
    cells["complete"] = cells["done"] >= cells["size"]
    return cells, rows


def _occupancy_tables(path: Path, cells: pd.DataFrame):
    frames = _read_chunks(path, cells["cell"])
    out = []
    if frames:
        ch = pd.concat(frames, ignore_index=True)
        for key, g in ch.groupby("cell", sort=False):
            fs = np.sum(np.stack(g["field_steps"].to_numpy()), axis=0)
            tot = fs.sum()
            out.append({"cell": key, "done": int(g["paths"].sum()),
                        "hist": np.sum(np.stack(g["hist"].to_numpy()), axis=0),
                        "field_steps": fs, "field_fraction": fs / tot if tot else fs * 0.0,
                        "transitions": np.sum(np.stack(g["transitions"].to_numpy()), axis=0),
                        "error": "; ".join(e for e in g["error"] if e)})
    rows = pd.DataFrame(out, columns=["cell", "done", "hist", "field_steps", "field_fraction",
                                      "transitions", "error"])
    cells = cells.merge(rows[["cell", "done"]], on="cell", how="left")
    cells["done"] = cells["done"].fillna(0).astype(int)
    cells["complete"] = cells["done"] >= cells["size"]
    params = cells.drop(columns=["done"])
    rows = params.merge(rows, on="cell", how="inner").sort_values("cell_index")
    return cells, rows.reset_index(drop=True)


def load_study(path: str | Path) -> StudyResults:
    """Load a results folder written by :func:`simulate.study.run_study`.

    Works on an unfinished study too (built from the chunk files).

    Raises
    ------
    SimulationError
        If the folder has no readable study.json.
    """
    path = Path(path)
    try:
        manifest = json.loads((path / "study.json").read_text())
    except FileNotFoundError:
        raise SimulationError(f"{path} is not a study results folder (no study.json)") from None
    except (OSError, ValueError) as exc:
        raise SimulationError(f"cannot read {path / 'study.json'}: {exc}") from None
    cells = _cell_frame(manifest["cells"])
    if manifest["kind"] == "exit-times":
        cells, rows = _exit_tables(path, cells)
    elif manifest["kind"] == "training":
        cells, rows = _training_tables(path, cells)
    else:
        cells, rows = _occupancy_tables(path, cells)
    return StudyResults(path=path, manifest=manifest, cells=cells, rows=rows)


def consolidate(out: str | Path, spec) -> pd.DataFrame:
    """Write the study's table and cells.parquet from its chunk files; return the cells."""

    out = Path(out)
    if not (out / "study.json").exists():
        write_manifest(out, spec, "running")
    res = load_study(out)
    name = {"exit-times": "exit_times.parquet", "training": "training.parquet"}.get(
        res.kind, "occupancy.parquet")
    res.rows.to_parquet(out / name, index=False)
    res.cells.to_parquet(out / "cells.parquet", index=False)
    return res.cells


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares slope of log(mean exit) on log(1/eta) for one curve."""

    params: dict
    etas: np.ndarray
    means: np.ndarray
    censored: np.ndarray
    samples: np.ndarray
    slope: float
    intercept: float
    beta: float | None
    used: np.ndarray


def exit_fits(cells: pd.DataFrame) -> list[SlopeFit]:
    """One fit per curve (cells equal in everything but eta), by ``exit_caps.fit_exit_slope``.

    A cell is used if at least one of its samples exited (its mean, steps run /
    exits, counts the censored samples' steps: say how many were censored
    wherever it is shown). Fewer than two such cells: slope NaN.
    """
    fits = []
    cells = cells[cells["done"] > 0]
    for _, g in cells.groupby(list(CURVE_KEYS), dropna=False, sort=False):
        g = g.sort_values("eta", ascending=False)
        etas = g["eta"].to_numpy(float)
        means = g["mean"].to_numpy(float)
        cens = g["censored"].to_numpy(int)
        done = g["done"].to_numpy(int)
        fit = fit_exit_slope(etas, means, cens, done)
        beta = g["beta"].iloc[0]
        fits.append(SlopeFit(params={k: g[k].iloc[0] for k in CURVE_KEYS}, etas=etas,
                             means=means, censored=cens, samples=done, slope=fit.slope,
                             intercept=fit.intercept,
                             beta=None if beta is None or pd.isna(beta) else float(beta),
                             used=fit.used))
    return fits


def latest_study(root: str | Path) -> Path | None:
    """The most recently written results folder (holding a study.json) under ``root``."""
    root = Path(root)
    if not root.is_dir():
        return None
    found = [p.parent for p in root.glob("**/study.json")]
    return max(found, key=lambda p: (p / "study.json").stat().st_mtime) if found else None

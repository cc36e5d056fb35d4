"""The manifest of a study's results folder: DIR/study.json (spec, cells, versions, status)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

from . import config

_PACKAGES = ("numpy", "scipy", "sympy", "numba", "pandas", "pyarrow", "dask", "distributed")


def versions() -> dict:
    """Versions of Python, the numeric packages and (if available) the repository commit."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    try:
        out["commit"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], check=False, cwd=config.REPO_ROOT,
            capture_output=True, text=True, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        out["commit"] = None
    return out


def write_manifest(out: Path, spec, status: str, run=None) -> None:
    """Write DIR/study.json atomically: spec, cells, versions, status and the run's summary.

    ``spec`` is a ``StudySpec``; ``run`` (optional) anything with ``to_json()``.
    """
    doc = {"format": 1, "kind": spec.kind, "status": status, "spec": spec.raw,
           "cells": [c.to_json() for c in spec.cells], "versions": versions(),
           "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if run is not None:
        doc["run"] = run.to_json()
    tmp = Path(out) / ".study.json.tmp"
    tmp.write_text(json.dumps(doc, indent=1, default=str))
    os.replace(tmp, Path(out) / "study.json")

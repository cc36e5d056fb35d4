"""Time to a ready 2-D analysis (``landscape.analyze_plane``) of the 2-D presets.

Run: ``.venv/bin/python bench/bench_plane_analysis.py [grid]``. For each 2-D
preset: the parse (trusted: no time bound) and the first analysis in this
process ("cold"), then the best of three analyses with the geometry cache
cleared ("warm": the formula's NumPy functions already built). Wall seconds.
The machine is shared: compare numbers from one run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landscape import plane_analysis, plane_geometry
from landscape.plane_presets import PLANE_PRESETS
from landscape.sources import load_landscape


def _analyse(key: str, grid: int) -> float:
    preset = PLANE_PRESETS[key]
    plane_geometry.clear_geometry_cache()
    started = time.perf_counter()
    plane_analysis.analyze_plane(load_landscape(key), preset.L, preset.b, grid=grid)
    return time.perf_counter() - started


def main() -> None:
    grid = int(sys.argv[1]) if len(sys.argv) > 1 else 301
    print(f"grid {grid}")
    print(f"{'preset':20s} {'cold wall':>10s} {'warm wall':>10s}")
    for key in PLANE_PRESETS:
        cold = _analyse(key, grid)
        warm = min(_analyse(key, grid) for _ in range(3))
        print(f"{key:20s} {cold:10.3f} {warm:10.3f}")


if __name__ == "__main__":
    main()

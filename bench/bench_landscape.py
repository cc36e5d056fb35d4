"""Time to a ready analysis of the paper's appendix formula (Fig. 2), and of a few others.

Run: ``.venv/bin/python bench/bench_landscape.py``. For each formula, the
first parse + analysis in this process ("cold") and then the best of five with
the parse and analysis caches cleared ("warm": SymPy and numpy imported and
used, the formula itself new to the caches). Wall seconds and CPU seconds
(this process plus the parser's forked worker, which on a busy machine is what
the 1 s bound counts) are printed.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import landscape
import landscape.critical
import landscape.formula
from landscape.presets import PAPER_FIG2_FORMULA

FORMULAS = {
    "appendix (paper Fig. 2)": PAPER_FIG2_FORMULA,
    "polynomial stand-in": landscape.PRESETS["paper-fig2-standin"].source,
    "x^4/4 - x^2/2 + 0.05 sin(30x)": "x^4/4 - x^2/2 + 0.05 sin(30x)",
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(text: str) -> tuple[float, float]:
    landscape.formula._parse_cache.clear()
    landscape.critical._cache.clear()
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    landscape.analyze(landscape.parse_formula(text), 1.6, 0.5, 1.2)
    return (time.perf_counter() - wall,
            time.process_time() - cpu + _children_cpu() - children)


def main() -> None:
    print(f"{'formula':32s} {'cold wall':>10s} {'cold cpu':>9s} {'warm wall':>10s} "
          f"{'warm cpu':>9s}")
    for name, text in FORMULAS.items():
        cold = _once(text)
        warm = min(_once(text) for _ in range(5))
        print(f"{name:32s} {cold[0]:10.3f} {cold[1]:9.3f} {warm[0]:10.3f} {warm[1]:9.3f}")


if __name__ == "__main__":
    main()

"""Warm the kernels of a specialised module: one tiny run and one exit through them.

Kept apart from ``simulate.specialise`` (which the gradient registry imports) so
that the specialisation needs none of the runs that exercise it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ._generated import load_generated


def warm(mod) -> None:
    """Call both kernels of ``mod`` once with the argument types of the real
    calls (a tiny Simulation and exit_times through ``mod``): compiles them,
    or loads them from numba's disk cache."""
    import sympy

    from .exits import exit_times
    from .gradient import compile_gradient
    from .noise import PAPER_HEAVY
    from .simulation import Simulation

    x = sympy.Symbol("x", real=True)
    stand_in = compile_gradient(sympy.atan(x))    # any cfunc: the same numba type
    sim = Simulation(stand_in, 1.0, 0.1, PAPER_HEAVY, b=0.5, x0=0.0, paths=2, boundaries=[0.5])
    sim.forced_kernels = mod
    sim.advance(2)
    exit_times(stand_in, 1.0, 0.1, PAPER_HEAVY, b=0.5, x0=0.0, samples=2, boundaries=[0.5],
               max_steps=2, kernels=mod)


def _main(argv: list[str]) -> int:
    """Subprocess entry (``simulate.specialise`` starts it): compile the kernels of the
    generated module ``argv[0]``, named ``argv[1]``."""
    path, name = Path(argv[0]), argv[1]
    warm(load_generated(path, path.read_text(), name))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))

"""Compile (or load from the disk cache) every kernel once.

The parallel kernels take a while to compile the first time on a fresh
machine (see bench/README.md); afterwards they load from
``<cache>/numba`` in well under a second. Call :func:`warmup` (or
``python -m simulate warmup``) at install time or when the app starts.
"""

from __future__ import annotations

import time

import numpy as np


def warmup(default_landscape: bool = True, plane: bool = False) -> float:
    """Run a tiny problem through every kernel; return the seconds it took.

    With ``default_landscape``, also build the tabulated f' of the default
    preset's formula (the paper's appendix formula, not a polynomial) on its L,
    so the dashboard's first run loads it from the disk cache; if it cannot be
    tabulated, build the kernels specialised for it instead (30-60 s of one
    core cold; a disk-cache load afterwards).
    Always the generic 2-D kernels (``simulate._kernels_plane_table``: one
    compile serves every formula, tabulated or exact). With ``plane``
    (``python -m simulate warmup``, i.e. ``make warmup``), also the table and
    the exact ``cfunc`` of each of ``PLANE_WARM_PRESETS`` on its R, and its
    specialised kernels (30-60 s cold each): off by default so a server's
    background warm-up never compiles those itself.
    """
    import sympy

    from .exits import exit_times
    from .noise import PAPER_HEAVY
    from .rng import draw_noise
    from .simulation import Simulation

    t0 = time.perf_counter()
    x = sympy.Symbol("x", real=True)
    d = x**3 - x
    Simulation(d, 2.0, 0.01, PAPER_HEAVY, b=0.5, x0=0.5, paths=2, boundaries=[0.0]).advance(2)
    exit_times(d, 2.0, 0.5, PAPER_HEAVY, x0=0.5, samples=2, boundaries=[0.0], max_steps=2)
    draw_noise(PAPER_HEAVY, 2)

    warm_plane()
    if default_landscape:
        import landscape

        from .gradient import compile_gradient
        from .table import choose_gradient, kinks_of

        preset = landscape.PRESETS[landscape.DEFAULT_PRESET]
        land = landscape.load_landscape(preset.source)
        g = compile_gradient(land)
        if not choose_gradient(g, preset.L, kinks=kinks_of(land, preset.L)).tabulated:
            g.wait(timeout=600)
    if plane:
        _warm_plane_presets()
    return time.perf_counter() - t0


#: 2-D presets whose table, exact ``cfunc`` and specialised kernels warm-up builds (the
#: specialised kernels: ~30-60 s cold on the 2-core VM, a disk-cache load afterwards);
#: the dashboard's 2-D default
PLANE_WARM_PRESETS = ("paper-himmelblau",)


def _warm_plane_presets() -> None:
    from landscape.plane_presets import PLANE_PRESETS
    from landscape.sources import load_landscape

    from .plane import compile_specialised
    from .plane_gradient import as_plane_gradient
    from .plane_table import plane_table

    for key in PLANE_WARM_PRESETS:
        if key in PLANE_PRESETS:
            grad = as_plane_gradient(load_landscape(PLANE_PRESETS[key].source))
            warm_plane(grad)
            plane_table(grad, PLANE_PRESETS[key].L)
            compile_specialised(grad)


def warm_plane(gradient=None) -> None:
    """Compile (or load from numba's disk cache) the generic table kernels (run, exit,
    values) with a tiny problem (same argument types as real calls); with ``gradient``,
    also build (or load) its table on the tiny problem's ball and its exact ``cfunc``."""
    from ._kernels_plane_table import (
        exact_only_table,
        nan_gradient,
        run_table_kernel,
        table_values_kernel,
    )
    from .plane import PlaneGrids, simulate_plane
    from .plane_exits import plane_exit_times
    from .plane_gradient import X, Y, as_plane_gradient

    labels = np.array([[0, 1], [0, 1]], dtype=np.int16)
    grids = PlaneGrids((-1.0, 1.0, -1.0, 1.0), labels, np.full((2, 2), -1, np.int16))
    land = gradient if gradient is not None else (X, Y)
    simulate_plane(land, grids, R=1.0, eta=1e-3, b=1.0, family="pareto", x0=(-0.5, 0.0),
                   paths=2, steps=2)
    plane_exit_times(land, grids, field=0, R=1.0, eta=1e-3, b=1.0, family="pareto",
                     x0=(-0.5, 0.0), samples=2, max_steps=2)
    one = np.zeros(1)
    table_values_kernel(one, one, np.zeros((1, 2)), *exact_only_table(1.0), nan_gradient)
    assert run_table_kernel.signatures
    if gradient is not None:
        as_plane_gradient(gradient).exact_cfunc()

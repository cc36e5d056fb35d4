"""Compile (or load from the disk cache) every kernel once.

The parallel kernels take a while to compile the first time on a fresh
machine (see bench/README.md); afterwards they load from
``<cache>/numba`` in well under a second. Call :func:`warmup` (or
``python -m simulate warmup``) at install time or when the app starts.
"""

from __future__ import annotations

import time


def warmup(default_landscape: bool = True, plane: bool = False) -> float:
    """Run a tiny problem through every kernel; return the seconds it took.

    With ``default_landscape``, also build the tabulated f' of the default
    preset's formula (the paper's appendix formula, not a polynomial) on its L,
    so the dashboard's first run loads it from the disk cache; if it cannot be
    tabulated, build the kernels specialised for it instead (30-60 s of one
    core cold; a disk-cache load afterwards).
    With ``plane`` (``python -m simulate warmup``, i.e. ``make warmup``), also
    the 2-D kernels of ``PLANE_WARM_PRESETS`` (the paper's modified Himmelblau),
    compiled in this process (30-60 s cold): off by default so a server's
    background warm-up never compiles them itself.
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


#: 2-D presets whose kernels warm-up compiles (each formula has kernels of its own: ~30-60 s
#: cold on the 2-core VM, a disk-cache load afterwards); the dashboard's 2-D default
PLANE_WARM_PRESETS = ("paper-himmelblau",)


def _warm_plane_presets() -> None:
    from landscape.plane_presets import PLANE_PRESETS
    from landscape.sources import load_landscape

    from .plane import warm_plane

    for key in PLANE_WARM_PRESETS:
        if key in PLANE_PRESETS:
            warm_plane(load_landscape(PLANE_PRESETS[key].source))

"""The paper's four-way comparison (Figs. 1 and 5): {heavy, light} x {clipped, unclipped}."""

from __future__ import annotations

import math

from . import _common as C
from . import config
from .noise import PAPER_HEAVY, PAPER_LIGHT, as_noise
from .simulation import Simulation

CASES = ("heavy-clipped", "heavy-unclipped", "light-clipped", "light-unclipped")


def four_way(land, L, eta, *, b, x0, paths, steps, seed=0, heavy=PAPER_HEAVY,
             light=PAPER_LIGHT, record_every=config.DEFAULT_RECORD_EVERY, progress=None,
             boundaries=None, hist_bins=config.DEFAULT_HIST_BINS,
             buffer_size=config.DEFAULT_BUFFER_SIZE, chunk=1_000_000) -> dict[str, Simulation]:
    """Run the four cases of the paper's Fig. 1 and return their Simulations.

    Keys ``"heavy-clipped"``, ``"heavy-unclipped"``, ``"light-clipped"``,
    ``"light-unclipped"``. All four share the seed, start point and
    boundaries. ``progress(fraction, message)`` is called after every chunk
    of ``chunk`` steps. A case whose gradient becomes NaN stops early with
    its ``.error`` set.

    Raises
    ------
    SimulationError
        On bad parameters (``b`` must be finite: it is the clipped case).
    """
    b = C.positive("b (clipping threshold)", b)
    L = C.positive("L", L)
    steps = C.count("steps", steps, 0, config.MAX_STEPS_PER_ADVANCE)
    chunk = C.count("chunk", chunk, 1, config.MAX_STEPS_PER_ADVANCE)
    heavy, light = as_noise(heavy), as_noise(light)
    bounds = C.boundaries_for(land, L, boundaries)
    specs = {
        "heavy-clipped": (heavy, b),
        "heavy-unclipped": (heavy, math.inf),
        "light-clipped": (light, b),
        "light-unclipped": (light, math.inf),
    }
    sims = {key: Simulation(land, L, eta, noise, b=bb, x0=x0, paths=paths, seed=seed,
                            record_every=record_every, buffer_size=buffer_size,
                            hist_bins=hist_bins, boundaries=bounds)
            for key, (noise, bb) in specs.items()}
    C.work_check(4 * sims["heavy-clipped"].paths, steps)
    total = 4 * steps
    done = 0
    for key, sim in sims.items():
        left = steps
        while left > 0 and sim.error is None:
            n = min(chunk, left)
            sim.advance(n)
            left -= n
            done += n
            if progress is not None:
                progress(done / total if total else 1.0, f"{key}: {steps - left:,}/{steps:,} steps")
        done += left
    if progress is not None:
        progress(1.0, "four-way comparison done")
    return sims

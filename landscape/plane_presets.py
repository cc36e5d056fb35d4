"""Ready-made 2-D landscapes f(x, y) (THEORY.md section 10).

Kept apart from :data:`landscape.presets.PRESETS` (which the 1-D pages list)
so that nothing that iterates the 1-D presets meets a 2-D one;
:data:`ALL_PRESETS` has both. Each is a :class:`~landscape.presets.Preset`
with ``dimension == 2``, ``L`` meaning the ball's radius R and (x0, y0) the start.
"""

from __future__ import annotations

from .presets import PRESETS, NoiseDefaults, Preset

HIMMELBLAU_FORMULA = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
"""Himmelblau's function: four minima with f = 0, four saddles and one maximum."""

PLANE_PRESETS: dict[str, Preset] = {
    "himmelblau": Preset(
        "himmelblau", "Himmelblau (four minima, 2-D)",
        "Himmelblau's function (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima with f = 0 "
        "at (3, 2), (-2.8051, 3.1313), (-3.7793, -3.2832), (3.5844, -1.8481), four saddles "
        "and a maximum near (-0.2708, -0.9230). All four minima lie inside the ball of "
        "radius 6.",
        HIMMELBLAU_FORMULA, 6.0, 2.0, 5e-4, 2.9, NoiseDefaults("pareto", 1.2, 0.75),
        y0=1.0, dimension=2),
}
"""2-D presets by key."""

ALL_PRESETS: dict[str, Preset] = {**PRESETS, **PLANE_PRESETS}
"""1-D and 2-D presets by key."""

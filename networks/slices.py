"""Loss slices: the loss along a line through parameter space, as a 1-D landscape.

The line is theta(t) = theta_0 + t d, either between two trained solutions
(d = theta_1 - theta_0, t in [-0.5, 1.5], so t = 0 and 1 are the two) or
along a filter-normalised random direction (Li et al. 2018: each weight array
of d rescaled to the norm of the same array of theta_0, t in [-1, 1]).
:func:`slice_to_sketch` turns the sampled losses into the ``"sketch:..."``
source that ``landscape.load_landscape`` (and ``python -m landscape analyze
--expr``) reads: the natural cubic spline through at most
``landscape.config.MAX_SKETCH_POINTS`` of the samples.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from landscape import config as landscape_config

from .errors import NetworksError

#: t ranges of the two kinds of line.
BETWEEN_RANGE = (-0.5, 1.5)
RANDOM_RANGE = (-1.0, 1.0)
#: Significant digits of the sketch's numbers.
SKETCH_DIGITS = 6


def filter_normalised_direction(theta: np.ndarray, segments, seed: int) -> np.ndarray:
    """A Gaussian direction with each weight array rescaled to that array's norm in theta."""
    rng = np.random.default_rng([seed, 2018])
    direction = rng.standard_normal(theta.size)
    for start, length in segments or ((0, theta.size),):
        part = slice(start, start + length)
        norm = np.linalg.norm(direction[part])
        direction[part] *= np.linalg.norm(theta[part]) / norm if norm > 0 else 0.0
    return direction


def loss_along_line(loss, theta0, direction, ts) -> np.ndarray:
    """loss(theta0 + t direction) for each t (one vmapped, jitted evaluation)."""
    theta0 = jnp.asarray(theta0, jnp.float32)
    direction = jnp.asarray(direction, jnp.float32)
    values = jax.jit(jax.vmap(lambda t: loss(theta0 + t * direction)))(jnp.asarray(ts, jnp.float32))
    return np.asarray(values, dtype=np.float64)


def sketch_points(xs, losses, limit: int | None = None) -> list[tuple[float, float]]:
    """At most ``limit`` (default: the landscape sketch limit) evenly spread (x, loss) points."""
    xs, losses = np.asarray(xs, float), np.asarray(losses, float)
    if xs.shape != losses.shape or xs.ndim != 1 or xs.size < 3:
        raise NetworksError("a slice needs at least 3 (x, loss) samples of the same length")
    if not np.all(np.isfinite(losses)):
        raise NetworksError("the loss is not finite along this slice (a diverged model?)")
    limit = landscape_config.MAX_SKETCH_POINTS if limit is None else limit
    keep = np.unique(np.round(np.linspace(0, xs.size - 1, min(limit, xs.size))).astype(int))
    return [(float(xs[i]), float(losses[i])) for i in keep]


def slice_to_sketch(xs, losses) -> str:
    """The ``"sketch:x1,y1;..."`` source of the slice (numbers to ``SKETCH_DIGITS`` digits)."""
    points = sketch_points(xs, losses)
    return "sketch:" + ";".join(f"{x:.{SKETCH_DIGITS}g},{y:.{SKETCH_DIGITS}g}" for x, y in points)


def line_ts(kind: str, points: int) -> np.ndarray:
    """The t values of a line of ``kind`` ("between" or "random")."""
    if not 3 <= points <= 10_001:
        raise NetworksError(f"points must be in [3, 10001], got {points}")
    lo, hi = BETWEEN_RANGE if kind == "between" else RANDOM_RANGE
    return np.linspace(lo, hi, points)

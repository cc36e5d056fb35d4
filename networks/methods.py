"""The six training methods of the slides (THEORY.md section 8), one jitted step.

Tail inflation::

    theta <- theta - phi_b(eta * g_heavy(theta)),
    g_heavy = g_SB + Z * (g_SB* - g_GD),

g_SB a small-batch gradient, g_GD approximated by a large-batch gradient
g_LB, Z a heavy-tailed scalar drawn each step, phi_b the global norm clip
(``optax.clip_by_global_norm(b)``, applied to the step eta * g).

=========  =====================  ===========  =====================
method     gradient               clip phi_b   SB*
=========  =====================  ===========  =====================
LB         g_LB                   no           -
SB         g_SB                   no           -
SB+Clip    g_SB                   yes          -
SB+Noise   g_heavy                no           the same batch as SB
Our1       g_heavy                yes          the same batch as SB
Our2       g_heavy                yes          an independent batch
=========  =====================  ===========  =====================

The slides call SB + Noise "inflation without clipping" without naming SB*;
here it is Our1 without the clip. Z = scale * U * W with the law of |Z| from
``landscape.tails`` (its quantile function ``abs_quantile``), drawn in NumPy
from the run's seed before training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import numpy as np
import optax

from landscape.tails import abs_quantile

from .config import METHODS

#: method -> (gradient: "LB" | "SB" | "heavy", clipped, SB* independent of SB)
METHOD_RULES = {
    "LB": ("LB", False, False),
    "SB": ("SB", False, False),
    "SB+Clip": ("SB", True, False),
    "SB+Noise": ("heavy", False, False),
    "Our1": ("heavy", True, False),
    "Our2": ("heavy", True, True),
}
assert tuple(METHOD_RULES) == METHODS
#: The gradients a step program computes: "LB", "SB", "heavy" (SB* = SB) or "heavy-independent".
GRADIENT_KINDS = ("LB", "SB", "heavy", "heavy-independent")


@dataclass(frozen=True)
class StepRule:
    """What one step of a method does.

    ``kind`` and the batch sizes fix the compiled program (one of
    :data:`GRADIENT_KINDS`); ``eta`` and ``b`` are its data (b = inf: no clip),
    so SB and SB + Clip share a program, and so do SB + Noise and Our 1.
    """

    kind: str
    eta: float
    b: float
    small_batch: int
    large_batch: int


def step_rule(method: str, settings) -> StepRule:
    gradient, clipped, independent = METHOD_RULES[method]
    kind = "heavy-independent" if independent else gradient
    b = float(settings.b) if clipped else math.inf
    return StepRule(kind, float(settings.eta), b, settings.small_batch, settings.large_batch)


def draw_z(settings, steps: int, seed: int) -> np.ndarray:
    """Z for each step: symmetric, |Z| with the law of ``landscape.tails`` (family, alpha, scale).

    The family "none" gives Z = 0 (tail inflation then is plain SB).
    """
    if settings.z_family == "none" or settings.z_scale == 0:
        return np.zeros(steps, np.float32)
    rng = np.random.default_rng([seed, 7919])
    magnitude = abs_quantile(settings.z_family, settings.z_alpha, settings.z_scale,
                             1.0 - rng.random(steps))          # tail probabilities in (0, 1]
    return (magnitude * rng.choice((-1.0, 1.0), steps)).astype(np.float32)


def clip_step(step, b):
    """phi_b(v) = min(1, b / |v|) v over all parameters (optax's global norm clip).

    ``b`` may be a traced number; b = inf leaves every finite step unchanged.
    """
    clipped, _ = optax.clip_by_global_norm(b).update(step, optax.EmptyState())
    return clipped


def make_step(model, kind: str, small_batch: int, large_batch: int):
    """A jitted step ``(theta, key, z, eta, b, x, y) -> (theta, key)`` of one gradient kind.

    One step a call: XLA on the CPU runs a convolution's gradient two to three
    times slower inside a loop or a branch (``lax.scan``, ``lax.cond``) than at
    the top of a program, which costs more than the dispatch of each step.
    """
    if kind not in GRADIENT_KINDS:
        raise ValueError(f"unknown gradient kind {kind!r}")
    grad = jax.grad(model.loss)

    def step(theta, key, z, eta, b, x, y):
        key, k_small, k_star, k_large = jax.random.split(key, 4)
        n = x.shape[0]

        def batch_grad(k, size):
            index = jax.random.randint(k, (size,), 0, n)
            return grad(theta, x[index], y[index])

        if kind == "LB":
            g = batch_grad(k_large, large_batch)
        else:
            g = batch_grad(k_small, small_batch)
            if kind != "SB":
                star = batch_grad(k_star, small_batch) if kind == "heavy-independent" else g
                g = g + z * (star - batch_grad(k_large, large_batch))
        return theta - clip_step(eta * g, b), key

    return jax.jit(step)

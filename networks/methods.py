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
here it is Our1 without the clip. All six are one compiled step whose data
are the coefficients of g = c_SB g_SB + c_SB* g_SB* + c_LB g_LB
(:func:`gradient_coefficients`) and b (inf: no clip), see :func:`make_step`. Z = scale * U * W with the law of |Z| from
``landscape.tails`` (its quantile function ``abs_quantile``), drawn in NumPy
from the run's seed before training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
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


@dataclass(frozen=True)
class StepRule:
    """What one step of a method does, as data of the one step program.

    ``gradient`` and ``independent_star`` give the coefficients of the three
    batch gradients (:func:`gradient_coefficients`), ``b`` the clip (inf: none).
    """

    gradient: str
    independent_star: bool
    eta: float
    b: float
    small_batch: int
    large_batch: int


def step_rule(method: str, settings) -> StepRule:
    gradient, clipped, independent = METHOD_RULES[method]
    b = float(settings.b) if clipped else math.inf
    return StepRule(gradient, independent, float(settings.eta), b, settings.small_batch,
                    settings.large_batch)


def gradient_coefficients(rule: StepRule, z: np.ndarray) -> np.ndarray:
    """(c_SB, c_SB*, c_LB) a step, rows: the step's g = c_SB g_SB + c_SB* g_SB* + c_LB g_LB.

    LB: (0, 0, 1); SB: (1, 0, 0); g_heavy = g_SB + Z (g_SB* - g_LB) with SB* = SB:
    (1 + Z, 0, -Z); with SB* an independent batch: (1, Z, -Z).
    """
    z = np.asarray(z, np.float32)
    out = np.zeros((z.size, 3), np.float32)
    if rule.gradient == "LB":
        out[:, 2] = 1.0
    elif rule.gradient == "SB":
        out[:, 0] = 1.0
    elif rule.independent_star:
        out[:, 0], out[:, 1], out[:, 2] = 1.0, z, -z
    else:
        out[:, 0], out[:, 2] = 1.0 + z, -z
    return out


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


def make_step(model, small_batch: int, large_batch: int):
    """The jitted step ``(theta, key, coefficients, eta, b, x, y) -> (theta, key)`` of every method.

    Each step draws the three batches SB, SB* (``small_batch`` rows each) and
    LB (``large_batch``) and takes one gradient of the weighted loss
    c_SB L_SB + c_SB* L_SB* + c_LB L_LB (L_B the mean cross-entropy on batch B),
    which is c_SB g_SB + c_SB* g_SB* + c_LB g_LB: the method is data
    (:func:`gradient_coefficients`, and b = inf for no clip), so the program
    compiles once. One step a call: XLA on the CPU runs a convolution's gradient
    two to three times slower inside a loop or a branch (``lax.scan``,
    ``lax.cond``) than at the top of a program.
    """
    sizes = (small_batch, small_batch, large_batch)

    def weighted_loss(theta, coefficients, x, y):
        weights = jnp.concatenate([jnp.full(size, c / size) for c, size in
                                   zip(coefficients, sizes, strict=True)])
        return jnp.dot(weights, model.example_losses(theta, x, y))

    grad = jax.grad(weighted_loss)

    def step(theta, key, coefficients, eta, b, x, y):
        key, k_small, k_star, k_large = jax.random.split(key, 4)
        index = jnp.concatenate([jax.random.randint(k, (size,), 0, x.shape[0])
                                 for k, size in zip((k_small, k_star, k_large), sizes, strict=True)])
        g = grad(theta, [coefficients[0], coefficients[1], coefficients[2]], x[index], y[index])
        return theta - clip_step(eta * g, b), key

    return jax.jit(step)

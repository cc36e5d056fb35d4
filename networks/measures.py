"""Measures of a trained model: loss/accuracy, expected sharpness, top Hessian eigenvalue, noise.

* :func:`expected_sharpness` — E_nu[L(theta + nu)] - L(theta), nu ~ N(0, delta^2 I)
  (Zhu et al. 2019; Neyshabur et al. 2017), by Monte Carlo with antithetic
  pairs nu, -nu (the odd terms of L's Taylor series cancel). For a quadratic
  L = theta' A theta / 2 it is delta^2 tr(A) / 2 exactly.
* :func:`max_eigenvalue` — the Hessian's eigenvalue of largest magnitude by
  power iteration on Hessian-vector products (``jax.jvp`` of ``jax.grad``).
* :func:`gradient_noise` — samples of g_SB - g_GD (one small-batch gradient
  a row, minus the full-batch gradient), whose tail index
  (:mod:`networks.tails`) is the network's own.

``loss`` arguments are functions of the flat parameter vector only.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from .tails import TailIndex, mohammadi

#: Bootstrap resamples of the network noise's tail-index interval.
NOISE_BOOTSTRAP = 30


def expected_sharpness(loss, theta, delta: float, samples: int, key, *data) -> float:
    """Monte Carlo E[L(theta + nu)] - L(theta), nu ~ N(0, delta^2 I), ``samples`` antithetic pairs.

    ``loss(theta, *data)``; the computation is one jitted call (cached for the
    same ``loss`` function and shapes).
    """
    return float(_sharpness_jit(loss, theta, delta, samples, key, *data))


@partial(jax.jit, static_argnums=(0, 3))
def _sharpness_jit(loss, theta, delta, samples, key, *data):
    base = loss(theta, *data)
    nus = delta * jax.random.normal(key, (samples, theta.size), dtype=theta.dtype)
    pair = jax.vmap(lambda nu: 0.5 * (loss(theta + nu, *data) + loss(theta - nu, *data)))(nus)
    return jnp.mean(pair) - base


def hessian_vector_product(loss, theta, vector, *data):
    """H(theta) v as the directional derivative of the gradient (forward over reverse)."""
    return jax.jvp(lambda t: jax.grad(loss)(t, *data), (theta,), (vector,))[1]


def max_eigenvalue(loss, theta, iterations: int, key, *data) -> float:
    """The Hessian's eigenvalue of largest magnitude (Rayleigh quotient after power iteration).

    ``loss(theta, *data)``; the start vector is drawn in NumPy from ``key``; one
    jitted call an iteration (compiled once for the same ``loss`` function and shapes).
    """
    start = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel()).standard_normal(theta.size)
    vector = jnp.asarray((start / np.linalg.norm(start)).reshape(theta.shape), theta.dtype)
    rayleigh = jnp.zeros((), theta.dtype)
    for _ in range(iterations):
        vector, rayleigh = _power_step(loss, theta, vector, *data)
    return float(rayleigh)


@partial(jax.jit, static_argnums=0)
def _power_step(loss, theta, vector, *data):
    """v -> (H v / |H v|, v' H v) for a unit vector v."""
    product = hessian_vector_product(loss, theta, vector, *data)
    return product / jnp.linalg.norm(product), jnp.vdot(vector, product)


def gradient_noise(loss, theta, x, y, batch: int, count: int, key) -> np.ndarray:
    """``count`` samples of g_SB - g_GD (rows), g_GD the gradient of ``loss(theta, x, y)``
    on all of (x, y), g_SB on ``batch`` rows drawn with replacement."""
    return np.asarray(_noise_jit(loss, theta, x, y, batch, count, key), dtype=np.float64)


@partial(jax.jit, static_argnums=(0, 4, 5))
def _noise_jit(loss, theta, x, y, batch, count, key):
    grad = jax.grad(loss)
    full = grad(theta, x, y)
    index = jax.random.randint(key, (count, batch), 0, x.shape[0])
    return jax.vmap(lambda i: grad(theta, x[i], y[i]))(index) - full


def noise_tail_index(noise: np.ndarray, seed: int = 0, bootstrap: int = NOISE_BOOTSTRAP) -> TailIndex:
    """Tail index of gradient noise as Simsekli et al. (2019): the block-sum estimator
    (its corrected form, :func:`networks.tails.mohammadi`) on all coordinates of the
    noise vectors (taken as symmetric alpha-stable), leaving out the parameters whose
    noise is zero in every sample (a gradient that never varies is no noise: on the
    digits LeNet about 12 % of the coordinates, which would pull the estimate);
    ``bootstrap = 0`` skips the confidence interval."""
    varying = noise[:, np.any(noise != 0, axis=0)] if noise.ndim == 2 else noise
    return mohammadi(varying.ravel(), seed=seed, bootstrap=bootstrap)

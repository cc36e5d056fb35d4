"""Two small classifiers in plain JAX, their parameters as one flat vector.

* ``"lenet"``: a LeNet-style CNN: conv 3x3 (6 channels) - ReLU - 2x2 average
  pool - conv 3x3 (16) - ReLU - 2x2 average pool - dense 32 - ReLU - dense 10.
* ``"mlp"``: dense 64 - ReLU - dense 10 on the flattened image.

:func:`build_model` returns a :class:`Model` whose ``loss(theta, x, y)``
(mean cross-entropy) and ``logits(theta, x)`` take the flat parameter
vector theta, so gradients, Hessian-vector products, the norm clip phi_b and
perturbations all act on one vector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .errors import NetworksError


@dataclass(frozen=True)
class Model:
    """A classifier on flat parameters: ``logits(theta, x)``, ``loss(theta, x, y)``."""

    name: str
    init: Callable[[jax.Array], jax.Array]  # key -> theta
    logits: Callable
    size: int
    segments: tuple[tuple[int, int], ...] = ()  # (start, length) of each weight array in theta

    def example_losses(self, theta, x, y):
        """The cross-entropy of each example (integer labels y)."""
        logits = self.logits(theta, x)
        return (jax.nn.logsumexp(logits, axis=-1)
                - jnp.take_along_axis(logits, y[:, None], axis=-1)[:, 0])

    def loss(self, theta, x, y):
        """Mean cross-entropy of integer labels y."""
        return jnp.mean(self.example_losses(theta, x, y))

    def accuracy(self, theta, x, y):
        return jnp.mean(jnp.argmax(self.logits(theta, x), axis=-1) == y)


def _dense(rng, n_in, n_out):
    scale = np.sqrt(2.0 / n_in)
    return {"w": (scale * rng.standard_normal((n_in, n_out))).astype(np.float32),
            "b": np.zeros(n_out, np.float32)}


def _conv(rng, c_in, c_out):
    scale = np.sqrt(2.0 / (9 * c_in))
    return {"w": (scale * rng.standard_normal((3, 3, c_in, c_out))).astype(np.float32),
            "b": np.zeros(c_out, np.float32)}


def _conv_apply(layer, x):
    out = jax.lax.conv_general_dilated(x, layer["w"], (1, 1), "SAME",
                                       dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return out + layer["b"]


def _pool(x):
    n, h, w, c = x.shape
    x = x[:, : h - h % 2, : w - w % 2, :]
    return x.reshape(n, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def _lenet_tree(rng, image_shape):
    h, w, c = image_shape
    flat = (h // 4) * (w // 4) * 16
    return {"c1": _conv(rng, c, 6), "c2": _conv(rng, 6, 16),
            "d1": _dense(rng, flat, 32), "d2": _dense(rng, 32, 10)}


def _lenet_apply(tree, x):
    x = _pool(jax.nn.relu(_conv_apply(tree["c1"], x)))
    x = _pool(jax.nn.relu(_conv_apply(tree["c2"], x)))
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ tree["d1"]["w"] + tree["d1"]["b"])
    return x @ tree["d2"]["w"] + tree["d2"]["b"]


def _mlp_tree(rng, image_shape):
    h, w, c = image_shape
    return {"d1": _dense(rng, h * w * c, 64), "d2": _dense(rng, 64, 10)}


def _mlp_apply(tree, x):
    x = x.reshape(x.shape[0], -1)
    x = jax.nn.relu(x @ tree["d1"]["w"] + tree["d1"]["b"])
    return x @ tree["d2"]["w"] + tree["d2"]["b"]


_ARCHITECTURES = {"lenet": (_lenet_tree, _lenet_apply), "mlp": (_mlp_tree, _mlp_apply)}


def build_model(name: str, image_shape: tuple[int, int, int]) -> Model:
    """The named model for images of ``image_shape`` (h, w, channels)."""
    if name not in _ARCHITECTURES:
        raise NetworksError(f"unknown model {name!r}; choose lenet or mlp")
    make_tree, apply = _ARCHITECTURES[name]
    tree = make_tree(np.random.default_rng(0), image_shape)
    template, unravel = ravel_pytree(tree)
    starts, segments = 0, []
    leaves, _ = jax.tree_util.tree_flatten(tree)
    for leaf in leaves:
        segments.append((starts, int(leaf.size)))
        starts += int(leaf.size)

    def init(key):
        """He-normal weights, zero biases, drawn in NumPy from the key's bits (drawing
        them with jax.random would compile a program for each layer's shape)."""
        rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel())
        return jnp.asarray(np.concatenate([np.ravel(leaf) for leaf in
                                           jax.tree_util.tree_leaves(make_tree(rng, image_shape))]))

    def logits(theta, x):
        return apply(unravel(theta), x)

    return Model(name, init, logits, int(template.size), tuple(segments))

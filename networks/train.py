"""Train one method with one seed, record curves along the way, measure the result.

:func:`train` calls the jitted step (one program for every method,
:func:`networks.methods.make_step`) ``steps`` times; every ``record_every``
steps it records the full-batch training loss, the test accuracy and the tail
index of the gradient noise, and calls ``progress(record)``, which may return
False to stop. :func:`measure` computes the measures of THEORY.md section 8
on the training set (the labels the model was trained on).

Compiled programs are kept on disk (:func:`networks.compile_cache.enable`), so
a second process does not compile them again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

from . import compile_cache
from .config import TrainSettings
from .data import DataSet
from .measures import expected_sharpness, gradient_noise, max_eigenvalue, noise_tail_index
from .methods import draw_z, gradient_coefficients, make_step, step_rule
from .models import Model, build_model

jax.config.update("jax_enable_x64", False)
compile_cache.enable()


@dataclass
class TrainResult:
    """A trained model and what was measured on it (``seconds``: training time;
    ``initial_train_loss``: the training loss of the initial weights)."""

    method: str
    seed: int
    theta: np.ndarray
    steps_done: int
    stopped: bool
    seconds: float
    records: list[dict] = field(default_factory=list)
    measures: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    initial_train_loss: float = math.nan


#: Accuracies are float32 means: 0.112 reads 0.11200000346.
ACCURACY_TOLERANCE = 1e-6


def has_diverged(initial_train_loss: float, final_train_loss: float, train_accuracy: float,
                 constant_accuracy: float) -> bool:
    """A run diverged when it ended worse than it started or learned nothing.

    That is: its final training loss is not finite or above its initial one, or its
    training accuracy is no better than ``constant_accuracy``, that of always
    answering the most frequent training label (a collapsed network, e.g. SB + Noise
    after one unclipped step of a huge Z kills its ReLUs). Its sharpness and
    eigenvalue would describe the collapse, not a minimum, and are not measured.
    """
    return (not math.isfinite(final_train_loss) or final_train_loss > initial_train_loss
            or train_accuracy <= constant_accuracy + ACCURACY_TOLERANCE)


def constant_accuracy(data: DataSet) -> float:
    """The training accuracy of always answering the most frequent training label."""
    return float(np.bincount(np.asarray(data.y_train)).max() / len(data.y_train))


_STEPS: dict = {}


def step_program(model: Model, rule, image_shape):
    """The jitted step of every method for ``rule``'s batch sizes (made once a process)."""
    key = (model.name, image_shape, rule.small_batch, rule.large_batch)
    if key not in _STEPS:
        _STEPS[key] = make_step(model, rule.small_batch, rule.large_batch)
    return _STEPS[key]


_MODELS: dict = {}


def model_for(settings: TrainSettings, data: DataSet) -> Model:
    key = (settings.model, data.image_shape)
    if key not in _MODELS:
        _MODELS[key] = build_model(settings.model, data.image_shape)
    return _MODELS[key]


_EVALUATORS: dict = {}


def _evaluator(model: Model):
    if model not in _EVALUATORS:
        def four(theta, x_train, y_train, x_test, y_test):
            return jnp.stack([model.loss(theta, x_train, y_train),
                              model.accuracy(theta, x_train, y_train),
                              model.loss(theta, x_test, y_test),
                              model.accuracy(theta, x_test, y_test)])
        _EVALUATORS[model] = jax.jit(four)
    return _EVALUATORS[model]


def evaluate(model: Model, theta, data: DataSet) -> dict:
    """Training loss/accuracy (trained labels) and test loss/accuracy (true labels)."""
    values = np.asarray(_evaluator(model)(theta, jnp.asarray(data.x_train), jnp.asarray(data.y_train),
                                          jnp.asarray(data.x_test), jnp.asarray(data.y_test)))
    return dict(zip(("train_loss", "train_accuracy", "test_loss", "test_accuracy"),
                    (float(v) for v in values), strict=True))


def noise_samples(settings, model, theta, data, seed: int) -> np.ndarray:
    key = jax.random.PRNGKey(seed + 104729)
    return gradient_noise(model.loss, theta, jnp.asarray(data.x_train), jnp.asarray(data.y_train),
                          settings.small_batch, settings.noise_batches, key)


def train(settings: TrainSettings, data: DataSet, method: str, seed: int,
          progress: Callable[[dict], bool | None] | None = None,
          record_tail: bool = True) -> TrainResult:
    """Train ``method`` from the seed's initialisation for ``settings.steps`` steps.

    The seed fixes the initial weights, the batches and Z; the same seed and
    settings give the same numbers.
    """
    model = model_for(settings, data)
    rule = step_rule(method, settings)
    step = step_program(model, rule, data.image_shape)
    key_init, key = jax.random.split(jax.random.PRNGKey(seed))
    theta = model.init(key_init)
    coefficients = gradient_coefficients(rule, draw_z(settings, settings.steps, seed))
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    eta, b = np.float32(rule.eta), np.float32(rule.b)
    result = TrainResult(method, seed, np.asarray(theta), 0, False, 0.0,
                         initial_train_loss=evaluate(model, theta, data)["train_loss"])
    start = time.perf_counter()
    done = 0
    while done < settings.steps:
        count = min(settings.record_every, settings.steps - done)
        for index in range(done, done + count):
            theta, key = step(theta, key, coefficients[index], eta, b, x, y)
        theta.block_until_ready()
        done += count
        record = {"method": method, "seed": seed, "step": done, **evaluate(model, theta, data)}
        if record_tail:
            noise = noise_samples(settings, model, theta, data, seed + done)
            tail = noise_tail_index(noise, bootstrap=0) if np.all(np.isfinite(noise)) else None
            record["tail_index"] = math.nan if tail is None else tail.alpha
        result.records.append(record)
        if progress is not None and progress(record) is False:
            result.stopped = True
            break
    result.seconds = time.perf_counter() - start
    result.theta = np.asarray(theta)
    result.steps_done = done
    return result


def measure(settings: TrainSettings, data: DataSet, result: TrainResult) -> dict:
    """Accuracy, loss, expected sharpness, top eigenvalue and noise tail index of a result.

    ``diverged`` (:func:`has_diverged`): then the last three are nan (not measured).
    Also fills ``result.measures`` and ``result.timings`` (seconds of each measure).
    """
    model = model_for(settings, data)
    theta = jnp.asarray(result.theta)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)

    key = jax.random.PRNGKey(result.seed + 31337)
    timings = {}
    clock = time.perf_counter()
    out = evaluate(model, theta, data)
    timings["accuracy"] = time.perf_counter() - clock
    out["diverged"] = (not np.all(np.isfinite(result.theta))
                       or has_diverged(result.initial_train_loss, out["train_loss"],
                                       out["train_accuracy"], constant_accuracy(data)))
    if out["diverged"]:
        out.update(expected_sharpness=math.nan, max_eigenvalue=math.nan, tail_index=math.nan,
                   tail_ci=[math.nan, math.nan])
        result.measures, result.timings = out, timings
        return out
    clock = time.perf_counter()
    out["expected_sharpness"] = expected_sharpness(model.loss, theta, settings.delta,
                                                   settings.sharpness_samples, key, x, y)
    timings["expected_sharpness"] = time.perf_counter() - clock
    clock = time.perf_counter()
    out["max_eigenvalue"] = max_eigenvalue(model.loss, theta, settings.eigen_iterations, key, x, y)
    timings["max_eigenvalue"] = time.perf_counter() - clock
    clock = time.perf_counter()
    tail = noise_tail_index(noise_samples(settings, model, theta, data, result.seed))
    out["tail_index"], out["tail_ci"] = tail.alpha, list(tail.ci)
    timings["tail_index"] = time.perf_counter() - clock
    result.measures, result.timings = out, timings
    return out

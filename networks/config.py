"""Every default of ``networks`` in one place: :class:`TrainSettings`.

The slides (THEORY.md section 8) state neither delta, the law of Z nor the
batch sizes; the values here are this reproduction's choices, chosen so that
the six-method table with 3 seeds on corrupted digits trains in about a
minute on 2 cores. They are printed beside every number.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, make_dataclass, replace

from landscape.tails import HEAVY_FAMILIES

from .errors import NetworksError

METHODS = ("LB", "SB", "SB+Clip", "SB+Noise", "Our1", "Our2")
MODELS = ("lenet", "mlp")
#: Families Z may follow (those of ``landscape.tails``; "none" gives Z = 0).
Z_FAMILIES = ("pareto", "pareto1", "student-t", "none")


#: Every setting and its default, in the order of :class:`TrainSettings`' fields
#: (grouped: data; training; the law of Z; measures).
DEFAULTS = {
    "dataset": "digits-corrupted", "model": "lenet", "n_train": 1000, "corrupt": 0.2, "data_seed": 0,
    "steps": 600, "eta": 0.1, "small_batch": 16, "large_batch": 128, "b": 0.2,
    "z_family": "pareto", "z_alpha": 1.5, "z_scale": 1.0,
    "delta": 0.01, "sharpness_samples": 16, "eigen_iterations": 20, "noise_batches": 32,
    "record_every": 100,
}
_SettingFields = make_dataclass("_SettingFields", [(name, type(value), field(default=value))
                                                   for name, value in DEFAULTS.items()], frozen=True)


@dataclass(frozen=True)
class TrainSettings(_SettingFields):
    """One training set-up (fields and defaults: :data:`DEFAULTS`); every field is stated
    wherever a number is shown.

    Attributes
    ----------
    dataset : "digits-corrupted" or "fmnist:PATH"
    model : "lenet" (small CNN) or "mlp"
    n_train, corrupt, data_seed : training images, share of labels replaced, split seed
    steps : SGD steps of every method
    eta : learning rate
    small_batch, large_batch : SB and LB batch sizes (g_GD is approximated by g_LB)
    b : clipping threshold of phi_b, applied to the step eta * g (inf: none)
    z_family, z_alpha, z_scale : the law of the inflation scalar Z (landscape.tails families)
    delta : standard deviation of the expected-sharpness perturbation
    sharpness_samples : Monte Carlo draws of nu for the expected sharpness
    eigen_iterations : power iterations for the Hessian's largest eigenvalue
    noise_batches : small-batch gradients sampled for the gradient-noise tail index
    record_every : steps between two records (loss, test accuracy, tail index)
    """

    def __post_init__(self) -> None:
        check_settings(self)

    def to_json(self) -> dict:
        out = asdict(self)
        out["b"] = "inf" if math.isinf(self.b) else self.b
        return out

    def with_changes(self, **changes) -> TrainSettings:
        """A copy with some fields changed (validated)."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise NetworksError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)


def check_settings(s: TrainSettings) -> None:
    """Raise :class:`NetworksError` naming the first bad field."""
    if s.model not in MODELS:
        raise NetworksError(f"model must be one of {', '.join(MODELS)}, got {s.model!r}")
    if s.z_family not in Z_FAMILIES:
        raise NetworksError(f"z_family must be one of {', '.join(Z_FAMILIES)}, got {s.z_family!r}")
    if s.z_family in HEAVY_FAMILIES and not (math.isfinite(s.z_alpha) and s.z_alpha > 0):
        raise NetworksError(f"z_alpha must be a positive number, got {s.z_alpha}")
    positive_ints = {"n_train": (10, 100_000), "steps": (1, 1_000_000), "small_batch": (1, 100_000),
                     "large_batch": (1, 100_000), "sharpness_samples": (1, 10_000),
                     "eigen_iterations": (1, 10_000), "noise_batches": (2, 10_000),
                     "record_every": (1, 1_000_000)}
    for name, (lo, hi) in positive_ints.items():
        value = getattr(s, name)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise NetworksError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    for name in ("eta", "delta", "z_scale"):
        value = getattr(s, name)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise NetworksError(f"{name} must be a finite number >= 0, got {value!r}")
    if not (s.eta > 0 and s.delta > 0):
        raise NetworksError("eta and delta must be > 0")
    if not (isinstance(s.b, (int, float)) and s.b > 0) or math.isnan(s.b):
        raise NetworksError(f"b must be > 0 (inf for no clipping), got {s.b!r}")
    if not 0.0 <= s.corrupt <= 1.0:
        raise NetworksError(f"corrupt must be in [0, 1], got {s.corrupt}")


def check_methods(methods) -> tuple[str, ...]:
    """The method names, checked against :data:`METHODS` (order kept, duplicates dropped)."""
    out = []
    for name in methods:
        if name not in METHODS:
            raise NetworksError(f"unknown method {name!r}; choose from {', '.join(METHODS)}")
        if name not in out:
            out.append(name)
    if not out:
        raise NetworksError("no method chosen")
    return tuple(out)

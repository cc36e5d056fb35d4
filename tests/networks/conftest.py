"""Tiny settings: each training in the tests runs for well under a second after compiling."""

import pytest

from networks.config import TrainSettings
from networks.data import load_digits_corrupted


@pytest.fixture(scope="session")
def tiny():
    return TrainSettings(model="mlp", n_train=200, steps=20, small_batch=8, large_batch=32,
                         record_every=10, noise_batches=8, sharpness_samples=4,
                         eigen_iterations=5)


@pytest.fixture(scope="session")
def tiny_data(tiny):
    return load_digits_corrupted(tiny.n_train, tiny.corrupt, tiny.data_seed)

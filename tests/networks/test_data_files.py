"""Fashion-MNIST from user files (IDX folder, .npz), written small by the tests; bad files."""

import gzip
import struct

import numpy as np
import pytest

from networks.data import load_dataset, read_fashion_mnist
from networks.errors import NetworksError


def arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {"x_train": rng.integers(0, 256, (60, 28, 28), dtype=np.uint8),
            "y_train": rng.integers(0, 10, 60, dtype=np.uint8),
            "x_test": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
            "y_test": rng.integers(0, 10, 20, dtype=np.uint8)}


def write_idx(path, array, compress=False):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    (gzip.open if compress else open)(path, "wb").write(header + array.tobytes())


NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
         "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


@pytest.mark.parametrize("compress", [False, True])
def test_idx_folder(tmp_path, compress):
    data = arrays()
    for key, name in NAMES.items():
        write_idx(tmp_path / (name + (".gz" if compress else "")), data[key], compress)
    read = read_fashion_mnist(tmp_path)
    for key in NAMES:
        np.testing.assert_array_equal(read[key], data[key])
    loaded = load_dataset(f"fmnist:{tmp_path}", n_train=50, corrupt=0.2)
    assert loaded.x_train.shape == (50, 28, 28, 1) and loaded.x_test.shape == (20, 28, 28, 1)
    assert loaded.x_train.max() <= 1.0
    np.testing.assert_array_equal(loaded.y_test, data["y_test"])


def test_npz_file(tmp_path):
    data = arrays(1)
    np.savez(tmp_path / "fmnist.npz", **data)
    loaded = load_dataset(f"fmnist:{tmp_path / 'fmnist.npz'}", n_train=40, corrupt=0.0)
    assert loaded.x_train.shape == (40, 28, 28, 1) and not loaded.corrupted.any()


def test_bad_files_give_clear_messages(tmp_path):
    with pytest.raises(NetworksError, match="no such file"):
        read_fashion_mnist(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(NetworksError, match="not a readable .npz"):
        read_fashion_mnist(tmp_path / "junk.npz")
    np.savez(tmp_path / "part.npz", x_train=np.zeros((2, 3, 3)))
    with pytest.raises(NetworksError, match="lacks y_train"):
        read_fashion_mnist(tmp_path / "part.npz")
    folder = tmp_path / "idx"
    folder.mkdir()
    with pytest.raises(NetworksError, match="has no train-images"):
        read_fashion_mnist(folder)
    (folder / NAMES["x_train"]).write_bytes(b"\x00\x00\x08\x03\x00")
    with pytest.raises(NetworksError, match="truncated|IDX"):
        read_fashion_mnist(folder)
    with pytest.raises(NetworksError, match="unknown data set"):
        load_dataset("cifar")

"""Data sets: scikit-learn's bundled 8x8 digits with corrupted labels, and Fashion-MNIST files.

* ``"digits-corrupted"`` (the default, on disk with scikit-learn): of the 1,797
  digits, ``n_train`` (1,000) chosen at random form the training set, and a
  share ``corrupt`` (20 %) of their labels is replaced by a label drawn
  uniformly from the 10 classes (Zhu et al. 2019); the other images are held out
  with their true labels. Pixels are scaled to [0, 1].
* ``"fmnist:PATH"``: Fashion-MNIST from files the user has (nothing is
  downloaded): an ``.npz`` with ``x_train, y_train, x_test, y_test`` (the
  Keras layout), or a folder with the four IDX files
  (``train-images-idx3-ubyte`` etc., optionally ``.gz``). The same corruption
  is applied to a random ``n_train`` of the training images.
"""

from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import NetworksError

CLASSES = 10
IDX_NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


@dataclass(frozen=True)
class DataSet:
    """Images (n, h, w, 1) float32 in [0, 1] and integer labels.

    ``y_train`` holds the (corrupted) labels the network trains on,
    ``y_train_clean`` the true ones; ``corrupted`` marks the replaced labels.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    y_train_clean: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def corrupted(self) -> np.ndarray:
        return self.y_train != self.y_train_clean

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])


def corrupt_labels(labels: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Replace a share of the labels by labels drawn uniformly from the classes.

    A replaced label may by chance equal the old one (Zhu et al.'s "random labels").
    """
    if not 0.0 <= share <= 1.0:
        raise NetworksError(f"the corrupted share must be in [0, 1], got {share}")
    out = labels.copy()
    chosen = rng.choice(labels.size, size=round(share * labels.size), replace=False)
    out[chosen] = rng.integers(0, CLASSES, size=chosen.size)
    return out


def _split(name, x, y, x_test, y_test, n_train, corrupt, seed) -> DataSet:
    rng = np.random.default_rng(seed)
    if n_train > len(x):
        raise NetworksError(f"n_train = {n_train} exceeds the {len(x)} training images")
    order = rng.permutation(len(x))
    train = order[:n_train]
    if x_test is None:
        held = order[n_train:]
        if held.size == 0:
            raise NetworksError("no images are left to test on; lower n_train")
        x_test, y_test = x[held], y[held]
    clean = y[train].astype(np.int32)
    return DataSet(name, x[train].astype(np.float32), corrupt_labels(clean, corrupt, rng), clean,
                   np.asarray(x_test, np.float32), np.asarray(y_test, np.int32))


def load_digits_corrupted(n_train: int = 1000, corrupt: float = 0.2, seed: int = 0) -> DataSet:
    """The 8x8 digits, ``n_train`` to train on with a share ``corrupt`` of labels replaced."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0)[..., None]
    return _split("digits-corrupted", x, bunch.target, None, None, n_train, corrupt, seed)


def _read_idx(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except OSError as err:
        raise NetworksError(f"cannot read {path}: {err.strerror or err}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise NetworksError(f"{path} is not an IDX file of unsigned bytes")
    dims = raw[3]
    header = 4 + 4 * dims
    if dims == 0 or len(raw) < header:
        raise NetworksError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    if len(raw) - header != int(np.prod(shape)):
        raise NetworksError(f"{path}: the IDX data do not match its shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _idx_file(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise NetworksError(f"{folder} has no {stem} (or {stem}.gz)")


def read_fashion_mnist(path: str | Path) -> dict[str, np.ndarray]:
    """The four arrays of Fashion-MNIST from an ``.npz`` file or a folder of IDX files."""
    path = Path(path)
    if not path.exists():
        raise NetworksError(f"no such file or folder: {path}")
    if path.is_dir():
        arrays = {key: _read_idx(_idx_file(path, stem)) for key, stem in IDX_NAMES.items()}
    else:
        try:
            with np.load(path, allow_pickle=False) as archive:
                missing = [key for key in IDX_NAMES if key not in archive]
                if missing:
                    raise NetworksError(f"{path} lacks {', '.join(missing)} (needs x_train, "
                                        "y_train, x_test, y_test)")
                arrays = {key: np.asarray(archive[key]) for key in IDX_NAMES}
        except NetworksError:
            raise
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as err:
            raise NetworksError(f"{path} is not a readable .npz file ({type(err).__name__})") from None
    for part in ("train", "test"):
        images, labels = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise NetworksError(f"{path}: x_{part} must be (n, h, w) and y_{part} (n,) "
                                f"with the same n; got {images.shape} and {labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() >= CLASSES):
            raise NetworksError(f"{path}: labels must be 0..9")
    return arrays


def load_fashion_mnist(path: str | Path, n_train: int = 1000, corrupt: float = 0.2,
                       seed: int = 0) -> DataSet:
    """Fashion-MNIST from the user's files, ``n_train`` training images with corrupted labels."""
    arrays = read_fashion_mnist(path)
    scale = 255.0 if arrays["x_train"].dtype == np.uint8 or arrays["x_train"].max() > 1.0 else 1.0
    return _split(f"fmnist:{path}", arrays["x_train"][..., None] / scale, arrays["y_train"],
                  arrays["x_test"][..., None] / scale, arrays["y_test"], n_train, corrupt, seed)


def load_dataset(name: str, n_train: int = 1000, corrupt: float = 0.2, seed: int = 0) -> DataSet:
    """A data set by name: ``"digits-corrupted"`` or ``"fmnist:PATH"``."""
    if name == "digits-corrupted":
        return load_digits_corrupted(n_train, corrupt, seed)
    if name.startswith("fmnist:"):
        return load_fashion_mnist(name[len("fmnist:"):], n_train, corrupt, seed)
    raise NetworksError(f"unknown data set {name!r}; use digits-corrupted or fmnist:PATH "
                        "(an .npz file or a folder of IDX files)")

"""The analysis' field grids as the 2-D kernels use them (nearest cell lookup)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .errors import SimulationError


@dataclass(frozen=True, eq=False)
class PlaneGrids:
    """What the kernels need from the analysis: where each field is, on a grid.

    Attributes
    ----------
    extent : (x_min, x_max, y_min, y_max)
        Cell centres are ``linspace(x_min, x_max, n_x)`` and likewise in y.
    label_grid : int16 (n_y, n_x)
        [row = y index, col = x index]: the cell's field index 0..m-1, -1 for none.
    near_grid : int16 (n_y, n_x)
        i where the cell is within ``near`` of field i's minimiser set, else -1.
    fields : int or None
        m, the number of fields (default: the largest index in the grids + 1).

    A point belongs to the nearest cell. For the kernels, cells whose centre is
    outside the ball |X| <= R take the values of the nearest cell inside it
    (:meth:`kernel_grids`), so an iterate on the ball's rim is never counted
    as "in no field" just because its nearest cell centre is outside the ball.
    Points outside the extent use the edge cells.
    """

    extent: tuple
    label_grid: np.ndarray
    near_grid: np.ndarray
    fields: int | None = None

    def __post_init__(self):
        try:
            ext = tuple(float(v) for v in self.extent)
        except (TypeError, ValueError):
            raise SimulationError(f"extent must be four numbers, got {self.extent!r}") from None
        if len(ext) != 4 or not all(math.isfinite(v) for v in ext) or \
                not (ext[0] < ext[1] and ext[2] < ext[3]):
            raise SimulationError(f"extent must be (x_min, x_max, y_min, y_max) with x_min < x_max"
                                  f" and y_min < y_max, got {self.extent!r}")
        grids = []
        for name in ("label_grid", "near_grid"):
            g = np.asarray(getattr(self, name))
            if g.ndim != 2 or min(g.shape) < 2 or not np.issubdtype(g.dtype, np.integer):
                raise SimulationError(f"{name} must be a 2-D integer array of at least 2 x 2 "
                                      f"cells, got {g.dtype} {g.shape}")
            if g.size and (g.min() < -1 or g.max() > np.iinfo(np.int16).max):
                raise SimulationError(f"{name} must hold field indices >= 0 or -1")
            grids.append(np.ascontiguousarray(g, dtype=np.int16))
        if grids[0].shape != grids[1].shape:
            raise SimulationError(f"label_grid {grids[0].shape} and near_grid {grids[1].shape} "
                                  "must have the same shape")
        top = int(max(grids[0].max(), grids[1].max())) + 1
        m = top if self.fields is None else int(self.fields)
        if m < max(top, 1):
            raise SimulationError(f"fields = {m} but the grids use field index {top - 1}")
        object.__setattr__(self, "extent", ext)
        object.__setattr__(self, "label_grid", grids[0])
        object.__setattr__(self, "near_grid", grids[1])
        object.__setattr__(self, "fields", m)

    @classmethod
    def from_analysis(cls, analysis) -> PlaneGrids:
        """From a ``PlaneAnalysis`` (duck-typed: ``.extent``, ``.label_grid``,
        ``.near_grid`` and, if present, ``.fields``)."""
        fields = getattr(analysis, "fields", None)
        return cls(analysis.extent, analysis.label_grid, analysis.near_grid,
                   None if fields is None else len(fields))

    @property
    def n_fields(self) -> int:
        return self.fields

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell centres (xs (n_x,), ys (n_y,))."""
        ny, nx = self.label_grid.shape
        x0, x1, y0, y1 = self.extent
        return np.linspace(x0, x1, nx), np.linspace(y0, y1, ny)

    def geometry(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, 1 / dx, 1 / dy) of the cell centres."""
        ny, nx = self.label_grid.shape
        x0, x1, y0, y1 = self.extent
        return x0, y0, (nx - 1) / (x1 - x0), (ny - 1) / (y1 - y0)

    def cell_of(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """(column, row) of the nearest cell of (x, y), clamped to the grid."""
        ny, nx = self.label_grid.shape
        x0, y0, ix, iy = self.geometry()
        col = np.clip(np.floor((np.asarray(x, float) - x0) * ix + 0.5), 0, nx - 1).astype(np.intp)
        row = np.clip(np.floor((np.asarray(y, float) - y0) * iy + 0.5), 0, ny - 1).astype(np.intp)
        return col, row

    def field_of(self, x, y, R: float | None = None) -> np.ndarray:
        """Label of the nearest cell (of :meth:`kernel_grids` when R is given)."""
        labels = self.label_grid if R is None else self.kernel_grids(R)[0]
        col, row = self.cell_of(x, y)
        return labels[row, col]

    @cached_property
    def digest(self) -> str:
        """Hash of the extent and both grids (identifies the grids of a run)."""
        h = hashlib.sha256(repr((self.extent, self.fields)).encode())
        h.update(self.label_grid.tobytes())
        h.update(self.near_grid.tobytes())
        return h.hexdigest()[:16]

    def kernel_grids(self, R: float) -> tuple[np.ndarray, np.ndarray]:
        """(labels, nears) with every cell whose centre lies outside the ball of
        radius R replaced by the nearest cell inside it (cached per R)."""
        cache = self.__dict__.setdefault("_kernel_grids", {})
        if R not in cache:
            xs, ys = self.centres()
            outside = xs[None, :] ** 2 + ys[:, None] ** 2 > R * R
            if outside.all() or not outside.any():
                cache[R] = (self.label_grid, self.near_grid)
            else:
                from scipy.ndimage import distance_transform_edt

                dx = xs[1] - xs[0]
                dy = ys[1] - ys[0]
                rows, cols = distance_transform_edt(outside, sampling=(dy, dx),
                                                    return_distances=False, return_indices=True)
                cache[R] = (np.ascontiguousarray(self.label_grid[rows, cols]),
                            np.ascontiguousarray(self.near_grid[rows, cols]))
        return cache[R]

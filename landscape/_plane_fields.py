"""Labels, capture regions and distances of the 2-D fields (helper of plane_analysis).

* :func:`capture_grid`: cells from which the gradient flow surely ends at one
  minimiser set (components of a sublevel set below every saddle and maximum);
* :func:`assign_free_ends`: the set of every start of the full-grid pass;
* :func:`fill_unresolved`: cells whose start ended nowhere (a saddle, no
  convergence) take the label of the nearest labelled cell;
* :func:`field_distances`: d_{i,j} = dist(set i, Omega_j), diagonal r_i, to
  the midpoints between neighbouring cells of different fields.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from . import config
from ._plane_points import MinimiserSet
from ._plane_sets import minimiser_sets, polish_minimum


def boundary_pairs(labels: np.ndarray, axis_values: np.ndarray):
    """Midpoints and the two labels of neighbouring in-ball cells of different fields."""
    mids_x, mids_y, first, second = [], [], [], []
    for a, b, horizontal in ((labels[:, :-1], labels[:, 1:], True),
                             (labels[:-1, :], labels[1:, :], False)):
        rows, cols = np.nonzero((a >= 0) & (b >= 0) & (a != b))
        if horizontal:
            mids_x.append(0.5 * (axis_values[cols] + axis_values[cols + 1]))
            mids_y.append(axis_values[rows])
        else:
            mids_x.append(axis_values[cols])
            mids_y.append(0.5 * (axis_values[rows] + axis_values[rows + 1]))
        first.append(a[rows, cols])
        second.append(b[rows, cols])
    return (np.concatenate(mids_x), np.concatenate(mids_y), np.concatenate(first),
            np.concatenate(second))


def field_distances(sets, labels, axis_values) -> np.ndarray:
    """d_{i,j} = dist(set i, Omega_j) for i != j; diagonal r_i (inf without a boundary)."""
    m = len(sets)
    mx, my, first, second = boundary_pairs(labels, axis_values)
    distances = np.full((m, m), np.inf)
    for i, minimiser in enumerate(sets):
        to_mid = minimiser.distance(mx, my)
        for j in range(m):
            touching = (first == j) | (second == j)
            if touching.any():
                distances[i, j] = float(np.min(to_mid[touching]))
    return distances


def fill_unresolved(labels: np.ndarray, inside: np.ndarray) -> None:
    """Label in-ball cells whose start did not end at a minimiser set by their nearest one."""
    unresolved = inside & (labels < 0)
    if not unresolved.any() or not (labels >= 0).any():
        return
    _, (near_rows, near_cols) = ndimage.distance_transform_edt(labels < 0, return_indices=True)
    labels[unresolved] = labels[near_rows[unresolved], near_cols[unresolved]]


def wall_saddles(land, R: float, count: int) -> np.ndarray:
    """Points on the wall where f has a local maximum along it and decreases outwards.

    They are saddles of the projected flow: starts on either side slide along
    the wall away from them. ``count`` angles are sampled.
    """
    angles = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    x, y = R * np.cos(angles), R * np.sin(angles)
    values = land.f(x, y)
    gx, gy = land.gradient(x, y)
    finite = np.isfinite(values)
    peak = finite & (values >= np.roll(values, 1)) & (values >= np.roll(values, -1)) \
        & (x * gx + y * gy < 0)
    return np.column_stack([x[peak], y[peak]])


_EIGHT = np.ones((3, 3), dtype=bool)


def cell_lower_bound(land, grid_x, grid_y, f_grid, samples: int = 3) -> np.ndarray:
    """The least of f over ``samples`` x ``samples`` points spread over each grid cell.

    A valley narrower than a cell runs through cells whose centre lies well
    above its floor; with the least sampled value such cells still count as
    below a level that the floor is below.
    """
    spacing = float(grid_x[0, 1] - grid_x[0, 0])
    offsets = (np.arange(samples) - (samples - 1) / 2) * spacing / samples
    lowest = np.array(f_grid, dtype=np.float64, copy=True)
    for dx in offsets:
        for dy in offsets:
            if dx == 0 and dy == 0:
                continue
            values = land.f(grid_x + dx, grid_y + dy)
            lowest = np.fmin(lowest, values)
    return lowest


def _cells(points: np.ndarray, R: float, n: int, spacing: float):
    """(rows, cols) of the grid cells of ``points`` (k, 2), pulled inside the ball."""
    radius = np.hypot(points[:, 0], points[:, 1])
    pull = np.where(radius > R - spacing, np.maximum(R - spacing, 0.0) / np.maximum(radius, 1e-300),
                    1.0)[:, None]
    inside = points * pull
    cols = np.clip(np.rint((inside[:, 0] + R) / spacing).astype(np.int64), 0, n - 1)
    rows = np.clip(np.rint((inside[:, 1] + R) / spacing).astype(np.int64), 0, n - 1)
    return rows, cols


def capture_grid(sets, barriers: np.ndarray, f_grid, inside, R: float):
    """Cells from which the flow surely ends at one set (see ``_plane_flow.descend``).

    For each set, the largest level c (tried at the values of f at the other
    critical points, bisected) whose component of {f < c} around the set holds
    no barrier (saddle, maximum, minimum without a set of its own, wall saddle)
    and no other set: f decreases along the flow, so a point in that
    component with f below c never leaves it and ends at the set. ``f_grid``
    is the least of f sampled over each cell (:func:`cell_lower_bound`) and
    cells touching at a corner are connected, so that a valley narrower than
    a cell stays connected. A margin below each candidate value keeps two
    basins apart near a saddle.

    Returns
    -------
    (owner, levels) or None
        ``owner`` (n, n) int16: the set whose component holds the cell, or -1;
        ``levels[i]`` the level of set i (-inf if it has no component).
    """
    n = f_grid.shape[0]
    spacing = 2 * R / (n - 1)
    region = inside & np.isfinite(f_grid)
    if not region.any() or not sets:
        return None
    top = float(np.max(f_grid[region])) + 1.0
    barriers = np.asarray(barriers, dtype=np.float64).reshape(-1, 2)
    barrier_cells = _cells(barriers, R, n, spacing)
    barrier_values = [float(v) for v in f_grid[barrier_cells]]
    set_cells = [_cells(s.points[0] + np.linspace(0, 1, 65)[:, None]
                        * (s.points[-1] - s.points[0]), R, n, spacing) for s in sets]
    owner = np.full((n, n), -1, dtype=np.int16)
    levels = np.full(len(sets), -np.inf)
    for i, minimiser in enumerate(sets):
        value = minimiser.value
        if not np.isfinite(value):
            continue
        others = [float(s.value) for j, s in enumerate(sets) if j != i]
        candidates = sorted({c for c in barrier_values + others if np.isfinite(c) and c > value}
                            | {top})

        def component(c, i=i, value=value):
            level = c - max(1e-6 * (abs(c) + 1.0), 0.05 * (c - value))
            labels, _ = ndimage.label(region & (f_grid < level), structure=_EIGHT)
            mine = np.unique(labels[set_cells[i]])
            mine = mine[mine > 0]
            if not mine.size:
                return None, level, True
            held = np.isin(labels, mine)
            clean = not held[barrier_cells].any() and not any(
                held[cells].any() for j, cells in enumerate(set_cells) if j != i)
            return held, level, clean

        low, high, best = 0, len(candidates) - 1, None
        while low <= high:                 # the component grows with c: bisect
            middle = (low + high) // 2
            held, level, clean = component(candidates[middle])
            if clean:
                if held is not None:
                    best = (held, level)
                low = middle + 1
            else:
                high = middle - 1
        # between the last clean candidate and the first that is not, a few halvings
        # (a missed saddle must not leave a set without any capture region)
        clean_c = candidates[high] if high >= 0 else value
        dirty_c = candidates[low] if low < len(candidates) else None
        for _ in range(config.PLANE_CAPTURE_HALVINGS if dirty_c is not None else 0):
            middle = 0.5 * (clean_c + dirty_c)
            held, level, clean = component(middle)
            if clean:
                clean_c = middle
                if held is not None:
                    best = (held, level)
            else:
                dirty_c = middle
        if best is not None:
            owner[best[0]] = i
            levels[i] = best[1]
    return owner, levels


def assign_free_ends(land, fine, sets, R, spacing, coarse_spacing, scale, warnings):
    """Set index of every fine start: captured ones, then the free end points."""
    start_set = np.where(fine.groups <= -2, -2 - fine.groups, -1)
    if fine.group_count:
        found, group_to_set, notes = minimiser_sets(land, fine, R, spacing, scale)
        warnings.extend(notes)
        mapping = []
        for candidate in found:
            distance = [s.distance(*candidate.centre) for s in sets]
            k = int(np.argmin(distance)) if distance else -1
            if k >= 0 and distance[k] <= 3 * coarse_spacing:
                mapping.append(k)
            else:                        # a basin the coarse pass missed
                mapping.append(len(sets))
                if not candidate.is_segment and not candidate.at_wall:
                    point = polish_minimum(land, candidate.points[0], R, 2 * spacing)
                    candidate = MinimiserSet(point[None, :], float(land.f(*point)))
                sets.append(candidate)
        mapping = np.array(mapping + [-1], dtype=np.int64)
        free = fine.groups >= 0
        start_set[free] = mapping[group_to_set[fine.groups[free]]]
    return start_set

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


def capture_grid(sets, other_minima, f_grid, inside, R: float):
    """Cells from which the flow surely ends at one set (see ``_plane_flow.descend``).

    The level is just below the lowest saddle, maximum or degenerate point, so
    each component of {f < level} holds no critical point but minimisers; a
    component that holds one set (and no other minimum) is captured by it.
    """
    n = f_grid.shape[0]
    spacing = 2 * R / (n - 1)
    region = inside & np.isfinite(f_grid)
    finite = f_grid[region]
    if not finite.size:
        return None
    level = float(np.max(finite)) + 1.0 if other_minima[1] is None else other_minima[1]
    # a margin below the barrier, so that near a saddle the excluded band is wider than
    # a cell and two basins never touch on the grid
    lowest = min((s.value for s in sets if np.isfinite(s.value)), default=float(finite.min()))
    level -= max(1e-6 * (abs(level) + 1.0), 0.05 * max(level - lowest, 0.0))
    components, count = ndimage.label(region & (f_grid < level))
    owner = np.full(count + 1, -1, dtype=np.int64)
    shared = np.zeros(count + 1, dtype=bool)
    samples = [(i, s.points[0] + np.linspace(0, 1, 65)[:, None] * (s.points[-1] - s.points[0]))
               for i, s in enumerate(sets)]
    samples += [(-1, p[None, :]) for p in other_minima[0]]
    for i, points in samples:
        cols = np.clip(np.rint((points[:, 0] + R) / spacing).astype(np.int64), 0, n - 1)
        rows = np.clip(np.rint((points[:, 1] + R) / spacing).astype(np.int64), 0, n - 1)
        for component in np.unique(components[rows, cols]):
            if component == 0:
                continue
            if i < 0 or (owner[component] >= 0 and owner[component] != i):
                shared[component] = True
            owner[component] = i
    owner[shared] = -1
    owner[0] = -1
    return owner[components].astype(np.int16), level


def assign_free_ends(land, fine, sets, R, spacing, coarse_spacing, scale, warnings):
    """Set index of every fine start: captured ones, then the free end points."""
    start_set = np.where(fine.groups <= -2, -2 - fine.groups, -1)
    if fine.group_count:
        found, group_to_set, notes = minimiser_sets(land, fine, R, spacing, scale,
                                                    refine=False)
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

"""Sweep of the clipping threshold b: where the transition graph changes.

Every jump number l_{i,j} = ceil(d_{i,j} / b) is a step function of b that
changes only at b = d_{i,j} / k, k = 1, 2, ... (d_{i,i} = r_i). Between two
consecutive such values all l*_i, edges and classes are constant, so a finite
list of open intervals describes the structure for every b in [b_min, b_max].
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from . import config
from .critical import check_L, critical_points
from .errors import AnalysisError
from .loss import Landscape
from .theory import (
    CommunicatingClass,
    clip_threshold,
    field_bounds,
    structure_for_widths,
    surviving_minima,
    transition_distances,
)


@dataclass(kw_only=True, frozen=True)
class SweepInterval:
    """The structure for every b in the open interval (b_low, b_high).

    ``surviving`` lists the large minima of the absorbing classes (0-based):
    the minima where the iterates spend their time for small eta.
    """

    b_low: float
    b_high: float
    l_star: tuple[int, ...]
    edges: tuple[tuple[int, int], ...]
    classes: tuple[CommunicatingClass, ...]
    irreducible: bool
    surviving: tuple[int, ...]

    @property
    def b_mid(self) -> float:
        """A representative b inside the interval (inf for an unbounded one)."""
        if math.isinf(self.b_high):
            return math.inf if self.b_low > 0 else 1.0
        return 0.5 * (self.b_low + self.b_high)

    def to_json(self) -> dict:
        """JSON form with 1-based indices; an infinite bound is the string "inf"."""
        return {
            "b_low": self.b_low,
            "b_high": "inf" if math.isinf(self.b_high) else self.b_high,
            "l_star": list(self.l_star),
            "edges": [[i + 1, j + 1] for i, j in self.edges],
            "classes": [{"members": [i + 1 for i in c.members], "absorbing": c.absorbing,
                         "large": [i + 1 for i in c.large]} for c in self.classes],
            "irreducible": self.irreducible,
            "surviving": [i + 1 for i in self.surviving],
        }


def _minima_maxima(source):
    if hasattr(source, "minima") and hasattr(source, "maxima"):
        return tuple(source.minima), tuple(source.maxima)
    minima, maxima = source
    return tuple(minima), tuple(maxima)


def _check_range(b_min, b_max) -> tuple[float, float]:
    b_min = clip_threshold(b_min)
    b_max = clip_threshold(b_max)
    if math.isinf(b_min):
        raise AnalysisError("b_min must be finite")
    if not b_min < b_max:
        raise AnalysisError(f"b_min must be smaller than b_max (got {b_min} and {b_max})")
    return b_min, b_max


def breakpoints(analysis_or_geometry, b_min: float, b_max: float) -> tuple[float, ...]:
    """All values d / k in (b_min, b_max) at which some l_{i,j} changes.

    Parameters
    ----------
    analysis_or_geometry : Analysis, CriticalPoints or (minima, maxima)
    b_min, b_max : float
        0 < b_min < b_max; b_max may be inf.

    Returns
    -------
    tuple of float
        Increasing, without duplicates. Not every value needs to change the
        graph (``sweep`` merges intervals with equal structure).

    Raises
    ------
    AnalysisError
        If there would be more than ``config.MAX_SWEEP_BREAKPOINTS`` values.
    """
    b_min, b_max = _check_range(b_min, b_max)
    minima, maxima = _minima_maxima(analysis_or_geometry)
    minima = tuple(sorted(minima))
    left, right = field_bounds(minima, maxima)
    distances = [float(d) for d in transition_distances(minima, left, right).ravel()
                 if math.isfinite(d) and d > 0]
    ranges = []
    total = 0
    for d in set(distances):
        k_low = 1 if math.isinf(b_max) else math.floor(d / b_max) + 1
        k_high = math.ceil(d / b_min) - 1
        if k_high >= k_low:
            ranges.append((d, k_low, k_high))
            total += k_high - k_low + 1
    if total > config.MAX_SWEEP_BREAKPOINTS:
        suggestion = sum(distances) / config.MAX_SWEEP_BREAKPOINTS
        count = f"{total:,}" if total < 10**6 else f"about {float(total):.3g}"
        raise AnalysisError(
            f"b_min = {b_min:g} is too small: {count} breakpoints (limit "
            f"{config.MAX_SWEEP_BREAKPOINTS}); use b_min >= {suggestion:.3g}")
    values = sorted(d / k for d, k_low, k_high in ranges for k in range(k_low, k_high + 1))
    distinct: list[float] = []
    for value in values:
        # d/k values that differ only by rounding (0.6/4 and 0.3/2) are one breakpoint
        if distinct and value - distinct[-1] <= config.BREAKPOINT_MERGE_RTOL * value:
            continue
        distinct.append(value)
    return tuple(v for v in distinct if b_min < v < b_max)


def sweep(land: Landscape, L: float, b_min: float, b_max: float) -> tuple[SweepInterval, ...]:
    """Structure of the transition graph for every b in [b_min, b_max].

    Parameters
    ----------
    land : Landscape
    L : float
    b_min, b_max : float
        0 < b_min < b_max; b_max may be inf.

    Returns
    -------
    tuple of SweepInterval
        Consecutive open intervals covering (b_min, b_max); adjacent intervals
        differ in l*, edges or classes. Their shared ends are the exact values
        d/k where the structure changes.
    """
    L = check_L(L)
    b_min, b_max = _check_range(b_min, b_max)
    points = critical_points(land, L)
    cuts = (b_min,) + breakpoints(points, b_min, b_max) + (b_max,)
    intervals: list[SweepInterval] = []
    for low, high in itertools.pairwise(cuts):
        b = math.inf if math.isinf(high) else 0.5 * (low + high)
        structure = structure_for_widths(points.minima, points.maxima, b)
        surviving = surviving_minima(structure.classes)
        interval = SweepInterval(b_low=low, b_high=high, l_star=structure.l_star,
                                 edges=structure.edges, classes=structure.classes,
                                 irreducible=structure.irreducible, surviving=surviving)
        previous = intervals[-1] if intervals else None
        if previous is not None and (previous.l_star, previous.edges, previous.classes) == \
                (interval.l_star, interval.edges, interval.classes):
            intervals[-1] = SweepInterval(b_low=previous.b_low, b_high=high,
                                          l_star=previous.l_star, edges=previous.edges,
                                          classes=previous.classes,
                                          irreducible=previous.irreducible,
                                          surviving=previous.surviving)
        else:
            intervals.append(interval)
    return tuple(intervals)


def b_ranges_keeping(intervals, keep) -> tuple[tuple[float, float], ...]:
    """Merged ranges of b where exactly the minima ``keep`` survive.

    Every other minimum is eliminated (not a large minimum of an absorbing
    class) and every minimum of ``keep`` survives. Adjacent sweep intervals
    are merged; the width of a range is ``high - low``.

    Parameters
    ----------
    intervals : sequence of SweepInterval
        From ``sweep``.
    keep : iterable of int
        0-based minima to keep (e.g. the wide ones).

    Returns
    -------
    tuple of (low, high)
        Open ranges, increasing; empty if no b in the sweep does it.
    """
    wanted = set(keep)
    ranges: list[list[float]] = []
    for interval in intervals:
        if set(interval.surviving) != wanted:
            continue
        if ranges and ranges[-1][1] == interval.b_low:
            ranges[-1][1] = interval.b_high
        else:
            ranges.append([interval.b_low, interval.b_high])
    return tuple((low, high) for low, high in ranges)


def lost_minima(interval: SweepInterval, keep) -> tuple[int, ...]:
    """Minima of ``keep`` that do not survive for the b of ``interval`` (0-based)."""
    return tuple(sorted(set(keep) - set(interval.surviving)))


def wide_minima(widths, share: float = 0.5) -> tuple[int, ...]:
    """The minima a practitioner wants to keep by default: field width r_i at least
    ``share`` times the widest (0-based, increasing)."""
    widths = [float(w) for w in widths]
    if not widths:
        return ()
    top = max(widths)
    return tuple(i for i, w in enumerate(widths) if w >= share * top)


def recommended_b(ranges) -> float | None:
    """The middle of the widest of ``ranges`` (from :func:`b_ranges_keeping`), rounded to
    the fewest digits that stay inside it; None without a range."""
    finite = [(lo, hi) for lo, hi in ranges if math.isfinite(hi)]
    if not finite:
        return None
    lo, hi = max(finite, key=lambda r: r[1] - r[0])
    mid = (lo + hi) / 2
    for digits in range(1, 7):
        r = round(mid, digits)
        if lo < r < hi:
            return r
    return mid


def _names(indices) -> str:
    return ", ".join(f"m{i + 1}" for i in indices)


def sharp_survivor_note(widths, l_stars, surviving, b: float) -> str | None:
    """Plain words for the sharp minima (by width r, see :func:`wide_minima`) that survive
    at this b, i.e. that clipping does not eliminate; None when there is none.

    Parameters
    ----------
    widths, l_stars : sequence
        r_i and l*_i of the fields (0-based).
    surviving : iterable of int
        The large minima of absorbing classes at this b.
    b : float
        The clipping threshold (inf: no clipping).
    """
    wide = set(wide_minima(widths))
    kept_sharp = [i for i in sorted(set(surviving)) if i not in wide]
    if not kept_sharp:
        return None
    names = _names(kept_sharp)
    one = len(kept_sharp) == 1
    what = f"the sharp minimum {names} is" if one else f"the sharp minima {names} are"
    if not math.isfinite(b):
        return (f"Without clipping {what} not eliminated: every field is left in one jump, "
                "so nothing favours the wide minima. Switch clipping on.")
    radii = ", ".join(f"r{i + 1} = {widths[i]:.3g}" for i in kept_sharp)
    if all(widths[i] <= b for i in kept_sharp):
        return (f"At this b {what} not eliminated: b = {b:.3g} is larger than "
                f"{'its' if one else 'their'} escape distance r ({radii}), so one jump leaves "
                f"{'it' if one else 'them'} as easily as the wide minima. A smaller b (the b tuner "
                "gives the range) makes the wide minima need more jumps to leave.")
    counts = ", ".join(f"l*{i + 1} = {l_stars[i]}" for i in kept_sharp)
    return (f"At this b {what} not eliminated: {'it needs' if one else 'they need'} as many jumps "
            f"to leave ({counts}) as the large minima of {'its' if one else 'their'} class. A "
            "smaller b (the b tuner gives the range) separates them.")


def recommendation_reason(ranges, recommended: float, widths, keep, b_max: float) -> str:
    """Why :func:`recommended_b` chose ``recommended``, in plain words.

    Parameters
    ----------
    ranges : sequence of (low, high)
        From :func:`b_ranges_keeping`.
    recommended : float
        The recommended b.
    widths : sequence of float
        r_i of the fields.
    keep : iterable of int
        The minima the ranges keep (0-based).
    b_max : float
        The upper end of the sweep ("b to").
    """
    lo, hi = next(((lo, hi) for lo, hi in ranges if lo < recommended < hi), ranges[0])
    kept = sorted(set(keep))
    others = len(widths) > len(kept)
    out = (f"Why b = {recommended:g}: every b in ({lo:.3g}, {hi:.3g}) keeps {_names(kept)}"
           + (" and eliminates the others" if others else ", all the minima")
           + f"; it is the widest such range{'' if len(ranges) == 1 else f' of the {len(ranges)}'}, "
           "and its middle is farthest from the structure changes at its ends.")
    if hi >= b_max * (1 - 1e-9):
        out += (f" The range runs to the end of the sweep (b to = {b_max:g}), so its middle depends on "
                f"that choice: any b from {lo:.3g} up does the same.")
    if widths and recommended >= max(widths):
        out += (f" This b is larger than every field's r (at most {max(widths):.3g}): each field is "
                "left in one jump, so clipping hardly acts"
                + ("; the others are eliminated by where single jumps land. A b near the range's "
                   "lower end clips more." if others else "."))
    return out

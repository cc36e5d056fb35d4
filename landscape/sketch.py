"""Sketched landscapes: the natural cubic spline through control points.

``landscape_from_sketch(points)`` turns control points (x_k, y_k) into the
natural cubic spline through them (C^2, linear beyond the outer points), as a
SymPy ``Piecewise``. Its ``source`` is ``"sketch:x1,y1;x2,y2;..."``, which
:func:`parse_sketch` (and :func:`landscape.load_landscape`) reads back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import sympy

from . import config
from .errors import SketchError
from .loss import Landscape
from .vocabulary import X

_SKETCH_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SKETCH_RE = re.compile(rf"^\s*({_SKETCH_NUMBER})\s*,\s*({_SKETCH_NUMBER})\s*$")


def _format_number(value: float) -> str:
    return repr(float(value))


def landscape_from_sketch(points: Sequence[tuple[float, float]]) -> Landscape:
    """Natural cubic spline through sketched control points.

    Parameters
    ----------
    points : sequence of (x, y)
        At least 3 and at most ``config.MAX_SKETCH_POINTS`` points with
        distinct x (they are sorted by x).

    Returns
    -------
    Landscape
        ``kind == "sketch"``; f is C^2, passes through every point, and is
        continued linearly beyond the outer points (second derivative 0 there).
        ``source`` is the exact ``"sketch:..."`` string that reloads it.
    """
    try:
        array = np.array([(float(px), float(py)) for px, py in points], dtype=np.float64)
    except (TypeError, ValueError):
        raise SketchError("a sketch is a list of (x, y) number pairs") from None
    if len(array) < 3:
        raise SketchError("a sketch needs at least 3 points")
    if len(array) > config.MAX_SKETCH_POINTS:
        raise SketchError(f"a sketch has at most {config.MAX_SKETCH_POINTS} points")
    if not np.all(np.isfinite(array)) or np.abs(array).max() > 1e6:
        raise SketchError("sketch points must be finite numbers of size at most 1e6")
    array = array[np.argsort(array[:, 0], kind="stable")]
    if np.any(np.diff(array[:, 0]) <= 1e-9 * max(1.0, np.abs(array[:, 0]).max())):
        raise SketchError("sketch points must have distinct x values")
    source = "sketch:" + ";".join(f"{_format_number(px)},{_format_number(py)}"
                                  for px, py in array)
    from scipy.interpolate import CubicSpline  # slow import, sketches only

    spline = CubicSpline(array[:, 0], array[:, 1], bc_type="natural")
    knots = array[:, 0]
    slope_first = float(spline(knots[0], 1))
    slope_last = float(spline(knots[-1], 1))
    # Each piece in Horner form in t = x - x_k, with its derivatives written
    # out directly (sympy.diff of 100 Float pieces would take seconds).
    value_pieces, slope_pieces, curvature_pieces = [], [], []
    left_end = sympy.Float(knots[0])
    before = sympy.StrictLessThan(X, left_end)
    value_pieces.append((_horner((array[0, 1], slope_first), X - left_end), before))
    slope_pieces.append((sympy.Float(slope_first), before))
    curvature_pieces.append((sympy.S.Zero, before))
    for k in range(len(knots) - 1):
        c3, c2, c1, c0 = (float(c) for c in spline.c[:, k])
        t = sympy.Add(X, sympy.Float(-knots[k]), evaluate=False)
        condition = sympy.StrictLessThan(X, sympy.Float(knots[k + 1]))
        value_pieces.append((_horner((c0, c1, c2, c3), t), condition))
        slope_pieces.append((_horner((c1, 2 * c2, 3 * c3), t), condition))
        curvature_pieces.append((_horner((2 * c2, 6 * c3), t), condition))
    right_end = sympy.Float(knots[-1])
    value_pieces.append((_horner((array[-1, 1], slope_last), X - right_end), True))
    slope_pieces.append((sympy.Float(slope_last), True))
    curvature_pieces.append((sympy.S.Zero, True))
    expression = sympy.Piecewise(*value_pieces, evaluate=False)
    if X not in expression.free_symbols:
        raise SketchError("the sketch does not depend on x")
    landscape = Landscape(source, "sketch", expression)
    cache = landscape.__dict__   # pre-fill the cached properties
    cache["dexpr"] = sympy.Piecewise(*slope_pieces, evaluate=False)
    cache["d2expr"] = sympy.Piecewise(*curvature_pieces, evaluate=False)
    cache["is_polynomial"] = False
    cache["is_smooth"] = True
    for name, order in (("f", 0), ("df", 1), ("d2f", 2)):
        cache[name] = _spline_function(spline, knots[0], knots[-1], order)
    return landscape


def _horner(coefficients, t):
    """c_0 + t (c_1 + t (c_2 + ...)) built without SymPy's (slow) simplification."""
    result = sympy.Float(coefficients[-1])
    for coefficient in coefficients[-2::-1]:
        result = sympy.Add(sympy.Float(coefficient), sympy.Mul(t, result, evaluate=False),
                           evaluate=False)
    return result


def _spline_function(spline, first: float, last: float, order: int):
    """Vectorised derivative ``order`` of a natural spline continued linearly."""
    slope_first = float(spline(first, 1))
    slope_last = float(spline(last, 1))

    def evaluate(x):
        points = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            values = np.asarray(spline(np.clip(points, first, last), order), dtype=np.float64)
            below = points < first
            above = points > last
            if order == 0:
                values = values + np.where(below, slope_first * (points - first), 0.0) \
                    + np.where(above, slope_last * (points - last), 0.0)
            elif order == 2:
                values = np.where(below | above, 0.0, values)
        return np.array(np.broadcast_to(values, points.shape), dtype=np.float64)

    return evaluate


def parse_sketch(source: str) -> Landscape:
    """Read a ``"sketch:x1,y1;x2,y2;..."`` string back into a landscape."""
    if len(source) > config.MAX_SKETCH_SOURCE_LENGTH:
        raise SketchError(f"the sketch text is too long (limit "
                           f"{config.MAX_SKETCH_SOURCE_LENGTH} characters)")
    body = source.strip()[len("sketch:"):]
    points = []
    offset = len(source) - len(source.lstrip()) + len("sketch:")
    for chunk in body.split(";"):
        match = _SKETCH_RE.match(chunk)
        if match is None:
            raise SketchError("a sketch point must read 'x,y' with plain numbers",
                               source, offset)
        points.append((float(match.group(1)), float(match.group(2))))
        offset += len(chunk) + 1
    return landscape_from_sketch(points)

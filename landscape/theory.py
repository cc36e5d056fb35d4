"""The closed forms of THEORY.md sections 3-5: one named function per formula.

Every other module (``landscape.analysis``, ``landscape.sweep``, ``simulate``,
the pages) calls these; none writes its own copy.

Indices are 0-based in Python objects, 1-based in the maths and in JSON.

* ``clip_threshold``      one spelling of "no clipping": ``math.inf``
* ``field_bounds``        s_{i-1}, s_i of each field (None for -inf / +inf)
* ``effective_width``     r_i = min(|m_i - s_{i-1}|, |s_i - m_i|)       (eq. 4)
* ``jumps``               ceil(d / b), the minimum number of clipped jumps
* ``transition_distances`` d_{i,j} behind l_{i,j} (diagonal r_i)        (eq. 7)
* ``jump_numbers``        l_{i,j} (diagonal l*_i)                      (eqs. 5, 7)
* ``typical_edges``       m_i -> m_j iff l_{i,j} = l*_i                (Def. 1)
* ``structure_from_distances`` l_{i,j}, edges, classes from d_{i,j} (1-D and 2-D)
* ``communicating_classes`` classes, absorbing flags, large minima
* ``large_minima``        members with l*_i = l*_G
* ``exit_exponent``       beta_i = alpha + (alpha - 1)(l*_i - 1)
* ``time_scale``          lambda_i(eta) = H(1/eta) (H(1/eta)/eta)^(l*_i - 1)  (eq. 6)
* ``mean_exit_steps``     E[sigma_i] ~ 1/(q_i lambda_i(eta))            (Theorem 1)
* ``large_fields``        the large minima of every class, as one set
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from . import config
from .errors import AnalysisError

#: Note that goes with every prediction of the theory (THEORY.md 9).
LIMIT_NOTE = ("eta -> 0 limit of the theory; at finite eta the gap to simulation shrinks only "
              "like eta^(alpha - 1) (moderate jumps between the l* large ones)")

#: what a user may type for "no clipping" at the edges (command line, TOML, URL)
NO_CLIP_TEXT = ("inf", "+inf", "infinity", "none", "no", "off", "")


def clip_threshold(b) -> float:
    """The clipping threshold b as a float: a positive number, ``math.inf`` for no clipping.

    Inside the code "no clipping" has one spelling, ``math.inf``; text from a
    user goes through :func:`parse_clip_threshold` first.

    Raises
    ------
    AnalysisError
        If b is not a positive number (None and strings included).
    """
    if isinstance(b, bool) or not isinstance(b, numbers.Real):
        raise AnalysisError(f"b must be a positive number or inf (no clipping), not {b!r}")
    value = float(b)
    if math.isnan(value) or value <= 0:
        raise AnalysisError(f"b must be positive (or inf for no clipping), not {b!r}")
    return value


def parse_clip_threshold(value) -> float:
    """The edge parser of b: text or a number from a user -> :func:`clip_threshold`.

    ``None`` (not given), ``False`` and the strings of :data:`NO_CLIP_TEXT` (any
    case, spaces ignored) mean no clipping and give ``math.inf``; other text is
    read as a number.

    Raises
    ------
    AnalysisError
        If the value is not a positive number or one of the spellings above.
    """
    if value is None or value is False:
        return math.inf
    if isinstance(value, str):
        text = value.strip().lower()
        if text in NO_CLIP_TEXT:
            return math.inf
        try:
            value = float(text)
        except ValueError:
            raise AnalysisError(f"b must be a number or inf (no clipping), not {value!r}") \
                from None
    return clip_threshold(value)


def is_clipped(b) -> bool:
    """True if b is a finite clipping threshold."""
    return math.isfinite(clip_threshold(b))


def field_bounds(minima: Sequence[float], maxima: Sequence[float]):
    """Left and right boundary (nearest maxima) of each minimum; None if none.

    Returns
    -------
    (left, right) : tuple of tuples
        ``left[i]`` = s_{i-1}, ``right[i]`` = s_i (None for -inf / +inf).
    """
    ordered_maxima = sorted(maxima)
    left, right = [], []
    for m in minima:
        below = [s for s in ordered_maxima if s < m]
        above = [s for s in ordered_maxima if s > m]
        left.append(below[-1] if below else None)
        right.append(above[0] if above else None)
    return tuple(left), tuple(right)


def effective_width(minimum: float, left: float | None, right: float | None) -> float:
    """r_i = min(|m_i - s_{i-1}|, |s_i - m_i|); an infinite side does not count.

    ``inf`` if both sides are infinite (a single field: nothing to escape to).
    """
    sides = [abs(minimum - s) for s in (left, right) if s is not None]
    return min(sides) if sides else math.inf


def jumps(distance: float, b: float) -> int:
    """Minimum number of steps of length at most b that cover ``distance``.

    ``ceil(distance / b)``, at least 1; 1 without clipping (b = inf) and 0 for
    an infinite distance (no boundary to cross). This is l*_i for d = r_i and
    l_{i,j} for d = d_{i,j}.
    """
    if math.isinf(distance):
        return 0
    if math.isinf(b):
        return 1
    count = distance / b
    if not count <= config.MAX_JUMPS:
        raise AnalysisError(
            f"b = {b:.3g} is too small: crossing a distance of {distance:.3g} would take "
            f"{count:.3g} clipped steps (limit {config.MAX_JUMPS:.0e}); choose a larger b")
    return max(1, math.ceil(count))


def transition_distances(minima, left, right) -> np.ndarray:
    """Matrix of distances d_{i,j} behind l_{i,j} (diagonal r_i).

    d_{i,j} = s_{j-1} - m_i for j > i and m_i - s_j for j < i (paper eq. 7).
    """
    n = len(minima)
    distances = np.zeros((n, n))
    for i in range(n):
        distances[i, i] = effective_width(minima[i], left[i], right[i])
        for j in range(n):
            if j > i:
                target = left[j] if left[j] is not None else minima[j]
                distances[i, j] = target - minima[i]
            elif j < i:
                target = right[j] if right[j] is not None else minima[j]
                distances[i, j] = minima[i] - target
    return distances


def jump_numbers(distances: np.ndarray, b: float) -> np.ndarray:
    """l_{i,j} = ceil(d_{i,j} / b) for every pair (diagonal l*_i), as int64."""
    b = clip_threshold(b)
    n = distances.shape[0]
    out = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(n):
            out[i, j] = jumps(float(distances[i, j]), b)
    return out


def typical_edges(jump_matrix: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Edges m_i -> m_j of the typical transition graph: l_{i,j} = l*_i (Definition 1)."""
    n = jump_matrix.shape[0]
    return tuple((i, j) for i in range(n) for j in range(n)
                 if i != j and jump_matrix[i, i] > 0 and jump_matrix[i, j] == jump_matrix[i, i])


def large_minima(members: Sequence[int], l_star: Sequence[int]) -> tuple[int, ...]:
    """Members of a class with l*_i = l*_G = max over the class (the wide minima)."""
    top = max(l_star[i] for i in members)
    return tuple(i for i in members if l_star[i] == top)


def large_fields(classes: Sequence[CommunicatingClass]) -> frozenset[int]:
    """The large (wide) minima of every class, as one set of 0-based fields.

    A field not in it is small in its class: the verdict of Theorem 2 at this b.
    """
    return frozenset(i for c in classes for i in c.large)


@dataclass(frozen=True)
class CommunicatingClass:
    """A communicating class (strongly connected component) of the graph.

    Attributes
    ----------
    members : tuple of int
        0-based field indices, increasing.
    absorbing : bool
        True if no edge leaves the class.
    large : tuple of int
        Members with l*_i == l*_G = max of l* over the class.
    """

    members: tuple[int, ...]
    absorbing: bool
    large: tuple[int, ...]


def communicating_classes(n: int, edges: Sequence[tuple[int, int]],
                          l_star: Sequence[int]) -> tuple[CommunicatingClass, ...]:
    """Strongly connected components (scipy), absorbing flags and large members."""
    if n == 0:
        return ()
    rows = [i for i, _ in edges]
    cols = [j for _, j in edges]
    adjacency = csr_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    classes = []
    for members in sorted(groups.values(), key=min):
        member_set = set(members)
        absorbing = not any(i in member_set and j not in member_set for i, j in edges)
        classes.append(CommunicatingClass(tuple(members), absorbing,
                                          large_minima(members, l_star)))
    return tuple(classes)


def surviving_minima(classes: Sequence[CommunicatingClass]) -> tuple[int, ...]:
    """The large minima of the absorbing classes: where the iterates end up as eta -> 0."""
    return tuple(i for c in classes if c.absorbing for i in c.large)


@dataclass(kw_only=True, frozen=True)
class Structure:
    """Widths, jump numbers and the typical transition graph for one b.

    Attributes
    ----------
    minima : tuple of float
    left, right : tuple of (float or None)
        s_{i-1} and s_i of each field, None for an infinite side.
    widths : tuple of float
        r_i (inf if the field has no finite side).
    l_star : tuple of int
        l*_i; 0 for a field without any boundary (nothing to escape to).
    jump_matrix : numpy.ndarray
        l_{i,j} (n x n ints, diagonal l*_i).
    edges : tuple of (int, int)
    classes : tuple of CommunicatingClass
        Ordered by smallest member.
    irreducible : bool
    """

    minima: tuple[float, ...]
    left: tuple[float | None, ...]
    right: tuple[float | None, ...]
    widths: tuple[float, ...]
    l_star: tuple[int, ...]
    jump_matrix: np.ndarray = field(repr=False, compare=False)
    edges: tuple[tuple[int, int], ...]
    classes: tuple[CommunicatingClass, ...]
    irreducible: bool


def structure_for_widths(minima: Sequence[float], maxima: Sequence[float],
                         b: float) -> Structure:
    """The typical transition graph of fields given by their critical points.

    Parameters
    ----------
    minima, maxima : sequence of float
        Local minima and maxima; each field is bounded by the nearest maxima
        on either side (an infinite side if there is none).
    b : float
        Clipping threshold, > 0; ``math.inf`` (or None, "inf") for no clipping.

    Returns
    -------
    Structure
    """
    minima = tuple(float(m) for m in sorted(minima))
    left, right = field_bounds(minima, maxima)
    distances = transition_distances(minima, left, right)
    return structure_from_distances(minima, left, right, distances, b)


def structure_from_distances(minima: Sequence, left: Sequence, right: Sequence,
                             distances: np.ndarray, b: float) -> Structure:
    """The typical transition graph from the distances d_{i,j} (diagonal r_i).

    The one place where jump numbers, edges, classes and large minima are put
    together: :func:`structure_for_widths` (1-D) and
    :func:`landscape.plane_analysis.analyze_plane` (2-D, where ``minima`` are
    points and ``left``/``right`` are None) both call it.
    """
    b = clip_threshold(b)
    jump_matrix = jump_numbers(distances, b)
    n = len(minima)
    l_star = tuple(int(jump_matrix[i, i]) for i in range(n))
    edges = typical_edges(jump_matrix)
    classes = communicating_classes(n, edges, l_star)
    widths = tuple(float(distances[i, i]) for i in range(n))
    return Structure(minima=tuple(minima), left=tuple(left), right=tuple(right), widths=widths,
                     l_star=l_star, jump_matrix=jump_matrix, edges=edges, classes=classes,
                     irreducible=n > 0 and len(classes) == 1)


def exit_exponent(alpha: float, l_star: int) -> float:
    """beta_i = alpha + (alpha - 1)(l*_i - 1); inf when there is no exit (l* = 0).

    E[sigma_i] grows like (1/eta)^beta_i for noise with tail index alpha.
    """
    if l_star <= 0:
        return math.inf
    return alpha + (alpha - 1) * (l_star - 1)


def time_scale(tail_at_inverse_eta: float, eta: float, l_star: int) -> float:
    """lambda_i(eta) = H(1/eta) (H(1/eta)/eta)^(l*_i - 1)  (paper eq. 6).

    Parameters
    ----------
    tail_at_inverse_eta : float
        H(1/eta) = P(|Z| > 1/eta) (see ``landscape.tails.tail_probability``).
    eta : float
        Learning rate, > 0.
    l_star : int
        l*_i (or l*_G for a class, eq. 9).
    """
    if l_star <= 0:
        return 0.0
    return tail_at_inverse_eta * (tail_at_inverse_eta / eta) ** (l_star - 1)


def mean_exit_steps(q_i: float, l_star: int, tail_at_inverse_eta: float, eta: float) -> float:
    """1/(q_i lambda_i(eta)): the predicted mean first-exit time in steps (Theorem 1).

    Infinite when q_i lambda_i(eta) is 0 (no exit possible in the limit).
    """
    lam = time_scale(tail_at_inverse_eta, eta, l_star)
    return math.inf if q_i * lam <= 0 else 1.0 / (q_i * lam)


def gradient_norm_clip(b, eta: float) -> float:
    """c = b / eta: the gradient-norm clip that makes a training loop's step clip at b.

    ``clip_grad_norm(c)`` then ``x -= eta * g`` moves at most eta c = b per
    step (inf without clipping).
    """
    return clip_threshold(b) / eta

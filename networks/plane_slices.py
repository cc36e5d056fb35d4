"""Loss slices on a plane: the loss on theta0 + x d1 + y d2, fitted by a polynomial f(x, y).

The plane is spanned by two directions through a trained solution theta0:
either two filter-normalised random directions (Li et al. 2018), or
d1 = theta_other - theta0 (so (1, 0) is the other solution) and a random
direction d2 orthogonalised against d1 and rescaled to |d1|. The loss is
sampled on a ``grid`` x ``grid`` mesh of [-1, 1]^2 and shifted so that its
lowest sample is 0; :func:`fit_plane` fits a least-squares polynomial in x and
y of total degree <= ``degree`` and prints it as a formula that
``landscape.load_landscape`` (and ``python -m landscape analyze --expr ...
--R 1``) reads as a 2-D landscape. The fit's RMS and largest error relative to
the sampled loss range are returned with it and stated wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from landscape import config as landscape_config

from .errors import NetworksError
from .slices import filter_normalised_direction

#: Grid points per side, total degree and significant digits of the coefficients (defaults).
PLANE_GRID = 21
PLANE_DEGREE = 6
PLANE_DIGITS = 8
#: Allowed ranges of the settings.
GRID_RANGE = (5, 101)
DEGREE_RANGE = (2, 6)
#: Half-width of the sampled square (the landscape's x, y are the plane coordinates).
PLANE_SPAN = 1.0


@dataclass(frozen=True)
class PlaneFit:
    """A polynomial fitted to a sampled plane slice.

    Attributes
    ----------
    expr : str
        f(x, y) as formula text (the shifted loss, lowest sample 0).
    degree : int
        Total degree of the polynomial.
    fit_error : dict
        ``rms``, ``max`` (absolute, of the printed formula on the samples),
        ``loss_range`` (max - min of the samples), ``rms_relative`` and
        ``max_relative`` (divided by the range), ``degree`` and ``terms``.
    """

    expr: str
    degree: int
    fit_error: dict


def check_plane_settings(grid: int, degree: int) -> None:
    """Raise :class:`NetworksError` naming a bad grid size or degree."""
    lo, hi = GRID_RANGE
    if not isinstance(grid, int) or not lo <= grid <= hi:
        raise NetworksError(f"grid must be an integer in [{lo}, {hi}], got {grid!r}")
    lo, hi = DEGREE_RANGE
    if not isinstance(degree, int) or not lo <= degree <= hi:
        raise NetworksError(f"degree must be an integer in [{lo}, {hi}], got {degree!r}")
    if grid * grid < 2 * len(monomials(degree)):
        raise NetworksError(f"a {grid} x {grid} grid is too coarse for degree {degree}")


def plane_axis(grid: int) -> np.ndarray:
    """The ``grid`` coordinates of each side of the sampled square [-1, 1]."""
    return np.linspace(-PLANE_SPAN, PLANE_SPAN, grid)


def orthogonal_direction(first: np.ndarray, theta: np.ndarray, segments, seed: int) -> np.ndarray:
    """A filter-normalised random direction, orthogonalised against ``first``, of norm |first|."""
    random = filter_normalised_direction(theta, segments, seed + 1)
    scale = float(first @ first)
    if scale <= 0:
        raise NetworksError("the two solutions coincide: no plane through them")
    second = random - (random @ first) / scale * first
    norm = np.linalg.norm(second)
    if norm == 0:
        raise NetworksError("the random direction is parallel to the first one")
    return second * (np.sqrt(scale) / norm)


def loss_on_plane(loss, theta0, first, second, xs, ys) -> np.ndarray:
    """loss(theta0 + x first + y second) on the mesh: ``losses[i, j]`` at (xs[j], ys[i]).

    One row of the mesh is vmapped at a time (``lax.map`` over the rows) so that a
    convolutional network never holds the whole grid's activations at once.
    """
    theta0 = jnp.asarray(theta0, jnp.float32)
    first = jnp.asarray(first, jnp.float32)
    second = jnp.asarray(second, jnp.float32)
    xs_j = jnp.asarray(xs, jnp.float32)

    def row(y):
        return jax.vmap(lambda x: loss(theta0 + x * first + y * second))(xs_j)

    values = jax.jit(lambda ys_: jax.lax.map(row, ys_))(jnp.asarray(ys, jnp.float32))
    return np.asarray(values, dtype=np.float64)


def monomials(degree: int) -> list[tuple[int, int]]:
    """Exponents (i, j) of x^i y^j with i + j <= degree, by total degree."""
    return [(total - j, j) for total in range(degree + 1) for j in range(total + 1)]


def _design(x, y, terms) -> np.ndarray:
    return np.stack([x**i * y**j for i, j in terms], axis=-1)


def _term(coefficient: str, i: int, j: int) -> str:
    parts = [coefficient] + [f"{name}**{k}" if k > 1 else name
                             for name, k in (("x", i), ("y", j)) if k]
    return "*".join(parts)


def polynomial_text(coefficients, terms, digits: int = PLANE_DIGITS) -> str:
    """The polynomial as formula text, coefficients to ``digits`` significant digits."""
    pieces = []
    for c, (i, j) in zip(coefficients, terms):
        if c == 0:
            continue
        text = f"{abs(c):.{digits}g}"
        pieces.append(("- " if c < 0 else "+ ") + _term(text, i, j))
    if not pieces:
        return "0*x + 0*y"
    out = " ".join(pieces)
    return out[2:] if out.startswith("+ ") else "-" + out[2:]


def _rounded(coefficients, digits: int) -> np.ndarray:
    return np.array([float(f"{c:.{digits}g}") for c in coefficients])


def fit_plane(xs, ys, losses, degree: int = PLANE_DEGREE) -> PlaneFit:
    """Least-squares polynomial of total degree <= ``degree`` through the shifted samples.

    Parameters
    ----------
    xs, ys : array (n,), (m,)
        The mesh's coordinates (in [-1, 1]).
    losses : array (m, n)
        ``losses[i, j]`` at (xs[j], ys[i]).
    degree : int
        Total degree, in ``DEGREE_RANGE``.

    Returns
    -------
    PlaneFit
        The formula and its error on the samples (of the printed, rounded formula).
    """
    xs, ys, losses = np.asarray(xs, float), np.asarray(ys, float), np.asarray(losses, float)
    if losses.shape != (ys.size, xs.size) or min(losses.shape) < 3:
        raise NetworksError("a plane slice needs a mesh of at least 3 x 3 losses")
    if not np.all(np.isfinite(losses)):
        raise NetworksError("the loss is not finite on this plane (a diverged model?)")
    lo, hi = DEGREE_RANGE
    if not isinstance(degree, int) or not lo <= degree <= hi:
        raise NetworksError(f"degree must be an integer in [{lo}, {hi}], got {degree!r}")
    if losses.size < 2 * len(monomials(degree)):
        raise NetworksError(f"{losses.size} samples are too few for degree {degree}")
    shifted = losses - losses.min()
    mesh_x, mesh_y = np.meshgrid(xs, ys)
    terms = monomials(degree)
    design = _design(mesh_x.ravel(), mesh_y.ravel(), terms)
    coefficients = np.linalg.lstsq(design, shifted.ravel(), rcond=None)[0]
    digits = PLANE_DIGITS
    text = polynomial_text(coefficients, terms, digits)
    while len(text) > landscape_config.MAX_FORMULA_LENGTH and digits > 3:
        digits -= 1
        text = polynomial_text(coefficients, terms, digits)
    residual = design @ _rounded(coefficients, digits) - shifted.ravel()
    span = float(shifted.max())
    rms, worst = float(np.sqrt(np.mean(residual**2))), float(np.max(np.abs(residual)))
    error = {"rms": rms, "max": worst, "loss_range": span,
             "rms_relative": rms / span if span > 0 else 0.0,
             "max_relative": worst / span if span > 0 else 0.0,
             "degree": degree, "terms": len(terms), "digits": digits}
    return PlaneFit(text, degree, error)


def fit_error_text(error: dict) -> str:
    """One sentence stating the fit's degree and errors relative to the loss range."""
    return (f"polynomial of total degree {error['degree']} fitted by least squares: RMS error "
            f"{100 * error['rms_relative']:.2g}%, largest error {100 * error['max_relative']:.2g}% "
            f"of the sampled loss range {error['loss_range']:.4g}")

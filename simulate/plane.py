"""Heavy-tailed SGD with norm clipping on a 2-D landscape (THEORY.md sections 2 and 10).

    X <- P_R(X - phi_b(eta (grad f(X) - Z))),  phi_b(v) = min(1, b / |v|) v,

P_R the projection onto the ball |X| <= R, Z = scale |W| (cos t, sin t)
isotropic (|W| from the family of ``simulate.noise``, t uniform). A run's
grad f is fixed when it starts (``simulate.plane_gradient.choose_plane_gradient``):
by default the checked table of ``simulate.plane_table`` through the generic
kernels of ``simulate._kernels_plane_table`` (compiled once: a new formula
runs at once), else the exact formula (its ``cfunc`` in the generic kernels,
then its own kernels of ``simulate._kernels_plane`` once compiled in the
background; the same numbers). Fields come from the analysis' grids
(:class:`PlaneGrids`) by nearest cell. Public API: :func:`simulate_plane`
(a run, continued in slices through ``state``), :func:`draw_plane_noise`;
exit times are in ``simulate.plane_exits``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import ClassVar

import numba
import numpy as np

from . import _common as C
from . import config
from ._kernels_plane import draw_plane_noise_kernel
from .errors import SimulationError
from .noise import as_noise, make_noise
from .plane_gradient import as_plane_gradient, choose_plane_gradient
from .plane_gradient import compile_specialised as compile_specialised  # noqa: PLC0414
from .plane_grids import PlaneGrids
from .rng import FAMILY_CODES, seed_states


@dataclass(frozen=True, eq=False, kw_only=True)
class PlaneRunResult:
    """Everything a 2-D run measured (cumulative over the slices of a run).

    Attributes
    ----------
    steps_done, paths : int
        Steps done per path so far, number of paths.
    seconds, steps_per_second : float
        Kernel wall time of all slices, and all paths' steps / seconds.
    final : (paths, 2)
        Current positions.
    trace, trace_fields, trace_steps : (paths, k, 2), (paths, k), (k,)
        Every ``record_every``-th iterate X_n (n = 0, k, 2k, ..., the last
        ``trace_points``), the label of its cell (-1: none) and n.
    histogram : (bins, bins)
        Occupancy counts of X_n, n >= 1, over the extent, [row = y bin, col = x bin].
    field_steps, near_steps : (m + 1,)
        Steps (n >= 1, all paths) per field / within ``near`` of each minimiser
        set; the last entry: in no field / "out".
    transitions : (m, m)
        transitions[i, j]: moves from field i into field j (a pass through
        cells of no field between them counts as i -> j).
    error : str or None
        Set when the gradient was not finite on some path (it stopped there).
    gradient : str
        Which grad f the run uses: ``"tabulated"``, ``"exact, generic"`` or
        ``"exact, specialised"`` (``PlaneGradientChoice.method``).
    gradient_note : str
        One line: which grad f and how exact.
    state : PlaneRunState
        Pass as ``state=`` to continue the run.
    """

    dimension: ClassVar[int] = 2
    steps_done: int
    paths: int
    seconds: float
    steps_per_second: float
    final: np.ndarray
    trace: np.ndarray
    trace_fields: np.ndarray
    histogram: np.ndarray
    field_steps: np.ndarray
    near_steps: np.ndarray
    transitions: np.ndarray
    trace_steps: np.ndarray = None
    extent: tuple = ()
    error: str | None = None
    gradient: str = ""
    gradient_note: str = ""
    state: PlaneRunState | None = field(default=None, repr=False)

    @property
    def field_fraction(self) -> np.ndarray:
        """Share of steps in each field (m + 1 entries, the last: no field)."""
        return _fractions(self.field_steps)

    @property
    def near_fraction(self) -> np.ndarray:
        """Share of steps near each minimiser set (m + 1 entries, the last: "out")."""
        return _fractions(self.near_steps)

    def to_json(self) -> dict:
        """The ``python -m simulate run`` JSON of a 2-D run (1-based field indices)."""
        tr = self.transitions
        out = {"steps": self.steps_done, "paths": self.paths, "dimension": 2,
               "field_fraction": [float(v) for v in self.field_fraction],
               "near_fraction": [float(v) for v in self.near_fraction],
               "transitions": [[int(i) + 1, int(j) + 1, int(tr[i, j])]
                               for i, j in zip(*np.nonzero(tr))],
               "seconds": self.seconds, "steps_per_second": self.steps_per_second,
               "gradient": self.gradient, "gradient_note": self.gradient_note}
        if self.error:
            out["error"] = self.error
        return out


def _fractions(counts: np.ndarray) -> np.ndarray:
    tot = counts.sum()
    return counts / tot if tot else np.zeros(len(counts))


class PlaneRunState:
    """The arrays of a 2-D run between slices (positions, random streams, counts)."""

    def __init__(self, key, xy, field_cur, near_cur, m, seed, stream, nslots, rec_every, bins,
                 choice=None):
        paths = xy.shape[0]
        P = paths
        self.key = key
        #: the run's grad f (``PlaneGradientChoice``), fixed for all its slices
        self.choice = choice
        self.lock = threading.Lock()
        self.xy = xy
        self.wst = seed_states(seed, P, stream=2 * stream)
        self.dst = seed_states(seed, P, stream=2 * stream + 1)
        self.path_steps = np.zeros(P, dtype=np.int64)
        self.rec_every = rec_every
        self.traj = np.full((nslots, P, 2), np.nan)
        self.traj_f = np.full((nslots, P), -1, dtype=np.int16)
        self.field_cur = np.asarray(field_cur, dtype=np.int64).copy()
        self.near_cur = np.asarray(near_cur, dtype=np.int64).copy()
        self.last_field = self.field_cur.copy()
        self.traj[0] = xy
        self.traj_f[0] = self.field_cur
        # paths run in pairs within a chunk (see run_plane_kernel)
        chunks = max(1, min((P + 1) // 2, int(numba.config.NUMBA_NUM_THREADS)))
        self.hist = np.zeros((chunks, bins, bins), dtype=np.int64)
        self.field_steps = np.zeros((P, m + 1), dtype=np.int64)
        self.near_steps = np.zeros((P, m + 1), dtype=np.int64)
        self.trans = np.zeros((P, m, m), dtype=np.int64)
        self.err_step = np.full(P, -1, dtype=np.int64)
        self.err_xy = np.full((P, 2), np.nan)
        self.seconds = 0.0


def checked_dynamics(R, eta, b, family, alpha, scale, seed, stream):
    """The checked (R, eta, b, noise, seed, stream) of a 2-D run or exit study; raises
    ``SimulationError`` naming the bad one."""
    R = C.positive("R (ball radius)", R)
    eta = C.positive("eta (learning rate)", eta)
    b = C.clip_threshold(b)
    noise = make_noise(family, alpha, scale) if isinstance(family, str) else as_noise(family)
    return R, eta, b, noise, C.seed_value(seed), C.count("stream", stream, 0, 2**40)


def start_points(x0, paths: int, R: float) -> np.ndarray:
    try:
        xy = np.array(x0, dtype=float, copy=True)
    except (TypeError, ValueError):
        raise SimulationError(f"x0 must be a pair (x, y) or one pair per path, got {x0!r}") from None
    if xy.shape == (2,):
        xy = np.tile(xy, (paths, 1))
    elif xy.shape != (paths, 2):
        raise SimulationError(f"x0 must be a pair (x, y) or have shape ({paths}, 2), "
                              f"got shape {xy.shape}")
    if not np.all(np.isfinite(xy)):
        raise SimulationError("x0 must be finite")
    r = np.hypot(xy[:, 0], xy[:, 1])
    if np.any(r > R * (1 + 1e-12)):
        k = int(np.argmax(r))
        raise SimulationError(f"start point ({xy[k, 0]:g}, {xy[k, 1]:g}) is outside the ball "
                              f"of radius R = {R:g} (|x0| = {r[k]:g})")
    return np.ascontiguousarray(xy)


def simulate_plane(gradient, grids: PlaneGrids, *, R, eta, b, family, alpha=None, scale=None,
                   x0, paths: int, steps: int, seed: int = 0, trace_points: int = 2000,
                   state: PlaneRunState | None = None, record_every: int | None = None,
                   bins: int = config.DEFAULT_PLANE_BINS, stream: int = 0,
                   tabulate: bool = True, _kernels=None) -> PlaneRunResult:
    """Run ``paths`` paths of clipped SGD on a 2-D landscape for ``steps`` steps.

    Parameters
    ----------
    gradient : PlaneLandscape, PlaneGradient or (df/dx, df/dy)
        See :func:`simulate.plane_gradient.as_plane_gradient`.
    grids : PlaneGrids
        Field labels for time per field, transitions and "near" time.
    R, eta, b : float
        Ball radius, learning rate, clipping threshold (None or inf: none).
    family, alpha, scale
        Noise (``simulate.noise.make_noise``; None: the family's default).
    x0 : (x, y) or array (paths, 2)
        Start, inside the ball.
    paths, steps, seed : int
        Path p uses the random streams (seed, 2 stream, p) for |W| and
        (seed, 2 stream + 1, p) for the direction: the numbers do not depend
        on the thread count or on how the run is sliced.
    trace_points : int
        Recorded iterates kept per path (the latest ones).
    state : PlaneRunState, optional
        ``result.state`` of an earlier call: continue that run by ``steps``
        (every other argument must be the same, x0 and trace_points are ignored).
    record_every : int, optional
        Record every k-th iterate; default ``max(1, steps // trace_points)`` of
        the first call.
    bins : int
        Histogram bins per axis over the grids' extent.
    tabulate : bool
        Use the checked table of grad f if it passes its check (default; a new
        formula then needs no compile), else the exact formula (``False``: always).
        ``result.gradient_note`` says which.

    Raises
    ------
    SimulationError
        On bad parameters, or a state that belongs to another run.
    """
    R, eta, b, noise, seed, stream = checked_dynamics(R, eta, b, family, alpha, scale, seed, stream)
    paths = C.count("paths", paths, 1, config.MAX_PATHS)
    steps = C.count("steps", steps, 0, config.MAX_STEPS_PER_ADVANCE)
    bins = C.count("bins", bins, 1, config.MAX_PLANE_BINS)
    C.work_check(paths, steps)
    if not isinstance(grids, PlaneGrids):
        raise SimulationError(f"grids must be PlaneGrids, got {type(grids).__name__}")
    grad = as_plane_gradient(gradient)
    labels, nears = grids.kernel_grids(R)
    m = grids.n_fields
    key = (grad.key, grids.digest, R, eta, b, noise, paths, seed, stream, bins, bool(tabulate))
    if state is None:
        trace_points = C.count("trace_points", trace_points, 1, config.MAX_BUFFER_SIZE)
        if trace_points * paths > config.MAX_BUFFER_CELLS:
            raise SimulationError(f"trace_points x paths = {trace_points * paths:,} exceeds "
                                  f"{config.MAX_BUFFER_CELLS:,}; record fewer points or paths")
        rec = max(1, steps // trace_points) if record_every is None else \
            C.count("record_every", record_every, 1, config.MAX_STEPS_PER_ADVANCE)
        xy = start_points(x0, paths, R)
        col, row = grids.cell_of(xy[:, 0], xy[:, 1])
        state = PlaneRunState(key, xy, labels[row, col], nears[row, col], m, seed, stream,
                              trace_points, rec, bins, choose_plane_gradient(grad, R,
                                                                             tabulate=tabulate))
    elif not isinstance(state, PlaneRunState) or state.key != key:
        raise SimulationError("state belongs to another run (different formula, grids or "
                              "parameters): start a new run with state=None")
    mod = state.choice.kernels() if _kernels is None else _kernels
    fam = FAMILY_CODES[noise.family]
    ext = grids.extent
    geo = np.array(grids.geometry() + (ext[0], ext[2], bins / (ext[1] - ext[0]),
                                       bins / (ext[3] - ext[2])))
    with state.lock:
        args = (fam, noise.alpha_or_nan, noise.scale, eta, b, R, state.xy, state.wst, state.dst)
        rest = (state.path_steps, state.rec_every, state.traj, state.traj_f, labels, nears, geo,
                state.hist, state.field_cur, state.last_field, state.near_cur, state.field_steps,
                state.near_steps, state.trans, state.err_step, state.err_xy)
        with C.launch_guard(), C.thread_budget(paths):
            if not _compiled(mod):              # compile or load outside the timing
                mod.run_plane_kernel(*args, 0, *rest)
            t0 = time.perf_counter()
            if steps:
                mod.run_plane_kernel(*args, steps, *rest)
            state.seconds += time.perf_counter() - t0
        return _result(state, ext)


def _compiled(mod) -> bool:
    from ._kernels_plane_table import run_table_kernel

    kernel = run_table_kernel if hasattr(mod, "extra") else mod.run_plane_kernel
    return bool(kernel.signatures)


def _result(st: PlaneRunState, extent) -> PlaneRunResult:
    P = st.xy.shape[0]
    k, nslots = st.rec_every, st.traj.shape[0]
    last = int(st.path_steps.max()) // k
    first = max(0, last - nslots + 1)
    j = np.arange(first, last + 1)
    trace = st.traj[j % nslots].transpose(1, 0, 2).copy()
    trace_fields = st.traj_f[j % nslots].T.copy()
    error = None
    bad = np.flatnonzero(st.err_step >= 0)
    for p in bad:                       # records a stopped path never reached
        late = j * k > st.err_step[p] - 1
        trace[p, late] = np.nan
        trace_fields[p, late] = -1
    if bad.size:
        p = int(bad[np.argmin(st.err_step[bad])])
        error = (f"the gradient is not finite at (x, y) = ({st.err_xy[p, 0]:.17g}, "
                 f"{st.err_xy[p, 1]:.17g}) (path {p + 1}, step {int(st.err_step[p]):,}); "
                 "that path stopped there")
    total = int(st.path_steps.sum())
    return PlaneRunResult(
        steps_done=int(st.path_steps.max()), paths=P, seconds=st.seconds,
        steps_per_second=total / st.seconds if st.seconds > 0 else 0.0,
        final=st.xy.copy(), trace=trace, trace_fields=trace_fields,
        histogram=st.hist.sum(axis=0), field_steps=st.field_steps.sum(axis=0),
        near_steps=st.near_steps.sum(axis=0), transitions=st.trans.sum(axis=0),
        trace_steps=j * k, extent=tuple(extent), error=error,
        gradient=st.choice.method if st.choice is not None else "",
        gradient_note=st.choice.note if st.choice is not None else "", state=st)


def draw_plane_noise(noise, n: int, *, seed: int = 0, paths: int = 1,
                     stream: int = 0) -> np.ndarray:
    """The isotropic draws Z_1..Z_n the 2-D kernels use, shape (paths, n, 2).

    Exactly what :func:`simulate_plane` with this seed and stream sees on path p.
    """
    noise = as_noise(noise)
    n = C.count("n", n, 0, config.MAX_STEPS_PER_ADVANCE)
    paths = C.count("paths", paths, 1, config.MAX_PATHS)
    out = np.empty((paths, n, 2))
    draw_plane_noise_kernel(FAMILY_CODES[noise.family], noise.alpha_or_nan, noise.scale,
                            seed_states(seed, paths, stream=2 * stream),
                            seed_states(seed, paths, stream=2 * stream + 1), out)
    return out


def first_run_wait(gradient, R: float) -> str:
    """What the first slice of a new run of ``gradient`` on the ball of radius R waits
    for, with a rough time (for a page's message while it runs)."""
    import glob
    import os

    from ._kernels_plane_table import run_table_kernel
    from .plane_table import table_is_cached

    grad = as_plane_gradient(gradient)
    waits = []
    if not run_table_kernel.signatures:
        cached = glob.glob(os.path.join(numba.config.CACHE_DIR, "**",
                                        "_kernels_plane_table.run_table_kernel-*.nbi"),
                           recursive=True)
        waits.append("loading the 2-D kernels from the disk cache (about 1 s)" if cached else
                     "compiling the 2-D kernels, once per machine (1-5 min on a 2-core VM; "
                     "make warmup does it at install)")
    if not table_is_cached(grad, R):
        waits.append("tabulating grad f on the ball (under 1 s), and where grad f has a kink "
                     "compiling the exact formula for those cells (about 1 s)")
    return "; ".join(waits) if waits else "nothing to compile: starting at once"

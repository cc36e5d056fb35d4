"""Streaming simulation of many paths for the live view."""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from . import _common as C
from . import config
from .errors import SimulationError
from .gradient import compile_gradient
from .noise import as_noise
from .rng import FAMILY_CODES, seed_states
from .table import choose_gradient, kinks_of


class Simulation:
    """P paths of X <- phi(X - phi(eta (f'(X) - Z), b), L), advanced in chunks.

    Memory is bounded however long it runs: positions, a ring buffer of
    every ``record_every``-th iterate (``buffer_size`` rows), an occupancy
    histogram on [-L, L], steps per field and field-to-field transition
    counts. Each path has its own random stream (seed, path index), so the
    numbers do not depend on the thread count or on the chunk sizes.

    A non-polynomial f' is tabulated on [-L, L] when the run is made
    (``simulate.table``: cubic Hermite, checked against the exact f' to
    ``config.TABLE_TOLERANCE`` relative to max |f'|) and the kernels
    interpolate it: as fast as a polynomial, from the first step, with no
    compile. If the table fails its check (a kink of f', a pole), or with
    ``tabulate=False``, the exact f' runs on the generic kernels until the
    kernels specialised for it are ready (``self.gradient.ready()``; they
    compile in the background once the run is long enough, or on
    ``self.gradient.specialise()``), then on those: the numbers are the same
    bit for bit, only faster. ``gradient_method`` / ``gradient_note`` say
    which f' a run uses; the choice is fixed for the run (reproducible).

    ``advance`` releases the GIL inside numba and holds an internal lock;
    the readers take the same lock and return copies, so a Streamlit
    fragment may read while another thread advances.

    Parameters
    ----------
    land : Landscape or Gradient
        Anything with a SymPy ``.dexpr`` (or a compiled gradient).
    L : float
        Wall: iterates stay in [-L, L].
    eta : float
        Learning rate.
    noise : Noise or str
        Noise family (``PAPER_HEAVY``, ``PAPER_LIGHT``, ``"pareto"``...).
    b : float
        Clipping threshold; ``math.inf`` (the default): no clipping.
    x0 : float or array of shape (paths,)
        Start point(s) in [-L, L].
    paths, seed, record_every, buffer_size, hist_bins : int
        Number of paths, seed, trajectory decimation, ring-buffer rows and
        histogram bins (0 turns the histogram off).
    boundaries : sequence of float or None
        Field boundaries (the local maxima s_1..s_{n-1}); default from
        ``landscape.critical_points(land, L)``.
    tabulate : bool
        Use the tabulated f' when it passes its check (default); False: always
        the exact f'.
    stream, first_path : int
        Path p uses the random stream (seed, stream, first_path + p): a study's
        chunk runs paths first_path..first_path + paths - 1 of its cell.

    Attributes
    ----------
    error : str or None
        Set when f' became NaN or infinite on some path; the run stops
        there (later ``advance`` calls do nothing), data so far is kept.
    """

    #: the landscape's dimension (``simulate.protocols.Run``)
    dimension = 1

    def __init__(self, land, L, eta, noise, *, b=math.inf, x0=0.0, paths=config.DEFAULT_PATHS,
                 seed=0, record_every=config.DEFAULT_RECORD_EVERY,
                 buffer_size=config.DEFAULT_BUFFER_SIZE, hist_bins=config.DEFAULT_HIST_BINS,
                 boundaries=None, tabulate=True, stream=0, first_path=0):
        self.L = C.positive("L", L)
        self.eta = C.positive("eta (learning rate)", eta)
        self.noise = as_noise(noise)
        self.b = C.clip_threshold(b)
        self.paths = C.count("paths", paths, 1, config.MAX_PATHS)
        self.seed = C.seed_value(seed)
        self.record_every = C.count("record_every", record_every, 1, config.MAX_STEPS_PER_ADVANCE)
        self.buffer_size = C.count("buffer_size", buffer_size, 1, config.MAX_BUFFER_SIZE)
        if self.buffer_size * self.paths > config.MAX_BUFFER_CELLS:
            raise SimulationError(
                f"buffer_size x paths = {self.buffer_size * self.paths:,} exceeds "
                f"{config.MAX_BUFFER_CELLS:,}; record fewer rows or paths")
        self.hist_bins = C.count("hist_bins", hist_bins, 0, config.MAX_HIST_BINS)
        if self.hist_bins * self.paths > config.MAX_BUFFER_CELLS:
            raise SimulationError(
                f"hist_bins x paths = {self.hist_bins * self.paths:,} exceeds "
                f"{config.MAX_BUFFER_CELLS:,}; use fewer bins or paths")
        self.gradient = compile_gradient(land)
        self.land = land
        self.boundaries = C.boundaries_for(land, self.L, boundaries)
        #: the f' of this run (table or exact), fixed here
        self.gradient_choice = choose_gradient(self.gradient, self.L, tabulate=tabulate,
                                               kinks=kinks_of(land, self.L))
        self._ext = C.extended(self.boundaries)
        self.n_fields = len(self.boundaries) + 1
        x = C.start_points(x0, self.paths, self.L)
        self.x0 = x.copy()

        P, n = self.paths, self.n_fields
        self._x = x
        self._state = seed_states(self.seed, P, stream=stream, first=first_path)
        self._path_steps = np.zeros(P, dtype=np.int64)
        self._traj = np.full((self.buffer_size, P), np.nan)
        self._traj[0] = x
        self._hist = np.zeros((P, max(self.hist_bins, 1)), dtype=np.int64)
        self._field = C.field_of(self.boundaries, x).astype(np.int64)
        self._field_steps = np.zeros((P, n), dtype=np.int64)
        self._trans = np.zeros((P, n, n), dtype=np.int64)
        self._err_step = np.full(P, -1, dtype=np.int64)
        self._err_x = np.full(P, np.nan)
        self.error: str | None = None
        self.seconds = 0.0                       # kernel wall time of all advances
        self._lock = threading.Lock()
        #: kernels module forced for every advance (None: ``gradient_choice.kernels()``;
        #: the warm-up and the tests set it)
        self.forced_kernels = None

    # ------------------------------------------------------------------ run
    def advance(self, steps: int) -> None:
        """Advance every path by ``steps`` steps (no-op after an error).

        Raises
        ------
        SimulationError
            If steps is not an integer in [0, MAX_STEPS_PER_ADVANCE] or
            paths * steps is absurdly large.
        """
        steps = C.count("steps", steps, 0, config.MAX_STEPS_PER_ADVANCE)
        C.work_check(self.paths, steps)
        with self._lock:
            if steps == 0 or self.error is not None:
                return
            t0 = time.perf_counter()
            choice = self.gradient_choice
            kernels = self.forced_kernels or choice.kernels(self.paths * steps)
            fn, coef, mode = choice.args()
            with C.launch_guard(), C.thread_budget(self.paths):
                kernels.run_kernel(fn, coef, mode, FAMILY_CODES[self.noise.family],
                           self.noise.alpha_or_nan, self.noise.scale, self.eta, self.b, self.L, self._ext, self._x,
                           self._state, steps, self._path_steps, self.record_every, self._traj,
                           self._hist, self.hist_bins > 0, self._field, self._field_steps,
                           self._trans, self._err_step, self._err_x)
            self.seconds += time.perf_counter() - t0
            bad = np.flatnonzero(self._err_step >= 0)
            if bad.size:
                p = int(bad[np.argmin(self._err_step[bad])])
                self.error = (f"the gradient f'(x) is not finite at x = {self._err_x[p]:.17g} "
                              f"(path {p + 1}, step {int(self._err_step[p]):,}); the run stopped there")
                self._blank_after_error()

    def _blank_after_error(self) -> None:
        # records a failed path never reached keep NaN instead of stale values
        k, nslots = self.record_every, self.buffer_size
        last = int(self._path_steps.max()) // k
        first = max(0, last - nslots + 1)
        for p in np.flatnonzero(self._err_step >= 0):
            stop = int(self._path_steps[p]) // k
            for j in range(max(first, stop + 1), last + 1):
                self._traj[j % nslots, p] = np.nan

    # ----------------------------------------------------------- read views
    @property
    def gradient_method(self) -> str:
        """The f' the kernels use now: ``"polynomial"``, ``"tabulated"``,
        ``"generic"`` or ``"specialised"`` (the last two: exact f')."""
        return self.gradient_choice.method

    @property
    def gradient_note(self) -> str:
        """One line for a caption: which f' and, for a table, its measured error."""
        return self.gradient_choice.note

    @property
    def positions(self) -> np.ndarray:
        """Current X of every path, shape (paths,)."""
        with self._lock:
            return self._x.copy()

    @property
    def path_steps(self) -> np.ndarray:
        """Steps done per path (all equal unless a path hit a NaN gradient)."""
        with self._lock:
            return self._path_steps.copy()

    @property
    def steps_done(self) -> int:
        """Steps done per path."""
        return int(self._path_steps.max())

    @property
    def total_steps(self) -> int:
        """Steps done by all paths together."""
        return int(self._path_steps.sum())

    def trajectory(self) -> tuple[np.ndarray, np.ndarray]:
        """Recorded iterates: (step numbers (K,), X (K, paths)), oldest first.

        Every ``record_every``-th iterate X_n (n = 0, k, 2k, ...), the last
        ``buffer_size`` of them.
        """
        with self._lock:
            k, nslots = self.record_every, self.buffer_size
            last = int(self._path_steps.max()) // k
            first = max(0, last - nslots + 1)
            j = np.arange(first, last + 1)
            return j * k, self._traj[j % nslots].copy()

    def histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """(bin edges (bins + 1,), counts (bins,)) of all iterates X_n, n >= 1, on [-L, L]."""
        if self.hist_bins == 0:
            raise SimulationError("the histogram is off (hist_bins=0)")
        with self._lock:
            counts = self._hist.sum(axis=0)
        return np.linspace(-self.L, self.L, self.hist_bins + 1), counts

    @property
    def field_steps(self) -> np.ndarray:
        """Iterates (n >= 1, all paths) spent in each field, shape (n_fields,)."""
        with self._lock:
            return self._field_steps.sum(axis=0)

    @property
    def field_fraction(self) -> np.ndarray:
        """field_steps / total steps (zeros before the first step)."""
        fs = self.field_steps
        tot = fs.sum()
        return fs / tot if tot else np.zeros(len(fs))

    @property
    def transitions(self) -> np.ndarray:
        """(n, n) counts: transitions[i, j] = moves from field i straight into field j."""
        with self._lock:
            return self._trans.sum(axis=0)

    @property
    def current_fields(self) -> np.ndarray:
        """0-based field index of each path's current position."""
        with self._lock:
            return self._field.copy()

    @property
    def steps_per_second(self) -> float:
        """Steps of all paths per second of kernel time, over the whole run."""
        return self.total_steps / self.seconds if self.seconds > 0 else 0.0

    @property
    def result(self) -> Simulation:
        """What the run measured (``simulate.protocols.RunResult``): the run itself, whose
        read views are live."""
        return self

    def to_json(self) -> dict:
        """The ``python -m simulate run`` JSON (1-based field indices)."""
        tr = self.transitions
        out = {
            "steps": self.steps_done,
            "paths": self.paths,
            "field_fraction": [float(v) for v in self.field_fraction],
            "transitions": [[int(i) + 1, int(j) + 1, int(tr[i, j])]
                            for i, j in zip(*np.nonzero(tr))],
            "seconds": self.seconds,
            "steps_per_second": self.steps_per_second,
            "gradient": self.gradient_method,
            "gradient_note": self.gradient_note,
        }
        if self.error:
            out["error"] = self.error
        return out

    def __repr__(self) -> str:
        return (f"Simulation(paths={self.paths}, eta={self.eta:g}, b={self.b:g}, L={self.L:g}, "
                f"noise={self.noise.describe()}, steps_done={self.steps_done:,})")

"""Every threshold and default of :mod:`simulate` in one place.

Nothing here imports numba, so the values can be read (and monkeypatched
in tests) before any kernel is compiled.
"""

from __future__ import annotations

import os
from pathlib import Path

from landscape.tails import HEAVY_FAMILIES

#: Repository root (the parent of this package).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable that overrides the cache directory.
CACHE_ENV = "SIMULATE_CACHE_DIR"


def cache_dir() -> Path:
    """Root of the on-disk caches: ``$SIMULATE_CACHE_DIR`` or ``<repo>/.cache``.

    Numba's compiled kernels go to ``<cache>/numba`` (unless the user set
    ``NUMBA_CACHE_DIR`` himself) and generated gradient modules to
    ``<cache>/gradients``.
    """
    return Path(os.environ.get(CACHE_ENV, REPO_ROOT / ".cache")).expanduser()


# --- numba -----------------------------------------------------------------
#: Fastmath flags of the kernels. Deliberately without ``nnan``/``ninf``:
#: heavy-tailed draws are huge, clipping must still see them, and the
#: NaN/inf gradient check must not be optimised away.
FASTMATH = frozenset({"contract", "nsz", "arcp"})

#: Steps per noise block. Noise for a block is drawn first (vectorisable,
#: independent draws), then the block is iterated. Exactly as many draws as
#: steps are taken, so the stream does not depend on how a run is chunked.
BLOCK = 256

#: Below this many paths, a Simulation advanced from a non-main thread (a server
#: session) runs its kernel on one thread; see ``_common.thread_budget``.
SHARED_PARALLEL_MIN_PATHS = 1000

# --- kernels specialised per formula (simulate.specialise) -------------------
#: Steps x paths run on the generic path of one non-polynomial f' after which
#: its specialised kernels start compiling by themselves (in a subprocess, in
#: the background); short runs (tests, previews) never pay for a compile.
SPECIALISE_MIN_WORK = 10_000_000
#: Environment variable: "0" turns the automatic start off (explicit
#: ``Gradient.specialise()`` / ``wait()`` still work).
SPECIALISE_ENV = "SIMULATE_SPECIALISE"
#: Seconds after which a background compile is abandoned (generic path stays).
SPECIALISE_TIMEOUT = 900.0


# --- tabulated f' (simulate.table) ----------------------------------------------
#: A non-polynomial f' is tabulated on [-L, L] (pieces of degree 7) and the table used
#: by the kernels if its largest error at the check points is at most this times
#: max |f'|; otherwise the kernels evaluate the exact f'.
TABLE_TOLERANCE = 1e-9
#: Pieces of the table (degree 7 each, 64 bytes), tried in order until one passes:
#: the appendix formula on L = 1.6 passes with 512 (error 1e-11 x max|f'|).
TABLE_CELLS = (256, 512, 1024, 2048, 4096, 8192, 16384)


def specialise_enabled() -> bool:
    """False if ``$SIMULATE_SPECIALISE`` is "0" (no automatic background compile)."""
    return os.environ.get(SPECIALISE_ENV, "1").strip() != "0"


# --- noise -----------------------------------------------------------------
#: Default (alpha, scale) per family. alpha is the Pareto shape (type II,
#: Lomax: "pareto", the paper's 1-D noise; type I: "pareto1", |W| >= 1), the
#: Student-t degrees of freedom or the stable index; scale is the Pareto
#: scale (paper: 0.1), the Gaussian sigma, the Student-t / stable scale or
#: the uniform half-width.
FAMILY_DEFAULTS: dict[str, tuple[float | None, float]] = {
    "pareto": (1.2, 0.1),
    "pareto1": (1.2, 0.1),
    "gaussian": (None, 1.0),
    "student-t": (1.5, 0.1),
    "stable": (1.5, 0.1),
    "uniform": (None, 1.0),
    "none": (None, 0.0),
}
FAMILIES = tuple(FAMILY_DEFAULTS)
#: Plain names of the families for a UI (the keys stay as they are: URLs use them).
FAMILY_LABELS: dict[str, str] = {
    "pareto": "Pareto II (Lomax)",
    "pareto1": "Pareto I",
    "gaussian": "Gaussian",
    "student-t": "Student-t",
    "stable": "symmetric alpha-stable",
    "uniform": "uniform",
    "none": "none (gradient descent)",
}
#: Families whose alpha is a tail index (Pareto shape, Student-t df, stable index).
ALPHA_FAMILIES = HEAVY_FAMILIES

# --- validation limits ("absurd" counts) -------------------------------------
MAX_PATHS = 1_000_000
MAX_STEPS_PER_ADVANCE = 10_000_000_000
#: paths * steps of one call (about ten minutes at 30 M steps/s).
MAX_WORK = 20_000_000_000
MAX_SAMPLES = 1_000_000
MAX_HIST_BINS = 100_000
MAX_BUFFER_SIZE = 1_000_000
MAX_BUFFER_CELLS = 50_000_000     # buffer_size * paths, hist_bins * paths (8 bytes each)
MAX_SEED = 2**63 - 1

# --- Simulation defaults ----------------------------------------------------
DEFAULT_PATHS = 20
DEFAULT_RECORD_EVERY = 250        # the paper plots every 250th iterate
DEFAULT_BUFFER_SIZE = 2000
DEFAULT_HIST_BINS = 200

# --- exit times ---------------------------------------------------------------
#: Cap on the steps of one first-exit sample; longer samples are censored.
DEFAULT_MAX_EXIT_STEPS = 100_000_000
#: Steps per sample between two progress reports of an exit-time run.
EXIT_SEGMENT_STEPS = 2_000_000
#: Minimum samples for the exit study's regression to use an eta.
MIN_FIT_POINTS = 2

# --- bench ---------------------------------------------------------------------
FIG1_PATHS = 20
FIG1_STEPS = 3_000_000


# --- tabulated grad f of a 2-D landscape (simulate.plane_table) -----------------------
#: a bicubic cell is used if its error at the check points is at most this times the
#: largest |grad f| on the cell; otherwise the kernels evaluate the exact grad f there
PLANE_TABLE_TOLERANCE = 1e-5
#: cells per axis of [-R, R]^2, tried in order until at most PLANE_TABLE_MAX_FAILED of the
#: cells fail the check (near a singularity no cell size passes: those cells stay exact)
PLANE_TABLE_CELLS = (64, 128, 256)
PLANE_TABLE_MAX_FAILED = 0.02
#: the table is refused (exact grad f everywhere) if more than this share of its cells is exact
PLANE_TABLE_MAX_EXACT = 0.25

# --- exit-study step caps (simulate.exit_caps)
#: Auto cap = EXIT_CAP_FACTOR predicted means: P(Exp > 25 means) = e^-25.
EXIT_CAP_FACTOR = 25.0
#: The auto cap never goes below this (moderate eta: the asymptotics are loose there).
MIN_AUTO_CAP = 100_000
#: simulate's limit per call; the auto cap never goes above it.
MAX_AUTO_CAP = 10_000_000_000
#: Per sample, when the theory has no prediction (light-tailed noise).
NO_PREDICTION_CAP = 5_000_000

# --- generated f' (simulate.gradient)
#: polynomials of higher degree go through the generic (cfunc) path
MAX_HORNER_DEGREE = 40
#: refuse f' whose body after common-subexpression elimination is longer
#: (characters of generated Python): the compile time grows with it
MAX_BODY_CHARS = 200_000
#: compiled gradients (1-D and 2-D) kept in-process (``simulate._codegen.generated_gradient``;
#: the least recently used dropped, reloaded from numba's disk cache when asked for again)
GENERATED_GRADIENTS = 256

# --- 2-D runs (simulate.plane)
#: default and largest number of histogram bins per axis
DEFAULT_PLANE_BINS = 200
MAX_PLANE_BINS = 2000

# --- studies on Dask (simulate.study, simulate.study_spec)
#: Dask retries of a chunk whose worker died or that raised.
STUDY_RETRIES = 3
#: Default samples (exit times) or paths (occupancy) per chunk when the
#: theory gives no estimate of the work.
STUDY_DEFAULT_CHUNK = 10
#: Target steps of one chunk when the chunk size is chosen from the theory.
STUDY_CHUNK_TARGET_STEPS = 200_000_000
STUDY_DEFAULT_BINS = 200

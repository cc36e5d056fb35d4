"""Tunable thresholds of the landscape package, all in one place.

Every cap, tolerance and timeout that the parser and the analysis use lives
here so that the trade-offs (safety, speed, accuracy) can be reviewed and
adjusted together.
"""

# --- formula parser -------------------------------------------------------
MAX_FORMULA_LENGTH = 1000        # characters of user text
MAX_BRACKET_DEPTH = 25           # nesting of ( ), checked before ast.parse
MAX_AST_DEPTH = 150              # depth of the parsed tree (unary chains etc.)
MAX_AST_NODES = 600              # total nodes of the parsed tree
MAX_LITERAL_DIGITS = 40          # digits in one numeric literal
MAX_LITERAL_EXPONENT = 30        # |e| in scientific notation such as 1e-30
MAX_POWER_EXPONENT = 100         # |p| for a constant exponent in base**p
MAX_CONSTANT_POWER_LOG10 = 60    # log10 of |a|**p when both a and p are constants
MAX_CSE_OPS = 2500               # nodes of [f, f', f''] after sympy.cse (cost of derivatives)
MAX_PLANE_CSE_OPS = 6000         # nodes of [f, fx, fy, fxx, fxy, fyy] after sympy.cse (2-D)
MAX_DERIVATIVE_COST = 10000      # predicted distinct parts of f' (from f) and of f''
                                 # (from f'), checked before each derivative is built
                                 # (appendix formula: 268 and 1267)

PARSE_TIMEOUT = 1.0               # seconds to build f, f', f'' (forked worker)

# --- sketches ---------------------------------------------------------------
MAX_SKETCH_POINTS = 100
MAX_SKETCH_SOURCE_LENGTH = 6000

# --- critical points --------------------------------------------------------
GRID_POINTS = 20001              # fine grid on [-L, L] for the numeric path
MAX_CRITICAL_POINTS = 200        # more than this: stop and say so (think sin(1/x))
MAX_TOUCH_CANDIDATES = 400       # local minima of |f'| examined for touch points
ROOT_XTOL = 1e-13                # brentq absolute tolerance
ROOT_TIME_BUDGET = 0.3           # s of brentq calls; then vectorised bisection
BISECTION_STEPS = 60             # halvings of a grid cell: far below float spacing
ROOT_RTOL = 1e-15                # brentq relative tolerance (scipy needs >= 4 eps)
DUPLICATE_TOL = 1e-9             # roots closer than this * max(1, L) are merged
TOUCH_REL_TOL = 1e-9             # |f'| <= this * scale counts as f' = 0 without sign change
TOUCH_WINDOW = 20                # grid points either side whose max |f'| is that scale
                                 # (local: a pole elsewhere must not make f' = 1 look like 0)
DEGENERATE_REL_TOL = 1e-7        # |f''| <= this * (max |f''| nearby) counts as f'' = 0
CURVATURE_WINDOW = 20            # grid points either side that define "nearby"
FLAT_FRACTION = 0.01             # f' = 0 on more than this part of [-L, L]: "f is flat"
JUMP_REL_TOL = 1e-6              # |f'(root)| above this * max|f'|: a jump, not a root
WALL_TOL = 1e-9                  # a critical point this close to +-L is "at the wall"
MAX_EXACT_DEGREE = 40            # polynomials of higher degree use the numeric path
EXACT_TIMEOUT = 0.5              # seconds for SymPy's exact real roots (forked worker)
USE_EXACT_WORKER = True          # False: never fork, polynomials use the numeric path too
CACHE_SIZE = 64                  # critical-point results kept per process

# --- structure ----------------------------------------------------------------
ASSUMPTION3_REL_TOL = 1e-3       # warn when r_i / b is this close to an integer
MAX_JUMPS = 10 ** 12             # ceil(distance / b) above this: b is too small to analyse

# --- sweep ----------------------------------------------------------------------
MAX_SWEEP_BREAKPOINTS = 5000     # candidate d/k values; more: ask for a larger b_min
BREAKPOINT_MERGE_RTOL = 1e-9     # breakpoints closer than this (relative) are merged

# --- 2-D analysis (landscape.plane_analysis) ------------------------------------
PLANE_GRID_MIN = 51              # cells per side of the label grid (bounds of `grid`)
PLANE_GRID_MAX = 801
PLANE_TIME_BUDGET = 10.0         # s (CPU time of the thread) of gradient flow; then the
                                 # starts still moving are labelled by their neighbours
PLANE_STEP_CAP = 3.0             # a descent step is at most this many grid spacings
PLANE_STOP_FRACTION = 1e-3       # a start has converged when its step is below this * spacing
PLANE_MAX_ITERATIONS = 3000      # descent iterations at most (then: not converged)
PLANE_COARSE_MAX_ITERATIONS = 1000  # descent iterations of the coarse pass (its starts still
                                 # moving are left out: the fine pass finds a missed basin)
PLANE_COARSE_GRID = 61          # cells per side of the first (coarse) flow pass
PLANE_ROOT_TIME_BUDGET = 1.5     # s (CPU time) for scipy's root where Newton failed
PLANE_MAX_FIELDS = 100           # more minimiser sets than this: AnalysisError
PLANE_MAX_ROOT_STARTS = 300      # starts of the root search for saddles and maxima
PLANE_SEGMENT_CELLS = 3.0        # a group of end points longer than this many cells is a set
PLANE_UNCONVERGED_WARN = 0.02    # warn when more than this share of starts did not converge
PLANE_POLISH_GTOL = 1e-10       # gradient norm at which a polished minimum stops (BFGS)
PLANE_POLISH_MAX_CALLS = 400     # evaluations of f or its gradient per polish (kinks)
PLANE_CAPTURE_HALVINGS = 6       # halvings of a set's capture level past the last clean value
PLANE_SUGGEST_MAX_R = 1e4        # suggest_radius searches balls up to this radius
PLANE_SUGGEST_MARGIN = 0.15      # the suggested R exceeds the farthest minimum or saddle by this
PLANE_CACHE_SIZE = 16            # b-independent geometries kept per process

# --- the bounded worker (landscape._bounded)
#: wall-clock backstop = WORKER_WALL_FACTOR * timeout seconds
WORKER_WALL_FACTOR = 1.75

# --- 2-D jumps and ray integrals (landscape._plane_jumps)
#: Sub-cells per cell side along the field boundaries.
PLANE_JUMPS_REFINE = 4
#: Most descent steps of the flow that labels one sub-cell.
PLANE_JUMPS_CLASSIFY_STEPS = 3000
#: Largest number of ray samples handled in one NumPy block.
PLANE_JUMPS_BLOCK = 2_000_000

# --- 2-D critical points (landscape._plane_points)
#: relative size of a Hessian eigenvalue that counts as zero
PLANE_DEGENERATE_REL_TOL = 1e-7

# --- evaluation of f (landscape.loss, landscape.plane)
#: expressions with more nodes than this are evaluated through common subexpressions
CSE_NODES = 200
#: polynomials up to this degree in x and in y are evaluated by :func:`_polynomial_evaluator`
PLANE_MAX_HORNER_DEGREE = 40

# --- the 1-D constants q (landscape.rates)
#: Largest l* for which q is computed, per method.
RATES_MAX_L_STAR = 6
RATES_MAX_L_STAR_ADAPTIVE = 3
#: The panel method refines (panels / 4) while its error estimate exceeds this * q_i.
RATES_PANEL_RTOL = 1e-7
#: Relative tolerance of the integrals for l* >= 2.
RATES_RTOL = 1e-6
#: Seconds one field's nested integrals may take before giving up (says so plainly).
RATES_TIME_BUDGET = 20.0

# --- the 2-D constants q (landscape.rates_plane)
#: Largest l* for which the 2-D constants are computed.
PLANE_RATES_MAX_L_STAR = 2
#: Points along a minimiser segment from which the rates are computed.
PLANE_RATES_SEGMENT_POINTS = 3
#: Directions of the l* = 1 ray integral from a minimum.
PLANE_RATES_N_THETA = 2048
#: Directions of the tabulated last jump (l* = 2).
PLANE_RATES_N_THETA_TABLE = 64
#: Most points of the last-jump table (l* = 2).
PLANE_RATES_TABLE_POINTS = 2500
#: Sobol points per scrambling and number of scramblings (l* = 2).
PLANE_RATES_QMC_POINTS = 512
PLANE_RATES_QMC_REPLICATES = 4
#: Seconds the rates of one landscape may take.
PLANE_RATES_TIME_BUDGET = 30.0

# --- the smoothed loss (landscape.smoothing)
#: Upper end of t = -log(1 - v) (e^-40: the rest of the mass is negligible).
SMOOTHING_T_MAX = 40.0

# --- noise tails (landscape.tails)
#: Above this x/scale the stable tail uses its asymptotic form (scipy is slow and
#: inaccurate far out).
STABLE_ASYMPTOTIC_FROM = 100.0

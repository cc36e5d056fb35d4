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

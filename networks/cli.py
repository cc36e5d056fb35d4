"""``python -m networks``: compare the six methods, estimate a tail index, slice the loss.

Commands (``--json`` for machine-readable output)::

    python -m networks compare --dataset digits-corrupted --seeds 3 [--methods SB,Our1]
                               [--steps N] [--b B] [--eta E] [--model lenet|mlp] --json
    python -m networks tail-index FILE.npy [--estimator hill|mohammadi] [--k K] [--plain] --json
    python -m networks slice --dataset digits-corrupted --method SB --seed 0
                             --direction random|between:Our1 --points 101 --json
    python -m networks slice ... --plane [--grid 21] [--degree 6] --json

Bad input: exit code 2, one line on stderr, ``{"error": ...}`` on stdout under --json.
"""

from __future__ import annotations

import argparse
import json
import sys

from landscape.command_line import exit_bad_input
from landscape.command_line import number_argument as _number

from .config import METHODS, MODELS, TrainSettings, check_methods
from .errors import NetworksError


class UsageError(NetworksError):
    """Command-line usage that cannot be carried out."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m networks", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def training_options(sub):
        sub.add_argument("--dataset", default="digits-corrupted",
                         help="digits-corrupted, or fmnist:PATH (an .npz or a folder of IDX files)")
        sub.add_argument("--model", choices=MODELS, default="lenet")
        sub.add_argument("--steps", type=int)
        sub.add_argument("--b", type=_number, help="clipping threshold (inf: none)")
        sub.add_argument("--eta", type=_number)
        sub.add_argument("--json", action="store_true")

    compare = commands.add_parser("compare", help="train the methods with several seeds")
    training_options(compare)
    compare.add_argument("--seeds", type=int, default=3)
    compare.add_argument("--methods", default=",".join(METHODS),
                         help=f"comma-separated subset of {','.join(METHODS)}")

    tail = commands.add_parser("tail-index", help="tail index of samples in a .npy file")
    tail.add_argument("file")
    tail.add_argument("--estimator", choices=("hill", "mohammadi"), default="hill")
    tail.add_argument("--k", type=int,
                      help="Hill: order statistics of the mean (default: chosen from the samples, up to 40%% of n, "
                           "stated in the output; 1%% of n with --plain)")
    tail.add_argument("--plain", action="store_true",
                      help="the classical estimator, without its bias correction")
    tail.add_argument("--json", action="store_true")

    cut = commands.add_parser("slice", help="the training loss along a line, as a sketch landscape")
    training_options(cut)
    cut.add_argument("--method", default="SB")
    cut.add_argument("--seed", type=int, default=0)
    cut.add_argument("--direction", default="random", help="random or between:METHOD")
    cut.add_argument("--points", type=int, default=101)
    cut.add_argument("--plane", action="store_true",
                     help="the loss on a plane, (x, y) in [-1, 1]^2, fitted by a polynomial f(x, y)")
    cut.add_argument("--grid", type=int, help="plane: points per side (default 21)")
    cut.add_argument("--degree", type=int,
                     help="plane: total degree of the fitted polynomial (default 6)")
    return parser


def _settings(args) -> TrainSettings:
    changes = {"dataset": args.dataset, "model": args.model}
    for name in ("steps", "b", "eta"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    return TrainSettings().with_changes(**changes)


def _compare(args) -> dict:
    if not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds must be in [1, 100], got {args.seeds}")
    methods = check_methods([m.strip() for m in args.methods.split(",") if m.strip()])
    from .compare import run_compare

    out = run_compare(_settings(args), methods, range(args.seeds))
    out.pop("runs")
    return out


def _tail_index(args) -> dict:
    import numpy as np

    from .tails import TailIndexError, estimate

    try:
        samples = np.load(args.file, allow_pickle=False)
    except FileNotFoundError:
        raise UsageError(f"no such file: {args.file}") from None
    except (OSError, ValueError) as err:
        raise UsageError(f"{args.file} is not a readable .npy file ({err})") from None
    if args.k is not None and args.estimator != "hill":
        raise UsageError("--k applies to --estimator hill only")
    options = {"corrected": not args.plain}
    if args.k is not None:
        options["k"] = args.k
    try:
        return estimate(samples, args.estimator, **options).to_json()
    except TailIndexError as err:
        raise UsageError(str(err)) from None


def _slice(args) -> dict:
    if args.direction != "random" and not args.direction.startswith("between:"):
        raise UsageError(f"--direction must be random or between:METHOD, got {args.direction!r}")
    check_methods([args.method])
    from .compare import slice_of
    from .plane_slices import PLANE_DEGREE, PLANE_GRID, check_plane_settings
    from .slices import line_ts

    plane = None
    if args.plane:
        plane = {"grid": PLANE_GRID if args.grid is None else args.grid,
                 "degree": PLANE_DEGREE if args.degree is None else args.degree}
        check_plane_settings(plane["grid"], plane["degree"])   # before any training
    elif args.grid is not None or args.degree is not None:
        raise UsageError("--grid and --degree apply to --plane only")
    else:
        line_ts("random", args.points)          # checks --points before any training
    return slice_of(_settings(args), args.method, args.seed, args.direction, args.points, plane)


def _mean_sd(summary: dict, width: int, digits: int, scale: float = 1.0) -> str:
    """"mean ± sd" of a table cell, or "diverged" when no run was measured."""
    if summary["n"] == 0:
        return f"{'diverged':>{2 * width + 3}}"
    return (f"{scale * summary['mean']:{width}.{digits}f} ± "
            f"{scale * summary['sd']:<{width}.{digits}f}")


def _print_text(command: str, out: dict) -> None:
    if command == "compare":
        print("settings: " + "  ".join(f"{k}={v}" for k, v in out["settings"].items()))
        print(f"{'method':<9} {'test acc':>16} {'exp. sharpness':>18} {'max eig':>15} "
              f"{'tail index':>12} {'diverged':>8} {'s':>6}")
        for row in out["rows"]:
            print(f"{row['method']:<9} {_mean_sd(row['test_accuracy'], 7, 2, 100)}% "
                  f"{_mean_sd(row['expected_sharpness'], 9, 4)} "
                  f"{_mean_sd(row['max_eigenvalue'], 7, 2)} {_mean_sd(row['tail_index'], 5, 2)} "
                  f"{row['diverged']:>3} of {len(row['seeds'])} {row['seconds']:6.1f}")
        print("diverged: the run ended with a training loss above its initial one (or not "
              "finite), or no more accurate than always answering the most frequent label; "
              "its sharpness, eigenvalue and tail index are not measured")
    elif command == "tail-index":
        k = f", k = {out['k']}" if "k" in out else ""
        form = "corrected" if out.get("corrected", True) else "classical"
        print(f"alpha = {out['alpha']:.4g}  95% CI [{out['ci'][0]:.4g}, {out['ci'][1]:.4g}]  "
              f"({out['estimator']}, {form}{k}, n = {out['n']})")
    else:
        print(out["expr"])
        if "fit_error" in out:
            from .plane_slices import fit_error_text

            print(f"# {fit_error_text(out['fit_error'])}", file=sys.stderr)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        out = {"compare": _compare, "tail-index": _tail_index, "slice": _slice}[args.command](args)
    except NetworksError as err:
        return exit_bad_input(err, as_json)
    if as_json:
        print(json.dumps(out, allow_nan=True))
    else:
        _print_text(args.command, out)
    return 0

"""Command line: ``python -m landscape analyze|sweep|predict|presets ... [--json]``.

``--expr`` accepts formula text, a ``"sketch:x1,y1;x2,y2;..."`` string, or a
preset key (then ``--L`` and ``--b`` default to the preset's values). A formula
in x and y is a 2-D landscape: ``analyze`` then works in the ball of radius
``--R`` (an alias of ``--L``) on a ``--grid`` of cells and gives minima as
``[x, y]`` (a segment of minimisers as ``{"segment": [[x1, y1], [x2, y2]]}``);
``predict`` takes ``--x0 X,Y`` there and adds each field's minimum (and a
segment's range of q) to the 1-D JSON; ``sweep`` is 1-D only.
``presets --dimension 2`` lists the 2-D presets. ``--b``
and ``--b-max`` accept ``inf`` (no clipping). In JSON output an infinite b is
the string ``"inf"`` and indices are 1-based.

Bad input: exit code 2, one line on stderr, and ``{"error": "..."}`` on stdout
with ``--json``. A formula starting with ``-`` must be written ``--expr=-x^2``
(otherwise argparse takes it for an option).
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from .analysis import analyze
from .command_line import exit_bad_input
from .command_line import number_argument as _number
from .errors import AnalysisError, FormulaError
from .plane_analysis import analyze_plane
from .plane_presets import ALL_PRESETS, PLANE_PRESETS
from .predict import predict, predict_plane
from .presets import PRESETS
from .sources import load_landscape
from .sweep import sweep
from .tails import FAMILIES, HEAVY_FAMILIES
from .theory import parse_clip_threshold


class UsageError(Exception):
    """Raised instead of argparse's print-and-exit, so the message stays one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def _threshold(text: str) -> float:
    """--b: a number, or one of the words for no clipping (``parse_clip_threshold``)."""
    try:
        return parse_clip_threshold(text)
    except AnalysisError:
        return _number(text)        # a number <= 0 is refused, in words, by the analysis


def _point(text: str) -> tuple[float, ...]:
    """x0 as "X" (1-D) or "X,Y" (2-D)."""
    parts = [part.strip() for part in text.split(",")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise argparse.ArgumentTypeError(f"expected X or X,Y, got {text!r}")
    return tuple(_number(part) for part in parts)


def _print_graph(result) -> None:
    """The transition graph's edges, classes and warnings of a 1-D or 2-D analysis."""
    print("edges: " + (", ".join(f"m{i + 1}->m{j + 1}" for i, j in result.edges) or "none"))
    for number, group in enumerate(result.classes, start=1):
        members = ", ".join(f"m{i + 1}" for i in group.members)
        large = ", ".join(f"m{i + 1}" for i in group.large)
        kind = "absorbing" if group.absorbing else "transient"
        print(f"class G{number} = {{{members}}} {kind}, large: {large}")
    print(f"irreducible: {'yes' if result.irreducible else 'no'}")
    for warning in result.warnings:
        print(f"warning: {warning}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m landscape",
                     description="Analyse 1-d loss landscapes (fields, transition graph).")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    analyze_parser = commands.add_parser("analyze", help="critical points, fields, graph")
    analyze_parser.add_argument("--expr", required=True,
                                help="formula in x, 'sketch:x1,y1;...', or a preset key; "
                                     "write --expr=-x^2 when it starts with '-'")
    analyze_parser.add_argument("--L", "--R", dest="L", type=_number,
                                help="window half-width (1-D) or ball radius R (2-D)")
    analyze_parser.add_argument("--b", type=_threshold, help="clipping threshold or inf")
    analyze_parser.add_argument("--alpha", type=_number, help="tail index > 1")
    analyze_parser.add_argument("--grid", type=int, default=301,
                                help="2-D only: cells per side of the grid (51 to 801)")
    analyze_parser.add_argument("--json", action="store_true", help="print JSON")

    sweep_parser = commands.add_parser("sweep", help="structure for every b in a range")
    sweep_parser.add_argument("--expr", required=True)
    sweep_parser.add_argument("--L", type=_number)
    sweep_parser.add_argument("--b-min", type=_number, required=True)
    sweep_parser.add_argument("--b-max", type=_number, required=True)
    sweep_parser.add_argument("--json", action="store_true")

    predict_parser = commands.add_parser(
        "predict", help="the theory's exit rates, exit times and limiting chain")
    predict_parser.add_argument("--expr", required=True)
    predict_parser.add_argument("--L", "--R", dest="L", type=_number,
                                help="window half-width (1-D) or ball radius R (2-D)")
    predict_parser.add_argument("--b", type=_threshold, help="clipping threshold (default: none)")
    predict_parser.add_argument("--noise", choices=FAMILIES,
                                help="noise family (default: the preset's, else pareto)")
    predict_parser.add_argument("--alpha", type=_number, help="tail index > 1")
    predict_parser.add_argument("--scale", type=_number, help="noise scale > 0")
    predict_parser.add_argument("--eta", type=_number, help="learning rate > 0")
    predict_parser.add_argument("--x0", type=_point,
                                help="start point: X in [-L, L], or X,Y in the ball (2-D)")
    predict_parser.add_argument("--grid", type=int, default=301,
                                help="2-D only: cells per side of the grid (51 to 801)")
    predict_parser.add_argument("--json", action="store_true")

    presets_parser = commands.add_parser("presets", help="list the presets")
    presets_parser.add_argument("--dimension", type=int, choices=(1, 2), default=1,
                                help="1-D presets (default) or 2-D ones")
    presets_parser.add_argument("--json", action="store_true")
    return parser


def _preset_defaults(args) -> None:
    preset = ALL_PRESETS.get(args.expr.strip())
    if getattr(args, "L", None) is None:
        if preset is None:
            raise UsageError("--L (or --R) is required (unless --expr is a preset key)")
        args.L = preset.L
    if args.command == "predict":
        if args.b is None:
            args.b = math.inf if preset is None else preset.b
        if args.noise is None:
            args.noise = "pareto" if preset is None else preset.noise.family
        if preset is not None and args.noise == preset.noise.family:
            args.alpha = preset.noise.alpha if args.alpha is None else args.alpha
            args.scale = preset.noise.scale if args.scale is None else args.scale
        if args.noise not in HEAVY_FAMILIES:
            args.alpha = None
            args.scale = 0.0 if args.scale is None else args.scale
        elif args.alpha is None or args.scale is None:
            raise UsageError(f"predict needs --alpha and --scale for {args.noise} noise "
                             "(e.g. --alpha 1.2 --scale 0.1)")
        return
    if hasattr(args, "b") and args.b is None:
        if preset is None:
            raise UsageError("--b is required (unless --expr is a preset key); use inf "
                             "for no clipping")
        args.b = preset.b


def _number_text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _print_analysis(result) -> None:
    b = "inf (no clipping)" if math.isinf(result.b) else f"{result.b:g}"
    print(f"L = {result.L:g}, b = {b}" + (f", alpha = {result.alpha:g}" if result.alpha else ""))
    print(f"{'field':>5} {'minimum':>12} {'left':>12} {'right':>12} {'width':>10} "
          f"{'l*':>4} {'curvature':>10}" + ("  beta" if result.exit_exponents else ""))
    for field in result.fields:
        line = (f"{field.index + 1:>5} {field.minimum:>12.6g} {_number_text(field.left):>12} "
                f"{_number_text(field.right):>12} {_number_text(field.width):>10} "
                f"{field.l_star:>4} {field.curvature:>10.4g}")
        if result.exit_exponents:
            line += f"  {_number_text(result.exit_exponents[field.index])}"
        print(line)
    print("maxima: " + ", ".join(f"{s:.6g}" for s in result.maxima))
    _print_graph(result)


def _print_sweep(intervals) -> None:
    print(f"{'b from':>10} {'b to':>10}  {'l*':<16} {'irreducible':<11} surviving minima")
    for interval in intervals:
        surviving = ", ".join(f"m{i + 1}" for i in interval.surviving) or "-"
        print(f"{interval.b_low:>10.6g} {_number_text(interval.b_high):>10}  "
              f"{list(interval.l_star)!s:<16} {interval.irreducible!s:<11} {surviving}")


def _print_prediction(result) -> None:
    b = "inf (no clipping)" if math.isinf(result.b) else f"{result.b:g}"
    family, alpha, scale = result.noise
    eta = "" if result.eta is None else f", eta = {result.eta:g}"
    wall = "L" if result.field_minima is None else "R"
    print(f"{wall} = {result.L:g}, b = {b}, noise = {family}(alpha={alpha:g}, "
          f"scale={scale:g}){eta}")
    print(f"{'field':>5} {'l*':>3} {'q_i':>10} {'lambda_i':>11} {'E[sigma_i]':>11}  exits to")
    for row in result.to_json()["fields"]:
        lam = "-" if row["lambda"] is None else f"{row['lambda']:.4g}"
        mean = "-" if row["mean_exit_time"] is None else f"{row['mean_exit_time']:.4g}"
        exits = ", ".join(f"Omega_{j} {p:.1%}" for j, p in row["destinations"].items() if p > 0)
        print(f"{row['field']:>5} {row['l_star']:>3} {row['q']:>10.5g} {lam:>11} {mean:>11}  "
              f"{exits}")
        if "minimum" in row:
            error = "-" if row["q_error"] is None else f"{row['q_error']:.2g}"
            print(f"{'':>9} minimum {_minimum_text(row['minimum'])}, q error {error}"
                  + ("" if "q_range" not in row else
                     f", q from {row['q_range']['min']:.5g} to {row['q_range']['max']:.5g} "
                     "along the segment (q: their mean)"))
    for number, chain in enumerate(result.chains, start=1):
        kind = "absorbing" if chain.absorbing else "transient"
        large = ", ".join(f"m{i + 1}" for i in chain.large)
        line = f"class G{number} ({kind}), wide minima {large}"
        if chain.stationary is not None:
            line += ": stationary " + ", ".join(
                f"m{i + 1} {p:.1%}" for i, p in zip(chain.large, chain.stationary, strict=True))
        elif chain.killing.any():
            line += ": killing " + ", ".join(f"{k:.4g}" for k in chain.killing)
        print(line)
    if result.start_field is not None:
        start = ", ".join(f"m{i + 1} {p:.1%}" for i, p in
                          zip(result.start_chain.large, result.initial, strict=True))
        print(f"start in Omega_{result.start_field + 1}: behaves like a start at {start}")
    print(f"note: {result.note}")
    for warning in result.warnings:
        print(f"warning: {warning}")


def _minimum_text(minimum) -> str:
    if isinstance(minimum, dict):
        return "segment " + " - ".join(f"({x:.4g}, {y:.4g})" for x, y in minimum["segment"])
    return f"({minimum[0]:.4g}, {minimum[1]:.4g})"


def _print_presets(presets) -> None:
    for preset in presets.values():
        b = "none" if math.isinf(preset.b) else f"{preset.b:g}"
        if preset.dimension == 2:
            print(f"{preset.key}: {preset.title} (R = {preset.L:g}, b = {b}, "
                  f"eta = {preset.eta:g}, start = ({preset.x0:g}, {preset.y0:g}), "
                  f"noise = {preset.noise.family})")
            print(f"    f(x, y) = {preset.source}")
            continue
        print(f"{preset.key}: {preset.title} (L = {preset.L:g}, b = {b}, eta = {preset.eta:g}, "
              f"x0 = {preset.x0:g}, noise = {preset.noise.family})")
        print(f"    f(x) = {preset.source}")


def _presets_json(presets) -> list[dict]:
    rows = []
    for p in presets.values():
        row = {"key": p.key, "title": p.title, "description": p.description,
               "source": p.source, "L": p.L,
               "b": "inf" if math.isinf(p.b) else p.b, "eta": p.eta, "x0": p.x0,
               "noise": {"family": p.noise.family, "alpha": p.noise.alpha,
                         "scale": p.noise.scale}}
        if p.dimension == 2:
            row.update({"R": p.L, "y0": p.y0, "dimension": 2})
        rows.append(row)
    return rows


def _print_plane_analysis(result) -> None:
    b = "inf (no clipping)" if math.isinf(result.b) else f"{result.b:g}"
    print(f"R = {result.R:g}, b = {b}" + (f", alpha = {result.alpha:g}" if result.alpha else "")
          + f", grid {result.label_grid.shape[0]}")
    print(f"{'field':>5}  {'minimiser':<34} {'width':>8} {'l*':>4} {'area':>6}")
    for field in result.fields:
        points = field.minimiser.points
        where = ("segment " if field.minimiser.is_segment else "") + " - ".join(
            f"({x:.5g}, {y:.5g})" for x, y in points)
        print(f"{field.index + 1:>5}  {where:<34} {_number_text(field.width):>8} "
              f"{field.l_star:>4} {field.area_share:>6.1%}")
    for name, points in (("saddles", result.saddles), ("maxima", result.maxima)):
        print(f"{name}: " + (", ".join(f"({x:.5g}, {y:.5g})" for x, y in points) or "none"))
    _print_graph(result)


def _plane_predict(land, args) -> int:
    """``predict`` for f(x, y): the analysis in the ball, then ``predict_plane``."""
    if args.x0 is not None and len(args.x0) != 2:
        raise UsageError("--x0 takes two numbers X,Y for a formula in x and y")
    analysis = analyze_plane(land, args.L, args.b, args.alpha, grid=args.grid)
    result = predict_plane(analysis, (args.noise, args.alpha, args.scale), eta=args.eta,
                           x0=args.x0)
    if args.json:
        print(json.dumps(result.to_json(), allow_nan=False))
    else:
        _print_prediction(result)
    return 0


def run(argv: list[str]) -> int:
    """Run the command line with ``argv`` (without the program name)."""
    args = build_parser().parse_args(argv)
    if args.command == "presets":
        presets = PRESETS if args.dimension == 1 else PLANE_PRESETS
        if args.json:
            print(json.dumps(_presets_json(presets)))
        else:
            _print_presets(presets)
        return 0
    _preset_defaults(args)
    land = load_landscape(args.expr)
    if land.dimension == 2 and args.command == "predict":
        return _plane_predict(land, args)
    if land.dimension == 2:
        if args.command != "analyze":
            raise UsageError(f"{args.command} is for 1-D landscapes f(x); this formula uses y "
                             "(use analyze or predict)")
        result = analyze_plane(land, args.L, args.b, args.alpha, grid=args.grid)
        if args.json:
            print(json.dumps(result.to_json(), allow_nan=False))
        else:
            _print_plane_analysis(result)
        return 0
    if args.command == "predict":
        if args.x0 is not None and len(args.x0) != 1:
            raise UsageError("--x0 takes one number X for a formula in x alone")
        analysis = analyze(land, args.L, args.b, args.alpha)
        result = predict(analysis, land, (args.noise, args.alpha, args.scale), eta=args.eta,
                         x0=None if args.x0 is None else args.x0[0])
        if args.json:
            print(json.dumps(result.to_json(), allow_nan=False))
        else:
            _print_prediction(result)
        return 0
    if args.command == "analyze":
        result = analyze(land, args.L, args.b, args.alpha)
        if args.json:
            print(json.dumps(result.to_json(), allow_nan=False))
        else:
            _print_analysis(result)
        return 0
    intervals = sweep(land, args.L, args.b_min, args.b_max)
    if args.json:
        print(json.dumps({"L": args.L, "b_min": args.b_min,
                          "b_max": "inf" if math.isinf(args.b_max) else args.b_max,
                          "intervals": [i.to_json() for i in intervals]}, allow_nan=False))
    else:
        _print_sweep(intervals)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input)."""
    argv = sys.argv[1:] if argv is None else argv
    wants_json = "--json" in argv
    try:
        return run(argv)
    except (UsageError, FormulaError, AnalysisError) as error:
        return exit_bad_input(error, wants_json)


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m simulate run|exit-times|exit-study|study|warmup ... [--json]``.

A contract other tools rely on. Bad input exits with status 2 and one line
on stderr (and ``{"error": ...}`` on stdout with ``--json``), never a
traceback. Field indices in the output are 1-based.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from . import _common as C
from . import config
from .errors import SimulationError


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message):
        raise SimulationError(message)


def _floats(text: str) -> list[float]:
    try:
        vals = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not vals:
        raise argparse.ArgumentTypeError("expected at least one number")
    return vals


def _point(text: str) -> list[float]:
    """x0 as "X" (1-D) or "X,Y" (2-D)."""
    vals = _floats(text)
    if len(vals) > 2:
        raise argparse.ArgumentTypeError(f"expected X or X,Y, got {text!r}")
    return vals


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--expr", default=None,
                   help="f(x) or f(x, y) formula text, 'sketch:...' or a preset key "
                        "(default: the paper-fig2 preset)")
    p.add_argument("--L", "--R", dest="L", type=float, default=None,
                   help="wall: iterates stay in [-L, L]; for f(x, y) the radius R of the ball "
                        "|X| <= R (default: the preset's, 1.6)")
    p.add_argument("--noise", choices=config.FAMILIES, default="pareto",
                   help="noise family: " + "; ".join(f"{k} = {v}" for k, v in
                                                     config.FAMILY_LABELS.items()))
    p.add_argument("--alpha", type=float, default=None,
                   help="pareto / pareto1 shape, student-t df, stable index (default per family)")
    p.add_argument("--scale", type=float, default=None,
                   help="pareto / pareto1 scale, gaussian sigma, uniform half-width "
                        "(default per family)")
    p.add_argument("--b", type=float, default=None, help="clipping threshold (absent: none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print JSON")


CAP_HELP = ("step cap per sample (default: 25 times the theory's predicted mean exit time, "
            "or 5,000,000 without a prediction; simulate.exit_caps)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m simulate",
                     description="Simulate (truncated) heavy-tailed SGD on a 1-D landscape.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("run", help="advance many paths; field occupancy and transitions")
    _common(p)
    p.add_argument("--x0", type=_point, required=True, help="start: X, or X,Y for f(x, y)")
    p.add_argument("--eta", type=float, required=True)
    p.add_argument("--paths", type=int, default=config.DEFAULT_PATHS)
    p.add_argument("--steps", type=int, required=True)
    p = sub.add_parser("exit-times", help="first-exit times from the field of x0")
    _common(p)
    p.add_argument("--x0", type=_point, required=True, help="start: X, or X,Y for f(x, y)")
    p.add_argument("--eta", type=float, required=True)
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--max-steps", type=int, default=None, help=CAP_HELP)
    p = sub.add_parser("exit-study", help="mean exit time against eta, log-log slope")
    _common(p)
    p.add_argument("--x0", type=_point, required=True, help="start: X, or X,Y for f(x, y)")
    p.add_argument("--etas", type=_floats, required=True, help="comma-separated, e.g. 0.1,0.01")
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--max-steps", type=int, default=None, help=CAP_HELP)
    p = sub.add_parser("study", help="a parameter-grid study (TOML spec) on Dask; see docs/STUDIES.md")
    p.add_argument("spec", help="the study's TOML file")
    p.add_argument("--out", required=True, help="results folder (a re-run resumes it)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="local Dask worker processes (default: the CPUs; 0: no Dask)")
    where.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = sub.add_parser("warmup", help="compile (or load from the cache) every kernel")
    p.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _landscape(args):
    try:
        import landscape
    except ImportError as exc:  # pragma: no cover - landscape ships with the repo
        raise SimulationError(f"the landscape package is not available: {exc}") from exc
    from landscape.plane_presets import ALL_PRESETS

    preset = landscape.PRESETS[landscape.DEFAULT_PRESET]
    if args.expr is not None and args.expr.strip() in ALL_PRESETS:
        preset = ALL_PRESETS[args.expr.strip()]
    source = args.expr if args.expr is not None else preset.source
    try:
        land = landscape.load_landscape(source)
    except ValueError as exc:
        raise SimulationError(str(exc)) from exc
    L = args.L if args.L is not None else preset.L
    return land, L


def _run(args) -> dict:
    from .exits import exit_study, exit_times
    from .noise import make_noise
    from .simulation import Simulation

    if args.command == "warmup":
        from .warmup import warmup

        return {"seconds": warmup(plane=True)}
    if args.command == "study":
        from .study import cli_study

        return cli_study(args)
    noise = make_noise(args.noise, args.alpha, args.scale)
    land, L = _landscape(args)
    b = C.parse_clip_threshold(args.b)
    if land.dimension == 2 and args.command == "exit-study":
        return _plane_exit_study(args, land, L, b, noise)
    if land.dimension == 2:
        from .plane_cli import run_plane_command

        return run_plane_command(args, land, L, b, noise)
    x0 = args.x0[0] if isinstance(getattr(args, "x0", None), list) else getattr(args, "x0", None)
    if isinstance(getattr(args, "x0", None), list) and len(args.x0) != 1:
        raise SimulationError("--x0 takes one number for a formula in x alone")
    if args.command == "run":
        sim = Simulation(land, L, args.eta, noise, b=b, x0=x0, paths=args.paths,
                         seed=args.seed, hist_bins=0, buffer_size=1)
        sim.advance(args.steps)
        return sim.to_json()
    if args.command == "exit-times":
        return exit_times(land, L, args.eta, noise, b=b, x0=x0, samples=args.samples,
                          seed=args.seed, max_steps=args.max_steps).to_json()
    return exit_study(land, L, args.etas, noise, b=b, x0=x0, samples=args.samples,
                      seed=args.seed, max_steps=args.max_steps).to_json()


def _plane_exit_study(args, land, R: float, b: float, noise) -> dict:
    """``exit-study`` for f(x, y): the 1-D JSON, plus the samples and the eta with no exit."""
    from .plane_exits import plane_exit_study

    if len(args.x0) != 2:
        raise SimulationError("--x0 takes two numbers X,Y for a formula in x and y")
    from landscape.plane_analysis import analyze_plane

    try:
        analysis = analyze_plane(land, R, b, noise.tail_index)
    except ValueError as exc:
        raise SimulationError(str(exc)) from exc
    study = plane_exit_study(land, analysis, args.etas, noise, x0=tuple(args.x0),
                             samples=args.samples, seed=args.seed, max_steps=args.max_steps)
    out = study.to_json()
    out["mean_exit_times"] = [m if math.isfinite(m) else None for m in out["mean_exit_times"]]
    out["samples"] = int(args.samples)
    out["no_exit_etas"] = [float(e) for e, c in zip(study.etas, study.censored, strict=True)
                           if c >= args.samples]
    return out


def _text(command: str, out: dict) -> str:
    if command == "warmup":
        return f"kernels ready in {out['seconds']:.2f} s"
    if command == "study":
        from .study import summary_text

        return summary_text(out)
    if command == "run":
        frac = ", ".join(f"{i + 1}: {f:.4f}" for i, f in enumerate(out["field_fraction"]))
        lines = [(f"{out['paths']} paths x {out['steps']:,} steps in {out['seconds']:.2f} s "
                 f"({out['steps_per_second'] / 1e6:.1f} M steps/s)"),
                 f"time in each field: {frac}"]
        if "near_fraction" in out:
            near = ", ".join(f"{i + 1}: {f:.4f}" for i, f in enumerate(out["near_fraction"]))
            lines.append(f"time near each minimiser set: {near}, out: {out['out_fraction']:.4f}")
        lines += [
                 "transitions: " + (", ".join(f"{i}->{j}: {c}" for i, j, c in out["transitions"])
                                    or "none")]
    elif command == "exit-times":
        lines = [(f"mean exit time {out['mean']:.6g} steps from field {out['field']} "
                 f"({len(out['exit_times'])} samples, {out['censored']} censored)"),
                 "destinations: " + ", ".join(f"{k}: {v}" for k, v in out["destinations"].items())]
    else:
        lines = [f"eta {e:<10g} mean exit {m:.6g}" for e, m in
                 zip(out["etas"], out["mean_exit_times"])]
        slope = "n/a" if out["slope"] is None else f"{out['slope']:.3f}"
        pred = "n/a" if out["predicted_slope"] is None else f"{out['predicted_slope']:.3f}"
        lines.append(f"slope of log(mean exit) vs log(1/eta): {slope} (theory: {pred})")
    if out.get("error"):
        lines.append(f"warning: {out['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input)."""
    argv = sys.argv[1:] if argv is None else argv
    want_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
        out = _run(args)
    except (SimulationError, ValueError) as exc:
        msg = " ".join(str(exc).split()) or type(exc).__name__
        if want_json:
            print(json.dumps({"error": msg}))
        print(f"error: {msg}", file=sys.stderr)
        return 2
    print(json.dumps(out) if args.json else _text(args.command, out))
    return 130 if out.get("interrupted") is True else 0

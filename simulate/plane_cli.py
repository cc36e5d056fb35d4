"""``python -m simulate run|exit-times`` for a formula in x and y (issue 11).

The grids come from ``landscape.analyze_plane`` (fields by gradient flow in
the ball of radius R, "near" = within 0.5 of a minimiser set, as the paper
counts); field indices in the output are 1-based.
"""

from __future__ import annotations

from .errors import SimulationError
from .plane_run import PlaneSimulation, grids_for


def run_json(res) -> dict:
    """``PlaneRunResult.to_json`` with per-field lists like 1-D: the time in no field and
    the time "out" (near no minimiser set) as separate numbers."""
    out = res.to_json()
    *fields, none = out["field_fraction"]
    *near, away = out["near_fraction"]
    out.update(field_fraction=fields, no_field_fraction=none, near_fraction=near,
               out_fraction=away)
    return out


def run_plane_command(args, land, R: float, b: float, noise) -> dict:
    """The JSON of ``run`` / ``exit-times`` for a 2-D landscape."""
    if args.command not in ("run", "exit-times"):
        raise SimulationError(f"{args.command} is not available for a formula in x and y yet; "
                              "use run or exit-times")
    if len(args.x0) != 2:
        raise SimulationError("--x0 takes two numbers X,Y for a formula in x and y")
    grids = grids_for(land, R, b, noise.tail_index)
    x0 = tuple(args.x0)
    if args.command == "run":
        run = PlaneSimulation(land, R, args.eta, noise, b=b, x0=x0, paths=args.paths,
                              seed=args.seed, grids=grids, trace_points=1,
                              record_every=max(1, args.steps))
        run.advance(args.steps)
        return run_json(run.result)
    from .exit_caps import step_cap
    from .plane_exits import plane_exit_times

    field = int(grids.field_of(x0[0], x0[1], R))
    if field < 0:
        raise SimulationError(f"the start ({x0[0]:g}, {x0[1]:g}) is in no field")
    return plane_exit_times(land, grids, field=field, R=R, eta=args.eta, b=b, family=noise,
                            x0=x0, samples=args.samples, seed=args.seed,
                            max_steps=step_cap(None, args.max_steps).steps).to_json()

"""The live parts of the simulation pages: what a running view redraws at each refresh
(the numbers, the charts, the time per field), keyed by the key of the element that shows
it. Pure (no Streamlit): the pages draw them, and the frame route
(``widgets/livestream.py``) sends them between the pages' reruns.
"""

from __future__ import annotations

from dashboard import figures_plane_runs as FPR
from dashboard import figures_runs
from dashboard.simrun_plane import CASES

LIVE_BINS = 50  # occupancy cells a side in the live 2-D charts (the run counts 200: blocks of 4 x 4)


def line_parts(r, *, xs, ys, maxima, L: float, f_range, fields, minima=()) -> dict:
    """Every live part of the 1-D view of run ``r``, keyed by its element's key: the numbers,
    the charts and the time per field. Pure (no Streamlit): the frame route
    (``widgets/livestream.py``) calls it between the fragment's reruns.

    ``fields`` is ``[(minimum, sharp), ...]`` of the valid analysis (labels of the time per
    field), or empty; ``minima`` label the comparison's panels (m1, m2, ...).
    """
    parts = {"live_metrics": r.live_metrics(), "live_caption": r.refresh_caption()}
    if not r.compare:
        sim = r.sims["run"]
        steps, X = sim.trajectory()
        parts["traj_chart"] = figures_runs.trajectory_figure(
            steps, X, xs, ys, maxima, L=L, f_range=f_range, title=f"Paths (every {r.every}th iterate)",
            as_dict=True)  # fmt: skip
        edges, counts = sim.histogram()
        parts["hist_chart"] = figures_runs.histogram_figure(edges, counts, xs, ys, maxima, height=260,
                                                            f_range=f_range, as_dict=True)  # fmt: skip
        rows = []
        for i, v in enumerate(sim.field_fraction):
            kind = ""
            if i < len(fields):
                kind = f" (m{i + 1} = {fields[i][0]:.2f} · {'sharp' if fields[i][1] else 'wide'})"
            rows.append([f"Ω{i + 1}{kind}: {float(v):.1%}", float(v)])
        parts["field_bars"] = {"title": "Time fraction per field", "rows": rows}
    else:
        hists = {name: s.histogram() for name, s in r.sims.items()}
        parts["compare_chart"] = figures_runs.compare_figure(hists, xs, ys, maxima, f_range=f_range,
                                                             minima=list(minima), as_dict=True)  # fmt: skip
    return parts


def plane_parts(r, *, grid, analysis, R: float) -> dict:
    """Every live part of the 2-D view of run ``r``, keyed by its element's key. Pure (no
    Streamlit): the frame route (``widgets/livestream.py``) calls it between reruns."""
    parts = {"live_metrics": r.live_metrics(), "live_caption": r.refresh_caption()}
    if not r.results:
        return parts
    if not r.compare:
        res = r.results["run"]
        parts["plane_paths_chart"] = FPR.plane_paths_figure(res.trace, grid, analysis, R=R, height=400, as_dict=True,
                                                           title=f"Paths (every {r.every}th iterate)")  # fmt: skip
        parts["plane_hist_chart"] = FPR.plane_occupancy_figure(res.histogram, res.extent, analysis, R=R, height=400,
                                                              max_bins=LIVE_BINS, as_dict=True)  # fmt: skip
        parts["plane_fields_chart"] = FPR.field_index_figure(res.trace_steps, res.trace_fields, len(analysis.fields),
                                                            as_dict=True)  # fmt: skip
        parts["plane_frac_chart"] = FPR.field_time_figure(res.field_fraction, analysis, height=260, as_dict=True,
                                                         near_fraction=res.near_fraction)  # fmt: skip
    else:
        for name in CASES:
            res = r.results[name]
            parts[f"plane_hist_{name}"] = FPR.plane_occupancy_figure(
                res.histogram, res.extent, analysis, R=R, height=360, title=name, max_bins=LIVE_BINS, as_dict=True)
            parts[f"plane_frac_{name}"] = FPR.field_time_figure(
                res.field_fraction, analysis, height=260, near_fraction=res.near_fraction,
                title=f"{name}: time per field", as_dict=True)  # fmt: skip
    return parts

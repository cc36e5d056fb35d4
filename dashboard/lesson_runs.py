"""What a lesson step reveals after the class has predicted: a short simulation (seconds)
and the theory's number beside it. Streamlit-free; the page caches each reveal by its
settings, so a room of students on the same step costs one run.

Every number comes from the project's functions: ``landscape.analyze`` / ``predict`` /
``predict_exit`` / ``surviving_minima`` for the theory, ``simulate.Simulation``,
``four_way`` and ``exit_study`` for the runs (2-D: ``simulate.plane.simulate_plane``, the
theory from ``predict_plane``), ``dashboard.figures_runs`` for the charts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import landscape
import simulate
from dashboard import figures_runs, slides
from dashboard.lesson_steps import Prediction
from dashboard.simrun import make_noise

FRAMES = 16  # snapshots of a run (the animation's frames)
LIGHT_STEPS = 200_000  # steps per path of the light-noise run
FOUR_STEPS = 1_000_000  # steps per path and case of the four-way run (the paper: 3,000,000)
PAIR_STEPS = 2_000_000  # steps per path and case of the 2-D clipped / unclipped run (~0.5 s each)
FINITE_ETA_NOTE = ("The theory is the η → 0 limit; at finite η the measured values differ by "
                   "corrections that shrink slowly, like η^(α−1).")  # fmt: skip


@dataclass(frozen=True)
class Reveal:
    """The answer to a step's prediction.

    Attributes
    ----------
    answer : int
        Index of the choice the theory says is right.
    theory : str
        The theory's number(s), one markdown line.
    measured : str
        What the short run measured (empty where nothing is run).
    figure : dict or None
        The result's chart (a figure dict; animated where the run has snapshots).
    settings : dict
        What was run, written into the animation file.
    """

    answer: int
    theory: str
    measured: str = ""
    figure: dict | None = None
    settings: dict = field(default_factory=dict)

    @property
    def animated(self) -> bool:
        return bool(self.figure and self.figure.get("frames"))


def _nearest(values, target: float) -> int:
    """Index of the value closest to ``target`` (on a log scale: the values are factors)."""
    return int(np.argmin([abs(math.log(float(v)) - math.log(target)) for v in values]))


def _matching(values, wanted) -> int:
    """Index of the choice whose value is ``wanted``; the last choice when none is."""
    return next((k for k, v in enumerate(values) if v == wanted), len(values) - 1)


def reveal_jumps(analysis, pred: Prediction) -> Reveal:
    """l*_i = ceil(r_i / b) of the field the question names (1-D or 2-D analysis)."""
    fl = analysis.fields[pred.field]
    lstar = int(fl.l_star)
    answer = _matching(pred.values, lstar)
    return Reveal(answer, f"r = {float(fl.width):.3f}, b = {float(analysis.b):.3g}: "
                          f"l* = ⌈r / b⌉ = **{lstar}**")  # fmt: skip


def _run_snapshot(sim, xs, ys, maxima, L: float, f_range) -> dict:
    steps, X = sim.trajectory()
    traj = figures_runs.trajectory_figure(steps, X, xs, ys, maxima, L=L, f_range=f_range, max_points=200,
                                          title="Paths", as_dict=True)  # fmt: skip
    edges, counts = sim.histogram()
    hist = figures_runs.histogram_figure(edges, counts, xs, ys, maxima, f_range=f_range, as_dict=True,
                                         title="Where the iterates are")  # fmt: skip
    return slides.side_by_side(traj, hist)


def reveal_light(land, analysis, p: dict[str, Any], pred: Prediction, curve, f_range) -> Reveal:
    """Gaussian SGD from the narrow minimum: the share of time outside its field, beside the
    theory (light tails: exp(c/η), none at this η; heavy tails: Theorem 1's mean exit)."""
    xs, ys = curve
    L, eta, i = float(p["L"]), float(p["eta"]), pred.field
    sim = simulate.Simulation(land, L, eta, make_noise(p["noise"], float(p["alpha"]), float(p["scale"])),
                              b=math.inf, x0=float(p["x0"]), paths=int(p["paths"]), seed=int(p["seed"]),
                              record_every=int(p["every"]), boundaries=tuple(analysis.maxima))  # fmt: skip
    snaps, labels = [], []
    for _ in range(FRAMES):
        sim.advance(LIGHT_STEPS // FRAMES)
        snaps.append(_run_snapshot(sim, xs, ys, analysis.maxima, L, f_range))
        labels.append(f"{sim.steps_done:,}")
    outside = 1.0 - float(sim.field_fraction[i])
    moves = int(np.asarray(sim.transitions)[i].sum())
    answer = next(k for k, bound in enumerate(pred.values) if outside <= bound or k == len(pred.values) - 1)
    heavy = landscape.predict(analysis, land, ("pareto", float(p["alpha"]), 0.1), eta=eta)
    mean = heavy.exits[i].mean_exit_time
    theory = (f"light tails: the exit time grows like exp(c/η), so **no exit** in "
              f"{LIGHT_STEPS:,} steps at η = {eta:g}; Pareto noise (α = {float(p['alpha']):g}, scale 0.1) "
              f"would leave Ω{i + 1} after about **{mean:,.0f}** steps (Theorem 1)")  # fmt: skip
    measured = (f"{int(p['paths'])} paths × {sim.steps_done:,} steps: **{outside:.1%}** of the time outside "
                f"Ω{i + 1}, {moves} moves out of it")  # fmt: skip
    settings = {"landscape": p["preset"], "noise": f"{p['noise']} (scale {p['scale']:g})", "clipping": "none",
                "eta": eta, "x0": float(p["x0"]), "paths": int(p["paths"]), "seed": int(p["seed"]),
                "steps per path": sim.steps_done}  # fmt: skip
    return Reveal(answer, theory, measured, slides.animated_figure(snaps, labels), settings)


def exit_study_of(land, p: dict[str, Any], b: float):
    """The step's exit-time study (Fig. 4) with clipping at ``b`` (math.inf: unclipped)."""
    etas = [float(e) for e in str(p["etas"]).split(",")]
    return simulate.exit_study(land, float(p["L"]), etas, make_noise(p["noise"], float(p["alpha"]), float(p["scale"])),
                               b=b, x0=float(p["x0"]), samples=int(p["samples"]), seed=int(p["seed"]),
                               alpha=float(p["alpha"]))  # fmt: skip


def predicted_means(land, p: dict[str, Any], b: float, field_index: int, etas) -> list[float]:
    """Theorem 1's mean exit times 1/(q_i λ_i(η)) at ``etas`` (b = inf: unclipped)."""
    analysis = landscape.analyze(land, float(p["L"]), b, float(p["alpha"]))
    noise = (p["noise"], float(p["alpha"]), float(p["scale"]))
    pred = landscape.predict(analysis, land, noise)
    return [landscape.predict_exit(pred.rates, field_index, float(e), noise).mean_exit_time for e in etas]


def reveal_exit(land, p: dict[str, Any], pred: Prediction, study, reference=None) -> Reveal:
    """Mean first exit time against 1/η: the measured slope and means of ``study``
    (``exit_study_of``; ``reference``: the same without clipping) beside the theory's
    (slope β = α + (α−1)(l*−1), means 1/(q λ(η)))."""
    b = float(p["b"]) if p["clip"] else math.inf
    means = predicted_means(land, p, b, pred.field, study.etas)
    ref_means = None
    if reference is not None:
        ref_means = predicted_means(land, p, math.inf, pred.field, reference.etas)
    fig = figures_runs.exit_figure(study, reference=reference, label="clipped" if math.isfinite(b) else "no clipping",
                                   predicted=means, reference_predicted=ref_means, height=430)  # fmt: skip
    beta = float(study.predicted_slope)
    answer = _nearest(pred.values, beta)
    factor = 10 ** beta
    last = -1
    theory = (f"slope β = α + (α−1)(l* − 1) = **{beta:.2f}** (l* = {study.l_star}): ×{factor:.0f} per factor 10 "
              f"in η; mean at η = {study.etas[last]:g}: **{means[last]:,.0f}** steps")  # fmt: skip
    measured = (f"fitted slope **{study.slope:.2f}**; mean at η = {study.etas[last]:g}: "
                f"**{study.mean_exit_times[last]:,.0f}** steps ({int(p['samples'])} runs per η)")  # fmt: skip
    if reference is not None:
        measured += f"; unclipped: fitted slope {reference.slope:.2f} (theory {reference.predicted_slope:.2f})"
    settings = {"landscape": p["preset"], "field": f"Ω{pred.field + 1}", "x0": float(p["x0"]), "b": b,
                "etas": p["etas"], "samples": int(p["samples"])}  # fmt: skip
    return Reveal(answer, theory, measured, slides.as_dict(fig), settings)


def reveal_four(land, analysis, p: dict[str, Any], pred: Prediction, curve, f_range) -> Reveal:
    """The paper's four cases (Figs. 1 and 5), shorter: time per minimum of each case,
    beside the limiting chain's share of the run at each wide minimum (heavy, clipped)."""
    xs, ys = curve
    L, eta, b, x0 = float(p["L"]), float(p["eta"]), float(p["b"]), float(p["x0"])
    chunk = FOUR_STEPS // FRAMES
    sims = simulate.four_way(land, L, eta, b=b, x0=x0, paths=int(p["paths"]), steps=chunk, seed=int(p["seed"]),
                             boundaries=tuple(analysis.maxima))  # fmt: skip
    minima = [fl.minimum for fl in analysis.fields]
    snaps, labels = [], []
    for k in range(FRAMES):
        if k:
            for sim in sims.values():
                sim.advance(chunk)
        hists = {name: sim.histogram() for name, sim in sims.items()}
        snaps.append(figures_runs.compare_figure(hists, xs, ys, analysis.maxima, f_range=f_range, minima=minima,
                                                 height=470, as_dict=True))  # fmt: skip
        labels.append(f"{sims['heavy-clipped'].steps_done:,}")
    fractions = {name: np.asarray(sim.field_fraction, dtype=float) for name, sim in sims.items()}
    hc = fractions["heavy-clipped"]
    pr = landscape.predict(analysis, land, (p["noise"], float(p["alpha"]), float(p["scale"])), x0=x0)
    shares = pr.run_shares(float(sims["heavy-clipped"].steps_done), eta)
    wide = tuple(sorted(shares))
    theory = "heavy, clipped: the limiting chain over this run puts " + ", ".join(
        f"**{v:.0%}** at m{i + 1}" for i, v in sorted(shares.items())) + " (only the wide minima)"
    measured = "heavy, clipped: " + ", ".join(f"m{i + 1} {v:.1%}" for i, v in enumerate(hc))
    measured += "; unclipped: " + ", ".join(f"m{i + 1} {v:.0%}" for i, v in enumerate(fractions["heavy-unclipped"]))
    answer = _matching(pred.values, frozenset(wide))
    settings = {"landscape": p["preset"], "cases": f"heavy/light × clipped (b = {b:g})/unclipped", "eta": eta,
                "x0": x0, "paths": int(p["paths"]), "seed": int(p["seed"]),
                "steps per path": sims["heavy-clipped"].steps_done}  # fmt: skip
    return Reveal(answer, theory, measured, slides.animated_figure(snaps, labels), settings)


def reveal_survive(analysis, pred: Prediction, dimension: int = 1) -> Reveal:
    """The minima that survive at b: the large minima of the absorbing classes (1-D or 2-D)."""
    classes = analysis.structure.classes if hasattr(analysis, "structure") else analysis.classes
    alive = frozenset(landscape.surviving_minima(classes))
    letter = "Ω" if dimension == 2 else "m"
    kinds = "; ".join(f"{{{', '.join(f'{letter}{m + 1}' for m in c.members)}}} "
                      f"{'absorbing' if c.absorbing else 'transient'}" for c in classes)  # fmt: skip
    names = ", ".join(f"{letter}{i + 1}" for i in sorted(alive))
    return Reveal(_matching(pred.values, alive), f"classes {kinds}: **{names}** survive at b = {float(analysis.b):g}")


def _field_names(m: int) -> list[str]:
    return [f"Ω{i + 1}" for i in range(m)]


def reveal_pair(land, analysis, prediction, p: dict[str, Any], pred: Prediction) -> Reveal:
    """The paper's Fig. 3(c), shorter: 2-D heavy-tailed SGD clipped at b and not clipped,
    from (x0, y0), ``PAIR_STEPS`` steps per path (in ``FRAMES`` slices, the animation's
    frames): the share of time in each field of both runs as bars, beside the limiting
    chain's share of the run at each wide minimum (``prediction``: ``predict_plane`` with
    this x0).
    """
    from simulate.plane import PlaneGrids, simulate_plane

    R, eta, b = float(p["L"]), float(p["eta"]), float(p["b"])
    start = (float(p["x0"]), float(p["y0"]))
    grids = PlaneGrids.from_analysis(analysis)
    cases = {f"clipped (b = {b:g})": b, "unclipped": math.inf}
    m = len(analysis.fields)
    names = _field_names(m)
    results: dict[str, Any] = {}
    snaps, labels = [], []
    chunk = PAIR_STEPS // FRAMES
    for _ in range(FRAMES):
        for name, bb in cases.items():
            prev = results.get(name)
            results[name] = simulate_plane(land, grids, R=R, eta=eta, b=bb, family=p["noise"], alpha=float(p["alpha"]),
                                           scale=float(p["scale"]), x0=start, paths=int(p["paths"]), steps=chunk,
                                           seed=int(p["seed"]), state=None if prev is None else prev.state)  # fmt: skip
            if results[name].error:
                raise ValueError(f"the {name} run stopped: {results[name].error}")
        steps = int(next(iter(results.values())).steps_done)
        shares = prediction.run_shares(float(steps), eta)
        theory = [shares.get(i, 0.0) for i in range(m)]
        measured = {name: res.field_fraction[:m] for name, res in results.items()}
        snaps.append(figures_runs.share_bars_figure(
            names, measured, theory=theory, theory_label="theory (clipped, η → 0)", height=340, as_dict=True,
            title=f"Time per field, {int(p['paths'])} paths × {steps:,} steps"))  # fmt: skip
        labels.append(f"{steps:,}")
    clipped, unclipped = (results[name] for name in cases)
    narrow = [i for i, fl in enumerate(analysis.fields) if int(fl.l_star) == 1]
    wide = tuple(sorted(shares))
    chain = prediction.start_chain
    law = ", ".join(f"Ω{i + 1} {v:.1%}" for i, v in zip(chain.large, chain.stationary)) \
        if chain.stationary is not None else "none (a transient class)"

    def narrow_share(res, near: bool = False) -> float:
        shares = res.near_fraction if near else res.field_fraction
        return float(sum(shares[i] for i in narrow))

    narrow_names = " + ".join(f"Ω{i + 1}" for i in narrow)
    theory_text = (f"the limiting chain on the wide minima has stationary law {law}; over this run from "
                   f"Ω{prediction.start_field + 1}: " + ", ".join(f"**{v:.0%}** at Ω{i + 1}" for i, v in
                                                                 sorted(shares.items()))
                   + f"; none at {' and '.join(f'Ω{i + 1}' for i in narrow)} (l* = 1)")  # fmt: skip
    measured_text = (f"{narrow_names}: clipped **{narrow_share(clipped):.1%}** of the steps, unclipped "
                     f"**{narrow_share(unclipped):.1%}** (within 0.5 of the minimisers, the paper's count: "
                     f"{narrow_share(clipped, near=True):.1%} and {narrow_share(unclipped, near=True):.1%}); "
                     f"{int(p['paths'])} paths × {int(clipped.steps_done):,} steps at η = {eta:g}")  # fmt: skip
    settings = {"landscape": p["preset"], "cases": f"clipped (b = {b:g}) and unclipped", "R": R, "eta": eta,
                "noise": f"{p['noise']} (alpha {float(p['alpha']):g}, scale {float(p['scale']):g})",
                "start": list(start), "paths": int(p["paths"]), "seed": int(p["seed"]),
                "steps per path": int(clipped.steps_done)}  # fmt: skip
    answer = _matching(pred.values, frozenset(wide))
    return Reveal(answer, theory_text, measured_text, slides.animated_figure(snaps, labels), settings)

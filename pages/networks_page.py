"""Page: tail inflation on a real (small) network, the slides' table (THEORY.md section 8).

Thin: training, measures and the table are in ``networks`` (pure). Registered in app.py
with ``st.Page("pages/networks_page.py", title="Networks", icon=":material/neurology:",
url_path="networks")``. Settings live in the URL (``dashboard.state``: ndata, nmodel,
nmethods, nseeds, nsteps, nb, neta); a finished table is kept per server process by its
settings, so a reload finds it again. Stop interrupts the run (a button click reruns the
page) and the finished runs are shown.
"""

from __future__ import annotations

import json
import math

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from networks.compare import (
    SLIDES_ROW,
    data_for,
    plane_directions,
    run_one,
    slice_line,
    slice_plane,
    table_rows,
)
from networks.config import METHODS, TrainSettings
from networks.errors import NetworksError
from networks.plane_slices import PLANE_DEGREE, PLANE_GRID, fit_error_text
from networks.slices import filter_normalised_direction, sketch_points
from networks.train import model_for
from widgets import navigation, session, ui

#: Session key of the last plane opened as a landscape: {"expr", "fit"} (its fit error is
#: stated on this page and, while that formula is shown, on the Landscape page).
COLORS = dict(zip(METHODS, ("#636efa", "#00cc96", "#ab63fa", "#ef553b", "#ffa15a", "#19d3f3")))


@st.cache_resource(show_spinner=False)
def _finished() -> dict:
    """Finished tables of this server process, by their settings (found again after a reload)."""
    return {}


def _settings(p) -> TrainSettings:
    return TrainSettings(dataset=p["ndata"].strip(), model=p["nmodel"], steps=int(p["nsteps"]),
                         b=float(p["nb"]), eta=float(p["neta"]))


def _methods(p) -> list[str]:
    return [m for m in p["nmethods"].split(",") if m in METHODS]


def _set_methods() -> None:
    session.write("nmethods", ",".join(session.get(session.NETWORKS_METHODS_WIDGET, [])))


def _controls(p) -> None:
    left, mid, right = st.columns(3)
    with left:
        ui.bind(st.text_input, "ndata", "Data", help="digits-corrupted (scikit-learn's 8x8 digits, "
                "1,000 training images, 20% of their labels replaced at random), or fmnist:PATH "
                "(an .npz with x_train, y_train, x_test, y_test or a folder of IDX files).")
        ui.bind(st.selectbox, "nmodel", "Model", options=("lenet", "mlp"),
                help="lenet: small CNN (conv 6 - pool - conv 16 - pool - 32 - 10); mlp: 64 - 10.")
    with mid:
        session.put(session.NETWORKS_METHODS_WIDGET, _methods(p))
        st.multiselect("Methods", METHODS, key=session.NETWORKS_METHODS_WIDGET, on_change=_set_methods)
        ui.bind(st.number_input, "nseeds", "Seeds", min_value=1, max_value=5, step=1)
    with right:
        ui.bind(st.number_input, "nsteps", "Steps", min_value=10, max_value=5000, step=50)
        c1, c2 = st.columns(2)
        with c1:
            ui.bind(st.number_input, "neta", "η", min_value=1e-4, max_value=1.0, step=0.01, format="%.4g")
        with c2:
            ui.bind(st.number_input, "nb", "Clip b", min_value=0.001, max_value=100.0, step=0.05,
                    format="%.4g", help="phi_b clips the step η g to norm b (SB+Clip, Our1, Our2).")


def _curves(records: list[dict]) -> go.Figure:
    fig = make_subplots(rows=1, cols=3, subplot_titles=("training loss", "test accuracy",
                                                        "tail index of g_SB − g_GD"))
    for (method, seed) in dict.fromkeys((r["method"], r["seed"]) for r in records):
        rs = [r for r in records if r["method"] == method and r["seed"] == seed]
        steps = [r["step"] for r in rs]
        for col, name in enumerate(("train_loss", "test_accuracy", "tail_index"), start=1):
            fig.add_trace(go.Scatter(x=steps, y=[r.get(name) for r in rs], mode="lines+markers",
                                     name=f"{method} (seed {seed})", legendgroup=f"{method}{seed}",
                                     showlegend=col == 1, line={"color": COLORS[method]}),
                          row=1, col=col)
    fig.update_layout(height=300, margin={"t": 40, "b": 30, "l": 40, "r": 10})
    fig.update_xaxes(title_text="step")
    return fig


def _train(settings, methods, seeds, key) -> dict | None:
    data = data_for(settings)
    runs = [(m, s) for m in methods for s in range(seeds)]
    bar = st.progress(0.0, text="compiling…")
    chart = st.empty()
    partial = session.put(session.NETWORKS_PARTIAL, {"key": key, "records": [], "runs": [], "thetas": {}})
    total = len(runs) * settings.steps

    for index, (method, seed) in enumerate(runs):
        def progress(record, index=index):
            partial["records"].append(record)
            done = index * settings.steps + record["step"]
            bar.progress(min(done / total, 1.0), text=f"{record['method']}, seed {record['seed']}: step {record['step']:,}"
                         f" of {settings.steps:,} (run {index + 1} of {len(runs)})")
            chart.plotly_chart(_curves(partial["records"]))

        result, record = run_one(settings, data, method, seed, progress)
        partial["runs"].append(record)
        partial["thetas"][(method, seed)] = result.theta
    bar.progress(1.0, text="done")
    return {"settings": settings, "records": partial["records"], "runs": partial["runs"],
            "thetas": partial["thetas"]}


def _fmt(summary, percent=False, digits=4):
    if summary["n"] == 0:
        return "diverged"
    scale = 100.0 if percent else 1.0
    unit = "%" if percent else ""
    return f"{scale * summary['mean']:.{2 if percent else digits}f}{unit} ± {scale * summary['sd']:.{2 if percent else digits}f}"


def _table(runs: list[dict]) -> None:
    rows = []
    for row in table_rows(runs):
        acc, sharp = SLIDES_ROW[row["method"]]
        rows.append({"method": row["method"], "test accuracy": _fmt(row["test_accuracy"], True),
                     "slides: test acc.": f"{100 * acc:.2f}%",
                     "expected sharpness": _fmt(row["expected_sharpness"]),
                     "slides: sharpness": sharp,
                     "λ_max(Hessian)": _fmt(row["max_eigenvalue"], digits=2),
                     "tail index α̂": _fmt(row["tail_index"], digits=2),
                     "train accuracy": _fmt(row["train_accuracy"], True),
                     "diverged": f"{row['diverged']} of {len(row['seeds'])}",
                     "training s": round(row["seconds"], 1)})
    st.dataframe(rows, hide_index=True, key="networks_table")


def _scatter(runs: list[dict]) -> go.Figure:
    fig = go.Figure()
    for method in dict.fromkeys(r["method"] for r in runs):
        rs = [r for r in runs if r["method"] == method and math.isfinite(r["expected_sharpness"])]
        fig.add_trace(go.Scatter(x=[r["expected_sharpness"] for r in rs],
                                 y=[100 * r["test_accuracy"] for r in rs], mode="markers",
                                 name=method, marker={"size": 11, "color": COLORS[method]}))
    fig.update_layout(height=340, xaxis_title="expected sharpness", yaxis_title="test accuracy (%)",
                      margin={"t": 30, "b": 40, "l": 50, "r": 10}, title="sharper vs. better?")
    return fig


def _open_slice(finished: dict) -> None:
    """Open the chosen run's loss along a filter-normalised random line on the Landscape page."""
    method = session.get(session.NETWORKS_SLICE_METHOD_WIDGET)
    settings = finished["settings"]
    data = data_for(settings)
    theta = finished["thetas"][(method, 0)]
    direction = filter_normalised_direction(theta, model_for(settings, data).segments, 0)
    cut = slice_line(settings, data, theta, direction, "random", 101)
    points = sketch_points(cut["xs"], cut["losses"])
    session.write("mode", "sketch")
    # minus the lowest loss: the Landscape page keeps 4 significant digits of a sketch, and
    # an additive constant changes no critical point, field or l*
    lowest = min(y for _, y in points)
    session.write("sketch", ";".join(f"{x:.6g},{y - lowest:.6g}" for x, y in points))
    session.write("L", 1.0)
    session.write("noise", "pareto")
    session.write("alpha", _measured_alpha(finished, method))
    session.put(session.NETWORKS_OPEN_LANDSCAPE, True)


def _measured_alpha(finished: dict, method: str) -> float:
    run = next(r for r in finished["runs"] if r["method"] == method and r["seed"] == 0)
    alpha = run["tail_index"] if math.isfinite(run["tail_index"]) else 1.5
    return min(max(float(alpha), 1.01), 20.0)


def _open_plane(finished: dict) -> None:
    """Open the chosen run's loss on a plane of two filter-normalised random directions."""
    method = session.get(session.NETWORKS_SLICE_METHOD_WIDGET)
    settings = finished["settings"]
    data = data_for(settings)
    theta = finished["thetas"][(method, 0)]
    try:
        first, second = plane_directions(theta, model_for(settings, data).segments, 0)
        cut = slice_plane(settings, data, theta, first, second, PLANE_GRID, PLANE_DEGREE)
    except NetworksError as err:    # e.g. a loss that overflows somewhere on the plane
        session.put(session.NETWORKS_PLANE_ERROR, f"Cannot open the plane of {method}: {err}")
        return
    session.put(session.NETWORKS_PLANE_FIT, {"expr": cut["expr"], "method": method,
                                             "fit": fit_error_text(cut["fit_error"])})
    session.write("mode", "formula")
    session.write("formula", cut["expr"])
    session.write("L", 1.0)                 # R = 1: the ball inside the sampled square
    session.write("noise", "pareto")
    session.write("alpha", _measured_alpha(finished, method))
    session.put(session.NETWORKS_OPEN_LANDSCAPE, True)


def _results(finished: dict, complete: bool) -> None:
    settings = finished["settings"]
    runs = finished["runs"]
    if not runs:
        st.info("No run finished before the stop.")
        return
    if not complete:
        st.warning(f"Stopped: the table holds the {len(runs)} finished run(s).", icon=":material/stop_circle:")
    st.subheader("Results (mean ± sd over seeds) beside the slides' row")
    _table(runs)
    s = settings
    st.caption(f"Settings: {s.dataset}, {s.model}, {s.steps} steps, η = {s.eta:g}, b = {s.b:g}, "
               f"batches SB {s.small_batch} / LB {s.large_batch} (g_GD ≈ g_LB), Z ~ {s.z_family} "
               f"(α = {s.z_alpha:g}, scale {s.z_scale:g}); expected sharpness with δ = {s.delta:g} "
               f"({s.sharpness_samples} antithetic pairs) on the training loss; α̂: block-sum "
               f"estimator (Mohammadi et al.), fitted over block sizes with a finite-block term, on the "
               f"coordinates of g_SB − g_GD that vary, at the end ({s.noise_batches} batches); it is "
               "capped at 2, and α̂ = 2 means no heavy tail found (a finite variance). "
               "The slides' row is Corrupted FMNIST with LeNet: another, larger task (28x28 images).")
    if finished["records"]:
        ui.plot(_curves(finished["records"]), key="networks_curves")
    ui.plot(_scatter(runs), key="networks_scatter")
    methods = list(dict.fromkeys(r["method"] for r in runs if r["seed"] == 0
                                 and math.isfinite(r["train_loss"])))
    if methods:
        c1, c2, c3 = st.columns([1, 1, 1])
        with c1:
            st.selectbox("Slice of (seed 0)", methods, key=session.NETWORKS_SLICE_METHOD_WIDGET)
        with c2:
            st.button("Open this slice as a landscape", key="networks_open", on_click=_open_slice,
                      args=(finished,), icon=":material/landscape:",
                      help="The training loss along a filter-normalised random direction "
                           "(Li et al. 2018), t in [-1, 1], minus its lowest value, as a sketch; "
                           "α = the measured tail index.")
        with c3:
            st.button("Open this plane as a landscape", key="networks_open_plane",
                      on_click=_open_plane, args=(finished,), icon=":material/grid_on:",
                      help=f"The training loss on the plane of two filter-normalised random "
                           f"directions, sampled on a {PLANE_GRID} x {PLANE_GRID} grid of "
                           f"[-1, 1]², minus its lowest value, fitted by a polynomial f(x, y) of "
                           f"total degree {PLANE_DEGREE} (least squares); R = 1, α = the "
                           "measured tail index.")
        problem = session.pop(session.NETWORKS_PLANE_ERROR)
        if problem:
            st.error(problem, icon=":material/error:")
        last = session.get(session.NETWORKS_PLANE_FIT)
        if last:
            st.caption(f"Last plane opened ({last['method']}, seed 0): {last['fit']}.")


def main() -> None:
    if session.pop(session.NETWORKS_OPEN_LANDSCAPE, False):
        navigation.switch_to("landscape")
    p = ui.params()
    st.title("Networks: tail inflation on a real network")
    st.caption("THEORY 8: X ← X − φ_b(η g_heavy), g_heavy = g_SB + Z (g_SB* − g_GD). Six methods "
               "trained on the CPU (JAX), measured by test accuracy, expected sharpness, the "
               "Hessian's largest eigenvalue and the tail index of their own gradient noise.")
    _controls(p)
    methods = _methods(p)
    try:
        settings = _settings(p)
        if not methods:
            raise NetworksError("choose at least one method")
    except NetworksError as err:
        st.error(f"Cannot train: {err}", icon=":material/error:")
        ui.end_page()
    key = json.dumps({"settings": settings.to_json(), "methods": methods, "seeds": int(p["nseeds"])},
                     sort_keys=True)
    store = _finished()
    c1, c2, _ = st.columns([1, 1, 4])
    start = c1.button("Train", key="networks_train", type="primary", icon=":material/play_arrow:")
    c2.button("Stop", key="networks_stop", icon=":material/stop:")
    if start:
        try:
            store[key] = _train(settings, methods, int(p["nseeds"]), key)
        except NetworksError as err:
            st.error(f"Cannot train: {err}", icon=":material/error:")
            ui.end_page()
        session.pop(session.NETWORKS_PARTIAL)
        st.rerun()  # draw the finished table alone (the live curves were above it)
    if key in store:
        _results(store[key], complete=True)
    elif (session.get(session.NETWORKS_PARTIAL) or {}).get("key") == key:
        partial = session.get(session.NETWORKS_PARTIAL)
        _results({"settings": settings, **partial}, complete=False)
    else:
        st.info(f"Press Train: {len(methods)} method(s) × {int(p['nseeds'])} seed(s) × "
                f"{settings.steps} steps (about {len(methods) * int(p['nseeds']) * 4} s "
                "after a compile of about 15 s, once for all methods). A run that ends with a "
                "training loss above its initial one, or no more accurate than always answering "
                "the most frequent label, is counted as diverged; its sharpness is not measured.")


main()

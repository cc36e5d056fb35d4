"""The 2-D figure builders (dashboard/figures_plane.py) on Himmelblau's function with a small
stand-in analysis (the fields of the contract's PlaneAnalysis, built here by hand)."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

import landscape
from dashboard import figures_plane as FP
from dashboard import figures_plane_runs as FPR
from landscape.theory import CommunicatingClass

# Himmelblau's four minima (the test values), numbered by x then y as the analysis does
MINIMA = np.array([(-3.779310, -3.283186), (-2.805118, 3.131312), (3.0, 2.0), (3.584428, -1.848126)])
R = 5.0


def himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def segment_set(p, q):
    return SimpleNamespace(points=np.array([p, q], dtype=float), value=0.0, is_segment=True)


def point_set(p):
    return SimpleNamespace(points=np.array([p], dtype=float), value=0.0, is_segment=False)


def fake_analysis(b=2.0, segment=False, n=61):
    """Fields: nearest minimum inside the ball (a Voronoi stand-in for the gradient-flow
    fields); m3 wide and large, the others small; one class absorbing."""
    sets = [point_set(p) for p in MINIMA]
    if segment:
        sets[2] = segment_set((2.6, 2.0), (3.4, 2.0))
    fields = tuple(SimpleNamespace(minimiser=s, width=w, l_star=math.ceil(w / b), area_share=0.25)
                   for s, w in zip(sets, (1.5, 1.8, 3.5, 1.2)))  # fmt: skip
    xs = np.linspace(-R, R, n)
    gx, gy = np.meshgrid(xs, xs)
    d = np.stack([np.hypot(gx - mx, gy - my) for mx, my in MINIMA])
    labels = np.argmin(d, axis=0).astype(np.int16)
    labels[gx**2 + gy**2 > R * R] = -1
    structure = SimpleNamespace(
        classes=(CommunicatingClass(members=(0, 1, 2, 3), absorbing=True, large=(2,)),),
        edges=((0, 2), (1, 2), (3, 2), (2, 0)), irreducible=True, l_star=tuple(f.l_star for f in fields),
    )  # fmt: skip
    return SimpleNamespace(
        R=R, b=b, alpha=1.2, fields=fields, saddles=np.array([(0.0867, 2.8843), (-3.0730, -0.0814)]),
        maxima=np.array([(-0.2708, -0.9230)]), structure=structure, extent=(-R, R, -R, R),
        label_grid=labels, near_grid=np.full_like(labels, -1), warnings=(),
    )  # fmt: skip


def traces(fig, **match):
    data = fig["data"] if isinstance(fig, dict) else [t.to_plotly_json() for t in fig.data]
    return [t for t in data if all(t.get(k) == v for k, v in match.items())]


def test_f_grid_is_f_inside_the_ball_and_blank_outside():
    xs, ys, z = FP.f_grid(himmelblau, R, n=41)
    gx, gy = np.meshgrid(xs, ys)
    inside = gx**2 + gy**2 <= R * R
    assert np.allclose(z[inside], himmelblau(gx, gy)[inside])
    assert np.isnan(z[~inside]).all()
    assert z[20, 30] == pytest.approx(himmelblau(xs[30], ys[20]))  # rows are y


@pytest.mark.parametrize("points", [[(1.0, -2.0)], [(-1.0, 0.5), (2.0, 1.5)]])
def test_ring_is_at_the_given_distance_from_the_minimiser_set(points):
    x, y = FP.ring(points, 0.7, n=200)
    pts = np.asarray(points, dtype=float)
    if len(pts) == 1:
        dist = np.hypot(x - pts[0, 0], y - pts[0, 1])
    else:
        p, q = pts
        d = q - p
        t = np.clip(((x - p[0]) * d[0] + (y - p[1]) * d[1]) / (d @ d), 0, 1)
        dist = np.hypot(x - (p[0] + t * d[0]), y - (p[1] + t * d[1]))
    assert np.allclose(dist, 0.7, atol=1e-9)
    assert (x[0], y[0]) == pytest.approx((x[-1], y[-1]))  # closed


def test_landscape_figure_marks_minima_saddles_rings_and_start():
    a = fake_analysis(b=2.0, segment=True)
    fig = FP.plane_landscape_figure(FP.f_grid(himmelblau, R, n=51), a, R=R, start=(2.9, 1.0))
    assert isinstance(fig, go.Figure)
    # shape: geometry by r (m2, m3 wide); colour: the verdict at this b (only m3 survives)
    wide = traces(fig, name="wide, survives")
    wide_gone = traces(fig, name="wide, eliminated")
    sharp = traces(fig, name="sharp, eliminated")
    assert list(wide[0]["text"]) == ["m3"] and list(wide_gone[0]["text"]) == ["m2"]
    assert list(sharp[0]["text"]) == ["m1", "m4"]
    assert wide_gone[0]["marker"]["symbol"] == "circle" and sharp[0]["marker"]["symbol"] == "triangle-down"
    assert wide_gone[0]["marker"]["color"] == "rgba(0,0,0,0)"  # hollow: eliminated
    assert not traces(fig, name="sharp, survives")
    assert tuple(wide[0]["x"]) == pytest.approx((3.0,))  # the segment's middle
    assert len(traces(fig, name="saddle")[0]["x"]) == 2
    assert len(traces(fig, name="maximum")[0]["x"]) == 1
    rings = [t for t in traces(fig, type="scatter", mode="lines") if "distance" in t.get("hovertemplate", "")]
    # radius b around each of the 4 minimiser sets, and l*·b where l* > 1 (m3: l* = 2)
    assert len(rings) == 4 + 1
    assert sum("l*·b" in t["hovertemplate"] for t in rings) == 1
    seg = [t for t in traces(fig, mode="lines") if "segment" in t.get("hovertemplate", "")]
    assert len(seg) == 1 and tuple(seg[0]["x"]) == pytest.approx((2.6, 3.4))
    start = traces(fig, name="start")[0]
    assert (start["x"][0], start["y"][0]) == (2.9, 1.0)
    assert fig.layout.yaxis.scaleanchor == "x"  # circles look round


def test_a_wall_point_is_drawn_apart_not_as_a_minimum():
    a = fake_analysis(b=2.0)
    a.fields[3].minimiser.at_wall = True
    fig = FP.plane_landscape_figure(FP.f_grid(himmelblau, R, n=31), a, R=R)
    wall = traces(fig, name="wall point (not a minimum of f)")
    assert list(wall[0]["text"]) == ["m4"] and wall[0]["marker"]["symbol"] == "diamond"
    named = [t for t in traces(fig, type="scatter") if "m4" in list(t.get("text") or [])]
    assert named == wall


def test_rings_follow_b_and_vanish_without_clipping():
    a = fake_analysis(b=2.0)
    grid = FP.f_grid(himmelblau, R, n=31)
    no_clip = FP.plane_landscape_figure(grid, a, R=R, b=math.inf)
    assert not [t for t in traces(no_clip, mode="lines") if "distance" in t.get("hovertemplate", "")]
    small_b = FP.plane_landscape_figure(grid, a, R=R, b=0.5)
    hover = [t["hovertemplate"] for t in traces(small_b, mode="lines") if "distance" in t.get("hovertemplate", "")]
    assert any("= 0.5 from m1" in h for h in hover)


def test_field_shading_shows_each_field_and_nothing_outside_the_ball():
    a = fake_analysis()
    fig = FP.plane_landscape_figure(FP.f_grid(himmelblau, R, n=31), a, R=R)
    shade = traces(fig, type="heatmap")[0]
    z = np.asarray(shade["z"], dtype=float)
    assert set(np.unique(z[np.isfinite(z)])) == {0.0, 1.0, 2.0, 3.0}
    assert np.isnan(z[0, 0])  # a corner of the square lies outside the ball
    # every field colour is semi-transparent, so the contour lines show through
    assert all(c.startswith("rgba(") and c.endswith(f",{FP.FIELD_ALPHA})") for _, c in shade["colorscale"])


def test_pickable_grid_lies_inside_the_ball():
    fig = FP.plane_landscape_figure(FP.f_grid(himmelblau, R, n=31), fake_analysis(), R=R, pickable=True)
    pick = traces(fig, name="pick")[0]
    x, y = np.asarray(pick["x"]), np.asarray(pick["y"])
    assert len(x) > 1000 and (x**2 + y**2 <= R * R + 1e-9).all()


def test_paths_figure_bounds_the_payload_and_marks_the_current_points():
    rng = np.random.default_rng(0)
    trace = rng.uniform(-3, 3, size=(10, 5000, 2))
    fig = FPR.plane_paths_figure(trace, FP.f_grid(himmelblau, R, n=41), fake_analysis(), R=R,
                                max_paths=4, max_points=300, as_dict=True)  # fmt: skip
    lines = [t for t in fig["data"] if t["type"] == "scatter" and t["mode"] == "lines" and t.get("opacity")]
    assert len(lines) == 4 and all(len(t["x"]) == 300 for t in lines)
    nows = [t for t in fig["data"] if "now" in str(t.get("hovertemplate", ""))]
    assert [(t["x"][0], t["y"][0]) for t in nows] == [tuple(trace[p, -1]) for p in range(4)]
    assert fig["layout"]["uirevision"]  # zoom survives refreshes


def test_occupancy_figure_puts_counts_at_their_x_and_y():
    h = np.zeros((20, 20))
    h[4, 15] = 7  # [row = y bin, col = x bin]: y bin 4 (y < 0), x bin 15 (x > 0)
    fig = FPR.plane_occupancy_figure(h, (-R, R, -R, R), None, R=R, as_dict=True)
    hm = fig["data"][0]
    z = np.asarray(hm["z"], dtype=float)
    row, col = np.argwhere(np.isfinite(z))[0]
    assert hm["x"][col] > 0 and hm["y"][row] < 0
    assert np.asarray(hm["customdata"])[row, col] == 7
    assert "7 steps" in fig["layout"]["title"]["text"]


def test_field_index_figure_rows():
    tf = np.array([[0, 0, 3, -1, 1], [2, 2, 2, 4, 2]])
    fig = FPR.field_index_figure(np.arange(5) * 100, tf, 4, as_dict=True)
    ys = [list(t["y"]) for t in fig["data"]]
    assert ys == [[1, 1, 4, 0, 2], [3, 3, 3, 0, 3]]  # not in any field (-1 or m): row "out"
    assert fig["layout"]["yaxis"]["ticktext"] == ["out", "Ω1", "Ω2", "Ω3", "Ω4"]
    assert list(fig["data"][0]["x"]) == [0, 100, 200, 300, 400]


def test_field_time_figure_colours_wide_and_sharp_and_counts_out():
    a = fake_analysis()
    fig = FPR.field_time_figure([0.1, 0.2, 0.6, 0.05, 0.05], a, near_fraction=[0.05, 0.1, 0.5, 0.0, 0.35])
    bars = traces(fig, type="bar")
    assert list(bars[0]["x"]) == ["Ω1", "Ω2", "Ω3", "Ω4", "out"]
    colours = list(bars[0]["marker"]["color"])
    assert colours[2] == FP.WIDE and colours[0] == FP.SHARP and colours[4] == FP.MAXC
    assert list(bars[1]["text"])[-1] == "35.0%"


def test_graph_figure_puts_nodes_at_the_minimisers():
    a = fake_analysis(segment=True)
    fig = FP.plane_graph_figure(FP.f_grid(himmelblau, R, n=31), a, R=R,
                                edge_probabilities={(0, 2): 0.25})  # fmt: skip
    nodes = next(t for t in traces(fig, mode="markers") if str(t.get("name", "")).startswith("class G1"))
    got = sorted(zip(nodes["x"], nodes["y"]))
    want = sorted([tuple(MINIMA[0]), tuple(MINIMA[1]), (3.0, 2.0), tuple(MINIMA[3])])
    assert np.allclose(got, want)
    assert "4 edges" in fig.layout.title.text
    # the edge label: a boxed annotation beside the arc (dashboard.figures_graph.add_graph, issue 21.1)
    assert [a.text for a in fig.layout.annotations if not a.showarrow and a.text.endswith("%")] == ["25%"]
    assert len([a for a in fig.layout.annotations if a.showarrow]) == 4  # one arrowhead per edge


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("colour", [*FP.FIELD_COLOURS, FP.SADDLE, FP.WIDE, FP.SHARP, FP.MAXC,
                                    *(c for _, c in FP.CONTOUR_SCALE)])  # fmt: skip
def test_line_colours_read_on_light_and_dark_backgrounds(colour):
    """Contrast >= 2:1 against white and against Streamlit's dark background (#0e1117)."""
    lum = _luminance(colour)
    assert (1.05) / (lum + 0.05) >= 2.0, "too light for the light theme"
    assert (lum + 0.05) / (_luminance("#0e1117") + 0.05) >= 2.0, "too dark for the dark theme"


def test_occupancy_figure_sums_blocks_beyond_max_bins():
    rng = np.random.default_rng(1)
    h = rng.integers(0, 5, size=(200, 200))
    fig = FPR.plane_occupancy_figure(h, (-R, R, -R, R), None, R=R, max_bins=100, as_dict=True)
    counts = np.asarray(fig["data"][0]["customdata"])
    assert counts.shape == (100, 100) and counts.sum() == h.sum()
    assert counts[3, 7] == h[6:8, 14:16].sum()
    assert fig["data"][0]["x"][0] == pytest.approx(-R + R / 100)  # centres of the coarse cells


def test_a_lone_field_is_said_in_words_on_both_charts_never_r_inf():
    """One field, nothing to escape to: the labels and hovers say so in words in 1-D and
    2-D (not "r=inf, l*=0"); a field with an edge still shows its r and l*."""
    from dashboard import figures

    bowl_1d = landscape.load_landscape("x^2")
    a1 = landscape.analyze(bowl_1d, 1.0, 0.5)
    xs, ys = figures.curve(bowl_1d.f, 1.0)
    text_1d = json.dumps(figures.landscape_figure(xs, ys, a1, bowl_1d.f, L=1.0).to_dict(), default=str)
    bowl_2d = landscape.load_landscape("x^2 + y^2")
    a2 = landscape.analyze_plane(bowl_2d, 1.0, 0.5)
    text_2d = json.dumps(FP.plane_landscape_figure(FP.f_grid(bowl_2d.f, 1.0, n=31), a2, R=1.0).to_dict(),
                         default=str)
    for text in (text_1d, text_2d):
        assert "nothing to escape to" in text
        assert "r=inf" not in text and "l*=0" not in text
    two = landscape.analyze(landscape.load_landscape("(x^2-1)^2 + 0.3*x"), 1.6, 0.5)
    assert figures.escape_text(two.fields[0].width, two.fields[0].l_star).startswith("r=")

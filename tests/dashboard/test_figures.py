"""dashboard.figures (1-D): the landscape, graph, sweep and live figures."""

from __future__ import annotations

import numpy as np
import pytest

import landscape
from dashboard import figures, figures_graph, figures_runs

# ------------------------------------------------------------------ figures


@pytest.fixture(scope="module")
def fig2():
    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    xs, ys = figures.curve(land.f, 1.6)
    return land, an, xs, ys


def test_landscape_figure_marks_minima_and_fields(fig2):
    land, an, xs, ys = fig2
    fig = figures.landscape_figure(xs, ys, an, land.f, L=1.6)
    names = [t.name for t in fig.data]
    # b = 0.5: m2, m4 wide and surviving, m1, m3 sharp and eliminated (shape and verdict apart)
    assert names[1:3] == ["wide, survives", "sharp, eliminated"]
    assert fig.layout.legend.title.text == "minima (shape by r) at b = 0.5:"
    texts = [t for tr in fig.data if tr.text is not None for t in tr.text]
    assert {"m1", "m2", "m3", "m4", "s1", "s2", "s3"} <= set(texts)
    labels = [a.text for a in fig.layout.annotations]
    assert any("l*=2" in t for t in labels) and len(fig.layout.shapes) == 4


def test_landscape_y_range_keeps_wells_visible():
    land = landscape.load_landscape("paper-fig2-standin")  # its wall at +L dwarfs the wells
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    _xs, ys = figures.curve(land.f, 1.6)
    lo, hi = figures.f_view_range(ys, an, land.f)
    assert hi < np.nanmax(ys)  # the wall at +L is cut off
    assert lo < min(figures.critical_values(an, land.f))


def test_graph_figure_has_one_arrow_per_edge(fig2):
    land, an, xs, ys = fig2
    fig = figures_graph.graph_figure(xs, ys, an, land.f, L=1.6)
    assert len(fig.layout.annotations) == len(an.edges)
    assert "irreducible" in fig.layout.title.text


def test_sweep_figure_and_labels(fig2):
    land, _an, _xs, _ys = fig2
    ivs = landscape.sweep(land, 1.6, 0.1, 3.3)
    fig = figures_graph.sweep_figure(ivs, 4, 0.5)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (4, len(ivs))
    iv = next(i for i in ivs if i.b_low < 0.5 < i.b_high)
    assert "survive: m2, m4" in figures_graph.interval_label(iv)


def test_live_figures_are_bounded():
    steps = np.arange(2000) * 250
    X = np.random.default_rng(0).normal(size=(2000, 50))
    xs = np.linspace(-1, 1, 11)
    fig = figures_runs.trajectory_figure(steps, X, xs, xs**2, [0.0], L=1.0)
    assert len(fig.data) == 1 + 8
    assert all(len(t.x) <= 400 for t in fig.data[1:])
    h = figures_runs.histogram_figure(np.linspace(-1, 1, 5), np.array([1, 2, 3, 4]), xs, xs**2, [0.0])
    assert "10 steps" in h.layout.title.text


def test_formula_caret():
    assert figures.formula_caret("x^2 + * 3", 6) == "x^2 + * 3\n      ^"
    assert figures.formula_caret("abc", None) == "abc"

"""Clipping-threshold sweep: exact breakpoints d/k and structure per interval."""

import itertools
import math

import pytest

from landscape import AnalysisError, analyze, breakpoints, load_landscape, sweep


@pytest.fixture(scope="module")
def fig3():
    return load_landscape("paper-fig3")


def test_fig3_breakpoints_are_d_over_k(fig3):
    analysis = analyze(fig3, 1.6, 0.5)
    values = breakpoints(analysis, 0.35, 1.0)
    # distances r = 0.3, 0.6 and l_{i,j}: 0.3, 0.6, 0.9, 1.8; d/k inside (0.35, 1.0)
    expected = [1.8 / 5, 0.9 / 2, 0.6, 0.9]
    assert values == pytest.approx(expected, abs=1e-12)
    assert breakpoints((analysis.minima, analysis.maxima), 0.35, 1.0) == values


def test_fig3_sweep_contains_paper_cases(fig3):
    intervals = sweep(fig3, 1.6, 0.2, 1.0)
    assert intervals[0].b_low == 0.2 and intervals[-1].b_high == 1.0
    for left, right in itertools.pairwise(intervals):
        assert left.b_high == right.b_low
        assert (left.l_star, left.edges, left.classes) != \
            (right.l_star, right.edges, right.classes)
    at_04 = next(i for i in intervals if i.b_low < 0.4 < i.b_high)
    at_05 = next(i for i in intervals if i.b_low < 0.5 < i.b_high)
    assert not at_04.irreducible and at_04.surviving == (1,)
    assert at_05.irreducible and at_05.l_star == (1, 2, 1)
    assert at_04.b_high == pytest.approx(0.45)      # 0.9 / 2: l_{2,3} drops to 2


def test_sweep_intervals_equal_analyze_at_midpoints(fig3):
    for interval in sweep(fig3, 1.6, 0.05, 2.5):
        result = analyze(fig3, 1.6, interval.b_mid)
        assert tuple(f.l_star for f in result.fields) == interval.l_star
        assert result.edges == interval.edges
        assert result.classes == interval.classes
        assert result.irreducible == interval.irreducible
        absorbing_large = tuple(i for c in result.classes if c.absorbing for i in c.large)
        assert interval.surviving == absorbing_large


def test_sweep_to_infinity(fig3):
    intervals = sweep(fig3, 1.6, 0.5, math.inf)
    last = intervals[-1]
    assert math.isinf(last.b_high) and last.l_star == (1, 1, 1)
    assert last.to_json()["b_high"] == "inf"
    assert analyze(fig3, 1.6, math.inf).edges == last.edges


def test_fig2_sweep_has_no_structure_changes_where_none_exist():
    intervals = sweep(load_landscape("paper-fig2"), 1.6, 0.45, 0.6)
    assert all(interval.irreducible for interval in intervals)


@pytest.mark.parametrize(("b_min", "b_max"), [(0.5, 0.4), (0.5, 0.5), (0, 1), (-1, 1),
                                              (math.inf, math.inf), (math.nan, 1)])
def test_bad_ranges(fig3, b_min, b_max):
    with pytest.raises(AnalysisError):
        sweep(fig3, 1.6, b_min, b_max)


def test_tiny_b_min_is_refused_with_advice(fig3):
    with pytest.raises(AnalysisError, match="too small"):
        sweep(fig3, 1.6, 1e-5, 1.0)


def test_absurd_b_min_gets_a_short_message(fig3):
    """F11: the breakpoint count for b_min = 1e-300 is a 300-digit integer; say it briefly."""
    with pytest.raises(AnalysisError, match=r"about \d\.\d+e\+\d+ breakpoints") as info:
        sweep(fig3, 1.6, 1e-300, 1.0)
    assert len(str(info.value)) < 160, str(info.value)


def test_b_tuner_on_the_stand_in():
    """Issue 10: the ranges of b that eliminate m1, m3 and keep m2, m4 on the Fig. 2 stand-in,
    the recommendation inside the widest, and b = 0.35 losing m4."""
    from landscape.sweep import b_ranges_keeping, lost_minima, recommended_b, wide_minima

    land = load_landscape("paper-fig2-standin")
    intervals = sweep(land, 1.6, 0.05, 3.3)
    an = analyze(land, 1.6, 0.5)
    keep = wide_minima([fl.width for fl in an.fields])
    assert keep == (1, 3)
    ranges = b_ranges_keeping(intervals, keep)
    assert ranges and all(lo < hi for lo, hi in ranges)
    assert any(lo < 0.5 < hi for lo, hi in ranges)  # the paper's b = 0.5
    best = recommended_b(ranges)
    assert any(lo < best < hi for lo, hi in ranges)
    at_035 = next(iv for iv in intervals if iv.b_low < 0.35 < iv.b_high)
    assert lost_minima(at_035, keep) == (3,)  # m4 is lost at b = 0.35

"""dashboard.exitrun: an exit-time study, stored and exported."""

from __future__ import annotations

import pytest

import landscape


def test_exit_study_result_is_stored_and_exported():
    from dashboard import exitrun

    land = landscape.load_landscape("paper-fig2")
    an = landscape.analyze(land, 1.6, 0.5, 1.2)
    cfg = exitrun.ExitConfig(source="paper-fig2", L=1.6, etas=(0.1, 0.05), noise="pareto",
                             alpha=1.2, scale=0.1, b=0.5, x0=-0.66, field=1, samples=3, seed=1)
    seen = []
    res = exitrun.run_study(cfg, land, an.maxima, lambda f, m: seen.append(f),
                            predicted_slope=1.4)
    assert seen and seen[-1] == pytest.approx(1.0)
    assert res.study.predicted_slope == pytest.approx(1.4)
    assert res.caps == [exitrun.DEFAULT_CAP] * 2  # no prediction given: the default cap
    assert exitrun.lookup(cfg) is res
    assert res.csv().count("\n") == 1 + 2 * 3
    assert set(res.destinations) <= {0, 2}  # edges of m2 go to m1 and m3

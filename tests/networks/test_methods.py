"""The six methods: how they reduce to each other, the clip, Z's law, seeds, the data."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from landscape.tails import tail_probability
from networks.compare import run_compare, table_rows
from networks.config import METHODS, TrainSettings
from networks.data import corrupt_labels, load_digits_corrupted
from networks.errors import NetworksError
from networks.methods import clip_step, draw_z
from networks.train import train


def test_z_zero_gives_sb(tiny, tiny_data):
    """With Z = 0 and no clip (b = inf) Our1 and Our2 take exactly SB's steps (the same batches)."""
    flat = tiny.with_changes(z_family="none", b=math.inf)
    sb = train(flat, tiny_data, "SB", 3, record_tail=False).theta
    for method in ("Our1", "Our2", "SB+Noise"):
        np.testing.assert_array_equal(train(flat, tiny_data, method, 3, record_tail=False).theta, sb)


def test_b_infinite_gives_the_unclipped_method(tiny, tiny_data):
    open_clip = tiny.with_changes(b=math.inf)
    np.testing.assert_array_equal(train(open_clip, tiny_data, "SB+Clip", 1, record_tail=False).theta,
                                  train(open_clip, tiny_data, "SB", 1, record_tail=False).theta)
    np.testing.assert_array_equal(train(open_clip, tiny_data, "Our1", 1, record_tail=False).theta,
                                  train(open_clip, tiny_data, "SB+Noise", 1, record_tail=False).theta)


def test_a_finite_b_changes_the_clipped_method(tiny, tiny_data):
    tight = tiny.with_changes(b=1e-3)
    assert not np.array_equal(train(tight, tiny_data, "SB+Clip", 1, record_tail=False).theta,
                              train(tight, tiny_data, "SB", 1, record_tail=False).theta)


def test_clip_is_the_global_norm_clip():
    step = jnp.asarray([3.0, 4.0])
    np.testing.assert_allclose(clip_step(step, 1.0), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(clip_step(step, 10.0), [3.0, 4.0])


def test_the_same_seed_gives_the_same_numbers(tiny, tiny_data):
    first = train(tiny, tiny_data, "Our2", 5)
    again = train(tiny, tiny_data, "Our2", 5)
    other = train(tiny, tiny_data, "Our2", 6, record_tail=False)
    np.testing.assert_array_equal(first.theta, again.theta)
    assert [r["tail_index"] for r in first.records] == [r["tail_index"] for r in again.records]
    assert not np.array_equal(first.theta, other.theta)


@pytest.mark.parametrize("family", ["pareto", "pareto1", "student-t"])
def test_z_has_the_law_of_landscape_tails(family):
    settings = TrainSettings(z_family=family, z_alpha=1.5, z_scale=0.5)
    z = draw_z(settings, 40_000, seed=0)
    for x in (0.2, 1.0, 5.0):
        expected = tail_probability(family, 1.5, 0.5, x)
        assert np.mean(np.abs(z) > x) == pytest.approx(expected, abs=0.01)
    assert abs(np.mean(z > 0) - 0.5) < 0.01


def test_progress_can_stop_training(tiny, tiny_data):
    seen = []
    result = train(tiny, tiny_data, "SB", 0, progress=lambda r: seen.append(r) or False)
    assert result.stopped and result.steps_done == 10 and len(seen) == 1
    assert set(seen[0]) >= {"step", "train_loss", "test_accuracy", "tail_index"}


def test_compare_table_has_a_row_per_method(tiny):
    out = run_compare(tiny, ["SB", "Our1"], [0, 1])
    assert [row["method"] for row in out["rows"]] == ["SB", "Our1"]
    for row in out["rows"]:
        assert row["seeds"] == [0, 1]
        assert 0.0 <= row["test_accuracy"]["mean"] <= 1.0 and row["test_accuracy"]["n"] == 2
        assert row["max_eigenvalue"]["mean"] > 0 and math.isfinite(row["expected_sharpness"]["mean"])


def test_table_rows_mean_and_sd():
    runs = [{"method": "SB", "seed": s, "seconds": 1.0, "test_accuracy": a, "train_loss": 1.0}
            for s, a in enumerate((0.5, 0.7))]
    row = table_rows(runs)[0]
    assert row["test_accuracy"]["mean"] == pytest.approx(0.6)
    assert row["test_accuracy"]["sd"] == pytest.approx(math.sqrt(0.02))
    assert row["seconds"] == 2.0


def test_digits_corrupted_split():
    data = load_digits_corrupted()
    assert data.x_train.shape == (1000, 8, 8, 1) and data.x_test.shape == (797, 8, 8, 1)
    assert 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0
    # 200 labels replaced at random; about 1 in 10 draws the old label again
    assert 0.15 < data.corrupted.mean() < 0.2


def test_corrupt_labels_share():
    labels = np.zeros(1000, np.int32)
    out = corrupt_labels(labels, 0.5, np.random.default_rng(0))
    assert 0.4 < np.mean(out != 0) < 0.5
    with pytest.raises(NetworksError, match="share"):
        corrupt_labels(labels, 1.5, np.random.default_rng(0))


@pytest.mark.parametrize("changes, message", [
    ({"model": "resnet"}, "model"), ({"steps": 0}, "steps"), ({"b": -1.0}, "b must"),
    ({"z_family": "cauchy"}, "z_family"), ({"eta": float("nan")}, "eta"), ({"nope": 1}, "unknown"),
])
def test_bad_settings_name_the_field(changes, message):
    with pytest.raises(NetworksError, match=message):
        TrainSettings().with_changes(**changes)


def test_methods_are_the_slides_six():
    assert METHODS == ("LB", "SB", "SB+Clip", "SB+Noise", "Our1", "Our2")

"""The six methods: how they reduce to each other, the clip, Z's law, seeds, the data."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from landscape.tails import tail_probability
from networks.compare import run_compare, table_rows
from networks.config import METHODS, TrainSettings
from networks.data import corrupt_labels, load_digits_corrupted
from networks.errors import NetworksError
from networks.methods import clip_step, draw_z, gradient_coefficients, make_step, step_rule
from networks.train import constant_accuracy, has_diverged, measure, model_for, train


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


def test_the_step_is_the_combination_of_three_batch_gradients(tiny, tiny_data):
    """One gradient of the weighted loss = c_SB g_SB + c_SB* g_SB* + c_LB g_LB on the step's batches."""
    model = model_for(tiny, tiny_data)
    x, y = jnp.asarray(tiny_data.x_train), jnp.asarray(tiny_data.y_train)
    theta, key = model.init(jax.random.PRNGKey(0)), jax.random.PRNGKey(1)
    coefficients = np.asarray([0.7, -2.5, 3.0], np.float32)
    step = make_step(model, tiny.small_batch, tiny.large_batch)
    moved, _ = step(theta, key, coefficients, np.float32(1.0), np.float32(np.inf), x, y)
    _, *keys = jax.random.split(key, 4)
    sizes = (tiny.small_batch, tiny.small_batch, tiny.large_batch)
    expected = sum(c * jax.grad(model.loss)(theta, x[i], y[i]) for c, i in zip(
        coefficients, (jax.random.randint(k, (n,), 0, x.shape[0]) for k, n in zip(keys, sizes))))
    np.testing.assert_allclose(theta - moved, expected, rtol=1e-4, atol=1e-6)


def test_gradient_coefficients_of_the_six_methods(tiny):
    z = np.asarray([0.0, 2.0], np.float32)
    rows = {m: gradient_coefficients(step_rule(m, tiny), z) for m in METHODS}
    np.testing.assert_array_equal(rows["LB"], [[0, 0, 1], [0, 0, 1]])
    for method in ("SB", "SB+Clip"):
        np.testing.assert_array_equal(rows[method], [[1, 0, 0], [1, 0, 0]])
    for method in ("SB+Noise", "Our1"):        # g_SB + Z (g_SB - g_LB)
        np.testing.assert_array_equal(rows[method], [[1, 0, 0], [3, 0, -2]])
    np.testing.assert_array_equal(rows["Our2"], [[1, 0, 0], [1, 2, -2]])
    assert [step_rule(m, tiny).b for m in METHODS] == [math.inf, math.inf, tiny.b, math.inf,
                                                         tiny.b, tiny.b]


def test_a_run_that_ends_worse_than_it_started_or_learned_nothing_diverged(tiny_data):
    assert has_diverged(2.3, 14.8, 0.5, 0.12) and has_diverged(2.3, math.nan, 0.5, 0.12)
    assert has_diverged(2.3, 2.29, 0.11, 0.12)          # collapsed: a constant answer
    assert has_diverged(2.6, 2.33, float(np.float32(0.112)), 0.112)   # as float32 reads it
    assert not has_diverged(2.3, 1.1, 0.7, 0.12)
    counts = np.bincount(tiny_data.y_train)
    assert constant_accuracy(tiny_data) == pytest.approx(counts.max() / counts.sum())


def test_diverged_runs_are_counted_and_not_averaged_into_sharpness():
    runs = [{"method": "SB+Noise", "seed": 0, "seconds": 1.0, "test_accuracy": 0.1, "train_loss": 14.8,
             "diverged": True, "expected_sharpness": math.nan},
            {"method": "SB+Noise", "seed": 1, "seconds": 1.0, "test_accuracy": 0.6, "train_loss": 1.2,
             "diverged": False, "expected_sharpness": 0.04}]
    row = table_rows(runs)[0]
    assert row["diverged"] == 1 and row["test_accuracy"]["n"] == 2
    assert row["expected_sharpness"] == {"mean": 0.04, "sd": 0.0, "n": 1}
    row = table_rows(runs[:1])[0]
    assert row["expected_sharpness"] == {"mean": None, "sd": None, "n": 0}


def test_an_unclipped_huge_z_diverges_and_is_reported_so(tiny, tiny_data):
    """SB + Noise with |Z| >= 10 (Pareto I, alpha 0.3: |Z| of 10^4 and more) ends worse than
    it started."""
    wild = tiny.with_changes(z_family="pareto1", z_alpha=0.3, z_scale=10.0)
    result = train(wild, tiny_data, "SB+Noise", 0, record_tail=False)
    out = measure(wild, tiny_data, result)
    assert out["diverged"] and math.isnan(out["expected_sharpness"])

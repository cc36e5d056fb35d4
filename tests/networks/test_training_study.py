"""Study kind "training": a tiny grid in process and on a 1-worker Dask cluster, Parquet, resume."""

import json
import math

import pandas as pd
import pytest

from simulate.errors import SimulationError
from simulate.study import run_study
from simulate.study_spec import load_spec
from tests.support.study_specs import interrupt_after

pytestmark = pytest.mark.timeout(300)

SPEC = """
kind = "training"
model = "mlp"
n_train = 200
steps = 20
small_batch = 8
large_batch = 32
record_every = 10
noise_batches = 8
sharpness_samples = 4
eigen_iterations = 5
[grid]
method = ["SB", "Our1"]
seed = [0, 1]
b = [0.2, "inf"]
"""


def test_tiny_grid_runs_writes_parquet_and_resumes(tmp_path):
    spec = load_spec(SPEC)
    assert len(spec.cells) == 8 and spec.kind == "training"
    stop_after_three = interrupt_after(3)
    run = run_study(spec, tmp_path, workers=0, progress=stop_after_three)
    assert run.interrupted and run.chunks == 3
    kept = sorted(tmp_path.glob("chunks/*/*.parquet"))
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    run = run_study(spec, tmp_path, workers=0)
    assert run.chunks == 5 and run.chunks_skipped == 3 and run.done == 8
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items())
    table = pd.read_parquet(tmp_path / "training.parquet")
    assert len(table) == 8 and set(table["method"]) == {"SB", "Our1"}
    assert {"test_accuracy", "expected_sharpness", "max_eigenvalue", "tail_index"} <= set(table)
    assert sorted(set(table["b"])) == [0.2, math.inf]
    assert (table["error"] == "").all()
    # b = inf: Our1 without clip differs from SB (Z != 0); SB is the same whatever b
    sb = table[table["method"] == "SB"].sort_values(["seed", "b"])
    assert sb.groupby("seed")["test_accuracy"].nunique().eq(1).all()
    assert json.loads((tmp_path / "study.json").read_text())["status"] == "complete"


@pytest.mark.slow  # starts a Dask worker that imports JAX (about 30 s); failed once under load
def test_dask_worker_gives_the_in_process_numbers(tmp_path):
    spec = load_spec(SPEC.replace('seed = [0, 1]', 'seed = [0]').replace('b = [0.2, "inf"]', "b = [0.2]"))
    run_study(spec, tmp_path / "here", workers=0)
    run_study(spec, tmp_path / "dask", workers=1)
    here = pd.read_parquet(tmp_path / "here" / "training.parquet")
    there = pd.read_parquet(tmp_path / "dask" / "training.parquet")
    for column in ("test_accuracy", "train_loss", "expected_sharpness"):
        assert list(here[column]) == pytest.approx(list(there[column]), rel=1e-5)


@pytest.mark.parametrize("text, message", [
    ('kind = "training"\n[grid]\nmethod = ["Adam"]', "unknown method"),
    ('kind = "training"\nlayers = 3', "unknown key"),
    ('kind = "training"\nsteps = 0', "steps"),
    ('kind = "training"\nb = "wide"', "b must"),
])
def test_bad_training_specs(text, message):
    with pytest.raises(SimulationError, match=message):
        load_spec(text + "\n")

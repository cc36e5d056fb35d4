"""Parameter-grid studies (simulate.study*): spec validation, reproducibility under any
split, resume, Dask workers (same numbers as in-process, a killed worker) and the CLI."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import landscape
import simulate
from simulate.errors import SimulationError
from simulate.study import plan, prepare_workers, run_study
from simulate.study_results import exit_fits, load_study
from simulate.study_spec import build_spec, load_spec
from tests.support.study_specs import EXIT_SPEC, OCC_SPEC, interrupt_after

REPO = Path(__file__).resolve().parents[2]

KEYS = ["cell", "sample", "exit_time", "destination", "censored"]


def exit_rows(path) -> pd.DataFrame:
    return load_study(path).rows[KEYS].reset_index(drop=True)


# ------------------------------------------------------------------- spec
def test_issue_example_expands_to_four_cells_with_theory():
    spec = load_spec(EXIT_SPEC)
    assert len(spec.cells) == 4
    got = {(c.eta, c.b): c for c in spec.cells}
    assert set(got) == {(0.1, 0.5), (0.03, 0.5), (0.1, math.inf), (0.03, math.inf)}
    # double well: Omega_1 = (-inf, 0), m_1 = -1, r = 1 -> l* = ceil(1 / 0.5) = 2 clipped
    assert got[(0.1, 0.5)].l_star == 2 and got[(0.1, 0.5)].beta == pytest.approx(1.4)
    assert got[(0.1, math.inf)].l_star == 1 and got[(0.1, math.inf)].beta == pytest.approx(1.2)
    assert all(c.boundaries == (0.0,) and c.start_field == 0 for c in spec.cells)
    assert len({c.stream for c in spec.cells}) == 4


@pytest.mark.parametrize("text, words", [
    ('kind = "exit"\neta = 0.1\nx0 = 0\nsamples = 2', "kind must be one of"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2', "eta (the learning rate) is missing"),
    ('kind = "exit-times"\neta = 0.1\nsamples = 2', "x0 (the start point) is missing"),
    ('kind = "exit-times"\neta = 0.1\nx0 = 0.3', "samples is missing"),
    ('kind = "exit-times"\neta = 0.1\nx0 = 0.3\nsamples = 2\nbogus = 1', ("unknown key(s) in the "
     "study spec: bogus")),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\n[grid]\neta = 0.1', ("[grid] eta must be a "
     "non-empty list")),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\n[grid]\neta = []', "non-empty list"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\n[grid]\neta = [0.1, 0.1]', "repeated value"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\n[grid]\neta = [0.1]', "given twice"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = -0.1', ("eta (learning rate) must be a "
     "positive")),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\nb = "big"', 'b must be a number or'),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\n[noise]\nfamily = "cauchy"',
     "unknown noise family"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\n[noise]\nalpha = 0.8',
     "alpha > 1"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\nexpr = "x^2 +* 1"\nL = 1',
     "expr 'x^2 +* 1'"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\nexpr = "x^2"', ("L (the wall) is "
     "missing")),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\nexpr = "x^2"\nL = 1',
     "nothing to exit"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\nsteps = 5', ("steps belongs to "
     "occupancy")),
    ('kind = "occupancy"\nx0 = 0.3\npaths = 2\neta = 0.1', "steps is missing"),
    ('kind = "occupancy"\nx0 = 0.3\npaths = 2\nsteps = 10\neta = 0.1\nsamples = 3',
     "samples belongs to exit-times"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2.5\neta = 0.1', "samples must be an integer"),
    ('kind = "exit-times"\nx0 = 9\nsamples = 2\neta = 0.1', "outside [-L, L]"),
    ('kind = "exit-times"\nx0 = 0.3\nsamples = 2\neta = 0.1\nchunk = 3', "chunk must be between"),
    ("kind = [", "not valid TOML"),
])
def test_bad_specs_name_the_problem(text, words):
    with pytest.raises(SimulationError) as err:
        load_spec(text + "\n")
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_is_reported():
    with pytest.raises(SimulationError, match="cannot read the study spec"):
        load_spec("/nonexistent/spec.toml")


def test_censoring_is_recorded_per_row_and_cell(tmp_path):
    spec = load_spec(EXIT_SPEC.replace("chunk = 3", "chunk = 3\nmax_steps = 200"))
    run = run_study(spec, tmp_path, workers=0)
    res = load_study(tmp_path)
    rows = res.rows
    assert (rows.loc[rows.censored, "exit_time"] == 200).all()
    assert (rows.loc[rows.censored, "destination"] == -1).all()
    assert (rows.loc[~rows.censored, "exit_time"] < 200).all()
    per_cell = rows.groupby("cell")["censored"].sum()
    assert run.censored == int(per_cell.sum()) > 0
    cells = res.cells.set_index("cell")
    assert (cells.loc[per_cell.index, "censored"] == per_cell).all()
    assert (cells["max_steps_source"] == "user").all()  # the spec's own cap
    # Omega_1 of the double well is the leftmost field: no exit goes left, censored or not
    assert (cells["exits_left"] == 0).all()


# ------------------------------------------------------- reproducibility, resume
def test_in_process_study_equals_exit_times_and_any_split(tmp_path):
    spec = load_spec(EXIT_SPEC)
    run_study(spec, tmp_path / "a", workers=0)
    rows = exit_rows(tmp_path / "a")
    for c in spec.cells:
        et = simulate.exit_times(landscape.load_landscape(c.expr), c.L, c.eta,
                                 simulate.make_noise(c.family, c.alpha, c.scale), b=c.b, x0=c.x0,
                                 samples=c.size, seed=c.seed, stream=c.stream,
                                 max_steps=c.max_steps)
        r = rows[rows.cell == c.key]
        np.testing.assert_array_equal(r.exit_time, et.exit_steps)
        np.testing.assert_array_equal(r.destination, np.where(et.destinations >= 0,
                                                              et.destinations + 1, -1))
    run_study(load_spec(EXIT_SPEC.replace("chunk = 3", "chunk = 7")), tmp_path / "b", workers=0)
    pd.testing.assert_frame_equal(rows, exit_rows(tmp_path / "b"))


def test_occupancy_does_not_depend_on_the_split(tmp_path):
    run_study(load_spec(OCC_SPEC), tmp_path / "a", workers=0)
    run_study(load_spec(OCC_SPEC.replace("chunk = 4", "chunk = 1")), tmp_path / "b", workers=0)
    a, b = load_study(tmp_path / "a").rows, load_study(tmp_path / "b").rows
    assert len(a) == 2 and list(a.cell) == list(b.cell)
    for col in ("hist", "field_steps", "transitions"):
        for x, y in zip(a[col], b[col]):
            np.testing.assert_array_equal(x, y)
    for fs, h in zip(a["field_steps"], a["hist"]):
        assert fs.sum() == h.sum() == 6 * 100000
    # clipped (b = 0.5) heavy-tailed SGD from 0.3 leaves the sharp Omega_3 for a wide field
    clipped = a[a.b == 0.5].iloc[0]
    assert clipped.field_fraction[2] < 0.5


def test_resume_runs_only_what_is_missing(tmp_path):
    spec = load_spec(EXIT_SPEC)
    stop_after_three = interrupt_after(3)
    run = run_study(spec, tmp_path, workers=0, progress=stop_after_three)
    assert run.interrupted and run.chunks == 3
    assert json.loads((tmp_path / "study.json").read_text())["status"] == "interrupted"
    kept = sorted(tmp_path.glob("chunks/*/*.parquet"))
    assert len(kept) == 3
    stamps = {p: p.stat().st_mtime_ns for p in kept}
    todo = plan(tmp_path, spec.cells)
    assert sum(n for _, _, n in todo) == 4 * 10 - sum(len(pd.read_parquet(p)) for p in kept)
    run = run_study(spec, tmp_path, workers=0)
    assert not run.interrupted and run.done == 4 and run.chunks == len(todo)
    assert run.chunks_skipped == 3
    assert all(p.stat().st_mtime_ns == t for p, t in stamps.items())
    again = run_study(spec, tmp_path, workers=0)
    assert (again.chunks, again.skipped, again.done) == (0, 4, 4)
    run_study(spec, tmp_path / "fresh", workers=0)
    pd.testing.assert_frame_equal(exit_rows(tmp_path), exit_rows(tmp_path / "fresh"))
    table = pd.read_parquet(tmp_path / "exit_times.parquet")
    assert len(table) == 40 and set(KEYS) <= set(table.columns)
    manifest = json.loads((tmp_path / "study.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["versions"]["dask"] and manifest["versions"]["numba"]
    assert [c["seed"] for c in manifest["cells"]] == [4] * 4


def test_fits_use_uncensored_cells_and_carry_beta(tmp_path):
    run_study(load_spec(EXIT_SPEC), tmp_path, workers=0)
    fits = exit_fits(load_study(tmp_path).cells)
    assert len(fits) == 2
    for f in fits:
        assert list(f.etas) == [0.1, 0.03] and f.used.all() and math.isfinite(f.slope)
        expected = math.log(f.means[1] / f.means[0]) / math.log(0.1 / 0.03)
        assert f.slope == pytest.approx(expected)
        assert f.beta == pytest.approx(1.4 if f.params["b"] == 0.5 else 1.2)


# ----------------------------------------------------------------------- CLI
def _cli(*args):
    env = dict(os.environ, NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR",
                                                          str(REPO / ".cache" / "numba")))
    return subprocess.run([sys.executable, "-m", "simulate", "study", *args], cwd=REPO, check=False,
                          capture_output=True, text=True, timeout=240, env=env)


def test_cli_summary_and_bad_input(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text(EXIT_SPEC)
    p = _cli(str(spec), "--out", str(tmp_path / "r"), "--workers", "0", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert (out["cells"], out["done"], out["skipped"]) == (4, 4, 0)
    assert out["path"] == str(tmp_path / "r")
    assert "chunks" in p.stderr                      # the progress bar
    p = _cli(str(spec), "--out", str(tmp_path / "r"), "--workers", "0", "--json")
    assert json.loads(p.stdout.strip().splitlines()[-1])["skipped"] == 4
    spec.write_text(EXIT_SPEC.replace("x0 = -1.0", "x0 = -7.0"))
    p = _cli(str(spec), "--out", str(tmp_path / "r2"), "--json")
    assert p.returncode == 2
    assert p.stderr.strip() == "error: x0 = -7 is outside [-L, L] = [-2, 2]"
    assert json.loads(p.stdout) == {"error": "x0 = -7 is outside [-L, L] = [-2, 2]"}
    p = _cli(str(spec), "--out", str(tmp_path / "r2"), "--workers", "2", "--scheduler", "x:1")
    assert p.returncode == 2 and "not allowed with" in p.stderr and "Traceback" not in p.stderr


# ---------------------------------------------------------------------- Dask
@pytest.fixture(scope="module")
def dask_client():
    from simulate.study import start_client

    client, cluster = start_client(workers=2)
    prepare_workers(client, local=True)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("text, expected", [("/autogroup-434 nice 0\n", "/autogroup-434"), ("", "")])
def test_session_info_reads_an_empty_autogroup_file(monkeypatch, text, expected):
    # a process in a cpu cgroup (or in init's session) reads an empty /proc/self/autogroup
    class FakePath:
        def __init__(self, *_):
            pass

        def read_text(self):
            return text

    monkeypatch.setattr(simulate.study_run, "Path", FakePath)
    info = simulate.study_run.session_info()
    assert info["autogroup"] == expected and info["pid"] == os.getpid()


@pytest.mark.slow
def test_two_workers_give_the_in_process_numbers(tmp_path, dask_client):
    info = dask_client.run(simulate.study_run.worker_info)
    assert len(info) == 2
    dirs = {i["numba_cache"] for i in info.values()}
    assert len(dirs) == 2 and all("numba-workers" in d for d in dirs)
    assert all(i["numba_threads"] == 1 for i in info.values())
    # each local worker leads its own session (the OS shares CPUs out per session first)
    sessions = dask_client.run(simulate.study_run.session_info)
    mine = simulate.study_run.session_info()
    assert all(s["session"] == s["pid"] for s in sessions.values())
    assert mine["session"] not in {s["session"] for s in sessions.values()}
    if mine["autogroup"]:
        assert len({s["autogroup"] for s in sessions.values()} | {mine["autogroup"]}) == 3
    spec = load_spec(EXIT_SPEC)
    run = run_study(spec, tmp_path / "dask", client=dask_client)
    assert run.workers == 2 and run.done == 4
    run_study(spec, tmp_path / "local", workers=0)
    pd.testing.assert_frame_equal(exit_rows(tmp_path / "dask"), exit_rows(tmp_path / "local"))
    run_study(load_spec(OCC_SPEC), tmp_path / "occ-dask", client=dask_client)
    run_study(load_spec(OCC_SPEC), tmp_path / "occ-local", workers=0)
    a, b = load_study(tmp_path / "occ-dask").rows, load_study(tmp_path / "occ-local").rows
    for col in ("hist", "field_steps", "transitions"):
        for x, y in zip(a[col], b[col]):
            np.testing.assert_array_equal(x, y)


KILL_SPEC = """
kind = "occupancy"
expr = "paper-fig2"
x0 = 0.3
paths = 8
steps = 30000000
bins = 20
chunk = 1
eta = 0.01
b = 0.5
"""


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(tmp_path, dask_client):
    spec = load_spec(KILL_SPEC)
    killed = []

    def killer():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(tmp_path.glob("dask/chunks/*/*.parquet")):
            time.sleep(0.05)
        pids = dask_client.run(os.getpid)
        busy = [a for a, keys in dask_client.processing().items() if keys and a in pids]
        victim = busy[0] if busy else min(pids)
        os.kill(pids[victim], signal.SIGKILL)
        killed.append((len(list(tmp_path.glob("dask/chunks/*/*.parquet"))), bool(busy)))

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    run = run_study(spec, tmp_path / "dask", client=dask_client)
    t.join(5)
    assert killed, "the worker was not killed"
    files_then, was_busy = killed[0]
    assert files_then < 8 and was_busy, "the killed worker was not running a chunk"
    assert run.done == 1 and run.chunks == 8 and not run.interrupted
    run_study(spec, tmp_path / "local", workers=0)
    a, b = load_study(tmp_path / "dask").rows, load_study(tmp_path / "local").rows
    for col in ("hist", "field_steps", "transitions"):
        np.testing.assert_array_equal(a[col][0], b[col][0])
    assert a["field_steps"][0].sum() == 8 * 30_000_000


def test_build_spec_rejects_a_non_table():
    with pytest.raises(SimulationError, match="table"):
        build_spec(["kind"])


@pytest.mark.slow
def test_ctrl_c_keeps_finished_chunks_and_a_rerun_completes(tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C: exit 130, no traceback,
    the finished chunks stay, and the same command then finishes only the rest."""
    spec = tmp_path / "long.toml"
    spec.write_text(KILL_SPEC)
    out = tmp_path / "r"
    env = dict(os.environ, NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR",
                                                          str(REPO / ".cache" / "numba")))
    cmd = [sys.executable, "-m", "simulate", "study", str(spec), "--out", str(out),
           "--workers", "1", "--json"]
    p = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 180
    while not list(out.glob("chunks/*/*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted:" in stderr
    first = json.loads(stdout.strip().splitlines()[-1])
    kept = len(list(out.glob("chunks/*/*.parquet")))
    assert first["interrupted"] and 1 <= first["chunks"] == kept < 8
    assert json.loads((out / "study.json").read_text())["status"] == "interrupted"
    p = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
                       check=False)
    assert p.returncode == 0, p.stderr
    second = json.loads(p.stdout.strip().splitlines()[-1])
    assert second["chunks"] == 8 - kept and second["done"] == 1

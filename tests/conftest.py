"""Shared fixtures: one synthetic dataset per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from filelock import FileLock

import pytest

from crossmodal.simulate import SimulationSettings, SyntheticPaths, simulate_dataset

REPO = Path(__file__).resolve().parents[1]

#: A small but complete synthetic dataset for fast loader and unit tests.
SMALL_SETTINGS = SimulationSettings.from_config(dict(
    subjects=("UTS01",), n_train_stories=2, story_trs=80, test_story_trs=80, n_train_movie_runs=2, movie_run_trs=40, movie_test_trs=40,
    n_pair_images=60, n_val_images=10, n_test_images=10, frame_size=16, nan_voxels=2,
))


#: Test modules that run whole workflows, in the order the test workers should start them: the longest first, so
#: that the many short unit-test modules fill the gaps at the end instead of one long run finishing alone. pytest-xdist
#: keeps this order with --no-loadscope-reorder (pyproject.toml addopts); by default it would start the modules
#: with the most tests first, and these have one to a few tests each. Measured alone on 2 cores (2026-12-01): the
#: default run and the tests reading it 250 s, the SLURM run 200 s (mostly waiting for SLURM), the power grid
#: 140 s, the crash test 100 s, the published layouts 60 s, the story-only and null runs 45-50 s each.
SLOW_MODULES_FIRST = ("test_workflow.py", "test_slurm.py", "test_power.py", "test_crash_safety.py", "test_published_workflow.py",
                      "test_story_only_run.py", "test_null_run.py")


def pytest_collection_modifyitems(config, items):
    """Run the modules of :data:`SLOW_MODULES_FIRST` first, in that order; every other test keeps its place."""
    rank = {name: position for position, name in enumerate(SLOW_MODULES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def synthetic_paths(root: Path) -> SyntheticPaths:
    return SyntheticPaths(root / "ds003020", root / "shortclips", root / "flickr30k", root / "ground_truth.h5")


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory) -> SyntheticPaths:
    """A small synthetic dataset (1 subject, 2+1 stories, 2+1 movie runs, 60 pairs)."""
    paths = synthetic_paths(tmp_path_factory.mktemp("small"))
    simulate_dataset(SMALL_SETTINGS, paths)
    return paths


@pytest.fixture(scope="session")
def default_dataset(tmp_path_factory) -> SyntheticPaths:
    """The synthetic dataset of the default config (2 subjects, 8+1 stories, 4+1 movie runs); made once per test
    session and shared by pytest-xdist workers (about 20 s of CPU each time). Read only."""
    from crossmodal.config import load_config

    config = load_config(REPO / "config" / "config.yaml")
    settings = SimulationSettings.from_config(config["simulate"], subjects=config["subjects"])
    return synthetic_paths(_made_once(tmp_path_factory, "default-dataset", lambda folder: simulate_dataset(settings, synthetic_paths(folder))))


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch CPU thread for the whole test module (restored after): float32 results do not depend on the thread split."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def bridgetower():
    """The tiny BridgeTower of the default run, built once per test module."""
    from crossmodal.features.models import load_feature_model

    return load_feature_model("tiny-bridgetower", device="cpu")


@pytest.fixture()
def stories_copy(small_dataset, tmp_path) -> Path:
    """A writable copy of the small dataset's stories (ds003020 layout)."""
    return Path(shutil.copytree(small_dataset.stories_root, tmp_path / "ds003020"))


@pytest.fixture()
def movies_copy(small_dataset, tmp_path) -> Path:
    """A writable copy of the small dataset's movies (short-clips layout)."""
    return Path(shutil.copytree(small_dataset.movies_root, tmp_path / "shortclips"))


@pytest.fixture(scope="session")
def reduced_run(tmp_path_factory) -> Path:
    """The whole workflow on ``REDUCED_CONFIG`` with ``--cores 2``, run once per test session and shared by
    pytest-xdist workers (the first to ask runs it under a file lock; the others wait and reuse it). Read only:
    the reference that the crash test and the SLURM test compare their runs with."""
    from workflow_utils import copy_reduced_workflow, snakemake

    def run(workdir: Path) -> None:
        copy_reduced_workflow(workdir)
        result = snakemake(workdir, "--cores", "2")
        assert result.returncode == 0, result.stderr[-3000:]

    return _made_once(tmp_path_factory, "reduced-run", run)


def _made_once(tmp_path_factory, name: str, make) -> Path:
    """A folder ``name`` made by ``make(folder)`` once per test session, shared by the pytest-xdist workers: the
    first worker to ask makes it under a file lock, the others wait and reuse it. A failed make leaves no marker,
    so the next worker to ask tries again (and fails the same way)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # one folder for this session's workers
    folder, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder

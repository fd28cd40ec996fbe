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
    """The synthetic dataset of the default config (2 subjects, 8+1 stories, 4+1 movie runs)."""
    from crossmodal.config import load_config

    config = load_config(REPO / "config" / "config.yaml")
    settings = SimulationSettings.from_config(config["simulate"], subjects=config["subjects"])
    paths = synthetic_paths(tmp_path_factory.mktemp("default"))
    simulate_dataset(settings, paths)
    return paths


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

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # one folder for this session's workers
    workdir, done = root / "reduced-run", root / "reduced-run.done"
    with FileLock(str(root / "reduced-run.lock")):
        if not done.exists():
            shutil.rmtree(workdir, ignore_errors=True)
            copy_reduced_workflow(workdir)
            result = snakemake(workdir, "--cores", "2")
            assert result.returncode == 0, result.stderr[-3000:]
            done.touch()
    return workdir

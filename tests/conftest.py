"""Shared fixtures: one synthetic dataset per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

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

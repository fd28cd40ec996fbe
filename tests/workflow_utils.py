"""Run the workflow in a temporary copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPIED = ("Snakefile", "workflow", "profiles", "config", "envs", "src", "resources")

#: The whole workflow (every rule of `rule all`) on a reduced synthetic configuration, about a minute on 2 cores:
#: one subject, BridgeTower with and without the alignment map, the fits split into two voxel chunks. Written as
#: config/config.yaml of a copy; the reference run of the crash test and the SLURM test (fixture `reduced_run`).
REDUCED_CONFIG = """
subjects: [UTS01]
simulate:
  n_train_stories: 3
  story_trs: 100
  test_story_trs: 110
  n_train_movie_runs: 2
  movie_run_trs: 60
  movie_test_trs: 80
  n_pair_images: 300
  n_val_images: 20
  n_test_images: 60
  frame_size: 32
models:
  unimodal: {enabled: false}
encoding: {voxel_chunks: 2}
stats: {n_permutations: 300, n_null_draws: 300}
pca: {n_permutations: 50, min_voxels: 50}
"""


def copy_workflow(target: Path) -> Path:
    """Copy what the workflow needs (not results/ or .snakemake/) into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, target / name)
    return target


def copy_reduced_workflow(target: Path) -> Path:
    """:func:`copy_workflow` with ``REDUCED_CONFIG`` as its config/config.yaml."""
    copy_workflow(target)
    (target / "config" / "config.yaml").write_text(REDUCED_CONFIG)
    return target


def remove_run(workdir: Path) -> None:
    """Delete a finished test run (the default run takes 1.1-1.5 GB) unless ``CROSSMODAL_KEEP_TEST_RUNS=1``.

    Module fixtures call this on teardown so that two test workers never hold more than a few runs on disk.
    """
    if os.environ.get("CROSSMODAL_KEEP_TEST_RUNS") != "1":
        shutil.rmtree(workdir, ignore_errors=True)


def snakemake(workdir: Path, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run ``snakemake *args`` in ``workdir`` with this interpreter's environment."""
    command = [sys.executable, "-m", "snakemake", *args]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=timeout)

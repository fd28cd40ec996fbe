"""A synthetic cross-modal scoring problem of any size, shared by the scoring benchmarks (not a benchmark itself).

The target modality's responses are written to one HDF5 file in voxel blocks
(as large as a real subject), and read back one voxel batch at a time by the
scoring, as in the workflow. The source fit is random weights with alphas
drawn from the grid (the scoring cost does not depend on how they were fit).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from crossmodal.data.movies import run_tr_times
from crossmodal.data.types import ModalityData, ResponseRun
from crossmodal.encoding.ridge import RidgeFit
from crossmodal.features.grid import DesignMatrices

ALPHAS = np.logspace(0, 4, 20)


def smooth_design(rng, n_trs: int, n_features: int) -> np.ndarray:
    """Autocorrelated, z-scored features (n_trs, n_features), float32."""
    white = rng.standard_normal((n_trs + 4, n_features), dtype=np.float32)
    smooth = white[4:] + 0.8 * white[3:-1] + 0.5 * white[2:-2]
    return ((smooth - smooth.mean(0)) / smooth.std(0)).astype(np.float32)


def random_fit(rng, n_features: int, n_voxels: int) -> RidgeFit:
    """A fit with random weights and alphas from the default grid."""
    weights = rng.standard_normal((n_features, n_voxels), dtype=np.float32) / np.float32(np.sqrt(n_features))
    alphas = ALPHAS[rng.integers(len(ALPHAS), size=n_voxels)].astype(np.float32)
    return RidgeFit(weights, alphas, np.zeros((1, n_voxels), np.float32), ALPHAS.copy(), np.zeros(n_features, np.float32),
                    np.zeros(n_voxels, np.float32), 0.0, 0.0)


def write_target(path: Path, train_design: np.ndarray, test_design: np.ndarray, weights: np.ndarray, n_runs: int, block: int = 5000):
    """Target responses (design @ weights + noise) in one HDF5 file, split into runs; returns ModalityData."""
    rng = np.random.default_rng(7)
    n_voxels = weights.shape[1]
    with h5py.File(path, "w") as handle:
        train = handle.create_dataset("Y_train", shape=(len(train_design), n_voxels), dtype=np.float32, chunks=(len(train_design), min(256, n_voxels)))
        test = handle.create_dataset("Y_test", shape=(len(test_design), n_voxels), dtype=np.float32)
        for start in range(0, n_voxels, block):
            stop = min(start + block, n_voxels)
            for dataset, design in ((train, train_design), (test, test_design)):
                values = design @ weights[:, start:stop]
                values += rng.standard_normal(values.shape, dtype=np.float32) * np.float32(3.0)
                dataset[:, start:stop] = values
    bounds = np.linspace(0, len(train_design), n_runs + 1).astype(int)
    train_runs = [ResponseRun(f"train_{i:02d}", path, "Y_train", int(a), int(b - a), n_voxels, 2.0, run_tr_times(int(b - a), 2.0))
                  for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))]
    test_runs = [ResponseRun("test", path, "Y_test", 0, len(test_design), n_voxels, 2.0, run_tr_times(len(test_design), 2.0))]
    return ModalityData("S01", "movie", "shortclips", train_runs, test_runs, {})


def scoring_problem(folder: Path, n_voxels: int, n_features: int, source_trs: int, train_trs: int, test_trs: int, n_runs: int = 10):
    """Everything :func:`crossmodal.transfer.scoring.score_direction` needs, at the given size.

    Returns
    -------
    dict with ``source_fit``, ``within_fit``, ``source_design`` (DesignMatrices),
    ``train_design``, ``test_design`` (transferred), ``target`` (ModalityData)
    """
    rng = np.random.default_rng(0)
    source = smooth_design(rng, source_trs, n_features)
    train_design, test_design = smooth_design(rng, train_trs, n_features), smooth_design(rng, test_trs, n_features)
    source_fit, within_fit = random_fit(rng, n_features, n_voxels), random_fit(rng, n_features, n_voxels)
    target = write_target(Path(folder) / "target.h5", train_design, test_design, source_fit.weights, n_runs)
    run_ids = np.minimum(np.arange(source_trs) * n_runs // source_trs, n_runs - 1)
    source_design = DesignMatrices(source, run_ids, source[:0], run_ids[:0], [], [], np.zeros(n_features), np.ones(n_features), (0,))
    return dict(source_fit=source_fit, within_fit=within_fit, source_design=source_design, train_design=train_design,
                test_design=test_design, target=target)

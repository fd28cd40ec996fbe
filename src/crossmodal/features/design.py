"""Z-scoring, FIR delays and design matrices (method.md step 2).

- Each feature column is z-scored with the mean and standard deviation of the
  **training** runs of its modality (all training TRs pooled, ``ddof = 0``);
  the same statistics are applied to test runs and to cross-modal use
  (:func:`apply_zscore`). Constant columns get a standard deviation of 1.
- Delayed copies (``delays`` in TRs, default 1..4) are stacked column-wise,
  delay-major: columns ``[j * d : (j + 1) * d]`` hold the features delayed by
  ``delays[j]``. Each run is delayed on its own with zeros at its start, so
  no TR of one run ever appears in another run's rows.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

DEFAULT_DELAYS = (1, 2, 3, 4)


def _as_runs(runs: Sequence[np.ndarray], name: str) -> list[np.ndarray]:
    runs = [np.asarray(run) for run in runs]
    for index, run in enumerate(runs):
        if run.ndim != 2:
            raise ValueError(f"{name}[{index}] must be (n_trs, n_features), got shape {run.shape}")
    if len({run.shape[1] for run in runs}) > 1:
        raise ValueError(f"{name} have different numbers of features: {[run.shape[1] for run in runs]}")
    return runs


def zscore_statistics(train_runs: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each column over all training TRs.

    Parameters
    ----------
    train_runs : list of arrays of shape (n_i, n_features)

    Returns
    -------
    mean, std : float32 arrays of shape (n_features,)
        ``std`` is 1 where a column is constant.
    """
    runs = _as_runs(train_runs, "train_runs")
    if not runs or sum(len(run) for run in runs) == 0:
        raise ValueError("z-scoring needs at least one training TR")
    stacked = np.concatenate(runs).astype(np.float64)
    mean, std = stacked.mean(axis=0), stacked.std(axis=0)
    std[std <= 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def apply_zscore(runs: Sequence[np.ndarray], mean: np.ndarray, std: np.ndarray) -> list[np.ndarray]:
    """``(run - mean) / std`` for each run, with given (training) statistics.

    Parameters
    ----------
    runs : list of arrays of shape (n_i, n_features)
    mean, std : arrays of shape (n_features,)

    Returns
    -------
    runs_z : list of float32 arrays of shape (n_i, n_features)
    """
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    return [((run.astype(np.float64) - mean) / std).astype(np.float32) for run in _as_runs(runs, "runs")]


def zscore_runs(
    train_runs: Sequence[np.ndarray], test_runs: Sequence[np.ndarray] = ()
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """Z-score training and test runs with the training statistics.

    Parameters
    ----------
    train_runs : list of arrays of shape (n_i, n_features)
    test_runs : list of arrays of shape (m_j, n_features)

    Returns
    -------
    train_runs_z : list of float32 arrays of shape (n_i, n_features)
    test_runs_z : list of float32 arrays of shape (m_j, n_features)
    mean, std : float32 arrays of shape (n_features,)
        Training statistics, to reuse for cross-modal features.
    """
    mean, std = zscore_statistics(train_runs)
    return apply_zscore(train_runs, mean, std), apply_zscore(test_runs, mean, std), mean, std


def add_delays(run_features: np.ndarray, delays: Sequence[int] = DEFAULT_DELAYS) -> np.ndarray:
    """Delayed copies of one run's features, zero-padded at the run start.

    Parameters
    ----------
    run_features : array of shape (n_trs, n_features)
    delays : sequence of int
        Delays in TRs; row ``t`` of the copy for delay ``k`` is row ``t - k``
        of the input (zeros where ``t - k`` falls outside the run; a negative
        ``k`` shifts the other way, zero-padded at the run end).

    Returns
    -------
    delayed : float32 array of shape (n_trs, n_features * len(delays))
        Delay-major column blocks.
    """
    features = np.asarray(run_features, dtype=np.float32)
    if features.ndim != 2:
        raise ValueError(f"run_features must be (n_trs, n_features), got shape {features.shape}")
    n_trs, n_features = features.shape
    delayed = np.zeros((n_trs, n_features * len(delays)), dtype=np.float32)
    for block, delay in enumerate(int(delay) for delay in delays):
        columns = slice(block * n_features, (block + 1) * n_features)
        if delay >= 0 and delay < n_trs:
            delayed[delay:, columns] = features[: n_trs - delay]
        elif delay < 0 and -delay < n_trs:
            delayed[: n_trs + delay, columns] = features[-delay:]
    return delayed


def build_design(
    runs: Sequence[np.ndarray], delays: Sequence[int] = DEFAULT_DELAYS
) -> tuple[np.ndarray, np.ndarray]:
    """Design matrix of consecutive runs, each delayed on its own.

    Parameters
    ----------
    runs : list of arrays of shape (n_i, n_features)
        Already z-scored per-TR features, one array per run.
    delays : sequence of int

    Returns
    -------
    design : float32 array of shape (sum n_i, n_features * len(delays))
    run_ids : int64 array of shape (sum n_i,)
        Index of the run each row comes from (0, 0, ..., 1, 1, ...).
    """
    runs = _as_runs(runs, "runs")
    if not runs:
        raise ValueError("build_design needs at least one run")
    design = np.concatenate([add_delays(run, delays) for run in runs])
    run_ids = np.concatenate([np.full(len(run), index, dtype=np.int64) for index, run in enumerate(runs)])
    return design, run_ids

"""Noise ceilings from repeated test presentations.

Where a test run was recorded several times (the published short-clips
``Y_test``: 10 repeats of the test movie), each voxel's response splits into
a part repeated across presentations (the stimulus-driven signal) and a part
that is not (noise). Two numbers per voxel follow:

* **explainable variance** ``ev``: the fraction of a *single* presentation's
  variance that is repeatable, with the standard small-sample correction
  (Sahani & Linden 2003; Hsu et al. 2004). Each repeat is z-scored over time,
  ``v = var_t(mean_r y_r)`` is the variance of the mean response and

  ``ev = v - (1 - v) / (n_repeats - 1)``

  (``v`` alone overestimates by the noise left in the mean; the correction
  makes ``ev`` unbiased for the signal fraction when noise is independent
  across repeats). It equals Sahani & Linden's signal power over total power.
* **ceiling correlation** ``ceiling_r``: the highest correlation any model can
  reach with the *averaged* test response that is scored. With signal
  fraction ``ev`` and independent noise, the mean of ``n`` repeats has signal
  ``ev`` and noise ``(1 - ev) / n``, so

  ``ceiling_r = sqrt(ev / (ev + (1 - ev) / n))``.

  Undefined (NaN) where ``ev <= 0``.

Scores as a fraction of the ceiling are ``r / ceiling_r`` per voxel (NaN where
the ceiling is undefined); region summaries divide the mean score by the mean
ceiling over the region's voxels with a defined ceiling, which stays stable
where single voxels have tiny ceilings.

This module only needs numpy and h5py, so table and figure jobs can use it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ceiling_correlation", "explainable_variance", "fraction_of_ceiling", "load_ceilings", "save_ceilings", "ceiling_of_test_runs"]


def explainable_variance(repeats: np.ndarray) -> np.ndarray:
    """The bias-corrected explainable variance of each voxel.

    Parameters
    ----------
    repeats : array of shape (n_repeats, n_trs, n_voxels)
        Responses to each presentation of the same stimulus (n_repeats >= 2).

    Returns
    -------
    ev : array of shape (n_voxels,), float64
        At most 1; can be negative for noise-only voxels (an unbiased estimate
        of 0 scatters around it). NaN for voxels constant in some repeat.
    """
    repeats = np.asarray(repeats, dtype=np.float64)
    n_repeats = repeats.shape[0]
    if repeats.ndim != 3 or n_repeats < 2:
        raise ValueError(f"need (n_repeats >= 2, n_trs, n_voxels) responses, got shape {repeats.shape}")
    centred = repeats - repeats.mean(axis=1, keepdims=True)
    scale = np.sqrt((centred**2).mean(axis=1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        standardised = centred / scale
        variance_of_mean = (standardised.mean(axis=0) ** 2).mean(axis=0)
    return variance_of_mean - (1.0 - variance_of_mean) / (n_repeats - 1)


def ceiling_correlation(ev: np.ndarray, n_repeats: int) -> np.ndarray:
    """The highest correlation a model can reach with the mean of ``n_repeats`` presentations.

    Parameters
    ----------
    ev : array of shape (n_voxels,)
        Explainable variance of a single presentation.
    n_repeats : int

    Returns
    -------
    ceiling_r : array of shape (n_voxels,), float64
        ``sqrt(ev / (ev + (1 - ev) / n_repeats))``; NaN where ``ev <= 0`` or NaN.
    """
    ev = np.asarray(ev, dtype=np.float64)
    positive = np.where(ev > 0, np.minimum(ev, 1.0), np.nan)
    return np.sqrt(positive / (positive + (1.0 - positive) / n_repeats))


def fraction_of_ceiling(scores: np.ndarray, ceiling_r: np.ndarray) -> np.ndarray:
    """Per-voxel scores as a fraction of the ceiling correlation.

    Parameters
    ----------
    scores, ceiling_r : arrays of shape (n_voxels,)

    Returns
    -------
    array of shape (n_voxels,), float64
        ``scores / ceiling_r``; NaN where the ceiling is undefined.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(scores, dtype=np.float64) / np.asarray(ceiling_r, dtype=np.float64)


def ceiling_of_test_runs(test_runs: list, voxel_batch: int = 20000) -> tuple[np.ndarray, np.ndarray, int]:
    """Explainable variance and ceiling correlation of the test runs, streamed over voxel batches.

    The test runs are scored concatenated, so their repeats are concatenated
    over time too; a ceiling exists only if every test run has the same
    number (>= 2) of stored repeats.

    Parameters
    ----------
    test_runs : list of crossmodal.data.ResponseRun
    voxel_batch : int

    Returns
    -------
    ev, ceiling_r : arrays of shape (n_voxels,), float64
        All NaN where no ceiling can be estimated; NaN for voxels with a
        missing value (NaN) in any repeat.
    n_repeats : int
        The repeats used (0 if none).
    """
    counts = {run.n_repeats for run in test_runs}
    n_voxels = test_runs[0].n_voxels
    if len(counts) != 1 or min(counts) < 2:
        return np.full(n_voxels, np.nan), np.full(n_voxels, np.nan), 0
    n_repeats = counts.pop()
    ev = np.concatenate([
        explainable_variance(np.concatenate([run.read_repeats(slice(start, start + voxel_batch), replace_nan=False) for run in test_runs], axis=1))
        for start in range(0, n_voxels, voxel_batch)
    ])
    return ev, ceiling_correlation(ev, n_repeats), n_repeats


def save_ceilings(path, ceilings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, int]]) -> None:
    """Write every subject's and modality's ceiling: groups ``<subject>/<modality>``.

    Parameters
    ----------
    path : path
    ceilings : dict of (subject, modality) to (ev (n_voxels,), ceiling_r (n_voxels,), n_repeats)
    """
    from crossmodal.h5io import atomic_h5

    with atomic_h5(path) as handle:
        for (subject, modality), (ev, ceiling_r, n_repeats) in ceilings.items():
            group = handle.create_group(f"{subject}/{modality}")
            group.create_dataset("explainable_variance", data=np.asarray(ev, dtype=np.float32))
            group.create_dataset("ceiling_r", data=np.asarray(ceiling_r, dtype=np.float32))
            group.attrs["n_repeats"] = int(n_repeats)


def load_ceilings(path, subject: str) -> dict[str, dict[str, np.ndarray]]:
    """One subject's ceilings written by :func:`save_ceilings`.

    Returns
    -------
    dict of modality to {"explainable_variance": (n_voxels,), "ceiling_r": (n_voxels,), "n_repeats": int}
    """
    import h5py

    from crossmodal.errors import InputError

    with h5py.File(path, "r") as handle:
        if subject not in handle:
            raise InputError(path, f"has no noise ceilings of subject {subject}", "rerun the workflow so validate_data writes them")
        return {
            modality: {"explainable_variance": group["explainable_variance"][()], "ceiling_r": group["ceiling_r"][()],
                       "n_repeats": int(group.attrs["n_repeats"])}
            for modality, group in handle[subject].items()
        }

"""The oracle encoding fit of the synthetic data: the same ridge on the planted latent time courses.

A fit of transformer features can at best recover what the planted latents
explain. The oracle fits the same ridge (same delays, alpha grid and
cross-validation) on the latent time courses the simulator drew the
responses from (``ground_truth.h5``: per run, the HRF-convolved concept
counts plus the word rate for stories, or the low-level visual content for
movies), so the ratio of a fit's mean test correlation to the oracle's, over
the voxels the modality drives, says how much of the recoverable signal the
pipeline recovers. Story features paired with the wrong stories, for
instance, drop the story fits far below the oracle.
"""

from __future__ import annotations

import os

import h5py
import numpy as np

from crossmodal.data.fingerprint import stimulus_fingerprint
from crossmodal.data.types import ModalityData
from crossmodal.encoding.ridge import RidgeFit
from crossmodal.encoding.subject import EncodingSettings, fit_subject
from crossmodal.errors import InputError
from crossmodal.features.design import apply_zscore, zscore_statistics
from crossmodal.features.grid import DesignMatrices, stack_runs

__all__ = ["RESPONSIVE_CLASSES", "latent_runs", "oracle_design", "oracle_fit", "responsive_mean"]

#: Planted classes driven by each modality (1 language-only, 2 vision-only, 3 multimodal).
RESPONSIVE_CLASSES = {"story": (1, 3), "movie": (2, 3)}
_LATENTS = {"story": ("stories", ("concepts", "word_rate")), "movie": ("movies", ("concepts", "lowlevel"))}


def latent_runs(truth_path: str | os.PathLike, modality: str, run_names: list[str]) -> list[np.ndarray]:
    """The planted latent time courses of some runs, matched by run name.

    Parameters
    ----------
    truth_path : path
        ``ground_truth.h5`` of the synthetic dataset.
    modality : {"story", "movie"}
    run_names : list of str

    Returns
    -------
    list of arrays of shape (n_trs_i, n_latents), float32
        Stories: concepts then word rate; movies: concepts then low-level content.
    """
    group, keys = _LATENTS[modality]
    runs = []
    with h5py.File(truth_path, "r") as truth:
        for name in run_names:
            if f"{group}/{name}" not in truth:
                raise InputError(truth_path, f"has no latents of {modality} run '{name}'", "regenerate the synthetic data (rule simulate)")
            parts = [np.asarray(truth[f"{group}/{name}/{key}"][()], dtype=np.float32) for key in keys]
            runs.append(np.column_stack([part.reshape(len(part), -1) for part in parts]))
    return runs


def oracle_design(truth_path: str | os.PathLike, data: ModalityData, delays) -> DesignMatrices:
    """Design matrices of the planted latents on a subject's runs (z-scored with training statistics, delayed).

    The latents are read by run name and the design records the fingerprints
    of the runs' stimuli, like a design of features.

    Returns
    -------
    DesignMatrices
    """
    train_names, test_names = [r.name for r in data.train_runs], [r.name for r in data.test_runs]
    train, test = latent_runs(truth_path, data.modality, train_names), latent_runs(truth_path, data.modality, test_names)
    for run, latents in zip(data.train_runs + data.test_runs, train + test):
        if len(latents) != run.n_trs:
            raise InputError(truth_path, f"latents of '{run.name}' have {len(latents)} rows, the responses {run.n_trs}",
                             "regenerate the synthetic data (rule simulate)")
    mean, std = zscore_statistics(train)
    train_design, train_ids = stack_runs(apply_zscore(train, mean, std), delays)
    test_design, test_ids = stack_runs(apply_zscore(test, mean, std), delays)
    fingerprints = tuple(stimulus_fingerprint(data.stimuli[name]) for name in train_names + test_names)
    return DesignMatrices(train_design, train_ids, test_design, test_ids, train_names, test_names, mean, std, tuple(delays), fingerprints)


def oracle_fit(truth_path: str | os.PathLike, data: ModalityData, settings: EncodingSettings) -> RidgeFit:
    """The ridge of ``settings`` fitted on the planted latents, with test correlations.

    Returns
    -------
    RidgeFit
        ``test_scores`` of shape (n_voxels,).
    """
    return fit_subject(oracle_design(truth_path, data, settings.delays), data, settings)


def responsive_mean(test_scores: np.ndarray, voxel_class: np.ndarray, modality: str) -> float:
    """Mean test correlation over the voxels the modality drives (planted classes).

    Parameters
    ----------
    test_scores : array of shape (n_voxels,)
    voxel_class : array of shape (n_voxels,), int
    modality : {"story", "movie"}

    Returns
    -------
    float
    """
    responsive = np.isin(voxel_class, RESPONSIVE_CLASSES[modality])
    return float(np.mean(np.asarray(test_scores, dtype=np.float64)[responsive]))

"""Validation of cross-modal detection against the planted ground truth (synthetic data only)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score

MULTIMODAL = 3


def recovery_row(voxel_class: np.ndarray, score: np.ndarray, significant: np.ndarray) -> dict:
    """How well cross-modal significance finds the planted multimodal voxels.

    Parameters
    ----------
    voxel_class : array of shape (n_voxels,), int
        Planted class: 0 none, 1 language-only, 2 vision-only, 3 multimodal.
    score : array of shape (n_voxels,)
        Cross-modal test statistic (correlation) of every voxel.
    significant : array of shape (n_voxels,), bool
        FDR-corrected cross-modal significance.

    Returns
    -------
    dict
        ``auc`` (multimodal vs all other voxels, ranked by ``score``),
        ``detection_rate`` (fraction of class 3 significant),
        ``false_positive_rate`` (fraction of classes 0-2 significant).
    """
    multimodal = voxel_class == MULTIMODAL
    finite = np.isfinite(score)
    return {
        "auc": float(roc_auc_score(multimodal[finite], score[finite])),
        "detection_rate": float(significant[multimodal].mean()),
        "false_positive_rate": float(significant[~multimodal].mean()),
    }

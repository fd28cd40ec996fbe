"""Validation of cross-modal detection against the planted ground truth (synthetic data only).

Every row says how the significance flags of one transfer score (subject,
model, layer, direction, alignment, raw or corrected) relate to the planted
classes: the false discovery proportion among significant voxels (every
voxel that is not planted multimodal is a false discovery), the fraction
significant in each class, the AUC of the score itself, and the same false
discovery proportion for the paper's tracking test, so a liberal test shows
up as such.
"""

from __future__ import annotations

import numpy as np

CLASS_NAMES = ("none", "language_only", "vision_only", "multimodal")
MULTIMODAL = 3


def false_discovery_proportion(voxel_class: np.ndarray, significant: np.ndarray) -> float:
    """Fraction of significant voxels that are not planted multimodal (0 when none is significant)."""
    significant = np.asarray(significant, dtype=bool)
    n = int(significant.sum())
    return float(np.sum(voxel_class[significant] != MULTIMODAL) / n) if n else 0.0


def _roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve of ``score`` for the ``positive`` (bool, shape (n,)) items: sklearn's, imported here
    because every table and figure job imports this module and ``sklearn.metrics`` takes about 1.4 s to import."""
    from sklearn.metrics import roc_auc_score

    return roc_auc_score(positive, score)


def recovery_row(voxel_class: np.ndarray, score: np.ndarray, significant: np.ndarray, significant_tracking: np.ndarray | None = None) -> dict:
    """How well cross-modal significance finds the planted multimodal voxels.

    Parameters
    ----------
    voxel_class : array of shape (n_voxels,), int
        Planted class: 0 none, 1 language-only, 2 vision-only, 3 multimodal.
    score : array of shape (n_voxels,)
        Cross-modal test statistic (correlation) of every voxel.
    significant : array of shape (n_voxels,), bool
        FDR-corrected significance of the shared-tuning test.
    significant_tracking : array of shape (n_voxels,), bool, optional
        FDR-corrected significance of the paper's tracking test.

    Returns
    -------
    dict
        ``auc`` (multimodal vs all other voxels, ranked by ``score``; NaN
        without multimodal voxels), ``n_significant``,
        ``false_discovery_proportion``, ``fraction_significant_<class>`` for
        every class, ``detection_rate`` (= the multimodal fraction; NaN without
        multimodal voxels), ``false_positive_rate`` (fraction of the other
        classes significant) and, with ``significant_tracking``,
        ``tracking_n_significant``, ``tracking_false_discovery_proportion`` and
        ``tracking_detection_rate``.
    """
    voxel_class = np.asarray(voxel_class)
    significant = np.asarray(significant, dtype=bool)
    multimodal = voxel_class == MULTIMODAL
    finite = np.isfinite(score)
    has_both = multimodal[finite].any() and (~multimodal[finite]).any()
    row = {
        "auc": float(_roc_auc(multimodal[finite], score[finite])) if has_both else float("nan"),
        "n_significant": int(significant.sum()),
        "false_discovery_proportion": false_discovery_proportion(voxel_class, significant),
    }
    for index, name in enumerate(CLASS_NAMES):
        in_class = voxel_class == index
        row[f"fraction_significant_{name}"] = float(significant[in_class].mean()) if in_class.any() else float("nan")
    row["detection_rate"] = row["fraction_significant_multimodal"]
    row["false_positive_rate"] = float(significant[~multimodal].mean())
    if significant_tracking is not None:
        tracking = np.asarray(significant_tracking, dtype=bool)
        row["tracking_n_significant"] = int(tracking.sum())
        row["tracking_false_discovery_proportion"] = false_discovery_proportion(voxel_class, tracking)
        row["tracking_detection_rate"] = float(tracking[multimodal].mean()) if multimodal.any() else float("nan")
    return row

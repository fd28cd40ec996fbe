"""Which voxels enter the PCA, and the weight vector of each.

Multimodal voxels are those significant (after FDR) in **both** transfer
directions, story->movie and movie->story, for one alignment and one score
kind (default: linear alignment, reverse-tuning-corrected scores).

Weights are the language (story) model's: the design is delay-major
(``[delay 1 features | delay 2 features | ...]``, see
:mod:`crossmodal.features.design`), so the ``(n_features * n_delays,)``
weight vector of a voxel is reshaped to ``(n_delays, n_features)`` and
averaged over delays; then each voxel's vector is scaled to unit length, so
that every voxel counts equally in the PCA whatever its prediction strength.
"""

from __future__ import annotations

import numpy as np

from crossmodal.errors import InputError

DIRECTIONS = ("story_to_movie", "movie_to_story")


def delay_average(weights: np.ndarray, n_delays: int) -> np.ndarray:
    """Average delay-major FIR weights over delays.

    Parameters
    ----------
    weights : array of shape (n_features * n_delays, n_voxels)
    n_delays : int

    Returns
    -------
    averaged : array of shape (n_features, n_voxels), float32
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape[0] % n_delays:
        raise InputError(
            "delay_average(weights)", f"shape {weights.shape} is not (n_features * {n_delays}, n_voxels)",
            "pass the weights of a fit whose design used these delays",
        )
    n_features = weights.shape[0] // n_delays
    return weights.reshape(n_delays, n_features, weights.shape[1]).mean(axis=0).astype(np.float32)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Scale every row to unit Euclidean norm (all-zero rows stay zero).

    Parameters
    ----------
    vectors : array of shape (n_items, n_features)

    Returns
    -------
    array of shape (n_items, n_features), float64
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def multimodal_mask(results: dict, alignment: str = "linear", score: str = "corrected") -> np.ndarray:
    """Voxels significant in both transfer directions.

    Parameters
    ----------
    results : dict
        Scores of one subject, as returned by
        :func:`crossmodal.transfer.subject.load_scores`.
    alignment : {"linear", "none"}
    score : {"corrected", "raw"}

    Returns
    -------
    mask : array of shape (n_voxels,), bool
    """
    missing = [d for d in DIRECTIONS if (d, alignment) not in results]
    if missing:
        raise InputError(f"transfer scores ({alignment})", f"have no {missing} results", "set pca.alignment to an alignment the model set scores")
    masks = [np.asarray(results[d, alignment][f"{score}_significant"], dtype=bool) for d in DIRECTIONS]
    return masks[0] & masks[1]


def select_voxels(results: dict, alignment: str = "linear", score: str = "corrected", min_voxels: int = 0) -> tuple[np.ndarray, str]:
    """Multimodal voxels, or, where too few are significant, the best transferring ones.

    Parameters
    ----------
    results : dict
        One subject's scores (:func:`crossmodal.transfer.subject.load_scores`).
    alignment, score : str
        See :func:`multimodal_mask`.
    min_voxels : int
        When fewer than this many voxels are significant in both directions,
        the ``min_voxels`` voxels with the highest ``min(r_story->movie,
        r_movie->story)`` are taken instead (a documented fallback for weak
        data; 0 disables it).

    Returns
    -------
    mask : array of shape (n_voxels,), bool
    selection : {"significant", "top"}
        How the voxels were chosen.
    """
    mask = multimodal_mask(results, alignment, score)
    if mask.sum() >= min_voxels or min_voxels <= 0:
        return mask, "significant"
    worst = np.minimum(*(np.nan_to_num(results[d, alignment][f"{score}_r"], nan=-np.inf) for d in DIRECTIONS))
    order = np.argsort(-worst, kind="stable")[:min_voxels]
    mask = np.zeros(len(worst), dtype=bool)
    mask[order[np.isfinite(worst[order])]] = True
    return mask, "top"

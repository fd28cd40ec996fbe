"""The planted concept subspace of the synthetic data, in the encoding weights' space.

Definition
----------
A synthetic multimodal voxel responds to a weighted sum of the planted
(HRF-convolved) concept time courses. The weights an encoding model would
give a voxel responding to concept ``c`` alone are the ridge solution that
predicts concept ``c``'s time course from the story training design:
``B = (X^T X + alpha I)^-1 X^T C`` with ``X`` the centred training design
(delayed features), ``C`` the centred concept time courses of the same rows
and ``alpha`` the median alpha of the analysed voxels. Averaged over delays,
the ``n_concepts`` columns of ``B`` span the planted subspace: the weights of
every planted multimodal voxel lie in it (up to noise), so the leading PCs of
multimodal voxels should too. Its recovery is the cosines of the principal
angles between the top ``n_concepts`` PCs and this span.
"""

from __future__ import annotations

import numpy as np

from crossmodal.pca.weights import delay_average


def planted_subspace(train_design: np.ndarray, concepts: np.ndarray, n_delays: int, alpha: float) -> np.ndarray:
    """Feature-space directions of the planted concepts.

    Parameters
    ----------
    train_design : array of shape (n_trs, n_features * n_delays)
        Story training design (delay-major, as the encoding fit saw it).
    concepts : array of shape (n_trs, n_concepts)
        Planted HRF-convolved concept time courses of the same rows.
    n_delays : int
    alpha : float
        Ridge penalty (``(X^T X + alpha I)^-1`` convention).

    Returns
    -------
    basis : array of shape (n_concepts, n_features), float64
        One delay-averaged weight vector per concept (not orthonormalised).
    """
    x = np.asarray(train_design, dtype=np.float64)
    c = np.asarray(concepts, dtype=np.float64)
    x = x - x.mean(axis=0)
    c = c - c.mean(axis=0)
    gram = x.T @ x + alpha * np.eye(x.shape[1])
    weights = np.linalg.solve(gram, x.T @ c)
    return delay_average(weights, n_delays).T.astype(np.float64)


def planted_labels(components: np.ndarray, basis: np.ndarray, n_story_only: int) -> "pd.DataFrame":
    """Which PCs are planted shared, planted story-only, or mixed.

    Parameters
    ----------
    components : array of shape (n_components, n_features)
        Unit-norm PCs.
    basis : array of shape (n_concepts, n_features)
        :func:`planted_subspace` rows: the shared concepts, then the
        ``n_story_only`` story-only concepts.
    n_story_only : int

    Returns
    -------
    DataFrame
        One row per PC: ``component`` (1-based), ``story_only_cosine`` (largest
        absolute cosine with a story-only concept direction),
        ``shared_fraction`` (squared norm of the PC's projection on the span
        of the shared concept directions), ``planted``: ``story-only`` when
        the cosine squared exceeds 0.5, ``shared`` when the shared fraction
        exceeds 0.8, else ``mixed``.
    """
    import pandas as pd

    components = np.asarray(components, dtype=np.float64)
    components = components / np.linalg.norm(components, axis=1, keepdims=True)
    shared_rows = np.asarray(basis[: len(basis) - n_story_only], dtype=np.float64)
    story_rows = np.asarray(basis[len(basis) - n_story_only :], dtype=np.float64)
    orthonormal, _ = np.linalg.qr(shared_rows.T)
    shared_fraction = np.sum((components @ orthonormal) ** 2, axis=1)
    if n_story_only:
        story_rows = story_rows / np.linalg.norm(story_rows, axis=1, keepdims=True)
        story_cosine = np.abs(components @ story_rows.T).max(axis=1)
    else:
        story_cosine = np.zeros(len(components))
    planted = np.where(story_cosine**2 > 0.5, "story-only", np.where(shared_fraction > 0.8, "shared", "mixed"))
    return pd.DataFrame({"component": np.arange(1, len(components) + 1), "story_only_cosine": story_cosine,
                         "shared_fraction": shared_fraction, "planted": planted})

"""PCA of voxel weight vectors and principal angles between subspaces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossmodal.errors import InputError


@dataclass(frozen=True)
class PCAResult:
    """Principal components of a set of weight vectors.

    Attributes
    ----------
    components : array of shape (n_components, n_features), float64
        Orthonormal rows, ordered by explained variance. The sign of each is
        fixed so that its largest-magnitude entry is positive.
    explained_variance : array of shape (n_components,)
        Variance of the voxel scores along each component.
    explained_variance_ratio : array of shape (n_components,)
        Fraction of the total variance of the (centred) vectors.
    mean : array of shape (n_features,)
        Mean vector subtracted before the decomposition (zeros if not centred).
    scores : array of shape (n_items, n_components)
        Projection of every (centred) input vector on the components.
    """

    components: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    mean: np.ndarray
    scores: np.ndarray


def fit_pca(vectors: np.ndarray, n_components: int, center: bool = True) -> PCAResult:
    """PCA by singular value decomposition.

    Parameters
    ----------
    vectors : array of shape (n_items, n_features)
        E.g. unit-norm weight vectors of the multimodal voxels.
    n_components : int
        Clipped to ``min(n_items, n_features)`` (and to ``n_items - 1`` when centred).
    center : bool
        Subtract the mean vector first (standard PCA).

    Returns
    -------
    PCAResult
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise InputError("fit_pca(vectors)", f"needs at least 2 vectors of shape (n_items, n_features), got {vectors.shape}",
                         "select more voxels (see pca.min_voxels)")
    mean = vectors.mean(axis=0) if center else np.zeros(vectors.shape[1])
    centred = vectors - mean
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    limit = min(vectors.shape) - (1 if center else 0)
    k = max(1, min(int(n_components), limit))
    components = vt[:k]
    signs = np.sign(components[np.arange(k), np.argmax(np.abs(components), axis=1)])
    components = components * np.where(signs == 0, 1, signs)[:, None]
    variance = singular**2 / max(len(vectors) - 1, 1)
    total = variance.sum()
    return PCAResult(
        components=components,
        explained_variance=variance[:k],
        explained_variance_ratio=variance[:k] / total if total > 0 else np.zeros(k),
        mean=mean,
        scores=centred @ components.T,
    )


def principal_angle_cosines(basis_a: np.ndarray, basis_b: np.ndarray) -> np.ndarray:
    """Cosines of the principal angles between two subspaces.

    Parameters
    ----------
    basis_a : array of shape (k_a, n_features)
        Rows spanning the first subspace (need not be orthonormal).
    basis_b : array of shape (k_b, n_features)

    Returns
    -------
    cosines : array of shape (min(k_a, k_b),)
        Descending, in [0, 1]; 1 means a shared direction.
    """
    qa, _ = np.linalg.qr(np.asarray(basis_a, dtype=np.float64).T)
    qb, _ = np.linalg.qr(np.asarray(basis_b, dtype=np.float64).T)
    cosines = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.clip(cosines[: min(qa.shape[1], qb.shape[1])], 0.0, 1.0)

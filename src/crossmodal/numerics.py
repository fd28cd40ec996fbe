"""Numerics shared by every step: the one column correlation.

Kept apart from the packages that use it (encoding, transfer, pca) so that
each imports it without importing the others.
"""

from __future__ import annotations

import numpy as np

from crossmodal.errors import InputError

__all__ = ["correlate_columns"]


def correlate_columns(a, b, dtype=np.float32) -> np.ndarray:
    """Pearson correlation between matching columns of two arrays.

    Computed in float64 from centred columns, so it is accurate for float32
    inputs with large means.

    Parameters
    ----------
    a, b : arrays of shape (..., n_samples, n_columns)
        For instance predicted and observed time courses; leading dimensions
        (e.g. bootstrap resamples) are batched.
    dtype : numpy dtype, default float32

    Returns
    -------
    r : array of shape (..., n_columns)
        ``corr(a[..., :, j], b[..., :, j])`` clipped to [-1, 1]; 0 where either
        column is constant (the correlation is undefined there and a constant
        prediction has no skill).

    Raises
    ------
    InputError
        Shapes differ, fewer than 2 samples, non-numeric or non-finite values.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise InputError("correlate_columns(a, b)", f"shapes differ: {a.shape} vs {b.shape}",
                         "pass predicted and observed time courses of the same TRs and voxels")
    if a.ndim < 2 or a.shape[-2] < 2:
        raise InputError("correlate_columns(a)", f"needs arrays of shape (..., n_samples >= 2, n_columns), got {a.shape}",
                         "pass one column per voxel (reshape a single time course with x[:, None])")
    for name, array in (("a", a), ("b", b)):
        if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
            raise InputError(f"correlate_columns({name})", f"expected real numbers, got dtype {array.dtype}", "convert it to float32")
        if not np.all(np.isfinite(array)):
            raise InputError(f"correlate_columns({name})", f"{int(np.size(array) - np.count_nonzero(np.isfinite(array)))} values are NaN or infinite",
                             "remove or impute them before scoring (e.g. drop voxels outside the brain)")
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    a -= a.mean(axis=-2, keepdims=True)
    b -= b.mean(axis=-2, keepdims=True)
    norms = np.sqrt(np.einsum("...ij,...ij->...j", a, a) * np.einsum("...ij,...ij->...j", b, b))
    covariance = np.einsum("...ij,...ij->...j", a, b)
    tiny = np.finfo(np.float64).tiny
    r = np.where(norms > tiny, covariance / np.maximum(norms, tiny), 0.0)
    return np.clip(r, -1.0, 1.0).astype(dtype)

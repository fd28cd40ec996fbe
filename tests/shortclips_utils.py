"""Test helpers that write files in the published short-clips layout (formats.md, "Movies: Gallant lab short clips layout")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import scipy.sparse

#: Image size (width, height) of a mapper for up to BASE_VOXELS voxels; larger voxel counts scale both sides.
BASE_SIZE = (30, 20)
BASE_VOXELS = 150


@dataclass
class WrittenMapper:
    """What :func:`write_shortclips_mapper` wrote, for checks.

    Attributes
    ----------
    path : Path
    matrix : scipy.sparse.csr_matrix of shape (n_pixels, n_voxels)
        The voxel -> pixel weights written (row k: the k-th True pixel of ``mask`` in C order).
    mask : bool array of shape (width, height)
    shared_pixels : int array of shape (n_shared,)
        Rows averaged from two voxels (weights 1/2 each).
    uncovered_pixels : int array of shape (n_uncovered,)
        Rows of the mask that no voxel covers.
    """

    path: Path
    matrix: scipy.sparse.csr_matrix
    mask: np.ndarray
    shared_pixels: np.ndarray
    uncovered_pixels: np.ndarray


def _hemisphere_mask(width: int, height: int) -> np.ndarray:
    """Two ellipses side by side, x first (width, height), as the published flatmap_mask is stored."""
    x, y = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5, indexing="ij")
    mask = np.zeros((width, height), bool)
    for centre in (0.27 * width, 0.73 * width):
        mask |= ((x - centre) / (0.22 * width)) ** 2 + ((y - height / 2) / (0.42 * height)) ** 2 <= 1
    return mask


def write_shortclips_mapper(path, n_voxels: int, seed: int = 0, *, size: tuple[int, int] | None = None, curvature: bool = True,
                            rois: bool = False, omit: tuple[str, ...] = ()) -> WrittenMapper:
    """Write a valid ``<SUBJECT>_mappers.hdf`` for ``n_voxels`` voxels in the published layout.

    Datasets: ``voxel_to_flatmap_{data,indices,indptr,shape}`` (CSR of shape
    (n_pixels, n_voxels)), ``flatmap_mask`` bool (width, height),
    ``voxel_to_fsaverage_*`` (a small stand-in), ``roi_mask_V1`` (n_voxels,),
    and optionally ``flatmap_curvature`` (width, height) and ``flatmap_rois``
    (width, height, 4). Every voxel covers a run of pixels (C order of the
    mask); about a fifth of the covered pixels average two voxels; about 5 %
    of the mask's pixels are covered by none.

    Parameters
    ----------
    path : path
        The file to write (its folder is created).
    n_voxels : int
    seed : int
    size : (width, height), optional
        Image size; default 30 x 20, scaled up for more than 150 voxels.
    curvature, rois : bool
        Also write ``flatmap_curvature`` / ``flatmap_rois``.
    omit : tuple of str
        Datasets to leave out (to test the error on a malformed file).

    Returns
    -------
    WrittenMapper
    """
    rng = np.random.default_rng(seed)
    if size is None:
        scale = max(1, math.ceil(math.sqrt(n_voxels / BASE_VOXELS)))
        size = (BASE_SIZE[0] * scale, BASE_SIZE[1] * scale)
    mask = _hemisphere_mask(*size)
    n_pixels = int(mask.sum())
    uncovered = np.sort(rng.choice(n_pixels, size=max(1, n_pixels // 20), replace=False))
    covered = np.setdiff1d(np.arange(n_pixels), uncovered)
    if len(covered) < n_voxels:
        raise ValueError(f"a {size} flatmap has {len(covered)} covered pixels, fewer than {n_voxels} voxels; give a larger size")
    owner = (np.arange(len(covered)) * n_voxels) // len(covered)
    shared = rng.random(len(covered)) < 0.2 if n_voxels > 1 else np.zeros(len(covered), bool)
    partner = (owner + 1 + rng.integers(max(n_voxels - 1, 1), size=len(covered))) % n_voxels
    rows = np.concatenate([covered, covered[shared]])
    columns = np.concatenate([owner, partner[shared]])
    weights = np.concatenate([np.where(shared, 0.5, 1.0), np.full(int(shared.sum()), 0.5)])
    matrix = scipy.sparse.csr_matrix((weights, (rows, columns)), shape=(n_pixels, n_voxels))
    matrix.sort_indices()
    data, indices, indptr = matrix.data, matrix.indices.astype(np.int32), matrix.indptr.astype(np.int32)
    shared = covered[shared]
    datasets = {
        "voxel_to_flatmap_data": data.astype(np.float64),
        "voxel_to_flatmap_indices": indices,
        "voxel_to_flatmap_indptr": indptr,
        "voxel_to_flatmap_shape": np.array([n_pixels, n_voxels], dtype=np.int64),
        "flatmap_mask": mask,
        # stand-ins for the other published arrays, which the loader must ignore
        "voxel_to_fsaverage_data": np.ones(n_voxels),
        "voxel_to_fsaverage_indices": np.arange(n_voxels, dtype=np.int32),
        "voxel_to_fsaverage_indptr": np.arange(n_voxels + 1, dtype=np.int32),
        "voxel_to_fsaverage_shape": np.array([n_voxels, n_voxels], dtype=np.int64),
        "roi_mask_V1": np.arange(n_voxels) < n_voxels // 4,
    }
    if curvature:
        x = np.arange(size[0])[:, None] + np.arange(size[1])[None, :]
        datasets["flatmap_curvature"] = np.where(mask, (x // 3) % 2, np.nan).astype(np.float32)
    if rois:
        outline = np.zeros(size + (4,), dtype=np.uint8)
        outline[size[0] // 4, :, :] = (255, 255, 255, 255)
        datasets["flatmap_rois"] = outline
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as handle:
        for name, array in datasets.items():
            if name not in omit:
                handle.create_dataset(name, data=array, compression="gzip")
    return WrittenMapper(path, matrix, mask, shared, uncovered)

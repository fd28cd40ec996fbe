"""Voxel-to-flatmap mappers of the short-clips release (no pycortex).

The published short-clips dataset (Gallant lab, GIN/CRCNS) has one HDF5 file
per subject, ``<root>/mappers/<SUBJECT>_mappers.hdf``, that projects the
subject's voxels onto a 2-D flatmap image of its cortex. The layout, as the
dataset's own description and the voxelwise tutorials read it:

=================================  ==============================================================
dataset                            content
=================================  ==============================================================
``voxel_to_flatmap_data``          CSR parts of the sparse mapper of shape (n_pixels, n_voxels):
``voxel_to_flatmap_indices``       pixel value = mapper @ voxel values (each row holds the weights
``voxel_to_flatmap_indptr``        of the voxels a pixel averages)
``voxel_to_flatmap_shape``         ``(n_pixels, n_voxels)``
``flatmap_mask``                   bool (width, height): the pixels of the image that are cortex;
                                   its ``n_pixels`` True entries, in C order, are the mapper's rows
``flatmap_curvature`` (optional)   (width, height): binarised curvature, drawn under the data
``flatmap_rois`` (optional)        (width, height, 4): transparent RGBA image of ROI outlines
``voxel_to_fsaverage_*``           (not read here) the same for the fsaverage surface
``roi_mask_<name>``                (not read here) bool (n_voxels,) per ROI
=================================  ==============================================================

The image arrays are stored x first, with y pointing up; :func:`image_rows`
turns them into the (height, width) row order of ``imshow`` (row 0 at the top).
The mapper is used as stored: no renormalisation of its rows. A pixel of the
mask that no voxel covers is left blank (NaN).

This module is light (numpy, h5py; scipy.sparse when a file is loaded): the
workflow imports it while it builds the DAG. Drawing is in
:mod:`crossmodal.plots.mapper`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crossmodal.errors import InputError

#: Where a subject's mapper lies under the movies data root.
MAPPER_FILE = "mappers/{subject}_mappers.hdf"
#: The sparse voxel -> flatmap-pixel matrix, stored as four datasets ``<key>_<part>``.
FLATMAP_MAPPER = "voxel_to_flatmap"
SPARSE_PARTS = ("data", "indices", "indptr", "shape")
FLATMAP_MASK = "flatmap_mask"
FLATMAP_CURVATURE = "flatmap_curvature"
FLATMAP_ROIS = "flatmap_rois"
#: Every dataset a mapper file must hold.
REQUIRED_KEYS = tuple(f"{FLATMAP_MAPPER}_{part}" for part in SPARSE_PARTS) + (FLATMAP_MASK,)


def mapper_path(movies_root: str | os.PathLike, movie_subject: str) -> Path:
    """The mapper file of a movie subject under the movies data root (whether or not it exists).

    Parameters
    ----------
    movies_root : path
        The short-clips data root (``data.movies.root``).
    movie_subject : str
        The subject's name in the movie dataset (e.g. ``S01``).

    Returns
    -------
    Path
    """
    return Path(movies_root) / MAPPER_FILE.format(subject=movie_subject)


def mapper_files(subjects, movies_root: str | os.PathLike, movie_subjects: Mapping[str, str] | None = None,
                 wanted: str | bool = "auto") -> dict[str, str]:
    """The subjects whose flatmaps are drawn from their short-clips mapper, and its file.

    Decided from the paths alone (no file is opened), so the same data give
    the same jobs; a placeholder of a file not downloaded yet (a broken
    symbolic link) counts as present, and its figure job then says to fetch it.

    Parameters
    ----------
    subjects : sequence of str
        Subject names of the analysis (story names).
    movies_root : path
        The movies data root.
    movie_subjects : mapping of str to str, optional
        Story subject -> movie subject (``data.movies.subjects``); a subject not
        in it has the same name in both datasets.
    wanted : {"auto", True, False}
        ``auto``: every subject whose mapper exists; True: every subject, and a
        missing mapper is an error; False: none.

    Returns
    -------
    dict of subject to mapper path (str)

    Raises
    ------
    InputError
        ``wanted`` is True and a subject has no mapper file.
    """
    if wanted is False:
        return {}
    movie_subjects = movie_subjects or {}
    paths = {subject: mapper_path(movies_root, movie_subjects.get(subject, subject)) for subject in subjects}
    found = {subject: str(path) for subject, path in paths.items() if os.path.lexists(path)}
    missing = [str(path) for subject, path in paths.items() if subject not in found]
    if wanted is True and missing:
        raise InputError(", ".join(missing), "does not exist, and figures.mappers is true (flatmaps from the short-clips mappers)",
                         "download the mappers folder of the short-clips release, or set figures.mappers: auto or false")
    return found


def image_rows(array: np.ndarray) -> np.ndarray:
    """A stored flatmap image (x first, y up) in ``imshow`` order (rows from the top).

    Parameters
    ----------
    array : array of shape (width, height, ...)

    Returns
    -------
    array of shape (height, width, ...)
    """
    rows = np.swapaxes(np.asarray(array), 0, 1)
    return rows[::-1]


@dataclass(frozen=True)
class FlatmapMapper:
    """A subject's voxel -> flatmap-pixel projection (:func:`load_mapper`).

    Attributes
    ----------
    path : str
        The file it was read from (named in errors).
    voxel_to_flatmap : scipy.sparse.csr_matrix of shape (n_pixels, n_voxels)
    flatmap_mask : bool array of shape (width, height)
        ``n_pixels`` True entries; the k-th in C order is row k of the mapper.
    curvature : float array of shape (width, height), or None
    rois : array of shape (width, height, 4), or None
    """

    path: str
    voxel_to_flatmap: object
    flatmap_mask: np.ndarray
    curvature: np.ndarray | None = None
    rois: np.ndarray | None = None

    @property
    def n_voxels(self) -> int:
        return int(self.voxel_to_flatmap.shape[1])

    @property
    def n_pixels(self) -> int:
        return int(self.voxel_to_flatmap.shape[0])

    @property
    def image_shape(self) -> tuple[int, int]:
        """(height, width) of the drawn image."""
        width, height = self.flatmap_mask.shape
        return height, width

    def covered_pixels(self) -> np.ndarray:
        """Which of the mapper's pixels some voxel covers.

        Returns
        -------
        bool array of shape (n_pixels,)
        """
        return np.asarray(abs(self.voxel_to_flatmap).sum(axis=1)).ravel() > 0

    def pixels_to_image(self, pixels: np.ndarray) -> np.ndarray:
        """Place one value per mapper pixel into the flatmap image (NaN outside the mask).

        Parameters
        ----------
        pixels : array of shape (n_pixels,)

        Returns
        -------
        float array of shape (height, width)
        """
        stored = np.full(self.flatmap_mask.shape, np.nan)
        stored[self.flatmap_mask] = pixels
        return image_rows(stored)

    def cortex(self) -> np.ndarray:
        """The pixels drawn as cortex: in the mask and covered by a voxel.

        Returns
        -------
        bool array of shape (height, width)
        """
        return np.isfinite(self.pixels_to_image(np.where(self.covered_pixels(), 0.0, np.nan)))

    def project(self, values: np.ndarray) -> np.ndarray:
        """Voxel values as a flatmap image: each pixel is ``voxel_to_flatmap @ values``.

        Pixels outside the mask or covered by no voxel are NaN; a NaN voxel
        blanks the pixels it contributes to.

        Parameters
        ----------
        values : array of shape (n_voxels,)

        Returns
        -------
        float array of shape (height, width)
            Row 0 is the top of the image (``imshow`` order).

        Raises
        ------
        InputError
            ``values`` do not have one entry per voxel of the mapper.
        """
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (self.n_voxels,):
            raise InputError(self.path, f"maps {self.n_voxels} voxels but the values have shape {values.shape}",
                             "use the mapper of the person the scores belong to (data.movies.subjects pairs story and movie subjects)")
        pixels = np.where(self.covered_pixels(), self.voxel_to_flatmap @ values, np.nan)
        return self.pixels_to_image(pixels)


def load_mapper(path: str | os.PathLike) -> FlatmapMapper:
    """Read a subject's short-clips mapper file.

    Parameters
    ----------
    path : path
        ``<root>/mappers/<SUBJECT>_mappers.hdf``.

    Returns
    -------
    FlatmapMapper

    Raises
    ------
    InputError
        One line naming the file and what is wrong: missing, not downloaded
        (a datalad/git-annex placeholder), not HDF5, a dataset of the layout
        missing, or parts that do not fit together.
    """
    import h5py
    import scipy.sparse

    path = Path(path)
    fetch = f"fetch it again (datalad get {path}), or set figures.mappers: false to draw flatmaps without it"
    if not path.is_symlink() and not path.exists():
        raise InputError(path, "does not exist", "download the mappers folder of the short-clips release")
    from crossmodal.data.annex import require_content

    require_content(path)
    if not path.exists():
        raise InputError(path, f"is a broken symbolic link (to {os.readlink(path)})", fetch)
    if not h5py.is_hdf5(path):
        raise InputError(path, "is not an HDF5 file", fetch)
    with h5py.File(path, "r") as handle:
        missing = [key for key in REQUIRED_KEYS if key not in handle]
        if missing:
            raise InputError(path, f"has no dataset {', '.join(repr(key) for key in missing)} (a short-clips mapper holds "
                             f"{', '.join(REQUIRED_KEYS)})", fetch)
        data, indices, indptr, shape = (handle[f"{FLATMAP_MAPPER}_{part}"][()] for part in SPARSE_PARTS)
        mask = handle[FLATMAP_MASK][()]
        curvature = handle[FLATMAP_CURVATURE][()] if FLATMAP_CURVATURE in handle else None
        rois = handle[FLATMAP_ROIS][()] if FLATMAP_ROIS in handle else None
    shape = tuple(int(n) for n in np.ravel(shape))
    if len(shape) != 2:
        raise InputError(path, f"{FLATMAP_MAPPER}_shape is {shape}, not (n_pixels, n_voxels)", fetch)
    if mask.ndim != 2:
        raise InputError(path, f"{FLATMAP_MASK} has shape {mask.shape}, not (width, height)", fetch)
    mask = mask.astype(bool)
    if int(mask.sum()) != shape[0]:
        raise InputError(path, f"{FLATMAP_MASK} has {int(mask.sum())} cortex pixels but {FLATMAP_MAPPER} maps to {shape[0]}", fetch)
    try:
        matrix = scipy.sparse.csr_matrix((data, indices, indptr), shape=shape)
        matrix.check_format(full_check=True)
    except ValueError as error:
        raise InputError(path, f"the parts of {FLATMAP_MAPPER} do not form a sparse matrix of shape {shape} ({error})", fetch) from None
    for name, extra, size in ((FLATMAP_CURVATURE, curvature, 2), (FLATMAP_ROIS, rois, 3)):
        if extra is not None and (extra.ndim != size or extra.shape[:2] != mask.shape):
            raise InputError(path, f"{name} has shape {extra.shape}, which does not match {FLATMAP_MASK} {mask.shape}", fetch)
    return FlatmapMapper(str(path), matrix, mask, None if curvature is None else curvature.astype(float), rois)

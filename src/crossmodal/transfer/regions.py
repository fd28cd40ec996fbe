"""Region maps per voxel space, for region summaries and the unimodal comparison."""

from __future__ import annotations

import numpy as np

from crossmodal.regions import RegionMap, fsaverage5_regions


def region_map(space: str, n_voxels: int) -> RegionMap:
    """The region map of a voxel space.

    Parameters
    ----------
    space : {"fsaverage5", "ds003020"}
        ``fsaverage5``: coarse lobes from the mesh (see :mod:`crossmodal.regions`).
        ``ds003020``: subject space; one region, the whole cortex (pycortex
        ROIs are not used yet), with no primary-sensory mask.
    n_voxels : int

    Returns
    -------
    RegionMap
    """
    if space == "fsaverage5":
        regions = fsaverage5_regions()
        if len(regions.labels) != n_voxels:
            raise ValueError(f"fsaverage5 has {len(regions.labels)} vertices, the data {n_voxels} voxels")
        return regions
    empty = np.zeros(n_voxels, dtype=bool)
    return RegionMap(np.zeros(n_voxels, dtype=np.int16), ("cortex",), empty, empty, np.zeros((n_voxels, 3)))

"""Region maps per voxel space, for region summaries and the unimodal comparison."""

from __future__ import annotations

import logging

import numpy as np

from crossmodal.config import resource_path
from crossmodal.regions import RegionMap, fsaverage5_regions, pycortex_regions, whole_cortex

logger = logging.getLogger(__name__)


def region_map(space: str, n_voxels: int, subject: str | None = None, stories_root=None,
               primary_visual_rois=("V1",), primary_auditory_rois=("AC",), fsaverage5_definitions=None) -> RegionMap:
    """The region map of one subject's voxels.

    Parameters
    ----------
    space : {"fsaverage5", "ds003020"}
        ``fsaverage5``: coarse lobes from the mesh (see :mod:`crossmodal.regions`).
        ``ds003020``: subject space; the ROIs of the subject's pycortex
        database when pycortex and the database are present, else one region
        (whole cortex) with no primary-sensory mask.
    n_voxels : int
    subject : str or None
        Needed for ``ds003020``.
    stories_root : path or None
        The ds003020 dataset root (``data.stories.root``), for ``ds003020``.
    primary_visual_rois, primary_auditory_rois : sequences of str
        pycortex ROIs marked primary visual / auditory (``data.regions``).
    fsaverage5_definitions : path or None
        fsaverage5 region definitions (``data.regions.fsaverage5``; None: the shipped file).

    Returns
    -------
    RegionMap
    """
    if space == "fsaverage5":
        regions = fsaverage5_regions(*([resource_path(fsaverage5_definitions)] if fsaverage5_definitions else []))
        if len(regions.labels) != n_voxels:
            raise ValueError(f"fsaverage5 has {len(regions.labels)} vertices, the data {n_voxels} voxels")
        return regions
    location = None
    if subject is not None and stories_root is not None:
        from crossmodal.data.stories import pycortex_location

        location = pycortex_location(stories_root, subject)
    if location is None:
        logger.info("regions: no pycortex database for %s, so it is one region (whole cortex)", subject)
        return whole_cortex(n_voxels)
    database, xfm = location
    return pycortex_regions(database, subject, xfm, n_voxels, primary_visual_rois, primary_auditory_rois)


def region_map_from_config(regions_config: dict, subject: str, n_voxels: int) -> RegionMap:
    """:func:`region_map` from the workflow's ``regions`` params (see ``regions_params`` in common.smk).

    Parameters
    ----------
    regions_config : dict
        ``space``, ``stories_root``, ``primary_visual_rois``, ``primary_auditory_rois`` and
        ``fsaverage5`` (the region definitions file).
    subject : str
    n_voxels : int
    """
    return region_map(regions_config["space"], n_voxels, subject, regions_config["stories_root"],
                      tuple(regions_config["primary_visual_rois"]), tuple(regions_config["primary_auditory_rois"]),
                      regions_config.get("fsaverage5"))


def comparison_blocks(space: str, n_voxels: int, n_blocks: int, seed: int = 0):
    """Spatial blocks of a subject's voxels for the model-comparison bootstrap.

    Parameters
    ----------
    space : {"fsaverage5", "ds003020"}
        ``fsaverage5``: k-means on the sphere within each hemisphere (blocks
        of roughly equal area). ``ds003020``: runs of consecutive voxels of
        the cortical mask in C order, i.e. slabs of neighbouring slices.
    n_voxels, n_blocks, seed
        See :func:`crossmodal.transfer.compare.spatial_blocks`.

    Returns
    -------
    blocks : array of shape (n_voxels,), int
    """
    from crossmodal.regions import fsaverage5_sphere_coordinates
    from crossmodal.transfer.compare import spatial_blocks

    if space != "fsaverage5":
        return spatial_blocks(n_voxels, n_blocks)
    sphere = fsaverage5_sphere_coordinates()
    if len(sphere) != n_voxels:
        raise ValueError(f"fsaverage5 has {len(sphere)} vertices, the data {n_voxels} voxels")
    hemisphere = (np.arange(n_voxels) >= n_voxels // 2).astype(int)  # left then right, 10242 each
    return spatial_blocks(n_voxels, n_blocks, sphere, hemisphere, seed)

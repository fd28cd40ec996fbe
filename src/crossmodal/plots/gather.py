"""Arrays the figures draw, gathered from the workflow's score files (no plotting here).

The readers here use h5py alone, so a figure rule does not import torch or
scipy (importing :mod:`crossmodal.transfer` does, which costs seconds per job).
"""

from __future__ import annotations


import numpy as np

from crossmodal.plots.style import DIRECTION_LABELS
from crossmodal.scorefile import load_scores as read_scores  # noqa: F401  (the scripts' name)

#: Target modality of each direction, and the modality its within-modal reference is.
TARGET = {"story_to_movie": "movie", "movie_to_story": "story"}


def region_map_of(space: str, n_voxels: int):
    """The region map of a voxel space (see :func:`crossmodal.transfer.regions.region_map`), importing as little as possible."""
    if space == "fsaverage5":
        from crossmodal.regions import fsaverage5_regions

        regions = fsaverage5_regions()
        if len(regions.labels) == n_voxels:
            return regions
    from crossmodal.transfer.regions import region_map

    return region_map(space, n_voxels)


def performance_maps(results: dict, alignment: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Within- and cross-modal maps of one subject, each with its significance mask.

    Parameters
    ----------
    results : dict
        :func:`crossmodal.transfer.subject.load_scores` of one subject.
    alignment : str

    Returns
    -------
    dict of title to (r of shape (n_voxels,), significant of shape (n_voxels,))
        Rows: within story, within movie, then raw and corrected for each direction.
    """
    maps = {}
    for direction in ("movie_to_story", "story_to_movie"):
        arrays = results[direction, alignment]
        maps[f"within-modal: {TARGET[direction]} model on {TARGET[direction]}"] = (arrays["within_r"], arrays["within_significant"])
    for direction in ("story_to_movie", "movie_to_story"):
        arrays = results[direction, alignment]
        for score in ("raw", "corrected"):
            maps[f"cross-modal {DIRECTION_LABELS[direction]}, {score}"] = (arrays[f"{score}_r"], arrays[f"{score}_significant"])
    return maps


def ratio_maps(results: dict, alignment: str, score: str = "corrected") -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Transfer ratio (cross / within where within is significant) of both directions.

    Returns
    -------
    dict of title to (ratio of shape (n_voxels,), finite mask of shape (n_voxels,))
    """
    maps = {}
    for direction in ("story_to_movie", "movie_to_story"):
        ratio = np.asarray(results[direction, alignment][f"{score}_ratio"], dtype=float)
        maps[f"transfer ratio {DIRECTION_LABELS[direction]} ({score})"] = (ratio, np.isfinite(ratio))
    return maps


def within_cross_points(all_results: list[dict], region_labels: np.ndarray, alignment: str, score: str = "corrected") -> dict:
    """Within and cross scores of every voxel of every subject, with its region index.

    Returns
    -------
    dict of direction to {"within": (n,), "cross": (n,), "region": (n,)}
    """
    points = {}
    for direction in ("story_to_movie", "movie_to_story"):
        within = np.concatenate([r[direction, alignment]["within_r"] for r in all_results])
        cross = np.concatenate([r[direction, alignment][f"{score}_r"] for r in all_results])
        points[direction] = {"within": within.astype(float), "cross": cross.astype(float), "region": np.tile(region_labels, len(all_results))}
    return points


def first_alignment(available, preferred: str = "linear") -> str:
    """``preferred`` if the model set scores it, else its first alignment."""
    available = list(available)
    return preferred if preferred in available else available[0]

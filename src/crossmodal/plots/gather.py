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
            maps[f"cross-modal {DIRECTION_LABELS[direction]}, {score} (shared-tuning test)"] = (arrays[f"{score}_r"], arrays[f"{score}_significant"])
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


def within_cross_points(all_results: list[dict], all_regions: list, alignment: str,
                        score: str = "corrected") -> tuple[dict, tuple[str, ...]]:
    """Within and cross scores of every voxel of every subject, with its region index.

    Subjects may have different voxels and regions (ds003020 subject space);
    region indices refer to the union of their region names, in order of
    first appearance.

    Parameters
    ----------
    all_results : list of dict
        Each subject's scores (:func:`read_scores`).
    all_regions : list of RegionMap
        Each subject's region map (:func:`crossmodal.scorefile.load_regions`).
    alignment, score : str

    Returns
    -------
    points : dict of direction to {"within": (n,), "cross": (n,), "region": (n,)}
        ``n`` = voxels of all subjects together.
    names : tuple of str
        Region names the ``region`` indices refer to.
    """
    names: list[str] = []
    for regions in all_regions:
        names += [name for name in regions.names if name not in names]
    region = np.concatenate([np.asarray([names.index(n) for n in regions.names])[regions.labels] for regions in all_regions])
    points = {}
    for direction in ("story_to_movie", "movie_to_story"):
        within = np.concatenate([r[direction, alignment]["within_r"] for r in all_results])
        cross = np.concatenate([r[direction, alignment][f"{score}_r"] for r in all_results])
        points[direction] = {"within": within.astype(float), "cross": cross.astype(float), "region": region}
    return points, tuple(names)


def first_alignment(available, preferred: str = "linear") -> str:
    """``preferred`` if the model set scores it, else its first alignment."""
    available = list(available)
    return preferred if preferred in available else available[0]

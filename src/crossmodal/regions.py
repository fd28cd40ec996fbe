"""Coarse cortical regions on fsaverage5, derived from the mesh nilearn ships.

The parcels are defined by position on the pial surface of fsaverage5 (which
lies in MNI305 space), so they need no download and no atlas licence:

==============  =============================================================
region          vertices (pial coordinates, mm)
==============  =============================================================
occipital       y < -68
temporal        not occipital, z < 8 - 0.25 * (y + 20), |x| > 30, y < 15
sensory-motor   not the above, -38 < y < 8, z > 35
parietal        not the above, y < -38
prefrontal      not the above, y >= 8
other           the rest (insula, cingulate, medial wall)
==============  =============================================================

Two sub-masks mark primary sensory cortex, which the multimodal-vs-unimodal
comparison leaves out: *primary visual* (occipital, y < -82 or medial
calcarine |x| < 18 with y < -70) and *primary auditory* (Heschl's gyrus
region: 35 < |x| < 65, -38 < y < -8, -2 < z < 16).
These are approximations at the scale of lobes, documented as such; they are
meant for region summaries and for planting synthetic classes, not for
anatomical claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

REGION_NAMES = ("other", "occipital", "temporal", "sensory-motor", "parietal", "prefrontal")


@dataclass(frozen=True)
class RegionMap:
    """Region label of every vertex of a surface space.

    Attributes
    ----------
    labels : array of shape (n_vertices,), int
        Index into ``names`` for every vertex (left hemisphere first).
    names : tuple of str
        Region names; ``names[labels[i]]`` is vertex i's region.
    primary_visual : array of shape (n_vertices,), bool
    primary_auditory : array of shape (n_vertices,), bool
    coordinates : array of shape (n_vertices, 3), float
        Pial coordinates (mm) the regions were derived from.
    """

    labels: np.ndarray
    names: tuple[str, ...]
    primary_visual: np.ndarray
    primary_auditory: np.ndarray
    coordinates: np.ndarray

    @property
    def primary_sensory(self) -> np.ndarray:
        """Boolean mask (n_vertices,) of primary visual or auditory vertices."""
        return self.primary_visual | self.primary_auditory

    def mask(self, name: str) -> np.ndarray:
        """Boolean mask (n_vertices,) of the vertices of region ``name``."""
        return self.labels == self.names.index(name)


@lru_cache(maxsize=1)
def fsaverage5_pial_coordinates() -> np.ndarray:
    """Pial vertex coordinates of fsaverage5, left then right hemisphere.

    Returns
    -------
    coordinates : array of shape (20484, 3), float64
    """
    from nilearn.datasets import load_fsaverage

    pial = load_fsaverage("fsaverage5")["pial"]
    return np.vstack([pial.parts["left"].coordinates, pial.parts["right"].coordinates]).astype(float)


def regions_from_coordinates(coordinates: np.ndarray) -> RegionMap:
    """Assign each vertex to a coarse region by its pial position.

    Parameters
    ----------
    coordinates : array of shape (n_vertices, 3)
        MNI-like x (left-right), y (posterior-anterior), z (inferior-superior).

    Returns
    -------
    RegionMap
    """
    x, y, z = np.abs(coordinates[:, 0]), coordinates[:, 1], coordinates[:, 2]
    labels = np.zeros(len(coordinates), dtype=np.int16)
    occipital = y < -68
    temporal = ~occipital & (z < 8 - 0.25 * (y + 20)) & (x > 30) & (y < 15)
    sensory_motor = ~occipital & ~temporal & (y > -38) & (y < 8) & (z > 35)
    parietal = ~occipital & ~temporal & ~sensory_motor & (y <= -38)
    prefrontal = ~occipital & ~temporal & ~sensory_motor & ~parietal & (y >= 8)
    for index, mask in enumerate((occipital, temporal, sensory_motor, parietal, prefrontal), start=1):
        labels[mask] = index
    primary_visual = occipital & ((y < -82) | ((x < 18) & (y < -70)))
    primary_auditory = temporal & (x > 35) & (x < 65) & (y > -38) & (y < -8) & (z > -2) & (z < 16)
    return RegionMap(labels, REGION_NAMES, primary_visual, primary_auditory, coordinates)


def fsaverage5_regions() -> RegionMap:
    """The region map of the embedded default space (fsaverage5, 20,484 vertices)."""
    return regions_from_coordinates(fsaverage5_pial_coordinates())

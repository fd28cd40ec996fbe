"""Region maps: coarse lobes on fsaverage5, pycortex ROIs in ds003020 subject space.

fsaverage5
----------
Coarse cortical regions derived from the mesh nilearn ships.

The parcels are defined by position on the pial surface of fsaverage5 (which
lies in MNI305 space), so they need no download and no atlas licence. The
definitions are data, ``resources/fsaverage5_regions.yaml`` (config key
``data.regions.fsaverage5``); the shipped file says:

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

ds003020 subject space
----------------------
The ROIs drawn in the subject's pycortex database (``overlays.svg`` of
``derivative/pycortex-db/<SUBJECT>``), sampled on the voxels of the cortical
mask the responses are stored in (``mask_thick`` of the subject's transform,
C order), by ``cortex.utils.get_roi_masks(..., gm_sampler="thick")``. Voxels in
no ROI form the region ``other``; primary visual / auditory cortex are the
ROIs named in the config (``V1`` and ``AC`` by default). Without pycortex or
without the subject's overlays, the whole cortex is one region (and nothing is
marked primary sensory); the reason is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from crossmodal.errors import InputError

logger = logging.getLogger(__name__)

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
    coordinates : array of shape (n_vertices, 3), float, or None
        Pial coordinates (mm) the regions were derived from (fsaverage5 only).
    """

    labels: np.ndarray
    names: tuple[str, ...]
    primary_visual: np.ndarray
    primary_auditory: np.ndarray
    coordinates: np.ndarray | None = None

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
    from crossmodal.fsaverage import fsaverage5_mesh

    return np.vstack([fsaverage5_mesh("pial", hemi)[0] for hemi in ("left", "right")]).astype(float)


@lru_cache(maxsize=1)
def fsaverage5_sphere_coordinates() -> np.ndarray:
    """Spherical-mesh coordinates of fsaverage5, left then right.

    Returns
    -------
    coordinates : array of shape (20484, 3), float64 (radius about 100 mm)
    """
    from crossmodal.fsaverage import fsaverage5_mesh

    return np.vstack([fsaverage5_mesh("sphere", hemi)[0] for hemi in ("left", "right")]).astype(float)


#: The region definitions shipped with the repository (config key ``data.regions.fsaverage5``).
DEFAULT_FSAVERAGE5_REGIONS = Path(__file__).resolve().parents[2] / "resources" / "fsaverage5_regions.yaml"
_OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _meets(bounds: list, coordinates: dict[str, np.ndarray], source) -> np.ndarray:
    """Vertices meeting every ``[{coordinate: coefficient}, operator, value]`` bound."""
    keep = np.ones(len(coordinates["x"]), dtype=bool)
    for bound in bounds:
        if not (isinstance(bound, list) and len(bound) == 3 and isinstance(bound[0], dict) and bound[1] in _OPERATORS):
            raise InputError(source, f"bound {bound!r} is not [{{coordinate: coefficient}}, operator, value]", "see resources/fsaverage5_regions.yaml")
        unknown = set(bound[0]) - set(coordinates)
        if unknown:
            raise InputError(source, f"bound {bound!r} uses unknown coordinates {sorted(unknown)}", "use x, ax (= |x|), y, z")
        total = sum(float(weight) * coordinates[name] for name, weight in bound[0].items())
        keep &= _OPERATORS[bound[1]](total, float(bound[2]))
    return keep


def regions_from_coordinates(coordinates: np.ndarray, definitions: str | Path = DEFAULT_FSAVERAGE5_REGIONS) -> RegionMap:
    """Assign each vertex to a coarse region by its pial position, as a definitions file says.

    Parameters
    ----------
    coordinates : array of shape (n_vertices, 3)
        MNI-like x (left-right), y (posterior-anterior), z (inferior-superior).
    definitions : path
        A YAML file like ``resources/fsaverage5_regions.yaml``.

    Returns
    -------
    RegionMap
        Region names ``("other", *the file's regions in order)``.
    """
    import yaml

    definitions = Path(definitions)
    if not definitions.is_file():
        raise InputError(definitions, "region definitions not found", "point data.regions.fsaverage5 at a file like resources/fsaverage5_regions.yaml")
    spec = yaml.safe_load(definitions.read_text()) or {}
    if not isinstance(spec.get("regions"), dict) or not spec["regions"]:
        raise InputError(definitions, "needs 'regions': a mapping of region names to lists of bounds", "see resources/fsaverage5_regions.yaml")
    x, y, z = coordinates[:, 0], coordinates[:, 1], coordinates[:, 2]
    named = {"x": x, "ax": np.abs(x), "y": y, "z": z}
    names = ("other", *spec["regions"])
    labels = np.zeros(len(coordinates), dtype=np.int16)
    for index, (name, bounds) in enumerate(spec["regions"].items(), start=1):
        labels[(labels == 0) & _meets(bounds, named, definitions)] = index
    primary = {}
    for key in ("primary_visual", "primary_auditory"):
        part = spec.get(key) or {}
        if part and part.get("region") not in spec["regions"]:
            raise InputError(definitions, f"'{key}' names region {part.get('region')!r}, which is not among the regions", "name one of them")
        inside = labels == names.index(part["region"]) if part else np.zeros(len(labels), dtype=bool)
        alternatives = [_meets(bounds, named, definitions) for bounds in part.get("any_of", [])]
        primary[key] = inside & np.logical_or.reduce(alternatives) if alternatives else np.zeros(len(labels), dtype=bool)
    return RegionMap(labels, names, primary["primary_visual"], primary["primary_auditory"], coordinates)


def fsaverage5_regions(definitions: str | Path = DEFAULT_FSAVERAGE5_REGIONS) -> RegionMap:
    """The region map of the embedded default space (fsaverage5, 20,484 vertices)."""
    return regions_from_coordinates(fsaverage5_pial_coordinates(), definitions)


def whole_cortex(n_voxels: int) -> RegionMap:
    """One region, ``cortex``, for every voxel; nothing marked primary sensory.

    Parameters
    ----------
    n_voxels : int

    Returns
    -------
    RegionMap
    """
    empty = np.zeros(n_voxels, dtype=bool)
    return RegionMap(np.zeros(n_voxels, dtype=np.int16), ("cortex",), empty, empty.copy())


def regions_from_roi_masks(roi_masks: dict[str, np.ndarray], cortical_mask: np.ndarray,
                           primary_visual_rois=("V1",), primary_auditory_rois=("AC",)) -> RegionMap:
    """Region map of the voxels of a cortical mask, from ROI masks of the same volume.

    Parameters
    ----------
    roi_masks : dict of str to array of shape (Z, Y, X), bool
        One boolean volume per ROI (disjoint; where they overlap, the ROI
        first in sorted name order wins).
    cortical_mask : array of shape (Z, Y, X), bool
        The voxels the responses are stored for; column ``i`` of a response
        matrix is the ``i``-th True voxel in C order.
    primary_visual_rois, primary_auditory_rois : sequences of str
        ROIs marked primary visual / auditory (missing names are ignored).

    Returns
    -------
    RegionMap
        Over ``cortical_mask.sum()`` voxels; names are ``other`` (index 0) then
        the ROIs in sorted order.
    """
    cortical_mask = np.asarray(cortical_mask, dtype=bool)
    names = sorted(roi_masks)
    labels = np.zeros(int(cortical_mask.sum()), dtype=np.int16)
    for index in range(len(names), 0, -1):  # the first name is written last, so it wins overlaps
        mask = np.asarray(roi_masks[names[index - 1]], dtype=bool)
        if mask.shape != cortical_mask.shape:
            raise InputError(f"ROI {names[index - 1]!r}", f"has shape {mask.shape}, the cortical mask {cortical_mask.shape}",
                             "sample the ROIs with the same transform as the cortical mask")
        labels[mask[cortical_mask]] = index
    all_names = ("other", *names)

    def marked(rois) -> np.ndarray:
        wanted = [all_names.index(name) for name in rois if name in names]
        return np.isin(labels, wanted)

    return RegionMap(labels, all_names, marked(primary_visual_rois), marked(primary_auditory_rois))


def use_pycortex_database(database: str | Path):
    """Import pycortex and point its database at ``database`` (a pycortex filestore).

    Returns
    -------
    cortex : module
    """
    import cortex

    database = str(Path(database).resolve())
    if getattr(cortex.db, "filestore", None) != database:
        cortex.db.filestore = database
        if hasattr(cortex.db, "_subjects"):
            cortex.db._subjects = None  # pycortex lists the filestore's subjects lazily
    return cortex


def pycortex_regions(database: str | Path, subject: str, xfm: str, n_voxels: int,
                     primary_visual_rois=("V1",), primary_auditory_rois=("AC",)) -> RegionMap:
    """ROI region map of a ds003020 subject, or the whole cortex when the ROIs cannot be read.

    Parameters
    ----------
    database : path
        The pycortex filestore (``derivative/pycortex-db``).
    subject : str
    xfm : str
        The subject's transform (``subject_xfms.json``).
    n_voxels : int
        Columns of the subject's response matrices; must equal the voxels of
        the transform's ``thick`` mask.
    primary_visual_rois, primary_auditory_rois : sequences of str

    Returns
    -------
    RegionMap
    """
    overlays = Path(database) / subject / "overlays.svg"
    try:
        import cortex  # noqa: F401
    except ImportError:
        logger.info("regions: pycortex is not installed, so %s is one region (whole cortex); "
                    "pip install 'crossmodal-encoding[pycortex]' for ROI summaries", subject)
        return whole_cortex(n_voxels)
    if not overlays.is_file():
        logger.info("regions: %s not found, so %s is one region (whole cortex)", overlays, subject)
        return whole_cortex(n_voxels)
    cortex = use_pycortex_database(database)
    cortical_mask = np.asarray(cortex.db.get_mask(subject, xfm, "thick"), dtype=bool)
    if int(cortical_mask.sum()) != n_voxels:
        raise InputError(f"{Path(database) / subject} (transform {xfm})",
                         f"its thick cortical mask has {int(cortical_mask.sum())} voxels but the responses have {n_voxels}",
                         "check subject_xfms.json names the transform the responses were extracted with")
    roi_masks = cortex.utils.get_roi_masks(subject, xfm, roi_list=None, gm_sampler="thick", allow_overlap=False,
                                           fail_for_missing_rois=False, return_dict=True)
    regions = regions_from_roi_masks(roi_masks, cortical_mask, primary_visual_rois, primary_auditory_rois)
    logger.info("regions: %s has %d ROIs from %s (%.1f%% of voxels in none)", subject, len(regions.names) - 1,
                overlays, 100 * float(np.mean(regions.labels == 0)) if n_voxels else 0.0)
    return regions

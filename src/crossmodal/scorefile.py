"""The transfer score file: ``<direction>/<alignment>/<name>`` datasets per voxel.

Names: ``<score>_r`` (score ``raw`` or ``corrected``), the shared-tuning
test ``<score>_p``, ``<score>_q``, ``<score>_significant`` (the headline),
the paper's response-permutation test ``<score>_p_tracking`` and
``<score>_significant_tracking``, the untuned-source null alone
``<score>_p_untuned``, ``within_r``, ``within_p``, ``within_q``,
``within_significant``, ``sign``, ``gain``, ``<score>_ratio``
(:mod:`crossmodal.transfer.scoring`), and the target test run's noise
ceiling ``ceiling_r`` with ``raw_of_ceiling``, ``corrected_of_ceiling``,
``within_of_ceiling`` (score / ceiling; NaN without test repeats,
:mod:`crossmodal.ceiling`).

Beside the scores, the file holds the subject's region map (group
``regions``: ``labels``, ``primary_visual``, ``primary_auditory`` per voxel and
the region names as an attribute), computed once by the job that scores the
subject, so every later table and figure uses the same regions.

Kept apart from :mod:`crossmodal.transfer` so that figure jobs can read score
files without importing scipy or torch through the package ``__init__``.
"""

from __future__ import annotations

import os

import h5py
import numpy as np

from crossmodal.h5io import atomic_h5


REGIONS_GROUP = "regions"


def save_scores(path: str | os.PathLike, results: dict[tuple[str, str], dict[str, np.ndarray]], regions=None,
                direction_attrs: dict[str, dict] | None = None, **attrs) -> None:
    """Write scores as ``<direction>/<alignment>/<name>`` datasets (temporary file, then rename).

    Parameters
    ----------
    path : path
    results : dict of (direction, alignment) to dict of name to (n_voxels,) arrays
    regions : crossmodal.regions.RegionMap or None
        The subject's region map over the same voxels, stored in ``regions/``.
    direction_attrs : dict of direction to dict, optional
        Attributes of each direction's group (e.g. the untuned-source null's
        noise model).
    **attrs
        File attributes (model, subject, layer).
    """
    with atomic_h5(path) as handle:
        for (direction, alignment), arrays in results.items():
            group = handle.create_group(f"{direction}/{alignment}")
            for name, values in arrays.items():
                group.create_dataset(name, data=values)
        for direction, values in (direction_attrs or {}).items():
            if direction in handle:
                handle[direction].attrs.update({key: np.asarray(value) for key, value in values.items()})
        if regions is not None:
            group = handle.create_group(REGIONS_GROUP)
            group.create_dataset("labels", data=np.asarray(regions.labels, dtype=np.int16))
            group.create_dataset("primary_visual", data=np.asarray(regions.primary_visual, dtype=bool))
            group.create_dataset("primary_auditory", data=np.asarray(regions.primary_auditory, dtype=bool))
            group.attrs["names"] = list(regions.names)
        handle.attrs.update(attrs)


def load_regions(path: str | os.PathLike):
    """The region map stored with the scores (see :func:`save_scores`).

    Returns
    -------
    crossmodal.regions.RegionMap
    """
    from crossmodal.errors import InputError
    from crossmodal.regions import RegionMap

    with h5py.File(path, "r") as handle:
        if REGIONS_GROUP not in handle:
            raise InputError(path, "has no region map (written by an older version)",
                             "delete it and rerun the workflow so score_transfer writes it again")
        group = handle[REGIONS_GROUP]
        names = tuple(str(name.decode() if isinstance(name, bytes) else name) for name in group.attrs["names"])
        return RegionMap(group["labels"][()], names, group["primary_visual"][()], group["primary_auditory"][()])


def load_scores(path: str | os.PathLike) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """Read scores written by :func:`save_scores` (not the region map: :func:`load_regions`)."""
    results = {}
    with h5py.File(path, "r") as handle:
        for direction in handle:
            if direction == REGIONS_GROUP:
                continue
            for alignment in handle[direction]:
                group = handle[direction][alignment]
                results[direction, alignment] = {name: group[name][()] for name in group}
    return results

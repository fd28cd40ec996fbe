"""The fsaverage5 meshes that nilearn ships, read with nibabel without importing ``nilearn.datasets``.

``nilearn.datasets.load_fsaverage("fsaverage5")`` reads these same GIFTI files,
but importing ``nilearn.datasets`` imports scikit-learn and nilearn's atlas
fetchers (about 1.5 s on 2 cores), and every scoring, comparison and flatmap
job needs only the coordinates of one mesh. Where the files are not found
(another nilearn layout) this falls back to ``load_fsaverage``; the tests
compare every mesh used here with ``load_fsaverage``.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Meshes read here, by nilearn's file prefix, and their names in ``load_fsaverage``'s result.
MESHES = {"pial": "pial", "sphere": "sphere", "flat": "flat"}
HEMISPHERES = ("left", "right")


def shipped_folder() -> Path | None:
    """Folder of the fsaverage5 files inside the installed nilearn (found without importing it), or None."""
    spec = importlib.util.find_spec("nilearn")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "datasets" / "data" / "fsaverage5"


@lru_cache(maxsize=None)
def fsaverage5_mesh(part: str, hemi: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertex coordinates and triangles of one fsaverage5 hemisphere.

    Parameters
    ----------
    part : {"pial", "sphere", "flat"}
    hemi : {"left", "right"}

    Returns
    -------
    coordinates : array of shape (10242, 3)
        As stored in the file (float32; flat: x, y and a zero z).
    faces : int array of shape (n_faces, 3)
    """
    if part not in MESHES or hemi not in HEMISPHERES:
        raise ValueError(f"fsaverage5_mesh: unknown mesh {part!r}, {hemi!r}; use one of {sorted(MESHES)} and {HEMISPHERES}")
    folder = shipped_folder()
    path = None if folder is None else folder / f"{part}_{hemi}.gii.gz"
    if path is None or not path.is_file():
        from nilearn.datasets import load_fsaverage

        mesh = load_fsaverage("fsaverage5")[MESHES[part]].parts[hemi]
        return np.asarray(mesh.coordinates), np.asarray(mesh.faces)
    import nibabel

    image = nibabel.load(path)
    return np.asarray(image.agg_data("NIFTI_INTENT_POINTSET")), np.asarray(image.agg_data("NIFTI_INTENT_TRIANGLE"))

"""fsaverage5 meshes read from nilearn's shipped files: identical to nilearn's own loader, which stays the reference."""

import subprocess
import sys

import numpy as np
import pytest
from nilearn.datasets import load_fsaverage

from crossmodal import fsaverage
from crossmodal.fsaverage import fsaverage5_mesh


@pytest.mark.parametrize("part", sorted(fsaverage.MESHES))
@pytest.mark.parametrize("hemi", fsaverage.HEMISPHERES)
def test_meshes_equal_nilearns(part, hemi):
    reference = load_fsaverage("fsaverage5")[fsaverage.MESHES[part]].parts[hemi]
    coordinates, faces = fsaverage5_mesh(part, hemi)
    assert coordinates.shape == (10242, 3) and faces.shape[1] == 3
    np.testing.assert_array_equal(coordinates, reference.coordinates)
    np.testing.assert_array_equal(faces, reference.faces)


def test_falls_back_to_nilearn_where_the_files_are_not_found(monkeypatch, tmp_path):
    monkeypatch.setattr(fsaverage, "shipped_folder", lambda: tmp_path / "nowhere")
    fsaverage.fsaverage5_mesh.cache_clear()
    try:
        coordinates, faces = fsaverage5_mesh("sphere", "right")
    finally:
        fsaverage.fsaverage5_mesh.cache_clear()
    reference = load_fsaverage("fsaverage5")["sphere"].parts["right"]
    np.testing.assert_array_equal(coordinates, reference.coordinates)
    np.testing.assert_array_equal(faces, reference.faces)
    with pytest.raises(ValueError, match="unknown mesh 'inflated'"):
        fsaverage5_mesh("inflated", "left")


def test_region_coordinates_do_not_import_nilearn_datasets():
    """The point of the module: scoring jobs read coordinates without importing nilearn.datasets (and sklearn)."""
    code = ("import sys; from crossmodal.regions import fsaverage5_pial_coordinates, fsaverage5_sphere_coordinates; "
            "assert fsaverage5_pial_coordinates().shape == fsaverage5_sphere_coordinates().shape == (20484, 3); "
            "print(sorted(m for m in ('nilearn.datasets', 'sklearn') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

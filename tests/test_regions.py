"""Region maps in ds003020 subject space: pycortex ROIs on the voxels of the cortical mask.

pycortex is an optional extra and is not installed in CI, so the glue to it is
tested against a stand-in ``cortex`` module with pycortex's interface
(``cortex.db.get_mask``, ``cortex.utils.get_roi_masks``); the mapping from ROI
volumes to response columns is tested with exact, hand-made volumes.
"""

from __future__ import annotations

import json
import sys
import types

import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.regions import pycortex_regions, regions_from_roi_masks, whole_cortex
from crossmodal.scorefile import load_regions, load_scores, save_scores
from crossmodal.transfer.regions import region_map

SHAPE = (3, 4, 5)


def volumes():
    """A cortical mask and three ROIs (V1 and IPS overlap in one voxel), with the expected labels."""
    rng = np.random.default_rng(0)
    cortical = rng.random(SHAPE) < 0.6
    v1, ac, ips = (np.zeros(SHAPE, bool) for _ in range(3))
    v1[0, :2] = True
    ac[1, 2:] = True
    ips[0, 1, :] = True  # overlaps V1 in row 0, 1
    ips[2, 3, :] = True
    expected = np.zeros(SHAPE, np.int16)  # names: other, AC, IPS, V1 (sorted); first sorted name wins overlaps
    expected[v1] = 3
    expected[ips] = 2
    expected[ac] = 1
    return cortical, {"V1": v1, "AC": ac, "IPS": ips}, expected


def test_roi_masks_map_to_columns_in_c_order():
    cortical, masks, expected = volumes()
    regions = regions_from_roi_masks(masks, cortical, primary_visual_rois=("V1",), primary_auditory_rois=("AC", "A1"))
    assert regions.names == ("other", "AC", "IPS", "V1")
    # column i is the i-th cortical voxel in C order
    columns = np.argwhere(cortical)
    for column, (z, y, x) in enumerate(columns):
        assert regions.labels[column] == expected[z, y, x]
    assert regions.labels.shape == (cortical.sum(),)
    assert np.array_equal(regions.primary_visual, regions.labels == 3)
    assert np.array_equal(regions.primary_auditory, regions.labels == 1)  # "A1" is absent and ignored
    assert np.array_equal(regions.primary_sensory, np.isin(regions.labels, [1, 3]))


def test_roi_mask_of_another_shape_is_rejected():
    cortical, masks, _ = volumes()
    masks["V1"] = masks["V1"][:2]
    with pytest.raises(InputError, match="ROI 'V1'.*has shape"):
        regions_from_roi_masks(masks, cortical)


class FakeDatabase:
    def __init__(self, cortical):
        self.filestore = "/nowhere"
        self._subjects = {"cached": True}
        self.cortical = cortical
        self.mask_requests = []

    def get_mask(self, subject, xfm, type):
        self.mask_requests.append((self.filestore, subject, xfm, type))
        return self.cortical


@pytest.fixture
def fake_cortex(monkeypatch):
    """A stand-in pycortex: db.get_mask and utils.get_roi_masks on the hand-made volumes."""
    cortical, masks, expected = volumes()
    module = types.ModuleType("cortex")
    module.db = FakeDatabase(cortical)
    module.roi_requests = []

    def get_roi_masks(subject, xfmname, **kwargs):
        module.roi_requests.append((module.db.filestore, module.db._subjects, subject, xfmname, kwargs))
        return {name: mask & cortical for name, mask in masks.items()}

    module.utils = types.SimpleNamespace(get_roi_masks=get_roi_masks)
    monkeypatch.setitem(sys.modules, "cortex", module)
    return module, cortical, expected


def ds003020_with_pycortex(root, subject="UTS01", xfm="UTS01_auto"):
    derivative = root / "derivative"
    (derivative / "pycortex-db" / subject).mkdir(parents=True)
    (derivative / "pycortex-db" / subject / "overlays.svg").write_text("<svg/>")
    (derivative / "subject_xfms.json").write_text(json.dumps({subject: xfm}))
    return derivative / "pycortex-db"


def test_pycortex_rois_of_a_ds003020_subject(tmp_path, fake_cortex):
    module, cortical, expected = fake_cortex
    database = ds003020_with_pycortex(tmp_path)
    regions = region_map("ds003020", int(cortical.sum()), "UTS01", tmp_path, ("V1",), ("AC",))
    assert regions.names == ("other", "AC", "IPS", "V1")
    assert np.array_equal(regions.labels, expected[cortical])
    assert regions.primary_sensory.sum() == np.isin(expected[cortical], [1, 3]).sum() > 0
    # pycortex was pointed at the dataset's database, its subject list reset, the thick mask used
    store, subjects, subject, xfm, kwargs = module.roi_requests[0]
    assert store == str(database.resolve()) and subjects is None and (subject, xfm) == ("UTS01", "UTS01_auto")
    assert kwargs["gm_sampler"] == "thick" and kwargs["roi_list"] is None
    assert module.db.mask_requests == [(str(database.resolve()), "UTS01", "UTS01_auto", "thick")]


def test_voxel_count_differing_from_the_mask_is_one_clear_error(tmp_path, fake_cortex):
    _, cortical, _ = fake_cortex
    ds003020_with_pycortex(tmp_path)
    with pytest.raises(InputError, match=f"thick cortical mask has {cortical.sum()} voxels but the responses have 7"):
        region_map("ds003020", 7, "UTS01", tmp_path)


def test_whole_cortex_without_pycortex_or_its_database(tmp_path, monkeypatch, fake_cortex):
    _, cortical, _ = fake_cortex
    n_voxels = int(cortical.sum())
    (tmp_path / "derivative").mkdir()
    # no pycortex-db in the dataset
    assert region_map("ds003020", n_voxels, "UTS01", tmp_path).names == ("cortex",)
    # a database without this subject's overlays
    database = ds003020_with_pycortex(tmp_path / "other", subject="UTS02")
    assert pycortex_regions(database, "UTS02", "x", n_voxels).names == ("other", "AC", "IPS", "V1")
    (database / "UTS02" / "overlays.svg").unlink()
    assert pycortex_regions(database, "UTS02", "x", n_voxels).names == ("cortex",)
    # pycortex not installed
    (database / "UTS02" / "overlays.svg").write_text("<svg/>")
    monkeypatch.setitem(sys.modules, "cortex", None)
    regions = pycortex_regions(database, "UTS02", "x", n_voxels)
    assert regions.names == ("cortex",) and not regions.primary_sensory.any() and regions.labels.shape == (n_voxels,)


def test_subject_missing_from_subject_xfms_is_one_clear_error(tmp_path):
    ds003020_with_pycortex(tmp_path)
    (tmp_path / "derivative" / "pycortex-db" / "UTS02").mkdir()
    with pytest.raises(InputError, match="subject_xfms.json.*no transform for subject 'UTS02'"):
        region_map("ds003020", 10, "UTS02", tmp_path)


def test_region_map_travels_with_the_scores(tmp_path):
    cortical, masks, _ = volumes()
    regions = regions_from_roi_masks(masks, cortical)
    n = int(cortical.sum())
    results = {("story_to_movie", "linear"): {"raw_r": np.linspace(-1, 1, n, dtype=np.float32)}}
    save_scores(tmp_path / "s.h5", results, regions=regions, subject="UTS01")
    loaded = load_regions(tmp_path / "s.h5")
    assert loaded.names == regions.names
    assert np.array_equal(loaded.labels, regions.labels)
    assert np.array_equal(loaded.primary_visual, regions.primary_visual)
    assert np.array_equal(loaded.primary_auditory, regions.primary_auditory)
    assert list(load_scores(tmp_path / "s.h5")) == [("story_to_movie", "linear")]
    save_scores(tmp_path / "old.h5", results)
    with pytest.raises(InputError, match="has no region map"):
        load_regions(tmp_path / "old.h5")
    assert not list(tmp_path.glob("*.partial"))


def test_whole_cortex_map():
    regions = whole_cortex(4)
    assert regions.names == ("cortex",) and np.array_equal(regions.labels, np.zeros(4))
    assert regions.mask("cortex").all() and not regions.primary_sensory.any()


def test_region_definitions_file_reproduces_the_lobe_rules(tmp_path):
    """resources/fsaverage5_regions.yaml gives exactly the lobes of these rules (an independent reference)."""
    from crossmodal.errors import InputError
    from crossmodal.regions import fsaverage5_pial_coordinates, fsaverage5_regions, regions_from_coordinates

    c = fsaverage5_pial_coordinates()
    x, y, z = np.abs(c[:, 0]), c[:, 1], c[:, 2]
    occipital = y < -68
    temporal = ~occipital & (z < 8 - 0.25 * (y + 20)) & (x > 30) & (y < 15)
    sensory_motor = ~occipital & ~temporal & (y > -38) & (y < 8) & (z > 35)
    parietal = ~occipital & ~temporal & ~sensory_motor & (y <= -38)
    prefrontal = ~occipital & ~temporal & ~sensory_motor & ~parietal & (y >= 8)
    expected = np.zeros(len(c), dtype=int)
    for index, mask in enumerate((occipital, temporal, sensory_motor, parietal, prefrontal), start=1):
        expected[mask] = index
    regions = fsaverage5_regions()
    assert regions.names == ("other", "occipital", "temporal", "sensory-motor", "parietal", "prefrontal")
    np.testing.assert_array_equal(regions.labels, expected)
    np.testing.assert_array_equal(regions.primary_visual, occipital & ((y < -82) | ((x < 18) & (y < -70))))
    np.testing.assert_array_equal(regions.primary_auditory, temporal & (x > 35) & (x < 65) & (y > -38) & (y < -8) & (z > -2) & (z < 16))
    own = tmp_path / "halves.yaml"
    own.write_text("regions:\n  anterior: [[{y: 1}, '>=', 0]]\n  posterior: [[{y: 1}, '<', 0]]\n")
    halves = regions_from_coordinates(c, own)
    assert halves.names == ("other", "anterior", "posterior") and not halves.primary_sensory.any()
    np.testing.assert_array_equal(halves.labels, np.where(y >= 0, 1, 2))
    own.write_text("regions:\n  bad: [[{w: 1}, '<', 0]]\n")
    with pytest.raises(InputError, match="unknown coordinates"):
        regions_from_coordinates(c, own)

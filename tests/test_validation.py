"""Validation against the planted truth: exact recovery rows and the oracle encoding fit."""

import numpy as np
import pytest

from crossmodal.data import load_ds003020, load_shortclips
from crossmodal.encoding.subject import EncodingSettings
from crossmodal.errors import InputError
from crossmodal.simulate import TEST_STORY
from crossmodal.simulate.oracle import latent_runs, oracle_design, oracle_fit, responsive_mean
from crossmodal.transfer.validation import false_discovery_proportion, recovery_row


def test_recovery_row_exact_numbers():
    voxel_class = np.array([0, 0, 1, 1, 2, 2, 3, 3, 3, 3])
    score = np.array([0.0, 0.1, 0.2, 0.0, 0.3, 0.1, 0.9, 0.8, 0.7, 0.05])
    significant = np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0], dtype=bool)
    tracking = np.array([1, 0, 1, 0, 1, 1, 1, 1, 1, 1], dtype=bool)
    row = recovery_row(voxel_class, score, significant, tracking)
    assert row["n_significant"] == 4 and row["false_discovery_proportion"] == pytest.approx(1 / 4)
    assert row["fraction_significant_none"] == 0 and row["fraction_significant_vision_only"] == pytest.approx(0.5)
    assert row["detection_rate"] == row["fraction_significant_multimodal"] == pytest.approx(0.75)
    assert row["false_positive_rate"] == pytest.approx(1 / 6)
    assert row["tracking_n_significant"] == 8 and row["tracking_false_discovery_proportion"] == pytest.approx(4 / 8)
    # AUC: multimodal scores 0.9, 0.8, 0.7, 0.05 against 0.0, 0.1, 0.2, 0.0, 0.3, 0.1 -> 3 of 4 above all six, 0.05 above two
    assert row["auc"] == pytest.approx((3 * 6 + 2) / 24)
    assert false_discovery_proportion(voxel_class, np.zeros(10, bool)) == 0.0


def test_recovery_row_without_multimodal_voxels():
    row = recovery_row(np.array([0, 1, 2, 0]), np.array([0.1, 0.2, 0.3, 0.0]), np.array([0, 0, 1, 0], bool))
    assert np.isnan(row["auc"]) and np.isnan(row["detection_rate"]) and row["false_discovery_proportion"] == 1.0


def test_latents_are_matched_by_run_name(small_dataset):
    stories = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    names = [r.name for r in stories.runs]
    forward, backward = latent_runs(small_dataset.ground_truth, "story", names), latent_runs(small_dataset.ground_truth, "story", names[::-1])
    for a, b in zip(forward, backward[::-1]):
        np.testing.assert_array_equal(a, b)
    assert forward[0].shape == (stories.runs[0].n_trs, 8 + 1)  # shared concepts + word rate (the default plants no story-only concept)
    with pytest.raises(InputError, match="has no latents of story run 'nosuchstory'"):
        latent_runs(small_dataset.ground_truth, "story", ["nosuchstory"])


@pytest.mark.parametrize("modality", ["story", "movie"])
def test_oracle_fit_recovers_planted_voxels(small_dataset, modality):
    """The oracle design has the response rows of every run; its fit predicts driven voxels far better than the rest."""
    import h5py

    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY]) if modality == "story" else load_shortclips(small_dataset.movies_root, "UTS01")
    settings = EncodingSettings.from_config(n_folds=2, voxel_batch=8192)
    design = oracle_design(small_dataset.ground_truth, data, settings.delays)
    assert len(design.train_design) == sum(r.n_trs for r in data.train_runs) and len(design.test_design) == data.test_runs[0].n_trs
    fit = oracle_fit(small_dataset.ground_truth, data, settings)
    with h5py.File(small_dataset.ground_truth, "r") as truth:
        voxel_class = truth["voxel_class"][()]
    driven = responsive_mean(fit.test_scores, voxel_class, modality)
    # 80 training TRs: the driven mean varies with the draw (0.41-0.63 over simulate seeds 0-2); mismatched rows give ~0
    assert driven > 0.35 and abs(float(np.mean(fit.test_scores[voxel_class == 0]))) < 0.05

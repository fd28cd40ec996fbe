"""Tests of crossmodal.transfer.compare: model comparison and region summaries."""

import numpy as np
import pytest
from scipy import stats

from crossmodal.errors import InputError
from crossmodal.transfer import across_subjects, block_bootstrap_mean, paired_difference, region_summary, spatial_blocks


def test_spatial_blocks_slabs_and_kmeans():
    assert spatial_blocks(10, 3).tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert spatial_blocks(4, 10).tolist() == [0, 1, 2, 3]  # never more blocks than voxels
    rng = np.random.default_rng(0)
    centres = rng.uniform(-100, 100, size=(5, 3))
    cluster = np.repeat(np.arange(5), 40)
    points = centres[cluster] + rng.normal(0, 1.0, size=(200, 3))
    coordinates = np.vstack([points, points])  # two hemispheres at the same place (as fsaverage spheres are)
    hemisphere = np.repeat([0, 1], 200)
    blocks = spatial_blocks(400, 10, coordinates, hemisphere, seed=0)
    assert len(np.unique(blocks)) == 10
    for block in np.unique(blocks):
        members = blocks == block
        assert len(np.unique(hemisphere[members])) == 1  # no block spans two hemispheres
        assert len(np.unique(cluster[np.tile(np.arange(200), 2)][members])) == 1  # each block is one compact cluster
    assert np.array_equal(blocks, spatial_blocks(400, 10, coordinates, hemisphere, seed=0))  # seeded
    with pytest.raises(InputError, match="coordinates"):
        spatial_blocks(400, 10, coordinates[:, :2])


def test_block_bootstrap_independent_voxels_matches_closed_form():
    rng = np.random.default_rng(1)
    values = rng.normal(0.3, 1.0, size=4000)
    result = block_bootstrap_mean(values, np.arange(4000), n_bootstrap=4000, seed=0)
    assert result["mean"] == pytest.approx(values.mean())
    half_width = stats.norm.ppf(0.975) * values.std(ddof=1) / np.sqrt(4000)
    assert result["ci_high"] - result["ci_low"] == pytest.approx(2 * half_width, rel=0.1)
    assert result["ci_low"] == pytest.approx(values.mean() - half_width, abs=0.2 * half_width)
    assert result["p"] == pytest.approx(2 / 4001)  # every draw above 0
    assert result["n_blocks"] == 4000 and result["n_voxels"] == 4000


def test_block_bootstrap_covers_the_truth_under_spatial_dependence():
    """Voxels of a block share an offset: the block bootstrap keeps 95% coverage, a voxel bootstrap does not."""
    rng = np.random.default_rng(2)
    blocks = np.repeat(np.arange(40), 10)
    covered_blocks, covered_voxels = 0, 0
    for repeat in range(300):
        values = rng.normal(0, 2, size=40)[blocks] + rng.normal(0, 1, size=400)  # true mean 0; theory: voxel CI covers 50%
        by_block = block_bootstrap_mean(values, blocks, n_bootstrap=500, seed=repeat)
        by_voxel = block_bootstrap_mean(values, np.arange(400), n_bootstrap=500, seed=repeat)
        covered_blocks += by_block["ci_low"] <= 0 <= by_block["ci_high"]
        covered_voxels += by_voxel["ci_low"] <= 0 <= by_voxel["ci_high"]
    assert 0.89 <= covered_blocks / 300 <= 0.99
    assert covered_voxels / 300 < 0.65


def test_block_bootstrap_edge_cases():
    values = np.array([0.1, np.nan, 0.3])
    one_block = block_bootstrap_mean(values, np.zeros(3, dtype=int))
    assert one_block["mean"] == pytest.approx(0.2) and one_block["ci_low"] == one_block["ci_high"] == pytest.approx(0.2)
    assert np.isnan(one_block["p"]) and one_block["n_voxels"] == 2
    empty = block_bootstrap_mean(np.full(3, np.nan), np.arange(3))
    assert empty["n_voxels"] == 0 and np.isnan(empty["mean"])
    with pytest.raises(InputError, match="blocks"):
        block_bootstrap_mean(values, np.arange(2))


def test_paired_difference_exact_numbers():
    a = np.array([0.5, 0.2, np.nan, 0.4, 0.9, 0.1])
    b = np.array([0.1, 0.3, 0.2, 0.4, -1.0, 0.0])
    entered = np.array([True, True, True, True, False, True])  # voxel 4 is left out by the mask, voxel 2 by NaN
    result = paired_difference(a, b, entered, np.array([0, 0, 1, 1, 2, 2]), n_bootstrap=500)
    assert result["n_voxels"] == 4 and result["n_blocks"] == 3
    assert result["mean_a"] == pytest.approx(0.3) and result["mean_b"] == pytest.approx(0.2)
    assert result["mean_difference"] == pytest.approx(0.1)
    assert result["fraction_a_wins"] == pytest.approx(0.5)  # 0.4 vs 0.4 is a tie, not a win
    assert result["ci_low"] <= 0.1 <= result["ci_high"]


def test_across_subjects_is_a_paired_t_test():
    rng = np.random.default_rng(3)
    mean_a, mean_b = rng.uniform(0.1, 0.3, 6), rng.uniform(0.1, 0.3, 6)
    result = across_subjects(mean_a - mean_b)
    expected = stats.ttest_rel(mean_a, mean_b)
    assert result["n_subjects"] == 6
    assert result["t_statistic"] == pytest.approx(expected.statistic) and result["p"] == pytest.approx(expected.pvalue)
    d = mean_a - mean_b
    assert result["t_statistic"] == pytest.approx(d.mean() / (d.std(ddof=1) / np.sqrt(6)))  # closed form
    assert np.isnan(across_subjects([0.1])["p"]) and np.isnan(across_subjects([0.1, 0.1])["p"])
    assert across_subjects([0.1, np.nan, 0.3])["n_subjects"] == 2


def test_region_summary_exact_numbers():
    scores = np.array([0.1, 0.3, np.nan, 0.2, 0.4, 0.6, 0.9, -0.5])
    significant = np.array([True, False, True, True, True, False, True, True])
    labels = np.array([0, 0, 0, 1, 1, 1, -1, 3])
    rows = region_summary(scores, significant, labels, ("other", "occipital", "temporal", "parietal"))
    assert [row["region"] for row in rows] == ["other", "occipital", "temporal", "parietal"]
    assert [row["n_voxels"] for row in rows] == [3, 3, 0, 1]
    np.testing.assert_allclose([row["mean_score"] for row in rows], [0.2, 0.4, np.nan, -0.5])
    np.testing.assert_allclose([row["fraction_significant"] for row in rows], [2 / 3, 2 / 3, np.nan, 1.0])
    no_flags = region_summary(scores, None, labels, {1: "occipital"} | {0: "other", 3: "parietal"})
    assert [row["region"] for row in no_flags] == ["occipital", "other", "parietal"]
    assert np.isnan(no_flags[0]["fraction_significant"])
    with pytest.raises(InputError, match="no name"):
        region_summary(scores, significant, labels, ("other", "occipital"))

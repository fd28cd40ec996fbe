"""Tests of crossmodal.transfer.compare: model comparison and region summaries."""

import numpy as np
import pytest
from scipy import stats

from crossmodal.errors import InputError
from crossmodal.transfer import compare_models, region_summary


def test_compare_models_detects_planted_difference():
    rng = np.random.default_rng(0)
    score_b = rng.uniform(-0.1, 0.4, size=2000)
    score_a = score_b + 0.05 + 0.02 * rng.standard_normal(2000)
    mask = np.ones(2000, dtype=bool)
    mask[:500] = False
    score_a[:500] = -1.0  # excluded voxels where a is much worse
    result = compare_models(score_a, score_b, mask)
    assert result["n_voxels"] == 1500
    assert result["mean_difference"] == pytest.approx(0.05, abs=0.003)
    assert result["fraction_a_wins"] > 0.98
    assert result["wilcoxon_p"] < 1e-100
    expected = stats.wilcoxon(score_a[mask], score_b[mask])
    assert result["wilcoxon_p"] == pytest.approx(expected.pvalue)
    worse = compare_models(score_a, score_b)  # without the mask a loses on 500 voxels
    assert worse["fraction_a_wins"] < 0.75


def test_compare_models_null_and_edge_cases():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(3000)
    b = rng.standard_normal(3000)
    result = compare_models(a, b)
    assert abs(result["mean_difference"]) < 0.1 and 0.45 < result["fraction_a_wins"] < 0.55
    assert result["wilcoxon_p"] > 0.001
    same = compare_models(a, a)
    assert same["wilcoxon_p"] == 1.0 and same["fraction_a_wins"] == 0.0 and same["mean_difference"] == 0.0
    a_nan = a.copy()
    a_nan[:10] = np.nan
    assert compare_models(a_nan, b)["n_voxels"] == 2990
    empty = compare_models(a, b, np.zeros(3000, dtype=bool))
    assert empty["n_voxels"] == 0 and np.isnan(empty["wilcoxon_p"])
    greater = compare_models(b + 0.1, b + rng.normal(0, 0.01, 3000), alternative="greater")
    assert greater["wilcoxon_p"] < 1e-10
    with pytest.raises(InputError):
        compare_models(a, b[:5])


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

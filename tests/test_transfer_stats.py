"""Tests of crossmodal.transfer.stats: correlation, block permutation, BH-FDR."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from crossmodal.errors import InputError
from crossmodal.transfer import (
    block_permutation_indices,
    block_permutation_orders,
    block_permutation_pvalues,
    correlate_columns,
    fdr_bh,
)

multitest = pytest.importorskip("statsmodels.stats.multitest")


def _pair(n_trs, n_voxels, effect=0.0, seed=0):
    rng = np.random.default_rng(seed)
    observed = rng.standard_normal((n_trs, n_voxels)).astype(np.float32)
    predicted = (effect * observed + rng.standard_normal((n_trs, n_voxels))).astype(np.float32)
    return predicted, observed


def _reference_pvalues(predicted, observed, block_len, n_permutations, seed):
    """Slow loop written from the documented contract only."""
    n_trs = observed.shape[0]
    n_blocks = -(-n_trs // block_len)
    rng = np.random.default_rng(seed)
    observed_r = np.array([np.corrcoef(predicted[:, j], observed[:, j])[0, 1] for j in range(observed.shape[1])])
    null = np.empty((n_permutations, observed.shape[1]))
    for k in range(n_permutations):
        order = rng.permutation(n_blocks)
        rows = np.concatenate([np.arange(b * block_len, min((b + 1) * block_len, n_trs)) for b in order])
        shuffled = observed[rows]
        null[k] = [np.corrcoef(predicted[:, j], shuffled[:, j])[0, 1] for j in range(observed.shape[1])]
    p = (1 + np.sum(null >= observed_r - 1e-6, axis=0)) / (1 + n_permutations)
    return observed_r, p, null


def test_correlate_columns_matches_corrcoef_and_zero_for_constant():
    predicted, observed = _pair(50, 6, effect=0.5)
    predicted[:, 2] = 0.1  # constant prediction
    observed[:, 4] = 3.0  # constant response
    r = correlate_columns(predicted, observed)
    assert r.dtype == np.float32 and r.shape == (6,)
    for j in (0, 1, 3, 5):
        assert r[j] == pytest.approx(np.corrcoef(predicted[:, j], observed[:, j])[0, 1], abs=1e-6)
    assert r[2] == 0 and r[4] == 0


def test_correlate_columns_rejects_bad_input():
    with pytest.raises(InputError, match="shapes differ"):
        correlate_columns(np.zeros((5, 2)), np.zeros((5, 3)))
    bad = np.ones((5, 2))
    bad[1, 1] = np.nan
    with pytest.raises(InputError, match="NaN"):
        correlate_columns(bad, np.ones((5, 2)))


@pytest.mark.parametrize("n_trs", [60, 57])  # 57: a last partial block of 7 TRs
@pytest.mark.parametrize("method", ["blocks", "gather"])
def test_pvalues_match_slow_reference_loop(n_trs, method):
    predicted, observed = _pair(n_trs, 12, effect=0.3, seed=n_trs)
    observed_r, p_ref, null_ref = _reference_pvalues(predicted, observed, 10, 150, seed=7)
    result = block_permutation_pvalues(predicted, observed, 10, 150, seed=7, return_null=True, method=method, voxel_batch=5)
    np.testing.assert_allclose(result.observed_r, observed_r, atol=1e-6)
    np.testing.assert_allclose(result.null_r, null_ref, atol=1e-5)
    np.testing.assert_array_equal(result.p_values, p_ref)


def test_orders_and_indices_follow_the_documented_contract():
    orders = block_permutation_orders(57, 10, 4, seed=3)
    rng = np.random.default_rng(3)
    for order in orders:
        np.testing.assert_array_equal(order, rng.permutation(6))
    rows = block_permutation_indices(57, 10, [5, 0, 1, 2, 3, 4])
    np.testing.assert_array_equal(rows, np.r_[50:57, 0:50])  # the partial block moves as a whole
    assert sorted(block_permutation_indices(57, 10, orders[0]).tolist()) == list(range(57))


def test_pvalues_uniform_under_the_null():
    predicted, observed = _pair(200, 3000, effect=0.0, seed=11)
    _, p, _ = block_permutation_pvalues(predicted, observed, block_len=10, n_permutations=500, seed=1)
    assert p.dtype == np.float64
    assert np.all((p >= 1 / 501) & (p <= 1))
    assert scipy_stats.kstest(p, "uniform").pvalue > 0.01
    assert np.mean(p <= 0.05) == pytest.approx(0.05, abs=0.015)


def test_pvalues_small_on_planted_effect_and_fdr_finds_it():
    predicted, observed = _pair(300, 400, effect=0.0, seed=2)
    planted = np.arange(400) < 100
    predicted[:, planted] = observed[:, planted] + 1.5 * predicted[:, planted]  # r about 0.55
    _, p, _ = block_permutation_pvalues(predicted, observed, n_permutations=200, seed=0)
    assert np.all(p[planted] == 1 / 201)
    significant, _ = fdr_bh(p, q=0.05)
    assert significant[planted].all()
    assert significant[~planted].mean() < 0.02


def test_pvalues_deterministic_and_batch_invariant():
    predicted, observed = _pair(100, 50, effect=0.2, seed=4)
    a = block_permutation_pvalues(predicted, observed, n_permutations=100, seed=5, voxel_batch=7, permutation_batch=13, return_null=True)
    b = block_permutation_pvalues(predicted, observed, n_permutations=100, seed=5, voxel_batch=4096, return_null=True)
    c = block_permutation_pvalues(predicted, observed, n_permutations=100, seed=6)
    np.testing.assert_array_equal(a.p_values, b.p_values)
    np.testing.assert_allclose(a.null_r, b.null_r, atol=1e-6)
    assert b.null_r.shape == (100, 50) and c.null_r is None
    assert not np.array_equal(a.p_values, c.p_values)


def test_constant_columns_get_r_zero_and_p_one():
    predicted, observed = _pair(80, 4, seed=8)
    predicted[:, 0] = 1.0
    observed[:, 1] = -2.0
    r, p, _ = block_permutation_pvalues(predicted, observed, n_permutations=50)
    assert r[0] == 0 and r[1] == 0
    assert p[0] == 1 and p[1] == 1


def test_permutation_rejects_bad_arguments():
    predicted, observed = _pair(15, 3)
    with pytest.raises(InputError, match="fewer than 2 blocks"):
        block_permutation_pvalues(predicted, observed, block_len=10)
    with pytest.raises(InputError, match="shapes differ"):
        block_permutation_pvalues(predicted, observed[:, :2], block_len=5)
    with pytest.raises(InputError, match="n_permutations"):
        block_permutation_pvalues(predicted, observed, block_len=5, n_permutations=0)


@pytest.mark.parametrize("q", [0.01, 0.05, 0.2])
@pytest.mark.parametrize("seed", range(4))
def test_fdr_bh_equals_statsmodels(q, seed):
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=300), rng.uniform(0, 0.002, size=40), np.ones(5), np.full(5, 0.01)])
    p = np.round(p, 3)  # many ties
    rng.shuffle(p)
    significant, q_values = fdr_bh(p, q=q)
    reject, corrected, _, _ = multitest.multipletests(p, alpha=q, method="fdr_bh")
    np.testing.assert_array_equal(significant, reject)
    np.testing.assert_allclose(q_values, corrected, rtol=1e-12, atol=0)
    assert significant.any()


def test_fdr_bh_leaves_nan_out_and_validates():
    p = np.array([0.001, np.nan, 0.04, 0.5])
    significant, q_values = fdr_bh(p)
    reject, corrected, _, _ = multitest.multipletests(p[[0, 2, 3]], method="fdr_bh")
    np.testing.assert_array_equal(significant[[0, 2, 3]], reject)
    np.testing.assert_allclose(q_values[[0, 2, 3]], corrected)
    assert not significant[1] and np.isnan(q_values[1])
    with pytest.raises(InputError):
        fdr_bh(np.array([0.5, 1.5]))
    with pytest.raises(InputError):
        fdr_bh(np.array([0.5]), q=0)

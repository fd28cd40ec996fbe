"""Z-scoring with training statistics, delays and design matrices."""

import numpy as np
import pytest

from crossmodal.features.design import add_delays, apply_zscore, build_design, zscore_runs


def test_zscore_uses_training_statistics():
    rng = np.random.default_rng(0)
    train = [rng.normal(5, 2, (40, 3)), rng.normal(5, 2, (60, 3))]
    test = [rng.normal(-10, 7, (30, 3))]
    train_z, test_z, mean, std = zscore_runs(train, test)
    stacked = np.concatenate(train)
    np.testing.assert_allclose(mean, stacked.mean(0), rtol=1e-5)
    np.testing.assert_allclose(std, stacked.std(0), rtol=1e-5)
    np.testing.assert_allclose(np.concatenate(train_z).mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(np.concatenate(train_z).std(0), 1, atol=1e-5)
    np.testing.assert_allclose(test_z[0], (test[0] - stacked.mean(0)) / stacked.std(0), rtol=1e-4, atol=1e-5)
    assert abs(test_z[0].mean()) > 2  # the test runs' own statistics were not used
    assert all(run.dtype == np.float32 for run in train_z + test_z)
    np.testing.assert_allclose(apply_zscore(test, mean, std)[0], test_z[0])


def test_constant_column_gets_unit_std():
    train = [np.column_stack([np.full(10, 3.0), np.arange(10.0)])]
    train_z, test_z, mean, std = zscore_runs(train, [np.full((4, 2), 3.0)])
    assert std[0] == 1.0
    np.testing.assert_array_equal(train_z[0][:, 0], 0.0)
    assert np.isfinite(test_z[0]).all()


def test_add_delays_shifts_and_zero_pads():
    run = np.arange(1, 6, dtype=float)[:, None]  # 1..5
    delayed = add_delays(run, (1, 2))
    assert delayed.shape == (5, 2) and delayed.dtype == np.float32
    np.testing.assert_array_equal(delayed[:, 0], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(delayed[:, 1], [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(add_delays(run, (0,))[:, 0], run[:, 0])
    np.testing.assert_array_equal(add_delays(run, (-1,))[:, 0], [2, 3, 4, 5, 0])
    np.testing.assert_array_equal(add_delays(run, (7,)), 0)


def test_delay_blocks_are_delay_major():
    run = np.arange(12, dtype=float).reshape(4, 3)
    delayed = add_delays(run, (1, 2, 3, 4))
    assert delayed.shape == (4, 12)
    np.testing.assert_array_equal(delayed[1, 0:3], run[0])
    np.testing.assert_array_equal(delayed[2, 3:6], run[0])


def test_no_leakage_across_run_boundaries():
    run1 = np.zeros((10, 2))
    run1[-1] = 1.0  # a spike at the last TR of run 1
    run2 = np.zeros((8, 2))
    design, run_ids = build_design([run1, run2], (1, 2, 3, 4))
    assert design.shape == (18, 8) and design.dtype == np.float32
    np.testing.assert_array_equal(run_ids, [0] * 10 + [1] * 8)
    assert not design[run_ids == 1].any()
    # and the spike never shows up outside run 1 (it is cut at the run end)
    assert design[run_ids == 0].sum() == 0  # delays push it past run 1's last row


def test_spike_at_run_start_stays_in_its_run():
    run1, run2 = np.zeros((6, 1)), np.zeros((6, 1))
    run2[0] = 1.0
    design, run_ids = build_design([run1, run2], (1, 2))
    assert not design[run_ids == 0].any()
    np.testing.assert_array_equal(design[run_ids == 1][:, 0], [0, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(design[run_ids == 1][:, 1], [0, 0, 1, 0, 0, 0])


def test_mismatched_runs_are_rejected():
    with pytest.raises(ValueError, match="different numbers of features"):
        build_design([np.zeros((3, 2)), np.zeros((3, 3))])

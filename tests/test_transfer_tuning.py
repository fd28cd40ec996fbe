"""Tests of crossmodal.transfer.tuning: reverse tuning and transfer ratio."""

import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.transfer import (
    apply_tuning,
    correlate_columns,
    fit_tuning,
    reverse_tuned_fraction,
    score_with_tuning,
    transfer_ratio,
    tuned_correlation,
)


def _runs(n_trs, slopes, seed):
    """Prediction and response with a planted per-voxel slope."""
    rng = np.random.default_rng(seed)
    prediction = rng.standard_normal((n_trs, len(slopes))).astype(np.float32)
    observed = (prediction * np.asarray(slopes) + 0.5 * rng.standard_normal(prediction.shape) + 2.0).astype(np.float32)
    return prediction, observed


SLOPES = np.array([0.8, -0.6, 2.0, -1.5, 0.3])


def test_fit_tuning_recovers_sign_and_least_squares_gain():
    prediction, observed = _runs(400, SLOPES, seed=0)
    sign, gain = fit_tuning(prediction, observed)
    np.testing.assert_array_equal(sign, np.sign(SLOPES))
    for j in range(len(SLOPES)):
        slope = np.polyfit(prediction[:, j], observed[:, j], 1)[0]  # least squares with offset
        assert sign[j] * gain[j] == pytest.approx(slope, rel=1e-5)
    assert sign.dtype == np.float32 and gain.dtype == np.float32 and np.all(gain >= 0)


def test_reverse_tuning_never_reads_test_data():
    train_prediction, train_observed = _runs(300, SLOPES, seed=1)
    test_prediction, test_observed = _runs(100, -SLOPES, seed=2)  # test says the opposite
    a = score_with_tuning(train_prediction, train_observed, test_prediction, test_observed)
    b = score_with_tuning(train_prediction, train_observed, test_prediction, -test_observed)
    c = score_with_tuning(train_prediction, train_observed, test_prediction, np.zeros_like(test_observed))
    for other in (b, c):
        np.testing.assert_array_equal(a.sign, other.sign)
        np.testing.assert_array_equal(a.gain, other.gain)
    np.testing.assert_array_equal(a.sign, np.sign(SLOPES))  # chosen on training runs
    np.testing.assert_allclose(b.raw_r, -a.raw_r, atol=1e-6)
    np.testing.assert_allclose(b.tuned_r, -a.tuned_r, atol=1e-6)


def test_tuned_correlation_is_sign_times_raw_and_gain_changes_mse():
    train_prediction, train_observed = _runs(300, SLOPES, seed=3)
    test_prediction, test_observed = _runs(120, SLOPES, seed=4)
    test_observed = test_observed - 2.0  # the test responses are centred, like the project's responses
    scores = score_with_tuning(train_prediction, train_observed, test_prediction, test_observed)
    raw = correlate_columns(test_prediction, test_observed)
    np.testing.assert_allclose(scores.raw_r, raw, atol=1e-7)
    np.testing.assert_allclose(scores.tuned_r, tuned_correlation(raw, scores.sign))
    np.testing.assert_allclose(scores.tuned_r, correlate_columns(scores.tuned_prediction, test_observed), atol=1e-6)
    assert np.all(scores.tuned_r > 0)  # reverse-tuned voxels corrected
    np.testing.assert_allclose(scores.tuned_prediction, apply_tuning(test_prediction, scores.sign, scores.gain))
    assert np.all(scores.tuned_mse < scores.raw_mse)  # the gain rescales predictions


def test_constant_training_prediction_keeps_sign_and_zero_gain():
    prediction, observed = _runs(50, [1.0, -1.0], seed=5)
    prediction[:, 1] = 0.7
    sign, gain = fit_tuning(prediction, observed)
    assert sign[1] == 1 and gain[1] == 0


def test_reverse_tuned_fraction_per_region():
    sign = np.array([1, -1, -1, 1, -1, 1, 1], dtype=np.float32)
    labels = np.array([0, 0, 1, 1, 1, 2, -1])
    fractions = reverse_tuned_fraction(sign, labels, ("other", "occipital", "temporal", "parietal"))
    assert fractions["other"] == 0.5
    assert fractions["occipital"] == pytest.approx(2 / 3)
    assert fractions["temporal"] == 0.0
    assert np.isnan(fractions["parietal"])
    masked = reverse_tuned_fraction(sign, labels, {1: "occipital"} | {0: "other", 2: "temporal"}, mask=sign < 0)
    assert masked == {"occipital": 1.0, "other": 1.0, "temporal": pytest.approx(np.nan, nan_ok=True)}
    assert reverse_tuned_fraction(sign, labels) == {"0": 0.5, "1": pytest.approx(2 / 3), "2": 0.0}
    with pytest.raises(InputError, match="no name"):
        reverse_tuned_fraction(sign, labels, ("other",))


def test_transfer_ratio_only_where_within_is_significant():
    cross = np.array([0.1, 0.2, 0.3, -0.1, 0.05])
    within = np.array([0.2, 0.4, 0.5, 0.2, -0.1])
    significant = np.array([True, False, True, True, True])
    ratio = transfer_ratio(cross, within, significant)
    np.testing.assert_allclose(ratio, [0.5, np.nan, 0.6, -0.5, np.nan], rtol=1e-6)
    assert ratio.dtype == np.float32
    with pytest.raises(InputError):
        transfer_ratio(cross, within[:3], significant)

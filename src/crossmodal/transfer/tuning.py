"""Reverse tuning and the transfer ratio (method.md step 5).

Reverse tuning
--------------
In visual cortex a transferred prediction can be anti-correlated with the
response. This project's correction (the paper's exact procedure is not
available): for every voxel, estimate on the **target modality's training
runs** (for story->movie: the movie training runs) how the cross-modal
prediction relates to the response,

* ``sign = +1`` if ``corr(train_prediction, train_observed) >= 0`` else ``-1``
  (a correlation of exactly 0, e.g. a constant prediction, keeps ``+1``);
* ``gain = |beta|`` where ``beta = <p_c, y_c> / <p_c, p_c>`` is the
  least-squares scale of the centred prediction ``p_c`` for the centred
  response ``y_c`` (no offset: predictions and responses follow the project's
  convention of being centred with training means); ``gain = 0`` when the
  training prediction is constant. ``sign * gain == beta``.

and apply it to the test prediction: ``corrected = sign * gain * prediction``.
Test data are never used to decide the sign or the gain: :func:`fit_tuning`
only receives training arrays, and :func:`score_with_tuning` passes only its
training arguments to it.

The correlation after tuning is ``sign * raw correlation`` (a positive gain
does not change a correlation); the gain matters for the corrected
*predictions* and their mean squared error, so both are exposed.

Transfer ratio
--------------
``cross_r / within_r`` for voxels whose within-modal score is significant
(and positive), NaN elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from crossmodal.errors import InputError
from crossmodal.transfer.stats import _as_2d, _check_same_shape, correlate_columns

__all__ = [
    "TunedScores",
    "apply_tuning",
    "fit_tuning",
    "reverse_tuned_fraction",
    "score_with_tuning",
    "transfer_ratio",
    "tuned_correlation",
]


def fit_tuning(train_prediction, train_observed) -> tuple[np.ndarray, np.ndarray]:
    """Sign and gain of each voxel's cross-modal prediction, on training runs.

    Parameters
    ----------
    train_prediction : array of shape (n_train_trs, n_voxels)
        Cross-modal prediction of the target modality's **training** runs
        (concatenated).
    train_observed : array of shape (n_train_trs, n_voxels)
        Responses of the same training runs.

    Returns
    -------
    sign : array of shape (n_voxels,), float32
        -1 where the training correlation is negative (reverse-tuned), else +1.
    gain : array of shape (n_voxels,), float32
        Non-negative least-squares scale ``|<p_c, y_c>| / <p_c, p_c>`` of the
        centred prediction; 0 where the prediction is constant.
    """
    function = "fit_tuning"
    raw_prediction = _as_2d(train_prediction, "train_prediction", function)
    p = raw_prediction.astype(np.float64)
    y = _as_2d(train_observed, "train_observed", function).astype(np.float64)
    _check_same_shape(p, y, ("train_prediction", "train_observed"), function)
    if p.shape[0] < 2:
        raise InputError(f"{function}(train_prediction)", f"needs at least 2 TRs, got {p.shape[0]}", "pass the training runs")
    p = p - p.mean(axis=0)
    y = y - y.mean(axis=0)
    cross = np.einsum("ij,ij->j", p, y)
    power = np.einsum("ij,ij->j", p, p)
    constant = (np.ptp(raw_prediction, axis=0) == 0) | (power == 0)
    beta = np.where(constant, 0.0, cross / np.where(constant, 1.0, power))
    sign = np.where(beta < 0, -1.0, 1.0).astype(np.float32)
    gain = np.abs(beta).astype(np.float32)
    return sign, gain


def apply_tuning(test_prediction, sign, gain) -> np.ndarray:
    """Apply per-voxel sign and gain to a prediction.

    Parameters
    ----------
    test_prediction : array of shape (n_trs, n_voxels)
    sign, gain : arrays of shape (n_voxels,)
        From :func:`fit_tuning`.

    Returns
    -------
    corrected : array of shape (n_trs, n_voxels), float32
        ``sign * gain * test_prediction``.
    """
    prediction = _as_2d(test_prediction, "test_prediction", "apply_tuning")
    sign = np.asarray(sign, dtype=np.float32)
    gain = np.asarray(gain, dtype=np.float32)
    if sign.shape != (prediction.shape[1],) or gain.shape != sign.shape:
        raise InputError(
            "apply_tuning(sign, gain)",
            f"expected shape ({prediction.shape[1]},), got {sign.shape} and {gain.shape}",
            "pass the output of fit_tuning for the same voxels",
        )
    return (prediction.astype(np.float32) * (sign * gain)).astype(np.float32, copy=False)


def tuned_correlation(raw_r, sign) -> np.ndarray:
    """Correlation after tuning: ``sign * raw_r``.

    Parameters
    ----------
    raw_r : array of shape (n_voxels,)
        Correlation of the uncorrected test prediction.
    sign : array of shape (n_voxels,)

    Returns
    -------
    tuned_r : array of shape (n_voxels,), float32
    """
    raw_r = np.asarray(raw_r, dtype=np.float32)
    sign = np.asarray(sign, dtype=np.float32)
    if raw_r.shape != sign.shape:
        raise InputError("tuned_correlation(raw_r, sign)", f"shapes differ: {raw_r.shape} vs {sign.shape}", "pass one value per voxel")
    return raw_r * sign


@dataclass(frozen=True)
class TunedScores:
    """Raw and reverse-tuning-corrected test scores.

    Attributes
    ----------
    sign, gain : arrays of shape (n_voxels,), float32
        Estimated on training runs only (:func:`fit_tuning`).
    raw_r, tuned_r : arrays of shape (n_voxels,), float32
        Test correlation before and after correction (``tuned_r = sign * raw_r``).
    raw_mse, tuned_mse : arrays of shape (n_voxels,), float32
        Test mean squared error of the raw and the corrected prediction.
    tuned_prediction : array of shape (n_test_trs, n_voxels), float32
        ``sign * gain * test_prediction`` (use it for permutation p-values of
        the corrected score).
    """

    sign: np.ndarray
    gain: np.ndarray
    raw_r: np.ndarray
    tuned_r: np.ndarray
    raw_mse: np.ndarray
    tuned_mse: np.ndarray
    tuned_prediction: np.ndarray


def score_with_tuning(train_prediction, train_observed, test_prediction, test_observed) -> TunedScores:
    """Fit the tuning on training runs, score raw and corrected test predictions.

    Parameters
    ----------
    train_prediction, train_observed : arrays of shape (n_train_trs, n_voxels)
        Target modality training runs: the only data the sign and gain see.
    test_prediction, test_observed : arrays of shape (n_test_trs, n_voxels)
        Target modality test runs: only scored.

    Returns
    -------
    TunedScores
    """
    sign, gain = fit_tuning(train_prediction, train_observed)
    test_prediction = _as_2d(test_prediction, "test_prediction", "score_with_tuning")
    test_observed = _as_2d(test_observed, "test_observed", "score_with_tuning")
    _check_same_shape(test_prediction, test_observed, ("test_prediction", "test_observed"), "score_with_tuning")
    if test_prediction.shape[1] != sign.shape[0]:
        raise InputError(
            "score_with_tuning(test_prediction)",
            f"has {test_prediction.shape[1]} voxels, the training arrays {sign.shape[0]}",
            "pass the same voxels for training and test runs",
        )
    raw_r = correlate_columns(test_prediction, test_observed)
    tuned = apply_tuning(test_prediction, sign, gain)
    observed = test_observed.astype(np.float32)
    raw_mse = np.mean((test_prediction.astype(np.float32) - observed) ** 2, axis=0, dtype=np.float64).astype(np.float32)
    tuned_mse = np.mean((tuned - observed) ** 2, axis=0, dtype=np.float64).astype(np.float32)
    return TunedScores(sign, gain, raw_r, tuned_correlation(raw_r, sign), raw_mse, tuned_mse, tuned)


def _region_items(region_labels, region_names, function: str) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Validate labels and names; return labels and (label, name) pairs in order."""
    labels = np.asarray(region_labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise InputError(
            f"{function}(region_labels)",
            f"expected a 1-D integer array, got shape {labels.shape} dtype {labels.dtype}",
            "pass one region index per voxel (negative = no region)",
        )
    if isinstance(region_names, Mapping):
        items = [(int(k), str(v)) for k, v in region_names.items()]
    elif isinstance(region_names, Sequence) and not isinstance(region_names, str):
        items = [(i, str(name)) for i, name in enumerate(region_names)]
    else:
        raise InputError(
            f"{function}(region_names)",
            f"expected a sequence or mapping of names, got {type(region_names).__name__}",
            "pass names[label] or {label: name}",
        )
    known = {k for k, _ in items}
    unknown = sorted(set(np.unique(labels[labels >= 0]).tolist()) - known)
    if unknown:
        raise InputError(
            f"{function}(region_labels)",
            f"labels {unknown[:5]} have no name in region_names",
            "add their names or mark those voxels with a negative label",
        )
    return labels, items


def reverse_tuned_fraction(sign, region_labels, region_names=None, mask=None) -> dict[str, float]:
    """Fraction of reverse-tuned voxels (sign -1) per region.

    Parameters
    ----------
    sign : array of shape (n_voxels,)
        From :func:`fit_tuning`.
    region_labels : array of shape (n_voxels,), int
        Region index per voxel; negative labels belong to no region.
    region_names : sequence of str or mapping {label: name}, optional
        ``region_names[label]`` names a region; default: the labels as strings.
    mask : array of shape (n_voxels,), bool, optional
        Only count these voxels (e.g. voxels significant after correction).

    Returns
    -------
    fraction : dict {region name: float}
        In the order of ``region_names``; NaN for a region without voxels.
    """
    sign = np.asarray(sign)
    if region_names is None:
        labels = np.asarray(region_labels)
        region_names = {int(k): str(int(k)) for k in np.unique(labels[labels >= 0])} if labels.size else {}
    labels, items = _region_items(region_labels, region_names, "reverse_tuned_fraction")
    if sign.shape != labels.shape:
        raise InputError("reverse_tuned_fraction(sign, region_labels)", f"shapes differ: {sign.shape} vs {labels.shape}", "pass one value per voxel")
    keep = np.ones(labels.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if keep.shape != labels.shape:
        raise InputError("reverse_tuned_fraction(mask)", f"shape {keep.shape}, expected {labels.shape}", "pass one bool per voxel")
    out = {}
    for label, name in items:
        in_region = (labels == label) & keep
        n = int(in_region.sum())
        out[name] = float(np.mean(sign[in_region] < 0)) if n else float("nan")
    return out


def transfer_ratio(cross_r, within_r, within_significant) -> np.ndarray:
    """Cross-modal score relative to the within-modal score.

    Parameters
    ----------
    cross_r : array of shape (n_voxels,)
        Cross-modal test correlation (raw or tuned).
    within_r : array of shape (n_voxels,)
        Within-modal test correlation on the same test data.
    within_significant : array of shape (n_voxels,), bool
        Within-modal significance (after FDR).

    Returns
    -------
    ratio : array of shape (n_voxels,), float32
        ``cross_r / within_r`` where ``within_significant`` and ``within_r >
        0``; NaN elsewhere (a ratio to a non-significant or non-positive
        reference is meaningless).
    """
    cross = np.asarray(cross_r, dtype=np.float32)
    within = np.asarray(within_r, dtype=np.float32)
    significant = np.asarray(within_significant, dtype=bool)
    if not (cross.shape == within.shape == significant.shape) or cross.ndim != 1:
        raise InputError(
            "transfer_ratio(cross_r, within_r, within_significant)",
            f"expected three 1-D arrays of one shape, got {cross.shape}, {within.shape}, {significant.shape}",
            "pass one value per voxel",
        )
    valid = significant & (within > 0)
    ratio = np.full(cross.shape, np.nan, dtype=np.float32)
    ratio[valid] = cross[valid] / within[valid]
    return ratio

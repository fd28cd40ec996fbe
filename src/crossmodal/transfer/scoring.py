"""Cross-modal scoring of one subject: a model fit on one modality predicts the other.

story -> movie: the language model's weights applied to movie features
brought into the text space (by the image->text map, or raw with
``alignment="none"``), scored on the movie test run; movie -> story likewise
with the vision model and the text->image map. Everything is computed in
voxel batches, with block-permutation p-values, reverse-tuning on the target
modality's training runs, and Benjamini-Hochberg FDR over voxels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossmodal.data.types import ModalityData, ResponseMatrix, ResponseRun
from crossmodal.encoding.ridge import RidgeFit
from crossmodal.features.design import apply_zscore, zscore_statistics
from crossmodal.features.grid import DesignMatrices, resample_run_features, stack_runs
from crossmodal.transfer.alignment import AlignmentMap
from crossmodal.transfer.stats import block_permutation_pvalues, fdr_bh
from crossmodal.transfer.tuning import apply_tuning, fit_tuning, transfer_ratio

#: The two transfer directions: (name, source modality, target modality).
DIRECTIONS = (("story_to_movie", "story", "movie"), ("movie_to_story", "movie", "story"))


@dataclass(frozen=True)
class StatsSettings:
    """The ``stats`` config section."""

    block_len: int = 10
    n_permutations: int = 1000
    seed: int = 0
    fdr_q: float = 0.05


def transferred_runs(
    events: dict[str, tuple[np.ndarray, np.ndarray]],
    runs: list[ResponseRun],
    mapping: AlignmentMap | None,
    cutoff_mult: float,
    window: int,
) -> list[np.ndarray]:
    """Target-modality stimulus features brought into the source model's feature space, per TR.

    Parameters
    ----------
    events : dict of run name to (values (n_events, d), times (n_events,))
        Per-event features of the target modality (frames or words).
    runs : list of ResponseRun
        Target-modality runs (their TR grids).
    mapping : AlignmentMap or None
        Map into the source model's feature space, applied to every event
        before resampling; None uses the raw features (``alignment: none``).

    Returns
    -------
    list of arrays of shape (n_trs_i, d_source), float32
    """
    out = []
    for run in runs:
        values, times = events[run.name]
        if mapping is not None:
            values = mapping.transform(values)
        out.append(resample_run_features(values, times, run, cutoff_mult, window))
    return out


def transferred_design(
    train_features: list[np.ndarray],
    test_features: list[np.ndarray],
    source_design: DesignMatrices,
    zscore: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z-score and delay transferred features as the source model expects.

    Parameters
    ----------
    train_features, test_features : lists of arrays (n_trs_i, d_source)
        Transferred features of the target modality's training and test runs.
    source_design : DesignMatrices
        The source model's design (its z-scoring statistics and delays).
    zscore : {"source", "target"}
        ``source``: the source modality's training statistics (method.md);
        ``target``: statistics of the transferred features on the target
        modality's training runs (never its test runs).

    Returns
    -------
    train_design : array of shape (n_train_trs, d_source * n_delays)
    train_run_ids : array of shape (n_train_trs,)
    test_design : array of shape (n_test_trs, d_source * n_delays)
    """
    if zscore == "source":
        mean, std = source_design.feature_mean, source_design.feature_std
    elif zscore == "target":
        mean, std = zscore_statistics(train_features)
    else:
        raise ValueError(f"zscore must be 'source' or 'target', got {zscore!r}")
    train_design, train_ids = stack_runs(apply_zscore(train_features, mean, std), source_design.delays)
    test_design, _ = stack_runs(apply_zscore(test_features, mean, std), source_design.delays)
    return train_design, train_ids, test_design


def _predict(fit: RidgeFit, design: np.ndarray, voxels: slice) -> np.ndarray:
    """Predictions of a voxel range, shape (n_samples, n_voxels_in_range), float32."""
    return (design - fit.design_mean) @ fit.weights[:, voxels] + fit.response_mean[voxels]


def score_direction(
    source_fit: RidgeFit,
    within_fit: RidgeFit,
    train_design: np.ndarray,
    test_design: np.ndarray,
    within_test_design: np.ndarray,
    target: ModalityData,
    stats: StatsSettings,
    voxel_batch: int = 10000,
) -> dict[str, np.ndarray]:
    """Cross-modal and within-modal scores of one direction, for every voxel.

    Parameters
    ----------
    source_fit : RidgeFit
        Encoding model of the source modality (e.g. the language model).
    within_fit : RidgeFit
        Encoding model of the target modality (the within-modal reference).
    train_design, test_design : arrays of shape (n_trs, n_source_features)
        Transferred designs of the target modality's training and test runs.
    within_test_design : array of shape (n_test_trs, n_target_features)
        The target modality's own test design.
    target : ModalityData
        Target-modality responses (training runs for tuning, test runs for scores).
    stats : StatsSettings
    voxel_batch : int

    Returns
    -------
    dict of arrays of shape (n_voxels,)
        ``raw_r, raw_p, raw_q, raw_significant``, the same for ``corrected_``
        (sign and gain from the training runs), ``within_r, within_p,
        within_q, within_significant``, ``sign``, ``gain``,
        ``raw_ratio`` and ``corrected_ratio`` (cross / within where within is
        significant).
    """
    n_voxels = source_fit.n_voxels
    train_responses, test_responses = ResponseMatrix(target.train_runs), ResponseMatrix(target.test_runs)
    names = ("raw_r", "raw_p", "corrected_r", "corrected_p", "within_r", "within_p", "sign", "gain")
    out = {name: np.empty(n_voxels, dtype=np.float64 if name.endswith("_p") else np.float32) for name in names}
    permutation = dict(block_len=stats.block_len, n_permutations=stats.n_permutations, seed=stats.seed)
    for start in range(0, n_voxels, voxel_batch):
        voxels = slice(start, min(start + voxel_batch, n_voxels))
        sign, gain = fit_tuning(_predict(source_fit, train_design, voxels), train_responses[:, voxels])
        observed = test_responses[:, voxels]
        test_prediction = _predict(source_fit, test_design, voxels)
        raw = block_permutation_pvalues(test_prediction, observed, **permutation)
        corrected = block_permutation_pvalues(apply_tuning(test_prediction, sign, gain), observed, **permutation)
        within = block_permutation_pvalues(_predict(within_fit, within_test_design, voxels), observed, **permutation)
        for prefix, result in (("raw", raw), ("corrected", corrected), ("within", within)):
            out[f"{prefix}_r"][voxels] = result.observed_r
            out[f"{prefix}_p"][voxels] = result.p_values
        out["sign"][voxels], out["gain"][voxels] = sign, gain
    for prefix in ("raw", "corrected", "within"):
        out[f"{prefix}_significant"], out[f"{prefix}_q"] = fdr_bh(out[f"{prefix}_p"], q=stats.fdr_q)
    for prefix in ("raw", "corrected"):
        out[f"{prefix}_ratio"] = transfer_ratio(out[f"{prefix}_r"], out["within_r"], out["within_significant"])
    return out

"""Cross-modal scoring of one subject: a model fit on one modality predicts the other.

story -> movie: the language model's weights applied to movie features
brought into the text space (by the image->text map, or raw with
``alignment="none"``), scored on the movie test run; movie -> story likewise
with the vision model and the text->image map.

Every voxel gets, for the raw and the reverse-tuning-corrected score:

* ``<score>_r``: the test correlation;
* ``<score>_p``, ``<score>_q``, ``<score>_significant``: the **shared-tuning
  test** (:mod:`crossmodal.transfer.shared`), BH-FDR over voxels -- the
  headline used by every table, figure and the PCA voxel selection;
* ``<score>_p_tracking``, ``<score>_significant_tracking``: the paper's
  block-permutation test of the response (does the prediction track the
  response at all?), BH-FDR over voxels;
* ``<score>_p_untuned``: the untuned-source null alone.

All p-values get the GPD tail beyond the permutation floor
(:mod:`crossmodal.transfer.tail`). Everything is computed in voxel batches
(responses are streamed from disk), so memory is bounded by the batch size,
the number of null draws and the designs, not by the number of voxels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from crossmodal.config import ConfigSection
from crossmodal.data.types import ModalityData, ResponseMatrix, ResponseRun
from crossmodal.encoding.ridge import RidgeFit
from crossmodal.features.design import apply_zscore, zscore_statistics
from crossmodal.features.grid import DesignMatrices, resample_run_features, stack_runs
from crossmodal.transfer.alignment import AlignmentMap
from crossmodal.transfer.stats import block_permutation_pvalues, fdr_bh
from crossmodal.transfer.shared import UntunedSource
from crossmodal.transfer.tail import tail_pvalues
from crossmodal.transfer.tuning import transfer_ratio

#: The two transfer directions: (name, source modality, target modality).
DIRECTIONS = (("story_to_movie", "story", "movie"), ("movie_to_story", "movie", "story"))


@dataclass(frozen=True)
class StatsSettings(ConfigSection):
    """The ``stats`` config section (build with :meth:`from_config`; defaults from the config schema).

    Attributes
    ----------
    block_len : int
        TRs per block of the response permutation (the paper's test).
    n_permutations : int
        Block permutations of the response.
    n_null_draws : int
        Draws of the untuned-source null.
    noise_ar_order : int
        AR order of the source-noise model of the untuned-source null (0: white).
    seed : int
    fdr_q : float
    """

    SECTION: ClassVar[str] = "stats"

    block_len: int
    n_permutations: int
    n_null_draws: int
    noise_ar_order: int
    seed: int
    fdr_q: float


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


#: Names of the per-voxel arrays of one direction and alignment.
SCORE_KINDS = ("raw", "corrected")


def _centred(design: np.ndarray) -> np.ndarray:
    """Columns centred over the rows, float32."""
    design = np.asarray(design, dtype=np.float32)
    return design - design.mean(axis=0, dtype=np.float64).astype(np.float32)


@dataclass(frozen=True)
class _Transferred:
    """One alignment's transferred target designs, centred and in the source eigenbasis."""

    test_basis: np.ndarray  # (n_test, p): centred test design @ Q
    train_basis: np.ndarray  # (n_train, p): centred train design @ Q
    train_gram: np.ndarray  # (p, p): train_basis' train_basis
    null_test_norms: dict  # alpha -> (n_draws,) norms of the null test predictions

    @classmethod
    def build(cls, train_design, test_design, untuned: UntunedSource, alphas) -> "_Transferred":
        q = untuned.eigenvectors
        test_basis = _centred(test_design) @ q
        train_basis = _centred(train_design) @ q
        norms = {}
        for alpha in alphas:
            predictions = test_basis @ untuned.basis_weights(alpha)
            norms[float(alpha)] = np.sqrt(np.einsum("ij,ij->j", predictions, predictions, dtype=np.float64))
        return cls(test_basis, train_basis, train_basis.T @ train_basis, norms)


def _safe_divide(numerator, denominator) -> np.ndarray:
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.where(denominator > 0, np.asarray(numerator, dtype=np.float64) / np.where(denominator > 0, denominator, 1.0), 0.0)


def _reciprocal(values) -> np.ndarray:
    """``1 / values`` where positive, else 0; float32."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values > 0, 1.0 / np.where(values > 0, values, 1.0), 0.0).astype(np.float32)


def _sign(values) -> np.ndarray:
    """+1 where ``values >= 0`` (a zero correlation keeps +1), else -1; float32."""
    return np.where(np.asarray(values) < 0, -1.0, 1.0).astype(np.float32)


def _batch_scores(weights_basis, alphas, y_test, y_train, transferred: _Transferred, untuned: UntunedSource, stats: StatsSettings) -> dict:
    """Observed scores and the p-values of both nulls for one voxel batch and one alignment.

    Parameters
    ----------
    weights_basis : array of shape (p, n_batch)
        Source weights in the eigenbasis (``Q' w``).
    alphas : array of shape (n_batch,)
        The source fit's alpha of every voxel.
    y_test, y_train : arrays of shape (n_test, n_batch), (n_train, n_batch)
        Target responses (test runs, training runs).
    """
    test_cov_basis = transferred.test_basis.T @ y_test  # (p, n_batch): Q' T_c' y
    train_cov_basis = transferred.train_basis.T @ y_train
    prediction = transferred.test_basis @ weights_basis  # centred test prediction
    y_centred = y_test - y_test.mean(axis=0, dtype=np.float64).astype(np.float32)
    y_norm = np.sqrt(np.einsum("ij,ij->j", y_centred, y_centred, dtype=np.float64))
    prediction_norm = np.sqrt(np.einsum("ij,ij->j", prediction, prediction, dtype=np.float64))
    test_cov = np.einsum("ij,ij->j", weights_basis, test_cov_basis, dtype=np.float64)
    raw_r = np.clip(_safe_divide(test_cov, prediction_norm * y_norm), -1, 1).astype(np.float32)
    train_cov = np.einsum("ij,ij->j", weights_basis, train_cov_basis, dtype=np.float64)
    train_power = np.einsum("ij,ij->j", weights_basis, transferred.train_gram @ weights_basis, dtype=np.float64)
    sign = _sign(train_cov)
    gain = np.abs(_safe_divide(train_cov, train_power)).astype(np.float32)

    tracking = block_permutation_pvalues(prediction, y_test, stats.block_len, stats.n_permutations, stats.seed, return_null=True)
    out = {"raw_r": raw_r, "corrected_r": (sign * raw_r).astype(np.float32), "sign": sign, "gain": gain}
    untuned_p = _untuned_pvalues(test_cov_basis, train_cov_basis, alphas, _reciprocal(y_norm),
                                 {kind: out[f"{kind}_r"] for kind in SCORE_KINDS}, transferred, untuned)
    constant = (prediction_norm == 0) | (y_norm == 0)
    for kind in SCORE_KINDS:
        p_tracking = _tracking_pvalues(tracking.null_r, raw_r, sign if kind == "corrected" else None)
        p_untuned = untuned_p[kind]
        p_tracking[constant], p_untuned[constant] = 1.0, 1.0
        out[f"{kind}_p_tracking"], out[f"{kind}_p_untuned"] = p_tracking, p_untuned
        out[f"{kind}_p"] = np.maximum(p_tracking, p_untuned)
    return out


def _tracking_pvalues(block_null, raw_r, sign=None) -> np.ndarray:
    """Tail p-values of the block-permutation null, for the raw score or (with ``sign``) the corrected one.

    The corrected score and its null are the raw ones times the voxel's fixed sign (``sign * null`` is exact in
    float32), so voxels of sign +1 share the raw p-value and only those of sign -1 are tested again, on the negated
    null.

    Parameters
    ----------
    block_null : array of shape (n_permutations, n_batch)
    raw_r : array of shape (n_batch,)
    sign : array of shape (n_batch,) of +-1, optional

    Returns
    -------
    p_values : array of shape (n_batch,), float64
    """
    p_values = tail_pvalues(block_null, raw_r)
    if sign is not None:
        flipped = np.flatnonzero(sign < 0)
        if flipped.size:
            p_values[flipped] = tail_pvalues(-block_null[:, flipped], -raw_r[flipped])
    return p_values


def _untuned_pvalues(test_cov_basis, train_cov_basis, alphas, inverse_y_norm, observed: dict[str, np.ndarray],
                     transferred: _Transferred, untuned: UntunedSource) -> dict[str, np.ndarray]:
    """Tail p-values of the raw and corrected scores under the untuned-source null, for one voxel batch.

    Voxels are taken in order of their alpha (stable sort), so that every alpha's null draws fill one contiguous
    block of columns; each voxel's p-value depends on its own column only, and they are returned in voxel order.

    Parameters
    ----------
    test_cov_basis, train_cov_basis : arrays of shape (p, n_batch)
        ``Q' T_c' y`` of the target's test and training runs.
    alphas : array of shape (n_batch,)
    inverse_y_norm : array of shape (n_batch,)
        ``1 / ||y_test - mean||`` (0 for a constant response).
    observed : dict with ``raw`` and ``corrected``: float32 arrays of shape (n_batch,)
        The observed scores.

    Returns
    -------
    dict with ``raw`` and ``corrected``: arrays of shape (n_batch,), float64
    """
    order = np.argsort(alphas, kind="stable")
    sorted_alphas = alphas[order]
    starts = np.flatnonzero(np.r_[True, sorted_alphas[1:] != sorted_alphas[:-1]])
    stops = np.r_[starts[1:], len(order)]
    test_cov, train_cov, inverse_norm = test_cov_basis[:, order], train_cov_basis[:, order], inverse_y_norm[order]
    null_raw = np.empty((untuned.n_draws, len(order)), dtype=np.float32)
    null_corrected = np.empty_like(null_raw)
    for start, stop in zip(starts, stops):
        alpha = sorted_alphas[start]
        null_weights = untuned.basis_weights(alpha)  # (p, n_draws)
        null_r = null_raw[:, start:stop]
        np.matmul(null_weights.T, test_cov[:, start:stop], out=null_r)  # covariances, scaled to correlations in place
        null_r *= _reciprocal(transferred.null_test_norms[float(alpha)])[:, None]
        null_r *= inverse_norm[start:stop][None, :]
        kept = (null_weights.T @ train_cov[:, start:stop]) >= 0  # each draw's own sign fit on the training runs
        np.negative(null_r, out=null_corrected[:, start:stop])
        np.copyto(null_corrected[:, start:stop], null_r, where=kept)
    p_values = {}
    for kind, null in (("raw", null_raw), ("corrected", null_corrected)):
        p_values[kind] = np.empty(len(order))
        p_values[kind][order] = tail_pvalues(null, observed[kind][order])
    return p_values


def _within_scores(within_fit: RidgeFit, within_test_design, y_test, voxels: slice, stats: StatsSettings) -> dict:
    """Within-modal test correlation and its block-permutation p-value (with the tail) for one batch."""
    prediction = (np.asarray(within_test_design, dtype=np.float32) - within_fit.design_mean) @ within_fit.weights[:, voxels]
    result = block_permutation_pvalues(prediction, y_test, stats.block_len, stats.n_permutations, stats.seed, return_null=True)
    p_values = tail_pvalues(result.null_r, result.observed_r)
    p_values[np.ptp(prediction, axis=0) == 0] = 1.0
    return {"within_r": result.observed_r, "within_p": p_values}


def score_direction(
    source_fit: RidgeFit,
    within_fit: RidgeFit,
    transferred_designs: dict[str, tuple[np.ndarray, np.ndarray]],
    within_test_design: np.ndarray,
    target: ModalityData,
    untuned: UntunedSource,
    stats: StatsSettings,
    voxel_batch: int = 10000,
) -> dict[str, dict[str, np.ndarray]]:
    """Cross-modal and within-modal scores of one direction, for every voxel and alignment.

    Parameters
    ----------
    source_fit : RidgeFit
        Encoding model of the source modality (e.g. the language model).
    within_fit : RidgeFit
        Encoding model of the target modality (the within-modal reference).
    transferred_designs : dict of alignment to (train_design, test_design)
        Transferred designs of the target modality's training and test runs,
        arrays of shape (n_trs, n_source_features) (:func:`transferred_design`).
    within_test_design : array of shape (n_test_trs, n_target_features)
        The target modality's own test design.
    target : ModalityData
        Target-modality responses (training runs for the sign, test runs for
        scores), streamed one voxel batch at a time.
    untuned : UntunedSource
        The untuned-source null of the source model (:func:`untuned_source`).
    stats : StatsSettings
    voxel_batch : int

    Returns
    -------
    dict of alignment to dict of arrays of shape (n_voxels,)
        ``raw_r, raw_p, raw_q, raw_significant, raw_p_tracking,
        raw_significant_tracking, raw_p_untuned``, the same for
        ``corrected_`` (sign from the training runs), ``within_r, within_p,
        within_q, within_significant`` (identical for every alignment),
        ``sign``, ``gain``, ``raw_ratio`` and ``corrected_ratio`` (cross /
        within where within is significant).
    """
    n_voxels = source_fit.n_voxels
    alphas = np.asarray(source_fit.alphas_per_voxel)
    transferred = {
        alignment: _Transferred.build(train, test, untuned, np.unique(alphas)) for alignment, (train, test) in transferred_designs.items()
    }
    train_responses, test_responses = ResponseMatrix(target.train_runs), ResponseMatrix(target.test_runs)
    batches: dict[str, list[dict]] = {alignment: [] for alignment in transferred}
    within_batches = []
    for start in range(0, n_voxels, voxel_batch):
        voxels = slice(start, min(start + voxel_batch, n_voxels))
        y_test, y_train = test_responses[:, voxels], train_responses[:, voxels]
        weights_basis = untuned.eigenvectors.T @ np.asarray(source_fit.weights[:, voxels], dtype=np.float32)
        for alignment, designs in transferred.items():
            batches[alignment].append(_batch_scores(weights_basis, alphas[voxels], y_test, y_train, designs, untuned, stats))
        within_batches.append(_within_scores(within_fit, within_test_design, y_test, voxels, stats))
    within = {name: np.concatenate([b[name] for b in within_batches]) for name in within_batches[0]}
    within["within_significant"], within["within_q"] = fdr_bh(within["within_p"], q=stats.fdr_q)
    results = {}
    for alignment, parts in batches.items():
        out = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        for kind in SCORE_KINDS:
            out[f"{kind}_significant"], out[f"{kind}_q"] = fdr_bh(out[f"{kind}_p"], q=stats.fdr_q)
            out[f"{kind}_significant_tracking"], _ = fdr_bh(out[f"{kind}_p_tracking"], q=stats.fdr_q)
            out[f"{kind}_ratio"] = transfer_ratio(out[f"{kind}_r"], within["within_r"], within["within_significant"])
        results[alignment] = {**out, **within}
    return results

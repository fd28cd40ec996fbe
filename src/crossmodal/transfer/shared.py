"""The shared-tuning test: does the source model carry this voxel's tuning?

The question (method.md step 5, question 2)
-------------------------------------------
A voxel's cross-modal score is the correlation, on the target modality's test
runs, between its response and the prediction of its *source-modality*
encoding model (e.g. its language-model weights applied to aligned movie
features). The paper's block-permutation test asks whether that prediction
tracks the response at all; a voxel that the target modality drives strongly
says "yes" to almost any prediction built from target features, whatever the
source model learned about it (on the default synthetic data its false
discovery proportion story->movie with ``alignment: none`` is above 0.5:
``tracking_false_discovery_proportion`` in ``results/validation/recovery.tsv``).

The shared-tuning test asks instead whether the source model carries this
voxel's tuning. Its null hypothesis is the union of two ways of having no
shared tuning, and it rejects only when it can reject both (an
intersection-union test, Berger 1982; the minimum-statistic conjunction of
Nichols et al. 2005):

H0a, *untuned source* -- the voxel's source weights carry no tuning: they are
    what the same ridge model (same design, same alpha) learns from a
    source-modality response the source stimulus does not drive.
    Tested by the **untuned-source null** below; ``p_untuned``.
H0b, *untracked target* -- the voxel's target response does not follow the
    transferred prediction (it is noise as far as the prediction goes).
    Tested by block permutation of the target test response (the paper's
    test, :func:`crossmodal.transfer.stats.block_permutation_pvalues`);
    ``p_tracking``.

The shared-tuning p-value is ``max(p_untuned, p_tracking)``. It is valid
(uniform or conservative) whenever either sub-hypothesis holds, because each
p-value is valid under its own sub-hypothesis and the maximum is never
smaller. Vision-only voxels story->movie and language-only voxels
movie->story are H0a voxels (no source tuning, strongly driven target);
language-only voxels story->movie and vision-only voxels movie->story are
H0b voxels (real source tuning, no target response). On the default
synthetic data each test alone lets one of these classes through (measured
once during development: ``p_tracking`` below 0.01 for 11-18 % of
language-only voxels movie->story, ``p_untuned`` below 0.01 for 2-3 % of
vision-only voxels movie->story);
together they keep the false discovery proportion below q.

The untuned-source null
-----------------------
Ridge weights of voxel ``v`` are ``w = (X'X + a I)^-1 X' y`` with the centred
source training design ``X`` (``n_source x p``) and the voxel's alpha ``a``.
Under H0a, ``y`` is noise, so ``w`` is distributed as
``(X'X + a I)^-1 X' e`` with ``e`` noise of the source responses' temporal
structure. Each null draw is exactly that:

1. ``e``: Gaussian noise per source training run with the autocorrelation of
   the source model's training residuals (an AR model of order
   ``stats.noise_ar_order`` fitted by Yule-Walker to the residual
   autocorrelation pooled over up to 2,000 voxels); white noise when the
   order is 0. The scale of ``e`` does not matter (correlations are
   scale-free).
2. ``w* = (X'X + a I)^-1 X' e`` for the voxel's own alpha, computed in the
   eigenbasis of ``X'X`` (one set of ``n_null_draws`` noise draws serves
   every alpha).
3. ``w*`` goes through every step the observed weights go through: applied to
   the transferred target features (alignment map, Lanczos, z-scoring,
   delays), correlated with the voxel's target test response (raw score);
   for the corrected score, its sign is fitted on the target's training runs
   and applied, exactly as for the observed weights (a positive gain changes
   no correlation, so the gain needs no refit).

So every data-driven step (the source fit's alpha, the alignment, the sign)
is inside the null. Assumptions: the noise of the source responses is
Gaussian with the pooled residual autocorrelation; alpha is treated as fixed
(it was chosen by cross-validation on the same responses). The null draws
do not depend on the voxel except through its alpha, so the test is
vectorised over voxels: per alpha, one ``(n_draws x p) @ (p x n_voxels)``
product for the test correlations and one for the training signs.

What it does not protect against: a voxel with real but *unrelated* tunings
in both modalities. In a space of ``d`` semantic dimensions two independent
tunings align by chance with ``|cos| ~ 1 / sqrt(d)``, and the test counts
that chance alignment as partial sharing.

References
----------
Berger RL (1982). Multiparameter hypothesis testing and acceptance sampling.
Technometrics 24:295-300.
Nichols T, Brett M, Andersson J, Wager T, Poline JB (2005). Valid conjunction
inference with the minimum statistic. NeuroImage 25:653-660.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, signal

from crossmodal.data.types import ModalityData, ResponseMatrix
from crossmodal.encoding.ridge import RidgeFit
from crossmodal.errors import InputError
from crossmodal.features.grid import DesignMatrices

__all__ = [
    "UntunedSource",
    "ar_coefficients",
    "ar_noise",
    "residual_autocorrelation",
    "untuned_source",
]

#: Voxels whose residuals estimate the source noise autocorrelation.
NOISE_VOXELS = 2000
#: Samples simulated and dropped before each run so the AR process is stationary.
AR_BURN_IN = 200


def residual_autocorrelation(fit: RidgeFit, design: DesignMatrices, data: ModalityData, n_lags: int,
                             n_voxels: int = NOISE_VOXELS) -> np.ndarray:
    """Autocorrelation of the source model's training residuals, pooled over voxels and runs.

    Parameters
    ----------
    fit : RidgeFit
        The source encoding model.
    design : DesignMatrices
        Its design (training rows, run ids).
    data : ModalityData
        The source modality's data (training runs in design order).
    n_lags : int
        Largest lag (TRs).
    n_voxels : int
        Evenly strided voxels used (all when fewer).

    Returns
    -------
    acf : array of shape (n_lags + 1,), float64
        ``acf[0] == 1``; ``acf[k]`` is the mean over voxels and runs (weighted
        by run length) of the lag-``k`` autocorrelation of the residuals.
    """
    total_voxels = fit.n_voxels
    step = max(1, total_voxels // max(1, n_voxels))
    columns = slice(0, total_voxels, step)
    responses = ResponseMatrix(data.train_runs)[:, columns]
    predicted = (design.train_design - fit.design_mean) @ fit.weights[:, columns] + fit.response_mean[columns]
    residuals = (responses - predicted).astype(np.float64)
    sums, weight = np.zeros(n_lags + 1), 0.0
    for run in np.unique(design.train_run_ids):
        block = residuals[design.train_run_ids == run]
        block = block - block.mean(axis=0)
        power = np.einsum("ij,ij->j", block, block)
        keep = power > 0
        if block.shape[0] <= n_lags + 1 or not keep.any():
            continue
        block, power = block[:, keep], power[keep]
        lags = [np.mean(np.einsum("ij,ij->j", block[k:], block[: len(block) - k]) / power) for k in range(n_lags + 1)]
        sums += len(block) * np.array(lags)
        weight += len(block)
    if weight == 0:
        return np.r_[1.0, np.zeros(n_lags)]
    return sums / weight


def ar_coefficients(acf: np.ndarray, order: int) -> np.ndarray:
    """Yule-Walker AR coefficients from an autocorrelation, lowered in order until stationary.

    Parameters
    ----------
    acf : array of shape (n_lags + 1,)
        ``acf[0] == 1``.
    order : int
        Requested order (at most ``n_lags``); 0 gives white noise.

    Returns
    -------
    coefficients : array of shape (order_used,)
        ``e[t] = sum_k coefficients[k] e[t - 1 - k] + innovation``; empty for
        white noise.
    """
    acf = np.asarray(acf, dtype=np.float64)
    for used in range(min(order, len(acf) - 1), 0, -1):
        coefficients = linalg.solve_toeplitz(acf[:used], acf[1 : used + 1])
        roots = np.roots(np.r_[1.0, -coefficients])
        if np.all(np.abs(roots) < 0.999):
            return coefficients
    return np.zeros(0)


def ar_noise(run_ids: np.ndarray, coefficients: np.ndarray, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian AR noise, one independent stationary stretch per run.

    Parameters
    ----------
    run_ids : array of shape (n_samples,)
        Run of every sample (contiguous runs).
    coefficients : array of shape (order,)
        From :func:`ar_coefficients` (empty: white noise).
    n_draws : int
    rng : numpy Generator

    Returns
    -------
    noise : array of shape (n_samples, n_draws), float32
    """
    run_ids = np.asarray(run_ids)
    noise = np.empty((len(run_ids), n_draws), dtype=np.float32)
    burn = AR_BURN_IN if len(coefficients) else 0
    for run in np.unique(run_ids):
        rows = np.flatnonzero(run_ids == run)
        white = rng.standard_normal((len(rows) + burn, n_draws))
        if len(coefficients):
            white = signal.lfilter([1.0], np.r_[1.0, -coefficients], white, axis=0)
        noise[rows] = white[burn:]
    return noise


@dataclass(frozen=True)
class UntunedSource:
    """Null draws of source weights that carry no tuning, for every alpha (see the module docstring).

    Weights are kept in the eigenbasis of the source design's Gram matrix:
    the draws for alpha ``a`` are ``eigenvectors @ (projections / (eigenvalues + a)[:, None])``.

    Attributes
    ----------
    eigenvectors : array of shape (p, p), float32
        ``Q`` of ``X'X = Q diag(eigenvalues) Q'`` (centred source training design).
    eigenvalues : array of shape (p,), float64
    projections : array of shape (p, n_draws), float32
        ``Q' X' e`` for ``n_draws`` noise draws ``e``.
    ar_coefficients : array of shape (order,)
        The noise model.
    """

    eigenvectors: np.ndarray
    eigenvalues: np.ndarray
    projections: np.ndarray
    ar_coefficients: np.ndarray

    @property
    def n_draws(self) -> int:
        return int(self.projections.shape[1])

    def basis_weights(self, alpha: float) -> np.ndarray:
        """Null weights for one alpha, in the eigenbasis: ``(p, n_draws)`` float32."""
        return (self.projections / (self.eigenvalues + float(alpha))[:, None]).astype(np.float32)


def untuned_source(design: DesignMatrices, design_mean: np.ndarray, ar: np.ndarray, n_draws: int, seed) -> UntunedSource:
    """Draw the untuned-source null of one source model.

    Parameters
    ----------
    design : DesignMatrices
        The source model's design (training rows and run ids).
    design_mean : array of shape (p,)
        The fit's training design mean.
    ar : array of shape (order,)
        Noise AR coefficients (:func:`ar_coefficients`).
    n_draws : int
    seed : int or sequence of int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    UntunedSource
    """
    if n_draws < 1:
        raise InputError("stats.n_null_draws", f"is {n_draws}", "use a positive number, e.g. 5000")
    centred = np.asarray(design.train_design, dtype=np.float32) - np.asarray(design_mean, dtype=np.float32)
    gram = centred.T.astype(np.float64) @ centred.astype(np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    noise = ar_noise(design.train_run_ids, ar, n_draws, np.random.default_rng(seed))
    projections = eigenvectors.T.astype(np.float32) @ (centred.T @ noise)
    return UntunedSource(eigenvectors.astype(np.float32), eigenvalues, projections.astype(np.float32), np.asarray(ar, dtype=np.float64))

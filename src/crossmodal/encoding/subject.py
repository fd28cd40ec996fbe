"""Fit and score one subject's encoding model from its design matrices and responses.

The glue the workflow's ``fit_encoding`` rule calls: responses are streamed
from the run files by voxel range, the fit runs in voxel batches, and the
test correlation is computed batch by batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from crossmodal.config import ConfigSection, alpha_grid, torch_device
from crossmodal.data.types import ModalityData, ResponseMatrix
from crossmodal.encoding.ridge import RidgeFit, correlate_columns, fit_ridge_cv, voxel_chunk_bounds
from crossmodal.errors import InputError
from crossmodal.features.grid import DesignMatrices, check_design_runs


@dataclass(frozen=True)
class EncodingSettings(ConfigSection):
    """The ``encoding`` config section (build with :meth:`from_config`; defaults from the config schema)."""

    SECTION: ClassVar[str] = "encoding"

    delays: tuple[int, ...]
    alphas: tuple[float, float, int]
    cv: str
    n_folds: int
    chunk_len: int
    n_boots: int
    heldout_fraction: float
    seed: int
    backend: str
    device: str
    voxel_batch: int
    voxel_chunks: int

    @classmethod
    def from_config(cls, section: dict | None = None, **overrides) -> "EncodingSettings":
        values = cls._values(section, overrides)
        values["delays"] = tuple(values["delays"])
        alphas = values["alphas"]
        values["alphas"] = alphas if isinstance(alphas, tuple) else (float(alphas["start"]), float(alphas["stop"]), int(alphas["num"]))
        return cls(**values)

    @property
    def alpha_grid(self) -> np.ndarray:
        """``logspace(start, stop, num)``, shape (n_alphas,)."""
        return alpha_grid(dict(zip(("start", "stop", "num"), self.alphas)))


def chunk_slice(n_voxels: int, settings: EncodingSettings, chunk: int | None) -> slice:
    """Voxel range of one chunk job (all voxels when ``chunk`` is None).

    Chunk bounds fall on multiples of ``voxel_batch`` so that the gathered
    chunks equal a single fit exactly.
    """
    if chunk is None:
        return slice(0, n_voxels)
    bounds = voxel_chunk_bounds(n_voxels, settings.voxel_chunks, settings.voxel_batch)
    if len(bounds) < settings.voxel_chunks:
        raise InputError(
            "encoding.voxel_chunks",
            f"asks for {settings.voxel_chunks} chunks, but {n_voxels} voxels in batches of {settings.voxel_batch} make only {len(bounds)}",
            "lower encoding.voxel_chunks or encoding.voxel_batch",
        )
    return slice(*bounds[chunk])


def test_correlations(fit: RidgeFit, test_design: np.ndarray, data: ModalityData, voxels: slice, voxel_batch: int) -> np.ndarray:
    """Correlation of predicted and actual test responses per voxel (test runs concatenated).

    Returns
    -------
    scores : array of shape (n_voxels_in_fit,), float32
    """
    test_responses = ResponseMatrix(data.test_runs)
    scores = np.empty(fit.n_voxels, dtype=np.float32)
    for start in range(0, fit.n_voxels, voxel_batch):
        stop = min(start + voxel_batch, fit.n_voxels)
        centred = test_design - fit.design_mean
        predicted = centred @ fit.weights[:, start:stop] + fit.response_mean[start:stop]
        observed = test_responses[:, voxels.start + start : voxels.start + stop]
        scores[start:stop] = correlate_columns(predicted, observed)
    return scores


def fit_subject(design: DesignMatrices, data: ModalityData, settings: EncodingSettings, chunk: int | None = None, progress: bool = False) -> RidgeFit:
    """Fit the encoding model of one subject and modality; fill in test correlations.

    Parameters
    ----------
    design : DesignMatrices
    data : ModalityData
        The same subject and modality (its training runs in design order).
    settings : EncodingSettings
    chunk : int or None
        Fit only this voxel chunk (scatter/gather).

    Returns
    -------
    RidgeFit
        With ``test_scores`` set.
    """
    check_design_runs(design, data)
    responses = ResponseMatrix(data.train_runs)
    voxels = chunk_slice(responses.shape[1], settings, chunk)
    fit = fit_ridge_cv(
        design.train_design, responses, design.train_run_ids, settings.alpha_grid,
        cv=settings.cv, n_folds=settings.n_folds, chunk_len=settings.chunk_len, n_boots=settings.n_boots,
        heldout_fraction=settings.heldout_fraction, seed=settings.seed, backend=settings.backend,
        device=torch_device(settings.device), voxel_batch=settings.voxel_batch,
        progress=progress, voxel_slice=voxels,
    )
    fit.test_scores = test_correlations(fit, design.test_design, data, voxels, settings.voxel_batch)
    return fit


def summary_row(fit: RidgeFit, **identity) -> dict:
    """One row of the encoding summary table."""
    scores = fit.test_scores
    return {
        **identity,
        "n_voxels": fit.n_voxels,
        "median_test_r": float(np.median(scores)),
        "p95_test_r": float(np.percentile(scores, 95)),
        "fraction_at_lowest_alpha": float(fit.fraction_at_lowest_alpha),
        "fraction_at_highest_alpha": float(fit.fraction_at_highest_alpha),
        "n_distinct_alphas": int(np.unique(fit.alphas_per_voxel).size),
    }

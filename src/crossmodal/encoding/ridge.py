"""Voxelwise ridge regression with one alpha per voxel chosen by cross-validation.

The solution for a voxel ``y`` and regularisation ``alpha`` is
``w = (X^T X + alpha I)^-1 X^T y`` (the himalaya / scikit-learn convention),
with ``X`` and ``y`` centred by the means of the training samples (no
intercept). Each voxel's alpha maximises the Pearson correlation between
predicted and held-out responses, averaged over folds; the model is then
refit on all training samples with that alpha.

How the cross-validation scores are computed (``solver="eigen"``)
-----------------------------------------------------------------
For a fold with centred training design ``X``, training Gram
``G = X^T X = Q diag(lam) Q^T``, ``b = X^T y`` and test-centred held-out
design ``T`` and response ``t``, write ``z = Q^T b``, ``u = Q^T T^T t``,
``M = Q^T T^T T Q`` and ``d_j(alpha) = 1 / (lam_j + alpha)``. The held-out
prediction ``p = T Q diag(d) z`` has, for every alpha at once,

- covariance with the response ``p . t = sum_j d_j z_j u_j``;
- squared norm ``p . p = sum_jk d_j d_k z_j M_jk z_k``, which by the partial
  fractions ``d_j d_k = (d_j - d_k) / (lam_k - lam_j)`` (``j``, ``k`` with
  different eigenvalues) becomes
  ``2 sum_j d_j z_j (H z)_j + sum_j d_j^2 z_j (M_block z)_j`` with
  ``H_jk = M_jk / (lam_k - lam_j)`` between eigenvalue clusters and
  ``M_block`` the blocks of ``M`` inside clusters.

Eigenvalues closer than a tolerance are grouped into clusters and replaced by
their cluster mean (a perturbation of the Gram matrix no larger than the
cluster's width, far below float32 precision), so ``H`` stays finite and the
within-cluster pairs are exact. Every alpha is then scored from three
``(p, n_voxels)`` arrays, and the expensive work per fold is two
``(p, p) x (p, n_voxels)`` products plus one ``(p, n_test) x (n_test,
n_voxels)`` product, instead of one full prediction per alpha.
``solver="explicit"`` computes explicit predictions per alpha (slow,
obviously correct) and is the reference of the tests.

Precision: the Gram matrices and their eigendecompositions are float64 (a
float32 eigendecomposition of a Gram matrix spanning five decades costs about
1e-3 relative accuracy in the weights of small-eigenvalue directions); the
voxel-side products are float32. On the benchmark problem (benchmarks/ridge.py)
the CV correlations are within 2e-6 of a float64 explicit reference (median
1e-7), the same accuracy class as himalaya's float32 SVD path.

Voxels are processed in batches; every per-voxel quantity depends only on that
voxel's column, and batches follow a global grid of multiples of
``voxel_batch``, so a fit split into voxel chunks aligned to that grid
(:func:`voxel_chunk_bounds` with ``voxel_batch``) and gathered is bitwise equal
to a single fit (same machine, library versions and thread count).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from crossmodal.encoding._backend import get_ops
from crossmodal.encoding.folds import bootstrap_chunk_folds, check_run_ids, grouped_folds
from crossmodal.errors import InputError
from crossmodal.numerics import correlate_columns

logger = logging.getLogger(__name__)

__all__ = [
    "RidgeFit",
    "fit_ridge_cv",
    "correlate_columns",
    "voxel_chunk_bounds",
    "gather_fits",
    "cv_folds",
]

#: Eigenvalues whose gap is below this fraction of ``max(lam) + max(alpha)``
#: are merged into one cluster (see the module docstring).
CLUSTER_RELATIVE_GAP = 1e-9


@dataclass
class RidgeFit:
    """A fitted voxelwise ridge model.

    Attributes
    ----------
    weights : array of shape (n_features, n_voxels), float32
        Weights refit on all training samples with each voxel's alpha.
    alphas_per_voxel : array of shape (n_voxels,), float32
        The alpha chosen for each voxel.
    cv_scores : array of shape (n_alphas, n_voxels), float32
        Cross-validated correlation for every alpha, averaged over folds.
    alpha_grid : array of shape (n_alphas,)
        The alphas tried, in the order of the rows of ``cv_scores``.
    design_mean : array of shape (n_features,), float32
        Mean of the training design (subtracted before prediction).
    response_mean : array of shape (n_voxels,), float32
        Mean of the training responses (added back to predictions).
    fraction_at_lowest_alpha, fraction_at_highest_alpha : float
        Fraction of voxels whose alpha is the smallest / largest of the grid.
    test_scores : array of shape (n_voxels,) or None
        Optional test-set correlation per voxel, filled in by the caller.
    """

    weights: np.ndarray
    alphas_per_voxel: np.ndarray
    cv_scores: np.ndarray
    alpha_grid: np.ndarray
    design_mean: np.ndarray
    response_mean: np.ndarray
    fraction_at_lowest_alpha: float
    fraction_at_highest_alpha: float
    test_scores: np.ndarray | None = field(default=None)

    @property
    def n_voxels(self) -> int:
        return int(self.weights.shape[1])

    def predict(self, design) -> np.ndarray:
        """Predicted responses for a design, using the training means.

        Parameters
        ----------
        design : array of shape (n_samples, n_features)

        Returns
        -------
        predictions : array of shape (n_samples, n_voxels), float32
        """
        design = np.asarray(design, dtype=np.float32)
        if design.ndim != 2 or design.shape[1] != self.weights.shape[0]:
            raise InputError("design", f"has shape {design.shape}, the model expects "
                             f"(n_samples, {self.weights.shape[0]}) features",
                             "build the design with the same features and delays as the training design")
        return (design - self.design_mean) @ self.weights + self.response_mean


# ----------------------------------------------------------------------------- public helpers


def voxel_chunk_bounds(n_voxels: int, n_chunks: int, voxel_batch: int | None = None) -> list[tuple[int, int]]:
    """Split ``range(n_voxels)`` into ``n_chunks`` contiguous, near-equal chunks.

    With ``voxel_batch`` (the value later given to :func:`fit_ridge_cv`), the
    chunk bounds fall on multiples of ``voxel_batch``, so every chunk job
    processes exactly the voxel batches a single job would, and the gathered
    fit is bitwise identical to a single fit (given the same library versions
    and thread count). There are then at most ``ceil(n_voxels / voxel_batch)``
    chunks; lower ``voxel_batch`` for more.

    Parameters
    ----------
    n_voxels : int
    n_chunks : int
        At least 1; no empty chunk is returned.
    voxel_batch : int or None
        Align bounds to multiples of this batch size.

    Returns
    -------
    bounds : list of (start, stop)
        Consecutive half-open intervals covering ``0 .. n_voxels``.
    """
    if n_chunks < 1:
        raise InputError("encoding.voxel_chunks", f"must be at least 1, got {n_chunks}",
                         "set encoding.voxel_chunks to 1 (one job) or more")
    unit = 1 if voxel_batch is None else max(1, int(voxel_batch))
    n_units = -(-int(n_voxels) // unit)
    if n_chunks > n_units:
        logger.info("%d voxel chunks requested but only %d batches of %d voxels: using %d chunks",
                    n_chunks, n_units, unit, max(n_units, 1))
    n_chunks = max(1, min(int(n_chunks), n_units))
    edges = np.minimum(np.linspace(0, n_units, n_chunks + 1).round().astype(int) * unit, int(n_voxels))
    return [(int(start), int(stop)) for start, stop in zip(edges[:-1], edges[1:])]


def gather_fits(fits: list[RidgeFit]) -> RidgeFit:
    """Concatenate fits of consecutive voxel chunks into one fit.

    Parameters
    ----------
    fits : list of RidgeFit
        Fits of the same design and alpha grid on consecutive voxel chunks, in
        voxel order.

    Returns
    -------
    fit : RidgeFit
        Equal to a single fit over all voxels.
    """
    if not fits:
        raise InputError("gather_fits", "no chunk fits given", "pass the fits of every voxel chunk, in order")
    first = fits[0]
    for index, chunk in enumerate(fits[1:], start=1):
        if not np.array_equal(chunk.alpha_grid, first.alpha_grid):
            raise InputError(f"voxel chunk {index}", "was fit with a different alpha grid",
                             "refit every chunk with the same config")
        if not np.array_equal(chunk.design_mean, first.design_mean):
            raise InputError(f"voxel chunk {index}", "was fit on a different design",
                             "refit every chunk with the same design")
    alphas_per_voxel = np.concatenate([chunk.alphas_per_voxel for chunk in fits])
    have_test = all(chunk.test_scores is not None for chunk in fits)
    return RidgeFit(
        weights=np.concatenate([chunk.weights for chunk in fits], axis=1),
        alphas_per_voxel=alphas_per_voxel,
        cv_scores=np.concatenate([chunk.cv_scores for chunk in fits], axis=1),
        alpha_grid=first.alpha_grid.copy(),
        design_mean=first.design_mean.copy(),
        response_mean=np.concatenate([chunk.response_mean for chunk in fits]),
        fraction_at_lowest_alpha=_fraction_equal(alphas_per_voxel, first.alpha_grid.min()),
        fraction_at_highest_alpha=_fraction_equal(alphas_per_voxel, first.alpha_grid.max()),
        test_scores=np.concatenate([chunk.test_scores for chunk in fits]) if have_test else None,
    )


def cv_folds(run_ids, cv: str = "grouped", n_folds: int = 5, chunk_len: int = 40, n_boots: int = 50,
             heldout_fraction: float = 0.2, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The cross-validation splits ``fit_ridge_cv`` uses for these arguments.

    Parameters
    ----------
    run_ids : array of shape (n_samples,)
    cv : {"grouped", "bootstrap"}
    n_folds, chunk_len, n_boots, heldout_fraction, seed
        See :func:`grouped_folds` and :func:`bootstrap_chunk_folds`.

    Returns
    -------
    folds : list of (train_indices, test_indices)
    """
    if cv == "grouped":
        return grouped_folds(run_ids, n_folds)
    if cv == "bootstrap":
        return bootstrap_chunk_folds(run_ids, chunk_len=chunk_len, n_boots=n_boots,
                                     heldout_fraction=heldout_fraction, seed=seed)
    raise InputError("encoding.cv", f"unknown cross-validation scheme {cv!r}", "use 'grouped' or 'bootstrap'")


# ----------------------------------------------------------------------------- the fit


def fit_ridge_cv(design, responses, run_ids, alphas, *, cv: str = "grouped", n_folds: int = 5,
                 chunk_len: int = 40, n_boots: int = 50, heldout_fraction: float = 0.2, seed: int = 0,
                 backend: str = "numpy", device=None, voxel_batch: int = 10000, progress: bool = False,
                 voxel_slice: slice | None = None, folds=None, solver: str = "eigen") -> RidgeFit:
    """Fit voxelwise ridge with one alpha per voxel chosen by cross-validation.

    Parameters
    ----------
    design : array of shape (n_samples, n_features)
        Training design (z-scored and delayed by the caller); float32.
    responses : array-like of shape (n_samples, n_voxels)
        Training responses: a numpy array, ``np.memmap`` or h5py Dataset;
        only ``responses[:, start:stop]`` is read, one voxel batch at a time.
    run_ids : array of shape (n_samples,)
        Run label of every sample; folds never split a run.
    alphas : array of shape (n_alphas,)
        Positive regularisation strengths (convention ``(X^T X + alpha I)^-1``).
    cv : {"grouped", "bootstrap"}
        Grouped K-fold over runs, or Huth lab bootstrap chunks.
    n_folds : int
        Folds of the grouped scheme (fewer if there are fewer runs).
    chunk_len, n_boots, heldout_fraction, seed
        Parameters of the bootstrap scheme.
    backend : {"numpy", "torch"}
    device : str or None
        Torch device; None picks "cuda" when available.
    voxel_batch : int
        Voxels processed at once; bounds the memory.
    progress : bool
        Show a tqdm progress bar over voxel batches.
    voxel_slice : slice or None
        Fit only these voxels (a scatter job); gather chunks with
        :func:`gather_fits`.
    folds : list of (train_indices, test_indices) or None
        Explicit splits overriding ``cv`` (for comparisons with other tools).
    solver : {"eigen", "explicit"}
        The fast exact algorithm (module docstring) or explicit predictions per
        alpha (slow reference).

    Returns
    -------
    fit : RidgeFit
    """
    design = _check_design(design)
    n_samples, n_features = design.shape
    _check_responses(responses, n_samples)
    run_ids = check_run_ids(run_ids, n_samples)
    alpha_grid = _check_alphas(alphas)
    voxel_batch = int(voxel_batch)
    if voxel_batch < 1:
        raise InputError("encoding.voxel_batch", f"must be at least 1, got {voxel_batch}",
                         "set encoding.voxel_batch to a positive number of voxels (default 10000)")
    if solver not in ("eigen", "explicit"):
        raise InputError("solver", f"unknown solver {solver!r}", "use 'eigen' (fast) or 'explicit' (reference)")
    voxel_start, voxel_stop = _voxel_range(voxel_slice, responses.shape[1])
    if folds is None:
        folds = cv_folds(run_ids, cv=cv, n_folds=n_folds, chunk_len=chunk_len, n_boots=n_boots,
                         heldout_fraction=heldout_fraction, seed=seed)
    else:
        folds = [_check_fold(train, test, n_samples, index) for index, (train, test) in enumerate(folds)]
    ops = get_ops(backend, device)
    logger.info("ridge CV: %d samples x %d features, voxels %d..%d, %d alphas, %d folds, %s on %s",
                n_samples, n_features, voxel_start, voxel_stop, alpha_grid.size, len(folds), ops.name, ops.device)

    design_mean = design.mean(axis=0, dtype=np.float64).astype(np.float32)
    centred_design = design - design_mean
    if solver == "eigen":
        full_gram = _gram(centred_design)
        bases = [_FoldBasis.build(centred_design, full_gram, train, test, alpha_grid, ops) for train, test in folds]
        refit = _RefitBasis.build(full_gram, alpha_grid, ops, overwrite=True)
        del full_gram
    n_voxels = voxel_stop - voxel_start
    weights = np.zeros((n_features, n_voxels), dtype=np.float32)
    cv_scores = np.zeros((alpha_grid.size, n_voxels), dtype=np.float32)
    best_alpha_index = np.zeros(n_voxels, dtype=np.int64)
    response_mean = np.zeros(n_voxels, dtype=np.float32)
    # Batches follow the global grid of multiples of voxel_batch, so a voxel is
    # computed in the same batch whichever chunk job it belongs to.
    batch_starts = [voxel_start] + list(range((voxel_start // voxel_batch + 1) * voxel_batch, voxel_stop, voxel_batch))
    if progress:
        from tqdm.auto import tqdm

        batch_starts = tqdm(batch_starts, desc="ridge voxel batches", unit="batch")
    design_on_backend = ops.asarray(centred_design, ops.float32)
    for start in batch_starts:
        stop = min((start // voxel_batch + 1) * voxel_batch, voxel_stop)
        batch = slice(start - voxel_start, stop - voxel_start)
        responses_batch = _read_response_batch(responses, start, stop)
        response_mean[batch] = responses_batch.mean(axis=0, dtype=np.float64).astype(np.float32)
        responses_batch -= response_mean[batch]  # a private copy (see _read_response_batch)
        centred_responses = ops.asarray(responses_batch, ops.float32)
        del responses_batch
        if solver == "eigen":
            scores, chosen, batch_weights = _fit_batch_eigen(design_on_backend, centred_responses, bases, refit,
                                                             alpha_grid, ops)
        else:
            scores, chosen, batch_weights = _fit_batch_explicit(centred_design, ops.to_numpy(centred_responses),
                                                                folds, alpha_grid)
        cv_scores[:, batch] = scores
        best_alpha_index[batch] = chosen
        weights[:, batch] = batch_weights
    alphas_per_voxel = alpha_grid[best_alpha_index].astype(np.float32)
    fit = RidgeFit(
        weights=weights,
        alphas_per_voxel=alphas_per_voxel,
        cv_scores=cv_scores,
        alpha_grid=alpha_grid,
        design_mean=design_mean,
        response_mean=response_mean,
        fraction_at_lowest_alpha=_fraction_equal(alphas_per_voxel, alpha_grid.min()),
        fraction_at_highest_alpha=_fraction_equal(alphas_per_voxel, alpha_grid.max()),
    )
    logger.info("ridge CV done: %d voxels, %d distinct alphas chosen, %.1f%% at the lowest alpha, "
                "%.1f%% at the highest, median best CV r %.3f", n_voxels, np.unique(alphas_per_voxel).size,
                100 * fit.fraction_at_lowest_alpha, 100 * fit.fraction_at_highest_alpha,
                float(np.median(cv_scores.max(axis=0))) if n_voxels else float("nan"))
    return fit


# ----------------------------------------------------------------------------- design-side work


@dataclass
class _FoldBasis:
    """Design-side quantities of one fold, shared by all voxel batches.

    Attributes
    ----------
    train, test : int arrays
        Sample indices.
    eigenvectors : (n_features, n_features) float32, backend
        ``Q`` of the training Gram matrix.
    test_projection : (n_test, n_features) float32, backend
        ``T Q``: the test-centred held-out design in the eigenbasis.
    cross_terms : (n_features, n_features) float32, backend
        ``H``: ``M_jk / (lam_k - lam_j)`` between clusters, 0 inside.
    covariance_weights : (n_alphas, n_features) float32, backend
        ``d_j(alpha) = 1 / (lam_j + alpha)``.
    cross_weights : (n_alphas, n_features) float32, backend
        ``2 d_j(alpha)`` (weights of ``z * (H z)``).
    diagonal_weights : (n_alphas, n_features) float32, backend
        ``d_j(alpha)^2 M_jj`` (weights of ``z^2``), 0 at multi-eigenvalue clusters.
    clusters : list of (indices, block, weights)
        For each cluster of more than one eigenvalue: its indices, ``M``
        restricted to it, and ``d(alpha)^2`` of the cluster (n_alphas, size).
    test_mean_projection : (n_features, 1) float32, backend
        ``Q^T mean(X_test)``, for the rank-one term of the training means.
    mean_correction : float
        ``n_test * n_samples / n_train``.
    """

    train: np.ndarray
    test: np.ndarray
    eigenvectors: object
    test_projection: object
    cross_terms: object
    covariance_weights: object
    cross_weights: object
    diagonal_weights: object
    clusters: list
    test_mean_projection: object
    mean_correction: float

    @classmethod
    def build(cls, centred_design: np.ndarray, full_gram: np.ndarray, train: np.ndarray, test: np.ndarray,
              alpha_grid: np.ndarray, ops):
        """Eigendecompose the fold's training Gram and precompute the cross terms.

        Parameters
        ----------
        centred_design : array of shape (n_samples, n_features), float32
            Design centred by the mean over all training samples.
        full_gram : array of shape (n_features, n_features), float64
            ``centred_design^T centred_design``.
        train, test : int arrays of sample indices (disjoint; together all samples or fewer)
        alpha_grid : array of shape (n_alphas,)
        ops : backend operations
        """
        n_samples = centred_design.shape[0]
        test_design = centred_design[test]
        if train.size + test.size == n_samples:  # the training Gram is the full one minus the test part
            train_gram = full_gram - _gram(test_design)
        else:
            train_gram = _gram(centred_design[train])
        train_mean = centred_design[train].mean(axis=0, dtype=np.float64)
        train_gram -= train.size * np.outer(train_mean, train_mean)
        eigenvalues, eigenvectors = _eigh(train_gram, ops, overwrite=True)
        del train_gram
        eigenvalues = _merge_clusters(eigenvalues, alpha_grid)
        test_mean = test_design.mean(axis=0, dtype=np.float64)
        eigenvectors = ops.asarray(eigenvectors, ops.float32)
        test_projection = ops.asarray(test_design - test_mean.astype(np.float32), ops.float32) @ eigenvectors
        test_gram_eigen = ops.to_numpy(test_projection.T @ test_projection).astype(np.float64)
        cross_terms, block_diagonal, diag_m = _cross_terms(test_gram_eigen, eigenvalues)
        inverse_shifted = 1.0 / (eigenvalues[None, :] + alpha_grid[:, None])  # (n_alphas, n_features)
        return cls(
            train=train,
            test=test,
            eigenvectors=eigenvectors,
            test_projection=test_projection,
            cross_terms=ops.asarray(cross_terms, ops.float32),
            covariance_weights=ops.asarray(inverse_shifted, ops.float32),
            cross_weights=ops.asarray(2.0 * inverse_shifted, ops.float32),
            diagonal_weights=ops.asarray(inverse_shifted ** 2 * diag_m[None, :], ops.float32),
            clusters=[(ops.index(indices), ops.asarray(block, ops.float32),
                       ops.asarray(inverse_shifted[:, indices] ** 2, ops.float32))
                      for indices, block in block_diagonal],
            test_mean_projection=ops.asarray(ops.to_numpy(eigenvectors).T.astype(np.float64) @ test_mean,
                                             ops.float32)[:, None],
            mean_correction=test.size * n_samples / train.size,
        )


@dataclass
class _RefitBasis:
    """Eigendecomposition of the Gram matrix of all training samples."""

    eigenvectors: object
    inverse_shifted: object  # (n_alphas, n_features)

    @classmethod
    def build(cls, full_gram: np.ndarray, alpha_grid: np.ndarray, ops, overwrite: bool = False):
        """Eigendecompose ``full_gram`` (n_features, n_features) for the refit.

        ``overwrite=True`` lets the eigendecomposition reuse ``full_gram``'s memory.
        """
        eigenvalues, eigenvectors = _eigh(full_gram, ops, overwrite=overwrite)
        eigenvalues = np.maximum(eigenvalues, 0.0)
        return cls(eigenvectors=ops.asarray(eigenvectors, ops.float32),
                   inverse_shifted=ops.asarray(1.0 / (eigenvalues[None, :] + alpha_grid[:, None]), ops.float32))


def _gram(design: np.ndarray) -> np.ndarray:
    """``design^T design`` computed in float64, shape (n_features, n_features)."""
    design = design.astype(np.float64)
    return design.T @ design


def _eigh(symmetric: np.ndarray, ops, overwrite: bool = False) -> tuple[np.ndarray, object]:
    """Eigenvalues (float64 numpy, ascending) and eigenvectors (float64, backend) of a symmetric matrix.

    Float64: the Gram matrices of real designs span five or more decades, and
    a float32 eigendecomposition would cost about 1e-3 relative accuracy in
    the weights of the small-eigenvalue directions.
    """
    eigenvalues, eigenvectors = ops.eigh(ops.asarray(symmetric, ops.float64), overwrite=overwrite)
    return ops.to_numpy(eigenvalues), eigenvectors


def _merge_clusters(eigenvalues: np.ndarray, alpha_grid: np.ndarray) -> np.ndarray:
    """Eigenvalues with near-equal neighbours replaced by their cluster mean.

    Negative eigenvalues (rounding of a positive semi-definite Gram) are set
    to 0 first. Consecutive (sorted) eigenvalues closer than
    ``CLUSTER_RELATIVE_GAP * (max eigenvalue + max alpha)`` form a cluster.

    Parameters
    ----------
    eigenvalues : array of shape (n_features,), ascending
    alpha_grid : array of shape (n_alphas,)

    Returns
    -------
    eigenvalues : array of shape (n_features,), float64, ascending
    """
    eigenvalues = np.maximum(np.asarray(eigenvalues, dtype=np.float64), 0.0)
    tolerance = CLUSTER_RELATIVE_GAP * (eigenvalues.max(initial=0.0) + alpha_grid.max())
    cluster_id = np.concatenate([[0], np.cumsum(np.diff(eigenvalues) >= tolerance)])
    sums = np.bincount(cluster_id, weights=eigenvalues)
    counts = np.bincount(cluster_id)
    return (sums / counts)[cluster_id]


def _cross_terms(test_gram_eigen: np.ndarray, eigenvalues: np.ndarray):
    """Partial-fraction cross terms of the held-out prediction norm.

    Parameters
    ----------
    test_gram_eigen : array of shape (n_features, n_features)
        ``M = Q^T T^T T Q``.
    eigenvalues : array of shape (n_features,)
        Cluster-merged eigenvalues (equal values form a cluster).

    Returns
    -------
    cross_terms : array of shape (n_features, n_features)
        ``M_jk / (lam_k - lam_j)`` for different eigenvalues, else 0.
    block_diagonal : list of (indices, block)
        For each cluster of more than one eigenvalue, its indices and ``M``
        restricted to it.
    diag_m : array of shape (n_features,)
        Diagonal of ``M`` (0 at multi-eigenvalue clusters, handled by blocks).
    """
    cross_terms = eigenvalues[None, :] - eigenvalues[:, None]  # lam_k - lam_j, then M_jk / (lam_k - lam_j) in place
    cross_terms[cross_terms == 0.0] = np.inf  # same cluster: M_jk / inf = 0
    np.divide(test_gram_eigen, cross_terms, out=cross_terms)
    diag_m = np.diag(test_gram_eigen).copy()
    block_diagonal = []
    _, starts, counts = np.unique(eigenvalues, return_index=True, return_counts=True)
    for start, count in zip(starts, counts):
        if count > 1:
            indices = np.arange(start, start + count)
            block_diagonal.append((indices, test_gram_eigen[np.ix_(indices, indices)]))
            diag_m[indices] = 0.0
    return cross_terms, block_diagonal, diag_m


# ----------------------------------------------------------------------------- per voxel batch


def _fit_batch_eigen(centred_design, centred_responses, bases, refit, alpha_grid, ops):
    """CV scores, chosen alpha and refit weights of one voxel batch (fast path).

    Parameters
    ----------
    centred_design : (n_samples, n_features) float32, backend
    centred_responses : (n_samples, n_batch) float32, backend
    bases : list of _FoldBasis
    refit : _RefitBasis
    alpha_grid : (n_alphas,)

    Returns
    -------
    cv_scores : (n_alphas, n_batch) float32
    best_alpha_index : (n_batch,) int
    weights : (n_features, n_batch) float32
    """
    cross_products = centred_design.T @ centred_responses  # (p, v): X^T Y over all training samples
    score_sum = ops.zeros((alpha_grid.size, centred_responses.shape[1]), ops.float32)
    for basis in bases:
        score_sum = score_sum + _fold_scores(cross_products, centred_responses, basis, ops)
    cv_scores = score_sum / len(bases)
    best = ops.argmax0(cv_scores)
    projected = refit.eigenvectors.T @ cross_products
    projected *= refit.inverse_shifted.T[:, best]
    weights = refit.eigenvectors @ projected
    return ops.to_numpy(cv_scores), ops.to_numpy(best), ops.to_numpy(weights)


def _fold_scores(cross_products, centred_responses, basis: _FoldBasis, ops):
    """Held-out correlation of every alpha for one fold and one voxel batch.

    Parameters
    ----------
    cross_products : (n_features, n_batch) float32, backend
        ``X^T Y`` over all training samples (globally centred).
    centred_responses : (n_samples, n_batch) float32, backend
    basis : _FoldBasis

    Returns
    -------
    scores : (n_alphas, n_batch) float32, backend
    """
    test_responses = ops.take_rows(centred_responses, ops.index(basis.test))
    test_response_mean = test_responses.mean(0)
    test_responses -= test_response_mean[None, :]
    projected_test = basis.test_projection.T @ test_responses  # u = Q^T T^T t
    response_norm = ops.column_sums_of_squares(test_responses)
    del test_responses
    projected_train = basis.eigenvectors.T @ cross_products  # z = Q^T b_train, b_train = X^T Y - test part
    projected_train -= projected_test
    ops.subtract_outer(projected_train, basis.mean_correction * basis.test_mean_projection[:, 0],
                       test_response_mean)
    projected_test *= projected_train  # z * u, in place (u is not needed again)
    covariance = basis.covariance_weights @ projected_test
    cross = basis.cross_terms @ projected_train
    cross *= projected_train
    prediction_norm = basis.cross_weights @ cross
    ops.multiply_into(projected_train, projected_train, out=cross)  # z * z, reusing the buffer
    prediction_norm += basis.diagonal_weights @ cross
    del cross, projected_test
    for indices, block, cluster_weights in basis.clusters:
        cluster_train = projected_train[indices]
        prediction_norm += cluster_weights @ (cluster_train * (block @ cluster_train))
    denominator = ops.sqrt(prediction_norm * response_norm[None, :])
    valid = denominator > 0
    return ops.where(valid, covariance / ops.where(valid, denominator, 1.0), 0.0)


def _fit_batch_explicit(centred_design: np.ndarray, centred_responses: np.ndarray, folds, alpha_grid):
    """Reference path: explicit float64 solves and predictions per fold and alpha.

    Parameters
    ----------
    centred_design : (n_samples, n_features) float32
    centred_responses : (n_samples, n_batch) float32
    folds : list of (train, test)
    alpha_grid : (n_alphas,)

    Returns
    -------
    cv_scores : (n_alphas, n_batch) float32
    best_alpha_index : (n_batch,) int
    weights : (n_features, n_batch) float32
    """
    design = centred_design.astype(np.float64)
    responses = centred_responses.astype(np.float64)
    n_features = design.shape[1]
    scores = np.zeros((alpha_grid.size, responses.shape[1]))
    for train, test in folds:
        design_mean = design[train].mean(axis=0)
        response_mean = responses[train].mean(axis=0)
        train_design = design[train] - design_mean
        gram = train_design.T @ train_design
        rhs = train_design.T @ (responses[train] - response_mean)
        for index, alpha in enumerate(alpha_grid):
            fold_weights = np.linalg.solve(gram + alpha * np.eye(n_features), rhs)
            predictions = (design[test] - design_mean) @ fold_weights
            scores[index] += correlate_columns(predictions, responses[test] - response_mean)
    scores /= len(folds)
    best = np.argmax(scores, axis=0)
    gram = design.T @ design
    rhs = design.T @ responses
    weights = np.zeros((n_features, responses.shape[1]))
    for index in np.unique(best):
        voxels = best == index
        weights[:, voxels] = np.linalg.solve(gram + alpha_grid[index] * np.eye(n_features), rhs[:, voxels])
    return scores.astype(np.float32), best, weights.astype(np.float32)


# ----------------------------------------------------------------------------- input checks


def _check_design(design) -> np.ndarray:
    design = np.asarray(design)
    if design.ndim != 2:
        raise InputError("design", f"must be 2-D (n_samples, n_features), got shape {design.shape}",
                         "pass the delayed feature matrix with one row per TR")
    design = design.astype(np.float32, copy=False)
    if not np.all(np.isfinite(design)):
        raise InputError("design", "contains NaN or infinite values",
                         "check the feature extraction and z-scoring (a constant feature gives NaN z-scores)")
    return design


def _check_responses(responses, n_samples: int) -> None:
    shape = getattr(responses, "shape", None)
    if shape is None or len(shape) != 2:
        raise InputError("responses", f"must be 2-D (n_samples, n_voxels), got shape {shape}",
                         "pass the response matrix with one row per TR and one column per voxel")
    if shape[0] != n_samples:
        raise InputError("responses", f"has {shape[0]} rows (TRs) but the design has {n_samples}",
                         "align the responses and the design to the same TRs (trim or check the run list)")


def _check_fold(train, test, n_samples: int, index: int) -> tuple[np.ndarray, np.ndarray]:
    train = np.asarray(train, dtype=np.int64)
    test = np.asarray(test, dtype=np.int64)
    for name, indices in (("train", train), ("test", test)):
        if indices.ndim != 1 or indices.size == 0 or indices.min() < 0 or indices.max() >= n_samples:
            raise InputError(f"folds[{index}]", f"{name} indices must be a non-empty 1-D array within 0..{n_samples - 1}",
                             "pass (train_indices, test_indices) pairs of sample indices")
    if np.intersect1d(train, test).size:
        raise InputError(f"folds[{index}]", "train and test indices overlap", "hold out samples that are not trained on")
    return train, test


def _check_alphas(alphas) -> np.ndarray:
    alpha_grid = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    if alpha_grid.ndim != 1 or alpha_grid.size == 0 or not np.all(np.isfinite(alpha_grid)) or np.any(
            alpha_grid <= 0):
        raise InputError("encoding.alphas", f"must be a non-empty list of positive finite numbers, got {alphas!r}",
                         "use e.g. logspace(0, 4, 20)")
    return alpha_grid


def _voxel_range(voxel_slice, n_voxels: int) -> tuple[int, int]:
    if voxel_slice is None:
        return 0, int(n_voxels)
    start, stop, step = voxel_slice.indices(int(n_voxels))
    if step != 1 or stop <= start:
        raise InputError("voxel_slice", f"must be a non-empty contiguous slice of 0..{n_voxels}, got {voxel_slice}",
                         "use the bounds from voxel_chunk_bounds")
    return start, stop


def _read_response_batch(responses, start: int, stop: int) -> np.ndarray:
    """Columns ``start:stop`` of the responses as a new C-contiguous float32 array, checked for NaN.

    The result never shares memory with ``responses`` (a numpy array or
    memmap slice is copied; an h5py read is already a new array), so it can
    be centred in place.
    """
    batch = responses[:, start:stop]
    if isinstance(batch, np.ndarray) and isinstance(responses, np.ndarray) and np.may_share_memory(batch, responses):
        batch = np.array(batch, dtype=np.float32, order="C")
    else:
        batch = np.ascontiguousarray(batch, dtype=np.float32)
    if not np.all(np.isfinite(batch)):
        bad = start + np.flatnonzero(~np.all(np.isfinite(batch), axis=0))
        raise InputError("responses", f"voxels {bad[:5].tolist()} (of {bad.size}) contain NaN or infinite values",
                         "mask out voxels outside the brain or fill missing TRs before fitting")
    return batch


def _fraction_equal(values: np.ndarray, target: float) -> float:
    if values.size == 0:
        return 0.0
    return float(np.mean(np.isclose(values, np.float32(target), rtol=1e-6, atol=0.0)))

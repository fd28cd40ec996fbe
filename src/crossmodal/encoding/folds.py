"""Cross-validation splits that respect fMRI runs.

Two schemes, both returning a list of ``(train_indices, test_indices)`` pairs
of sample (TR) indices:

- :func:`grouped_folds`: whole runs are held out (grouped K-fold), the
  default of this project;
- :func:`bootstrap_chunk_folds`: the Huth lab scheme, where random chunks of
  consecutive TRs (never crossing a run boundary) are held out in each of
  several bootstraps.

Both are deterministic: the same arguments give the same folds.
"""

from __future__ import annotations

import logging

import numpy as np

from crossmodal.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["grouped_folds", "bootstrap_chunk_folds", "run_lengths", "check_run_ids"]


def check_run_ids(run_ids, n_samples: int | None = None) -> np.ndarray:
    """Validate run labels and return them as an integer array.

    Parameters
    ----------
    run_ids : array-like of shape (n_samples,)
        Run label of every sample (TR). Any integers; a run need not be
        contiguous in time, but it is in every real dataset.
    n_samples : int or None
        Expected number of samples (rows of the design), if known.

    Returns
    -------
    run_ids : array of shape (n_samples,), int64
    """
    run_ids = np.asarray(run_ids)
    if run_ids.ndim != 1:
        raise InputError("run_ids", f"must be one label per TR (1-D), got shape {run_ids.shape}",
                         "pass an integer array of shape (n_samples,)")
    if run_ids.size and not np.issubdtype(run_ids.dtype, np.integer):
        if not np.all(np.isfinite(run_ids)) or np.any(run_ids != np.round(run_ids)):
            raise InputError("run_ids", "run labels must be integers",
                             "label each TR with the integer index of its run")
    run_ids = run_ids.astype(np.int64)
    if n_samples is not None and run_ids.shape[0] != n_samples:
        raise InputError("run_ids", f"has {run_ids.shape[0]} labels but the design has {n_samples} rows",
                         "give exactly one run label per design row (TR)")
    return run_ids


def run_lengths(run_ids) -> dict[int, int]:
    """Number of TRs of every run, in order of first appearance.

    Parameters
    ----------
    run_ids : array of shape (n_samples,)

    Returns
    -------
    lengths : dict run label -> number of TRs
    """
    run_ids = check_run_ids(run_ids)
    labels, first, counts = np.unique(run_ids, return_index=True, return_counts=True)
    order = np.argsort(first)
    return {int(labels[i]): int(counts[i]) for i in order}


def group_fold_labels(groups, n_folds: int, seed: int | None = None) -> np.ndarray:
    """Assign whole groups of samples to folds (the one grouped-folds rule of the project).

    Parameters
    ----------
    groups : array of shape (n_samples,)
        Group label of every sample (a run, or the image of a caption).
    n_folds : int
        At most the number of groups.
    seed : int or None
        None: balanced and deterministic -- groups from the largest to the
        smallest (ties by first appearance), each to the fold with the fewest
        samples so far (ties to the lowest fold). An int: the groups, in the
        order of ``numpy.unique``, are visited in
        ``numpy.random.default_rng(seed).permutation`` order and dealt to folds
        0, 1, ..., n_folds - 1, 0, ...

    Returns
    -------
    fold : array of shape (n_samples,), int64
    """
    groups = np.asarray(groups)
    if seed is not None:
        _, inverse = np.unique(groups, return_inverse=True)
        n_groups = int(inverse.max()) + 1 if groups.size else 0
        group_fold = np.empty(n_groups, dtype=np.int64)
        group_fold[np.random.default_rng(seed).permutation(n_groups)] = np.arange(n_groups) % n_folds
        return group_fold[inverse.reshape(-1)]
    first_seen = list(dict.fromkeys(groups.tolist()))
    sizes = {group: 0 for group in first_seen}
    for group in groups.tolist():
        sizes[group] += 1
    fold_sizes = np.zeros(n_folds, dtype=np.int64)
    fold_of_group = {}
    for group in sorted(first_seen, key=lambda g: -sizes[g]):  # stable: ties keep first-seen order
        fold = int(np.argmin(fold_sizes))
        fold_of_group[group] = fold
        fold_sizes[fold] += sizes[group]
    return np.array([fold_of_group[group] for group in groups.tolist()], dtype=np.int64)


def grouped_folds(run_ids, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K-fold cross-validation that holds out whole runs.

    Runs are assigned to folds deterministically and balanced by TR count:
    runs are taken from the longest to the shortest (ties by order of first
    appearance) and each is given to the fold with the fewest TRs so far
    (ties to the lowest fold index). A run is never split across folds.
    If there are fewer runs than ``n_folds``, every run becomes its own fold
    (leave-one-run-out) and this is logged.

    Parameters
    ----------
    run_ids : array-like of shape (n_samples,)
        Run label of every TR.
    n_folds : int
        Requested number of folds, at least 2.

    Returns
    -------
    folds : list of (train_indices, test_indices)
        ``min(n_folds, n_runs)`` pairs of sorted int64 arrays; the test sets
        are disjoint and together cover every sample exactly once.
    """
    run_ids = check_run_ids(run_ids)
    n_folds = int(n_folds)
    if n_folds < 2:
        raise InputError("encoding.n_folds", f"must be at least 2, got {n_folds}",
                         "set encoding.n_folds to 2 or more")
    lengths = run_lengths(run_ids)
    n_runs = len(lengths)
    if n_runs < 2:
        raise InputError("run_ids", f"grouped cross-validation needs at least 2 training runs, got {n_runs}",
                         "give more than one training run, or use cv: bootstrap (chunks within a run)")
    if n_runs < n_folds:
        logger.info("only %d runs for %d folds: using %d folds (leave-one-run-out)",
                    n_runs, n_folds, n_runs)
        n_folds = n_runs
    sample_fold = group_fold_labels(run_ids, n_folds)
    fold_sizes = np.bincount(sample_fold, minlength=n_folds)
    all_samples = np.arange(run_ids.shape[0])
    folds = [(all_samples[sample_fold != fold], all_samples[sample_fold == fold]) for fold in range(n_folds)]
    logger.info("grouped CV: %d runs in %d folds of %s TRs", n_runs, n_folds, fold_sizes.tolist())
    return folds


def bootstrap_chunk_folds(run_ids, chunk_len: int = 40, n_boots: int = 50, heldout_fraction: float = 0.2,
                          seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Huth lab bootstrap cross-validation with chunks held out.

    Every run is cut into chunks of ``chunk_len`` consecutive TRs, starting at
    the run's first TR; a chunk never crosses a run boundary. The leftover
    TRs at the end of a run (``run_len % chunk_len`` of them) form one
    shorter final chunk of that run, so no TR is silently dropped (the Huth
    lab code drops them). Each bootstrap holds out
    ``round(heldout_fraction * n_chunks)`` chunks (at least 1, at most
    ``n_chunks - 1``) drawn without replacement by a
    ``numpy.random.default_rng(seed)`` generator; the rest is training data.

    Parameters
    ----------
    run_ids : array-like of shape (n_samples,)
        Run label of every TR; the TRs of a run are consecutive samples in
        the order given (chunks follow that order).
    chunk_len : int
        Chunk length in TRs.
    n_boots : int
        Number of bootstraps (train/test splits).
    heldout_fraction : float
        Fraction of the chunks held out per bootstrap, in (0, 1).
    seed : int
        Seed of the random generator.

    Returns
    -------
    folds : list of (train_indices, test_indices)
        ``n_boots`` pairs of sorted int64 arrays.
    """
    run_ids = check_run_ids(run_ids)
    chunks = _chunks_within_runs(run_ids, int(chunk_len))
    if not 0.0 < heldout_fraction < 1.0:
        raise InputError("encoding.heldout_fraction", f"must be in (0, 1), got {heldout_fraction}",
                         "set it to the fraction of chunks held out per bootstrap, e.g. 0.2")
    if int(n_boots) < 1:
        raise InputError("encoding.n_boots", f"must be at least 1, got {n_boots}", "set encoding.n_boots >= 1")
    n_chunks = len(chunks)
    if n_chunks < 2:
        raise InputError("run_ids", f"only {n_chunks} chunk of {chunk_len} TRs in the training data",
                         "use a shorter encoding.chunk_len or more training TRs")
    n_heldout = min(max(int(round(heldout_fraction * n_chunks)), 1), n_chunks - 1)
    rng = np.random.default_rng(seed)
    all_samples = np.arange(run_ids.shape[0])
    folds = []
    for _ in range(int(n_boots)):
        heldout_chunks = rng.choice(n_chunks, size=n_heldout, replace=False)
        is_test = np.zeros(run_ids.shape[0], dtype=bool)
        for chunk in heldout_chunks:
            is_test[chunks[chunk]] = True
        folds.append((all_samples[~is_test], all_samples[is_test]))
    logger.info("bootstrap CV: %d chunks (chunk_len=%d), %d held out in each of %d bootstraps, seed %d",
                n_chunks, chunk_len, n_heldout, n_boots, seed)
    return folds


def _chunks_within_runs(run_ids: np.ndarray, chunk_len: int) -> list[np.ndarray]:
    """Sample indices of every chunk, run by run (see bootstrap_chunk_folds).

    Parameters
    ----------
    run_ids : array of shape (n_samples,)
    chunk_len : int

    Returns
    -------
    chunks : list of int64 arrays, each of at most chunk_len consecutive TRs of one run
    """
    if chunk_len < 1:
        raise InputError("encoding.chunk_len", f"must be at least 1 TR, got {chunk_len}",
                         "set encoding.chunk_len to a positive number of TRs (default 40)")
    chunks = []
    for run in run_lengths(run_ids):
        run_samples = np.flatnonzero(run_ids == run)
        for start in range(0, run_samples.size, chunk_len):
            chunks.append(run_samples[start:start + chunk_len])
    return chunks

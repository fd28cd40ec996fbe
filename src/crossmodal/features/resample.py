"""Lanczos resampling of event features onto fMRI time grids (method.md step 2).

The value at TR time ``t`` is the kernel-weighted **sum** of the event
vectors (no normalisation, so the event rate is carried)::

    y(t) = sum_e L((t - t_e) * f_c) * x_e,    f_c = cutoff_mult / TR
    L(x) = sinc(x) * sinc(x / a)  for |x| <= a,  0 otherwise  (a = window = 3)

with the normalised sinc ``sinc(x) = sin(pi x) / (pi x)`` (``np.sinc``). This
is the Huth lab's ``lanczosfun``: ``a sin(pi x) sin(pi x / a) / (pi x)^2``.

Grids
-----
- ds003020 stories (:func:`ds003020_feature_grid`): ``n_trs_scan - 5`` TRs of
  2.0 s whose mid-times relative to sound onset are ``k * 2.0 - 10 + 1.0``;
  rows ``[10:-5]`` are kept, leaving ``n_trs_scan - 20`` rows, the rows of
  the response file. Word times are relative to sound onset.
- Movies (:func:`movie_tr_times`): TR ``k`` at its mid-point
  ``(k + 0.5) * TR`` from the run start; frame times are from the run start.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from crossmodal.data.movies import run_tr_times
from crossmodal.data.stories import story_tr_times
from crossmodal.errors import InputError

DS003020_TR = 2.0
DS003020_ONSET = 10.0  # sound onset, seconds after the scan start
DS003020_SCAN_TRIM = 5  # features are computed on n_trs_scan - 5 TRs
DS003020_KEEP = slice(10, -5)  # rows of that grid the response file keeps


def lanczos_kernel(x: np.ndarray, window: int = 3) -> np.ndarray:
    """Lanczos kernel ``sinc(x) * sinc(x / window)`` on ``|x| <= window``, 0 outside.

    Parameters
    ----------
    x : array of any shape
    window : int
        ``a``, the number of lobes on each side.

    Returns
    -------
    values : float64 array, same shape as ``x``; ``L(0) = 1``, ``L(k) = 0``
        for non-zero integers ``k``.
    """
    x = np.asarray(x, dtype=np.float64)
    return np.where(np.abs(x) <= window, np.sinc(x) * np.sinc(x / window), 0.0)


def lanczos_weights(
    event_times: np.ndarray,
    tr_times: np.ndarray,
    tr: float,
    cutoff_mult: float = 1.0,
    window: int = 3,
) -> scipy.sparse.csr_matrix:
    """Sparse (banded) Lanczos weight matrix from events to TRs.

    Parameters
    ----------
    event_times : array of shape (n_events,), seconds
    tr_times : array of shape (n_trs,), seconds (same origin)
    tr : float
        Repetition time; the cutoff is ``f_c = cutoff_mult / tr``.
    cutoff_mult : float
    window : int

    Returns
    -------
    weights : scipy.sparse.csr_matrix of shape (n_trs, n_events), float64
        ``weights[k, e] = L((tr_times[k] - event_times[e]) * f_c)``; only the
        events within ``window / f_c`` seconds of each TR are stored.
    """
    event_times = np.asarray(event_times, dtype=np.float64)
    tr_times = np.asarray(tr_times, dtype=np.float64)
    if not (tr > 0 and cutoff_mult > 0):
        raise InputError("features.lanczos", f"tr {tr} / cutoff_mult {cutoff_mult}", "use positive values")
    if not np.all(np.isfinite(event_times)):
        raise InputError("event times", "contain NaN or infinite values", "check the word / frame times")
    cutoff = cutoff_mult / tr
    half_width = window / cutoff
    order = np.argsort(event_times, kind="stable")
    sorted_times = event_times[order]
    first = np.searchsorted(sorted_times, tr_times - half_width, side="left")
    last = np.searchsorted(sorted_times, tr_times + half_width, side="right")
    counts = last - first
    rows = np.repeat(np.arange(len(tr_times)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    sorted_columns = np.repeat(first, counts) + offsets
    columns = order[sorted_columns]
    values = lanczos_kernel((tr_times[rows] - event_times[columns]) * cutoff, window)
    return scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(tr_times), len(event_times)))


def lanczos_resample(
    event_values: np.ndarray,
    event_times: np.ndarray,
    tr_times: np.ndarray,
    tr: float,
    cutoff_mult: float = 1.0,
    window: int = 3,
) -> np.ndarray:
    """Resample event features to TR times: kernel-weighted sum (unnormalised).

    Parameters
    ----------
    event_values : array of shape (n_events, n_features)
    event_times : array of shape (n_events,), seconds
    tr_times : array of shape (n_trs,), seconds
    tr : float
        Repetition time in seconds; cutoff ``f_c = cutoff_mult / tr``.
    cutoff_mult : float
    window : int

    Returns
    -------
    tr_values : float32 array of shape (n_trs, n_features)
    """
    event_values = np.asarray(event_values)
    if event_values.ndim != 2 or event_values.shape[0] != len(event_times):
        raise ValueError(f"event_values {event_values.shape} do not match {len(event_times)} event times")
    weights = lanczos_weights(event_times, tr_times, tr, cutoff_mult, window)
    return np.asarray(weights @ event_values.astype(np.float64), dtype=np.float32)


def ds003020_feature_grid(
    n_trs_scan: int, tr: float = DS003020_TR, onset: float = DS003020_ONSET
) -> tuple[np.ndarray, slice]:
    """The ds003020 feature grid and the rows of it the response file keeps.

    Parameters
    ----------
    n_trs_scan : int
        ``respdict[story]``.
    tr, onset : float
        2.0 s and the sound onset of 10 s.

    Returns
    -------
    tr_times : float64 array of shape (n_trs_scan - 5,)
        TR mid-times relative to sound onset, ``k * tr - onset + tr / 2``.
    keep : slice
        ``slice(10, -5)``: ``tr_times[keep]`` has ``n_trs_scan - 20`` rows.
    """
    if n_trs_scan <= 20:
        raise InputError(
            "respdict.json",
            f"gives a story {n_trs_scan} TRs, but at least 21 are needed (20 are trimmed)",
            "check respdict.json against the response files",
        )
    n_grid = n_trs_scan - DS003020_SCAN_TRIM
    return np.arange(n_grid) * tr - onset + tr / 2.0, DS003020_KEEP


def ds003020_tr_times(n_trs_scan: int, tr: float = DS003020_TR, onset: float = DS003020_ONSET) -> np.ndarray:
    """Mid-times (from sound onset) of the TRs in a ds003020 response file.

    Returns
    -------
    tr_times : float64 array of shape (n_trs_scan - 20,)
        ``(k + 10) * tr - onset + tr / 2`` for ``k = 0 .. n_trs_scan - 21``.
    """
    ds003020_feature_grid(n_trs_scan, tr, onset)  # checks n_trs_scan
    return story_tr_times(n_trs_scan, tr, onset)


def resample_story(
    word_values: np.ndarray,
    word_times: np.ndarray,
    n_trs_scan: int,
    tr: float = DS003020_TR,
    onset: float = DS003020_ONSET,
    cutoff_mult: float = 1.0,
    window: int = 3,
) -> np.ndarray:
    """Story word features on the rows of its ds003020 response file.

    Parameters
    ----------
    word_values : array of shape (n_words, n_features)
    word_times : array of shape (n_words,)
        Word midpoints in seconds from sound onset.
    n_trs_scan : int
        ``respdict[story]``.

    Returns
    -------
    story_features : float32 array of shape (n_trs_scan - 20, n_features)
    """
    return lanczos_resample(word_values, word_times, ds003020_tr_times(n_trs_scan, tr, onset), tr, cutoff_mult, window)


def movie_tr_times(n_trs: int, tr: float) -> np.ndarray:
    """Mid-times of a movie run's TRs from the run start: ``(k + 0.5) * tr``.

    Returns
    -------
    tr_times : float64 array of shape (n_trs,)
    """
    if n_trs < 1 or not tr > 0:
        raise InputError("movie run", f"has {n_trs} TRs of {tr} s", "check the response file and its TR")
    return run_tr_times(n_trs, tr)


def resample_movie_run(
    frame_values: np.ndarray,
    frame_times: np.ndarray,
    n_trs: int,
    tr: float,
    cutoff_mult: float = 1.0,
    window: int = 3,
) -> np.ndarray:
    """Frame features of one movie run on its TR grid.

    Parameters
    ----------
    frame_values : array of shape (n_samples, n_features)
    frame_times : array of shape (n_samples,), seconds from the run start
    n_trs : int
        Rows of the run's responses.
    tr : float

    Returns
    -------
    run_features : float32 array of shape (n_trs, n_features)
    """
    return lanczos_resample(frame_values, frame_times, movie_tr_times(n_trs, tr), tr, cutoff_mult, window)

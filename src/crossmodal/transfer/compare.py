"""Multimodal-vs-unimodal comparison and region summaries (method.md steps 5-6)."""

from __future__ import annotations

import numpy as np

from crossmodal.errors import InputError
from crossmodal.transfer.tuning import _region_items

__all__ = ["across_subjects", "block_bootstrap_mean", "comparison_rows", "entered_voxels", "paired_difference", "region_summary", "spatial_blocks"]


def _vector(array, name: str, function: str, n: int | None = None, dtype=np.float64) -> np.ndarray:
    out = np.asarray(array, dtype=dtype)
    if out.ndim != 1 or (n is not None and out.shape[0] != n):
        expected = "(n_voxels,)" if n is None else f"({n},)"
        raise InputError(f"{function}({name})", f"expected shape {expected}, got {out.shape}", "pass one value per voxel")
    return out


def spatial_blocks(n_voxels: int, n_blocks: int, coordinates=None, hemisphere=None, seed: int = 0) -> np.ndarray:
    """Spatially compact blocks of voxels, the units a bootstrap resamples.

    With coordinates, k-means (``scipy.cluster.vq.kmeans2``, k-means++
    start) within each hemisphere, ``n_blocks`` split between hemispheres
    in proportion to their voxels. Without coordinates, ``n_blocks`` runs
    of consecutive voxel indices: for volume data stored in C order (as
    ds003020 stores its cortical voxels) these are slabs of neighbouring
    slices.

    Parameters
    ----------
    n_voxels : int
    n_blocks : int
        Blocks wanted (at most ``n_voxels``).
    coordinates : array of shape (n_voxels, 3), optional
        Positions (e.g. the fsaverage5 sphere, mm).
    hemisphere : array of shape (n_voxels,), int, optional
        Hemisphere of every voxel (blocks never span two); default one.
    seed : int
        Seed of the k-means start.

    Returns
    -------
    blocks : array of shape (n_voxels,), int
        Block index of every voxel, 0 .. n_blocks - 1 (a k-means block can be
        empty, so some indices may be unused).
    """
    function = "spatial_blocks"
    if n_blocks < 1 or n_voxels < 1:
        raise InputError(f"{function}(n_blocks)", f"need at least one block and one voxel, got {n_blocks} and {n_voxels}",
                         "set compare.n_blocks to 1 or more")
    n_blocks = min(n_blocks, n_voxels)
    if coordinates is None:
        return (np.arange(n_voxels) * n_blocks // n_voxels).astype(np.int64)
    points = np.asarray(coordinates, dtype=float)
    if points.shape != (n_voxels, 3):
        raise InputError(f"{function}(coordinates)", f"expected shape ({n_voxels}, 3), got {points.shape}", "pass one position per voxel")
    sides = np.zeros(n_voxels, dtype=int) if hemisphere is None else _vector(hemisphere, "hemisphere", function, n_voxels, dtype=int)
    blocks = np.empty(n_voxels, dtype=np.int64)
    from scipy.cluster import vq  # imported here, not at the top: every table and figure job imports this package

    rng = np.random.default_rng(seed)
    offset = 0
    for side in np.unique(sides):
        members = np.flatnonzero(sides == side)
        k = max(1, min(len(members), round(n_blocks * len(members) / n_voxels)))
        _, labels = vq.kmeans2(points[members], k, minit="++", seed=rng)
        blocks[members] = labels + offset
        offset += k
    return blocks


def block_bootstrap_mean(values, blocks, n_bootstrap: int = 2000, confidence: float = 0.95, seed: int = 0) -> dict[str, float]:
    """Mean of voxel values with a bootstrap over spatial blocks.

    Each draw resamples the occupied blocks with replacement (as many as
    there are) and takes the mean over all voxels of the drawn blocks, so
    voxels of one block, which share noise and tuning, move together.

    Parameters
    ----------
    values : array of shape (n_voxels,)
        E.g. per-voxel differences of two models' scores; non-finite values
        are left out.
    blocks : array of shape (n_voxels,), int
        Block of every voxel (:func:`spatial_blocks`).
    n_bootstrap : int
    confidence : float
        Level of the percentile interval.
    seed : int

    Returns
    -------
    result : dict
        ``mean``, ``ci_low``, ``ci_high`` (percentile interval), ``p``
        (two-sided bootstrap p-value of mean = 0: twice the smaller fraction of
        draws on either side of 0, with the +1 correction, at most 1),
        ``n_voxels``, ``n_blocks`` (occupied blocks). NaN when no voxel is
        left; one occupied block gives a zero-width interval and p NaN.
    """
    function = "block_bootstrap_mean"
    x = _vector(values, "values", function)
    labels = _vector(blocks, "blocks", function, x.shape[0], dtype=np.int64)
    keep = np.isfinite(x)
    x, labels = x[keep], labels[keep]
    result = {"mean": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "n_voxels": int(x.size), "n_blocks": 0}
    if x.size == 0:
        return result
    occupied, index = np.unique(labels, return_inverse=True)
    sums = np.bincount(index, weights=x)
    counts = np.bincount(index).astype(float)
    result.update(mean=float(x.mean()), n_blocks=int(occupied.size))
    if occupied.size == 1:
        result.update(ci_low=result["mean"], ci_high=result["mean"])
        return result
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(occupied.size, np.full(occupied.size, 1.0 / occupied.size), size=n_bootstrap).astype(float)
    means = (draws @ sums) / (draws @ counts)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    below, above = np.sum(means <= 0), np.sum(means >= 0)
    p = min(1.0, 2.0 * (1 + min(below, above)) / (1 + n_bootstrap))
    result.update(ci_low=float(low), ci_high=float(high), p=float(p))
    return result


def paired_difference(score_a, score_b, entered, blocks, n_bootstrap: int = 2000, confidence: float = 0.95,
                      seed: int = 0) -> dict[str, float]:
    """One subject's mean difference of two models' scores over the voxels entered, with a block-bootstrap interval.

    Parameters
    ----------
    score_a, score_b : arrays of shape (n_voxels,)
        E.g. multimodal and unimodal cross-modal correlations.
    entered : array of shape (n_voxels,), bool
        Voxels compared (e.g. significant for either model, outside primary
        sensory cortex). Voxels where either score is NaN are left out.
    blocks : array of shape (n_voxels,), int
        Spatial blocks (:func:`spatial_blocks`).
    n_bootstrap, confidence, seed
        See :func:`block_bootstrap_mean`.

    Returns
    -------
    result : dict
        ``n_voxels``, ``n_blocks``, ``mean_a``, ``mean_b``,
        ``mean_difference`` (mean of a - b), ``ci_low``, ``ci_high``,
        ``bootstrap_p``, ``fraction_a_wins`` (a > b strictly).
    """
    function = "paired_difference"
    a = _vector(score_a, "score_a", function)
    b = _vector(score_b, "score_b", function, a.shape[0])
    keep = _vector(entered, "entered", function, a.shape[0], dtype=bool) & np.isfinite(a) & np.isfinite(b)
    difference = np.where(keep, a - b, np.nan)
    summary = block_bootstrap_mean(difference, blocks, n_bootstrap, confidence, seed)
    return {
        "n_voxels": summary["n_voxels"],
        "n_blocks": summary["n_blocks"],
        "mean_a": float(a[keep].mean()) if keep.any() else np.nan,
        "mean_b": float(b[keep].mean()) if keep.any() else np.nan,
        "mean_difference": summary["mean"],
        "ci_low": summary["ci_low"],
        "ci_high": summary["ci_high"],
        "bootstrap_p": summary["p"],
        "fraction_a_wins": float(np.mean(a[keep] > b[keep])) if keep.any() else np.nan,
    }


def across_subjects(differences) -> dict[str, float]:
    """Paired test across subjects: one-sample t-test of the per-subject mean differences against 0.

    Equivalent to a paired t-test of the per-subject means of the two models
    (each subject's voxels are the sampling unit's inside, the subjects are
    the units here).

    Parameters
    ----------
    differences : array of shape (n_subjects,)
        Per-subject mean differences (NaN subjects are left out).

    Returns
    -------
    result : dict
        ``n_subjects``, ``mean_difference``, ``t_statistic``, ``p``
        (two-sided, ``scipy.stats.ttest_1samp``); t and p are NaN with fewer
        than two subjects or when every difference is equal.
    """
    x = _vector(differences, "differences", "across_subjects")
    x = x[np.isfinite(x)]
    result = {"n_subjects": int(x.size), "mean_difference": float(x.mean()) if x.size else np.nan, "t_statistic": np.nan, "p": np.nan}
    if x.size < 2 or np.ptp(x) == 0:
        return result
    from scipy import stats

    test = stats.ttest_1samp(x, 0.0)
    result.update(t_statistic=float(test.statistic), p=float(test.pvalue))
    return result


DIRECTIONS = ("story_to_movie", "movie_to_story")
_ROLE_NAMES = {"mean_a": "mean_multimodal", "mean_b": "mean_unimodal", "fraction_a_wins": "fraction_multimodal_wins"}


def entered_voxels(significant_a, significant_b, primary_sensory) -> tuple[np.ndarray, bool]:
    """Voxels a model comparison averages over: significant for either model, outside primary sensory cortex.

    Parameters
    ----------
    significant_a, significant_b : arrays of shape (n_voxels,), bool
        Each model's significance (the shared-tuning test, FDR).
    primary_sensory : array of shape (n_voxels,), bool
        Primary visual or auditory voxels; all False when the space has no
        such mask (subject space without pycortex ROIs).

    Returns
    -------
    entered : array of shape (n_voxels,), bool
    mask_available : bool
        Whether a primary-sensory mask existed (else primary cortex is in).
    """
    sensory = np.asarray(primary_sensory, dtype=bool)
    either = np.asarray(significant_a, dtype=bool) | np.asarray(significant_b, dtype=bool)
    return either & ~sensory, bool(sensory.any())


def comparison_rows(subjects: dict, alignment: str, settings: dict) -> list[dict]:
    """The model-comparison table: one row per subject, direction and score, plus the across-subject test.

    Parameters
    ----------
    subjects : dict of subject to (scores_a, scores_b, primary_sensory, blocks)
        ``scores_a``/``scores_b``: the multimodal and unimodal model's score
        dicts ``{(direction, alignment): {name: (n_voxels,) array}}``
        (:func:`crossmodal.transfer.subject.load_scores`);
        ``primary_sensory`` (n_voxels,) bool; ``blocks`` (n_voxels,) int
        (:func:`spatial_blocks`).
    alignment : str
        The alignment both models are compared under.
    settings : dict
        ``n_bootstrap``, ``confidence``, ``seed`` (config ``compare``).

    Returns
    -------
    rows : list of dict
        Per subject: ``subject``, ``direction``, ``alignment``, ``score``,
        ``mask_available``, ``voxels_entered`` (in words), the columns of
        :func:`paired_difference` with a/b named multimodal/unimodal. Per
        direction and score, one row with ``subject`` "all subjects": the mean
        of the subject means, ``n_subjects``, ``t_statistic`` and ``p`` of
        :func:`across_subjects`.
    """
    rows = []
    for direction in DIRECTIONS:
        for score in ("raw", "corrected"):
            per_subject = []
            for subject, (scores_a, scores_b, primary_sensory, blocks) in subjects.items():
                a, b = scores_a[direction, alignment], scores_b[direction, alignment]
                entered, mask_available = entered_voxels(a[f"{score}_significant"], b[f"{score}_significant"], primary_sensory)
                where = "outside primary sensory cortex" if mask_available else "whole cortex (no primary-sensory mask)"
                result = paired_difference(a[f"{score}_r"], b[f"{score}_r"], entered, blocks, settings["n_bootstrap"],
                                           settings["confidence"], settings["seed"])
                row = {"subject": subject, "direction": direction, "alignment": alignment, "score": score,
                       "mask_available": mask_available, "voxels_entered": f"significant for either model, {where}"}
                row.update({_ROLE_NAMES.get(key, key): value for key, value in result.items()})
                per_subject.append(row)
            rows += per_subject
            test = across_subjects([row["mean_difference"] for row in per_subject])
            rows.append({"subject": "all subjects", "direction": direction, "alignment": alignment, "score": score,
                         "mask_available": all(row["mask_available"] for row in per_subject),
                         "voxels_entered": "per-subject means", "n_voxels": sum(row["n_voxels"] for row in per_subject),
                         **test})
    return rows


def region_summary(scores, significant, region_labels, region_names) -> list[dict]:
    """Mean score and fraction of significant voxels per region.

    Parameters
    ----------
    scores : array of shape (n_voxels,)
        E.g. cross-modal correlations or transfer ratios.
    significant : array of shape (n_voxels,), bool, or None
        E.g. FDR significance; None gives a NaN fraction.
    region_labels : array of shape (n_voxels,), int
        Region index per voxel; negative labels belong to no region.
    region_names : sequence of str or mapping {label: name}
        ``region_names[label]`` names the region (e.g. ``RegionMap.names``).
        Every non-negative label must have a name.

    Returns
    -------
    rows : list of dict
        In the order of ``region_names``: ``region``, ``n_voxels`` (voxels with
        that label), ``mean_score`` (mean over those with a finite score, NaN
        if none), ``fraction_significant`` (over all voxels of the region; NaN
        for an empty region).
    """
    function = "region_summary"
    labels, items = _region_items(region_labels, region_names, function)
    values = _vector(scores, "scores", function, labels.shape[0])
    flags = None if significant is None else _vector(significant, "significant", function, labels.shape[0], dtype=bool)
    rows = []
    for label, name in items:
        in_region = labels == label
        n = int(in_region.sum())
        finite = values[in_region][np.isfinite(values[in_region])]
        rows.append(
            {
                "region": name,
                "n_voxels": n,
                "mean_score": float(finite.mean()) if finite.size else float("nan"),
                "fraction_significant": float(flags[in_region].mean()) if (flags is not None and n) else float("nan"),
            }
        )
    return rows

"""Multimodal-vs-unimodal comparison and region summaries (method.md steps 5-6)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from crossmodal.errors import InputError
from crossmodal.transfer.tuning import _region_items

__all__ = ["compare_models", "region_summary"]


def _vector(array, name: str, function: str, n: int | None = None, dtype=np.float64) -> np.ndarray:
    out = np.asarray(array, dtype=dtype)
    if out.ndim != 1 or (n is not None and out.shape[0] != n):
        expected = "(n_voxels,)" if n is None else f"({n},)"
        raise InputError(f"{function}({name})", f"expected shape {expected}, got {out.shape}", "pass one value per voxel")
    return out


def compare_models(score_a, score_b, mask=None, alternative: str = "two-sided") -> dict[str, float]:
    """Paired, voxel-by-voxel comparison of two models' scores.

    Parameters
    ----------
    score_a : array of shape (n_voxels,)
        E.g. BridgeTower cross-modal correlations.
    score_b : array of shape (n_voxels,)
        E.g. RoBERTa/ViT cross-modal correlations of the same voxels.
    mask : array of shape (n_voxels,), bool, optional
        Voxels to compare (e.g. outside primary visual and auditory cortex);
        default all. Voxels where either score is NaN are left out.
    alternative : {"two-sided", "greater", "less"}
        Alternative of the Wilcoxon signed-rank test on ``score_a - score_b``.

    Returns
    -------
    result : dict
        ``mean_difference`` (mean of a - b), ``fraction_a_wins`` (fraction of
        voxels with a > b strictly; ties count as losses), ``wilcoxon_p``
        (``scipy.stats.wilcoxon``, zero differences dropped, normal
        approximation above 50 voxels; 1.0 when every difference is 0),
        ``wilcoxon_statistic`` and ``n_voxels`` (voxels compared). NaN
        statistics when no voxel is left.
    """
    function = "compare_models"
    a = _vector(score_a, "score_a", function)
    b = _vector(score_b, "score_b", function, a.shape[0])
    keep = np.ones(a.shape, dtype=bool) if mask is None else _vector(mask, "mask", function, a.shape[0], dtype=bool)
    if alternative not in ("two-sided", "greater", "less"):
        raise InputError(f"{function}(alternative)", f"unknown alternative {alternative!r}", "use 'two-sided', 'greater' or 'less'")
    keep = keep & np.isfinite(a) & np.isfinite(b)
    difference = a[keep] - b[keep]
    n = int(difference.size)
    result = {"mean_difference": np.nan, "fraction_a_wins": np.nan, "wilcoxon_p": np.nan, "wilcoxon_statistic": np.nan, "n_voxels": n}
    if n == 0:
        return result
    result["mean_difference"] = float(difference.mean())
    result["fraction_a_wins"] = float(np.mean(difference > 0))
    if np.all(difference == 0):
        result["wilcoxon_p"] = 1.0
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # scipy's note on small samples / ties
        test = stats.wilcoxon(difference, zero_method="wilcox", alternative=alternative, method="auto")
    result["wilcoxon_p"] = float(test.pvalue)
    result["wilcoxon_statistic"] = float(test.statistic)
    return result


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

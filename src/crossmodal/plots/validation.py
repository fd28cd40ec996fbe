"""Figures of the synthetic-data validation: planted truth against what was detected."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossmodal.plots.style import plt
from crossmodal.transfer.validation import CLASS_NAMES

DETECTED = ("neither", "story\u2192movie only", "movie\u2192story only", "both")


def detection_matrix(voxel_class: np.ndarray, story_to_movie: np.ndarray, movie_to_story: np.ndarray, n_classes: int) -> np.ndarray:
    """Fraction of each planted class in each detected category.

    Parameters
    ----------
    voxel_class : int array of shape (n_voxels,)
    story_to_movie, movie_to_story : bool arrays of shape (n_voxels,)
        Significant cross-modal transfer in each direction.
    n_classes : int

    Returns
    -------
    fractions : array of shape (n_classes, 4)
        Rows sum to 1 (classes without voxels: NaN); columns as :data:`DETECTED`.
    """
    category = np.asarray(story_to_movie, int) + 2 * np.asarray(movie_to_story, int)
    counts = np.zeros((n_classes, 4))
    np.add.at(counts, (np.asarray(voxel_class, int), category), 1)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.full_like(counts, np.nan), where=totals > 0)


def recovery_panel(matrices: dict[str, np.ndarray], class_names, pca_recovery: pd.DataFrame | None = None, title: str = ""):
    """Planted class vs detected transfer (one heat map per model set), and PC subspace recovery.

    Parameters
    ----------
    matrices : dict of label to array of shape (n_classes, 4)
        :func:`detection_matrix` of each model set (subjects pooled).
    class_names : sequence of str
    pca_recovery : DataFrame, optional
        ``model, layer, component, cosine`` (``results/validation/pca_recovery.tsv``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(matrices) + (pca_recovery is not None)
    figure, axes = plt.subplots(1, n, figsize=(3.6 * n, 3.0), squeeze=False)
    for ax, (label, matrix) in zip(axes[0], matrices.items()):
        image = ax.imshow(matrix, cmap="Greens", vmin=0, vmax=1, aspect="auto")
        for (i, j), value in np.ndenumerate(matrix):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="w" if value > 0.6 else "k")
        ax.set_xticks(range(len(DETECTED)), DETECTED, rotation=30, ha="right")
        ax.set_yticks(range(len(class_names)), class_names)
        ax.set_xlabel("detected (significant transfer)")
        ax.set_ylabel("planted class")
        ax.set_title(label)
    if matrices:
        figure.colorbar(image, ax=axes[0, len(matrices) - 1], shrink=0.8, label="fraction of class")
    if pca_recovery is not None:
        ax = axes[0, -1]
        for (model, layer), part in pca_recovery.groupby(["model", "layer"], sort=False):
            ax.plot(part["component"], part["cosine"], marker="o", label=f"{model} {layer}")
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("principal angle (top PCs vs planted concepts)")
        ax.set_ylabel("cosine")
        ax.set_title("PCA: planted concept subspace")
        ax.legend(fontsize=7)
    figure.suptitle(title, y=1.02)
    figure.tight_layout()
    return figure


CLASS_COLUMNS = CLASS_NAMES  # the class columns of recovery.tsv: fraction_significant_<name>


def class_rate_panel(recovery: pd.DataFrame, q: float = 0.05, title: str = ""):
    """Fraction significant in each planted class, per model set, direction, alignment and correction.

    Parameters
    ----------
    recovery : DataFrame
        ``results/validation/recovery.tsv``: ``model, layer, subject, direction,
        alignment, correction, fraction_significant_<class>,
        false_discovery_proportion``.
    q : float
        The FDR level, drawn as a reference line.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per model set and layer (rows) and direction (columns);
        bars are subject means of each alignment and correction, dots the
        subjects; the legend gives each bar's mean false discovery proportion.
    """
    groups = list(recovery.groupby(["model", "layer"], sort=False))
    directions = list(dict.fromkeys(recovery["direction"]))
    figure, axes = plt.subplots(len(groups), len(directions), figsize=(5.2 * len(directions), 2.9 * len(groups)), squeeze=False)
    x = np.arange(len(CLASS_COLUMNS))
    for row, ((model, layer), table) in enumerate(groups):
        for column, direction in enumerate(directions):
            ax = axes[row, column]
            part = table[table["direction"] == direction]
            variants = list(part.groupby(["alignment", "correction"], sort=False))
            width = 0.8 / max(len(variants), 1)
            for index, ((alignment, correction), rows) in enumerate(variants):
                values = rows[[f"fraction_significant_{c}" for c in CLASS_COLUMNS]].to_numpy(float)
                offset = (index - (len(variants) - 1) / 2) * width
                fdp = rows["false_discovery_proportion"].mean()
                ax.bar(x + offset, np.nanmean(values, axis=0), width, label=f"{alignment}, {correction} (FDP {fdp:.3f})")
                for subject_values in values:
                    ax.plot(x + offset, subject_values, "k.", markersize=3)
            ax.axhline(q, color="0.5", linestyle=":", linewidth=0.8)
            ax.set_xticks(x, [c.replace("_", "-") for c in CLASS_COLUMNS])
            ax.set_ylim(0, 1.02)
            ax.set_ylabel("fraction significant")
            ax.set_title(f"{model} {layer}: {direction.replace('_', ' ')}")
            ax.legend(fontsize=6, loc="upper left")
    figure.suptitle(title, y=1.01)
    figure.tight_layout()
    return figure

"""Figures of the PCA of multimodal voxels (RQ4): sharedness, words and images per PC."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from crossmodal.plots.style import plt


def sharedness_bars(table: pd.DataFrame, title: str = ""):
    """Sharedness of every PC against the baselines that can fail; explained variance below.

    Parameters
    ----------
    table : DataFrame
        ``*_components.tsv``: ``component, explained_variance_ratio,
        sharedness, ci_low, ci_high, random_median, random_95,
        nonmultimodal_sharedness, shared, more_shared_than_random``.

    Returns
    -------
    matplotlib.figure.Figure
        Bars: each PC's sharedness with its bootstrap interval; grey band:
        median to 95th percentile of random unit directions; dots: the
        same-rank PCs of as many non-multimodal voxels; red bars: shared (at
        least as shared as the median random direction); stars: more shared
        than 95 % of random directions.
    """
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(max(4.0, 0.45 * len(table) + 2), 4.6), sharex=True,
                                         gridspec_kw={"height_ratios": [2.2, 1]})
    x = table["component"].to_numpy()
    r = table["sharedness"].to_numpy(float)
    shared = table["shared"].to_numpy(bool)
    stronger = table["more_shared_than_random"].to_numpy(bool)
    edges = np.r_[x[0] - 0.5, x[-1] + 0.5]
    top.fill_between(edges, table["random_median"].iloc[0], table["random_95"].iloc[0], color="0.85",
                     label="random directions (median to 95th percentile)")
    top.bar(x, r, color=np.where(shared, "#d6604d", "#92c5de"), width=0.7)
    top.errorbar(x, r, yerr=[r - table["ci_low"], table["ci_high"] - r], fmt="none", ecolor="k", lw=0.8, capsize=2, label="95% bootstrap CI")
    top.plot(x, table["nonmultimodal_sharedness"], "o", color="k", markersize=3, label="PCs of non-multimodal voxels")
    for xi, high, s in zip(x, table["ci_high"].to_numpy(float), stronger):
        if s:
            top.text(xi, max(high, 0) + 0.01, "*", ha="center", fontsize=10)
    top.axhline(0, color="k", lw=0.5)
    top.set_ylabel("sharedness r\n(caption vs image projection)")
    top.legend(fontsize=6, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)
    bottom.bar(x, table["explained_variance_ratio"], color="0.5", width=0.7)
    bottom.set_ylabel("explained\nvariance")
    bottom.set_xlabel("principal component")
    bottom.set_xticks(x, [f"PC{k}" for k in x])
    figure.suptitle(title + "  (red: at least as shared as the median random direction; *: more than 95% of them)", y=1.06)
    figure.tight_layout()
    return figure


def words_per_component(table: pd.DataFrame, n_words: int = 20, title: str = ""):
    """Top and bottom story words of every PC as text.

    Parameters
    ----------
    table : DataFrame
        ``*_words.tsv``: ``component, end (top/bottom), rank, word, projection``.
    n_words : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    components = sorted(set(table["component"]))
    figure, ax = plt.subplots(figsize=(10, 0.62 * len(components) + 0.6))
    ax.axis("off")
    ax.set_xlim(0, 1)
    ax.set_ylim(len(components), 0)
    for row, k in enumerate(components):
        ax.text(0.0, row + 0.5, f"PC{k}", fontweight="bold", va="center")
        for col, (end, colour, sign) in enumerate((("top", "#b2182b", "+"), ("bottom", "#2166ac", "\u2212"))):
            words = table[(table["component"] == k) & (table["end"] == end)].sort_values("rank")["word"].head(n_words)
            text = textwrap.fill(f"{sign} " + ", ".join(map(str, words)), 70)
            ax.text(0.06 + 0.47 * col, row + 0.5, text, color=colour, va="center", fontsize=7)
        ax.axhline(row + 1, color="0.9", lw=0.5)
    figure.suptitle(title + "  (red: highest projection; blue: lowest)", y=1.0)
    figure.tight_layout()
    return figure


def _mosaic(thumbnails: np.ndarray, gap: int = 4) -> np.ndarray:
    """(n_components, 2, n_top, S, S, 3) -> one image: rows = PCs, columns = top images | gap | bottom images."""
    n_components, _, n_top, size = thumbnails.shape[:4]
    cell = size + 2
    mosaic = np.full((n_components * cell, 2 * n_top * cell + 6 * gap, 3), 255, dtype=np.uint8)
    for k in range(n_components):
        for end in range(2):
            for i in range(n_top):
                y = k * cell + 1
                x = end * (n_top * cell + 6 * gap) + i * cell + 1
                mosaic[y:y + size, x:x + size] = thumbnails[k, end, i]
    return mosaic


def image_grid(thumbnails: dict[str, np.ndarray], title: str = ""):
    """Highest and lowest projecting images of every PC, one panel per image source.

    Parameters
    ----------
    thumbnails : dict of source name to uint8 array of shape (n_components, 2, n_top, S, S, 3)
        ``[:, 0]`` highest, ``[:, 1]`` lowest projections.

    Returns
    -------
    matplotlib.figure.Figure
    """
    first = next(iter(thumbnails.values()))
    n_components = first.shape[0]
    aspect = _mosaic(first[:1]).shape[0] * n_components / _mosaic(first[:1]).shape[1]
    figure, axes = plt.subplots(1, len(thumbnails), figsize=(6.5 * len(thumbnails), 6.5 * aspect + 0.8), squeeze=False)
    for ax, (source, images) in zip(axes[0], thumbnails.items()):
        mosaic = _mosaic(images)
        ax.imshow(mosaic, interpolation="nearest")
        cell = images.shape[3] + 2
        ax.set_yticks((np.arange(n_components) + 0.5) * cell, [f"PC{k + 1}" for k in range(n_components)])
        ax.set_xticks([mosaic.shape[1] * 0.24, mosaic.shape[1] * 0.76], ["highest projection", "lowest projection"])
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_title(source)
    figure.suptitle(title, y=1.0)
    figure.tight_layout()
    return figure

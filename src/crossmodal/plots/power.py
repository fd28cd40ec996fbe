"""Figures of the power analysis: detection rate against training data, false discovery proportion beside."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossmodal.plots.style import DIRECTION_LABELS, plt

__all__ = ["power_curves"]


def power_curves(summary: pd.DataFrame, target: float = 0.8, title: str = ""):
    """Detection rate and false discovery proportion against training data.

    Parameters
    ----------
    summary : DataFrame
        ``results/power/power.tsv`` (crossmodal.power.summarise): one row per
        grid point and direction with ``train_story_trs``, ``snr``,
        ``test_repeats``, ``multimodal_patches_per_region``,
        ``detection_rate`` and ``false_discovery_proportion`` with their
        ``_low`` / ``_high`` bootstrap bounds.
    target : float
        The detection rate drawn as a reference line.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        Rows: directions; columns: one detection panel per SNR, then the
        false discovery proportion (all SNRs). x: training story TRs (the
        movie TRs of the same data size in the tick labels); one line per
        test-repeat setting (and multimodal-patch setting, if the grid varies
        it); bands: bootstrap intervals over seeds.
    """
    directions = [d for d in DIRECTION_LABELS if d in set(summary["direction"])]
    snrs = sorted(summary["snr"].unique())
    figure, axes = plt.subplots(len(directions), len(snrs) + 1, figsize=(3.2 * (len(snrs) + 1), 3.0 * len(directions) + 0.4),
                                squeeze=False, layout="constrained")
    sizes = summary.groupby("train_story_trs")["train_movie_trs"].mean().sort_index()
    ticks = [f"{s:.0f}\n({m:.0f})" for s, m in zip(sizes.index, sizes.to_numpy())]
    lines = list(summary.groupby(["test_repeats", "multimodal_patches_per_region"], sort=True).groups)
    vary_patches = len({patches for _, patches in lines}) > 1
    for row, direction in enumerate(directions):
        part = summary[summary["direction"] == direction]
        for column, snr in enumerate(snrs):
            ax = axes[row, column]
            for repeats, patches in lines:
                label = f"{repeats} test repeats" + (f", {patches} patches" if vary_patches else "")
                _line(ax, part[(part.snr == snr) & (part.test_repeats == repeats) & (part.multimodal_patches_per_region == patches)],
                      "detection_rate", label)
            ax.axhline(target, color="0.5", linestyle=":", linewidth=0.8)
            ax.set_ylim(0, 1.02)
            ax.set_title(f"{DIRECTION_LABELS[direction]}, SNR {snr:g}")
            ax.set_ylabel("detection rate")
        ax = axes[row, -1]
        for snr in snrs:
            for repeats, patches in lines:
                chosen = part[(part.snr == snr) & (part.test_repeats == repeats) & (part.multimodal_patches_per_region == patches)]
                _line(ax, chosen, "false_discovery_proportion", f"SNR {snr:g}, {repeats} repeats")
        ax.axhline(0.05, color="0.5", linestyle=":", linewidth=0.8)
        ax.set_ylim(0, max(0.12, float(np.nanmax(part["false_discovery_proportion_high"].to_numpy(float), initial=0)) * 1.1))
        ax.set_title(f"{DIRECTION_LABELS[direction]}: false discoveries")
        ax.set_ylabel("false discovery proportion")
        for ax in axes[row]:
            ax.set_xscale("log")
            ax.set_xticks(sizes.index, ticks)
            ax.minorticks_off()
            ax.set_xlabel("training TRs: stories (movies)")
            ax.legend(fontsize=6, loc="lower right" if ax is not axes[row, -1] else "upper right")
    figure.suptitle(title.replace(". SNR", ".\nSNR").replace(" - SNR", ":\nSNR"), fontsize=7)
    return figure


def _line(ax, rows: pd.DataFrame, measure: str, label: str) -> None:
    """One mean line with its bootstrap band, ordered by training data."""
    rows = rows.sort_values("train_story_trs")
    if rows.empty:
        return
    x = rows["train_story_trs"].to_numpy(float)
    ax.plot(x, rows[measure].to_numpy(float), "o-", markersize=3, label=label)
    ax.fill_between(x, rows[f"{measure}_low"].to_numpy(float), rows[f"{measure}_high"].to_numpy(float), alpha=0.2)

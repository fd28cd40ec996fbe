"""Figures of the encoding and transfer results (RQ1-3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crossmodal.plots.style import DIRECTION_COLOURS, DIRECTION_LABELS, SCORE_COLOURS, plt


def region_bars(table: pd.DataFrame, title: str = ""):
    """Mean score and fraction significant per region, bars = subject mean, points = subjects.

    Parameters
    ----------
    table : DataFrame
        Rows of ``results/tables/transfer_regions.tsv`` for one model, layer
        and alignment: ``subject, direction, score, region, mean_score, fraction_significant``.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    directions = [d for d in DIRECTION_LABELS if d in set(table["direction"])]
    regions = list(dict.fromkeys(table["region"]))
    scores = [s for s in SCORE_COLOURS if s in set(table["score"])]
    figure, axes = plt.subplots(2, len(directions), figsize=(4.2 * len(directions), 5.2), squeeze=False, sharey="row")
    width = 0.8 / len(scores)
    x = np.arange(len(regions))
    rng = np.random.default_rng(0)
    for col, direction in enumerate(directions):
        for row, metric in enumerate(("mean_score", "fraction_significant")):
            ax = axes[row, col]
            for k, score in enumerate(scores):
                part = table[(table["direction"] == direction) & (table["score"] == score)]
                per_region = [part.loc[part["region"] == r, metric].to_numpy(float) for r in regions]
                centres = x + (k - (len(scores) - 1) / 2) * width
                label = "within-modal" if score == "within" else f"cross-modal, {score}"
                ax.bar(centres, [np.nanmean(v) if len(v) else np.nan for v in per_region], width, color=SCORE_COLOURS[score], label=label)
                for c, values in zip(centres, per_region):
                    ax.scatter(c + rng.uniform(-width / 5, width / 5, len(values)), values, s=9, color="k", zorder=3, linewidths=0)
            ax.axhline(0, color="k", lw=0.5)
            ax.set_xticks(x, regions, rotation=30, ha="right")
            ax.set_ylabel("mean test r" if metric == "mean_score" else "fraction significant (FDR)")
            if row == 0:
                ax.set_title(f"target: {direction.split('_')[-1]} ({DIRECTION_LABELS[direction]})")
    axes[0, -1].legend(loc="upper right", fontsize=7)
    figure.suptitle(title + "  (bars: mean over subjects; points: subjects)", y=1.0)
    figure.tight_layout()
    return figure


def within_vs_cross(points: dict[str, dict[str, np.ndarray]], region_names, title: str = "",
                    max_points: int = 3000, seed: int = 0):
    """Within-modal vs cross-modal score of every voxel, one panel per region.

    Parameters
    ----------
    points : dict of direction to {"within": (n,), "cross": (n,), "region": (n,) int}
        Voxels of all subjects pooled (region index per voxel).
    region_names : sequence of str
        ``region_names[i]`` is the name of region index ``i``.
    max_points : int
        Random subsample per panel and direction (seeded), for speed.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(region_names)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    figure, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.8 * rows), squeeze=False, sharex=True, sharey=True)
    rng = np.random.default_rng(seed)
    for index, name in enumerate(region_names):
        ax = axes.flat[index]
        for direction, values in points.items():
            keep = np.flatnonzero((values["region"] == index) & np.isfinite(values["within"]) & np.isfinite(values["cross"]))
            if len(keep) > max_points:
                keep = rng.choice(keep, max_points, replace=False)
            ax.scatter(values["within"][keep], values["cross"][keep], s=2, alpha=0.35, color=DIRECTION_COLOURS[direction],
                       label=DIRECTION_LABELS[direction], linewidths=0, rasterized=True)
        ax.axline((0, 0), slope=1, color="k", lw=0.5, ls="--")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.axvline(0, color="0.6", lw=0.5)
        ax.set_title(name)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("within-modal r (target modality)")
    for ax in axes[:, 0]:
        ax.set_ylabel("cross-modal r (corrected)")
    handles = [plt.Line2D([], [], marker="o", ls="", color=DIRECTION_COLOURS[d], label=DIRECTION_LABELS[d]) for d in points]
    figure.legend(handles=handles, loc="upper right", fontsize=7)
    figure.suptitle(title, y=1.0)
    figure.tight_layout()
    return figure


def no_mask_note(table: pd.DataFrame) -> str:
    """The figure-title note when a subject had no primary-sensory mask ('' when every subject had one).

    Parameters
    ----------
    table : DataFrame
        ``multimodal_vs_unimodal.tsv`` (columns ``subject``, ``mask_available``).
    """
    missing = sorted(set(table.loc[~table["mask_available"].astype(bool), "subject"]) - {"all subjects"})
    if not missing:
        return ""
    return f"NO primary-sensory mask for {', '.join(map(str, missing))}: primary visual and auditory cortex included"


def model_comparison(points: dict[str, tuple[np.ndarray, np.ndarray]], table: pd.DataFrame, names: tuple[str, str], score: str,
                     title: str = "", max_points: int = 20000, seed: int = 0):
    """Multimodal vs unimodal cross-modal scores: voxels entered (top) and per-subject mean differences (bottom).

    Parameters
    ----------
    points : dict of direction to (score_a (n,), score_b (n,))
        Scores of the voxels entered in the comparison, subjects pooled.
    table : DataFrame
        ``multimodal_vs_unimodal.tsv``: per-subject rows (``mean_difference``,
        ``ci_low``, ``ci_high``) and the "all subjects" row (``p``,
        ``n_subjects``) per direction and score.
    names : (name_a, name_b)
    score : {"raw", "corrected"}
        The rows of ``table`` drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure, axes = plt.subplots(2, len(points), figsize=(4.2 * len(points), 7.4), squeeze=False,
                                gridspec_kw={"height_ratios": [1.4, 1.0]})
    rng = np.random.default_rng(seed)
    for column, (direction, (a, b)) in enumerate(points.items()):
        ax = axes[0, column]
        keep = np.flatnonzero(np.isfinite(a) & np.isfinite(b))
        if len(keep) > max_points:
            keep = rng.choice(keep, max_points, replace=False)
        ax.scatter(a[keep], b[keep], s=2, alpha=0.3, color=DIRECTION_COLOURS[direction], linewidths=0, rasterized=True)
        ax.axline((0, 0), slope=1, color="k", lw=0.6, ls="--")
        ax.set_xlabel(f"{names[0]} cross-modal r")
        ax.set_ylabel(f"{names[1]} cross-modal r")
        ax.set_title(f"{DIRECTION_LABELS[direction]}: {len(a)} voxels entered")
        ax.set_aspect("equal", adjustable="datalim")
        rows = table[(table["direction"] == direction) & (table["score"] == score)]
        subjects = rows[rows["subject"] != "all subjects"].reset_index(drop=True)
        overall = rows[rows["subject"] == "all subjects"]
        ax = axes[1, column]
        y = np.arange(len(subjects))
        mean = subjects["mean_difference"].to_numpy(float)
        error = np.vstack([mean - subjects["ci_low"].to_numpy(float), subjects["ci_high"].to_numpy(float) - mean])
        ax.errorbar(mean, y, xerr=error, fmt="o", color=DIRECTION_COLOURS[direction], capsize=3)
        ax.axvline(0, color="k", lw=0.6, ls="--")
        ax.set_yticks(y, [f"{r.subject} ({r.n_voxels} vox)" for r in subjects.itertuples()], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel(f"mean {score} r difference ({names[0]} - {names[1]})")
        if len(overall):
            row = overall.iloc[0]
            ax.set_title(f"across {int(row['n_subjects'])} subjects: mean {row['mean_difference']:+.3f}, paired t p = {row['p']:.3g}", fontsize=8)
    note = no_mask_note(table)
    figure.suptitle("\n".join(part for part in (title, note) if part), y=1.0, color="firebrick" if note else "black")
    figure.tight_layout()
    return figure


def retrieval_bars(table: pd.DataFrame, title: str = ""):
    """Held-out retrieval recall@1/5/10 of the alignment maps against their baselines.

    Parameters
    ----------
    table : DataFrame
        Concatenated ``*_retrieval.tsv``: ``model, layer, method, direction,
        recall_at_1, recall_at_5, recall_at_10, chance_recall_at_1``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    directions = list(dict.fromkeys(table["direction"]))
    ks = [c for c in ("recall_at_1", "recall_at_5", "recall_at_10") if c in table]
    figure, axes = plt.subplots(1, len(directions), figsize=(4.4 * len(directions), 3.2), squeeze=False, sharey=True)
    colours = plt.get_cmap("Blues")(np.linspace(0.45, 0.9, len(ks)))
    for ax, direction in zip(axes[0], directions):
        part = table[table["direction"] == direction].reset_index(drop=True)
        labels = [f"{r.model} {r.layer}\n{r.method}" for r in part.itertuples()]
        x = np.arange(len(part))
        width = 0.8 / len(ks)
        for k, column in enumerate(ks):
            ax.bar(x + (k - (len(ks) - 1) / 2) * width, part[column], width, color=colours[k], label=column.replace("recall_at_", "recall@"))
        if "chance_recall_at_1" in part:
            ax.scatter(x - (len(ks) - 1) / 2 * width, part["chance_recall_at_1"], marker="_", color="r", s=80, zorder=3, label="chance recall@1")
        ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=6)
        ax.set_title(direction.replace("_", " "))
        ax.set_ylabel("recall (test pairs)")
    axes[0, -1].legend(fontsize=7)
    figure.suptitle(title, y=1.02)
    figure.tight_layout()
    return figure


def alpha_histograms(alphas: dict[str, np.ndarray], alpha_grid: np.ndarray, title: str = ""):
    """Histogram of the chosen ridge alphas of every fit, with the fraction at each grid edge.

    Parameters
    ----------
    alphas : dict of fit label to array of shape (n_voxels,)
    alpha_grid : array of shape (n_alphas,)

    Returns
    -------
    matplotlib.figure.Figure
    """
    n = len(alphas)
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    figure, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.2 * rows), squeeze=False, sharex=True)
    grid = np.log10(np.asarray(alpha_grid, dtype=float))
    step = np.median(np.diff(grid)) if len(grid) > 1 else 1.0
    edges = np.concatenate([grid - step / 2, grid[-1:] + step / 2])
    for ax, (label, values) in zip(axes.flat, alphas.items()):
        values = np.log10(np.asarray(values, dtype=float)[np.isfinite(values)])
        ax.hist(values, bins=edges, color="#4393c3")
        low = np.mean(np.isclose(values, grid[0]))
        high = np.mean(np.isclose(values, grid[-1]))
        ax.set_title(label, fontsize=7)
        ax.text(0.02, 0.95, f"lowest: {low:.0%}", transform=ax.transAxes, va="top", fontsize=7, color="#b2182b" if low > 0.1 else "k")
        ax.text(0.98, 0.95, f"highest: {high:.0%}", transform=ax.transAxes, va="top", ha="right", fontsize=7, color="#b2182b" if high > 0.1 else "k")
        ax.set_ylim(top=ax.get_ylim()[1] * 1.2)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("log10 alpha")
    figure.suptitle(title + " (fraction of voxels at either grid edge; red: > 10%)", y=1.0)
    figure.tight_layout()
    return figure


def ceiling_scatter(panels: dict[str, dict[str, dict[str, np.ndarray]]], title: str = "", max_points: int = 3000, seed: int = 0):
    """Test r against the noise ceiling of every voxel: within-modal and cross-modal, one row per model set.

    Parameters
    ----------
    panels : dict of row label to dict of column label to arrays
        Each cell: ``ceiling`` (n,), ``score`` (n,) and ``significant`` (n,)
        bool, voxels pooled over subjects; voxels without a finite ceiling
        are left out.
    title : str
    max_points : int
        Voxels drawn per panel (a seeded random subset; statistics use all).
    seed : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = list(panels)
    columns = list(dict.fromkeys(column for row in rows for column in panels[row]))
    figure, axes = plt.subplots(len(rows), len(columns), figsize=(3.3 * len(columns), 3.1 * len(rows)), squeeze=False)
    rng = np.random.default_rng(seed)
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            ax = axes[i, j]
            cell = panels[row].get(column)
            if cell is None:
                ax.axis("off")
                continue
            ceiling, score, significant = (np.asarray(cell[k]) for k in ("ceiling", "score", "significant"))
            keep = np.isfinite(ceiling) & np.isfinite(score)
            shown = rng.permutation(np.flatnonzero(keep))[:max_points]
            ax.scatter(ceiling[shown], score[shown], s=3, c=np.where(significant[shown], "#e66101", "#bdbdbd"), linewidths=0, rasterized=True)
            ax.plot([0, 1], [0, 1], color="k", lw=0.6, ls="--")
            chosen = keep & significant
            if chosen.any():
                fraction = np.mean(score[chosen]) / np.mean(ceiling[chosen])
                ax.text(0.03, 0.97, f"significant: mean r / mean ceiling {fraction:.2f}\n({int(chosen.sum())} voxels)",
                        transform=ax.transAxes, va="top", fontsize=7)
            ax.set_xlim(0, 1)
            ax.set_xlabel("noise ceiling r (test repeats)")
            ax.set_ylabel(f"{row}\ntest r")
            ax.set_title(column)
    figure.suptitle(title + "  (orange: significant, FDR; dashed: the ceiling)", y=1.0)
    figure.tight_layout()
    return figure

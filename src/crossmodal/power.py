"""Power analysis: how much data detects cross-modal transfer at a given SNR, on the planted truth.

A power grid (config section ``power``) is a set of simulator settings:
training data sizes (number of training stories and of training movie runs,
taken pairwise), signal-to-noise ratios, test repeats and the number of
multimodal patches per region, each simulated with ``n_seeds`` seeds. Every
grid point is one run of the workflow (simulate, features, designs, ridge
fits, alignment, transfer scoring with the shared-tuning test, validation
against the planted truth) with its own config; this module builds the grid,
the config of each point and the summary over seeds. It knows nothing of how
the runs are executed (the ``power_point`` rule runs Snakemake on each).

What a point measures, per direction: the detection rate (fraction of
planted multimodal voxels significant at ``stats.fdr_q``), the false
discovery proportion among significant voxels and the AUC of the score,
from ``results/validation/recovery.tsv`` of that run. The summary gives the
mean over seeds and a percentile bootstrap interval over seeds (with 3 seeds
a coarse interval: it says how much the answer moves between simulated
datasets, not more).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crossmodal.config import ConfigSection

__all__ = ["PowerSettings", "PowerPoint", "grid_points", "point_config", "point_rows", "summarise", "least_data"]

#: Columns of recovery.tsv a power point keeps.
MEASURES = ("detection_rate", "false_discovery_proportion", "auc", "n_significant")
#: The grid coordinates of a point (besides the seed), in the order of its name.
COORDINATES = ("n_train_stories", "n_train_movie_runs", "snr", "test_repeats", "multimodal_patches_per_region")


@dataclass(frozen=True)
class PowerSettings(ConfigSection):
    """The ``power`` config section (build with :meth:`from_config`; defaults from the config schema)."""

    SECTION: ClassVar[str] = "power"

    n_train_stories: tuple
    n_train_movie_runs: tuple
    snr: tuple
    test_repeats: tuple
    multimodal_patches_per_region: tuple
    n_seeds: int
    seed: int
    subjects: tuple
    model: str
    alignment: str
    score: str
    n_permutations: int
    n_null_draws: int
    target_detection: float
    n_bootstrap: int
    confidence: float
    threads: int
    keep_runs: bool


@dataclass(frozen=True)
class PowerPoint:
    """One simulated dataset of the grid: simulator settings and a seed."""

    n_train_stories: int
    n_train_movie_runs: int
    snr: float
    test_repeats: int
    multimodal_patches_per_region: int
    seed: int

    @property
    def name(self) -> str:
        """File-name-safe identity, e.g. ``stories-8_movies-4_snr-2_repeats-10_patches-2_seed-0``."""
        return (f"stories-{self.n_train_stories}_movies-{self.n_train_movie_runs}_snr-{self.snr:g}"
                f"_repeats-{self.test_repeats}_patches-{self.multimodal_patches_per_region}_seed-{self.seed}")

    def coordinates(self) -> dict:
        """The grid coordinates (without the seed)."""
        return {key: getattr(self, key) for key in COORDINATES}


def grid_points(settings: PowerSettings) -> list[PowerPoint]:
    """Every point of the grid, seeds innermost.

    Data sizes are pairs: the i-th entry of ``n_train_stories`` goes with the
    i-th of ``n_train_movie_runs``; SNR, test repeats and multimodal patches
    are crossed with them. Seed ``k`` of a point simulates with
    ``settings.seed + k``, the same for every point, so points differ only
    in what the grid varies.

    Returns
    -------
    list of PowerPoint, length n_sizes * n_snr * n_repeats * n_patches * n_seeds
    """
    if len(settings.n_train_stories) != len(settings.n_train_movie_runs):
        raise ValueError("power.n_train_stories and power.n_train_movie_runs must have the same length (one data size per position)")
    points = []
    for stories, movies in zip(settings.n_train_stories, settings.n_train_movie_runs):
        for snr in settings.snr:
            for repeats in settings.test_repeats:
                for patches in settings.multimodal_patches_per_region:
                    for k in range(settings.n_seeds):
                        points.append(PowerPoint(int(stories), int(movies), float(snr), int(repeats), int(patches), settings.seed + k))
    return points


def point_config(config: dict, point: PowerPoint, settings: PowerSettings) -> dict:
    """The workflow config of one grid point: the given config with the point's simulator settings.

    With ``simulate.scale: real`` the point takes the real-scale sizes
    (stories of 345 TRs, 31,014 pairs, ...) except the numbers of training
    stories and movie runs, which the grid sets. Only the power analysis's
    model set is enabled, with its one alignment;
    the statistics use the power section's (smaller) numbers of permutations
    and null draws; everything else (encoding, alignment, FDR level, the
    simulator's other settings) is the config's own.

    Parameters
    ----------
    config : dict
        A validated workflow config (defaults filled in).
    point : PowerPoint
    settings : PowerSettings

    Returns
    -------
    dict
        A complete config (``power`` removed) for a run in its own working directory.
    """
    out = copy.deepcopy(config)
    out.pop("power", None)
    out["subjects"] = list(settings.subjects)
    if out["simulate"].get("scale") == "real":  # real sizes for everything but what the grid varies
        from crossmodal.simulate import REAL_SCALE

        out["simulate"].update(REAL_SCALE, scale="small")
    out["simulate"].update(
        enabled=True, seed=point.seed, n_train_stories=point.n_train_stories, n_train_movie_runs=point.n_train_movie_runs,
        snr=point.snr, test_repeats=point.test_repeats, multimodal_patches_per_region=point.multimodal_patches_per_region,
    )
    for name, model in out["models"].items():
        model["enabled"] = name == settings.model
    out["models"][settings.model]["alignment"] = [settings.alignment]
    out["stats"].update(n_permutations=settings.n_permutations, n_null_draws=settings.n_null_draws)
    return out


def point_rows(recovery: pd.DataFrame, data_summary: pd.DataFrame, point: PowerPoint, settings: PowerSettings) -> pd.DataFrame:
    """The rows of one point's recovery table that the power analysis keeps, with the point's identity.

    Parameters
    ----------
    recovery : DataFrame
        ``results/validation/recovery.tsv`` of the point's run.
    data_summary : DataFrame
        ``results/data/summary.tsv`` of the run (training TRs per subject and modality).
    point : PowerPoint
    settings : PowerSettings

    Returns
    -------
    DataFrame
        One row per subject and direction: the point's coordinates, its seed,
        ``train_story_trs`` and ``train_movie_trs`` (as the data check counted
        them) and :data:`MEASURES`.
    """
    rows = recovery[(recovery.model == settings.model) & (recovery.alignment == settings.alignment) & (recovery.correction == settings.score)]
    if rows.empty:
        raise ValueError(f"recovery table has no rows of model {settings.model!r}, alignment {settings.alignment!r}, score {settings.score!r}")
    trs = _training_trs(data_summary)
    out = rows[["subject", "direction", *MEASURES]].copy()
    for key, value in {**point.coordinates(), "seed": point.seed}.items():
        out[key] = value
    out["train_story_trs"] = out.subject.map(trs["story"])
    out["train_movie_trs"] = out.subject.map(trs["movie"])
    return out[["subject", *COORDINATES, "seed", "train_story_trs", "train_movie_trs", "direction", *MEASURES]]


def _training_trs(data_summary: pd.DataFrame) -> dict:
    """Training TRs per modality and subject, from the data check's summary."""
    table = data_summary.set_index(["modality", "subject"])
    return {modality: table.loc[modality, "train_trs"].to_dict() for modality in ("story", "movie")}


def summarise(rows: pd.DataFrame, n_bootstrap: int, confidence: float, seed: int) -> pd.DataFrame:
    """Mean over seeds (and subjects) per grid point and direction, with bootstrap intervals over seeds.

    Each seed's value is first averaged over subjects; the interval is the
    percentile interval of the mean over ``n_bootstrap`` resamples of the
    seeds with replacement.

    Parameters
    ----------
    rows : DataFrame
        Concatenated :func:`point_rows` of every point and seed.
    n_bootstrap : int
    confidence : float
        e.g. 0.95.
    seed : int

    Returns
    -------
    DataFrame
        One row per point and direction: coordinates, mean training TRs,
        ``n_seeds``, and for each measure its mean, ``<measure>_low`` and
        ``<measure>_high``.
    """
    from crossmodal.transfer.compare import block_bootstrap_mean  # not at import: the DAG reads this module

    measures = ["detection_rate", "false_discovery_proportion", "auc"]
    per_seed = rows.groupby([*COORDINATES, "direction", "seed"], as_index=False)[[*measures, "train_story_trs", "train_movie_trs"]].mean()
    out = []
    for key, group in per_seed.groupby([*COORDINATES, "direction"], sort=True):
        row = dict(zip([*COORDINATES, "direction"], key))
        row.update(train_story_trs=float(group.train_story_trs.mean()), train_movie_trs=float(group.train_movie_trs.mean()), n_seeds=len(group))
        for measure in measures:  # every seed is its own block: the bootstrap resamples seeds (same draws for every measure)
            result = block_bootstrap_mean(group[measure].to_numpy(float), np.arange(len(group)), n_bootstrap, confidence, seed)
            row.update({measure: result["mean"], f"{measure}_low": result["ci_low"], f"{measure}_high": result["ci_high"]})
        out.append(row)
    return pd.DataFrame(out)


def least_data(summary: pd.DataFrame, settings: PowerSettings, snr: float, target: float | None = None) -> dict:
    """The smallest data size whose mean detection reaches the target in each direction, at one SNR.

    Uses the grid's first test-repeat and multimodal-patch settings (its
    defaults). Returns, per direction, ``(n_train_stories, n_train_movie_runs,
    train_story_trs, train_movie_trs)`` or None when no size of the grid
    reaches the target.
    """
    target = settings.target_detection if target is None else target
    chosen = summary[(summary.snr == snr) & (summary.test_repeats == settings.test_repeats[0])
                     & (summary.multimodal_patches_per_region == settings.multimodal_patches_per_region[0])]
    out = {}
    for direction, group in chosen.groupby("direction"):
        reached = group[group.detection_rate >= target].sort_values("train_story_trs")
        out[direction] = None if reached.empty else tuple(reached.iloc[0][["n_train_stories", "n_train_movie_runs", "train_story_trs", "train_movie_trs"]])
    return out


def least_data_sentence(summary: pd.DataFrame, settings: PowerSettings) -> str:
    """One sentence per SNR: the least data of the grid reaching the target detection in each direction."""
    parts = []
    for snr in settings.snr:
        found = least_data(summary, settings, float(snr))
        words = []
        for direction, size in sorted(found.items()):
            label = direction.replace("_to_", "->")
            words.append(f"{label}: not reached in this grid" if size is None else
                         f"{label}: {int(size[0])} stories + {int(size[1])} movie runs ({size[2]:.0f} + {size[3]:.0f} training TRs)")
        parts.append(f"SNR {snr:g}: " + "; ".join(words))
    return f"Least data reaching {settings.target_detection:.0%} detection - " + ". ".join(parts) + "."

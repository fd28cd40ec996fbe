"""The whole PCA analysis of one model set and layer, from the workflow's files.

Glue for the ``pca`` rule (and notebooks): select multimodal voxels per
subject, pool their delay-averaged, normalised story-model weights, run the
PCA, and read the PCs through story words, pair images, movie frames and the
sharedness of each PC across test image-caption pairs.
See :mod:`crossmodal.pca.interpret` for units and the sharedness statistic.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import ClassVar

import h5py
import numpy as np
import pandas as pd

from crossmodal.config import ConfigSection
from crossmodal.encoding.io import load_fit
from crossmodal.errors import InputError
from crossmodal.features.storage import read_frame_indices, read_layer, read_words
from crossmodal.pca.decompose import PCAResult, fit_pca
from crossmodal.pca.interpret import (
    against_baseline,
    average_by_label,
    direction_sharedness,
    project,
    random_directions,
    sharedness,
    top_bottom,
)
from crossmodal.pca.weights import delay_average, normalise_rows, select_voxels
from crossmodal.transfer.subject import load_maps, load_scores

logger = logging.getLogger(__name__)

Path = str | os.PathLike


@dataclass(frozen=True)
class PCASettings(ConfigSection):
    """The ``pca`` config section (build with :meth:`from_config`; defaults from the config schema)."""

    SECTION: ClassVar[str] = "pca"

    n_components: int
    n_top_words: int
    n_top_images: int
    n_permutations: int
    seed: int
    alignment: str
    score: str
    min_voxels: int
    min_word_count: int
    thumbnail_size: int
    n_random_directions: int


def read_design_scaling(path: Path) -> tuple[np.ndarray, tuple[int, ...]]:
    """Per-column training standard deviation and delays of a design file, without reading the matrices.

    Returns
    -------
    feature_std : array of shape (n_features,)
    delays : tuple of int
    """
    with h5py.File(path, "r") as handle:
        return handle["feature_std"][()], tuple(int(d) for d in handle.attrs["delays"])


@dataclass
class PooledWeights:
    """Selected voxels of all subjects and their weight vectors.

    Attributes
    ----------
    vectors : array of shape (n_selected, n_features)
        Delay-averaged, unit-norm story-model weights.
    subjects : array of shape (n_selected,), str
    voxel_index : array of shape (n_selected,), int
    alphas : array of shape (n_selected,)
        Each voxel's ridge alpha.
    selection : dict of subject to {"significant", "top"}
    """

    vectors: np.ndarray
    subjects: np.ndarray
    voxel_index: np.ndarray
    alphas: np.ndarray
    selection: dict = field(default_factory=dict)


def common_scaling(feature_stds: dict[str, np.ndarray]) -> np.ndarray:
    """The feature scaling all subjects' weights are brought to: the geometric mean of their own.

    Parameters
    ----------
    feature_stds : dict of subject to array of shape (n_features,)
        Each subject's training-run standard deviation of every feature (its design's z-scoring).

    Returns
    -------
    array of shape (n_features,)
    """
    stds = np.stack([np.where(np.asarray(std, dtype=np.float64) > 0, std, 1.0) for std in feature_stds.values()])
    return np.exp(np.log(stds).mean(axis=0))


def pool_weights(story_fits: dict[str, Path], scores: dict[str, Path], feature_stds: dict[str, np.ndarray], n_delays: int,
                 settings: PCASettings, baseline: bool = False) -> PooledWeights:
    """Delay-averaged, normalised story weights of every subject's multimodal voxels, on one feature scaling.

    A weight of a design z-scored with standard deviation ``s`` is ``s`` times
    the weight in feature units, so each subject's weights are rescaled by
    ``common / s_subject`` (feature by feature, :func:`common_scaling`) before
    they are normalised and pooled: the same tuning gives the same vector
    whatever stories a subject heard.

    Parameters
    ----------
    story_fits, scores : dict of subject to path
        Story encoding fits and transfer score files.
    feature_stds : dict of subject to array of shape (n_features,)
        Each subject's own design scaling (``feature_std`` of its story design).
    n_delays : int
    settings : PCASettings
    baseline : bool
        Instead of the selected voxels, as many voxels drawn at random
        (``numpy.random.default_rng((pca.seed, subject index))``) from the
        others: the non-multimodal baseline of the sharedness test.

    Returns
    -------
    PooledWeights
    """
    return _pool(story_fits, scores, feature_stds, n_delays, settings, (baseline,))[0]


def pool_weights_and_baseline(story_fits: dict[str, Path], scores: dict[str, Path], feature_stds: dict[str, np.ndarray],
                              n_delays: int, settings: PCASettings) -> tuple[PooledWeights, PooledWeights]:
    """:func:`pool_weights` of the selected voxels and of the baseline, reading each subject's files once."""
    selected, baseline = _pool(story_fits, scores, feature_stds, n_delays, settings, (False, True))
    return selected, baseline


def _pool(story_fits, scores, feature_stds, n_delays: int, settings: PCASettings, kinds: tuple[bool, ...]) -> list[PooledWeights]:
    """Pooled weights of each kind (False: the selected voxels, True: the baseline), one pass over the subjects."""
    common = common_scaling(feature_stds)
    parts = [([], [], [], [], {}) for _ in kinds]
    for index, (subject, fit_path) in enumerate(story_fits.items()):
        selected, how = select_voxels(load_scores(scores[subject]), settings.alignment, settings.score, settings.min_voxels)
        fit = load_fit(fit_path)
        finite = np.all(np.isfinite(fit.weights), axis=0)
        selected &= finite
        own = np.where(np.asarray(feature_stds[subject], dtype=np.float64) > 0, feature_stds[subject], 1.0)
        for baseline, (vectors, subjects, indices, alphas, selection) in zip(kinds, parts):
            mask, label = (_baseline_mask(selected, finite, settings.seed, index), "baseline") if baseline else (selected, how)
            averaged = delay_average(fit.weights[:, mask], n_delays)
            vectors.append(normalise_rows((averaged * (common / own)[:, None]).T))
            subjects += [subject] * int(mask.sum())
            indices.append(np.flatnonzero(mask))
            alphas.append(fit.alphas_per_voxel[mask])
            selection[subject] = label
            logger.info("%s: %d voxels (%s, %s scores, %s alignment)", subject, mask.sum(), label, settings.score, settings.alignment)
    return [PooledWeights(np.concatenate(v), np.array(s), np.concatenate(i), np.concatenate(a), sel) for v, s, i, a, sel in parts]


def _baseline_mask(selected: np.ndarray, finite: np.ndarray, seed: int, index: int) -> np.ndarray:
    """As many voxels as ``selected`` drawn at random from the other finite ones (seeded by ``(seed, index)``)."""
    others = np.flatnonzero(~selected & finite)
    picked = np.random.default_rng((seed, index)).choice(others, size=min(int(selected.sum()), len(others)), replace=False)
    mask = np.zeros_like(selected)
    mask[picked] = True
    return mask


def word_projections(story_feature_paths: list[Path], text_layer: str, components: np.ndarray, feature_std: np.ndarray,
                     min_count: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Projection of every distinct story word (features averaged over its occurrences).

    Returns
    -------
    words : array of shape (n_words,), str (lower case)
    projections : array of shape (n_words, n_components)
    counts : array of shape (n_words,), int
    """
    features = np.concatenate([read_layer(p, text_layer) for p in story_feature_paths])
    words = np.concatenate([[w.lower() for w in read_words(p)] for p in story_feature_paths])
    unique, means, counts = average_by_label(features, words)
    keep = counts >= min_count
    return unique[keep], project(means[keep], components, feature_std), counts[keep]


def _thumbnail(image: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(np.asarray(image, dtype=np.uint8)).convert("RGB").resize((size, size)))


def pair_thumbnails(image_paths: list[Path], picks: np.ndarray, size: int) -> np.ndarray:
    """Thumbnails of picked pair images, shape picks.shape + (size, size, 3), uint8."""
    from PIL import Image

    flat = [_thumbnail(np.asarray(Image.open(image_paths[i]).convert("RGB")), size) for i in picks.reshape(-1)]
    return np.stack(flat).reshape(*picks.shape, size, size, 3)


def frame_thumbnails(frame_runs: dict, runs: np.ndarray, frames: np.ndarray, picks: np.ndarray, size: int) -> np.ndarray:
    """Thumbnails of picked movie frames; ``frame_runs`` maps run name to a :class:`crossmodal.data.FrameRun`."""
    flat = []
    for i in picks.reshape(-1):
        with frame_runs[runs[i]].open() as data:
            flat.append(_thumbnail(data[int(frames[i])], size))
    return np.stack(flat).reshape(*picks.shape, size, size, 3)


def analyse(
    story_fits: dict[str, Path],
    scores: dict[str, Path],
    designs: dict[str, Path],
    story_feature_paths: list[Path],
    movie_feature_paths: dict[str, Path],
    test_captions: Path,
    test_images: Path,
    caption_image: np.ndarray,
    maps: Path | None,
    text_layer: str,
    image_layer: str,
    settings: PCASettings,
) -> tuple[PCAResult, PooledWeights, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """PCA of multimodal voxels and its projections.

    Parameters
    ----------
    story_fits, scores, designs : dict of subject to path
        Story fits, transfer scores and story design files (each subject's
        ``feature_std`` and the delays).
    story_feature_paths : list of paths
        Text features of every story.
    movie_feature_paths : dict of run name to path
        Vision features of every movie run.
    test_captions, test_images : paths
        Pair features of the test split (text and vision streams).
    caption_image : int array of shape (n_test_captions,)
        Image index of every test caption.
    maps : path or None
        Alignment maps; the image->text map brings vision features into the
        text space (None: raw vision features, alignment ``none``).
    text_layer, image_layer : str
        Stored layer names.
    settings : PCASettings

    Returns
    -------
    pca : PCAResult
    pooled : PooledWeights
    arrays : dict
        ``words``, ``word_counts``, ``word_projections``,
        ``pair_image_projections``, ``pair_caption_projections``,
        ``frame_projections``, ``frame_runs``, ``frame_indices``,
        ``random_sharedness`` (the statistic for ``pca.n_random_directions``
        random unit directions), ``baseline_components`` and
        ``baseline_sharedness`` (the PCA of as many non-multimodal voxels).
    shared : dict
        :func:`crossmodal.pca.interpret.sharedness` output, plus
        ``random_percentile``, ``random_p``, ``random_median``,
        ``random_high`` (:func:`crossmodal.pca.interpret.against_baseline`
        of the random directions) and ``baseline_sharedness`` (the same-rank
        component of the non-multimodal voxels; NaN past their rank).
    """
    scalings = {subject: read_design_scaling(path) for subject, path in designs.items()}
    delays = next(iter(scalings.values()))[1]
    feature_stds = {subject: std for subject, (std, _) in scalings.items()}
    feature_std = common_scaling(feature_stds)
    pooled, baseline = pool_weights_and_baseline(story_fits, scores, feature_stds, len(delays), settings)
    if len(pooled.vectors) < 2:
        raise InputError("pca voxel selection", f"{len(pooled.vectors)} voxels selected", "lower pca.min_voxels's fallback or check the transfer scores")
    pca = fit_pca(pooled.vectors, settings.n_components)
    logger.info("PCA of %d voxels x %d features: %d components, explained %s", *pooled.vectors.shape, len(pca.components),
                np.round(pca.explained_variance_ratio, 3))

    mapping = load_maps(maps)["image_to_text"] if maps else None

    def to_text(vision: np.ndarray) -> np.ndarray:
        return mapping.transform(vision) if mapping is not None else vision

    words, word_proj, counts = word_projections(story_feature_paths, text_layer, pca.components, feature_std, settings.min_word_count)
    captions = read_layer(test_captions, text_layer)
    _, caption_means, _ = average_by_label(captions, caption_image)
    caption_proj = project(caption_means, pca.components, feature_std)
    image_text = to_text(read_layer(test_images, image_layer))
    image_proj = project(image_text, pca.components, feature_std)
    if len(image_proj) != len(caption_proj):
        raise InputError(test_images, f"has {len(image_proj)} images, the captions name {len(caption_proj)}", "rerun the pair feature rules")
    shared = sharedness(caption_proj, image_proj, settings.n_permutations, settings.seed)
    # Baselines that can fail: with a linear map almost any direction looks shared.
    random_r = direction_sharedness(caption_means, image_text, random_directions(settings.n_random_directions, pca.components.shape[1],
                                                                                 settings.seed), feature_std)
    shared.update({f"random_{key}": value for key, value in against_baseline(shared["r"], random_r).items()})
    baseline_pca = fit_pca(baseline.vectors, settings.n_components)
    baseline_r = direction_sharedness(caption_means, image_text, baseline_pca.components, feature_std)
    shared["baseline_sharedness"] = np.r_[baseline_r, np.full(max(0, len(pca.components) - len(baseline_r)), np.nan)][: len(pca.components)]
    logger.info("sharedness of the PCs %s; random directions median %.3f, 95th percentile %.3f; non-multimodal PCs %s",
                np.round(shared["r"], 3), np.median(random_r), np.percentile(random_r, 95), np.round(baseline_r, 3))
    frame_proj, frame_runs, frame_indices = [], [], []
    for run, path in movie_feature_paths.items():
        frame_proj.append(project(to_text(read_layer(path, image_layer)), pca.components, feature_std))
        indices = read_frame_indices(path)
        frame_runs += [run] * len(indices)
        frame_indices.append(indices)
    arrays = {
        "words": words, "word_counts": counts, "word_projections": word_proj,
        "pair_image_projections": image_proj, "pair_caption_projections": caption_proj,
        "frame_projections": np.concatenate(frame_proj), "frame_runs": np.array(frame_runs),
        "frame_indices": np.concatenate(frame_indices),
        "random_sharedness": random_r, "baseline_components": baseline_pca.components, "baseline_sharedness": baseline_r,
    }
    return pca, pooled, arrays, shared


#: Level of the one-sided tests (shuffled pairs; more shared than random directions).
SHARED_LEVEL = 0.05


def shared_flags(shared: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """How each PC compares with the baselines.

    Returns
    -------
    shared : bool array of shape (n_components,)
        Language and vision agree along the PC (shuffled-pair ``p_value <
        0.05``) at least as much as along a typical direction of the weight
        space (``random_percentile >= 0.5``). With a linear alignment map most
        directions look shared, so a PC less shared than the typical random
        direction is reported not shared: a dimension only one modality
        carries comes out there.
    more_shared : bool array of shape (n_components,)
        The stronger claim: more shared than 95 % of random directions
        (``random_p < 0.05``).
    """
    p_pairs = np.asarray(shared["p_value"])
    return (p_pairs < SHARED_LEVEL) & (np.asarray(shared["random_percentile"]) >= 0.5), np.asarray(shared["random_p"]) < SHARED_LEVEL


def component_table(pca: PCAResult, shared: dict[str, np.ndarray], **identity) -> pd.DataFrame:
    """One row per PC: explained variance, sharedness with its intervals, the baselines and the flags of :func:`shared_flags`."""
    flags = shared_flags(shared)
    return pd.DataFrame({
        **identity,
        "component": np.arange(1, len(pca.components) + 1),
        "explained_variance_ratio": pca.explained_variance_ratio,
        "sharedness": shared["r"], "ci_low": shared["ci_low"], "ci_high": shared["ci_high"],
        "null_low": shared["null_low"], "null_high": shared["null_high"], "p_value": shared["p_value"],
        "random_median": shared["random_median"], "random_95": shared["random_high"],
        "random_percentile": shared["random_percentile"], "random_p": shared["random_p"],
        "nonmultimodal_sharedness": shared["baseline_sharedness"],
        "shared": flags[0], "more_shared_than_random": flags[1],
    })


def ranked_table(labels: np.ndarray, projections: np.ndarray, n_top: int, label_name: str, **identity) -> pd.DataFrame:
    """Top and bottom items of every PC: columns component, end (top/bottom), rank, <label_name>, projection."""
    top, bottom = top_bottom(projections, n_top)
    rows = []
    for k in range(projections.shape[1]):
        for end, picks in (("top", top[k]), ("bottom", bottom[k])):
            for rank, i in enumerate(picks, start=1):
                rows.append({**identity, "component": k + 1, "end": end, "rank": rank, label_name: labels[i], "projection": projections[i, k]})
    return pd.DataFrame(rows)

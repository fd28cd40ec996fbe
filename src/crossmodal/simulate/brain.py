"""The synthetic brain: voxel classes planted by location, their weights, HRF, noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossmodal.regions import RegionMap

NONE, LANGUAGE_ONLY, VISION_ONLY, MULTIMODAL = 0, 1, 2, 3
CLASS_NAMES = ("none", "language-only", "vision-only", "multimodal")


@dataclass(frozen=True)
class PlantedBrain:
    """Voxel classes and response weights of the synthetic brain.

    Attributes
    ----------
    voxel_class : array of shape (n_voxels,), int
        0 none, 1 language-only, 2 vision-only, 3 multimodal.
    concept_weights : array of shape (n_voxels, n_concepts), float
        Weights on the concept time courses (same in both modalities for
        multimodal voxels; zero for classes 0 and 2).
    word_rate_weights : array of shape (n_voxels,), float
        Weight on the word rate (language-only voxels only).
    lowlevel_weights : array of shape (n_voxels, n_lowlevel), float
        Weights on low-level visual content (vision-only voxels only).
    """

    voxel_class: np.ndarray
    concept_weights: np.ndarray
    word_rate_weights: np.ndarray
    lowlevel_weights: np.ndarray


def plant_classes(regions: RegionMap, sphere: np.ndarray, patch_radius: float, multimodal_patches: int, language_patches: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Plant voxel classes by cortical location.

    Vision-only voxels fill occipital cortex. In each hemisphere,
    ``multimodal_patches`` multimodal patches are centred at random vertices
    of each of parietal, temporal and prefrontal cortex (outside primary
    auditory cortex), and ``language_patches`` language-only patches in each
    of temporal and prefrontal cortex; a patch is every vertex of those
    regions within ``patch_radius`` mm of its centre on the sphere.
    ``multimodal_patches=0`` is the null variant: no voxel shares tuning
    across modalities.

    Parameters
    ----------
    regions : RegionMap
    sphere : array of shape (n_voxels, 3)
    patch_radius : float
    multimodal_patches, language_patches : int
        Patches per region and hemisphere.
    rng : numpy Generator

    Returns
    -------
    voxel_class : array of shape (n_voxels,), int8
    """
    voxel_class = np.zeros(len(sphere), dtype=np.int8)
    voxel_class[regions.mask("occipital")] = VISION_ONLY
    hemisphere = np.arange(len(sphere)) >= len(sphere) // 2
    plan = [(MULTIMODAL, ("parietal", "temporal", "prefrontal"), multimodal_patches), (LANGUAGE_ONLY, ("temporal", "prefrontal"), language_patches)]
    for planted_class, region_names, n_patches in plan:
        allowed = np.isin(regions.labels, [regions.names.index(n) for n in region_names]) & ~regions.primary_auditory
        for right in (False, True):
            for name in region_names:
                candidates = np.flatnonzero(regions.mask(name) & allowed & (hemisphere == right) & (voxel_class == NONE))
                for centre in rng.choice(candidates, size=n_patches, replace=False):
                    near = np.linalg.norm(sphere - sphere[centre], axis=1) < patch_radius
                    voxel_class[near & allowed & (hemisphere == right) & (voxel_class == NONE)] = planted_class
    return voxel_class


#: Standard deviation of the weights on story-only concepts (independent of the shared weights, and larger, so that
#: the story-only dimension is a direction of its own in the voxels' weights).
STORY_ONLY_WEIGHT_SD = 4.0


def plant_weights(voxel_class: np.ndarray, n_concepts: int, n_lowlevel: int, rng: np.random.Generator,
                  n_story_only: int = 0) -> PlantedBrain:
    """Draw response weights for every planted voxel.

    Concept weights are a smooth mixture: each responsive voxel's weights on
    the ``n_concepts`` shared concepts are one of a few random prototypes plus
    individual variation, so nearby voxels share tuning and the weights have
    low-rank structure. Weights on the ``n_story_only`` story-only concepts
    (the last columns; concepts that only stories carry) are drawn
    independently, with standard deviation :data:`STORY_ONLY_WEIGHT_SD`.

    Returns
    -------
    PlantedBrain
        ``concept_weights`` of shape (n_voxels, n_concepts + n_story_only).
    """
    n_voxels = len(voxel_class)
    concept_voxels = np.isin(voxel_class, (LANGUAGE_ONLY, MULTIMODAL))
    prototypes = rng.normal(size=(6, n_concepts))
    choice = rng.integers(len(prototypes), size=n_voxels)
    concept_weights = prototypes[choice] + 0.7 * rng.normal(size=(n_voxels, n_concepts))
    word_rate_weights = np.where(voxel_class == LANGUAGE_ONLY, rng.uniform(0.5, 1.5, size=n_voxels), 0.0)
    lowlevel_weights = rng.normal(size=(n_voxels, n_lowlevel))
    lowlevel_weights[voxel_class != VISION_ONLY] = 0.0
    story_only = STORY_ONLY_WEIGHT_SD * rng.normal(size=(n_voxels, n_story_only))
    concept_weights = np.hstack([concept_weights, story_only])
    concept_weights[~concept_voxels] = 0.0
    return PlantedBrain(voxel_class, concept_weights, word_rate_weights, lowlevel_weights)


def canonical_hrf(tr: float, length: float = 32.0) -> np.ndarray:
    """SPM's canonical double-gamma haemodynamic response sampled every ``tr``.

    Returns
    -------
    hrf : array of shape (ceil(length / tr),), summing to 1
    """
    times = np.arange(0.0, length, tr)
    from scipy import stats  # imported here: the workflow's DAG reads this package, and scipy.signal/stats take about 0.8 s to import

    hrf = stats.gamma.pdf(times, 6) - stats.gamma.pdf(times, 16) / 6.0
    return hrf / hrf.sum()


def convolve_hrf(time_courses: np.ndarray, tr: float) -> np.ndarray:
    """Causally convolve TR-sampled time courses with the canonical HRF.

    Parameters
    ----------
    time_courses : array of shape (n_trs, n_features)
    tr : float

    Returns
    -------
    array of shape (n_trs, n_features)
    """
    from scipy import signal

    return signal.lfilter(canonical_hrf(tr), [1.0], time_courses, axis=0)


def voxel_signal(brain: PlantedBrain, concepts: np.ndarray, word_rate: np.ndarray | None, lowlevel: np.ndarray | None) -> np.ndarray:
    """Noise-free response of every voxel to one modality's latents.

    Parameters
    ----------
    brain : PlantedBrain
    concepts : array of shape (n_trs, n_concepts)
        HRF-convolved concept time courses.
    word_rate : array of shape (n_trs,) or None
        HRF-convolved word rate (stories only).
    lowlevel : array of shape (n_trs, n_lowlevel) or None
        HRF-convolved low-level visual content (movies only).

    Returns
    -------
    signal : array of shape (n_trs, n_voxels), float32
        Multimodal voxels respond to concepts in both modalities;
        language-only voxels to concepts and word rate in stories only;
        vision-only voxels to low-level content in movies only.
    """
    weights = brain.concept_weights.copy()
    if word_rate is None:
        weights[brain.voxel_class == LANGUAGE_ONLY] = 0.0
    out = concepts @ weights.T
    if word_rate is not None:
        out += word_rate[:, None] * brain.word_rate_weights[None, :]
    if lowlevel is not None:
        out += lowlevel @ brain.lowlevel_weights.T
    return out.astype(np.float32)


def signal_scale(signal_runs: list[np.ndarray], snr: float) -> np.ndarray:
    """Per-voxel factor giving the signal variance ``snr`` over all runs of a modality.

    Parameters
    ----------
    signal_runs : list of arrays of shape (n_trs_i, n_voxels)
    snr : float

    Returns
    -------
    scale : array of shape (n_voxels,), float32
    """
    n_total = sum(len(run) for run in signal_runs)
    mean = sum(run.sum(axis=0, dtype=np.float64) for run in signal_runs) / n_total
    variance = sum(((run - mean) ** 2).sum(axis=0, dtype=np.float64) for run in signal_runs) / n_total
    return (np.sqrt(snr) / np.where(variance > 0, np.sqrt(variance), 1.0)).astype(np.float32)


def add_noise(signal_runs: list[np.ndarray], snr: float, noise_scales: list[float], rng: np.random.Generator,
              extra_runs: list[np.ndarray] | None = None, repeats: list[int] | None = None) -> list[np.ndarray]:
    """Scale signals to unit variance per voxel, add noise at ``snr``, z-score runs.

    The signal of each voxel is scaled so that its variance over all runs of
    the modality is ``snr`` (noise variance 1 for a single presentation);
    a run averaged over ``r`` repeats has noise scale ``1 / sqrt(r)``. Each
    run is then z-scored per voxel, as ds003020 responses are. A run given
    ``repeats = r > 0`` is instead returned as ``r`` presentations with
    independent noise (scale ``noise_scales``), each z-scored, as the
    published short-clips ``Y_test`` is.

    Parameters
    ----------
    signal_runs : list of arrays of shape (n_trs_i, n_voxels)
    snr : float
    noise_scales : list of float, one per run
    rng : numpy Generator
    extra_runs : list of arrays of shape (n_trs_i, n_voxels), optional
        Signal added with the same per-voxel scale but left out of the SNR
        (the story-only concepts: they add variance to the runs that carry
        them without lowering the SNR of the shared signal).
    repeats : list of int, optional
        Per run, 0 (one response) or the number of presentations to return.

    Returns
    -------
    list of arrays of shape (n_trs_i, n_voxels) (or (r, n_trs_i, n_voxels) for repeated runs), float32
    """
    scale = signal_scale(signal_runs, snr)
    responses = []
    extra_runs = extra_runs or [None] * len(signal_runs)
    repeats = repeats or [0] * len(signal_runs)
    for run_signal, noise_scale, extra, n_repeats in zip(signal_runs, noise_scales, extra_runs, repeats):
        clean = run_signal.astype(np.float32) * scale
        if extra is not None:
            clean += extra.astype(np.float32) * scale
        noisy = [_zscored(clean + np.float32(noise_scale) * rng.standard_normal(run_signal.shape, dtype=np.float32))
                 for _ in range(max(n_repeats, 1))]
        responses.append(np.stack(noisy) if n_repeats else noisy[0])
    return responses


def planted_explainable_variance(signal_runs: list[np.ndarray], snr: float, run_index: int) -> np.ndarray:
    """The true explainable variance of one presentation of a run, from the planted signal.

    With the signal scaled as :func:`add_noise` scales it and noise variance
    1, it is ``var_t(signal) / (var_t(signal) + 1)`` over the run's TRs.

    Parameters
    ----------
    signal_runs : list of arrays of shape (n_trs_i, n_voxels)
        Every run of the modality (the scale is set over all of them).
    snr : float
    run_index : int

    Returns
    -------
    ev : array of shape (n_voxels,), float64
    """
    signal = signal_runs[run_index].astype(np.float64) * signal_scale(signal_runs, snr)
    variance = signal.var(axis=0)
    return variance / (variance + 1.0)


def _zscored(run: np.ndarray) -> np.ndarray:
    """Z-score each column of a (n_trs, n_voxels) array in place and return it."""
    run -= run.mean(axis=0)
    run /= run.std(axis=0)
    return run

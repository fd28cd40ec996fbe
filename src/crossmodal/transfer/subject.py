"""Score both transfer directions of one subject, model set and layer; save and summarise them."""

from __future__ import annotations

import os

import h5py
import numpy as np

from crossmodal.ceiling import fraction_of_ceiling
from crossmodal.data.types import ModalityData
from crossmodal.encoding.ridge import RidgeFit
from crossmodal.errors import InputError
from crossmodal.features.grid import DesignMatrices, stream_layer
from crossmodal.features.storage import read_layer, read_times
from crossmodal.h5io import atomic_h5
from crossmodal.regions import RegionMap
from crossmodal.scorefile import load_scores, save_scores  # noqa: F401  (re-exported)
from crossmodal.transfer.alignment import AlignmentMap
from crossmodal.transfer.compare import region_summary
from crossmodal.transfer.scoring import DIRECTIONS, StatsSettings, score_direction, transferred_design, transferred_runs
from crossmodal.transfer.shared import ar_coefficients, residual_autocorrelation, untuned_source
from crossmodal.transfer.tuning import reverse_tuned_fraction

#: The alignment map that brings the target modality into the source model's space.
MAP_OF_DIRECTION = {"story_to_movie": "image_to_text", "movie_to_story": "text_to_image"}


def read_events(feature_paths: dict[str, str | os.PathLike], layer_name: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One layer of every run's feature file: run name -> (values (n_events, d), times (n_events,))."""
    return {run: (read_layer(path, layer_name), read_times(path)) for run, path in feature_paths.items()}


def load_maps(path: str | os.PathLike) -> dict[str, AlignmentMap]:
    """The image->text and text->image maps written by the fit_alignment rule."""
    with h5py.File(path, "r") as handle:
        return {name: AlignmentMap.from_arrays({k: v[()] for k, v in handle[name].items()}) for name in MAP_OF_DIRECTION.values()}


def save_maps(path: str | os.PathLike, maps: dict[str, AlignmentMap]) -> None:
    """Write alignment maps, one HDF5 group per direction (temporary file, then rename)."""
    with atomic_h5(path) as handle:
        for name, mapping in maps.items():
            group = handle.create_group(name)
            for key, value in mapping.to_arrays().items():
                group.create_dataset(key, data=value)


def score_subject(
    fits: dict[str, RidgeFit],
    designs: dict[str, DesignMatrices],
    data: dict[str, ModalityData],
    feature_paths: dict[str, dict[str, str | os.PathLike]],
    layer_key: str,
    alignments: list[str],
    maps: dict[str, AlignmentMap] | None,
    stats: StatsSettings,
    zscore: str = "source",
    cutoff_mult: float = 1.0,
    window: int = 3,
    voxel_batch: int = 10000,
    log=None,
) -> tuple[dict[tuple[str, str], dict[str, np.ndarray]], dict[str, dict]]:
    """Both directions and every alignment of one subject.

    Parameters
    ----------
    fits, designs, data : dicts keyed by modality ("story", "movie")
        Encoding fits, their design matrices, and the subject's data.
    feature_paths : dict of modality to (run name -> feature file)
        Keyed by run name (:func:`crossmodal.features.storage.feature_files_for_runs`).
    layer_key : str
        Config layer key (``cross.K`` / ``tower.K``).
    alignments : list of {"none", "linear"}
    maps : dict or None
        ``image_to_text`` and ``text_to_image`` maps (needed for ``linear``).
    stats : StatsSettings
    zscore : {"source", "target"}
    log : logging.Logger or None

    Returns
    -------
    results : dict of (direction, alignment) to the arrays of :func:`score_direction`
    nulls : dict of direction to a description of its untuned-source null
        (``residual_autocorrelation``, ``ar_coefficients``, ``n_null_draws``).
    """
    results, nulls = {}, {}
    for index, (direction, source, target) in enumerate(DIRECTIONS):
        events = read_events(feature_paths[target], stream_layer(layer_key, target))
        n_features = fits[source].weights.shape[0] // len(designs[source].delays)
        transferred = {}
        for alignment in alignments:
            mapping = maps[MAP_OF_DIRECTION[direction]] if alignment == "linear" else None
            dim = next(iter(events.values()))[0].shape[1]
            if mapping is None and dim != n_features:
                raise InputError(
                    f"alignment 'none' for {direction}", f"needs {target} features of {n_features} dims, they have {dim}",
                    "use alignment: [linear] for models whose spaces differ",
                )
            train = transferred_runs(events, data[target].train_runs, mapping, cutoff_mult, window)
            test = transferred_runs(events, data[target].test_runs, mapping, cutoff_mult, window)
            train_design, _, test_design = transferred_design(train, test, designs[source], zscore)
            transferred[alignment] = (train_design, test_design)
        acf = residual_autocorrelation(fits[source], designs[source], data[source], max(stats.noise_ar_order, 1))
        ar = ar_coefficients(acf, stats.noise_ar_order)
        untuned = untuned_source(designs[source], fits[source].design_mean, ar, stats.n_null_draws, (stats.seed, index))
        if log is not None:
            log.info("%s: source residual autocorrelation %s, noise AR coefficients %s, %d untuned-source draws",
                     direction, np.round(acf[1:], 3).tolist(), np.round(ar, 3).tolist(), stats.n_null_draws)
        nulls[direction] = {"residual_autocorrelation": acf, "ar_coefficients": ar, "n_null_draws": stats.n_null_draws}
        scored = score_direction(
            fits[source], fits[target], transferred, designs[target].test_design, data[target], untuned, stats, voxel_batch,
        )
        for alignment, arrays in scored.items():
            results[direction, alignment] = arrays
    return results, nulls


def add_ceiling_scores(results: dict[tuple[str, str], dict[str, np.ndarray]], ceiling_r: dict[str, np.ndarray]) -> None:
    """Add each direction's target ceiling and the scores as fractions of it (in place).

    Parameters
    ----------
    results : dict of (direction, alignment) to dict of name to (n_voxels,) arrays
        From :func:`score_subject`; gains ``ceiling_r`` (the target test run's
        ceiling correlation, :mod:`crossmodal.ceiling`) and
        ``raw_of_ceiling``, ``corrected_of_ceiling``, ``within_of_ceiling``
        (score / ceiling; NaN where the target has no repeats or no ceiling).
    ceiling_r : dict of modality to array of shape (n_voxels,)
    """
    target_of = {direction: target for direction, _, target in DIRECTIONS}
    for (direction, _), arrays in results.items():
        ceiling = np.asarray(ceiling_r[target_of[direction]], dtype=np.float64)
        arrays["ceiling_r"] = ceiling.astype(np.float32)
        for score in ("raw", "corrected", "within"):
            arrays[f"{score}_of_ceiling"] = fraction_of_ceiling(arrays[f"{score}_r"], ceiling).astype(np.float32)


def region_rows(results: dict[tuple[str, str], dict[str, np.ndarray]], regions: RegionMap, **identity) -> list[dict]:
    """Region summaries of every direction, alignment and score kind.

    Returns
    -------
    list of dict
        identity keys, ``direction``, ``alignment``, ``score`` (raw,
        corrected, within), ``region``, ``n_voxels``, ``mean_score``,
        ``fraction_significant``, ``fraction_reverse_tuned`` (among the
        region's voxels significant for that score; NaN for ``within`` and
        for regions without significant voxels), and where the results carry
        ``ceiling_r`` (:func:`add_ceiling_scores`): ``mean_ceiling_r`` and
        ``fraction_of_ceiling`` (mean score / mean ceiling over the region's
        voxels with a ceiling; NaN where the target run has no repeats).
    """
    rows = []
    for (direction, alignment), arrays in results.items():
        for score in ("raw", "corrected", "within"):
            reversed_fraction = {}
            if score != "within":
                significant = np.asarray(arrays[f"{score}_significant"], dtype=bool)
                reversed_fraction = reverse_tuned_fraction(arrays["sign"], regions.labels, regions.names, mask=significant)
            ceiling = _region_ceilings(arrays[f"{score}_r"], arrays.get("ceiling_r"), regions)
            for row in region_summary(arrays[f"{score}_r"], arrays[f"{score}_significant"], regions.labels, regions.names):
                rows.append({
                    **identity, "direction": direction, "alignment": alignment, "score": score, **row,
                    "fraction_reverse_tuned": reversed_fraction.get(row["region"], np.nan),
                    **ceiling.get(row["region"], {}),
                })
    return rows


def _region_ceilings(scores: np.ndarray, ceiling_r: np.ndarray | None, regions: RegionMap) -> dict[str, dict[str, float]]:
    """Per region name: mean ceiling and mean score / mean ceiling over voxels with a finite ceiling and score."""
    if ceiling_r is None:
        return {}
    usable = np.isfinite(ceiling_r) & np.isfinite(scores)
    out = {}
    for label, name in enumerate(regions.names):
        voxels = usable & (regions.labels == label)
        mean_ceiling = float(np.mean(ceiling_r[voxels])) if voxels.any() else np.nan
        mean_score = float(np.mean(scores[voxels])) if voxels.any() else np.nan
        out[name] = {"mean_ceiling_r": mean_ceiling, "fraction_of_ceiling": mean_score / mean_ceiling if voxels.any() else np.nan}
    return out

"""Stimulus features and their fMRI grids (method.md steps 1-2).

- :mod:`~crossmodal.features.models`   registry: ``load_feature_model(name)``
- :mod:`~crossmodal.features.text`     per-word (causal context) and per-caption features
- :mod:`~crossmodal.features.vision`   per-frame and per-image features
- :mod:`~crossmodal.features.forward`  all-layer forward passes, BridgeTower's cached partners
- :mod:`~crossmodal.features.storage`  HDF5 feature files, read one layer at a time
- :mod:`~crossmodal.features.resample` Lanczos resampling, ds003020 and movie TR grids
- :mod:`~crossmodal.features.design`   z-scoring with training statistics, delays, design matrices

Every extractor returns float32 ``(n_layers, n_events, dim)`` with layers in
``model.layer_names(modality)`` order.
"""

from crossmodal.features.design import add_delays, apply_zscore, build_design, zscore_runs, zscore_statistics
from crossmodal.features.models import (
    REGISTRY,
    FeatureModel,
    corresponding_layer,
    default_layer_for,
    layer_names_for,
    load_feature_model,
)
from crossmodal.features.resample import (
    ds003020_feature_grid,
    ds003020_tr_times,
    lanczos_kernel,
    lanczos_resample,
    lanczos_weights,
    movie_tr_times,
    resample_movie_run,
    resample_story,
)
from crossmodal.features.storage import (
    feature_files_by_stimulus,
    feature_files_for_runs,
    read_attrs,
    read_identity,
    read_frame_indices,
    read_layer,
    read_layer_names,
    read_times,
    read_words,
    stimulus_identity,
    write_feature_file,
)
from crossmodal.features.text import extract_caption_features, extract_sentence_features, extract_word_features
from crossmodal.features.vision import (
    extract_frame_features,
    extract_image_features,
    frame_times,
    sample_frame_indices,
)

__all__ = [
    "REGISTRY",
    "FeatureModel",
    "add_delays",
    "apply_zscore",
    "build_design",
    "corresponding_layer",
    "default_layer_for",
    "ds003020_feature_grid",
    "ds003020_tr_times",
    "extract_caption_features",
    "extract_frame_features",
    "extract_image_features",
    "extract_sentence_features",
    "extract_word_features",
    "feature_files_by_stimulus",
    "feature_files_for_runs",
    "frame_times",
    "lanczos_kernel",
    "lanczos_resample",
    "lanczos_weights",
    "layer_names_for",
    "load_feature_model",
    "movie_tr_times",
    "read_attrs",
    "read_frame_indices",
    "read_identity",
    "read_layer",
    "read_layer_names",
    "read_times",
    "read_words",
    "resample_movie_run",
    "resample_story",
    "sample_frame_indices",
    "stimulus_identity",
    "write_feature_file",
    "zscore_runs",
    "zscore_statistics",
]

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

Submodules are imported on first use (PEP 562), so a job that only reads
feature files or builds designs does not load torch and transformers.
"""

import importlib

#: Public name -> the submodule that defines it.
_LAZY = {
    "FeatureModel": "crossmodal.features.models",
    "REGISTRY": "crossmodal.features.models",
    "add_delays": "crossmodal.features.design",
    "apply_zscore": "crossmodal.features.design",
    "build_design": "crossmodal.features.design",
    "corresponding_layer": "crossmodal.features.models",
    "default_layer_for": "crossmodal.features.models",
    "ds003020_feature_grid": "crossmodal.features.resample",
    "ds003020_tr_times": "crossmodal.features.resample",
    "extract_caption_features": "crossmodal.features.text",
    "extract_frame_features": "crossmodal.features.vision",
    "extract_image_features": "crossmodal.features.vision",
    "extract_sentence_features": "crossmodal.features.text",
    "extract_word_features": "crossmodal.features.text",
    "feature_files_by_stimulus": "crossmodal.features.storage",
    "feature_files_for_runs": "crossmodal.features.storage",
    "frame_times": "crossmodal.features.vision",
    "lanczos_kernel": "crossmodal.features.resample",
    "lanczos_resample": "crossmodal.features.resample",
    "lanczos_weights": "crossmodal.features.resample",
    "layer_names_for": "crossmodal.features.models",
    "load_feature_model": "crossmodal.features.models",
    "movie_tr_times": "crossmodal.features.resample",
    "read_attrs": "crossmodal.features.storage",
    "read_frame_indices": "crossmodal.features.storage",
    "read_identity": "crossmodal.features.storage",
    "read_layer": "crossmodal.features.storage",
    "read_layer_names": "crossmodal.features.storage",
    "read_times": "crossmodal.features.storage",
    "read_words": "crossmodal.features.storage",
    "resample_movie_run": "crossmodal.features.resample",
    "resample_story": "crossmodal.features.resample",
    "sample_frame_indices": "crossmodal.features.vision",
    "stimulus_identity": "crossmodal.features.storage",
    "write_feature_file": "crossmodal.features.storage",
    "zscore_runs": "crossmodal.features.design",
    "zscore_statistics": "crossmodal.features.design",
}


def __getattr__(name):
    """Import the defining submodule on first access (torch is only loaded by the extractors)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

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

"""Design matrices on a subject's fMRI grid, from cached per-event feature files.

Glue between the feature files (one per stimulus, all layers) and the
encoding models: pick one layer, Lanczos-resample each run to its response
rows, z-score with the training runs' statistics, add delays per run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import h5py
import numpy as np

from crossmodal.data.types import ResponseRun
from crossmodal.errors import InputError
from crossmodal.features.design import add_delays, apply_zscore, zscore_statistics
from crossmodal.features.resample import lanczos_resample
from crossmodal.features.storage import read_attrs, read_layer, read_times
from crossmodal.h5io import atomic_h5

#: Neutral layer keys of the config and the per-modality stream names they stand for.
LAYER_STREAMS = {"cross": {"story": "cross_text", "movie": "cross_image"}, "tower": {"story": "text", "movie": "vision"}}


def stream_layer(layer_key: str, modality: str) -> str:
    """The stored layer name of a config layer key for one modality.

    ``cross.K`` is BridgeTower's K-th cross-modal layer (``cross_text.K`` for
    stories, ``cross_image.K`` for movies); ``tower.K`` is the K-th layer of
    the unimodal tower (``text.K`` / ``vision.K``).

    Parameters
    ----------
    layer_key : str
        E.g. ``cross.1`` or ``tower.6``.
    modality : {"story", "movie"}

    Returns
    -------
    str
    """
    stream, _, index = layer_key.partition(".")
    if stream not in LAYER_STREAMS or not index.isdigit():
        raise InputError(f"layer '{layer_key}'", "is not of the form cross.K or tower.K", "fix the layers of the model in the config")
    return f"{LAYER_STREAMS[stream][modality]}.{index}"


@dataclass(frozen=True)
class DesignMatrices:
    """Train and test design matrices of one subject, modality, model and layer.

    Attributes
    ----------
    train_design : array of shape (n_train_trs, n_features * n_delays), float32
    train_run_ids : array of shape (n_train_trs,), int
        Index into ``train_runs`` of each row.
    test_design : array of shape (n_test_trs, n_features * n_delays), float32
    test_run_ids : array of shape (n_test_trs,), int
    train_runs, test_runs : list of str
        Run names.
    feature_mean, feature_std : arrays of shape (n_features,)
        Z-scoring statistics of the training runs (before delays).
    delays : tuple of int
    fingerprints : tuple of str
        Stimulus fingerprint of every run, training runs then test runs
        (empty for designs built without identities).
    """

    train_design: np.ndarray
    train_run_ids: np.ndarray
    test_design: np.ndarray
    test_run_ids: np.ndarray
    train_runs: list[str]
    test_runs: list[str]
    feature_mean: np.ndarray
    feature_std: np.ndarray
    delays: tuple[int, ...]
    fingerprints: tuple[str, ...] = ()

    @property
    def runs(self) -> list[str]:
        """Training then test run names."""
        return list(self.train_runs) + list(self.test_runs)


def resample_run_features(event_values: np.ndarray, event_times: np.ndarray, run: ResponseRun, cutoff_mult: float, window: int) -> np.ndarray:
    """Lanczos-resample one run's event features to its response rows.

    Parameters
    ----------
    event_values : array of shape (n_events, n_features)
    event_times : array of shape (n_events,)
        On the run's stimulus clock (s).
    run : ResponseRun
        Gives the TR and the time of every response row.

    Returns
    -------
    array of shape (run.n_trs, n_features), float32
    """
    return lanczos_resample(event_values, event_times, run.tr_times, run.tr, cutoff_mult=cutoff_mult, window=window).astype(np.float32)


def stack_runs(runs: Sequence[np.ndarray], delays: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Delay each run separately and stack them.

    Returns
    -------
    design : array of shape (sum n_i, n_features * n_delays), float32
    run_ids : array of shape (sum n_i,), int
    """
    design = np.concatenate([add_delays(run, delays) for run in runs]).astype(np.float32)
    run_ids = np.concatenate([np.full(len(run), index) for index, run in enumerate(runs)])
    return design, run_ids


def build_design_matrices(
    feature_paths: dict[str, str | os.PathLike],
    train_runs: Sequence[ResponseRun],
    test_runs: Sequence[ResponseRun],
    layer_name: str,
    delays: Sequence[int],
    cutoff_mult: float = 1.0,
    window: int = 3,
) -> DesignMatrices:
    """Design matrices of one subject and modality from cached feature files.

    Parameters
    ----------
    feature_paths : dict of run name to path
        The feature file of every run's stimulus, keyed by run name (see
        :func:`crossmodal.features.storage.feature_files_for_runs`); the
        order of the dict does not matter.
    train_runs, test_runs : sequences of ResponseRun
    layer_name : str
        Stored layer name (e.g. ``cross_text.1``).
    delays : sequence of int
        FIR delays in TRs.
    cutoff_mult, window : float, int
        Lanczos settings.

    Returns
    -------
    DesignMatrices
    """
    per_run, fingerprints = {}, []
    for run in list(train_runs) + list(test_runs):
        if run.name not in feature_paths:
            raise InputError(f"run '{run.name}'", "has no feature file", "pass the feature file of every run, keyed by run name")
        path = feature_paths[run.name]
        per_run[run.name] = resample_run_features(read_layer(path, layer_name), read_times(path), run, cutoff_mult, window)
        fingerprints.append(str(read_attrs(path).get("stimulus_fingerprint", "")))
    mean, std = zscore_statistics([per_run[r.name] for r in train_runs])
    train_z = apply_zscore([per_run[r.name] for r in train_runs], mean, std)
    test_z = apply_zscore([per_run[r.name] for r in test_runs], mean, std)
    train_design, train_ids = stack_runs(train_z, delays)
    test_design, test_ids = stack_runs(test_z, delays)
    return DesignMatrices(
        train_design, train_ids, test_design, test_ids,
        [r.name for r in train_runs], [r.name for r in test_runs], mean, std, tuple(delays), tuple(fingerprints),
    )


def save_design(path: str | os.PathLike, design: DesignMatrices, **attrs) -> None:
    """Write design matrices to HDF5 (temporary file, then rename)."""
    with atomic_h5(path) as handle:
        for name in ("train_design", "train_run_ids", "test_design", "test_run_ids", "feature_mean", "feature_std"):
            handle.create_dataset(name, data=getattr(design, name))
        handle.create_dataset("train_runs", data=np.array(design.train_runs, dtype="S"))
        handle.create_dataset("test_runs", data=np.array(design.test_runs, dtype="S"))
        handle.create_dataset("fingerprints", data=np.array(design.fingerprints, dtype="S"))
        handle.attrs["delays"] = np.array(design.delays)
        for key, value in attrs.items():
            handle.attrs[key] = value


def load_design(path: str | os.PathLike) -> DesignMatrices:
    """Read design matrices written by :func:`save_design`."""
    with h5py.File(path, "r") as handle:
        return DesignMatrices(
            handle["train_design"][()], handle["train_run_ids"][()], handle["test_design"][()], handle["test_run_ids"][()],
            [s.decode() for s in handle["train_runs"][()]], [s.decode() for s in handle["test_runs"][()]],
            handle["feature_mean"][()], handle["feature_std"][()], tuple(int(d) for d in handle.attrs["delays"]),
            tuple(s.decode() for s in handle["fingerprints"][()]) if "fingerprints" in handle else (),
        )


def check_design_runs(design: DesignMatrices, data, source: str = "design") -> None:
    """Check that a design was built from the runs (names and stimuli) of these data.

    Parameters
    ----------
    design : DesignMatrices
    data : ModalityData
        The subject's data of the design's modality.
    source : str
        The design's file, for messages.

    Raises
    ------
    InputError
        The run names or their order differ, or a run's stimulus changed.
    """
    from crossmodal.data.fingerprint import stimulus_fingerprint

    train, test = [r.name for r in data.train_runs], [r.name for r in data.test_runs]
    if design.train_runs != train or design.test_runs != test:
        raise InputError(source, f"was built for runs {design.runs}, but {data.subject}'s {data.modality} data have {train + test}",
                         "rebuild it: snakemake --forcerun build_design")
    if len(design.fingerprints) != len(design.runs):
        raise InputError(source, "records no stimulus fingerprints (written by an older version)", "rebuild it: snakemake --forcerun build_design")
    for run, stored in zip(design.runs, design.fingerprints):
        expected = stimulus_fingerprint(data.stimuli[run])
        if stored != expected:
            raise InputError(source, f"was built from a stimulus of '{run}' with fingerprint {stored}, but '{run}' in the data has {expected}",
                             "rebuild it: snakemake --forcerun build_design")

"""HDF5 feature files: every layer of one stimulus and model, read one layer at a time.

Layout
------
``features``       float32 (n_layers, n_events, dim), chunked one layer per
                   chunk, so reading a layer reads only that layer
``times``          float64 (n_events,), seconds (attr ``units = "s"``): word
                   midpoints from sound onset, or frame onsets from run start
``layer_names``    str (n_layers,)
``words``          str (n_events,), for text stimuli, or
``frame_indices``  int64 (n_events,), for frames
attributes         ``model_name``, ``checkpoint`` ("" for tiny models),
                   ``n_layers``, ``n_events``, ``dim``, plus any ``attrs``
                   passed to :func:`write_feature_file`; files of stories and
                   movie runs carry their identity: ``stimulus`` (the run
                   name), ``modality`` and ``stimulus_fingerprint``
                   (:func:`crossmodal.data.fingerprint.stimulus_fingerprint`)

Readers never pair feature files with runs by position:
:func:`feature_files_for_runs` keys them by the run name stored inside and
checks the stored fingerprint against the stimulus the loader reads.

Files are written to a temporary name in the target folder and renamed, so a
crash never leaves a half-written file under the final name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from crossmodal.errors import InputError
from crossmodal.h5io import atomic_h5

_STR = h5py.string_dtype(encoding="utf-8")


def write_feature_file(
    path: str | os.PathLike,
    features: np.ndarray,
    times: np.ndarray,
    layer_names: Sequence[str],
    model_name: str,
    checkpoint: str | None,
    words: Sequence[str] | None = None,
    frame_indices: np.ndarray | None = None,
    attrs: dict | None = None,
) -> Path:
    """Write one stimulus's features for all layers.

    Parameters
    ----------
    path : path
        Target ``.h5`` file; its folder is created.
    features : array of shape (n_layers, n_events, dim)
        Stored as float32.
    times : array of shape (n_events,)
        Event times in seconds.
    layer_names : sequence of str, length n_layers
    model_name : str
    checkpoint : str or None
    words : sequence of str, length n_events, optional
    frame_indices : int array of shape (n_events,), optional
    attrs : dict, optional
        Extra scalar attributes (e.g. ``context_words``, ``pooling``, ``fps``).

    Returns
    -------
    path : Path
    """
    path = Path(path)
    features = np.asarray(features, dtype=np.float32)
    times = np.asarray(times, dtype=np.float64)
    if features.ndim != 3:
        raise ValueError(f"features must be (n_layers, n_events, dim), got shape {features.shape}")
    n_layers, n_events, dim = features.shape
    if times.shape != (n_events,) or len(layer_names) != n_layers:
        raise ValueError(
            f"features {features.shape} do not match times {times.shape} and {len(layer_names)} layer names"
        )
    for name, values in (("words", words), ("frame_indices", frame_indices)):
        if values is not None and len(values) != n_events:
            raise ValueError(f"{name} has {len(values)} entries for {n_events} events")

    with atomic_h5(path) as file:
        chunks = (1, max(n_events, 1), max(dim, 1)) if n_events and dim else None
        file.create_dataset("features", data=features, chunks=chunks)
        file.create_dataset("times", data=times).attrs["units"] = "s"
        file.create_dataset("layer_names", data=np.asarray(list(layer_names), dtype=object), dtype=_STR)
        if words is not None:
            file.create_dataset("words", data=np.asarray([str(word) for word in words], dtype=object), dtype=_STR)
        if frame_indices is not None:
            file.create_dataset("frame_indices", data=np.asarray(frame_indices, dtype=np.int64))
        file.attrs.update(
            model_name=model_name,
            checkpoint=checkpoint or "",
            n_layers=n_layers,
            n_events=n_events,
            dim=dim,
        )
        file.attrs.update(attrs or {})
    return path


def _open(path: str | os.PathLike) -> h5py.File:
    try:
        file = h5py.File(path, "r")
    except (OSError, FileNotFoundError) as error:
        raise InputError(path, f"cannot be opened as a feature file ({error})", "rerun the feature rule that writes it") from error
    if "features" not in file or "layer_names" not in file:
        file.close()
        raise InputError(path, "has no 'features' / 'layer_names' datasets", "rerun the feature rule that writes it")
    return file


def read_layer_names(path: str | os.PathLike) -> list[str]:
    """Layer names stored in a feature file, in storage order."""
    with _open(path) as file:
        return [name.decode() if isinstance(name, bytes) else str(name) for name in file["layer_names"][()]]


def read_layer(path: str | os.PathLike, layer_name: str) -> np.ndarray:
    """One layer's features, reading only that layer from disk.

    Returns
    -------
    features : float32 array of shape (n_events, dim)

    Raises
    ------
    InputError
        The layer is not in the file (the message lists those that are).
    """
    names = read_layer_names(path)
    if layer_name not in names:
        raise InputError(
            path,
            f"has no layer '{layer_name}' (it has {', '.join(names)})",
            "set the layer in the config to one of these names",
        )
    with _open(path) as file:
        return np.asarray(file["features"][names.index(layer_name)], dtype=np.float32)


def read_times(path: str | os.PathLike) -> np.ndarray:
    """Event times in seconds, float64 (n_events,)."""
    with _open(path) as file:
        return np.asarray(file["times"][()], dtype=np.float64)


def read_words(path: str | os.PathLike) -> list[str]:
    """The words of a text feature file (n_events,)."""
    with _open(path) as file:
        if "words" not in file:
            raise InputError(path, "has no words (it is not a text feature file)", "pass a story feature file")
        return [word.decode() if isinstance(word, bytes) else str(word) for word in file["words"][()]]


def read_frame_indices(path: str | os.PathLike) -> np.ndarray:
    """The frame indices of a frame feature file, int64 (n_events,)."""
    with _open(path) as file:
        if "frame_indices" not in file:
            raise InputError(path, "has no frame indices (it is not a frame feature file)", "pass a movie feature file")
        return np.asarray(file["frame_indices"][()], dtype=np.int64)


def read_attrs(path: str | os.PathLike) -> dict:
    """File attributes: model_name, checkpoint, n_layers, n_events, dim, extras."""
    with _open(path) as file:
        return {key: (value.item() if isinstance(value, np.generic) else value) for key, value in file.attrs.items()}


#: Attributes that name the stimulus a feature file was computed from.
IDENTITY_ATTRS = ("stimulus", "modality", "stimulus_fingerprint")


def stimulus_identity(run: str, modality: str, stimulus) -> dict:
    """The identity attributes of a feature file computed from one run's stimulus.

    Parameters
    ----------
    run : str
        Run name (story name, ``train_00``, ...).
    modality : {"story", "movie"}
    stimulus : WordEvents or FrameRun
        The stimulus as the loader reads it.

    Returns
    -------
    dict
        ``stimulus``, ``modality``, ``stimulus_fingerprint``: pass as ``attrs``
        to :func:`write_feature_file`.
    """
    from crossmodal.data.fingerprint import stimulus_fingerprint

    return {"stimulus": str(run), "modality": str(modality), "stimulus_fingerprint": stimulus_fingerprint(stimulus)}


def read_identity(path: str | os.PathLike) -> dict:
    """The identity attributes (``stimulus``, ``modality``, ``stimulus_fingerprint``) of a feature file.

    Raises
    ------
    InputError
        The file records no stimulus (written before run identities existed).
    """
    attrs = read_attrs(path)
    missing = [key for key in IDENTITY_ATTRS if key not in attrs]
    if missing:
        raise InputError(path, f"records no {missing[0]} (written by an older version)", "delete it and rerun the workflow so the feature rule writes it again")
    return {key: str(attrs[key]) for key in IDENTITY_ATTRS}


def feature_files_for_runs(paths: Sequence[str | os.PathLike], stimuli: dict, modality: str, subject: str = "") -> dict[str, Path]:
    """Key feature files by the run they were computed from, checked against the loaded stimuli.

    Parameters
    ----------
    paths : sequence of paths
        Feature files, in any order; each is named ``<run>.h5`` and stores the
        run name and fingerprint of its stimulus.
    stimuli : dict of run name to WordEvents or FrameRun
        The stimuli the loader read, for every run that needs features.
    modality : {"story", "movie"}
    subject : str
        For messages.

    Returns
    -------
    dict of run name to Path
        Exactly the runs of ``stimuli``.

    Raises
    ------
    InputError
        One line naming both runs when a file holds the features of another
        run or of a stimulus that has changed since extraction, or when a run
        has no feature file.
    """
    from crossmodal.data.fingerprint import stimulus_fingerprint

    owner = f" of {subject}" if subject else ""
    by_run: dict[str, Path] = {}
    for path in map(Path, paths):
        identity = read_identity(path)
        stored = identity["stimulus"]
        if identity["modality"] != modality:
            raise InputError(path, f"holds features of {identity['modality']} '{stored}', but a {modality} run{owner} needs it",
                             "check the feature model of the model set in the config")
        if stored != path.stem:
            raise InputError(path, f"holds the features of {modality} '{stored}', but is used as the features of {modality} '{path.stem}'{owner}",
                             f"delete it and rerun feature extraction for '{path.stem}'")
        if stored in by_run:
            raise InputError(path, f"and {by_run[stored]} both hold the features of {modality} '{stored}'", "pass one feature file per run")
        by_run[stored] = path
    for run, stimulus in stimuli.items():
        if run not in by_run:
            raise InputError(f"{modality} run '{run}'{owner}", "has no feature file among the inputs", "rerun the workflow so its features are extracted")
        expected = stimulus_fingerprint(stimulus)
        stored = read_identity(by_run[run])["stimulus_fingerprint"]
        if stored != expected:
            raise InputError(
                by_run[run],
                f"was computed from a stimulus of '{run}' with fingerprint {stored}, but {modality} '{run}'{owner} in the data "
                f"({getattr(stimulus, 'source', '')}) has fingerprint {expected}",
                "the stimulus changed since extraction: delete the feature file and rerun the workflow",
            )
    return {run: by_run[run] for run in stimuli}


def feature_files_by_stimulus(paths: Sequence[str | os.PathLike]) -> dict[str, Path]:
    """Key feature files by the stimulus name stored inside (no fingerprint check).

    Returns
    -------
    dict of run name to Path
    """
    out: dict[str, Path] = {}
    for path in map(Path, paths):
        stored = read_identity(path)["stimulus"]
        if stored in out:
            raise InputError(path, f"and {out[stored]} both hold the features of '{stored}'", "pass one feature file per run")
        out[stored] = path
    return out


def check_pair_features(path: str | os.PathLike, pairs, split: str) -> None:
    """Check that a caption or image feature file was computed from these pairs.

    Parameters
    ----------
    path : path
        Feature file of one split of the pairs (``<split>_captions.h5`` or ``<split>_images.h5``).
    pairs : PairData
        The pairs of that split, as the loader reads them.
    split : str

    Raises
    ------
    InputError
        The file belongs to another split or to pairs that have changed since extraction.
    """
    from crossmodal.data.fingerprint import pairs_fingerprint

    attrs = read_attrs(path)
    if "pairs_fingerprint" not in attrs:
        raise InputError(path, "records no pairs fingerprint (written by an older version)", "delete it and rerun the workflow")
    expected = pairs_fingerprint(pairs)
    if str(attrs.get("split")) != split or str(attrs["pairs_fingerprint"]) != expected:
        raise InputError(
            path, f"was computed from the {attrs.get('split')} pairs with fingerprint {attrs['pairs_fingerprint']}, "
            f"but the {split} pairs in the data have fingerprint {expected}",
            "the pairs changed since extraction: delete the pair feature files and rerun the workflow",
        )

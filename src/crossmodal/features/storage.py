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
                   passed to :func:`write_feature_file`

Files are written to a temporary name in the target folder and renamed, so a
crash never leaves a half-written file under the final name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Sequence

import h5py
import numpy as np

from crossmodal.errors import InputError

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

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".h5.tmp", prefix=f".{path.stem}.", dir=path.parent)
    os.close(handle)
    try:
        with h5py.File(temporary, "w") as file:
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
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
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

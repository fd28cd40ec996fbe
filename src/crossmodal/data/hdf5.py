"""Checked access to HDF5 datasets: one clear error line for every bad file."""

from __future__ import annotations

import json
from pathlib import Path

import h5py

from crossmodal.data.annex import require_content
from crossmodal.errors import InputError


def dataset_shape(path: Path, name: str, fix: str) -> tuple[tuple[int, ...], str]:
    """Shape and dtype of dataset ``name`` in ``path``, checked.

    Parameters
    ----------
    path : Path
    name : str
    fix : str
        What the user should do if the file or dataset is missing.

    Returns
    -------
    shape : tuple of int
    dtype : str
    """
    require_content(path)
    if not path.is_file():
        raise InputError(path, "file not found", fix)
    try:
        with h5py.File(path, "r") as handle:
            if name not in handle:
                raise InputError(path, f'has no dataset "{name}" (found: {", ".join(sorted(handle.keys())) or "nothing"})', fix)
            return tuple(handle[name].shape), str(handle[name].dtype)
    except OSError:
        raise InputError(path, "is not a readable HDF5 file", fix) from None


def read_small_dataset(path: Path, name: str, fix: str):
    """Read a small dataset (e.g. ``run_onsets``) after checking it exists."""
    dataset_shape(path, name, fix)
    with h5py.File(path, "r") as handle:
        return handle[name][()]


def read_json(path: Path, fix: str):
    """Parse a JSON file, with one error line if it is missing, not downloaded or malformed."""
    require_content(path)
    if not path.is_file():
        raise InputError(path, "file not found", fix)
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise InputError(path, f"malformed JSON (line {error.lineno}, column {error.colno}: {error.msg})", fix) from None


def check_frames(path: Path, shape: tuple[int, ...], dtype: str) -> None:
    """Frames must be uint8 of shape (n_frames, height, width, 3)."""
    if dtype != "uint8" or len(shape) != 4 or shape[3] != 3:
        raise InputError(
            path, f"frames are {dtype} of shape {shape}, expected uint8 of shape (n_frames, height, width, 3)",
            "store movie frames as 8-bit RGB",
        )

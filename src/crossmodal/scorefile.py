"""The transfer score file: ``<direction>/<alignment>/<name>`` datasets per voxel.

Kept apart from :mod:`crossmodal.transfer` so that figure jobs can read score
files without importing scipy or torch through the package ``__init__``.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np


def save_scores(path: str | os.PathLike, results: dict[tuple[str, str], dict[str, np.ndarray]], **attrs) -> None:
    """Write scores as ``<direction>/<alignment>/<name>`` datasets (temporary file, then rename)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with h5py.File(partial, "w") as handle:
        for (direction, alignment), arrays in results.items():
            group = handle.create_group(f"{direction}/{alignment}")
            for name, values in arrays.items():
                group.create_dataset(name, data=values)
        handle.attrs.update(attrs)
    os.replace(partial, path)


def load_scores(path: str | os.PathLike) -> dict[tuple[str, str], dict[str, np.ndarray]]:
    """Read scores written by :func:`save_scores`."""
    results = {}
    with h5py.File(path, "r") as handle:
        for direction in handle:
            for alignment in handle[direction]:
                group = handle[direction][alignment]
                results[direction, alignment] = {name: group[name][()] for name in group}
    return results

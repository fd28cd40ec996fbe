"""Save and load fitted ridge models as HDF5 files.

Layout (all datasets at the root of the file):

- ``weights`` (n_features, n_voxels) float32
- ``alphas_per_voxel`` (n_voxels,) float32
- ``cv_scores`` (n_alphas, n_voxels) float32, mean CV correlation per alpha
- ``alpha_grid`` (n_alphas,) float64
- ``design_mean`` (n_features,) float32
- ``response_mean`` (n_voxels,) float32
- ``test_scores`` (n_voxels,) float32, only when given

Root attributes: ``fraction_at_lowest_alpha``, ``fraction_at_highest_alpha``,
``format`` and any provenance given to :func:`save_fit`. Files are written
to a temporary file in the same folder and renamed, so an error never leaves
a partial file behind.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from crossmodal.encoding.ridge import RidgeFit
from crossmodal.errors import InputError
from crossmodal.h5io import atomic_h5

__all__ = ["save_fit", "load_fit"]

FORMAT = "crossmodal.encoding.RidgeFit/1"

_DATASETS = {
    "weights": ("(n_features, n_voxels)", "encoding weights"),
    "alphas_per_voxel": ("(n_voxels,)", "ridge alpha chosen by cross-validation, (X^T X + alpha I)^-1 convention"),
    "cv_scores": ("(n_alphas, n_voxels)", "Pearson r between held-out and predicted responses, mean over folds"),
    "alpha_grid": ("(n_alphas,)", "alphas tried"),
    "design_mean": ("(n_features,)", "training design mean, subtracted before prediction"),
    "response_mean": ("(n_voxels,)", "training response mean, added to predictions"),
    "test_scores": ("(n_voxels,)", "Pearson r between test and predicted responses"),
}


def save_fit(path, fit: RidgeFit, test_scores=None, **attrs) -> Path:
    """Write a fit to an HDF5 file atomically.

    Parameters
    ----------
    path : str or Path
        Output file; its folder is created if needed.
    fit : RidgeFit
    test_scores : array of shape (n_voxels,) or None
        Test correlation per voxel; defaults to ``fit.test_scores``.
    **attrs
        Provenance stored as root attributes (numbers, strings or arrays;
        ``None`` is stored as the string "None").

    Returns
    -------
    path : Path
    """
    path = Path(path)
    if test_scores is None:
        test_scores = fit.test_scores
    if test_scores is not None:
        test_scores = np.asarray(test_scores, dtype=np.float32)
        if test_scores.shape != (fit.n_voxels,):
            raise InputError("test_scores", f"has shape {test_scores.shape}, expected ({fit.n_voxels},)",
                             "pass one test correlation per voxel of the fit")
    with atomic_h5(path) as file:
        arrays = {
            "weights": np.asarray(fit.weights, dtype=np.float32),
            "alphas_per_voxel": np.asarray(fit.alphas_per_voxel, dtype=np.float32),
            "cv_scores": np.asarray(fit.cv_scores, dtype=np.float32),
            "alpha_grid": np.asarray(fit.alpha_grid, dtype=np.float64),
            "design_mean": np.asarray(fit.design_mean, dtype=np.float32),
            "response_mean": np.asarray(fit.response_mean, dtype=np.float32),
        }
        if test_scores is not None:
            arrays["test_scores"] = test_scores
        for name, array in arrays.items():
            dataset = file.create_dataset(name, data=array)
            dataset.attrs["shape"], dataset.attrs["description"] = _DATASETS[name]
        file.attrs["format"] = FORMAT
        file.attrs["fraction_at_lowest_alpha"] = float(fit.fraction_at_lowest_alpha)
        file.attrs["fraction_at_highest_alpha"] = float(fit.fraction_at_highest_alpha)
        for key, value in attrs.items():
            file.attrs[key] = "None" if value is None else value
    return path


def load_fit(path) -> RidgeFit:
    """Read a fit written by :func:`save_fit`.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    fit : RidgeFit
        With ``test_scores`` when the file has them.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such fit file", "run the fit_encoding rule first, or check the path")
    with h5py.File(path, "r") as file:
        missing = [name for name in _DATASETS if name != "test_scores" and name not in file]
        if missing:
            raise InputError(path, f"is not a ridge fit file (missing datasets {missing})",
                             "point to a file written by crossmodal.encoding.save_fit")
        return RidgeFit(
            weights=file["weights"][()],
            alphas_per_voxel=file["alphas_per_voxel"][()],
            cv_scores=file["cv_scores"][()],
            alpha_grid=file["alpha_grid"][()],
            design_mean=file["design_mean"][()],
            response_mean=file["response_mean"][()],
            fraction_at_lowest_alpha=float(file.attrs["fraction_at_lowest_alpha"]),
            fraction_at_highest_alpha=float(file.attrs["fraction_at_highest_alpha"]),
            test_scores=file["test_scores"][()] if "test_scores" in file else None,
        )


def read_fit_attrs(path) -> dict:
    """Root attributes (provenance) of a fit file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    attrs : dict
    """
    with h5py.File(path, "r") as file:
        return {key: (value.item() if hasattr(value, "item") and np.ndim(value) == 0 else value)
                for key, value in file.attrs.items()}

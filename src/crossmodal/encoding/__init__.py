"""Voxelwise encoding models: ridge regression with one alpha per voxel.

See :mod:`crossmodal.encoding.ridge` for the algorithm,
:mod:`crossmodal.encoding.folds` for the cross-validation splits and
:mod:`crossmodal.encoding.io` for the HDF5 file format.
"""

from crossmodal.encoding.folds import bootstrap_chunk_folds, grouped_folds
from crossmodal.encoding.io import load_fit, save_fit
from crossmodal.encoding.ridge import (
    RidgeFit,
    correlate_columns,
    cv_folds,
    fit_ridge_cv,
    gather_fits,
    voxel_chunk_bounds,
)

__all__ = [
    "RidgeFit",
    "bootstrap_chunk_folds",
    "correlate_columns",
    "cv_folds",
    "fit_ridge_cv",
    "gather_fits",
    "grouped_folds",
    "load_fit",
    "save_fit",
    "voxel_chunk_bounds",
]

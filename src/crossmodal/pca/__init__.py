"""Shared semantic dimensions: PCA of the language-model weights of multimodal voxels (method.md step 7).

:mod:`crossmodal.pca.weights`    voxel selection, delay averaging, normalisation
:mod:`crossmodal.pca.decompose`  PCA and principal angles
:mod:`crossmodal.pca.interpret`  word / image projections and PC sharedness
:mod:`crossmodal.pca.recovery`   the planted concept subspace of the synthetic data
:mod:`crossmodal.pca.io`         the HDF5 file of the pca rule
"""

from crossmodal.pca.decompose import PCAResult, fit_pca, principal_angle_cosines
from crossmodal.pca.interpret import (
    against_baseline,
    average_by_label,
    direction_sharedness,
    project,
    random_directions,
    sharedness,
    top_bottom,
)
from crossmodal.pca.io import load_pca, save_pca
from crossmodal.pca.recovery import planted_subspace
from crossmodal.pca.weights import delay_average, multimodal_mask, normalise_rows, select_voxels

__all__ = [
    "PCAResult",
    "against_baseline",
    "direction_sharedness",
    "random_directions",
    "average_by_label",
    "delay_average",
    "fit_pca",
    "load_pca",
    "multimodal_mask",
    "normalise_rows",
    "planted_subspace",
    "principal_angle_cosines",
    "project",
    "save_pca",
    "select_voxels",
    "sharedness",
    "top_bottom",
]

"""The HDF5 file of the pca rule: components, voxel selection, projections, sharedness.

Layout (``results/{model}/pca/layer-{layer}.h5``)
------------------------------------------------
``components``                (n_components, n_features)  unit rows, design-column space
``explained_variance_ratio``  (n_components,)
``mean``                      (n_features,)               mean voxel vector removed before PCA
``voxel_scores``              (n_selected, n_components)  each selected voxel's PC scores
``voxel_subject``             (n_selected,) str            subject of each selected voxel
``voxel_index``               (n_selected,) int            vertex / voxel index in its subject
``word_projections``          (n_words, n_components);  ``words`` (n_words,) str
``pair_image_projections``    (n_test_images, n_components); ``pair_images`` (n_test_images,) str paths
``frame_projections``         (n_frames, n_components); ``frame_runs`` str, ``frame_indices`` int
``sharedness/<name>``         (n_components,)  r, ci_low, ci_high, null_low, null_high, p_value
attributes                    model, layer, alignment, score, selection, n_voxels, ...
"""

from __future__ import annotations

import os

import h5py
import numpy as np

from crossmodal.h5io import atomic_h5

_STR = h5py.string_dtype(encoding="utf-8")


def save_pca(path: str | os.PathLike, arrays: dict[str, np.ndarray], sharedness: dict[str, np.ndarray], **attrs) -> None:
    """Write the arrays of one PCA (temporary file, then rename).

    Parameters
    ----------
    path : path
    arrays : dict of name to array
        String arrays are stored as UTF-8 strings.
    sharedness : dict of name to array of shape (n_components,)
    **attrs
        Provenance (scalars / strings).
    """
    with atomic_h5(path) as handle:
        for name, values in arrays.items():
            values = np.asarray(values)
            if values.dtype.kind in "USO":
                handle.create_dataset(name, data=np.asarray([str(v) for v in values], dtype=object), dtype=_STR)
            else:
                compress = {"compression": "gzip", "compression_opts": 4} if values.nbytes > 1 << 20 else {}
                handle.create_dataset(name, data=values, **compress)
        group = handle.create_group("sharedness")
        for name, values in sharedness.items():
            group.create_dataset(name, data=np.asarray(values))
        handle.attrs.update(attrs)


def load_pca(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict]:
    """Read a file written by :func:`save_pca`.

    Returns
    -------
    arrays : dict of name to array (strings decoded)
    sharedness : dict of name to array of shape (n_components,)
    attrs : dict
    """
    with h5py.File(path, "r") as handle:
        arrays = {}
        for name, dataset in handle.items():
            if isinstance(dataset, h5py.Dataset):
                values = dataset[()]
                if values.dtype.kind == "O":
                    values = np.array([v.decode() if isinstance(v, bytes) else str(v) for v in values])
                arrays[name] = values
        shared = {name: values[()] for name, values in handle["sharedness"].items()}
        attrs = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in handle.attrs.items()}
    return arrays, shared, attrs

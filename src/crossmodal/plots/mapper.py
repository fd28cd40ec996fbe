"""Flatmaps drawn from a subject's short-clips mapper (matplotlib ``imshow``, no pycortex).

Values are given per voxel of the subject; :meth:`crossmodal.mappers.FlatmapMapper.project`
turns them into the flatmap image (pixel = mapper @ values). Cortex pixels whose
voxels are outside the ``mask`` (e.g. not significant) are drawn in light grey
(or the file's binarised curvature, when it has one), so the cortex outline
stays visible; the file's ROI outlines, when it has them, are drawn on top.

:func:`flatmap_grid` takes the same maps and colour arguments as
:func:`crossmodal.plots.surface.flatmap_grid` (fsaverage5), plus the mapper.
"""

from __future__ import annotations

import os

import numpy as np
from matplotlib.colors import Normalize

from crossmodal.mappers import FlatmapMapper, image_rows
from crossmodal.plots.surface import BACKGROUND, label_flatmap_row, row_colour_range

#: Grey levels the binarised curvature is drawn with (sulci darker).
CURVATURE_GREYS = (0.72, 0.92)


def cortex_background(mapper: FlatmapMapper) -> np.ndarray:
    """Grey level of every cortex pixel (NaN elsewhere): the curvature when the file has it, else flat grey.

    Returns
    -------
    float array of shape (height, width)
    """
    cortex = mapper.cortex()
    if mapper.curvature is None:
        return np.where(cortex, BACKGROUND, np.nan)
    curvature = image_rows(mapper.curvature).astype(float)
    finite = np.isfinite(curvature) & cortex
    low, high = (np.min(curvature[finite]), np.max(curvature[finite])) if finite.any() else (0.0, 0.0)
    scaled = (curvature - low) / (high - low) if high > low else np.full(curvature.shape, 0.5)
    greys = CURVATURE_GREYS[0] + (CURVATURE_GREYS[1] - CURVATURE_GREYS[0]) * scaled
    return np.where(cortex, np.where(np.isfinite(greys), greys, BACKGROUND), np.nan)


def draw_mapper_flatmap(ax, values: np.ndarray, mapper: FlatmapMapper, mask: np.ndarray | None = None, cmap="RdBu_r",
                        vmin: float = -1.0, vmax: float = 1.0, with_rois: bool = True):
    """Draw one map of voxel values on the subject's flatmap.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array of shape (n_voxels,)
        One value per voxel (NaN: not drawn in colour).
    mapper : FlatmapMapper
    mask : bool array of shape (n_voxels,), optional
        Voxels drawn in colour; the others only as grey cortex. A pixel that
        averages a voxel outside the mask is grey.
    cmap, vmin, vmax : colour map and limits
    with_rois : bool
        Draw the file's ROI outlines (``flatmap_rois``) when it has them.

    Returns
    -------
    matplotlib.image.AxesImage
        The coloured image (for a colour bar).
    """
    values = np.asarray(values, dtype=float)
    shown = values if mask is None else np.where(np.asarray(mask, bool), values, np.nan)
    image = mapper.project(shown)
    ax.imshow(cortex_background(mapper), cmap="gray", vmin=0, vmax=1, interpolation="nearest", zorder=0)
    coloured = ax.imshow(image, cmap=cmap, norm=Normalize(vmin, vmax), interpolation="nearest", zorder=1)
    if with_rois and mapper.rois is not None:
        ax.imshow(image_rows(mapper.rois), interpolation="bilinear", zorder=2)
    ax.set_aspect("equal")
    ax.axis("off")
    return coloured


def flatmap_grid(maps: dict[str, tuple[np.ndarray, np.ndarray | None]], cmap="RdBu_r", vmin: float | None = None, vmax: float | None = None,
                 colorbar_label: str = "r", title: str | None = None, *, mapper: FlatmapMapper):
    """A grid of flatmaps from a subject's mapper: one row per map (both hemispheres in one image), a colour bar per row.

    Parameters
    ----------
    maps : dict of row title to (values of shape (n_voxels,), mask of shape (n_voxels,) or None)
    cmap : colour map
    vmin, vmax : float or None
        Colour limits of every row; None: symmetric per row, from
        :func:`crossmodal.plots.surface.robust_limit` of the row's shown values.
    colorbar_label : str
    title : str, optional
    mapper : FlatmapMapper
        The subject's mapper (:func:`crossmodal.mappers.load_mapper`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        A map does not have one value per voxel of the mapper.
    """
    import matplotlib.pyplot as plt

    height_px, width_px = mapper.image_shape
    n = len(maps)
    image_width = 6.2
    row_height = image_width * height_px / width_px + 0.35
    height = row_height * n + 0.6
    figure, axes = plt.subplots(n, 2, figsize=(image_width + 0.6, height), squeeze=False,
                                gridspec_kw={"wspace": 0.03, "hspace": 0.25, "width_ratios": [1, 0.025],
                                             "top": 1 - 0.6 / height, "bottom": 0.2 / height, "left": 0.01, "right": 0.9})
    for row, (name, (values, mask)) in enumerate(maps.items()):
        values = np.asarray(values, dtype=float)
        mask = None if mask is None else np.asarray(mask, bool)
        low, high = row_colour_range(values, mask, vmin, vmax)
        image = draw_mapper_flatmap(axes[row, 0], values, mapper, mask, cmap, low, high)
        label_flatmap_row(figure, axes[row, 0], axes[row, 1], image, name, values, mask, "voxels", colorbar_label)
    axes[-1, 0].text(0.5, -0.02, f"flatmap of {os.path.basename(mapper.path)}", transform=axes[-1, 0].transAxes, ha="center", va="top",
                     color="0.4")
    if title:
        figure.suptitle(title, y=1 - 0.12 / height)
    return figure

"""Flatmaps on the fsaverage5 flat patches that ship with nilearn.

Values are given per vertex of fsaverage5 (20,484: left hemisphere first);
each hemisphere is drawn with matplotlib ``tripcolor`` on the 2-D flat
coordinates of nilearn's ``flat`` mesh (faces of the cut medial wall are not
in the patch). Vertices outside the ``mask`` (e.g. not significant) are drawn
in light grey, so the cortex outline stays visible.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.tri import Triangulation

N_VERTICES_HEMI = 10242
BACKGROUND = 0.88


@lru_cache(maxsize=1)
def flat_patches() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Flat coordinates and faces of both hemispheres of fsaverage5.

    Returns
    -------
    dict of {"left", "right"} to (xy of shape (10242, 2), faces of shape (n_faces, 3))
    """
    from crossmodal.fsaverage import fsaverage5_mesh

    meshes = {hemi: fsaverage5_mesh("flat", hemi) for hemi in ("left", "right")}
    return {hemi: (coordinates[:, :2], faces) for hemi, (coordinates, faces) in meshes.items()}


def draw_flat_hemisphere(ax, values: np.ndarray, hemi: str, mask: np.ndarray | None = None, cmap="RdBu_r",
                         vmin: float = -1.0, vmax: float = 1.0, patches=None):
    """Draw one hemisphere's values on its flat patch.

    Parameters
    ----------
    ax : matplotlib Axes
    values : array of shape (10242,)
        One value per vertex of the hemisphere (NaN: not drawn in colour).
    hemi : {"left", "right"}
    mask : bool array of shape (10242,), optional
        Vertices drawn in colour; the others in grey.
    cmap, vmin, vmax : colour map and limits
    patches : dict, optional
        Flat coordinates and faces (default: :func:`flat_patches`), for tests.

    Returns
    -------
    matplotlib.collections.PolyCollection
        The coloured faces (for a colour bar).
    """
    xy, faces = (patches or flat_patches())[hemi]
    values = np.asarray(values, dtype=float)
    shown = np.isfinite(values) if mask is None else (np.asarray(mask, bool) & np.isfinite(values))
    triangulation = Triangulation(xy[:, 0], xy[:, 1], faces)
    ax.tripcolor(triangulation, np.full(len(faces), BACKGROUND), cmap="gray", vmin=0, vmax=1, edgecolors="none", rasterized=True)
    coloured = shown[faces].all(axis=1)
    face_values = np.nan_to_num(values)[faces].mean(axis=1)
    colour = Triangulation(xy[:, 0], xy[:, 1], faces, mask=~coloured)
    collection = ax.tripcolor(colour, face_values, cmap=cmap, norm=Normalize(vmin, vmax), edgecolors="none", rasterized=True)
    ax.set_aspect("equal")
    ax.axis("off")
    return collection


def robust_limit(values: np.ndarray, mask: np.ndarray | None = None, percentile: float = 99.0, floor: float = 0.05) -> float:
    """Symmetric colour limit: the given percentile of the absolute shown values, at least ``floor``.

    Parameters
    ----------
    values : array of shape (n_vertices,)
    mask : bool array of shape (n_vertices,), optional

    Returns
    -------
    float
    """
    values = np.asarray(values, dtype=float)
    shown = np.isfinite(values) & (True if mask is None else np.asarray(mask, bool))
    if not shown.any():
        return floor
    return float(max(np.percentile(np.abs(values[shown]), percentile), floor))


#: Singular of the units a flatmap row counts.
SINGULAR = {"vertices": "vertex", "voxels": "voxel"}


def row_colour_range(values: np.ndarray, mask: np.ndarray | None, vmin: float | None, vmax: float | None) -> tuple[float, float]:
    """Colour limits of one flatmap row: ``vmin``/``vmax`` where given, else symmetric from :func:`robust_limit`.

    Parameters
    ----------
    values : array of shape (n,)
    mask : bool array of shape (n,) or None
    vmin, vmax : float or None

    Returns
    -------
    low, high : float
    """
    limit = robust_limit(values, mask)
    return (-limit if vmin is None else vmin), (limit if vmax is None else vmax)


def label_flatmap_row(figure, ax, bar_ax, artist, name: str, values: np.ndarray, mask: np.ndarray | None, unit: str,
                      colorbar_label: str, note_x: float = 0.5) -> None:
    """Title a flatmap row with how many ``unit`` are shown, note an empty row, and draw its colour bar.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    ax, bar_ax : matplotlib axes
        The row's first map panel and its colour-bar panel.
    artist : matplotlib mappable
        What the colour bar describes.
    name : str
    values : array of shape (n,)
    mask : bool array of shape (n,) or None
    unit : str
        ``"vertices"`` or ``"voxels"``.
    colorbar_label : str
    note_x : float
        Horizontal position (axes fraction) of the "nothing shown" note.
    """
    n_shown = int(np.sum(np.isfinite(values) & (mask if mask is not None else True)))
    ax.set_title(f"{name}  ({n_shown} {unit} shown)", loc="left")
    if n_shown == 0:
        ax.text(note_x, 0.5, f"no {SINGULAR[unit]} passes (e.g. none significant)", transform=ax.transAxes,
                ha="center", va="center", color="0.3", fontsize=8)
    bar = figure.colorbar(artist, cax=bar_ax)
    bar.set_label(colorbar_label, fontsize=7)
    bar.ax.tick_params(labelsize=6)


def flatmap_grid(maps: dict[str, tuple[np.ndarray, np.ndarray | None]], cmap="RdBu_r", vmin: float | None = None, vmax: float | None = None,
                 colorbar_label: str = "r", title: str | None = None, patches=None):
    """A grid of flatmaps: one row per map, left and right hemispheres side by side, a colour bar per row.

    Parameters
    ----------
    maps : dict of row title to (values of shape (20484,), mask of shape (20484,) or None)
    cmap : colour map
    vmin, vmax : float or None
        Colour limits of every row; None: symmetric per row, from
        :func:`robust_limit` of the row's shown values (rows can differ by an
        order of magnitude, e.g. within- vs cross-modal r).
    colorbar_label : str
    title : str, optional
    patches : dict, optional
        See :func:`draw_flat_hemisphere`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = len(maps)
    row_height = 2.0
    height = row_height * n + 0.5
    figure, axes = plt.subplots(n, 3, figsize=(6.8, height), squeeze=False,
                                gridspec_kw={"wspace": 0.03, "hspace": 0.3, "width_ratios": [1, 1, 0.05],
                                             "top": 1 - 0.6 / height, "bottom": 0.3 / height, "left": 0.01, "right": 0.9})
    for row, (name, (values, mask)) in enumerate(maps.items()):
        values = np.asarray(values)
        mask = None if mask is None else np.asarray(mask, bool)
        low, high = row_colour_range(values, mask, vmin, vmax)
        for col, hemi in enumerate(("left", "right")):
            part = slice(0, N_VERTICES_HEMI) if hemi == "left" else slice(N_VERTICES_HEMI, 2 * N_VERTICES_HEMI)
            collection = draw_flat_hemisphere(axes[row, col], values[part], hemi, None if mask is None else mask[part], cmap, low, high, patches)
        label_flatmap_row(figure, axes[row, 0], axes[row, 2], collection, name, values, mask, "vertices", colorbar_label, note_x=1.0)
    for col, hemi in enumerate(("left hemisphere", "right hemisphere")):
        axes[-1, col].text(0.5, -0.05, hemi, transform=axes[-1, col].transAxes, ha="center", va="top", color="0.4")
    if title:
        figure.suptitle(title, y=1 - 0.12 / height)
    return figure

"""Shared figure style and saving."""

from __future__ import annotations

import os
from pathlib import Path

from crossmodal.h5io import atomic_write

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Colours of the two transfer directions and of within-modal scores.
DIRECTION_COLOURS = {"story_to_movie": "#1b7837", "movie_to_story": "#762a83", "within": "#7f7f7f"}
DIRECTION_LABELS = {"story_to_movie": "story \u2192 movie", "movie_to_story": "movie \u2192 story"}
SCORE_COLOURS = {"within": "#9e9e9e", "raw": "#fdb863", "corrected": "#e66101"}

plt.rcParams.update({
    "figure.dpi": 110, "savefig.dpi": 150, "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8,
    "axes.spines.top": False, "axes.spines.right": False, "legend.frameon": False, "svg.fonttype": "none",
})


def save_figure(figure, paths: list[str | os.PathLike] | str | os.PathLike) -> None:
    """Write a figure to every path (format from the suffix: png, svg, pdf) and close it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    paths : path or list of paths
    """
    for path in [paths] if isinstance(paths, (str, os.PathLike)) else paths:
        path = Path(path)
        with atomic_write(path, f"{path.suffix}.tmp") as temporary:
            figure.savefig(temporary, format=path.suffix.lstrip("."), bbox_inches="tight",
                           metadata={"Date": None} if path.suffix == ".png" else None)
    plt.close(figure)


def message_figure(text: str, size: tuple[float, float] = (6, 2)):
    """A figure holding only a message (e.g. 'no significant voxels'), so a target always exists.

    Returns
    -------
    matplotlib.figure.Figure
    """
    figure, ax = plt.subplots(figsize=size)
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True)
    return figure

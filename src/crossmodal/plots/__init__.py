"""Figures of every result (matplotlib, no display needed).

Every function draws from arrays or tables (no file paths, no Snakemake) and
returns a :class:`matplotlib.figure.Figure`; :func:`save_figure` writes it as
PNG plus a vector format.

:mod:`crossmodal.plots.surface`     flatmaps on the fsaverage5 flat patches
:mod:`crossmodal.plots.mapper`      flatmaps from a subject's short-clips mapper (no pycortex)
:mod:`crossmodal.plots.results`     region bars, scatters, retrieval bars, alpha histograms
:mod:`crossmodal.plots.components`  PC sharedness, words and images per PC
:mod:`crossmodal.plots.validation`  planted vs detected (synthetic data)
"""

import matplotlib

matplotlib.use("Agg")

from crossmodal.plots.style import save_figure  # noqa: E402

__all__ = ["save_figure"]

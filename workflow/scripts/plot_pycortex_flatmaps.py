"""Rules plot_pycortex_flatmaps / plot_pycortex_ratio: maps of one ds003020 subject on its pycortex flatmap.

Needs pycortex and the subject's pycortex database (``derivative/pycortex-db``: surfaces,
the transform named in subject_xfms.json and its cortical mask), which pycortex is pointed
at; the rules exist only when pycortex imports.
The scores are one value per voxel of the subject's cortical mask ("thick"), as in ds003020.
"""

import matplotlib.pyplot as plt
import numpy as np

from crossmodal.data.stories import pycortex_location
from crossmodal.errors import InputError
from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import performance_maps, ratio_maps, read_scores
from crossmodal.plots.surface import robust_limit
from crossmodal.regions import use_pycortex_database

log = setup_logging(snakemake.log[0])
subject = snakemake.wildcards.subject
location = pycortex_location(snakemake.params.stories_root, subject)
if location is None:
    raise InputError(snakemake.params.stories_root, f"has no pycortex database for {subject} (derivative/pycortex-db/{subject})",
                     "download the ds003020 derivative/pycortex-db folder, or uninstall pycortex to skip these maps")
database, xfm = location
cortex = use_pycortex_database(database)
results = read_scores(snakemake.input.scores)
ratio = snakemake.params.get("ratio", False)
maps = ratio_maps(results, snakemake.params.alignment) if ratio else performance_maps(results, snakemake.params.alignment)
figure, axes = plt.subplots(len(maps), 1, figsize=(8, 3.4 * len(maps)), squeeze=False)
for ax, (name, (values, mask)) in zip(axes[:, 0], maps.items()):
    shown = np.where(mask, values, np.nan).astype(np.float32)
    vmax = snakemake.params.vmax or robust_limit(values, mask)
    volume = cortex.Volume(shown, subject, xfm, vmin=-vmax, vmax=vmax, cmap="PuOr_r" if ratio else "RdBu_r")
    cortex.quickflat.make_figure(volume, fig=ax, with_curvature=True, with_colorbar=True)
    ax.set_title(f"{name} ({int(np.isfinite(shown).sum())} voxels shown)", loc="left")
figure.suptitle(f"{snakemake.wildcards.model} {snakemake.wildcards.layer}, {subject}")
save_figure(figure, snakemake.output)

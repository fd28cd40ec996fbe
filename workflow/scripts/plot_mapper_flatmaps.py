"""Rules plot_mapper_flatmaps / plot_mapper_ratio: maps of one subject on its flatmap from the short-clips mapper (no pycortex).

The mapper is ``<movies root>/mappers/<movie subject>_mappers.hdf`` (crossmodal.mappers); the
scores must have one value per voxel it maps, which holds when the story and movie data of the
subject are of the same person in the same voxel space (data.movies.subjects pairs them).
"""

from crossmodal.logs import setup_logging
from crossmodal.mappers import load_mapper
from crossmodal.plots import save_figure
from crossmodal.plots.gather import performance_maps, ratio_maps, read_scores
from crossmodal.plots.mapper import flatmap_grid

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
alignment = snakemake.params.alignment
mapper = load_mapper(snakemake.input.mapper)
log.info("%s: %d voxels -> %d flatmap pixels, image %d x %d", snakemake.input.mapper, mapper.n_voxels, mapper.n_pixels, *mapper.image_shape[::-1])
results = read_scores(snakemake.input.scores)
if snakemake.params.get("ratio", False):
    maps = ratio_maps(results, alignment)
    figure = flatmap_grid(maps, cmap="PuOr_r", vmin=-1, vmax=1, colorbar_label="cross r / within r", mapper=mapper,
                          title=f"{w.model} {w.layer}, {w.subject}, alignment {alignment} (where within-modal r is significant)")
else:
    vmax = snakemake.params.vmax
    maps = performance_maps(results, alignment)
    for name, (r, significant) in maps.items():
        log.info("%s: %d significant voxels", name, significant.sum())
    figure = flatmap_grid(maps, cmap="RdBu_r", vmin=None if vmax is None else -vmax, vmax=vmax, colorbar_label="test r (significant, FDR)",
                          mapper=mapper, title=f"{w.model} {w.layer}, {w.subject}, alignment {alignment}")
save_figure(figure, snakemake.output)

"""Rule plot_performance_flatmaps: within- and cross-modal r of one subject on fsaverage5 flat patches (significant voxels)."""

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import performance_maps, read_scores
from crossmodal.plots.surface import flatmap_grid

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
alignment, vmax = snakemake.params.alignment, snakemake.params.vmax
maps = performance_maps(read_scores(snakemake.input.scores), alignment)
for name, (r, significant) in maps.items():
    log.info("%s: %d significant voxels", name, significant.sum())
figure = flatmap_grid(maps, cmap="RdBu_r", vmin=None if vmax is None else -vmax, vmax=vmax, colorbar_label="test r (significant, FDR)",
                      title=f"{w.model} {w.layer}, {w.subject}, alignment {alignment}")
save_figure(figure, snakemake.output)

"""Rule plot_within_vs_cross: within- vs cross-modal r of every voxel, one panel per region, subjects pooled."""

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import read_scores, region_map_of, within_cross_points
from crossmodal.plots.results import within_vs_cross

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
results = [read_scores(path) for path in snakemake.input.scores]
n_voxels = len(next(iter(results[0].values()))["within_r"])
regions = region_map_of(snakemake.params.space, n_voxels)
points = within_cross_points(results, regions.labels, snakemake.params.alignment)
figure = within_vs_cross(points, regions.names, title=f"{w.model} {w.layer}, alignment {snakemake.params.alignment}, {len(results)} subjects")
save_figure(figure, snakemake.output)

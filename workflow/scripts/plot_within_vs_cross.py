"""Rule plot_within_vs_cross: within- vs cross-modal r of every voxel, one panel per region, subjects pooled."""

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import read_scores, within_cross_points
from crossmodal.plots.results import within_vs_cross
from crossmodal.scorefile import load_regions

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
results = [read_scores(path) for path in snakemake.input.scores]
regions = [load_regions(path) for path in snakemake.input.scores]
points, names = within_cross_points(results, regions, snakemake.params.alignment)
figure = within_vs_cross(points, names, title=f"{w.model} {w.layer}, alignment {snakemake.params.alignment}, {len(results)} subjects")
save_figure(figure, snakemake.output)

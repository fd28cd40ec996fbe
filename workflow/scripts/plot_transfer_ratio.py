"""Rule plot_transfer_ratio: cross / within r where the within-modal score is significant, both directions."""

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import ratio_maps, read_scores
from crossmodal.plots.surface import flatmap_grid

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
alignment = snakemake.params.alignment
maps = ratio_maps(read_scores(snakemake.input.scores), alignment)
figure = flatmap_grid(maps, cmap="PuOr_r", vmin=-1, vmax=1, colorbar_label="cross r / within r",
                      title=f"{w.model} {w.layer}, {w.subject}, alignment {alignment} (where within-modal r is significant)")
save_figure(figure, snakemake.output)

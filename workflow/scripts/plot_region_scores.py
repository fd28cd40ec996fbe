"""Rule plot_region_scores: region means and fraction significant, bars over subjects with per-subject points."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.results import region_bars

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
table = pd.read_csv(snakemake.input.table, sep="\t")
part = table[(table["model"] == w.model) & (table["layer"] == w.layer) & (table["alignment"] == snakemake.params.alignment)]
log.info("%d rows of %s for %s %s (%s)", len(part), snakemake.input.table, w.model, w.layer, snakemake.params.alignment)
save_figure(region_bars(part, title=f"{w.model} {w.layer}, alignment {snakemake.params.alignment}"), snakemake.output)

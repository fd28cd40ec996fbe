"""Rule plot_pc_sharedness: how shared each PC is between captions and images, with intervals."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.components import sharedness_bars

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
table = pd.read_csv(snakemake.input.table, sep="\t")
selection = table["selection"].iloc[0] if "selection" in table else ""
title = f"{w.model} {w.layer}: {table['n_voxels'].iloc[0]} voxels ({selection})"
save_figure(sharedness_bars(table, title=title), snakemake.output)

"""Rule plot_alignment_retrieval: held-out recall of the pair-based maps and their baselines."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.results import retrieval_bars

log = setup_logging(snakemake.log[0])
table = pd.concat([pd.read_csv(path, sep="\t") for path in snakemake.input], ignore_index=True)
log.info("%d retrieval rows from %d files", len(table), len(snakemake.input))
save_figure(retrieval_bars(table, title="image-caption retrieval on test pairs"), snakemake.output)

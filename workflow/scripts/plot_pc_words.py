"""Rule plot_pc_words: the story words with the highest and lowest projection on each PC."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.components import words_per_component

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
table = pd.read_csv(snakemake.input.table, sep="\t", keep_default_na=False)
save_figure(words_per_component(table, snakemake.params.n_words, title=f"{w.model} {w.layer}: story words per PC"), snakemake.output)

"""Rule plot_class_rates: fraction significant per planted class (synthetic data)."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.validation import class_rate_panel

log = setup_logging(snakemake.log[0])
recovery = pd.read_csv(snakemake.input.recovery, sep="\t")
title = "synthetic data: fraction significant per planted class (shared-tuning test)"
save_figure(class_rate_panel(recovery, q=snakemake.params.q, title=title), snakemake.output)
log.info("wrote %s", snakemake.output[0])

"""Rule power_summary: mean and bootstrap interval over seeds of every power grid point."""

import pandas as pd

from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.power import PowerSettings, least_data_sentence, summarise

log = setup_logging(snakemake.log[0])
settings = PowerSettings.from_config(snakemake.config["power"])
rows = pd.concat([pd.read_csv(path, sep="\t") for path in snakemake.input], ignore_index=True)
bootstrap = snakemake.params.bootstrap
summary = summarise(rows, bootstrap["n_bootstrap"], bootstrap["confidence"], bootstrap["seed"])
write_table(summary, snakemake.output[0], float_format="%.4f")
log.info("%s\n%s", summary.to_string(index=False), least_data_sentence(summary, settings))

"""Concatenate per-fit TSV tables into one."""

import pandas as pd

from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
table = pd.concat([pd.read_csv(path, sep="\t") for path in snakemake.input], ignore_index=True)
write_table(table, snakemake.output[0])
log.info("%d rows from %d tables", len(table), len(snakemake.input))

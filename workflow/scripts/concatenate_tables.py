"""Concatenate per-fit TSV tables into one."""

import pandas as pd

from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
table = pd.concat([pd.read_csv(path, sep="\t") for path in snakemake.input], ignore_index=True)
table.to_csv(snakemake.output[0], sep="\t", index=False)
log.info("%d rows from %d tables", len(table), len(snakemake.input))

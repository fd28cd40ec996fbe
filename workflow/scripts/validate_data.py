"""Rule validate_data: load every dataset through the loaders; write summary tables."""

import pandas as pd

from crossmodal.data import load_karpathy_pairs, load_modality
from crossmodal.data.summary import check_planned_runs, summarize_modality, summarize_pairs
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
data_config = snakemake.params.data
rows = []
for subject in snakemake.params.subjects:
    for modality, section in (("story", data_config["stories"]), ("movie", data_config["movies"])):
        data = load_modality(section, modality, subject)
        check_planned_runs(data, *snakemake.params.planned_runs[subject][modality])
        row = summarize_modality(data)
        log.info("%s %s: %s", subject, modality, row)
        rows.append(row)
write_table(pd.DataFrame(rows), snakemake.output.summary)
pairs = summarize_pairs(load_karpathy_pairs(data_config["pairs"]["root"]))
log.info("pairs: %s", pairs)
write_table(pd.DataFrame(pairs), snakemake.output.pairs)

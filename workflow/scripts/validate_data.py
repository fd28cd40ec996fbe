"""Rule validate_data: load every dataset through the loaders; write summary tables and the test runs' noise ceilings."""

import pandas as pd

from crossmodal.ceiling import ceiling_of_test_runs, save_ceilings
from crossmodal.data import check_paired_voxels, load_karpathy_pairs, load_modality
from crossmodal.data.summary import check_planned_runs, summarize_modality, summarize_pairs
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
data_config = snakemake.params.data
rows, ceilings = [], {}
for subject in snakemake.params.subjects:
    loaded = {}
    for modality, section in (("story", data_config["stories"]), ("movie", data_config["movies"])):
        data = loaded[modality] = load_modality(section, modality, subject)
        check_planned_runs(data, *snakemake.params.planned_runs[subject][modality])
        row = summarize_modality(data)
        log.info("%s %s: %s", subject, modality, row)
        rows.append(row)
        ev, ceiling_r, n_repeats = ceiling_of_test_runs(data.test_runs, snakemake.config["encoding"]["voxel_batch"])
        ceilings[subject, modality] = ev, ceiling_r, n_repeats
        if n_repeats:
            log.info("%s %s: noise ceiling from %d test repeats: median explainable variance %.3f, median ceiling r %.3f",
                     subject, modality, n_repeats, float(pd.Series(ev).median()), float(pd.Series(ceiling_r).median()))
    check_paired_voxels(loaded["story"], loaded["movie"])
write_table(pd.DataFrame(rows), snakemake.output.summary)
save_ceilings(snakemake.output.ceilings, ceilings)
pairs = summarize_pairs(load_karpathy_pairs(data_config["pairs"]["root"]))
log.info("pairs: %s", pairs)
write_table(pd.DataFrame(pairs), snakemake.output.pairs)

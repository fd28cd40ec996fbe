"""Rule compare_models: multimodal vs unimodal cross-modal scores per subject (block bootstrap) and across subjects."""

import pandas as pd

from crossmodal.h5io import files_by_attribute, write_table
from crossmodal.logs import setup_logging
from crossmodal.scorefile import load_regions
from crossmodal.transfer.compare import comparison_rows
from crossmodal.transfer.regions import comparison_blocks
from crossmodal.transfer.subject import load_scores

log = setup_logging(snakemake.log[0])
settings = snakemake.params.settings
multimodal_files, unimodal_files = files_by_attribute(snakemake.input.multimodal), files_by_attribute(snakemake.input.unimodal)
subjects = {}
for subject in snakemake.params.subjects:  # score files matched by the subject they store, not by list position
    multimodal_path, unimodal_path = multimodal_files[subject], unimodal_files[subject]
    regions = load_regions(multimodal_path)
    blocks = comparison_blocks(snakemake.params.space, len(regions.labels), settings["n_blocks"], settings["seed"])
    subjects[subject] = (load_scores(multimodal_path), load_scores(unimodal_path), regions.primary_sensory, blocks)
table = pd.DataFrame(comparison_rows(subjects, settings["alignment"], settings))
table["n_blocks"] = table["n_blocks"].astype("Int64")  # empty on the across-subject rows
write_table(table, snakemake.output[0])
log.info("\n%s", table.to_string())

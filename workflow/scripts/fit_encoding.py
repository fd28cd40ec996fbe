"""Rules fit_encoding / fit_encoding_chunk: ridge with one alpha per voxel, scored on the test runs."""

import pandas as pd

from crossmodal.data import load_modality
from crossmodal.encoding import save_fit
from crossmodal.encoding.subject import EncodingSettings, fit_subject, summary_row
from crossmodal.features.grid import load_design
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
wildcards = snakemake.wildcards
settings = EncodingSettings.from_config({**snakemake.config["encoding"], **snakemake.params.settings})  # backend, device, batch: config only
design = load_design(snakemake.input.design)
data = load_modality(snakemake.params.section, wildcards.modality, wildcards.subject)
log.info("%s %s %s layer %s: design %s, %d voxels, chunk %s", wildcards.model, wildcards.subject, wildcards.modality, wildcards.layer, design.train_design.shape, data.n_voxels, snakemake.params.chunk)
fit = fit_subject(design, data, settings, chunk=snakemake.params.chunk, progress=True)
identity = dict(model=wildcards.model, subject=wildcards.subject, modality=wildcards.modality, layer=wildcards.layer)
save_fit(snakemake.output.fit, fit, **identity)
row = summary_row(fit, **identity)
log.info("%s", row)
if "summary" in snakemake.output.keys():
    write_table(pd.DataFrame([row]), snakemake.output.summary)

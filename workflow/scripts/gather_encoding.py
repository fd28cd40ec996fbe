"""Rule gather_encoding: concatenate voxel chunks into the file a single fit writes."""

import pandas as pd

from crossmodal.encoding import gather_fits, load_fit, save_fit
from crossmodal.encoding.subject import summary_row
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
wildcards = snakemake.wildcards
fit = gather_fits([load_fit(path) for path in snakemake.input.chunks])
identity = dict(model=wildcards.model, subject=wildcards.subject, modality=wildcards.modality, layer=wildcards.layer)
save_fit(snakemake.output.fit, fit, **identity)
write_table(pd.DataFrame([summary_row(fit, **identity)]), snakemake.output.summary)
log.info("gathered %d chunks: %d voxels", len(snakemake.input.chunks), fit.n_voxels)

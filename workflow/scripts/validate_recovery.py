"""Rule validate_recovery: cross-modal detection of planted multimodal voxels (synthetic data)."""

import h5py
import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.transfer.subject import load_scores
from crossmodal.transfer.validation import recovery_row

log = setup_logging(snakemake.log[0])
with h5py.File(snakemake.input.truth, "r") as truth:
    voxel_class = truth["voxel_class"][()]
rows = []
for path in snakemake.input.scores:
    with h5py.File(path, "r") as handle:
        identity = {key: handle.attrs[key] for key in ("subject", "model", "layer")}
    for (direction, alignment), arrays in load_scores(path).items():
        for correction in ("raw", "corrected"):
            row = recovery_row(voxel_class, arrays[f"{correction}_r"], arrays[f"{correction}_significant"])
            rows.append({**identity, "direction": direction, "alignment": alignment, "correction": correction, **row})
columns = ["subject", "model", "layer", "direction", "alignment", "correction", "auc", "detection_rate", "false_positive_rate"]
table = pd.DataFrame(rows)[columns]
table.to_csv(snakemake.output[0], sep="\t", index=False)
log.info("\n%s", table.to_string())

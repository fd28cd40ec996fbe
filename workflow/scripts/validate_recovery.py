"""Rule validate_recovery: cross-modal detection and encoding fits against the planted truth (synthetic data)."""

import h5py
import pandas as pd

from crossmodal.encoding.io import read_fit_attrs
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.simulate.oracle import responsive_mean
from crossmodal.transfer.subject import load_scores
from crossmodal.transfer.validation import recovery_row

log = setup_logging(snakemake.log[0])
with h5py.File(snakemake.input.truth, "r") as truth:
    voxel_class = truth["voxel_class"][()]


def fit_mean(path):
    attrs = read_fit_attrs(path)
    with h5py.File(path, "r") as fit:  # only the test scores, not the weights
        test_scores = fit["test_scores"][()]
    return attrs, responsive_mean(test_scores, voxel_class, attrs["modality"])


oracle = {}
for path in snakemake.input.oracles:
    attrs, mean = fit_mean(path)
    oracle[attrs["subject"], attrs["modality"]] = mean
fits, ratios = [], {}
for path in snakemake.input.fits:
    attrs, mean = fit_mean(path)
    key = (attrs["model"], attrs["subject"], attrs["layer"], attrs["modality"])
    ratios[key] = mean / oracle[attrs["subject"], attrs["modality"]]
    fits.append({"model": key[0], "subject": key[1], "layer": key[2], "modality": key[3], "mean_test_r_responsive": mean,
                 "oracle_mean_test_r_responsive": oracle[key[1], key[3]], "oracle_ratio": ratios[key]})
oracle_table = pd.DataFrame(fits)
write_table(oracle_table, snakemake.output.oracle)
log.info("encoding fits against the oracle:\n%s", oracle_table.to_string())

rows = []
for path in snakemake.input.scores:
    with h5py.File(path, "r") as handle:
        identity = {key: str(handle.attrs[key]) for key in ("subject", "model", "layer")}
    fit_ratios = {f"{m}_fit_oracle_ratio": ratios[identity["model"], identity["subject"], identity["layer"], m] for m in ("story", "movie")}
    for (direction, alignment), arrays in load_scores(path).items():
        for correction in ("raw", "corrected"):
            row = recovery_row(voxel_class, arrays[f"{correction}_r"], arrays[f"{correction}_significant"],
                               arrays[f"{correction}_significant_tracking"])
            rows.append({**identity, "direction": direction, "alignment": alignment, "correction": correction, **row, **fit_ratios})
table = pd.DataFrame(rows)
write_table(table, snakemake.output.recovery)
log.info("\n%s", table.to_string())

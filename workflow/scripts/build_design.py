"""Rule build_design: train and test design matrices of one subject and modality."""

from crossmodal.data import load_modality
from crossmodal.features.grid import build_design_matrices, save_design, stream_layer
from crossmodal.features.storage import feature_files_for_runs
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
wildcards = snakemake.wildcards
data = load_modality(snakemake.params.section, wildcards.modality, wildcards.subject)
feature_paths = feature_files_for_runs(snakemake.input.features, data.stimuli, wildcards.modality, wildcards.subject)
layer = stream_layer(wildcards.layer, wildcards.modality)
design = build_design_matrices(
    feature_paths, data.train_runs, data.test_runs, layer, snakemake.params.delays,
    cutoff_mult=snakemake.params.lanczos["cutoff_mult"], window=snakemake.params.lanczos["window"],
)
save_design(snakemake.output[0], design, model=wildcards.model, subject=wildcards.subject, modality=wildcards.modality,
            feature_model=snakemake.params.feature_model, layer=layer, layer_key=wildcards.layer)
log.info("%s %s layer %s: train %s, test %s", wildcards.subject, wildcards.modality, layer, design.train_design.shape, design.test_design.shape)

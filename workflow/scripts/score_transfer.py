"""Rule score_transfer: story->movie and movie->story scores of one subject, model set and layer."""

from dataclasses import asdict

import pandas as pd

from crossmodal.ceiling import load_ceilings
from crossmodal.data import check_paired_voxels, load_modality
from crossmodal.encoding import load_fit
from crossmodal.features.grid import check_design_runs, load_design
from crossmodal.features.storage import feature_files_for_runs
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.transfer.regions import region_map_from_config
from crossmodal.transfer.scoring import StatsSettings
from crossmodal.transfer.subject import add_ceiling_scores, load_maps, region_rows, save_scores, score_subject

log = setup_logging(snakemake.log[0])
wildcards, params = snakemake.wildcards, snakemake.params
sections = {"story": params.stories, "movie": params.movies}
data = {modality: load_modality(sections[modality], modality, wildcards.subject) for modality in sections}
check_paired_voxels(data["story"], data["movie"])
fits = {modality: load_fit(snakemake.input[f"{modality}_encoding"]) for modality in sections}
designs = {modality: load_design(snakemake.input[f"{modality}_design"]) for modality in sections}
for modality in sections:
    check_design_runs(designs[modality], data[modality], snakemake.input[f"{modality}_design"])
feature_paths = {
    modality: feature_files_for_runs(snakemake.input[f"{modality}_features"], data[modality].stimuli, modality, wildcards.subject)
    for modality in sections
}
maps = load_maps(snakemake.input.maps) if "linear" in params.alignments else None
stats = StatsSettings.from_config(params.stats)
results, nulls = score_subject(
    fits, designs, data, feature_paths, wildcards.layer, list(params.alignments), maps, stats,
    zscore=params.zscore, cutoff_mult=params.lanczos["cutoff_mult"], window=params.lanczos["window"], voxel_batch=snakemake.config["encoding"]["voxel_batch"], log=log,
)
ceilings = load_ceilings(snakemake.input.ceilings, wildcards.subject)
add_ceiling_scores(results, {modality: ceilings[modality]["ceiling_r"] for modality in sections})
identity = dict(model=wildcards.model, subject=wildcards.subject, layer=wildcards.layer)
regions = region_map_from_config(params.regions, wildcards.subject, data["story"].n_voxels)
save_scores(snakemake.output.scores, results, regions=regions, direction_attrs=nulls, **identity,
            significance="shared-tuning test: max(block permutation of the response, untuned-source null), GPD tail, BH-FDR",
            **{f"stats_{key}": value for key, value in asdict(stats).items()})
for (direction, alignment), arrays in results.items():
    log.info("%s %s: median raw r %.3f, corrected %.3f; significant (shared tuning) raw %.2f%%, corrected %.2f%% "
             "(paper's tracking test: %.2f%%, %.2f%%); within median r %.3f",
             direction, alignment, float(pd.Series(arrays["raw_r"]).median()), float(pd.Series(arrays["corrected_r"]).median()),
             100 * arrays["raw_significant"].mean(), 100 * arrays["corrected_significant"].mean(),
             100 * arrays["raw_significant_tracking"].mean(), 100 * arrays["corrected_significant_tracking"].mean(),
             float(pd.Series(arrays["within_r"]).median()))
write_table(pd.DataFrame(region_rows(results, regions, **identity)), snakemake.output.regions)

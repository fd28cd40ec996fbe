"""Rule score_transfer: story->movie and movie->story scores of one subject, model set and layer."""

import pandas as pd

from crossmodal.data import load_modality
from crossmodal.encoding import load_fit
from crossmodal.features.grid import load_design
from crossmodal.logs import setup_logging
from crossmodal.transfer.regions import region_map_from_config
from crossmodal.transfer.scoring import StatsSettings
from crossmodal.transfer.subject import load_maps, region_rows, save_scores, score_subject

log = setup_logging(snakemake.log[0])
wildcards, params = snakemake.wildcards, snakemake.params
sections = {"story": params.stories, "movie": params.movies}
data = {modality: load_modality(sections[modality], modality, wildcards.subject) for modality in sections}
fits = {modality: load_fit(snakemake.input[f"{modality}_encoding"]) for modality in sections}
designs = {modality: load_design(snakemake.input[f"{modality}_design"]) for modality in sections}
feature_paths = {
    modality: dict(zip([r.name for r in data[modality].runs], snakemake.input[f"{modality}_features"])) for modality in sections
}
maps = load_maps(snakemake.input.maps) if "linear" in params.alignments else None
results = score_subject(
    fits, designs, data, feature_paths, wildcards.layer, list(params.alignments), maps, StatsSettings(**params.stats),
    zscore=params.zscore, cutoff_mult=params.lanczos["cutoff_mult"], window=params.lanczos["window"], voxel_batch=params.voxel_batch,
)
identity = dict(model=wildcards.model, subject=wildcards.subject, layer=wildcards.layer)
regions = region_map_from_config(params.regions, wildcards.subject, data["story"].n_voxels)
save_scores(snakemake.output.scores, results, regions=regions, **identity)
for (direction, alignment), arrays in results.items():
    log.info("%s %s: median raw r %.3f, corrected %.3f, %.1f%% significant (corrected), within %.3f",
             direction, alignment, float(pd.Series(arrays["raw_r"]).median()), float(pd.Series(arrays["corrected_r"]).median()),
             100 * arrays["corrected_significant"].mean(), float(pd.Series(arrays["within_r"]).median()))
pd.DataFrame(region_rows(results, regions, **identity)).to_csv(snakemake.output.regions, sep="\t", index=False)

# crossmodal-encoding: voxelwise encoding models that transfer across language
# and vision. `snakemake --cores N` runs the embedded default; add
# `--configfile config/paper.yaml` for the real data. See README.md.

from snakemake.utils import min_version

min_version("9.0")


configfile: f"{workflow.basedir}/config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/encoding.smk"
include: "workflow/rules/transfer.smk"
include: "workflow/rules/validation.smk"
include: "workflow/rules/pca.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/power.smk"


rule all:
    input:
        "results/data/summary.tsv",
        "results/data/pairs_summary.tsv",
        extraction_targets(),
        "results/tables/encoding_summary.tsv",
        "results/tables/transfer_regions.tsv",
        comparison_targets(),
        expand("results/{model}/alignment/layer-{layer}_retrieval.tsv", zip, **alignment_layers()),
        validation_targets(),
        pca_all_targets(),
        figure_targets(),
    default_target: True

# crossmodal-encoding: voxelwise encoding models that transfer across language
# and vision. `snakemake --cores N` runs the embedded default; add
# `--configfile config/paper.yaml` for the real data. See README.md.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/data.smk"


rule all:
    input:
        "results/data/summary.tsv",
        "results/data/pairs_summary.tsv",
    default_target: True

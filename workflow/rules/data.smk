# Load every dataset through the real loaders and summarise it.


rule validate_data:
    """Read every subject's stories, movies and the pairs; write counts per subject and modality, and the noise ceilings of test runs with repeats."""
    input:
        dataset_inputs,
    output:
        summary="results/data/summary.tsv",
        pairs="results/data/pairs_summary.tsv",
        ceilings="results/data/noise_ceilings.h5",
    params:
        subjects=SUBJECTS,
        data={name: config["data"][name] for name in ("stories", "movies", "pairs")},
        planned_runs=planned_runs(),
    log:
        "results/logs/validate_data.log",
    resources:
        mem_mb=2000,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/validate_data.py"

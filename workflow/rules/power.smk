# Power analysis (not part of `all`): `snakemake --cores N results/power/power.tsv results/figures/power.png`.
# Every grid point is one job that runs the workflow on its own simulated dataset in its own folder.

from crossmodal.power import PowerSettings, grid_points

POWER = PowerSettings.from_config(config["power"])
POWER_POINTS = {point.name: point for point in grid_points(POWER)}


rule power_point:
    """One simulated dataset of the power grid through simulate, features, fits, alignment, transfer and validation."""
    output:
        "results/power/points/{point}.tsv",
    params:
        settings=lambda wildcards: power_point_settings(wildcards.point),
    log:
        "results/logs/power/{point}.log",
    threads: POWER.threads
    resources:
        mem_mb=8000,
        runtime=120,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/power_point.py"


rule power_summary:
    """Detection rate, false discovery proportion and AUC per grid point: mean and bootstrap interval over seeds."""
    input:
        expand("results/power/points/{point}.tsv", point=POWER_POINTS),
    output:
        report("results/power/power.tsv", caption="../report/power_table.rst", category="Power analysis"),
    params:
        bootstrap={key: config["power"][key] for key in ("n_bootstrap", "confidence", "seed")},
    log:
        "results/logs/power/summary.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/power_summary.py"


rule plot_power:
    """Detection rate against training data, one panel per SNR and direction, false discovery proportion beside."""
    input:
        "results/power/power.tsv",
    output:
        report("results/figures/power.png", caption="../report/power.rst", category="Power analysis"),
        "results/figures/power.pdf",
    params:
        sentence={key: config["power"][key] for key in ("target_detection", "snr", "test_repeats", "multimodal_patches_per_region")},
    log:
        "results/logs/figures/power.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_power.py"

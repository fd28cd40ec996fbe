# The embedded synthetic dataset (only when simulate.enabled).

if SYNTHETIC:

    rule simulate:
        """Write the synthetic stories, movies, pairs and their ground truth."""
        output:
            **simulate_outputs(),
        params:
            settings=config["simulate"],
            subjects=SUBJECTS,
            data=config["data"],
        log:
            "results/logs/simulate.log",
        threads: 1
        resources:
            mem_mb=4000,
            runtime=30,
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/simulate.py"

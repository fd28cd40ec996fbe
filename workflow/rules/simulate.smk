# The embedded synthetic dataset (only when simulate.enabled).

if SYNTHETIC:

    rule simulate:
        """Write the synthetic stories, movies, pairs and their ground truth."""
        input:
            lexicon=resource("lexicon"),
            regions=resource("regions"),
        output:
            **simulate_outputs(),
        params:
            settings=simulation_settings(),
            subjects=SUBJECTS,
            roots={name: config["data"][name]["root"] for name in ("stories", "movies", "pairs")},
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

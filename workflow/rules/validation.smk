# Validation against the planted truth of the synthetic data (only when data.ground_truth is set).

if config["data"]["ground_truth"]:

    rule fit_oracle:
        """The encoding ridge fitted on the planted latent time courses: what a fit can recover at best."""
        input:
            truth=config["data"]["ground_truth"],
            data=dataset_inputs,
        output:
            "results/validation/oracle/{subject}/{modality}.h5",
        params:
            section=section_of,
            settings=encoding_model(),
        log:
            "results/logs/validation/oracle/{subject}/{modality}.log",
        threads: 1
        resources:
            mem_mb=4000,
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/fit_oracle.py"

    rule validate_recovery:
        """Per transfer score: false discovery proportion, fraction significant per planted class, AUC; fits vs the oracle."""
        input:
            truth=config["data"]["ground_truth"],
            scores=transfer_targets(".h5"),
            fits=encoding_targets(".h5"),
            oracles=expand("results/validation/oracle/{subject}/{modality}.h5", subject=SUBJECTS, modality=MODALITIES),
        output:
            recovery=report(
                "results/validation/recovery.tsv",
                caption="../report/recovery.rst",
                category="Validation",
            ),
            oracle=report(
                "results/validation/encoding_oracle.tsv",
                caption="../report/encoding_oracle.rst",
                category="Validation",
            ),
        log:
            "results/logs/validate_recovery.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/validate_recovery.py"

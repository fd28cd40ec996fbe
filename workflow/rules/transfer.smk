# Cross-modal transfer (method.md steps 3, 5, 6): alignment maps, scores, comparison, validation.


rule fit_alignment:
    """Ridge maps image->text and text->image on the training pairs; retrieval on the test pairs."""
    input:
        train_captions=pair_input("train", "captions"),
        test_captions=pair_input("test", "captions"),
        train_images=pair_input("train", "images"),
        test_images=pair_input("test", "images"),
    output:
        maps="results/{model}/alignment/layer-{layer}.h5",
        retrieval=report(
            "results/{model}/alignment/layer-{layer}_retrieval.tsv",
            caption="../report/retrieval.rst",
            category="RQ3 alignment",
        ),
    params:
        root=config["data"]["pairs"]["root"],
        settings=config["alignment"],
    log:
        "results/logs/{model}/alignment/layer-{layer}.log",
    resources:
        mem_mb=8000,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/fit_alignment.py"


rule score_transfer:
    """Story->movie and movie->story scores of one subject, with p-values, FDR and reverse tuning."""
    input:
        unpack(transfer_inputs),
        region_definitions=resource("regions"),
    output:
        scores="results/{model}/{subject}/transfer/layer-{layer}.h5",
        regions="results/{model}/{subject}/transfer/layer-{layer}_regions.tsv",
    params:
        stories=data_section("story"),
        movies=data_section("movie"),
        alignments=alignments_of,
        lanczos=config["features"]["lanczos"],
        zscore=config["transfer"]["zscore"],
        stats=config["stats"],
        regions=regions_params(),
    log:
        "results/logs/{model}/{subject}/transfer/layer-{layer}.log",
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/score_transfer.py"


rule summarize_transfer:
    """Region summaries of every subject, model and layer in one table."""
    input:
        transfer_targets("_regions.tsv"),
    output:
        report(
            "results/tables/transfer_regions.tsv",
            caption="../report/transfer_regions.rst",
            category="RQ2 where",
        ),
    log:
        "results/logs/summarize_transfer.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/concatenate_tables.py"


if COMPARE:

    rule compare_models:
        """Multimodal vs unimodal cross-modal scores: per subject over voxels significant for either model outside primary sensory cortex (spatial-block bootstrap), across subjects (paired t-test)."""
        input:
            multimodal=expand(
                "results/{model}/{subject}/transfer/layer-{layer}.h5",
                model=config["compare"]["multimodal"],
                subject=SUBJECTS,
                layer=MODELS[config["compare"]["multimodal"]]["layers"][0],
            ),
            unimodal=expand(
                "results/{model}/{subject}/transfer/layer-{layer}.h5",
                model=config["compare"]["unimodal"],
                subject=SUBJECTS,
                layer=MODELS[config["compare"]["unimodal"]]["layers"][0],
            ),
        output:
            report(
                "results/tables/multimodal_vs_unimodal.tsv",
                caption="../report/multimodal_vs_unimodal.rst",
                category="RQ3 alignment",
            ),
        params:
            subjects=SUBJECTS,
            space=config["data"]["space"],
            settings={key: value for key, value in config["compare"].items() if key not in ("multimodal", "unimodal")},
        log:
            "results/logs/compare_models.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/compare_models.py"

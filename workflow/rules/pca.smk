rule pca:
    """PCA of multimodal voxels' delay-averaged, normalised story weights; words, images and sharedness per PC."""
    input:
        unpack(pca_inputs),
    output:
        arrays="results/{model}/pca/layer-{layer}.h5",
        components=report("results/{model}/pca/layer-{layer}_components.tsv", caption="../report/pca_components.rst", category="RQ4 shared dimensions"),
        words=report("results/{model}/pca/layer-{layer}_words.tsv", caption="../report/pca_words.rst", category="RQ4 shared dimensions"),
        images=report("results/{model}/pca/layer-{layer}_images.tsv", caption="../report/pca_images.rst", category="RQ4 shared dimensions"),
    params:
        settings=config["pca"],
        alignment=pca_alignment_of,
        pairs_root=config["data"]["pairs"]["root"],
        movies=data_section("movie"),
    log:
        "results/logs/{model}/pca/layer-{layer}.log",
    resources:
        mem_mb=8000,
        runtime=30,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/pca.py"


if config["data"]["ground_truth"]:

    rule pca_recovery:
        """Principal angles between the top PCs and the planted concepts; which PCs are planted shared or story-only, and how reported."""
        input:
            truth=config["data"]["ground_truth"],
            pca=pca_targets(".h5"),
            designs=[f"results/{m}/{SUBJECTS[0]}/design/story_layer-{l}.h5" for m in MODELS for l in MODELS[m]["layers"]],
        output:
            angles=report("results/validation/pca_recovery.tsv", caption="../report/pca_recovery.rst", category="Validation"),
            planted=report("results/validation/pca_planted.tsv", caption="../report/pca_planted.rst", category="Validation"),
        log:
            "results/logs/pca_recovery.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/pca_recovery.py"

# Shared semantic dimensions (method.md step 7): PCA of the story-model weights of multimodal voxels.
# Settings are read with defaults until the config schema has a `pca` section.


def pca_settings():
    """The `pca` config section with defaults filled in."""
    defaults = {"n_components": 10, "n_top_words": 20, "n_top_images": 8, "n_permutations": 1000, "seed": 0,
                "alignment": "linear", "score": "corrected", "min_voxels": 200, "min_word_count": 1, "thumbnail_size": 96}
    return {**defaults, **config.get("pca", {})}


def pca_alignment(model):
    """pca.alignment if the model set scores it, else its first alignment."""
    preferred = pca_settings()["alignment"]
    return preferred if preferred in MODELS[model]["alignment"] else MODELS[model]["alignment"][0]


def pca_alignment_of(wildcards):
    return pca_alignment(wildcards.model)


def pca_inputs(wildcards):
    """Story fits and transfer scores of every subject, feature files, test pairs and maps that the pca rule reads."""
    model, layer = wildcards.model, wildcards.layer
    inputs = {
        "story_fits": [f"results/{model}/{s}/encoding/story_layer-{layer}.h5" for s in SUBJECTS],
        "scores": [f"results/{model}/{s}/transfer/layer-{layer}.h5" for s in SUBJECTS],
        "design": f"results/{model}/{SUBJECTS[0]}/design/story_layer-{layer}.h5",
        "story_features": [feature_file(model, "story", run) for run in all_runs("story")],
        "movie_features": [feature_file(model, "movie", run) for run in all_runs("movie")],
        "test_captions": pair_features(model, "test", "captions"),
        "test_images": pair_features(model, "test", "images"),
        "data": dataset_inputs(),
    }
    if pca_alignment(model) == "linear":
        inputs["maps"] = f"results/{model}/alignment/layer-{layer}.h5"
    return inputs


def pca_targets(suffix=".h5"):
    """The PCA output of every model set and layer."""
    return [f"results/{model}/pca/layer-{layer}{suffix}" for model in MODELS for layer in MODELS[model]["layers"]]


def pca_all_targets():
    """Every PCA table and array, plus the planted-subspace validation on synthetic data (for `rule all`)."""
    targets = [path for suffix in (".h5", "_components.tsv", "_words.tsv", "_images.tsv") for path in pca_targets(suffix)]
    if config["data"]["ground_truth"]:
        targets.append("results/validation/pca_recovery.tsv")
    return targets


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
        settings=pca_settings(),
        alignment=pca_alignment_of,
        subjects=SUBJECTS,
        movie_runs=all_runs("movie"),
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
        """Cosines of the principal angles between the top PCs and the planted concept subspace."""
        input:
            truth=config["data"]["ground_truth"],
            pca=pca_targets(".h5"),
            designs=[f"results/{m}/{SUBJECTS[0]}/design/story_layer-{l}.h5" for m in MODELS for l in MODELS[m]["layers"]],
        output:
            report("results/validation/pca_recovery.tsv", caption="../report/pca_recovery.rst", category="Validation"),
        log:
            "results/logs/pca_recovery.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/pca_recovery.py"

# Stimulus features (every layer, cached per stimulus and model) and design matrices.


rule extract_story_features:
    """Every layer's features of every word of one story, with its causal context."""
    input:
        dataset_inputs,
    output:
        "results/features/{feature_model}/story/{run}.h5",
    params:
        section=data_section("story"),
        checkpoint=checkpoint_of,
        settings=config["features"],
    log:
        "results/logs/features/{feature_model}/story/{run}.log",
    threads: 1
    resources:
        mem_mb=4000,
        gpu=feature_gpus,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/extract_story_features.py"


rule extract_movie_features:
    """Every layer's features of the sampled frames of one movie run."""
    input:
        dataset_inputs,
    output:
        "results/features/{feature_model}/movie/{run}.h5",
    params:
        section=data_section("movie"),
        checkpoint=checkpoint_of,
        settings=config["features"],
    log:
        "results/logs/features/{feature_model}/movie/{run}.log",
    threads: 1
    resources:
        mem_mb=4000,
        gpu=feature_gpus,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/extract_movie_features.py"


rule extract_pair_features:
    """Caption features (text models) or image features (vision models) of one split of the pairs."""
    input:
        dataset_inputs,
    output:
        "results/features/{feature_model}/pairs/{split}_{kind}.h5",
    params:
        root=config["data"]["pairs"]["root"],
        checkpoint=checkpoint_of,
        settings=config["features"],
    log:
        "results/logs/features/{feature_model}/pairs/{split}_{kind}.log",
    threads: 1
    resources:
        mem_mb=4000,
        gpu=feature_gpus,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/extract_pair_features.py"


rule build_design:
    """Train and test design matrices of one subject and modality on its fMRI grid."""
    input:
        features=design_features,
        data=dataset_inputs,
    output:
        "results/{model}/{subject}/design/{modality}_layer-{layer}.h5",
    params:
        section=section_of,
        feature_model=feature_model_of,
        delays=config["encoding"]["delays"],
        lanczos=config["features"]["lanczos"],
    log:
        "results/logs/{model}/{subject}/design/{modality}_layer-{layer}.log",
    resources:
        mem_mb=4000,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/build_design.py"

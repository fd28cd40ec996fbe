# Stimulus features (every layer, cached per stimulus and model) and design matrices.


rule extract_story_features:
    """Every layer's features of every word of every story, for one feature model (loaded once)."""
    input:
        dataset_inputs,
    output:
        expand("results/features/{{feature_model}}/story/{run}.h5", run=all_runs("story")),
    params:
        source=stimulus_source("story"),
        checkpoint=checkpoint_of,
        reading=text_reading(),
    log:
        "results/logs/features/{feature_model}/story.log",
    threads: 1
    resources:
        mem_mb=4000,
        gpu=feature_gpus,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/extract_story_features.py"


rule extract_movie_features:
    """Every layer's features of the sampled frames of every movie run, for one feature model (loaded once)."""
    input:
        dataset_inputs,
    output:
        expand("results/features/{{feature_model}}/movie/{run}.h5", run=all_runs("movie")),
    params:
        source=stimulus_source("movie"),
        checkpoint=checkpoint_of,
        reading=frame_reading(),
    log:
        "results/logs/features/{feature_model}/movie.log",
    threads: 1
    resources:
        mem_mb=4000,
        gpu=feature_gpus,
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/extract_movie_features.py"


rule extract_pair_features:
    """Caption features (text models) or image features (vision models) of the training and test pairs."""
    input:
        dataset_inputs,
    output:
        expand("results/features/{{feature_model}}/pairs/{split}_{{kind}}.h5", split=PAIR_SPLITS),
    params:
        root=config["data"]["pairs"]["root"],
        checkpoint=checkpoint_of,
        reading=pair_reading,
    log:
        "results/logs/features/{feature_model}/pairs_{kind}.log",
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

# Voxelwise encoding models: ridge with one alpha per voxel, chosen by CV on training runs.

if config["encoding"]["voxel_chunks"] == 1:

    rule fit_encoding:
        """Fit one subject's encoding model for one modality, model and layer; score it on the test runs."""
        input:
            design="results/{model}/{subject}/design/{modality}_layer-{layer}.h5",
            data=dataset_inputs,
        output:
            fit="results/{model}/{subject}/encoding/{modality}_layer-{layer}.h5",
            summary="results/{model}/{subject}/encoding/{modality}_layer-{layer}_summary.tsv",
        params:
            section=section_of,
            settings=encoding_model(),
            chunk=None,
        log:
            "results/logs/{model}/{subject}/encoding/{modality}_layer-{layer}.log",
        threads: 1
        resources:
            mem_mb=8000,
            runtime=120,
            gpu=encoding_gpus,
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/fit_encoding.py"

else:

    rule fit_encoding_chunk:
        """Fit the voxels of one chunk (encoding.voxel_chunks > 1); gathered by gather_encoding."""
        input:
            design="results/{model}/{subject}/design/{modality}_layer-{layer}.h5",
            data=dataset_inputs,
        output:
            fit=temp("results/{model}/{subject}/encoding/chunks/{modality}_layer-{layer}_chunk-{chunk}.h5"),
        params:
            section=section_of,
            settings=encoding_model(),
            chunk=lambda wildcards: int(wildcards.chunk),
        log:
            "results/logs/{model}/{subject}/encoding/{modality}_layer-{layer}_chunk-{chunk}.log",
        threads: 1
        resources:
            mem_mb=8000,
            runtime=120,
            gpu=encoding_gpus,
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/fit_encoding.py"

    rule gather_encoding:
        """Concatenate the voxel chunks into the file a single fit writes."""
        input:
            chunks=encoding_chunks,
        output:
            fit="results/{model}/{subject}/encoding/{modality}_layer-{layer}.h5",
            summary="results/{model}/{subject}/encoding/{modality}_layer-{layer}_summary.tsv",
        log:
            "results/logs/{model}/{subject}/encoding/{modality}_layer-{layer}_gather.log",
        resources:
            mem_mb=8000,
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/gather_encoding.py"


rule summarize_encoding:
    """One table of every fit: median test correlation, alpha grid-edge fractions."""
    input:
        encoding_targets("_summary.tsv"),
    output:
        report(
            "results/tables/encoding_summary.tsv",
            caption="../report/encoding_summary.rst",
            category="RQ1 prediction",
        ),
    log:
        "results/logs/summarize_encoding.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/concatenate_tables.py"

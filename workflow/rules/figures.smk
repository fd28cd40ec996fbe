if FLATMAPS == "fsaverage5":

    rule plot_performance_flatmaps:
        """Within- and cross-modal r (both directions, raw and corrected) on the fsaverage5 flat patches, significant voxels only."""
        input:
            scores=scores_of,
        output:
            _figure_report("performance_flatmaps_{model}_{layer}_{subject}", "performance_flatmaps", "RQ2 where", "flatmaps"),
            "results/figures/performance_flatmaps_{model}_{layer}_{subject}.pdf",
        wildcard_constraints:
            model=FIGURE_MODEL,
            subject=subject_pattern(SURFACE_SUBJECTS),
        params:
            alignment=figure_alignment,
            vmax=FIGURES["flatmap_vmax"],
        log:
            "results/logs/figures/performance_flatmaps_{model}_{layer}_{subject}.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_performance_flatmaps.py"

    rule plot_transfer_ratio:
        """Transfer ratio (cross / within where within is significant) on the fsaverage5 flat patches."""
        input:
            scores=scores_of,
        output:
            _figure_report("transfer_ratio_flatmap_{model}_{layer}_{subject}", "transfer_ratio_flatmap", "RQ2 where", "flatmaps"),
            "results/figures/transfer_ratio_flatmap_{model}_{layer}_{subject}.pdf",
        wildcard_constraints:
            model=FIGURE_MODEL,
            subject=subject_pattern(SURFACE_SUBJECTS),
        params:
            alignment=figure_alignment,
        log:
            "results/logs/figures/transfer_ratio_flatmap_{model}_{layer}_{subject}.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_transfer_ratio.py"

elif FLATMAPS == "pycortex":

    rule plot_pycortex_flatmaps:
        """Within- and cross-modal r on the subject's pycortex flatmap (ds003020 subject space)."""
        input:
            scores=scores_of,
        output:
            _figure_report("performance_flatmaps_{model}_{layer}_{subject}", "performance_flatmaps", "RQ2 where", "flatmaps"),
            "results/figures/performance_flatmaps_{model}_{layer}_{subject}.pdf",
        wildcard_constraints:
            model=FIGURE_MODEL,
            subject=subject_pattern(SURFACE_SUBJECTS),
        params:
            alignment=figure_alignment,
            vmax=FIGURES["flatmap_vmax"],
            stories_root=config["data"]["stories"]["root"],
        log:
            "results/logs/figures/performance_flatmaps_{model}_{layer}_{subject}.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_pycortex_flatmaps.py"

    rule plot_pycortex_ratio:
        """Transfer ratio on the subject's pycortex flatmap (ds003020 subject space)."""
        input:
            scores=scores_of,
        output:
            _figure_report("transfer_ratio_flatmap_{model}_{layer}_{subject}", "transfer_ratio_flatmap", "RQ2 where", "flatmaps"),
            "results/figures/transfer_ratio_flatmap_{model}_{layer}_{subject}.pdf",
        wildcard_constraints:
            model=FIGURE_MODEL,
            subject=subject_pattern(SURFACE_SUBJECTS),
        params:
            alignment=figure_alignment,
            vmax=1.0,
            ratio=True,
            stories_root=config["data"]["stories"]["root"],
        log:
            "results/logs/figures/transfer_ratio_flatmap_{model}_{layer}_{subject}.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_pycortex_flatmaps.py"


if MAPPERS:

    rule plot_mapper_flatmaps:
        """Within- and cross-modal r on the subject's flatmap, drawn from its short-clips mapper (no pycortex), significant voxels only."""
        input:
            scores=scores_of,
            mapper=mapper_of,
        output:
            _figure_report("performance_flatmaps_{model}_{layer}_{subject}", "performance_flatmaps_mapper", "RQ2 where", "flatmaps"),
            "results/figures/performance_flatmaps_{model}_{layer}_{subject}.pdf",
        wildcard_constraints:
            model=FIGURE_MODEL,
            subject=subject_pattern(MAPPERS),
        params:
            alignment=figure_alignment,
            vmax=FIGURES["flatmap_vmax"],
        log:
            "results/logs/figures/performance_flatmaps_{model}_{layer}_{subject}.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_mapper_flatmaps.py"

    rule plot_mapper_ratio:
        """Transfer ratio (cross / within where within is significant) on the subject's flatmap from its short-clips mapper."""
        input:
            scores=scores_of,
            mapper=mapper_of,
        output:
            _figure_report("transfer_ratio_flatmap_{model}_{layer}_{subject}", "transfer_ratio_flatmap", "RQ2 where", "flatmaps"),
            "results/figures/transfer_ratio_flatmap_{model}_{layer}_{subject}.pdf",
        wildcard_constraints:
            model=FIGURE_MODEL,
            subject=subject_pattern(MAPPERS),
        params:
            alignment=figure_alignment,
            ratio=True,
        log:
            "results/logs/figures/transfer_ratio_flatmap_{model}_{layer}_{subject}.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_mapper_flatmaps.py"


rule plot_region_scores:
    """Region mean r and fraction significant: bars over subjects, a point per subject."""
    input:
        table="results/tables/transfer_regions.tsv",
    output:
        _figure_report("region_scores_{model}_{layer}", "region_scores", "RQ2 where", "regions"),
        "results/figures/region_scores_{model}_{layer}.pdf",
    wildcard_constraints:
        model=FIGURE_MODEL,
    params:
        alignment=figure_alignment,
    log:
        "results/logs/figures/region_scores_{model}_{layer}.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_region_scores.py"


rule plot_noise_ceiling:
    """Within- and cross-modal test r of every voxel against its noise ceiling (test runs with repeats)."""
    input:
        scores=transfer_targets(),
    output:
        _figure_report("noise_ceiling", "noise_ceiling", "RQ2 where", "noise ceiling"),
        "results/figures/noise_ceiling.pdf",
    params:
        score_files={f"{m} {l}": [f"results/{m}/{s}/transfer/layer-{l}.h5" for s in SUBJECTS] for m in MODELS for l in MODELS[m]["layers"]},
        alignments={f"{m} {l}": figure_alignment(SimpleNamespace(model=m)) for m in MODELS for l in MODELS[m]["layers"]},
        score=FIGURES["score"],
    log:
        "results/logs/figures/noise_ceiling.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_noise_ceiling.py"


rule plot_within_vs_cross:
    """Within- vs cross-modal r of every voxel, one panel per region."""
    input:
        scores=scores_of_subjects,
    output:
        _figure_report("within_vs_cross_{model}_{layer}", "within_vs_cross", "RQ2 where", "regions"),
        "results/figures/within_vs_cross_{model}_{layer}.pdf",
    wildcard_constraints:
        model=FIGURE_MODEL,
    params:
        alignment=figure_alignment,
    log:
        "results/logs/figures/within_vs_cross_{model}_{layer}.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_within_vs_cross.py"


if COMPARE:

    rule plot_model_comparison:
        """Multimodal vs unimodal cross-modal r over the voxels entered, and the per-subject differences with their intervals."""
        input:
            table="results/tables/multimodal_vs_unimodal.tsv",
            multimodal=comparison_scores("multimodal"),
            unimodal=comparison_scores("unimodal"),
        output:
            _figure_report("multimodal_vs_unimodal", "multimodal_vs_unimodal_scatter", "RQ3 alignment"),
            "results/figures/multimodal_vs_unimodal.pdf",
        params:
            names=[config["compare"]["multimodal"], config["compare"]["unimodal"]],
            alignment=config["compare"]["alignment"],
            score=FIGURES["score"],
        log:
            "results/logs/figures/multimodal_vs_unimodal.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_model_comparison.py"


rule plot_alignment_retrieval:
    """Held-out recall@1/5/10 of the alignment maps against unaligned and shuffled baselines."""
    input:
        expand("results/{model}/alignment/layer-{layer}_retrieval.tsv", zip, **alignment_layers()),
    output:
        _figure_report("alignment_retrieval", "alignment_retrieval", "RQ3 alignment"),
        "results/figures/alignment_retrieval.pdf",
    log:
        "results/logs/figures/alignment_retrieval.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_alignment_retrieval.py"


rule plot_encoding_alphas:
    """Histograms of the chosen ridge alphas of every fit, with grid-edge fractions."""
    input:
        encoding_targets(".h5"),
    output:
        _figure_report("encoding_alphas", "encoding_alphas", "RQ1 prediction"),
        "results/figures/encoding_alphas.pdf",
    log:
        "results/logs/figures/encoding_alphas.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_encoding_alphas.py"


rule plot_pc_sharedness:
    """Sharedness of every PC between captions and images, with bootstrap and null intervals."""
    input:
        table="results/{model}/pca/layer-{layer}_components.tsv",
    output:
        _figure_report("pc_sharedness_{model}_{layer}", "pc_sharedness", "RQ4 shared dimensions"),
        "results/figures/pc_sharedness_{model}_{layer}.pdf",
    wildcard_constraints:
        model=FIGURE_MODEL,
    log:
        "results/logs/figures/pc_sharedness_{model}_{layer}.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_pc_sharedness.py"


rule plot_pc_words:
    """Story words with the highest and lowest projection on every PC."""
    input:
        table="results/{model}/pca/layer-{layer}_words.tsv",
    output:
        _figure_report("pc_words_{model}_{layer}", "pc_words", "RQ4 shared dimensions"),
        "results/figures/pc_words_{model}_{layer}.pdf",
    wildcard_constraints:
        model=FIGURE_MODEL,
    params:
        n_words=FIGURES["n_words"],
    log:
        "results/logs/figures/pc_words_{model}_{layer}.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_pc_words.py"


rule plot_pc_images:
    """Pair images and movie frames with the highest and lowest projection on every PC."""
    input:
        pca="results/{model}/pca/layer-{layer}.h5",
    output:
        _figure_report("pc_images_{model}_{layer}", "pc_images", "RQ4 shared dimensions"),
        "results/figures/pc_images_{model}_{layer}.pdf",
    wildcard_constraints:
        model=FIGURE_MODEL,
    log:
        "results/logs/figures/pc_images_{model}_{layer}.log",
    conda:
        "../../envs/crossmodal.yaml"
    script:
        "../scripts/plot_pc_images.py"


if config["data"]["ground_truth"]:

    rule plot_synthetic_recovery:
        """Planted voxel class vs detected transfer per model set, and the PCA's planted-subspace recovery."""
        input:
            truth=config["data"]["ground_truth"],
            scores=transfer_targets(".h5"),
            pca_recovery="results/validation/pca_recovery.tsv",
        output:
            _figure_report("synthetic_recovery", "synthetic_recovery", "Validation"),
            "results/figures/synthetic_recovery.pdf",
        params:
            groups={f"{m} {l}": [f"results/{m}/{s}/transfer/layer-{l}.h5" for s in SUBJECTS] for m in MODELS for l in MODELS[m]["layers"]},
            alignment=FIGURES["alignment"],
            score=FIGURES["score"],
        log:
            "results/logs/figures/synthetic_recovery.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_synthetic_recovery.py"

    rule plot_class_rates:
        """Fraction significant per planted class and false discovery proportion, per model set, direction, alignment, score."""
        input:
            recovery="results/validation/recovery.tsv",
        output:
            _figure_report("synthetic_class_rates", "synthetic_class_rates", "Validation"),
            "results/figures/synthetic_class_rates.pdf",
        params:
            q=config["stats"]["fdr_q"],
        log:
            "results/logs/figures/synthetic_class_rates.log",
        conda:
            "../../envs/crossmodal.yaml"
        script:
            "../scripts/plot_class_rates.py"
